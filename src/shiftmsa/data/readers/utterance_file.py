"""Utterances to score, from a JSONL or CSV file (``shiftmsa predict --input``).

JSONL: one object per line with ``id`` (optional: ``utterance<n>``, n counting from 1), ``text`` (or ``words``, a
list), and optional ``acoustic`` / ``visual`` (a list of rows, one per word or a single row for
the whole utterance). CSV: columns ``id`` (optional) and ``text``; text only. Every utterance goes
through the same checks as a training corpus (``UtteranceChecker``); infinite feature values are
refused rather than repaired, since nothing here is a dataset whose habits are known.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from shiftmsa.data.contract import DataError, DataReport, Utterance
from shiftmsa.data.readers.csv_rows import read_csv_rows
from shiftmsa.data.readers.jsonl import read_jsonl
from shiftmsa.data.validation import UtteranceChecker


def _records(path: Path) -> list[dict]:
    """The records of a CSV (needs a ``text`` column) or JSON-lines file."""
    if path.suffix.lower() != ".csv":
        return read_jsonl(path, required=())
    return read_csv_rows(path, required=("text",))


def read_utterance_file(path: str | Path) -> list[Utterance]:
    """Read utterances to score from ``path`` (.jsonl, or .csv); labels are 0, split ``test``."""
    path = Path(path)
    if not path.is_file():
        raise DataError("no such file", path=str(path))
    return utterances_from_records(_records(path), str(path))


def utterances_from_records(records: Iterable[dict], source: str) -> list[Utterance]:
    """Utterances to score from records of the JSONL schema above (also the body of the scoring
    service's ``POST /predict``); ``source`` names where they came from in errors."""
    checker = UtteranceChecker(source, DataReport(), word_aligned=None, inf_policy="error")
    utterances = []
    for number, record in enumerate(records, start=1):
        utterance_id = str(record.get("id") or f"utterance{number}")
        if "words" not in record and "text" not in record:
            raise DataError("needs a 'text' or 'words' field", path=source, utterance_id=utterance_id,
                            field_name="text")
        words = record["words"] if "words" in record else str(record["text"] or "").split()
        utterances.append(checker.make(utterance_id, words, record.get("acoustic"), record.get("visual"),
                                       0.0, "test"))
    if not utterances:
        raise DataError("no utterances", path=source)
    return utterances
