"""Forced alignment of a transcript to speech with PocketSphinx and its bundled US-English models.

Each transcript word is first turned into the words a speaker says for it (``spoken_form``:
"3d" -> "three d"), and each spoken token into a dictionary entry:

1. a token found in the CMU dictionary (also as an apostrophe variant: "didnt" -> "didn't") is
   aligned as it is;
2. a token missing from the dictionary borrows the pronunciation of the most similarly spelled
   dictionary word (difflib ratio >= ``SPELLING_CUTOFF`` among words with the same first letter
   and a length within 2): ``spelled_alike``; when no word is close enough it is aligned as
   spoken noise, PocketSphinx's ``+SPN+`` filler: ``spoken_noise``. Both are listed per word in
   ``WordAlignment.out_of_dictionary``.

Decoding (``DecodingConfig``, chosen on synthetic validation speech, see docs/features.md): the
clip is peak-normalised, padded with silence at both ends, given a seeded dither (``dithered_pcm``)
and searched with the given beams; when the best path
stops before the last token (it ends early in silence, or no path reaches the end of the
grammar), the tokens it did place are kept and the remaining ones are aligned again in the audio
after the last placed token, up to ``tail_retries`` times. Tokens still unplaced are placed by the
fallback rule: the rest of the speech region (frames within ``SPEECH_RANGE_DB`` of the loudest
10 ms frame) is divided among them in proportion to their length in letters plus one. Every
word records whether the aligner or the fallback rule placed it (``placed_by``); a caller decides
whether a fallback is acceptable (see ``pipeline.check_placement``).

One aligner object can serve many clips: the decoder is created once, its feature extraction
(with the running cepstral mean) is reset before every decoding, the dictionary is never changed
(a borrowed pronunciation is aligned under the dictionary word it came from), and the dither is a
seeded function of each clip alone, so a clip's result does not depend on the clips aligned
before it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from shiftmsa.features.extras import require
from shiftmsa.features.spoken_numbers import spoken_form

FRAME_SECONDS = 0.01
SPELLING_CUTOFF = 0.6
SPEECH_RANGE_DB = 35.0
SPOKEN_NOISE = "[SPEECH]"
FILLERS = ("<s>", "</s>", "<sil>", "[NOISE]")
APOSTROPHE_SUFFIXES = ("t", "s", "re", "ve", "ll", "d", "m")
DITHER_SEED = 1
DECODING_PEAK = 0.5
PLACED_BY_ALIGNER, PLACED_BY_FALLBACK = "aligner", "fallback"
_ALTERNATIVE = re.compile(r"\(\d+\)$")


@dataclass(frozen=True)
class DecodingConfig:
    """How the decoder searches (see the module docstring). The defaults are the decoding chosen on
    the validation speech by ``benchmarks/alignment_accuracy.py choose`` (docs/features.md).

    Args:
        bestpath: rescore the lattice after the forward search (PocketSphinx ``-bestpath``).
        beam: HMM pruning beam (``-beam``); smaller keeps more paths.
        wbeam: word-exit beam (``-wbeam``).
        pbeam: phone-transition beam (``-pbeam``).
        pad_seconds: silence added before and after the clip.
        tail_retries: how many times unplaced final tokens are aligned again in the rest of the audio.
        dither: standard deviation of the seeded noise added to the 16-bit samples.
    """

    bestpath: bool = False
    beam: float = 1e-80
    wbeam: float = 1e-60
    pbeam: float = 1e-80
    pad_seconds: float = 0.5
    tail_retries: int = 2
    dither: float = 32.0

    def to_dict(self) -> dict:
        """The fields as a JSON-able dict (recorded in the extractor description)."""
        return asdict(self)


@dataclass(frozen=True)
class OutOfDictionary:
    """A spoken token that the dictionary lacks and what was aligned in its place.

    Args:
        position: the index of its word in the transcript.
        word: the transcript word it belongs to.
        token: the spoken token ("failer"; "mp" of "mp3").
        handling: ``"spelled_alike"`` or ``"spoken_noise"``.
        pronunciation_of: the dictionary word whose pronunciation was used (None for spoken noise).
        phones: that pronunciation ("F AY L ER"; "+SPN+" for spoken noise).
    """

    position: int
    word: str
    token: str
    handling: str
    pronunciation_of: str | None
    phones: str


@dataclass(frozen=True)
class WordAlignment:
    """Where each word of a transcript was spoken.

    Args:
        words: the transcript words.
        times: float (words, 2) start and end in seconds, in transcript order, non-decreasing.
        placed_by: per word, ``"aligner"`` or ``"fallback"`` (any of its tokens placed by the rule).
        spoken: per word, the tokens aligned for it (``("three", "d")`` for "3d").
        out_of_dictionary: the tokens missing from the dictionary, in order.
        counts: ``placed_by_aligner``, ``placed_by_fallback``, ``spelled_out_numbers``,
            ``out_of_dictionary_spelled_alike``, ``out_of_dictionary_spoken_noise``,
            ``alignment_retries`` and ``alignment_failed`` (1 when any word fell back).
    """

    words: tuple[str, ...]
    times: np.ndarray
    placed_by: tuple[str, ...]
    spoken: tuple[tuple[str, ...], ...] = ()
    out_of_dictionary: tuple[OutOfDictionary, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def unplaced(self) -> tuple[str, ...]:
        """The words the aligner could not place (their times come from the fallback rule)."""
        return tuple(w for w, source in zip(self.words, self.placed_by) if source == PLACED_BY_FALLBACK)

    def records(self) -> list[dict]:
        """One JSON-able record per word: times, ``placed_by``, the spoken tokens when they differ
        from the word, and its out-of-dictionary tokens with what was done with each."""
        missing: dict[int, list[dict]] = {}
        for entry in self.out_of_dictionary:
            missing.setdefault(entry.position, []).append(
                {k: v for k, v in asdict(entry).items() if k not in ("position", "word")})
        records = []
        for index, (word, (start, end)) in enumerate(zip(self.words, self.times.tolist())):
            record = {"word": word, "start": round(start, 3), "end": round(end, 3), "placed_by": self.placed_by[index]}
            if self.spoken and self.spoken[index] != (word,):
                record["spoken_as"] = list(self.spoken[index])
            if index in missing:
                record["out_of_dictionary"] = missing[index]
            records.append(record)
        return records


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


def dithered_pcm(samples: np.ndarray, pad_samples: int, dither: float) -> bytes:
    """16-bit PCM of ``samples`` scaled to a peak of ``DECODING_PEAK``, with ``pad_samples`` of silence
    at both ends plus seeded Gaussian noise of standard deviation ``dither`` (in 16-bit steps), so the
    noise is the same for the same samples every time and relative to the clip's level. Digital
    silence (exact zeros) otherwise leaves the decoder without a path through the words."""
    peak = float(np.abs(samples).max()) if len(samples) else 0.0
    scaled = samples * (DECODING_PEAK * 32767 / peak) if peak > 0 else np.zeros(len(samples))
    padded = np.concatenate([np.zeros(pad_samples), scaled, np.zeros(pad_samples)])
    noise = dither * np.random.default_rng(DITHER_SEED).standard_normal(len(padded))
    return np.clip(np.round(padded + noise), -32768, 32767).astype("<i2").tobytes()


class PocketsphinxAligner:
    """Word times of a known transcript in 16 kHz speech (PocketSphinx forced alignment).

    Create it once and call it for every clip: the decoder's start-up is paid once.

    Args:
        sample_rate: the rate of the samples it will be given (the decoder's ``samprate``).
        decoding: the search configuration (defaults: the one chosen on the validation speech).
    """

    name = "pocketsphinx"

    def __init__(self, sample_rate: int = 16_000, decoding: DecodingConfig | None = None):
        self._pocketsphinx = require("pocketsphinx", "features")
        self.sample_rate = sample_rate
        self.decoding = decoding or DecodingConfig()
        self.settings = {"model": "en-us (bundled)", "spelling_cutoff": SPELLING_CUTOFF,
                         "speech_range_db": SPEECH_RANGE_DB, "dither_seed": DITHER_SEED,
                         "decoding": self.decoding.to_dict()}
        self._decoder = self._pocketsphinx.Decoder(
            samprate=sample_rate, loglevel="FATAL", bestpath=self.decoding.bestpath, beam=self.decoding.beam,
            wbeam=self.decoding.wbeam, pbeam=self.decoding.pbeam)

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return version("pocketsphinx")

    @cached_property
    def _dictionary(self) -> dict[str, list[str]]:
        """The bundled dictionary's words (no alternative pronunciations) grouped by first letter."""
        path = Path(self._pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
        grouped: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.split(" ", 1)[0]
            if "(" not in word:
                grouped.setdefault(word[:1], []).append(word)
        return grouped

    @cached_property
    def _known(self) -> frozenset[str]:
        return frozenset(word for words in self._dictionary.values() for word in words)

    def dictionary_form(self, token: str) -> str | None:
        """The token itself or an apostrophe variant of it that the dictionary holds, else None."""
        candidates = [token] + [token[: -len(suffix)] + "'" + suffix for suffix in APOSTROPHE_SUFFIXES
                                if token.endswith(suffix) and len(token) > len(suffix) and "'" not in token]
        return next((c for c in candidates if c in self._known), None)

    def spelled_alike(self, token: str) -> str | None:
        """The most similarly spelled dictionary word (see rule 2), or None."""
        pool = [w for w in self._dictionary.get(token[:1], []) if abs(len(w) - len(token)) <= 2]
        matches = difflib.get_close_matches(token, pool, n=1, cutoff=SPELLING_CUTOFF)
        return matches[0] if matches else None

    def dictionary_entry(self, token: str, words: tuple[str, ...], position: int) -> tuple[str, OutOfDictionary | None]:
        """What the decoder aligns for ``token`` (a spoken token of ``words[position]``), and, when
        the dictionary lacks it, what was done instead (rules 1 and 2 of the module docstring)."""
        known = self.dictionary_form(token)
        if known is not None:
            return known, None
        alike = self.spelled_alike(token)
        if alike is not None:
            return alike, OutOfDictionary(position, words[position], token, "spelled_alike", alike,
                                          self._decoder.lookup_word(alike))
        return SPOKEN_NOISE, OutOfDictionary(position, words[position], token, "spoken_noise", None, "+SPN+")

    def _decode_prefix(self, samples: np.ndarray, entries: list[str]) -> np.ndarray:
        """(k, 2) times of the first k entries that the best path placed, in seconds of ``samples``."""
        pad = round(self.decoding.pad_seconds * self.sample_rate)
        try:
            self._decoder.reinit_feat()  # the cepstral mean would otherwise carry over from the last clip
            self._decoder.set_align_text(" ".join(entries))
            self._decoder.start_utt()
            self._decoder.process_raw(dithered_pcm(samples, pad, self.decoding.dither), full_utt=True)
            self._decoder.end_utt()
            segments = list(self._decoder.seg())
        except (RuntimeError, TypeError, ValueError):
            return np.zeros((0, 2))
        placed = []
        for segment in segments:
            word = _ALTERNATIVE.sub("", segment.word)
            if len(placed) < len(entries) and word == entries[len(placed)]:
                placed.append((segment.start_frame * FRAME_SECONDS, (segment.end_frame + 1) * FRAME_SECONDS))
            elif word not in FILLERS and word != SPOKEN_NOISE:
                break
        duration = len(samples) / self.sample_rate
        return np.clip(np.array(placed).reshape(-1, 2) - pad / self.sample_rate, 0.0, duration)

    def _place_tokens(self, samples: np.ndarray, entries: list[str], tokens: list[str]) -> tuple[np.ndarray, int, int]:
        """Times of every dictionary entry (one per spoken token), how many of them the aligner placed
        (a prefix) and the retries it took: the rest is aligned again after the last placed entry,
        then placed by the fallback rule (weighted by the spoken tokens' lengths)."""
        placed, offset, retries = [], 0.0, 0
        while len(placed) < len(entries):
            start = round(offset * self.sample_rate)
            found = self._decode_prefix(samples[start:], entries[len(placed):]) + offset
            placed += found.tolist()
            if not len(found) or len(placed) == len(entries) or retries >= self.decoding.tail_retries:
                break
            offset, retries = placed[-1][1], retries + 1
        rest = entries[len(placed):]
        if rest:
            speech_start, speech_end = speech_region(samples, self.sample_rate)
            begin = placed[-1][1] if placed else speech_start
            end = speech_end if speech_end > begin else len(samples) / self.sample_rate
            placed += spread_words(tuple(tokens[len(placed):]), begin, max(begin, end)).tolist()
        return np.array(placed).reshape(-1, 2), len(entries) - len(rest), retries

    def __call__(self, samples: np.ndarray, words: tuple[str, ...]) -> WordAlignment:
        spoken = tuple(spoken_form(word) for word in words)
        tokens = [token for spoken_tokens in spoken for token in spoken_tokens]
        owner = np.array([index for index, spoken_tokens in enumerate(spoken) for _ in spoken_tokens], dtype=int)
        looked_up = [self.dictionary_entry(token, words, int(i)) for i, token in zip(owner, tokens)]
        entries = [entry for entry, _ in looked_up]
        missing = [oov for _, oov in looked_up if oov is not None]
        token_times, n_placed, retries = (self._place_tokens(samples, entries, tokens) if entries
                                          else (np.zeros((0, 2)), 0, 0))
        times = np.array([[token_times[owner == i, 0].min(), token_times[owner == i, 1].max()]
                          for i in range(len(words))]).reshape(-1, 2)
        fallback_owners = set(owner[n_placed:].tolist())
        placed_by = tuple(PLACED_BY_FALLBACK if i in fallback_owners else PLACED_BY_ALIGNER for i in range(len(words)))
        counts = {"placed_by_aligner": placed_by.count(PLACED_BY_ALIGNER),
                  "placed_by_fallback": placed_by.count(PLACED_BY_FALLBACK),
                  "spelled_out_numbers": sum(said != (word,) for word, said in zip(words, spoken)),
                  "out_of_dictionary_spelled_alike": sum(m.handling == "spelled_alike" for m in missing),
                  "out_of_dictionary_spoken_noise": sum(m.handling == "spoken_noise" for m in missing),
                  "alignment_retries": retries, "alignment_failed": int(bool(fallback_owners))}
        return WordAlignment(words=tuple(words), times=times, placed_by=placed_by, spoken=spoken,
                             out_of_dictionary=tuple(missing), counts=counts)
