"""Reading CSV tables with errors that name the file and the missing column."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from shiftmsa.data.contract import DataError
from shiftmsa.data.readers.text_files import read_utf8


def read_csv_rows(path: str | Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """All rows of a CSV file with a header, checking that ``required`` columns are present.

    Raises:
        DataError: naming the file when it is missing, is not UTF-8 or lacks a required column.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("file not found", path=str(path))
    reader = csv.DictReader(io.StringIO(read_utf8(path), newline=""))
    columns = reader.fieldnames or []
    missing = [column for column in required if column not in columns]
    if missing:
        raise DataError(f"missing column(s) {missing}; found {columns}", path=str(path), field_name=missing[0])
    return list(reader)
