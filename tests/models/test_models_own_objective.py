"""misa and self-mm, the models that own their objective: shapes, gradients, overfitting a tiny
batch, determinism and a checkpoint round trip, through the contract the trainer uses."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
import torch

from shiftmsa.models import build_model, make_config
from shiftmsa.models.output import TrainingStep
from shiftmsa.training.checkpoint import load_weights, save_weights

LABELS = torch.tensor([1.5, -2.0, 0.5])
ROWS = torch.arange(3)
MODELS = ("misa", "self-mm")
NO_DROPOUT = {"misa": {"dropout": 0.0, "fusion_dropout": 0.0},
              "self-mm": {"post_text_dropout": 0.0, "post_acoustic_dropout": 0.0}}


def small_config(name: str, encoder: str, feature_dims: dict, **overrides):
    params = {"encoder": encoder, **({"train_samples": 3} if name == "self-mm" else {"fusion_feedforward": 64}),
              **overrides}
    return make_config(name, overrides=params, **feature_dims)


def built(name: str, encoder: str, feature_dims: dict, seed: int = 0, **overrides):
    torch.manual_seed(seed)
    return build_model(name, small_config(name, encoder, feature_dims, **overrides))


def train_steps(model, batch: dict, epochs: range, learning_rate: float = 1e-3) -> list[float]:
    """One step per epoch on the whole batch (rows 0..2), through ``model.objective``."""
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    model.train()
    losses = []
    for epoch in epochs:
        loss = model.objective(model(**batch), LABELS, TrainingStep(ROWS, epoch))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("family", ["bert", "xlnet"])
def test_shapes_on_both_padding_sides(name, family, tiny_encoders, feature_dims, batches):
    model = built(name, tiny_encoders[family], feature_dims).eval()
    with torch.no_grad():
        output = model(**batches[family])
        evaluation = model.objective(output, LABELS, None)
    assert output.prediction.shape == (3,) and output.auxiliary_loss.shape == ()
    assert evaluation.shape == () and torch.isfinite(evaluation)


@pytest.mark.parametrize("name", MODELS)
def test_gradients_reach_every_parameter(name, tiny_encoders, feature_dims, batches):
    model = built(name, tiny_encoders["bert"], feature_dims)
    # self-mm: a unimodal label first differs from y_m at an utterance's 2nd visit and weighs at its 3rd
    train_steps(model, batches["bert"], range(1, 3))
    model.zero_grad()
    model.objective(model(**batches["bert"]), LABELS, TrainingStep(ROWS, 3)).backward()
    silent = [n for n, p in model.named_parameters()
              if p.requires_grad and (p.grad is None or not bool(p.grad.abs().sum() > 0))]
    assert silent == []


@pytest.mark.parametrize("name", MODELS)
def test_overfits_a_tiny_batch(name, tiny_encoders, feature_dims, batches):
    model = built(name, tiny_encoders["bert"], feature_dims, seed=1, **NO_DROPOUT[name])
    batch = batches["bert"]
    with torch.no_grad():
        before = (model.eval()(**batch).prediction - LABELS).abs().mean().item()
    train_steps(model, batch, range(1, 41), learning_rate=2e-3)
    with torch.no_grad():
        after = (model.eval()(**batch).prediction - LABELS).abs().mean().item()
    assert after < 0.3 < before


@pytest.mark.parametrize("name", MODELS)
def test_same_seed_same_numbers(name, tiny_encoders, feature_dims, batches):
    runs = []
    for _ in range(2):
        model = built(name, tiny_encoders["bert"], feature_dims, seed=3)
        torch.manual_seed(4)  # dropout
        losses = train_steps(model, batches["bert"], range(1, 4))
        runs.append((losses, model.state_dict()))
    assert runs[0][0] == runs[1][0]
    assert runs[0][1].keys() == runs[1][1].keys()
    assert all(torch.equal(runs[0][1][key], runs[1][1][key]) for key in runs[0][1])


@pytest.mark.parametrize("name", MODELS)
def test_checkpoint_round_trip_keeps_predictions_and_state(name, tiny_encoders, feature_dims, batches, tmp_path):
    model = built(name, tiny_encoders["bert"], feature_dims)
    train_steps(model, batches["bert"], range(1, 4))
    save_weights(model, tmp_path / "model.safetensors")
    config = type(model.config)(**json.loads(json.dumps(asdict(model.config))))
    restored = build_model(name, config, load_pretrained=False)
    load_weights(restored, tmp_path / "model.safetensors")
    with torch.no_grad():
        torch.testing.assert_close(restored.eval()(**batches["bert"]).prediction,
                                   model.eval()(**batches["bert"]).prediction, rtol=0, atol=0)
    for key, value in model.state_dict().items():
        assert torch.equal(restored.state_dict()[key], value), key
