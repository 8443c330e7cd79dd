"""Reading UTF-8 text files with an error that names the file and the line of a bad byte."""

from __future__ import annotations

from pathlib import Path

from shiftmsa.data.contract import DataError


def read_utf8(path: str | Path) -> str:
    """The text of ``path``.

    Raises:
        DataError: naming the file, and the line and byte offset of the first byte that is not
            UTF-8, when it is not UTF-8 text.
    """
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise DataError(f"line {line} is not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start}); "
                        f"save the file as UTF-8", path=str(path)) from None
