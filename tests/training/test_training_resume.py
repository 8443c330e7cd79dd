"""A run killed after an epoch resumes from its checkpoint and ends with identical numbers."""

import json

import pytest

from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.experiments.experiment import Experiment
from shiftmsa.training.loop import RunTrainer


class Killed(Exception):
    pass


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(120, seed=3)


def tiny_config(encoder, output, model="msg-mba"):
    return load_config(None, [f"model.name={model}", f"model.params.encoder={encoder}", "train.epochs=3",
                              "train.batch_size=16", "train.head_learning_rate=1e-3", "train.seeds=[0]",
                              f"output_dir={output}", "data.max_length=24", "train.accelerator=cpu"])


def kill_after(epoch_to_kill):
    def callback(epoch, record):
        if epoch == epoch_to_kill:
            raise Killed()
    return callback


def test_interrupted_run_resumes_to_the_same_numbers(tmp_path, tiny_bert_dir, corpus):
    config = tiny_config(tiny_bert_dir, tmp_path)
    straight = RunTrainer(config, 0, corpus, tmp_path / "straight").run()

    with pytest.raises(Killed):
        RunTrainer(config, 0, corpus, tmp_path / "resumed", on_epoch_end=kill_after(2)).run()
    saved = json.loads((tmp_path / "resumed" / "last" / "state.json").read_text())
    assert saved["counters"]["epochs_done"] == 2
    resumed_epochs = []
    resumed = RunTrainer(config, 0, corpus, tmp_path / "resumed",
                         on_epoch_end=lambda epoch, record: resumed_epochs.append(epoch)).run()

    assert resumed_epochs == [3]  # epochs 1-2 were not trained again
    assert resumed.history == straight.history
    assert resumed.test_metrics == straight.test_metrics
    assert resumed.best_epoch == straight.best_epoch
    assert not (tmp_path / "resumed" / "last").exists()
    assert (tmp_path / "resumed" / "best" / "model.safetensors").exists()


def test_experiment_skips_finished_runs_and_tables_every_model(tmp_path, tiny_bert_dir, corpus):
    config = tiny_config(tiny_bert_dir, tmp_path / "exp", model="text-only")
    config.train.epochs = 1
    config.train.seeds = [0, 1]
    messages = []
    first = Experiment(config, log=messages.append).run(corpus)
    again = Experiment(config, log=messages.append).run(corpus)
    assert [r["seed"] for r in first] == [0, 1]
    assert again == first
    assert sum("skipped" in m for m in messages) == 2
    lines = (tmp_path / "exp" / "results.jsonl").read_text().splitlines()
    assert len(lines) == 2
