import numpy as np
import pytest

pytest.importorskip("pocketsphinx", reason="the features extra (pocketsphinx) is not installed")
pytest.importorskip("scipy", reason="the features extra (librosa, scipy) is not installed")

from shiftmsa.features.forced_alignment import (DecodingConfig, PocketsphinxAligner, speech_region,  # noqa: E402
                                         spread_words)
from shiftmsa.features.media import decode_audio  # noqa: E402
from shiftmsa.features.spoken_clips import SpeechConditions, espeak_available, synthesise  # noqa: E402
from shiftmsa.features.transcript import split_words  # noqa: E402

# The search of the aligner of commit 85d8207 (bestpath rescoring, PocketSphinx's default beams, no
# padding, no retry), here without dither. On the clip of ``ending_in_silence`` that aligner put
# every word by the fallback rule, its best path stopping before "okay" (checked with
# benchmarks/alignment_accuracy.py's legacy_aligner); this search shows the same drop.
LEGACY_LIKE = DecodingConfig(bestpath=True, beam=1e-48, wbeam=7e-29, pbeam=1e-48, pad_seconds=0.0, tail_retries=0,
                             dither=0.0)


@pytest.fixture(scope="module")
def aligner():
    return PocketsphinxAligner()


@pytest.fixture(scope="module")
def ending_in_silence():
    """A clip that ends in 1.5 s of digital silence, whose last word the legacy decoding drops."""
    if not espeak_available():
        pytest.skip("espeak-ng is not installed (Debian: apt-get install -y espeak-ng)")
    words = ("the", "movie", "was", "really", "good", "okay")
    return synthesise(words, SpeechConditions(voice="en-us", words_per_minute=160, pauses=(0.03,) * 5,
                                              lead_silence=0.3, trail_silence=1.5))


class PrefixDecoder(PocketsphinxAligner):
    """An aligner whose decoder places only the first ``per_pass[i]`` entries on pass i, 0.3 s each."""

    def __init__(self, per_pass, **decoding):
        super().__init__(decoding=DecodingConfig(**decoding))
        self.per_pass, self.calls = list(per_pass), []

    def _decode_prefix(self, samples, entries):
        self.calls.append((len(samples) / self.sample_rate, list(entries)))
        n = self.per_pass.pop(0) if self.per_pass else 0
        return np.array([(0.3 * i, 0.3 * i + 0.3) for i in range(min(n, len(entries)))]).reshape(-1, 2)


def test_split_words_lowercases_and_keeps_inner_apostrophes():
    assert split_words("Didn't it, REALLY -- work?") == ("didn't", "it", "really", "work")


def test_spoken_words_are_aligned_in_order_inside_the_speech(aligner, spoken_wav, spoken_text):
    samples = decode_audio(spoken_wav)
    words = split_words(spoken_text)
    result = aligner(samples, words)
    assert result.placed_by == ("aligner",) * 5 and result.counts["alignment_failed"] == 0 and not result.unplaced
    assert np.all(result.times[:, 1] > result.times[:, 0])
    assert np.all(np.diff(result.times[:, 0]) > 0) and np.all(result.times[1:, 0] >= result.times[:-1, 1] - 1e-9)
    start, end = speech_region(samples, 16000)
    assert abs(result.times[0, 0] - start) < 0.15 and abs(result.times[-1, 1] - end) < 0.15


def test_a_last_word_the_legacy_decoding_dropped_is_aligned(aligner, ending_in_silence):
    clip = ending_in_silence
    assert PocketsphinxAligner(decoding=LEGACY_LIKE)(clip.samples, clip.words).unplaced == ("okay",)
    result = aligner(clip.samples, clip.words)
    assert result.unplaced == () and result.counts["placed_by_aligner"] == 6
    assert np.abs(result.times - clip.times).max() < 0.15


def test_a_clip_aligns_the_same_whatever_was_aligned_before(aligner, ending_in_silence, spoken_wav, spoken_text):
    clip = ending_in_silence
    first = aligner(clip.samples, clip.words)
    aligner(decode_audio(spoken_wav), split_words(spoken_text))
    aligner(clip.samples, ("the", "moovie", "was", "qzxjvk"))
    again = aligner(clip.samples, clip.words)
    assert np.array_equal(first.times, again.times)
    assert np.array_equal(PocketsphinxAligner()(clip.samples, clip.words).times, first.times)


