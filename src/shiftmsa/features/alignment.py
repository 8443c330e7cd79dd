"""Forced alignment of a transcript to speech with PocketSphinx and its bundled US-English models.

Rules, applied per clip and counted in ``WordAlignment.counts`` (never a crash):

1. A word found in the CMU dictionary (also as an apostrophe variant: "didnt" -> "didn't") is
   aligned as it is ("aligned").
2. A word missing from the dictionary borrows the pronunciation of the most similarly spelled
   dictionary word (difflib ratio >= ``SPELLING_CUTOFF`` among words with the same first letter
   and a length within 2) and is aligned with it ("out_of_dictionary_spelled_alike"); when no
   word is close enough it is aligned as spoken noise, PocketSphinx's ``+SPN+`` filler
   ("out_of_dictionary_spoken_noise").
3. When the decoder finds no path through the whole transcript (silence, noise, audio much
   shorter than the text), every word is placed by the fallback rule ("fallback"): the speech
   region (first to last 10 ms frame within ``SPEECH_RANGE_DB`` of the loudest frame) is divided
   among the words in order, in proportion to their length in letters plus one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from shiftmsa.features.extras import require

FRAME_SECONDS = 0.01
SPELLING_CUTOFF = 0.6
SPEECH_RANGE_DB = 35.0
SPOKEN_NOISE = "[SPEECH]"
APOSTROPHE_SUFFIXES = ("t", "s", "re", "ve", "ll", "d", "m")
DITHER_SEED = 1


@dataclass(frozen=True)
class WordAlignment:
    """Where each word of a transcript was spoken.

    Args:
        times: float (words, 2) start and end in seconds, in transcript order, non-decreasing.
        sources: per word, the rule that placed it (see the module docstring).
        counts: words per rule, plus ``alignment_failed`` (0 or 1).
    """

    times: np.ndarray
    sources: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)


def speech_region(samples: np.ndarray, sample_rate: int) -> tuple[float, float]:
    """First and last 10 ms frame within SPEECH_RANGE_DB of the loudest one (the whole clip if silent)."""
    hop = round(FRAME_SECONDS * sample_rate)
    frames = samples[: len(samples) // hop * hop].reshape(-1, hop) if len(samples) >= hop else samples.reshape(1, -1)
    level = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(level >= level.max() - SPEECH_RANGE_DB) if level.max() > -100 else np.arange(len(level))
    duration = len(samples) / sample_rate
    return float(loud[0] * FRAME_SECONDS), min(duration, float((loud[-1] + 1) * FRAME_SECONDS))


def spread_words(words: tuple[str, ...], start: float, end: float) -> np.ndarray:
    """The fallback rule: consecutive spans over [start, end] proportional to len(word) + 1."""
    weights = np.array([len(word) + 1 for word in words], dtype=np.float64)
    edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(weights) / weights.sum()])
    return np.stack([edges[:-1], edges[1:]], axis=1)


class PocketsphinxAligner:
    """Word times of a known transcript in 16 kHz speech (PocketSphinx forced alignment).

    Args:
        sample_rate: the rate of the samples it will be given (the decoder's ``samprate``).
    """

    name = "pocketsphinx"

    def __init__(self, sample_rate: int = 16_000):
        self._pocketsphinx = require("pocketsphinx", "features")
        self.sample_rate = sample_rate
        self.settings = {"model": "en-us (bundled)", "spelling_cutoff": SPELLING_CUTOFF,
                         "speech_range_db": SPEECH_RANGE_DB, "dither_seed": DITHER_SEED}
        self._decoder = self._new_decoder()

    def _new_decoder(self):
        """A decoder with seeded dither: digitally silent stretches (exact zeros, as synthesised
        speech has) otherwise stop the search short of the last words; the seed keeps it deterministic."""
        return self._pocketsphinx.Decoder(samprate=self.sample_rate, loglevel="FATAL", dither=True, seed=DITHER_SEED)

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return version("pocketsphinx")

    @cached_property
    def _dictionary_words(self) -> dict[str, list[str]]:
        """Dictionary words grouped by first letter (for the spelled-alike search)."""
        path = Path(self._pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
        grouped: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.split(" ", 1)[0]
            if "(" not in word:
                grouped.setdefault(word[:1], []).append(word)
        return grouped

    def dictionary_form(self, word: str) -> str | None:
        """The word itself or an apostrophe variant of it that the dictionary holds, else None."""
        candidates = [word] + [word[: -len(suffix)] + "'" + suffix for suffix in APOSTROPHE_SUFFIXES
                               if word.endswith(suffix) and len(word) > len(suffix) and "'" not in word]
        return next((c for c in candidates if self._decoder.lookup_word(c)), None)

    def spelled_alike(self, word: str) -> str | None:
        """The most similarly spelled dictionary word (see rule 2), or None."""
        pool = [w for w in self._dictionary_words.get(word[:1], []) if abs(len(w) - len(word)) <= 2]
        matches = difflib.get_close_matches(word, pool, n=1, cutoff=SPELLING_CUTOFF)
        return matches[0] if matches else None

    def alignment_tokens(self, words: tuple[str, ...]) -> tuple[list[str], list[str]]:
        """What the decoder is asked to align for each word, and the rule (1 or 2) that chose it."""
        tokens, sources = [], []
        for word in words:
            known = self.dictionary_form(word)
            if known is not None:
                tokens.append(known)
                sources.append("aligned")
                continue
            alike = self.spelled_alike(word)
            if alike is not None:
                self._decoder.add_word(word, self._decoder.lookup_word(alike), True)
                tokens.append(word)
                sources.append("out_of_dictionary_spelled_alike")
            else:
                tokens.append(SPOKEN_NOISE)
                sources.append("out_of_dictionary_spoken_noise")
        return tokens, sources

    def _decode(self, samples: np.ndarray, tokens: list[str]) -> np.ndarray | None:
        """(words, 2) times from the decoder, or None when it found no path through all tokens."""
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        try:
            self._decoder.set_align_text(" ".join(tokens))
            self._decoder.start_utt()
            self._decoder.process_raw(pcm, full_utt=True)
            self._decoder.end_utt()
            segments = [s for s in self._decoder.seg() if not s.word.startswith("<") and s.word != "[NOISE]"]
        except (RuntimeError, TypeError, ValueError):
            return None
        if len(segments) != len(tokens):
            return None
        return np.array([(s.start_frame * FRAME_SECONDS, (s.end_frame + 1) * FRAME_SECONDS) for s in segments])

    def __call__(self, samples: np.ndarray, words: tuple[str, ...]) -> WordAlignment:
        if not words:
            return WordAlignment(times=np.zeros((0, 2)), sources=(), counts={"alignment_failed": 0})
        self._decoder = self._new_decoder()  # each clip starts from the same dither state and dictionary
        tokens, sources = self.alignment_tokens(words)
        times = self._decode(samples, tokens)
        failed = times is None
        if failed:
            times = spread_words(words, *speech_region(samples, self.sample_rate))
            sources = ["fallback"] * len(words)
        times = np.clip(times, 0.0, len(samples) / self.sample_rate)
        counts = {rule: sources.count(rule) for rule in ("aligned", "out_of_dictionary_spelled_alike",
                                                         "out_of_dictionary_spoken_noise", "fallback")}
        counts["alignment_failed"] = int(failed)
        return WordAlignment(times=times, sources=tuple(sources), counts=counts)
