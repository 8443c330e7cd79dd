"""The experiment store never mixes configurations, and refuses what cannot run before training."""

import dataclasses
import threading
import time

import pytest

from shiftmsa.config import ModelConfig, load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.data.contract import Corpus
from shiftmsa.experiments import runner
from shiftmsa.experiments.experiment import Experiment
from shiftmsa.store.records import ResultStore
from shiftmsa.training.checkpoint import MODEL_WEIGHTS, file_sha256
from shiftmsa.training.modelling import resolve_model_config


class Killed(Exception):
    pass


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(60, seed=3)


def tiny_config(encoder, output, *overrides, model="text-only"):
    return load_config(None, [f"model.name={model}", f"model.params.encoder={encoder}", "train.epochs=1",
                              "train.batch_size=16", "train.head_learning_rate=1e-3", "train.seeds=[0]",
                              f"output_dir={output}", "data.max_length=20", "train.accelerator=cpu",
                              *overrides])


def test_a_changed_setting_trains_a_new_run_in_its_own_folder(tmp_path, tiny_bert_dir, corpus):
    messages = []
    first = Experiment(tiny_config(tiny_bert_dir, tmp_path), log=messages.append).run(corpus)[0]
    weights = tmp_path / "text-only" / "seed-0" / "best" / MODEL_WEIGHTS
    checksum = file_sha256(weights)
    changed = Experiment(tiny_config(tiny_bert_dir, tmp_path, "train.head_learning_rate=1e-2"),
                         log=messages.append).run(corpus)[0]
    assert changed["fingerprint"] != first["fingerprint"]
    assert changed["run_dir"] != first["run_dir"] and changed["test"] != first["test"]
    assert file_sha256(weights) == checksum  # the first run's best/ is neither reused nor overwritten
    assert any("train.head_learning_rate: 0.001 -> 0.01" in m for m in messages)
    assert [r["fingerprint"] for r in ResultStore(tmp_path).records()] == [first["fingerprint"], changed["fingerprint"]]


def test_a_killed_run_rerun_with_fewer_epochs_does_not_resume_the_other_schedule(tmp_path, tiny_bert_dir, corpus):
    def kill_at_second_epoch(message):
        if "epoch 2/3 train" in message:
            raise Killed()

    with pytest.raises(Killed):
        Experiment(tiny_config(tiny_bert_dir, tmp_path, "train.epochs=3"), log=kill_at_second_epoch).run(corpus)
    messages = []
    rerun = Experiment(tiny_config(tiny_bert_dir, tmp_path, "train.epochs=2"), log=messages.append).run(corpus)[0]
    assert any("epoch 1/2 train" in m for m in messages)  # trained from the start, on its own schedule
    assert not any("resumes" in m for m in messages)
    assert rerun["run_dir"].endswith(f"seed-0-{rerun['fingerprint']}")
    assert (tmp_path / "text-only" / "seed-0" / "last").is_dir()  # the 3-epoch run can still resume


def test_every_model_is_checked_before_anything_trains(tmp_path, tiny_bert_dir, corpus, monkeypatch):
    monkeypatch.setattr(runner, "train_run", lambda *args: pytest.fail("trained before checking"))
    config = tiny_config(tiny_bert_dir, tmp_path)
    with pytest.raises(ValueError, match="unknown model 'msg-mbaa'"):
        Experiment(config, [ModelConfig("text-only"), ModelConfig("msg-mbaa")]).run(corpus)
    with pytest.raises(ValueError, match="msg-mba:table3.nope: unknown preset 'table3.nope'"):
        Experiment(config, [ModelConfig("text-only"), ModelConfig("msg-mba", "table3.nope")]).run(corpus)
    with pytest.raises(ValueError, match="encoder xlnet-base-cased is not available offline"):
        Experiment(config, [ModelConfig("text-only"), ModelConfig("mag", None, {"encoder": "xlnet-base-cased"})]
                   ).run(corpus)
    assert not (tmp_path / "config.yaml").exists()


def test_a_preset_whose_streams_the_corpus_lacks_is_refused(tmp_path, tiny_bert_dir, corpus):
    no_acoustic = Corpus("no-acoustic", "test", {split: [dataclasses.replace(u, acoustic=None) for u in utterances]
                                                 for split, utterances in corpus.splits.items()},
                         acoustic_dim=None, visual_dim=corpus.visual_dim, word_aligned=True)
    config = tiny_config(tiny_bert_dir, tmp_path, "model.name=msg-mba", "model.preset=table3.msg_t_a")
    with pytest.raises(ValueError, match="corpus no-acoustic has no acoustic stream"):
        Experiment(config).run(no_acoustic)
    # a preset that switches on nothing of the missing stream runs on the streams there are
    for preset in ("table6.blstm", "table3.mba", "fig5.layer1", "table3.no_modules"):
        config = tiny_config(tiny_bert_dir, tmp_path, "model.name=msg-mba", f"model.preset={preset}")
        assert resolve_model_config(config, no_acoustic).modalities == ("text", "visual")


def test_config_yaml_records_what_ran_and_survives_a_failed_command(tmp_path, tiny_bert_dir, corpus):
    Experiment(tiny_config(tiny_bert_dir, tmp_path)).run(corpus)
    recorded = (tmp_path / "config.yaml").read_text()
    assert "name: text-only" in recorded
    with pytest.raises(ValueError):
        Experiment(tiny_config(tiny_bert_dir, tmp_path, "train.epochs=2", "model.name=text-onyl")).run(corpus)
    assert (tmp_path / "config.yaml").read_text() == recorded
    run_config = load_config(tmp_path / "text-only" / "seed-0" / "config.yaml")
    assert run_config.model.name == "text-only" and run_config.train.seeds == [0]


def test_two_writers_on_one_folder_train_each_run_once(tmp_path, tiny_bert_dir, corpus, monkeypatch):
    trained = []

    def slow_train(run, corpus, log, on_epoch_end=None, stop_at=None):
        trained.append(run.seed)
        time.sleep(0.5)
        return ResultStore(run.folder).append({"model": run.label, "seed": run.seed, "fingerprint": run.digest,
                                               "run_dir": "x", "wall_seconds": 0.5, "best_epoch": 1,
                                               "best_valid_objective": 1.0, "test": {}})

    monkeypatch.setattr(runner, "train_run", slow_train)
    config = tiny_config(tiny_bert_dir, tmp_path, "train.seeds=[0,1]")
    writers = [threading.Thread(target=Experiment(config, log=lambda m: None).run, args=(corpus,)) for _ in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert sorted(trained) == [0, 1]
    assert sorted(r["seed"] for r in ResultStore(tmp_path).records()) == [0, 1]
