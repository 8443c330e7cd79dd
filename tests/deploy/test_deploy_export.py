"""``shiftmsa export``: every registered model exports, matching PyTorch, or is refused saying why."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shiftmsa import api
from shiftmsa.cli import main
from shiftmsa.deploy.bundle import MANIFEST, MODEL_FILE, STANDARDIZATION_FILE, TOKENIZER_FILE
from shiftmsa.deploy.export import FP32_TOLERANCE, REFUSED
from shiftmsa.deploy.runtime import DeployedModel
from shiftmsa.models.registry import available_models

from checkpoints import example_inputs as utterances

def torch_scores(checkpoint, chosen):
    prepared, _ = api.load_checkpoint(checkpoint)
    return np.array(api.predict(prepared, chosen))


@pytest.mark.parametrize("model", [spec.name for spec in available_models()])
def test_every_registered_model_exports_and_matches_pytorch_or_is_refused(model, checkpoint_of, bundle_of,
                                                                           tmp_path, capsys, one_thread):
    if model in REFUSED:
        checkpoint = checkpoint_of(model)
        capsys.readouterr()
        assert main(["export", str(checkpoint), "-o", str(tmp_path / "b")]) == 2
        error = capsys.readouterr().err.strip()
        assert "\n" not in error and REFUSED[model] in error
        assert not (tmp_path / "b").exists()
        return
    bundle = bundle_of(model)
    assert {MODEL_FILE, TOKENIZER_FILE, MANIFEST} <= {p.name for p in bundle.iterdir()}
    manifest = json.loads((bundle / MANIFEST).read_text())
    assert max(manifest["check"]["fp32_max_abs_difference"].values()) < FP32_TOLERANCE
    chosen = utterances()
    ours = np.array(DeployedModel(bundle).predict(chosen, batch_size=3))  # two batches, padded otherwise
    assert np.max(np.abs(ours - torch_scores(checkpoint_of(model), chosen))) < FP32_TOLERANCE


def test_standardisation_statistics_travel_and_apply(checkpoint_of, bundle_of, one_thread):
    bundle = bundle_of("msg-mba", standardize=True)
    statistics = json.loads((bundle / STANDARDIZATION_FILE).read_text())
    assert set(statistics) == {"acoustic", "visual"}
    chosen = utterances()
    ours = np.array(DeployedModel(bundle).predict(chosen))
    assert np.max(np.abs(ours - torch_scores(checkpoint_of("msg-mba", True), chosen))) < FP32_TOLERANCE


@pytest.mark.parametrize("quantize", ["int8", "fp16"])
def test_quantized_bundles_are_smaller_and_close(quantize, checkpoint_of, bundle_of, one_thread):
    full, small = bundle_of("msg-mba"), bundle_of("msg-mba", quantize)
    assert (small / MODEL_FILE).stat().st_size < 0.7 * (full / MODEL_FILE).stat().st_size
    assert json.loads((small / MANIFEST).read_text())["quantize"] == quantize
    chosen = utterances()
    ours = np.array(DeployedModel(small).predict(chosen))
    assert np.max(np.abs(ours - torch_scores(checkpoint_of("msg-mba"), chosen))) < 0.1


def test_export_models_lists_every_model_once(capsys):
    assert main(["export", "--models"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [spec.name for spec in available_models()]
    assert all(line.endswith(": exports") or ": refused: " in line for line in lines)
