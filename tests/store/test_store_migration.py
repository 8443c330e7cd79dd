"""The one-off migration from the first fingerprint scheme: records found again, nothing lost."""

import json

import pytest

from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.experiments import runner
from shiftmsa.experiments.experiment import Experiment
from shiftmsa.store.fingerprint import fingerprint_digest, run_identity
from shiftmsa.store.legacy_fingerprint import legacy_fingerprint_digest, legacy_fingerprint_text
from shiftmsa.store.migration import migrate_store
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
                              "train.seeds=[0]"], protocol="mosi")


def test_the_frozen_first_scheme_gives_the_digest_the_first_release_stored():
    assert legacy_fingerprint_digest(first_release_config()) == STORED_RECORD["fingerprint"]


def test_a_migrated_first_release_record_is_found_and_not_trained_again(tmp_path, monkeypatch):
    (tmp_path / "results.jsonl").write_text(json.dumps(STORED_RECORD) + "\n")
    config = first_release_config(output=str(tmp_path))
    base = first_release_config("msg-mba", output=str(tmp_path))  # the record names its own model
    report = migrate_store(tmp_path, [base])
    assert (report.migrated, report.current, report.unmatched) == (1, 0, [])
    (record,) = ResultStore(tmp_path).records()
    assert record == {**STORED_RECORD, "fingerprint": fingerprint_digest(config)}
    monkeypatch.setattr(runner, "train_run", lambda *args: pytest.fail("retrained a stored run"))
    messages = []
    corpus = generate_synthetic(36, seed=5, acoustic_dim=4, visual_dim=3)
    assert Experiment(config, log=messages.append).run(corpus) == [record]
    assert any("run 1 of 1: finished earlier" in message for message in messages)


def test_a_second_migration_changes_nothing_and_strangers_and_torn_lines_are_kept(tmp_path):
    stranger = {**STORED_RECORD, "seed": 1, "fingerprint": "0123456789abcdef"}
    text = json.dumps(STORED_RECORD) + "\n" + json.dumps(stranger) + "\n" + '{"model": "tex'
    (tmp_path / "results.jsonl").write_text(text)
    config = first_release_config()
    first = migrate_store(tmp_path, [config])
    assert (first.migrated, first.unmatched) == (1, ["text-only seed 1 0123456789abcdef"])
    after_first = (tmp_path / "results.jsonl").read_text()
    assert after_first.endswith('\n{"model": "tex') and json.dumps(stranger) in after_first
    second = migrate_store(tmp_path, [config])
    assert (second.migrated, second.current) == (0, 1)
    assert (tmp_path / "results.jsonl").read_text() == after_first


def test_run_folders_give_their_configurations_and_get_todays_identity(tmp_path):
    config = first_release_config(output=str(tmp_path))
    run_folder = tmp_path / "text-only" / "seed-0"
    run_folder.mkdir(parents=True)
    (run_folder / "config.yaml").write_text(config.to_yaml())
    (run_folder / "fingerprint.json").write_text(legacy_fingerprint_text(config))
    (tmp_path / "results.jsonl").write_text(json.dumps(STORED_RECORD) + "\n")
    report = migrate_store(tmp_path)
    assert (report.migrated, report.run_folders) == (1, 1)
    assert json.loads((run_folder / "fingerprint.json").read_text()) == run_identity(config)


def test_the_store_migrate_command_uses_the_folders_config_and_names_what_it_cannot_match(tmp_path, capsys):
    from shiftmsa.cli import main

    config = first_release_config("msg-mba", output=str(tmp_path))
    (tmp_path / "config.yaml").write_text(config.to_yaml())
    stranger = {**STORED_RECORD, "seed": 1, "fingerprint": "0123456789abcdef"}
    (tmp_path / "results.jsonl").write_text(json.dumps(STORED_RECORD) + "\n" + json.dumps(stranger) + "\n")
    assert main(["store", "migrate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "1 record(s) migrated" in out and "not matched (a rerun trains it anew): text-only seed 1" in out
    assert ResultStore(tmp_path).records()[0]["fingerprint"] == fingerprint_digest(first_release_config())
    assert main(["store", "migrate", str(tmp_path / "nothing")]) == 2
    assert "no results.jsonl here" in capsys.readouterr().err
