"""The fit loop with models that own their objective: Self-MM's label memory survives an
interrupted run, and the validation objective that picks the epoch is each model's own."""

from __future__ import annotations

import numpy as np
import pytest
from safetensors.torch import load_file

from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.training.loop import RunTrainer, predict_utterances
from shiftmsa.training.modelling import load_bundle


class Killed(Exception):
    pass


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(36, seed=5, acoustic_dim=4, visual_dim=3)  # 24 / 6 / 6


def tiny_config(model, encoder, output, params=()):
    return load_config(None, [f"model.name={model}", f"model.params.encoder={encoder}", *params, "train.epochs=3",
                              "train.batch_size=8", "train.head_learning_rate=1e-3", "train.seeds=[0]",
                              f"output_dir={output}", "data.max_length=16", "train.accelerator=cpu"])


def test_self_mm_label_memory_is_checkpointed_and_a_resumed_run_ends_identically(tmp_path, tiny_bert_dir, corpus):
    config = tiny_config("self-mm", tiny_bert_dir, tmp_path)
    straight = RunTrainer(config, 0, corpus, tmp_path / "straight").run()

    def kill_after_two(epoch, record):
        if epoch == 2:
            raise Killed()

    with pytest.raises(Killed):
        RunTrainer(config, 0, corpus, tmp_path / "resumed", on_epoch_end=kill_after_two).run()
    saved = load_file(str(tmp_path / "resumed" / "last" / "model.safetensors"))
    labels = saved["label_memory.labels"]
    human = np.array([u.label for u in corpus.splits["train"]], dtype=np.float32)
    assert labels.shape == (4, 24)
    np.testing.assert_allclose(labels[0].numpy(), human)  # row i is the i-th training utterance
    assert not np.allclose(labels[1:].numpy(), human)  # epoch 2 generated unimodal labels
    resumed = RunTrainer(config, 0, corpus, tmp_path / "resumed").run()

    assert resumed.history == straight.history  # epoch 3's loss weighs by the restored labels
    assert resumed.test_metrics == straight.test_metrics
    best = [load_file(str(tmp_path / run / "best" / "model.safetensors")) for run in ("straight", "resumed")]
    assert all(np.array_equal(best[0][key].numpy(), best[1][key].numpy()) for key in best[0])


@pytest.mark.parametrize("model, params, metric", [
    ("misa", ["model.params.fusion_feedforward=32", "model.params.hidden_size=16"], "mse"),
    ("self-mm", [], "mae"),
])
def test_best_epoch_is_chosen_on_the_model_own_validation_objective(model, params, metric, tmp_path, tiny_bert_dir,
                                                                    corpus):
    config = tiny_config(model, tiny_bert_dir, tmp_path, params)
    config.train.epochs = 2
    outcome = RunTrainer(config, 0, corpus, tmp_path / model).run()
    prepared, metadata = load_bundle(tmp_path / model / "best")
    assert metadata["model"]["config"].get("train_samples", 24) == 24
    valid = predict_utterances(prepared, corpus.splits["valid"], 8, "cpu")
    errors = np.array(valid.predictions) - np.array(valid.labels)
    expected = float(np.mean(errors ** 2)) if metric == "mse" else float(np.mean(np.abs(errors)))
    assert valid.objective == pytest.approx(expected, rel=1e-5)
    assert outcome.best_valid_objective == pytest.approx(expected, rel=1e-5)
    assert min(r["valid_objective"] for r in outcome.history) == outcome.best_valid_objective