def test_out_of_dictionary_words_are_listed_with_what_replaced_them(aligner, spoken_wav):
    result = aligner(decode_audio(spoken_wav), ("the", "moovie", "was", "qzxjvk", "good"))
    assert [(m.position, m.word, m.handling, m.pronunciation_of) for m in result.out_of_dictionary] == [
        (1, "moovie", "spelled_alike", "movie"), (3, "qzxjvk", "spoken_noise", None)]
    assert result.out_of_dictionary[0].phones == "M UW V IY"
    assert result.counts["out_of_dictionary_spelled_alike"] == result.counts["out_of_dictionary_spoken_noise"] == 1
    records = result.records()
    assert records[1]["out_of_dictionary"] == [{"token": "moovie", "handling": "spelled_alike",
                                                "pronunciation_of": "movie", "phones": "M UW V IY"}]
    assert "out_of_dictionary" not in records[0] and result.times.shape == (5, 2)


def test_a_repeated_out_of_dictionary_word_is_listed_once_at_each_position(aligner, spoken_wav):
    records = aligner(decode_audio(spoken_wav), ("the", "moovie", "was", "moovie")).records()
    assert [len(r.get("out_of_dictionary", ())) for r in records] == [0, 1, 0, 1]


def test_the_dictionary_is_never_changed_by_a_borrowed_pronunciation(aligner, spoken_wav):
    aligner(decode_audio(spoken_wav), ("the", "moovie"))
    assert aligner.dictionary_form("moovie") is None
    assert aligner.dictionary_form("didnt") == "didn't"


def test_a_spoken_number_is_aligned_as_its_words(aligner):
    if not espeak_available():
        pytest.skip("espeak-ng is not installed")
    words = ("i", "saw", "it", "in", "3d")
    clip = synthesise(words, SpeechConditions(pauses=(0.05,) * 4))  # espeak-ng reads "3d" as "three D"
    result = aligner(clip.samples, words)
    assert result.spoken[-1] == ("three", "d") and result.counts["spelled_out_numbers"] == 1
    assert result.unplaced == () and not result.out_of_dictionary
    assert result.records()[-1]["spoken_as"] == ["three", "d"]
    assert np.abs(result.times - clip.times).max() < 0.15


def test_silence_leaves_every_word_to_the_fallback_rule_and_says_so(aligner):
    result = aligner(np.zeros(16000, dtype=np.float32), ("hello", "world"))
    assert result.unplaced == ("hello", "world") and result.placed_by == ("fallback", "fallback")
    assert result.counts["placed_by_fallback"] == 2 and result.counts["alignment_failed"] == 1
    assert np.allclose(result.times, [[0.0, 0.5], [0.5, 1.0]])


def test_unplaced_final_tokens_are_aligned_again_after_the_last_placed_one():
    aligner = PrefixDecoder([2, 5], tail_retries=2)
    result = aligner(np.full(32000, 0.1, dtype=np.float32), ("a", "3d", "c"))  # entries: a three d c
    assert result.unplaced == () and result.counts["alignment_retries"] == 1
    assert aligner.calls[1] == (pytest.approx(2.0 - 0.6), ["d", "c"])
    assert np.allclose(result.times, [[0.0, 0.3], [0.3, 0.9], [0.9, 1.2]])


def test_tokens_left_after_the_retries_are_spread_over_the_rest_of_the_speech():
    aligner = PrefixDecoder([1, 0], tail_retries=2)
    samples = np.zeros(32000, dtype=np.float32)
    samples[:24000] = 0.1
    result = aligner(samples, ("a", "bb", "ccc"))
    assert result.placed_by == ("aligner", "fallback", "fallback") and result.unplaced == ("bb", "ccc")
    assert np.allclose(result.times, [[0.0, 0.3], [0.3, 0.3 + 1.2 * 3 / 7], [0.3 + 1.2 * 3 / 7, 1.5]])
    assert result.counts["alignment_failed"] == 1 and len(aligner.calls) == 2


def test_speech_region_ignores_leading_and_trailing_silence():
    samples = np.zeros(16000, dtype=np.float32)
    samples[4000:12000] = 0.3 * np.sin(np.arange(8000) / 5)
    assert speech_region(samples, 16000) == pytest.approx((0.25, 0.75), abs=0.011)


def test_spread_words_is_proportional_to_word_length_plus_one():
    assert np.allclose(spread_words(("a", "bbb"), 1.0, 4.0), [[1.0, 2.0], [2.0, 4.0]])
