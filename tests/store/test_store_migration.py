"""The migration from the earlier fingerprint schemes (the first one; the data path as typed) to
the content digest: records found again, said to assume their data unchanged, nothing lost."""

import json
import os

import pytest

from shiftmsa.config import as_recorded, load_config
from shiftmsa.data.identity import identify_data
from shiftmsa.data.readers.native import write_native_dataset
from shiftmsa.data.synthetic import generate_synthetic
from shiftmsa.experiments import runner
from shiftmsa.experiments.experiment import Experiment
from shiftmsa.store.fingerprint import fingerprint_digest, identity_digest, identity_text, run_identity, typed_path_identity
from shiftmsa.store.legacy_fingerprint import legacy_fingerprint_digest, legacy_fingerprint_text
from shiftmsa.store.migration import migrate_store, recorded_config
from shiftmsa.store.records import ResultStore

# A record written by the store of 85d8207 (the first fingerprinted release), run by
# benchmarks/reproduce_results.py on an H100 (docs/results, the 85d8207 paper-protocol stores), metrics left out.
STORED_RECORD = json.loads(
    '{"best_epoch": 30, "corpus": "mosi-sdk_fold", "fingerprint": "27ca3ed1dfd9f9bf", "model": "text-only", '
    '"name": "text-only", "params": {"encoder": ".carry/minilm"}, "preset": null, '
    '"run_dir": "/tmp/res/mosi_sdk_text_audio/text-only/seed-0", "seed": 0}')


def first_release_config(model="text-only", output="runs/x"):
    """What `benchmarks/reproduce_results.py --protocol mosi --encoder .carry/minilm --threads 1
    --set train.accelerator=gpu` gave ``model`` on the SDK folds."""
    return load_config(None, ["data.path=../shared/data/mosi", "data.options.split=sdk_fold",
                              "data.options.features=[audio_opensmile]", f"model.name={model}",
                              "model.params.encoder=.carry/minilm", "train.keep_checkpoint=false",
                              "train.num_threads=1", "train.accelerator=gpu", f"output_dir={output}",
                              "train.seeds=[0]", "data.standardize=auto"], protocol="mosi")


def test_the_frozen_first_scheme_gives_the_digest_the_first_release_stored():
    assert legacy_fingerprint_digest(first_release_config()) == STORED_RECORD["fingerprint"]


def test_the_typed_path_scheme_gives_the_digest_the_2026_12_05_stores_hold():
    """The command of docs/results/2026-12-05_cpu2_cpu_mosi-sdk_text-only-msg-mba stored text-only as fdd1d5f321106d4b."""
    config = load_config(None, ["data.path=../shared/data/mosi", "data.options.split=sdk_fold",
                                "data.options.features=[audio_opensmile]", "model.name=text-only",
                                "train.num_threads=1", "train.keep_checkpoint=false",
                                "train.length_buckets=false", "data.standardize=auto"],
                         protocol="cpu")  # as it ran then
    assert identity_digest(typed_path_identity(config)) == "fdd1d5f321106d4b"


def test_a_recorded_config_without_a_later_field_ran_at_its_neutral_value(tmp_path):
    """train.length_buckets became the default after stores existed: a config.yaml that does not
    name it ran without buckets; one that names it keeps its value."""
    (tmp_path / "old.yaml").write_text("train:\n  epochs: 2\n")
    (tmp_path / "new.yaml").write_text("train:\n  epochs: 2\n  length_buckets: true\n")
    assert load_config(None).train.length_buckets
    assert not recorded_config(tmp_path / "old.yaml").train.length_buckets
    assert recorded_config(tmp_path / "new.yaml").train.length_buckets


def test_a_field_whose_default_changed_runs_as_its_store_recorded_unless_the_command_set_it(tmp_path):
    """data.standardize was auto until 2026-12-06: a replayed command that did not set it ran with
    the value its store's config.yaml records (auto where the file names none)."""
    assert load_config(None).data.standardize is False
    (tmp_path / "old.yaml").write_text("train:\n  epochs: 2\n")
    assert recorded_config(tmp_path / "old.yaml").data.standardize == "auto"
    recorded = {"data": {"standardize": "auto"}}
    assert as_recorded(load_config(None), recorded).data.standardize == "auto"
    assert as_recorded(load_config(None, ["data.standardize=true"]), recorded,
                       {"data.standardize"}).data.standardize is True
    assert as_recorded(load_config(None), {"data": {"standardize": False}}).data.standardize is False


@pytest.fixture
def store(tmp_path, monkeypatch):
    """(a working folder with the dataset ``ds``, a configuration of text-only on it writing to ``out``)."""
    monkeypatch.chdir(tmp_path)
    write_native_dataset(generate_synthetic(24, seed=3, acoustic_dim=3, visual_dim=2), tmp_path / "ds")
    (tmp_path / "out").mkdir()
    return tmp_path, load_config(None, ["data.path=ds", "model.name=text-only", "train.seeds=[0, 1]",
                                        "output_dir=out", "train.epochs=1"])


def earlier_records(config):
    """Seed 0 stored under the first scheme, seed 1 under the data path as typed."""
    record = {"model": "text-only", "name": "text-only", "preset": None, "params": {}, "test": {"mae": 1.0}}
    return [{**record, "seed": 0, "fingerprint": legacy_fingerprint_digest(config)},
            {**record, "seed": 1, "fingerprint": identity_digest(typed_path_identity(config))}]


def write_records(folder, records, tail=""):
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records) + tail)


