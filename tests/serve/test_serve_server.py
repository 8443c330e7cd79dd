"""``shiftmsa serve`` as a process: it listens, answers, and refuses a model it cannot load in one
line; a bundle is served without torch or transformers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

SOURCE = str(Path(__file__).resolve().parents[2] / "src")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment() -> dict:
    return {**os.environ, "PYTHONPATH": SOURCE + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_the_command_serves_a_bundle_until_stopped(clip_bundle, clip_checkpoint):
    import httpx
    import numpy as np

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "shiftmsa", "serve", str(clip_bundle), "--port", str(port),
                                "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=environment())
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                health = httpx.get(f"{url}/health", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read()
                time.sleep(0.1)
        assert health.status_code == 200 and health.json()["model"]["served"] == "bundle"
        width = json.loads((clip_checkpoint / "shiftmsa.json").read_text())["data"]["acoustic_dim"]
        utterance = {"id": "u", "text": "so good", "acoustic": np.ones((2, width)).tolist()}
        answer = httpx.post(f"{url}/predict", json=[utterance], timeout=30)
        assert answer.status_code == 200 and answer.json()[0]["id"] == "u"
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert f"serving msg-mba (bundle, {clip_bundle}) at http://127.0.0.1:{port}/" in output


def test_a_model_that_cannot_be_loaded_is_refused_in_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "shiftmsa", "serve", str(tmp_path)], capture_output=True, text=True,
                          env=environment(), timeout=120)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("shiftmsa serve: error:") and "shiftmsa.json is missing" in line


def test_serving_a_bundle_imports_neither_torch_nor_transformers(clip_bundle):
    script = ("import sys\n"
              "from fastapi.testclient import TestClient\n"
              "from shiftmsa.serve.app import create_app\n"
              "from shiftmsa.serve.scorers import load_scorer\n"
              f"client = TestClient(create_app(load_scorer({str(clip_bundle)!r})))\n"
              "assert client.get('/health').status_code == 200\n"
              "assert client.get('/').status_code == 200\n"
              "print(sorted(name for name in ('torch', 'transformers') if name in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment(),
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("option, value", [("--workers", "0"), ("--max-utterances", "0"), ("--queue", "-1")])
def test_impossible_settings_are_refused(option, value, tmp_path):
    from shiftmsa.cli import main

    assert main(["serve", str(tmp_path), option, value]) == 2
