"""TFN, LMF, MFN and MulT (Table I's fusion baselines in the BERT setting): every modality subset,
gradients, fitting, determinism, and a trained run that round-trips through its checkpoint."""

from __future__ import annotations

import pytest
import torch

from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.models import build_model, make_config
from shiftmsa.training.loop import RunTrainer, predict_utterances
from shiftmsa.training.modelling import load_bundle

pytestmark = pytest.mark.usefixtures("one_thread")

BASELINES = ("tfn", "lmf", "mfn", "mult")
SUBSETS = (("text", "acoustic"), ("text", "visual"), ("text", "acoustic", "visual"))
SMALL = {  # narrow widths keep the tests fast; the defaults are the published ones
    "tfn": {"text_hidden": 8, "acoustic_hidden": 8, "visual_hidden": 8, "text_out": 4, "post_fusion_dim": 8},
    "lmf": {"text_hidden": 8, "acoustic_hidden": 8, "visual_hidden": 8, "text_out": 4},
    "mfn": {"text_hidden": 8, "acoustic_hidden": 4, "visual_hidden": 4, "memory_dim": 6, "attention_hidden": 4,
            "update_hidden": 4, "retain_hidden": 4, "update_gate_hidden": 4, "output_hidden": 4},
    "mult": {"dim": 8, "heads": 2, "layers": 1},
}


def tiny(name, encoder, feature_dims, seed=0, **overrides):
    torch.manual_seed(seed)
    config = make_config(name, overrides={"encoder": encoder, **SMALL[name], **overrides}, **feature_dims)
    return build_model(name, config)


@pytest.mark.parametrize("name", BASELINES)
@pytest.mark.parametrize("modalities", SUBSETS, ids="+".join)
@pytest.mark.parametrize("family", ["bert", "xlnet"])
def test_every_modality_subset_predicts_one_score_per_utterance(name, modalities, family, tiny_encoders,
                                                                feature_dims, batches):
    model = tiny(name, tiny_encoders[family], feature_dims, modalities=modalities).eval()
    batch = batches[family]
    output = model(**batch)
    assert output.prediction.shape == (3,) and torch.isfinite(output.prediction).all()
    assert output.auxiliary_loss.item() == 0.0
    unused = [m for m in ("acoustic", "visual") if m not in modalities]
    assert not [n for n, _ in model.named_parameters() for m in unused if m in n]
    with torch.no_grad():
        torch.testing.assert_close(model(**{**batch, **{m: None for m in unused}}).prediction, output.prediction)


@pytest.mark.parametrize("name", BASELINES)
def test_missing_streams_and_text_only_configs_are_refused(name, tiny_encoders, feature_dims, batches):
    with pytest.raises(ValueError, match="text and at least one"):
        make_config(name, overrides={"modalities": ("text",)})
    with pytest.raises(ValueError, match="uses the visual modality but visual_dim is not set"):
        make_config(name, acoustic_dim=5)
    model = tiny(name, tiny_encoders["bert"], feature_dims)
    with pytest.raises(ValueError, match="uses the acoustic modality but got acoustic=None"):
        model(**{**batches["bert"], "acoustic": None})


@pytest.mark.parametrize("name", BASELINES)
def test_every_parameter_gets_a_gradient(name, tiny_encoders, feature_dims, batches):
    model = tiny(name, tiny_encoders["bert"], feature_dims).train()
    model(**batches["bert"]).prediction.sum().backward()
    # the encoder's pooler is dropped; everything else, encoder included, must learn
    missing = [n for n, p in model.named_parameters() if p.grad is None or not torch.any(p.grad != 0)]
    assert missing == []


@pytest.mark.parametrize("name", BASELINES)
def test_fits_a_tiny_batch(name, tiny_encoders, feature_dims, batches):
    model = tiny(name, tiny_encoders["bert"], feature_dims, **{"post_fusion_dropout": 0.0} if name == "tfn" else {})
    model.eval()  # no dropout, fixed BatchNorm statistics: the fit measures the optimiser alone
    model.backbone.requires_grad_(False)  # the fusion part alone must fit (and Adam skips 1M embeddings)
    labels = torch.tensor([2.0, -1.5, 0.5])
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    first = None
    for _ in range(100):
        loss = torch.nn.functional.mse_loss(model(**batches["bert"]).prediction, labels)
        first = first if first is not None else loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05 * first


@pytest.mark.parametrize("name", BASELINES)
def test_same_seed_same_numbers(name, tiny_encoders, feature_dims, batches):
    predictions = []
    for seed in (1, 1, 2):
        model = tiny(name, tiny_encoders["bert"], feature_dims, seed=seed).train()
        torch.manual_seed(seed)
        predictions.append(model(**batches["bert"]).prediction)
    torch.testing.assert_close(predictions[0], predictions[1], rtol=0, atol=0)
    assert not torch.allclose(predictions[0], predictions[2])


@pytest.fixture(scope="module")
def synthetic():
    return generate_synthetic(60, seed=5)


@pytest.mark.parametrize("name", BASELINES)
def test_one_epoch_on_synthetic_data_and_the_checkpoint_round_trip(name, tmp_path, tiny_bert_dir, synthetic):
    params = [f"model.params.{key}={value}" for key, value in SMALL[name].items()]
    config = load_config(None, [f"model.name={name}", f"model.params.encoder={tiny_bert_dir}", *params,
                                "train.epochs=1", "train.batch_size=16", "train.head_learning_rate=1e-3",
                                "train.seeds=[0]", f"output_dir={tmp_path}", "data.max_length=24",
                                "train.accelerator=cpu", "train.keep_checkpoint=true"])
    outcome = RunTrainer(config, 0, synthetic, tmp_path / "run").run()
    assert outcome.best_epoch == 1 and set(outcome.test_metrics) >= {"mae", "acc2_non0"}
    prepared, metadata = load_bundle(tmp_path / "run" / "best")
    assert metadata["model"]["name"] == name
    assert metadata["model"]["config"]["modalities"] == ["text", "acoustic", "visual"]
    reloaded = predict_utterances(prepared, synthetic.splits["valid"], 32, torch.device("cpu"))
    assert reloaded.metrics() == pytest.approx(outcome.valid_metrics, abs=1e-6)
