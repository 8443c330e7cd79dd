"""Small file helpers: JSON records and configurations written, files checksummed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def write_json(path: Path, payload: Any) -> None:
    """``payload`` as indented JSON with sorted keys and a final newline."""
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as hex, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_problem(folder: Path, recorded: dict[str, str]) -> tuple[str, Path, str] | None:
    """The first file of ``recorded`` (``{name: SHA-256}``) that is not as recorded in ``folder``,
    as ``(name, path, "missing" | "changed")``; None when every file is."""
    for name, expected in recorded.items():
        path = Path(folder) / name
        if not path.is_file():
            return name, path, "missing"
        if file_sha256(path) != expected:
            return name, path, "changed"
    return None
