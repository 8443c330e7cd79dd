import csv
import json

import pytest

pytest.importorskip("librosa", reason="the features extra is not installed")
pytest.importorskip("pocketsphinx", reason="the features extra is not installed")

from shiftmsa.cli import main  # noqa: E402
from shiftmsa.data.contract import DataError  # noqa: E402
from shiftmsa.data.readers.native import read_native_dataset  # noqa: E402
from shiftmsa.features.dataset import extract_dataset, read_manifest  # noqa: E402
from shiftmsa.features.settings import ExtractionSettings  # noqa: E402


def write_manifest(path, rows):
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "clip", "transcript", "label", "split"])
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture()
def manifest(tmp_path, spoken_wav, spoken_text):
    (tmp_path / "broken.wav").write_bytes(b"RIFF0000WAVEjunk")
    return write_manifest(tmp_path / "clips.csv", [
        {"id": "a", "clip": str(spoken_wav), "transcript": spoken_text, "label": "2.0", "split": "train"},
        {"id": "b", "clip": str(spoken_wav), "transcript": "the movie", "label": "-1", "split": "valid"},
        {"id": "broken", "clip": "broken.wav", "transcript": "hello", "label": "", "split": ""},
    ])


def test_extract_dataset_writes_a_native_dataset_and_lists_failures(manifest, tmp_path, capsys):
    out = tmp_path / "dataset"
    assert main(["extract-dataset", str(manifest), "-o", str(out), "--no-visual"]) == 1
    corpus = read_native_dataset(out)
    assert corpus.split_sizes() == {"train": 1, "valid": 1, "test": 0}
    first = corpus.splits["train"][0]
    assert first.words == ("the", "movie", "was", "really", "good") and first.acoustic.shape == (5, 35)
    assert corpus.feature_names["acoustic"].startswith("librosa-")
    failures = json.loads((out / "failures.json").read_text())
    assert [f["id"] for f in failures] == ["broken"] and "broken.wav" in failures[0]["error"]
    assert "[3/3] broken: failed" in capsys.readouterr().err


def test_rerun_resumes_from_the_cache_and_redoes_changed_clips(manifest, tmp_path):
    out = tmp_path / "dataset"
    settings = ExtractionSettings(visual=False)
    extract_dataset(manifest, out, settings=settings)
    statuses = []
    extract_dataset(manifest, out, settings=settings, progress=lambda done, total, i, status: statuses.append(status))
    assert statuses[:2] == ["cached", "cached"]
    rows = list(csv.DictReader(manifest.open()))
    rows[1]["transcript"] = "the movie was"
    write_manifest(manifest, rows)
    statuses.clear()
    corpus, _ = extract_dataset(manifest, out, settings=settings, progress=lambda d, t, i, status: statuses.append(status))
    assert statuses[:2] == ["cached", "extracted"] and len(corpus.splits["valid"][0].words) == 3


def test_manifest_errors_name_the_line_and_field(tmp_path):
    bad = write_manifest(tmp_path / "bad.csv", [{"id": "x", "clip": "x.wav", "transcript": "hi", "label": "9",
                                                 "split": "train"}])
    with pytest.raises(DataError, match="line 2: label 9.0 outside") as error:
        read_manifest(bad)
    assert error.value.utterance_id == "x" and error.value.field_name == "label"


def test_clips_with_unplaced_words_fail_unless_fallback_is_allowed_then_are_counted(tmp_path, spoken_wav, spoken_text,
                                                                                    capsys):
    import numpy as np
    import soundfile

    from shiftmsa.data.readers.native import read_native_meta

    soundfile.write(tmp_path / "silent.wav", np.zeros(16000, dtype=np.float32), 16000)
    manifest = write_manifest(tmp_path / "clips.csv", [
        {"id": "a", "clip": str(spoken_wav), "transcript": spoken_text, "label": "1", "split": "train"},
        {"id": "silent", "clip": "silent.wav", "transcript": "hello world", "label": "0", "split": "train"}])
    out = tmp_path / "dataset"
    assert main(["extract-dataset", str(manifest), "-o", str(out), "--no-visual"]) == 1
    [failure] = json.loads((out / "failures.json").read_text())
    assert failure["id"] == "silent" and "could not place 2 of 2 words: hello world" in failure["error"]
    assert read_native_meta(out)["provenance"]["fallback_words"] == 0
    capsys.readouterr()

    assert main(["extract-dataset", str(manifest), "-o", str(out), "--no-visual", "--allow-fallback"]) == 0
    err = capsys.readouterr().err
    assert "[2/2] silent: cached" in err and "2 word(s) in 1 clip(s) placed by the fallback rule" in err
    provenance = read_native_meta(out)["provenance"]
    assert provenance["unplaced_words"] == {"silent": ["hello", "world"]} and provenance["fallback_words"] == 2
    assert provenance["fallbacks"]["placed_by_fallback"] == 2 and provenance["fallbacks"]["alignment_failed"] == 1
