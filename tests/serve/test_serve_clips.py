"""``POST /clip`` and ``POST /explain`` on a clip spoken by espeak-ng: the numbers of
``shiftmsa predict --video``, alignment per word, and bad uploads refused naming the field."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from serve_helpers import SPOKEN


def upload(path, transcript=SPOKEN, **fields):
    return {"files": {"clip": (path.name, path.read_bytes(), "audio/wav")},
            "data": {"transcript": transcript, **fields}}


@pytest.fixture(scope="module")
def scored_by_cli(clip_checkpoint, spoken_clip):
    """``shiftmsa predict CHECKPOINT --video CLIP``'s row."""
    import contextlib

    from shiftmsa.cli import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["predict", str(clip_checkpoint), "--video", str(spoken_clip), "--transcript", SPOKEN]) == 0
    [row] = json.loads(printed.getvalue())
    return row


def test_a_clip_is_scored_as_predict_video_scores_it(client_of, clip_checkpoint, spoken_clip, scored_by_cli):
    answer = client_of(clip_checkpoint).post("/clip", **upload(spoken_clip))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["id"] == spoken_clip.stem and body["score"] == pytest.approx(scored_by_cli["score"], abs=1e-5)
    assert [w["word"] for w in body["words"]] == SPOKEN.split()
    assert all(w["placed_by"] == "aligner" and w["end"] >= w["start"] for w in body["words"])
    assert np.allclose([w["text_shift"] for w in body["words"]], [w["text_shift"] for w in scored_by_cli["words"]],
                       atol=1e-5)
    assert body["features"]["acoustic"].startswith("librosa-") and body["counts"]["placed_by_aligner"] == 4


def test_a_clip_is_explained_with_its_alignment(client_of, clip_checkpoint, spoken_clip, scored_by_cli):
    answer = client_of(clip_checkpoint).post("/explain", **upload(spoken_clip, id="mine"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["id"] == "mine" and body["score"] == pytest.approx(scored_by_cli["score"], abs=1e-5)
    assert body["figures"]["shifts"]["words"] == SPOKEN.split()
    assert np.allclose(body["figures"]["shifts"]["arrays"]["shift/text"],
                       [w["text_shift"] for w in scored_by_cli["words"]], atol=1e-5)
    assert [w["placed_by"] for w in body["words"]] == ["aligner"] * 4
    tokens = body["figures"]["p_att"]["tokens"]
    assert np.array(body["figures"]["p_att"]["arrays"]["p_att/acoustic"]).shape == (len(tokens), len(tokens))


def test_a_bundle_scores_a_clip_as_its_checkpoint(client_of, clip_bundle, spoken_clip, scored_by_cli):
    body = client_of(clip_bundle).post("/clip", **upload(spoken_clip)).json()
    assert body["score"] == pytest.approx(scored_by_cli["score"], abs=1e-4)
    assert np.allclose([w["text_shift"] for w in body["words"]], [w["text_shift"] for w in scored_by_cli["words"]],
                       atol=1e-4)


def test_words_the_aligner_cannot_place_are_refused_unless_allowed(client_of, clip_checkpoint, tmp_path):
    import soundfile

    silent = tmp_path / "silent.wav"
    soundfile.write(silent, np.zeros(16000, dtype=np.float32), 16000)
    client = client_of(clip_checkpoint)
    refused = client.post("/clip", **upload(silent, "great movie"))
    assert (refused.status_code, refused.json()["field"]) == (422, "alignment")
    assert "could not place 2 of 2 words: great movie" in refused.json()["error"]
    assert "file silent.wav" in refused.json()["error"]  # the upload's name, not the server's copy
    assert "shiftmsa-serve-" not in refused.json()["error"]
    allowed = client.post("/clip", **upload(silent, "great movie", allow_fallback="true"))
    assert [w["placed_by"] for w in allowed.json()["words"]] == ["fallback", "fallback"]


def test_bad_uploads_are_refused_naming_the_field_and_the_service_keeps_serving(client_of, clip_checkpoint,
                                                                                 spoken_clip, tmp_path):
    client = client_of(clip_checkpoint, max_clip_seconds=1.0, max_body_mb=0.5)
    not_media = tmp_path / "notes.wav"
    not_media.write_bytes(b"these are words, not sound" * 10)
    large = tmp_path / "large.wav"
    large.write_bytes(spoken_clip.read_bytes() * 12)
    cases = [
        (client.post("/clip", **upload(not_media)), 415, "clip"),
        (client.post("/clip", **upload(spoken_clip)), 422, "clip"),  # longer than 1 s
        (client.post("/clip", **upload(spoken_clip, transcript=" ,. ")), 422, "transcript"),
        (client.post("/clip", data={"transcript": SPOKEN}), 422, "clip"),
        (client.post("/clip", **upload(large)), 413, "body"),
        (client.post("/explain", **upload(not_media)), 415, "clip"),
        (client.post("/explain", data={"transcript": SPOKEN}, files={"other": ("x", b"x")}), 422, "clip"),
    ]
    for answer, status, field in cases:
        assert (answer.status_code, answer.json()["field"]) == (status, field), answer.text
        assert answer.json()["error"] and "\n" not in answer.json()["error"]
        assert "shiftmsa-serve-" not in answer.json()["error"]  # no server-side path
    assert "longer than the service's limit of 1 s" in cases[1][0].json()["error"]
    assert client.get("/health").status_code == 200
    short = tmp_path / "short.wav"
    import soundfile

    samples, rate = soundfile.read(spoken_clip)
    soundfile.write(short, samples[: int(0.9 * rate)], rate)
    assert client.post("/clip", **upload(short, "what a", allow_fallback="true")).status_code == 200
