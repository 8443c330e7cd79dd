"""Standardising the acoustic and visual streams with statistics of the training split only.

The paper feeds COVAREP / Facet features unscaled (Section IV-B) and says nothing about scaling,
so scaling is an option (``data.standardize``, off by default): per-utterance tables such as the
shared MOSI openSMILE features have columns in the hundreds (means up to 190), which saturate the
RNNs of Eq. 1-2. ``FeatureStandardizer`` holds one mean and standard deviation per column of each
non-text stream, fitted on the train split (never on valid or test), and travels inside
checkpoints as JSON so that ``evaluate`` and ``predict`` apply the very same transform.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np

from shiftmsa.data.contract import Utterance

STREAMS = ("acoustic", "visual")
MIN_STD = 1e-6  # a constant column is centred and left unscaled


def standardization_wanted(choice: bool | str, word_aligned: bool) -> bool:
    """Whether to standardise: ``True``, ``False``, or ``"auto"`` (on for per-utterance features,
    the MOSI table; off for word-aligned ones, which the paper and MAG-BERT feed unscaled).

    Args:
        choice: ``True``, ``False`` or ``"auto"`` (``data.standardize``).
        word_aligned: whether the corpus' feature steps follow its words.
    """
    return choice is True or (choice == "auto" and not word_aligned)


@dataclass(frozen=True)
class FeatureStandardizer:
    """Per-column (x - mean) / std for each non-text stream it was fitted on.

    Args:
        statistics: stream name -> (mean, std), each a float64 vector of the stream's width.
    """

    statistics: dict[str, tuple[np.ndarray, np.ndarray]]

    @classmethod
    def fit(cls, utterances: Iterable[Utterance]) -> "FeatureStandardizer":
        """Statistics over every feature step of ``utterances`` (pass the train split only).

        Args:
            utterances: the training utterances; a stream absent from them is not standardised.
        """
        rows: dict[str, list[np.ndarray]] = {stream: [] for stream in STREAMS}
        for utterance in utterances:
            for stream in STREAMS:
                features = getattr(utterance, stream)
                if features is not None:
                    rows[stream].append(features)
        statistics = {}
        for stream, arrays in rows.items():
            if arrays:
                stacked = np.concatenate(arrays).astype(np.float64)
                std = stacked.std(axis=0)
                statistics[stream] = (stacked.mean(axis=0), np.where(std < MIN_STD, 1.0, std))
        return cls(statistics)

    def transform(self, stream: str, features: np.ndarray) -> np.ndarray:
        """``features`` (steps, d) standardised, as float32; unchanged for a stream not fitted.

        Args:
            stream: ``acoustic`` or ``visual``.
            features: the utterance's rows of that stream.
        """
        if stream not in self.statistics:
            return features
        mean, std = self.statistics[stream]
        if features.shape[-1] != len(mean):
            raise ValueError(f"{stream} features are {features.shape[-1]}-d but the standardisation "
                             f"statistics are {len(mean)}-d")
        return ((features - mean) / std).astype(np.float32)

    def to_dict(self) -> dict[str, dict[str, list[float]]]:
        """JSON-ready statistics (checkpoint metadata)."""
        return {stream: {"mean": mean.tolist(), "std": std.tolist()}
                for stream, (mean, std) in self.statistics.items()}

    @classmethod
    def from_dict(cls, values: dict[str, dict[str, list[float]]]) -> "FeatureStandardizer":
        """Inverse of ``to_dict``.

        Args:
            values: stream -> {"mean": [...], "std": [...]}.
        """
        return cls({stream: (np.asarray(entry["mean"], dtype=np.float64), np.asarray(entry["std"], dtype=np.float64))
                    for stream, entry in values.items()})
