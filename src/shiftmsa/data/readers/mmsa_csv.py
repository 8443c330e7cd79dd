"""MMSA's ``label.csv`` for text-only use (no acoustic or visual stream).

Columns: ``id,text,label,mode`` (the shared MOSI file), or ``video_id,clip_id,text,label,...,mode``
as MMSA ships it for MOSI/MOSEI/SIMS, where the id becomes ``<video_id>_<clip_id>``. ``mode`` is
train/valid/test. Text is split on whitespace.
"""

from __future__ import annotations

from pathlib import Path

from shiftmsa.data.contract import Corpus, DataError, DataReport
from shiftmsa.data.readers.csv_rows import read_csv_rows
from shiftmsa.data.validation import UtteranceChecker


def _utterance_id(path: str, row: dict[str, str]) -> str:
    if "id" in row:
        return row["id"]
    if "video_id" in row and "clip_id" in row:
        return f"{row['video_id']}_{row['clip_id']}"
    raise DataError("needs an 'id' column or 'video_id' and 'clip_id' columns", path=path, field_name="id")


def read_mmsa_label_csv(path: str | Path, *, name: str | None = None) -> Corpus:
    """Read an MMSA ``label.csv`` into a text-only ``Corpus`` (acoustic and visual are None).

    Args:
        path: the CSV file.
        name: corpus name; defaults to ``"<parent folder>-text"``.
    """
    source = str(path)
    rows = read_csv_rows(path, ("text", "label", "mode"))
    checker = UtteranceChecker(source, DataReport(), word_aligned=True)
    utterances = [checker.make(_utterance_id(source, row), row["text"], None, None, row["label"], row["mode"])
                  for row in rows]
    return checker.corpus(name or f"{Path(path).resolve().parent.name}-text", utterances, word_aligned=True)
