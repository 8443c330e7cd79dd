"""Utterances to score, from a JSONL or CSV file (``shiftmsa predict --input``).

JSONL: one object per line with ``id`` (optional: the line number), ``text`` (or ``words``, a
list), and optional ``acoustic`` / ``visual`` (a list of rows, one per word or a single row for
the whole utterance). CSV: columns ``id`` (optional) and ``text``; text only.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from shiftmsa.data.contract import DataError, Utterance


def _feature_rows(value, path: Path, utterance_id: str, field_name: str, words: int) -> np.ndarray | None:
    if value is None:
        return None
    try:
        rows = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise DataError(f"not a list of numeric rows ({error})", path=str(path),
                        utterance_id=utterance_id, field_name=field_name) from None
    if rows.ndim == 1:
        rows = rows[None, :]
    if rows.ndim != 2 or rows.shape[0] not in (1, words):
        raise DataError(f"expected 1 row or one row per word ({words}), got shape {rows.shape}",
                        path=str(path), utterance_id=utterance_id, field_name=field_name)
    if not np.isfinite(rows).all():
        raise DataError("contains NaN or infinite values", path=str(path), utterance_id=utterance_id,
                        field_name=field_name)
    return rows


def _utterance(record: dict, default_id: str, path: Path) -> Utterance:
    utterance_id = str(record.get("id", default_id))
    if "words" in record:
        words = tuple(str(w) for w in record["words"])
    elif "text" in record:
        words = tuple(str(record["text"] or "").split())
    else:
        raise DataError("needs a 'text' or 'words' field", path=str(path), utterance_id=utterance_id,
                        field_name="text")
    if not words:
        raise DataError("empty text", path=str(path), utterance_id=utterance_id, field_name="text")
    acoustic = _feature_rows(record.get("acoustic"), path, utterance_id, "acoustic", len(words))
    visual = _feature_rows(record.get("visual"), path, utterance_id, "visual", len(words))
    return Utterance(utterance_id, words, acoustic, visual, 0.0, "test")


def read_utterance_file(path: str | Path) -> list[Utterance]:
    """Read utterances to score from ``path`` (.jsonl / .json lines, or .csv)."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", path=str(path))
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if "text" not in (reader.fieldnames or []):
                raise DataError(f"CSV needs a 'text' column; found {reader.fieldnames}", path=str(path),
                                field_name="text")
            return [_utterance(row, f"row{number}", path) for number, row in enumerate(reader, start=1)]
    utterances = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"line {number} is not JSON ({error.msg})", path=str(path)) from None
        if not isinstance(record, dict):
            raise DataError(f"line {number} is not a JSON object", path=str(path))
        utterances.append(_utterance(record, f"line{number}", path))
    if not utterances:
        raise DataError("no utterances in file", path=str(path))
    return utterances
