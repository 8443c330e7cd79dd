"""Issue 25's two ways of mixing datasets in one store, through the CLI: a dataset regenerated in
place, and the same relative --data from two working folders. Each trains anew, keeps the earlier
records apart (another fingerprint) and, for the first, says what changed."""

from __future__ import annotations

import pytest

from shiftmsa.cli import main
from shiftmsa.store.records import ResultStore


@pytest.fixture
def train(tiny_bert_dir, one_thread, capsys):
    """``shiftmsa train --model text-only --data DATA --epochs 1 --seeds SEEDS --output OUT`` with a
    tiny encoder; returns what it printed."""

    def run(data: str, seeds: str, output: str) -> str:
        assert main(["train", "--model", "text-only", "--data", data, "--epochs", "1", "--seeds", seeds,
                     "--output", output, "--set", f"model.params.encoder={tiny_bert_dir}",
                     "--set", "train.batch_size=8", "--set", "data.max_length=12"]) == 0
        return capsys.readouterr().out

    return run


def synth(folder: str, n: int, seed: int) -> None:
    assert main(["data", "synth", folder, "--n", str(n), "--seed", str(seed)]) == 0


def test_a_dataset_regenerated_in_place_is_new_data_and_said_so(train, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    synth("dsA", 24, 0)
    train("dsA", "0", "b6")
    synth("dsA", 30, 7)
    out = train("dsA", "0,1", "b6")
    assert "finished earlier" not in out and "2 run(s) to train, 0 already in" in out
    assert f"the data at {tmp_path / 'dsA'} changed since text-only seed 0 in b6/results.jsonl trained on it" in out
    assert "utterances.jsonl 2" in out and " bytes" in out
    records = ResultStore(tmp_path / "b6").records()
    old, *new = records
    assert [r["seed"] for r in new] == [0, 1] and {r["fingerprint"] for r in new} != {old["fingerprint"]}
    assert len({r["fingerprint"] for r in new}) == 1 and new[0]["data"]["digest"] != old["data"]["digest"]
    assert "| text-only | 2 |" in (tmp_path / "b6" / "table.md").read_text()  # the new runs only, not 3


def test_the_same_relative_path_from_two_working_folders_is_two_datasets(train, tmp_path, monkeypatch):
    output = str(tmp_path / "shared-output")
    for folder, seed in (("w1", 0), ("w2", 7)):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        synth("ds", 24, seed)
        out = train("ds", "0", output)
        assert "1 run(s) to train, 0 already in" in out
    first, second = ResultStore(output).records()
    assert first["fingerprint"] != second["fingerprint"]
    assert (first["data"]["path"], second["data"]["path"]) == (str(tmp_path / "w1" / "ds"), str(tmp_path / "w2" / "ds"))


def test_another_spelling_of_the_same_folder_finds_the_stored_run(train, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    synth("ds", 24, 0)
    train("ds", "0", "out")
    assert "0 run(s) to train, 1 already in" in train(str(tmp_path / "ds") + "/", "0", "out")


def test_data_changed_between_planning_and_reading_is_refused(tmp_path):
    from shiftmsa.config import load_config
    from shiftmsa.data.contract import DataError
    from shiftmsa.experiments.runner import plan_runs, run_planned

    synth(str(tmp_path / "ds"), 24, 0)
    config = load_config(None, [f"data.path={tmp_path / 'ds'}", "model.name=text-only", "train.seeds=[0]",
                                f"output_dir={tmp_path / 'out'}"])
    runs = plan_runs(config, [config.model])
    synth(str(tmp_path / "ds"), 24, 1)
    with pytest.raises(DataError, match="the data changed after this command planned its runs"):
        run_planned(runs, raise_errors=True, log=lambda message: None)
