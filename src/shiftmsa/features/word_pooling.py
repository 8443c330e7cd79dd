"""Word-level features as the paper builds them (Section IV-B): frames averaged over each word.

A frame belongs to a word when its centre time lies in the word's [start, end] span. Only
frames marked present are averaged. A word with no present frame inside its span takes the
present frame nearest to its midpoint (``nearest_frame``); a clip with no present frame at all
gives zero rows (``no_frame``). Both are counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shiftmsa.features.series import FrameSeries


@dataclass(frozen=True)
class PooledWords:
    """Per-word averages of a frame series.

    Args:
        values: float32 (words, dim) averages over the present frames of each word's span.
        present_fraction: float32 (words,), the share of frames inside each span that were
            present (1 for audio; for video, the share in which a face was found).
        counts: words averaged over their span, and words placed by each fallback.
    """

    values: np.ndarray
    present_fraction: np.ndarray
    counts: dict[str, int]


def average_over_words(series: FrameSeries, word_times: np.ndarray) -> PooledWords:
    """Average ``series`` over each (start, end) row of ``word_times`` (seconds)."""
    inside = (series.times[None, :] >= word_times[:, :1]) & (series.times[None, :] <= word_times[:, 1:])
    used = inside & series.present[None, :]
    frames_used = used.sum(axis=1)
    values = (used.astype(np.float64) @ series.values.astype(np.float64)) / np.maximum(frames_used, 1)[:, None]
    present_fraction = np.where(inside.sum(axis=1) > 0, frames_used / np.maximum(inside.sum(axis=1), 1), 0.0)
    counts = {"span_average": int((frames_used > 0).sum()), "nearest_frame": 0, "no_frame": 0}
    empty = np.flatnonzero(frames_used == 0)
    present_times = np.flatnonzero(series.present)
    if empty.size and present_times.size:
        midpoints = word_times[empty].mean(axis=1)
        nearest = present_times[np.abs(series.times[present_times][None, :] - midpoints[:, None]).argmin(axis=1)]
        values[empty] = series.values[nearest]
        counts["nearest_frame"] = int(empty.size)
    elif empty.size:
        counts["no_frame"] = int(empty.size)
    return PooledWords(values=values.astype(np.float32), present_fraction=present_fraction.astype(np.float32),
                       counts=counts)
