"""Every preset of every registered model builds, runs forward and backward on a tiny encoder,
and every trainable parameter receives a gradient."""

from __future__ import annotations

import pytest
import torch

from shiftmsa.models import SentimentModel, available_models, build_model, make_config
from shiftmsa.models.msg_mba_presets import XLNET_ENCODER
from shiftmsa.models.output import TrainingStep
from shiftmsa.modules.msg import MultimodalShiftingGate

TINY_DEPTH = 3
LABELS = torch.tensor([1.5, -2.0, 0.5])


def runnable_presets():
    """(model, preset) pairs; fig5 layers deeper than the tiny encoders are tested for refusal."""
    for spec in available_models():
        for preset in [None, *spec.presets]:
            if preset and preset.startswith("fig5.layer") and int(preset.removeprefix("fig5.layer")) > TINY_DEPTH:
                continue
            yield spec.name, preset


def build_tiny(name: str, preset: str | None, tiny_encoders: dict[str, str], feature_dims: dict[str, int]):
    spec = {s.name: s for s in available_models()}[name]
    encoder = spec.presets.get(preset, {}).get("encoder", "minilm") if preset else "minilm"
    family = "xlnet" if encoder == XLNET_ENCODER else "bert"
    params = {"encoder": tiny_encoders[family]}
    if spec.model_class.keeps_utterance_memory:
        params["train_samples"] = 3  # what the trainer sets: one memory row per training utterance
    config = make_config(name, preset, params, **feature_dims)
    torch.manual_seed(0)
    return build_model(name, config), family


@pytest.mark.parametrize(("name", "preset"), list(runnable_presets()))
def test_preset_trains_one_step_and_every_parameter_gets_a_gradient(name, preset, tiny_encoders, batches,
                                                                        feature_dims):
    model, family = build_tiny(name, preset, tiny_encoders, feature_dims)
    unclip_every_eta(model)
    # through the trainer's objective; a model that owns it runs 3 epochs, as Self-MM's generated
    # labels first weigh in its loss at an utterance's third visit
    owns_objective = type(model).objective is not SentimentModel.objective
    for epoch in range(1, 4 if owns_objective else 2):
        model.zero_grad()
        output = model(**batches[family])
        assert output.prediction.shape == (3,)
        assert torch.isfinite(output.prediction).all()
        model.objective(output, LABELS, TrainingStep(torch.arange(3), epoch)).backward()
    missing = [n for n, p in model.named_parameters() if p.requires_grad and (p.grad is None or not p.grad.any())]
    assert not missing


def unclip_every_eta(model: torch.nn.Module) -> None:
    """mu of Eq. 7 gets no gradient where eta = min(., 1) is clipped, the usual state at
    initialisation (h_s is small); a small mu keeps every eta below 1, so mu must learn too."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, MultimodalShiftingGate) and isinstance(module.threshold, torch.nn.Parameter):
                module.threshold.fill_(1e-3)


def test_fig5_layer_deeper_than_the_encoder_is_refused(tiny_encoders, feature_dims):
    config = make_config("msg-mba", "fig5.layer4", {"encoder": tiny_encoders["bert"]}, **feature_dims)
    with pytest.raises(ValueError, match="split layer 4 is outside 0..3"):
        build_model("msg-mba", config)


def test_same_seed_same_outputs(tiny_encoders, batches, feature_dims):
    first, _ = build_tiny("msg-mba", None, tiny_encoders, feature_dims)
    second, _ = build_tiny("msg-mba", None, tiny_encoders, feature_dims)
    torch.manual_seed(3)
    a = first(**batches["bert"])
    torch.manual_seed(3)
    b = second(**batches["bert"])
    torch.testing.assert_close(a.prediction, b.prediction, rtol=0, atol=0)
    torch.testing.assert_close(a.auxiliary_loss, b.auxiliary_loss, rtol=0, atol=0)
