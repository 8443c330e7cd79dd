import numpy as np
import pytest

from shiftmsa.data.contract import DataError
from features_helpers import shared_data_path

media = pytest.importorskip("shiftmsa.features.media")
pytest.importorskip("av", reason="the features extra (PyAV) is not installed")


def test_real_wav_decodes_to_16k_mono():
    samples = media.decode_audio(shared_data_path("mosi", "media", "03bSnISJMiM_1.wav"))
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert abs(len(samples) / 16000 - 3.33) < 0.01
    assert 0.01 < np.abs(samples).max() <= 1.0  # a quiet recording (peak 0.04)


def test_real_mp4_resamples_aac_and_gives_timed_frames():
    path = shared_data_path("mosi", "media", "Oz06ZWiO20M_6.mp4")
    assert abs(len(media.decode_audio(path)) / 16000 - 7.44) < 0.05
    frames = list(media.iter_video_frames(path, max_fps=10))
    times = np.array([f.time for f in frames])
    assert frames[0].image.shape == (360, 480, 3) and frames[0].image.dtype == np.uint8
    assert 70 <= len(frames) <= 76 and np.all(np.diff(times) >= 0.099)


def test_wav_has_no_video_stream(spoken_wav, spoken_mp4):
    assert not media.has_video_stream(spoken_wav)
    assert media.has_video_stream(spoken_mp4)
    frames = list(media.iter_video_frames(spoken_mp4))
    assert np.allclose(np.diff([f.time for f in frames]), 0.1)


@pytest.mark.parametrize("content, message", [(b"", "cannot be decoded"), (b"\x00garbage" * 100, "cannot be decoded")])
def test_corrupt_or_empty_file_names_file_and_field(tmp_path, content, message):
    path = tmp_path / "broken.mp4"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as error:
        media.decode_audio(path)
    assert error.value.path == str(path) and error.value.field_name == "audio"
    assert error.value.utterance_id == "broken"


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        media.decode_audio(tmp_path / "absent.wav")
