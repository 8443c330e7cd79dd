"""Reading JSON-lines files with errors that name the file and the line."""

from __future__ import annotations

import json
from pathlib import Path

from shiftmsa.data.contract import DataError
from shiftmsa.data.readers.text_files import read_utf8


def read_jsonl(path: str | Path, required: tuple[str, ...]) -> list[dict]:
    """One dict per non-empty line, each checked to hold the ``required`` keys.

    Raises:
        DataError: naming the file, the line's ``id`` (or line number) and the missing key.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=str(path))
    records = []
    for number, line in enumerate(read_utf8(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"line {number} is not valid JSON ({error})", path=str(path)) from None
        if not isinstance(record, dict):
            raise DataError(f"line {number} is not a JSON object", path=str(path))
        missing = [key for key in required if key not in record]
        if missing:
            raise DataError(f"line {number} lacks {missing}", path=str(path),
                            utterance_id=str(record.get("id", f"line {number}")), field_name=missing[0])
        records.append(record)
    return records
