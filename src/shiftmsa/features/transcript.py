"""Transcript text -> words, in the style of the MOSI transcripts the models are trained on."""

from __future__ import annotations

import re
from pathlib import Path

from shiftmsa.data.readers.text_files import read_utf8

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?[a-z0-9]*%?"
_WORD = re.compile(rf"{_NUMBER}|[a-z0-9]+(?:'[a-z0-9]+)*")


def split_words(text: str) -> tuple[str, ...]:
    """Lower-cased words with inner apostrophes kept ("Didn't, really!" -> ("didn't", "really")); a
    number keeps its thousands commas, decimal part, suffix and percent sign ("1,000", "3.5", "25%",
    "1990s") so that it can be spelled out whole."""
    return tuple(_WORD.findall(text.lower().replace("\u2019", "'")))


def read_transcript(text_or_file: str) -> str:
    """The argument itself, or the content of the file it names when such a file exists (a
    ``DataError`` naming the file and line when that is not UTF-8)."""
    path = Path(text_or_file)
    try:
        return read_utf8(path) if path.is_file() else text_or_file
    except OSError:
        return text_or_file
