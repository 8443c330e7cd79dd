"""self-mm: the fused and unimodal heads, the label memory through the objective, its checks."""

from __future__ import annotations

import pytest
import torch

from shiftmsa.models import build_model, make_config
from shiftmsa.models.output import TrainingStep


@pytest.fixture(scope="module")
def model(tiny_encoders, feature_dims):
    torch.manual_seed(0)
    config = make_config("self-mm", overrides={"encoder": tiny_encoders["bert"], "train_samples": 5}, **feature_dims)
    return build_model("self-mm", config).eval()


def test_unimodal_heads_read_their_modality_only_and_the_fused_one_reads_all(model, batches):
    batch = batches["bert"]
    with torch.no_grad():
        base = model(**batch).extras
        louder = model(**{**batch, "acoustic": batch["acoustic"] * 3}).extras
    torch.testing.assert_close(louder["prediction/text"], base["prediction/text"])
    torch.testing.assert_close(louder["prediction/visual"], base["prediction/visual"])
    assert not torch.allclose(louder["prediction/acoustic"], base["prediction/acoustic"])
    assert not torch.allclose(louder["prediction/fusion"], base["prediction/fusion"])
    assert {k: tuple(v.shape) for k, v in base.items() if k.startswith("feature/")} == {
        "feature/fusion": (3, 128), "feature/text": (3, 32), "feature/acoustic": (3, 16), "feature/visual": (3, 32)}


def test_training_objective_fills_the_memory_and_evaluation_is_the_fused_l1(model, batches):
    labels = torch.tensor([1.0, -2.0, 0.5])
    rows = torch.tensor([4, 0, 2])
    with torch.no_grad():
        output = model(**batches["bert"])
        evaluation = model.objective(output, labels, None)
        torch.testing.assert_close(evaluation, (output.prediction - labels).abs().mean())
        assert torch.isnan(model.label_memory.labels).all()  # evaluation never touches the memory
        training = model.objective(output, labels, TrainingStep(rows, 1))
    # epoch 1: every unimodal label equals y_m, so only the fused head's L1 counts
    torch.testing.assert_close(training, evaluation)
    memory = model.label_memory
    assert torch.equal(memory.labels[:, rows], labels.expand(4, 3))
    assert torch.isnan(memory.labels[:, [1, 3]]).all()
    torch.testing.assert_close(memory.features_acoustic[rows], output.extras["feature/acoustic"])


def test_training_needs_the_memory_and_predicting_does_not(tiny_encoders, feature_dims, batches):
    config = make_config("self-mm", overrides={"encoder": tiny_encoders["bert"]}, **feature_dims)
    model = build_model("self-mm", config).eval()
    assert model.label_memory is None and not [n for n, _ in model.named_buffers() if "memory" in n]
    with torch.no_grad():
        output = model(**batches["bert"])
    with pytest.raises(ValueError, match="self-mm needs train_samples"):
        model.objective(output, torch.zeros(3), TrainingStep(torch.arange(3), 1))
    with pytest.raises(ValueError, match="text and at least one"):
        make_config("self-mm", overrides={"modalities": ("text",)})
