"""``compare``, ``reproduce``, ``search`` and ``evaluate`` with ``train.devices=2`` (2 CPU processes,
gloo): each leaves the records, tables and files a 1-process run leaves, with the numbers within
the tolerances of tests/distributed_helpers.py (dropout on), and the follower writes nothing (the
write guard ends it at its first write, and the command would fail)."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest

from distributed_helpers import (assert_same_record, assert_same_table, files_of, guarded_processes,  # noqa: F401
                                 run_overrides)
from shiftmsa import api
from shiftmsa.cli import main
from shiftmsa.config import ModelConfig, load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.experiments.search.driver import SearchOptions
from shiftmsa.experiments.search.space import parse_space
from shiftmsa.experiments.search.trial import TrialRunner
from shiftmsa.store.records import ResultStore
from shiftmsa.training import distributed

optuna.logging.set_verbosity(optuna.logging.WARNING)
MODELS = [ModelConfig("text-only"), ModelConfig("msg-mba")]


@pytest.fixture(scope="module")
def encoder(tiny_bert_dir) -> Path:
    return tiny_bert_dir  # dropout 0.1, as each model's own dropouts, on


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(36, seed=5, acoustic_dim=4, visual_dim=3)  # 24 / 6 / 6


def config(encoder: Path, folder: Path, devices: int, model: ModelConfig = MODELS[1]):
    """A 1-epoch run of ``model`` (by default msg-mba)."""
    run = load_config(None, run_overrides(encoder, folder, devices, epochs=1))
    run.model = ModelConfig(model.name, model.preset, {**run.model.params, **model.params})
    return run


def on_one_and_two(tmp_path: Path, command) -> tuple[Path, Path]:
    """Run ``command(folder, devices)`` on 1 then 2 processes; their folders."""
    for devices in (1, 2):
        command(tmp_path / str(devices), devices)
    return tmp_path / "1", tmp_path / "2"


def assert_same_store(one: Path, two: Path) -> None:
    """The same files, and records equal but for the tolerances, times and folders."""
    assert files_of(one) == files_of(two)
    first, second = ResultStore(one).records(), ResultStore(two).records()
    assert len(first) == len(second) > 0
    for a, b in zip(first, second):
        assert_same_record(a, b, one, two)


def test_compare(encoder, corpus, guarded_processes, tmp_path):
    def compare(folder, devices):
        api.compare(config(encoder, folder, devices, ModelConfig("text-only")), MODELS, reference="text-only",
                    log=lambda m: None, corpus=corpus)

    one, two = on_one_and_two(tmp_path, compare)
    assert_same_store(one, two)
    assert len(ResultStore(two).records()) == 2
    for table in ("table.md", "table.csv"):
        assert_same_table((one / table).read_text(), (two / table).read_text())


def test_reproduce(encoder, corpus, guarded_processes, tmp_path):
    """Fig. 9's table (2 rows of msg-mba presets) on 1 seed."""
    def reproduce(folder, devices):
        api.reproduce("fig9", config(encoder, folder, devices), log=lambda m: None, corpus=corpus)

    one, two = on_one_and_two(tmp_path, reproduce)
    assert_same_store(one, two)
    for table in ("table.md", "table.csv"):
        assert_same_table((one / "fig9" / table).read_text(), (two / "fig9" / table).read_text())


def test_search(encoder, corpus, guarded_processes, tmp_path):
    """A 2-point grid, then the chosen point trained over seed 0 and scored on the test split."""
    space = parse_space({"params": {"train.learning_rate": [1e-5, 1e-3]}}, "tiny grid")

    def search(folder, devices):
        base = config(encoder, folder, devices, MODELS[0])
        api.search(base, space, SearchOptions(final_seeds=(0,), pruner="none"), log=lambda m: None, corpus=corpus)

    one, two = on_one_and_two(tmp_path, search)
    assert files_of(one) == files_of(two)
    for trial in sorted((one / "trials").iterdir()):
        assert_same_store(trial, two / "trials" / trial.name)
    assert_same_store(one / "final", two / "final")
    trials = [[row.rsplit("|", 2)[0] for row in (folder / "trials.md").read_text().splitlines()]  # less minutes
              for folder in (one, two)]
    assert_same_table("\n".join(trials[0]), "\n".join(trials[1]))
    assert_same_table((one / "final" / "table.md").read_text(), (two / "final" / "table.md").read_text())
    best = [load_config(folder / "best.yaml").to_dict() for folder in (one, two)]
    for chosen, folder in zip(best, (one, two)):
        assert chosen.pop("output_dir") == str(folder / "final")
        chosen["train"].pop("devices")
    assert best[0] == best[1]


class PruneEverything:
    """A stand-in Optuna trial whose pruner gives up on the first report."""

    number = 3

    def report(self, value, step):
        pass

    def should_prune(self):
        return True


def test_a_pruned_trial_stops_the_followers_and_the_next_run_trains(encoder, corpus, guarded_processes, tmp_path):
    """Pruning raises on rank 0 between epochs, while the follower waits in the next one: the
    follower is stopped, nothing is stored, and the next run starts a new one and trains."""
    base = config(encoder, tmp_path, 2, MODELS[0])
    base.train.epochs = 2
    with pytest.raises(optuna.TrialPruned):
        TrialRunner(base, corpus, tmp_path)(PruneEverything(), {"train.learning_rate": 1e-4})
    assert distributed._current is None and list((tmp_path / "trials").iterdir()) == []
    api.compare(config(encoder, tmp_path / "after", 2, MODELS[0]), log=lambda m: None, corpus=corpus)
    assert len(ResultStore(tmp_path / "after").records()) == 1


def test_evaluate(encoder, corpus, guarded_processes, tmp_path, capsys):
    """A checkpoint scored with ``train.devices=2`` (the API and the command): the metrics of 1
    process; evaluation runs on rank 0 alone and starts no follower."""
    api.compare(config(encoder, tmp_path, 1), [MODELS[1]], log=lambda m: None, corpus=corpus)
    checkpoint = tmp_path / "msg-mba" / "seed-0" / "best"
    (tmp_path / "data").mkdir()
    assert main(["data", "synth", str(tmp_path / "data" / "synth"), "--n", "36", "--seed", "5",
                 "--acoustic-dim", "4", "--visual-dim", "3"]) == 0
    distributed.shutdown()
    scores = {}
    for devices in (1, 2):
        evaluation = config(encoder, tmp_path, devices)
        evaluation.data.path = str(tmp_path / "data" / "synth")
        scores[f"api {devices}"] = api.evaluate(checkpoint, evaluation)[0]
        capsys.readouterr()
        assert main(["evaluate", str(checkpoint), "--data", str(tmp_path / "data" / "synth"),
                     "--set", "train.accelerator=cpu", "--set", f"train.devices={devices}",
                     "--set", "train.strategy=ddp", "--set", "train.eval_batch_size=4",
                     "--set", "data.max_length=16"]) == 0
        scores[f"cli {devices}"] = json.loads(capsys.readouterr().out)["metrics"]
    assert distributed._current is None
    assert scores["api 1"] == scores["api 2"] == scores["cli 1"] == scores["cli 2"]
