"""``shiftmsa predict BUNDLE``: the checkpoint's inputs and output, without torch or transformers,
and one-line errors (exit 2) naming the file and the field on bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shiftmsa.cli import main
from shiftmsa.deploy.bundle import MANIFEST, MODEL_FILE

from checkpoints import example_inputs

SOURCE = Path(__file__).resolve().parents[2] / "src"


def write_input(path: Path, acoustic_dim: int = 5, visual_dim: int = 4) -> Path:
    rng = np.random.default_rng(0)
    rows = []
    for index, text in enumerate(["that was sick", "i loved it honestly", "boring"]):
        words = text.split()
        rows.append({"id": f"u{index}", "words": words,
                     "acoustic": rng.normal(size=(len(words), acoustic_dim)).round(4).tolist(),
                     "visual": rng.normal(size=(len(words), visual_dim)).round(4).tolist()})
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def scores(capsys, *argv) -> list[dict]:
    capsys.readouterr()
    assert main(["predict", *map(str, argv)]) == 0
    return json.loads(capsys.readouterr().out)


def test_predict_gives_the_checkpoints_output_on_its_bundle(checkpoint_of, bundle_of, tmp_path, capsys, one_thread):
    inputs = write_input(tmp_path / "in.jsonl")
    bundle, checkpoint = bundle_of("msg-mba"), checkpoint_of("msg-mba")
    from_bundle, from_checkpoint = scores(capsys, bundle, "--input", inputs), scores(capsys, checkpoint, "--input", inputs)
    assert [row["id"] for row in from_bundle] == [row["id"] for row in from_checkpoint] == ["u0", "u1", "u2"]
    assert np.allclose([r["score"] for r in from_bundle], [r["score"] for r in from_checkpoint], atol=2e-6)
    text = ["--text", "what a wonderful film"]
    assert np.allclose([r["score"] for r in scores(capsys, bundle_of("text-only"), *text)],
                       [r["score"] for r in scores(capsys, checkpoint_of("text-only"), *text)], atol=2e-6)
    assert main(["predict", str(bundle), "--input", str(inputs), "--output", str(tmp_path / "s.csv")]) == 0
    assert (tmp_path / "s.csv").read_text().splitlines()[0] == "id,score"


PROBE = """
import json, sys
from shiftmsa.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": sorted(m for m in ("torch", "transformers") if m in sys.modules)}))
"""


@pytest.mark.parametrize("model, extra", [("msg-mba", "--input"), ("text-only", "--text")])
def test_predict_on_a_bundle_imports_neither_torch_nor_transformers(model, extra, bundle_of, tmp_path):
    argument = str(write_input(tmp_path / "in.jsonl")) if extra == "--input" else "great movie"
    environment = {**os.environ, "PYTHONPATH": str(SOURCE)}
    done = subprocess.run([sys.executable, "-c", PROBE, "predict", str(bundle_of(model)), extra, argument],
                          capture_output=True, text=True, env=environment, timeout=120)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"code": 0, "loaded": []}, done.stderr


def one_line_error(capsys, *argv) -> str:
    capsys.readouterr()
    assert main(["predict", *map(str, argv)]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error
    return error


@pytest.fixture
def copied(bundle_of, tmp_path):
    def copy(model: str) -> Path:
        target = tmp_path / f"copy-{model}"
        shutil.copytree(bundle_of(model), target)
        return target
    return copy


def test_a_damaged_file_is_refused_naming_it_and_the_field(copied, tmp_path, capsys):
    bundle = copied("msg-mba")
    data = bytearray((bundle / MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (bundle / MODEL_FILE).write_bytes(bytes(data))
    error = one_line_error(capsys, bundle, "--input", write_input(tmp_path / "in.jsonl"))
    assert f"file {bundle / MODEL_FILE}" in error and "field 'sha256.model.onnx'" in error


def test_a_graph_of_another_model_kind_is_refused(copied, bundle_of, tmp_path, capsys):
    bundle = copied("msg-mba")
    shutil.copy(bundle_of("text-only") / MODEL_FILE, bundle / MODEL_FILE)
    manifest = json.loads((bundle / MANIFEST).read_text())
    manifest["sha256"][MODEL_FILE] = json.loads((bundle_of("text-only") / MANIFEST).read_text())["sha256"][MODEL_FILE]
    (bundle / MANIFEST).write_text(json.dumps(manifest))
    error = one_line_error(capsys, bundle, "--input", write_input(tmp_path / "in.jsonl"))
    assert f"file {bundle / MODEL_FILE}" in error and "field 'shiftmsa.model'" in error and "'text-only'" in error


def test_a_manifest_of_another_kind_is_refused(copied, tmp_path, capsys):
    bundle = copied("msg-mba")
    manifest = json.loads((bundle / MANIFEST).read_text())
    (bundle / MANIFEST).write_text(json.dumps({**manifest, "kind": "shiftmsa-checkpoint"}))
    error = one_line_error(capsys, bundle, "--text", "great")
    assert f"file {bundle / MANIFEST}" in error and "field 'kind'" in error


def test_inputs_of_the_wrong_feature_width_are_refused(bundle_of, tmp_path, capsys):
    inputs = write_input(tmp_path / "wide.jsonl", acoustic_dim=7)
    error = one_line_error(capsys, bundle_of("msg-mba"), "--input", inputs)
    assert f"file {inputs}" in error and "field 'acoustic'" in error and "7-d" in error and "5-d" in error
    error = one_line_error(capsys, bundle_of("msg-mba"), "--text", "great")
    assert "field 'acoustic'" in error and "has none" in error


def test_per_word_text_shifts_of_a_clip_match_the_checkpoints(checkpoint_of, bundle_of, one_thread):
    """What ``predict --video`` adds per word (feature extraction itself is tested in
    tests/workflow/test_workflow_media_to_prediction.py, on a bundle too)."""
    from types import SimpleNamespace

    from shiftmsa import api
    from shiftmsa.cli.run import _word_shifts
    from shiftmsa.deploy.runtime import DeployedModel

    [utterance] = [u for u in example_inputs() if u.id == "u1"]
    times = np.stack([np.arange(len(utterance.words)) * 0.4, np.arange(1, len(utterance.words) + 1) * 0.4], axis=1)
    prepared, _ = api.load_checkpoint(checkpoint_of("msg-mba"))
    expected = _word_shifts(prepared, utterance, SimpleNamespace(word_times=times))
    got = DeployedModel(bundle_of("msg-mba")).word_shifts(utterance, times.tolist())
    assert [w["word"] for w in got] == [w["word"] for w in expected] == list(utterance.words)
    assert all("text_shift" in w for w in got)
    assert np.allclose([w["text_shift"] for w in got], [w["text_shift"] for w in expected], atol=1e-5)
