"""MMSA's feature pickles (``aligned_50.pkl`` / ``unaligned_50.pkl``).

Layout: ``{"train" | "valid" | "test": {"raw_text": (N,) str, "audio": (N, L_a, d_a),
"vision": (N, L_v, d_v), "id": (N,) str, "regression_labels": (N,), "audio_lengths": (N,),
"vision_lengths": (N,), ...}}``; other keys (``text_bert``, ``classification_labels``...) are
ignored. Missing ``*_lengths`` mean every step is valid.

Sequence policy (``sequences``): MMSA's steps are audio/video frames (unaligned) or positions of
its own BERT tokenisation (aligned_50), not our words. With ``"auto"`` (default) the true-length
rows are kept as word-aligned steps only when, for every utterance, both streams have exactly one
valid row per word; otherwise every utterance's valid rows are averaged into one per-utterance
step, which the batch builder broadcasts to every word (the choice is written to the report's
notes). ``"mean"`` always averages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from shiftmsa.data.contract import SPLITS, Corpus, DataError, DataReport
from shiftmsa.data.safe_pickle import load_pickle
from shiftmsa.data.validation import UtteranceChecker, as_words

SEQUENCE_POLICIES = ("auto", "mean")
STREAMS = {"acoustic": ("audio", "audio_lengths"), "visual": ("vision", "vision_lengths")}
REQUIRED_KEYS = ("id", "raw_text", "regression_labels")


def _split_field(path: str, split: str, table: dict, key: str) -> Any:
    if key not in table:
        raise DataError(f"split {split!r} has no {key!r} (keys: {sorted(table)})", path=path, field_name=key)
    return table[key]


def _valid_rows(path: str, split: str, table: dict, stream: str, n_utterances: int) -> list[np.ndarray] | None:
    """Each utterance's rows cut to its true length, or None when the stream is absent."""
    key, length_key = STREAMS[stream]
    if key not in table:
        return None
    sequences = np.asarray(table[key], dtype=np.float32)
    if sequences.ndim != 3 or len(sequences) != n_utterances:
        raise DataError(f"expected ({n_utterances}, steps, dim) in split {split!r}, got shape {sequences.shape}",
                        path=path, field_name=key)
    lengths = np.asarray(table.get(length_key, [sequences.shape[1]] * len(sequences)), dtype=np.int64)
    if lengths.shape != (len(sequences),):
        raise DataError(f"{len(lengths)} lengths for {len(sequences)} sequences in split {split!r}",
                        path=path, field_name=length_key)
    return [sequence[: max(int(length), 1)] for sequence, length in zip(sequences, lengths)]


def _word_aligned(records: list[dict]) -> bool:
    return all(rows is None or len(rows) == len(record["words"])
               for record in records for rows in (record["acoustic"], record["visual"]))


def _averaged(checker: UtteranceChecker, record: dict, stream: str) -> np.ndarray | None:
    """The mean of the valid rows, after NaN/inf checks so that -inf cannot hide in a mean."""
    rows = record[stream]
    if rows is None:
        return None
    return checker.clean_values(str(record["utterance_id"]), stream, rows.copy()).mean(axis=0, keepdims=True)


def read_mmsa_pickle(path: str | Path, *, sequences: str = "auto", inf_policy: str = "zero",
                     name: str | None = None) -> Corpus:
    """Read an MMSA feature pickle into a ``Corpus``.

    Args:
        path: ``aligned_50.pkl`` or ``unaligned_50.pkl`` (read with the restricted unpickler).
        sequences: ``"auto"`` or ``"mean"``, see the module docstring.
        inf_policy: ``"zero"`` replaces +/-inf features with 0 and counts them, ``"error"`` refuses.
        name: corpus name; defaults to the file stem.
    """
    source = str(path)
    if sequences not in SEQUENCE_POLICIES:
        raise DataError(f"unknown sequences policy {sequences!r}; choose one of {SEQUENCE_POLICIES}", path=source)
    content = load_pickle(path)
    if not isinstance(content, dict) or not set(content) <= set(SPLITS) or not content:
        raise DataError(f"expected a dict with keys {SPLITS}, got {sorted(content) if isinstance(content, dict) else type(content).__name__}",
                        path=source)
    records = []
    for split, table in content.items():
        ids, texts, labels = (_split_field(source, split, table, key) for key in REQUIRED_KEYS)
        if not len(ids) == len(texts) == len(labels):
            raise DataError(f"split {split!r} has {len(ids)} ids, {len(texts)} texts and {len(labels)} labels",
                            path=source, field_name="id")
        streams = {stream: _valid_rows(source, split, table, stream, len(ids)) for stream in STREAMS}
        for index, (utterance_id, text, label) in enumerate(zip(ids, texts, labels)):
            records.append({"utterance_id": utterance_id, "words": as_words(text), "label": label, "split": split,
                            **{stream: rows[index] if rows is not None else None for stream, rows in streams.items()}})
    report = DataReport()
    word_aligned = sequences == "auto" and _word_aligned(records)
    checker = UtteranceChecker(source, report, word_aligned=word_aligned, inf_policy=inf_policy)
    if not word_aligned:
        records = [{**record, **{stream: _averaged(checker, record, stream) for stream in STREAMS}}
                   for record in records]
        report.notes.append("MMSA steps are not one per word: each utterance's valid frames were averaged into "
                            "one per-utterance step (broadcast to every word by the batch builder)")
    utterances = [checker.make(**record) for record in records]
    return checker.corpus(name or Path(path).stem, utterances, word_aligned=word_aligned,
                          feature_names={"acoustic": "audio (MMSA)", "visual": "vision (MMSA)"})
