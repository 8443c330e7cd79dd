"""Tiny random models to serve: a text-only checkpoint in a run store (with a test record), a
msg-mba checkpoint on text and the default acoustic features (for clips), a bundle, and a clip
spoken by espeak-ng."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed: pip install -e '.[serve]'")

from serve_helpers import SPOKEN, checkpoint_in_store, write_random_checkpoint  # noqa: E402


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


def exported(tmp_path_factory, checkpoint: Path, name: str) -> Path:
    """``checkpoint`` as an ONNX Runtime bundle in a fresh folder (skips without the deploy extra)."""
    pytest.importorskip("onnxruntime", reason="the deploy extra is not installed: pip install -e '.[deploy]'")
    from shiftmsa import api

    folder = tmp_path_factory.mktemp("bundle") / name
    api.export(checkpoint, folder, log=lambda _line: None)
    return folder


@pytest.fixture(scope="session")
def clip_bundle(tmp_path_factory, clip_checkpoint) -> Path:
    return exported(tmp_path_factory, clip_checkpoint, "msg-mba")


@pytest.fixture(scope="session")
def spoken_clip(tmp_path_factory) -> Path:
    """``SPOKEN`` said by espeak-ng (skips without it or the features extra)."""
    for module in ("av", "librosa", "pocketsphinx"):
        pytest.importorskip(module, reason=f"the features extra is not installed ({module}): "
                                           f"pip install -e '.[features]'")
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (Debian: apt-get install -y espeak-ng)")
    path = tmp_path_factory.mktemp("speech") / "wonderful.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(path), SPOKEN], check=True, capture_output=True)
    return path


@pytest.fixture(scope="session")
def scorer_of():
    """``scorer_of(path)`` -> the served model of ``path``, loaded once per session."""
    from shiftmsa.serve.scorers import load_scorer

    loaded = {}

    def load(path: Path):
        if path not in loaded:
            loaded[path] = load_scorer(path)
        return loaded[path]

    return load


@pytest.fixture
def client_of(scorer_of):
    """``client_of(path, **settings)`` -> a TestClient of the service around ``path``'s model."""
    from fastapi.testclient import TestClient

    from shiftmsa.serve.app import create_app
    from shiftmsa.serve.settings import ServeSettings

    clients = []

    def make(path: Path, **settings):
        client = TestClient(create_app(scorer_of(path), ServeSettings(**settings)))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def text_bundle(tmp_path_factory, text_checkpoint) -> Path:
    """The text-only checkpoint (in its run store) as an ONNX Runtime bundle."""
    return exported(tmp_path_factory, text_checkpoint, "text-only")
