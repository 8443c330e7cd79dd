"""From clips and transcripts to a trained checkpoint that scores a new clip, all via the CLI."""

import csv
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from shiftmsa.cli import main

SENTENCES = [
    ("i loved this movie", 2.0, "train"), ("what a terrible film", -2.0, "train"),
    ("the acting was great", 1.5, "train"), ("it was boring and bad", -1.5, "train"),
    ("really good music", 1.0, "valid"), ("the plot was dull", -1.0, "valid"),
    ("a wonderful story", 2.5, "test"), ("i hated the ending", -2.5, "test"),
]


def speak(text: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(path), text], check=True,
                   capture_output=True)
    return path


@pytest.fixture(scope="module")
def spoken_dataset(tmp_path_factory):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (Debian: apt-get install -y espeak-ng)")
    for module in ("av", "librosa", "pocketsphinx"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"the features extra is not installed ({module} missing): pip install -e '.[features]'")
    folder = tmp_path_factory.mktemp("clips")
    with open(folder / "manifest.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["clip", "transcript", "label", "split"])
        for index, (text, label, split) in enumerate(SENTENCES):
            writer.writerow([speak(text, folder / f"clip{index}.wav").name, text, label, split])
    assert main(["extract-dataset", str(folder / "manifest.csv"), "-o", str(folder / "dataset"),
                 "--no-visual"]) == 0
    return folder


def test_extracted_dataset_trains_and_a_new_clip_is_scored(spoken_dataset, tiny_bert_dir, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--model", "msg-mba", "--data", str(spoken_dataset / "dataset"), "--seeds", "0",
                 "--epochs", "1", "--output", str(run), "--set", f"model.params.encoder={tiny_bert_dir}",
                 "--set", "train.batch_size=2"]) == 0
    checkpoint = run / "msg-mba" / "seed-0" / "best"
    assert (checkpoint / "model.safetensors").exists()
    capsys.readouterr()

    new_clip = speak("this was a great movie", tmp_path / "new.wav")
    assert main(["predict", str(checkpoint), "--video", str(new_clip),
                 "--transcript", "this was a great movie"]) == 0
    [scored] = json.loads(capsys.readouterr().out)
    assert scored["id"] == "new"
    assert [w["word"] for w in scored["words"]] == ["this", "was", "a", "great", "movie"]
    assert all(w["end"] >= w["start"] for w in scored["words"])
    assert all(w["text_shift"] >= 0 for w in scored["words"])

    # the same clip scored by the checkpoint's ONNX Runtime bundle: same output
    assert main(["export", str(checkpoint), "-o", str(tmp_path / "bundle")]) == 0
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "bundle"), "--video", str(new_clip),
                 "--transcript", "this was a great movie"]) == 0
    [from_bundle] = json.loads(capsys.readouterr().out)
    assert abs(from_bundle["score"] - scored["score"]) < 1e-4
    assert [w["word"] for w in from_bundle["words"]] == [w["word"] for w in scored["words"]]
    assert all(abs(a["text_shift"] - b["text_shift"]) < 1e-4 for a, b in zip(from_bundle["words"], scored["words"]))

    import numpy as np
    import soundfile

    silent = tmp_path / "silent.wav"
    soundfile.write(silent, np.zeros(16000, dtype=np.float32), 16000)
    assert main(["predict", str(checkpoint), "--video", str(silent), "--transcript", "great movie"]) == 2
    assert "could not place 2 of 2 words: great movie" in capsys.readouterr().err

    metadata_path = checkpoint / "shiftmsa.json"
    metadata = json.loads(metadata_path.read_text())
    metadata["data"]["feature_names"]["acoustic"] = "another-extractor/0000"
    metadata_path.write_text(json.dumps(metadata))
    assert main(["predict", str(checkpoint), "--video", str(new_clip), "--transcript", "great"]) == 2
    assert "another-extractor/0000" in capsys.readouterr().err