def test_records_of_both_earlier_schemes_are_found_again_and_say_what_they_assume(store, monkeypatch):
    folder, config = store
    write_records(folder / "out", earlier_records(config))
    report = migrate_store(folder / "out", [config], today="2026-12-06")
    assert (report.migrated, report.current, report.unmatched, report.missing_data) == (2, 0, [], [])
    data = identify_data(config.data)
    for record in ResultStore(folder / "out").records():
        assert record["fingerprint"] == fingerprint_digest(config, data)
        assert (record["data"]["digest"], record["data"]["path"]) == (data.digest, str(folder / "ds"))
        assert record["data"]["note"].startswith("migrated on 2026-12-06 by shiftmsa store migrate")
        assert "assumed unchanged since the run" in record["data"]["note"]
    monkeypatch.setattr(runner, "train_run", lambda *args: pytest.fail("retrained a stored run"))
    messages = []
    Experiment(config, log=messages.append).run()
    assert sum("finished earlier" in message for message in messages) == 2


def test_a_second_migration_changes_nothing_and_strangers_and_torn_lines_are_kept(store):
    folder, config = store
    stranger = {**earlier_records(config)[0], "seed": 2, "fingerprint": "0123456789abcdef"}
    write_records(folder / "out", [*earlier_records(config), stranger], tail='{"model": "tex')
    first = migrate_store(folder / "out", [config])
    assert (first.migrated, first.unmatched) == (2, ["text-only seed 2 0123456789abcdef"])
    after_first = (folder / "out" / "results.jsonl").read_text()
    assert after_first.endswith('\n{"model": "tex') and json.dumps(stranger) in after_first
    second = migrate_store(folder / "out", [config])
    assert (second.migrated, second.current) == (0, 2)
    assert (folder / "out" / "results.jsonl").read_text() == after_first


def test_data_not_found_leaves_records_as_they_are_until_told_where_it_is(store, tmp_path):
    folder, config = store
    write_records(folder / "out", earlier_records(config))
    os.rename(folder / "ds", folder / "moved")
    before = (folder / "out" / "results.jsonl").read_text()
    missing = migrate_store(folder / "out", [config])
    assert (missing.migrated, len(missing.unmatched)) == (0, 2)
    assert missing.missing_data == [f"ds: not found at {folder / 'ds'} (give --data-at TYPED=NOW)"]
    assert (folder / "out" / "results.jsonl").read_text() == before
    found = migrate_store(folder / "out", [config], data_at={"ds": str(folder / "moved")})
    assert (found.migrated, found.missing_data) == (2, [])
    assert {r["data"]["path"] for r in ResultStore(folder / "out").records()} == {str(folder / "moved")}


def test_data_todays_readers_refuse_leaves_records_as_they_are(store):
    folder, config = store
    config.data.options = {"sequences": "mean"}  # an option the native reader does not take
    write_records(folder / "out", earlier_records(config))
    report = migrate_store(folder / "out", [config])
    assert (report.migrated, len(report.unmatched)) == (0, 2)
    (reason,) = report.missing_data
    assert reason.startswith("ds with options {'sequences': 'mean'}: not readable today (") and "does not take" in reason


def test_generated_data_keeps_its_fingerprints(tmp_path):
    config = load_config(None, ["data.options.n=60", "model.name=text-only", f"output_dir={tmp_path}"])
    record = {"model": "text-only", "name": "text-only", "seed": 0, "fingerprint": fingerprint_digest(config)}
    write_records(tmp_path, [record])
    report = migrate_store(tmp_path, [config])
    assert (report.migrated, report.current) == (0, 1)
    assert ResultStore(tmp_path).records() == [record]


@pytest.mark.parametrize("scheme", ["first", "typed path"])
def test_run_folders_give_their_configurations_and_get_todays_identity(store, scheme):
    folder, config = store
    run_folder = folder / "out" / "text-only" / "seed-0"
    run_folder.mkdir(parents=True)
    (run_folder / "config.yaml").write_text(config.to_yaml())
    earlier = legacy_fingerprint_text(config) if scheme == "first" else identity_text(typed_path_identity(config))
    (run_folder / "fingerprint.json").write_text(earlier)
    write_records(folder / "out", earlier_records(config)[:1] if scheme == "first" else earlier_records(config)[1:])
    report = migrate_store(folder / "out")
    assert (report.migrated, report.run_folders) == (1, 1)
    assert json.loads((run_folder / "fingerprint.json").read_text()) == run_identity(config, identify_data(config.data))


def test_the_store_migrate_command_moves_data_and_names_what_it_cannot_match_or_find(store, capsys):
    from shiftmsa.cli import main

    folder, config = store
    (folder / "out" / "config.yaml").write_text(config.to_yaml())
    stranger = {**earlier_records(config)[0], "seed": 2, "fingerprint": "0123456789abcdef"}
    write_records(folder / "out", [*earlier_records(config), stranger])
    os.rename(folder / "ds", folder / "moved")
    assert main(["store", "migrate", "out"]) == 0
    out = capsys.readouterr().out
    assert "0 record(s) migrated" in out and f"data not read (its records stay as they are): ds: not found at" in out
    assert main(["store", "migrate", "out", "--data-at", "ds=moved"]) == 0
    out = capsys.readouterr().out
    assert "2 record(s) migrated" in out and "not matched (a rerun trains it anew): text-only seed 2" in out
    assert main(["store", "migrate", str(folder / "nothing")]) == 2
    assert "no results.jsonl here" in capsys.readouterr().err
    assert main(["store", "migrate", "out", "--data-at", "ds"]) == 2
    assert "give PATH_AS_TYPED=WHERE_IT_IS_NOW" in capsys.readouterr().err
