"""misa: what the subspaces, the fusion and the two objectives do."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional

from shiftmsa.models import build_model, make_config
from shiftmsa.models.output import TrainingStep


@pytest.fixture(scope="module")
def model(tiny_encoders, feature_dims):
    torch.manual_seed(0)
    config = make_config("misa", overrides={"encoder": tiny_encoders["bert"], "fusion_feedforward": 64}, **feature_dims)
    return build_model("misa", config).eval()


def test_auxiliary_loss_is_the_weighted_subspace_losses_and_validation_drops_it(model, batches):
    labels = torch.tensor([1.0, -1.0, 0.0])
    with torch.no_grad():
        output = model(**batches["bert"])
    extras = output.extras
    expected = extras["loss/similarity"] + 0.3 * extras["loss/difference"] + extras["loss/reconstruction"]
    torch.testing.assert_close(output.auxiliary_loss, expected)
    assert all(extras[f"loss/{name}"].item() > 0 for name in ("similarity", "difference", "reconstruction"))
    mse = functional.mse_loss(output.prediction, labels)
    torch.testing.assert_close(model.objective(output, labels, None), mse)
    torch.testing.assert_close(model.objective(output, labels, TrainingStep(torch.arange(3), 1)),
                               mse + output.auxiliary_loss)
    shared = torch.stack([extras[f"shared/{m}"] for m in ("text", "acoustic", "visual")])
    assert shared.shape == (3, 3, 128) and bool(((shared > 0) & (shared < 1)).all())


def test_prediction_reads_every_modality_and_one_shared_encoder(model, batches):
    batch = batches["bert"]
    with torch.no_grad():
        base = model(**batch).prediction
        for modality in ("acoustic", "visual"):
            assert not torch.allclose(model(**{**batch, modality: batch[modality] * 2}).prediction, base)
    assert isinstance(model.shared, torch.nn.Sequential) and set(model.private) == {"text", "acoustic", "visual"}
    assert model.fusion[0].in_features == 6 * 128 and model.fusion[-1].in_features == 3 * 128


def test_text_and_one_stream_has_four_subspace_vectors_and_no_visual_parameters(tiny_encoders, feature_dims, batches):
    config = make_config("misa", overrides={"encoder": tiny_encoders["bert"], "modalities": ("text", "acoustic"),
                                            "hidden_size": 16, "difference_form": "frobenius"}, **feature_dims)
    model = build_model("misa", config).eval()
    assert not [n for n, _ in model.named_parameters() if "visual" in n]
    assert model.fusion[0].in_features == 4 * 16
    assert model.rnns["acoustic"].output_dim == 4 * feature_dims["acoustic_dim"]  # 2 layers x 2 directions x d_a
    with torch.no_grad():
        output = model(**{**batches["bert"], "visual": None})
    assert output.prediction.shape == (3,) and "shared/visual" not in output.extras


def test_config_is_checked():
    with pytest.raises(ValueError, match="text and at least one"):
        make_config("misa", overrides={"modalities": ("text",)})
    with pytest.raises(ValueError, match="rnn must be one of"):
        make_config("misa", overrides={"rnn": "blstm"}, acoustic_dim=2, visual_dim=2)
    with pytest.raises(ValueError, match="divisible by fusion_heads"):
        make_config("misa", overrides={"hidden_size": 9}, acoustic_dim=2, visual_dim=2)
    assert make_config("misa", "mmsa", acoustic_dim=2, visual_dim=2).similarity_weight == 0.3
