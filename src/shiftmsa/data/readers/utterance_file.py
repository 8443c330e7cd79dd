"""Utterances to score, from a JSONL or CSV file (``shiftmsa predict --input``).

JSONL: one object per line with ``id`` (optional: the line number), ``text`` (or ``words``, a
list), and optional ``acoustic`` / ``visual`` (a list of rows, one per word or a single row for
the whole utterance). CSV: columns ``id`` (optional) and ``text``; text only. Every utterance goes
through the same checks as a training corpus (``UtteranceChecker``); infinite feature values are
refused rather than repaired, since nothing here is a dataset whose habits are known.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from shiftmsa.data.contract import DataError, DataReport, Utterance
from shiftmsa.data.validation import UtteranceChecker


def _records(path: Path) -> list[tuple[str, dict]]:
    """(default id, record) pairs of a CSV or JSONL file."""
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if "text" not in (reader.fieldnames or []):
                raise DataError(f"CSV needs a 'text' column; found {reader.fieldnames}", path=str(path),
                                field_name="text")
            return [(f"row{number}", row) for number, row in enumerate(reader, start=1)]
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"line {number} is not JSON ({error.msg})", path=str(path)) from None
        if not isinstance(record, dict):
            raise DataError(f"line {number} is not a JSON object", path=str(path))
        records.append((f"line{number}", record))
    return records


def read_utterance_file(path: str | Path) -> list[Utterance]:
    """Read utterances to score from ``path`` (.jsonl, or .csv); labels are 0, split ``test``."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", path=str(path))
    checker = UtteranceChecker(str(path), DataReport(), word_aligned=None, inf_policy="error")
    utterances = []
    for default_id, record in _records(path):
        utterance_id = str(record.get("id") or default_id)
        if "words" not in record and "text" not in record:
            raise DataError("needs a 'text' or 'words' field", path=str(path), utterance_id=utterance_id,
                            field_name="text")
        words = record["words"] if "words" in record else str(record["text"] or "").split()
        utterances.append(checker.make(utterance_id, words, record.get("acoustic"), record.get("visual"),
                                       0.0, "test"))
    if not utterances:
        raise DataError("no utterances in file", path=str(path))
    return utterances
