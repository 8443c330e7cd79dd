"""Tiny random models to serve: a text-only checkpoint in a run store (with a test record), a
msg-mba checkpoint on text and the default acoustic features (for clips), a bundle, and a clip
spoken by espeak-ng."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy"))  # the random checkpoints of tests/deploy

from checkpoints import write_random_checkpoint  # noqa: E402

pytest.importorskip("fastapi", reason="the serve extra is not installed: pip install -e '.[serve]'")

SPOKEN = "what a wonderful film"
TEST_METRICS = {"acc2_non0": 0.75, "f1_non0": 0.74, "acc7": 0.3, "mae": 1.1, "corr": 0.5}


def checkpoint_in_store(experiment: Path, model: str, encoder: Path, **options) -> Path:
    """A random checkpoint at ``<experiment>/<model>/seed-0/best`` with its run folder's identity and
    a store record, as a finished run leaves them."""
    from shiftmsa.config import config_from_dict
    from shiftmsa.store.fingerprint import fingerprint_digest, fingerprint_text
    from shiftmsa.store.records import ResultStore
    from shiftmsa.store.run_folders import claim_run_folder
    from shiftmsa.training.checkpoint import read_bundle_metadata

    staging = write_random_checkpoint(experiment / "staging" / "best", model, encoder, **options)
    config = config_from_dict(read_bundle_metadata(staging)["training"]["run_config"])
    digest = fingerprint_digest(config)
    run = claim_run_folder(experiment / config.model.label, 0, fingerprint_text(config), digest)
    shutil.move(staging, run.path / "best")
    ResultStore(experiment).append({"model": config.model.label, "seed": 0, "fingerprint": digest,
                                    "test": TEST_METRICS, "valid": {}})
    return run.path / "best"


@pytest.fixture(scope="session")
def text_checkpoint(tmp_path_factory, tiny_bert_dir) -> Path:
    """text-only, in a store that holds its test metrics."""
    return checkpoint_in_store(tmp_path_factory.mktemp("experiment"), "text-only", tiny_bert_dir)


@pytest.fixture(scope="session")
def clip_checkpoint(tmp_path_factory, tiny_bert_dir) -> Path:
    """msg-mba on text and the default acoustic features (librosa's, as ``shiftmsa extract`` writes
    them): MSG-T and MSG-A, MBA."""
    pytest.importorskip("librosa", reason="the features extra is not installed: pip install -e '.[features]'")
    from shiftmsa.features.acoustic import LibrosaAcoustic
    from shiftmsa.features.pipeline import feature_identity

    described = LibrosaAcoustic().describe()
    folder = write_random_checkpoint(tmp_path_factory.mktemp("msg-mba") / "best", "msg-mba", tiny_bert_dir,
                                     acoustic_dim=len(described["feature_names"]),
                                     overrides=("model.params.modalities=[text,acoustic]",))
    metadata_path = folder / "shiftmsa.json"  # as if trained on features of the default extractor
    metadata = json.loads(metadata_path.read_text())
    metadata["data"]["feature_names"] = feature_identity({"acoustic": described})
    metadata_path.write_text(json.dumps(metadata))
    return folder


@pytest.fixture(scope="session")
def clip_bundle(tmp_path_factory, clip_checkpoint) -> Path:
    pytest.importorskip("onnxruntime", reason="the deploy extra is not installed: pip install -e '.[deploy]'")
    from shiftmsa import api

    folder = tmp_path_factory.mktemp("bundle") / "msg-mba"
    api.export(clip_checkpoint, folder, log=lambda _line: None)
    return folder


@pytest.fixture(scope="session")
def spoken_clip(tmp_path_factory) -> Path:
    """``SPOKEN`` said by espeak-ng (skips without it or the features extra)."""
    for module in ("av", "librosa", "pocketsphinx"):
        pytest.importorskip(module, reason=f"the features extra is not installed ({module}): pip install -e '.[features]'")
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (Debian: apt-get install -y espeak-ng)")
    path = tmp_path_factory.mktemp("speech") / "wonderful.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(path), SPOKEN], check=True, capture_output=True)
    return path
