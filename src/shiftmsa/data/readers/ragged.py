"""Ragged per-utterance rows stored flat with offsets (``rows offsets[i]:offsets[i+1]``)."""

from __future__ import annotations

import numpy as np

from shiftmsa.data.contract import DataError


def check_offsets(offsets: np.ndarray, n_utterances: int, n_rows: int, *, path: str) -> np.ndarray:
    """``offsets`` as int64 after checking it has N+1 entries, starts at 0, never decreases, ends at rows."""
    offsets = np.asarray(offsets)
    if offsets.shape != (n_utterances + 1,) or not np.issubdtype(offsets.dtype, np.integer):
        raise DataError(f"offsets must be {n_utterances + 1} integers, got {offsets.dtype} {offsets.shape}",
                        path=path, field_name="offsets")
    if offsets[0] != 0 or offsets[-1] != n_rows or (np.diff(offsets) < 0).any():
        raise DataError(f"offsets must rise from 0 to the {n_rows} feature rows", path=path, field_name="offsets")
    return offsets.astype(np.int64)


def split_rows(rows: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    """The rows of each utterance (views into ``rows``)."""
    return [rows[start:end] for start, end in zip(offsets[:-1], offsets[1:])]


def join_rows(per_utterance: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of ``split_rows``: the stacked rows and their int64 offsets."""
    lengths = np.array([len(rows) for rows in per_utterance], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return np.concatenate(per_utterance).astype(np.float32), offsets
