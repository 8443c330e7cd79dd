"""The embedded synthetic dataset: sentiment whose sign and strength live partly in the A/V cues.

The paper's motivating example is "That was sick!": the words alone say negative, the voice and
face say it is praise. Here every sentiment word has a base polarity, and each one independently
receives a non-verbal cue that is invisible in the text:

- no cue (probability ``CUE_PROBABILITIES["none"]``): the word means what it says (factor 1),
- a *flip* cue (sarcasm / slang), carried by the **acoustic** row of that word: factor -1,
- an *intensify* cue (emphasis), carried by the **visual** row of that word: factor 2.

A cue is a fixed direction (drawn once per seed) added with amplitude ``CUE_AMPLITUDE`` to the
word's row, on top of unit Gaussian noise that every row has. The label is
``clip(sum_w polarity(w) * factor(w) + N(0, LABEL_NOISE^2), -3, 3)``. Because cues are drawn
independently of the words, a text-only model can at best predict the expected factor
(0.4 * 1 + 0.3 * -1 + 0.3 * 2 = 0.7) times the polarity, while a model that reads acoustic and
visual rows can recover each word's factor: text-only is measurably worse (tests check it with a
closed-form ridge regression). Text+acoustic fixes flips, text+visual fixes emphasis, so the
modality ablations of Table IV have a visible effect.

Defaults: 3000 utterances (2000 train / 500 valid / 500 test), acoustic 16-d, visual 12-d,
word-aligned (one acoustic and one visual row per word), seed 0.
"""

from __future__ import annotations

import numbers

import numpy as np

from shiftmsa.data.contract import Corpus, DataError, DataReport
from shiftmsa.data.validation import UtteranceChecker

POLARITY: dict[str, float] = {
    "good": 1.0, "great": 1.5, "love": 1.5, "fun": 1.0, "nice": 0.8, "funny": 1.0, "best": 1.5, "enjoyed": 1.0,
    "sick": -1.0, "bad": -1.0, "terrible": -1.5, "boring": -1.0, "awful": -1.5, "hate": -1.5, "worst": -1.5,
    "dull": -0.8,
}
NEUTRAL_WORDS: tuple[str, ...] = (
    "the", "movie", "was", "it", "that", "film", "and", "i", "this", "plot", "acting", "story", "ending",
    "music", "characters", "so", "just", "a", "is", "really",
)
CUE_PROBABILITIES: dict[str, float] = {"none": 0.4, "flip": 0.3, "intensify": 0.3}
CUE_FACTOR: dict[str, float] = {"none": 1.0, "flip": -1.0, "intensify": 2.0}
CUE_STREAM: dict[str, str] = {"flip": "acoustic", "intensify": "visual"}
CUE_AMPLITUDE = 3.0
LABEL_NOISE = 0.2
SENTIMENT_WORDS_PER_UTTERANCE = (1, 2)
NEUTRAL_WORDS_PER_UTTERANCE = (3, 8)
SPLIT_FRACTIONS = {"train": 2 / 3, "valid": 1 / 6}


def split_sizes(n: int) -> dict[str, int]:
    """Train / valid / test sizes for ``n`` utterances (2/3, 1/6, the rest)."""
    train, valid = round(n * SPLIT_FRACTIONS["train"]), round(n * SPLIT_FRACTIONS["valid"])
    return {"train": train, "valid": valid, "test": n - train - valid}


def _unit_vector(rng: np.random.Generator, dim: int) -> np.ndarray:
    vector = rng.standard_normal(dim)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


class _UtteranceSampler:
    """Draws one utterance's words, per-word cues, feature rows and label from ``rng``."""

    def __init__(self, rng: np.random.Generator, acoustic_dim: int, visual_dim: int):
        self.rng = rng
        self.dims = {"acoustic": acoustic_dim, "visual": visual_dim}
        self.cue_direction = {stream: _unit_vector(rng, self.dims[stream]) for stream in CUE_STREAM.values()}
        self.sentiment_words = list(POLARITY)
        self.cues = list(CUE_PROBABILITIES)
        self.cue_probabilities = list(CUE_PROBABILITIES.values())

    def sample(self) -> tuple[list[str], dict[str, np.ndarray], float]:
        n_sentiment = self.rng.integers(SENTIMENT_WORDS_PER_UTTERANCE[0], SENTIMENT_WORDS_PER_UTTERANCE[1] + 1)
        n_neutral = self.rng.integers(NEUTRAL_WORDS_PER_UTTERANCE[0], NEUTRAL_WORDS_PER_UTTERANCE[1] + 1)
        words = list(self.rng.choice(self.sentiment_words, n_sentiment)) + list(self.rng.choice(NEUTRAL_WORDS, n_neutral))
        words = [str(w) for w in self.rng.permutation(words)]
        cues = [str(self.rng.choice(self.cues, p=self.cue_probabilities)) if w in POLARITY else "none" for w in words]
        rows = {stream: self.rng.standard_normal((len(words), dim)).astype(np.float32) for stream, dim in self.dims.items()}
        for position, cue in enumerate(cues):
            if cue in CUE_STREAM:
                stream = CUE_STREAM[cue]
                rows[stream][position] += CUE_AMPLITUDE * self.cue_direction[stream]
        score = sum(POLARITY.get(word, 0.0) * CUE_FACTOR[cue] for word, cue in zip(words, cues))
        label = float(np.clip(score + self.rng.normal(0.0, LABEL_NOISE), -3.0, 3.0))
        return words, rows, round(label, 3)


def generate_synthetic(n: int = 3000, *, seed: int = 0, acoustic_dim: int = 16, visual_dim: int = 12) -> Corpus:
    """The synthetic corpus (see the module docstring); identical for identical arguments.

    Args:
        n: total number of utterances, split 2/3 train, 1/6 valid, 1/6 test.
        seed: random seed (numpy ``default_rng``).
        acoustic_dim / visual_dim: feature widths (at least 1 each).

    Raises:
        DataError: naming the parameter (its field) that is not an integer of its range.
    """
    for name, value, minimum in (("n", n, 3), ("seed", seed, 0), ("acoustic_dim", acoustic_dim, 1),
                                 ("visual_dim", visual_dim, 1)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
            raise DataError(f"the synthetic corpus needs an integer >= {minimum}, got {value!r}", field_name=name)
    sampler = _UtteranceSampler(np.random.default_rng(seed), acoustic_dim, visual_dim)
    report = DataReport(notes=[
        "synthetic: flip cues (factor -1) ride on acoustic rows, intensify cues (factor 2) on visual rows; "
        f"cue probabilities {CUE_PROBABILITIES}"])
    checker = UtteranceChecker("synthetic", report, word_aligned=True)
    splits = [split for split, size in split_sizes(n).items() for _ in range(size)]
    utterances = []
    for index, split in enumerate(splits):
        words, rows, label = sampler.sample()
        utterances.append(checker.make(f"syn{seed}_{index:05d}", words, rows["acoustic"], rows["visual"], label, split))
    corpus = checker.corpus("synthetic", utterances, word_aligned=True,
                            feature_names={"acoustic": "synthetic (carries flip cues)",
                                           "visual": "synthetic (carries intensify cues)"})
    corpus.source = f"synthetic(n={n}, seed={seed}, acoustic_dim={acoustic_dim}, visual_dim={visual_dim})"
    return corpus
