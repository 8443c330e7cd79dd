import numpy as np
import pytest

pytest.importorskip("pocketsphinx", reason="the features extra (pocketsphinx) is not installed")

from shiftmsa.features.alignment import PocketsphinxAligner, speech_region, spread_words  # noqa: E402
from shiftmsa.features.media import decode_audio  # noqa: E402
from shiftmsa.features.transcript import split_words  # noqa: E402


@pytest.fixture(scope="module")
def aligner():
    return PocketsphinxAligner()


def test_split_words_lowercases_and_keeps_inner_apostrophes():
    assert split_words("Didn't it, REALLY -- work?") == ("didn't", "it", "really", "work")


def test_spoken_words_are_aligned_in_order_inside_the_speech(aligner, spoken_wav, spoken_text):
    samples = decode_audio(spoken_wav)
    words = split_words(spoken_text)
    result = aligner(samples, words)
    assert result.counts["aligned"] == len(words) and result.counts["alignment_failed"] == 0
    assert np.all(result.times[:, 1] > result.times[:, 0])
    assert np.all(np.diff(result.times[:, 0]) > 0) and np.all(result.times[1:, 0] >= result.times[:-1, 1] - 1e-9)
    start, end = speech_region(samples, 16000)
    assert abs(result.times[0, 0] - start) < 0.15 and abs(result.times[-1, 1] - end) < 0.15


def test_a_misspelled_word_borrows_a_pronunciation_and_is_counted(aligner, spoken_wav):
    result = aligner(decode_audio(spoken_wav), ("the", "moovie", "was", "really", "good"))
    assert result.sources == ("aligned", "out_of_dictionary_spelled_alike", "aligned", "aligned", "aligned")
    assert result.counts["out_of_dictionary_spelled_alike"] == 1 and result.counts["alignment_failed"] == 0


def test_a_word_unlike_any_dictionary_word_becomes_spoken_noise(aligner, spoken_wav):
    tokens, sources = aligner.alignment_tokens(("the", "qzxjvk"))
    assert tokens == ["the", "[SPEECH]"] and sources == ["aligned", "out_of_dictionary_spoken_noise"]
    result = aligner(decode_audio(spoken_wav), ("the", "movie", "was", "qzxjvk", "good"))
    placed = result.counts["aligned"] + result.counts["out_of_dictionary_spoken_noise"] + result.counts["fallback"]
    assert placed == 5 and result.times.shape == (5, 2)


def test_apostrophe_variants_are_found_in_the_dictionary(aligner):
    assert aligner.dictionary_form("didnt") == "didn't"
    assert aligner.dictionary_form("qzxjvk") is None


def test_silence_falls_back_to_spreading_words_over_the_clip(aligner):
    result = aligner(np.zeros(16000, dtype=np.float32), ("hello", "world"))
    assert result.counts == {"aligned": 0, "out_of_dictionary_spelled_alike": 0,
                             "out_of_dictionary_spoken_noise": 0, "fallback": 2, "alignment_failed": 1}
    assert np.allclose(result.times, [[0.0, 0.5], [0.5, 1.0]])


def test_speech_region_ignores_leading_and_trailing_silence():
    samples = np.zeros(16000, dtype=np.float32)
    samples[4000:12000] = 0.3 * np.sin(np.arange(8000) / 5)
    assert speech_region(samples, 16000) == pytest.approx((0.25, 0.75), abs=0.011)


def test_spread_words_is_proportional_to_word_length_plus_one():
    assert np.allclose(spread_words(("a", "bbb"), 1.0, 4.0), [[1.0, 2.0], [2.0, 4.0]])
