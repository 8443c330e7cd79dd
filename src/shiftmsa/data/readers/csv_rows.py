"""Reading CSV tables with errors that name the file and the missing column."""

from __future__ import annotations

import csv
from pathlib import Path

from shiftmsa.data.contract import DataError


def read_csv_rows(path: str | Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """All rows of a CSV file with a header, checking that ``required`` columns are present.

    Raises:
        DataError: naming the file when it is missing or lacks a required column.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=str(path))
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        columns = reader.fieldnames or []
        missing = [column for column in required if column not in columns]
        if missing:
            raise DataError(f"missing column(s) {missing}; found {columns}", path=str(path), field_name=missing[0])
        return list(reader)
