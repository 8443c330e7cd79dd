"""Outputs checked before any long work: a command that would train, predict or extract for
minutes first makes sure it can write where it was told to (``--output``, ``-o``, ``OUT``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from shiftmsa.cli.reporting import CommandError


def check_output_folder(folder: str | Path, option: str) -> None:
    """Refuse ``folder`` (given as ``option``) when a file is in its place or it cannot be
    created or written in (a read-only or unwritable folder above it)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise CommandError(f"{option} {folder}: a file is there, not a folder; name a folder")
    _check_writable(_nearest_existing(folder, option), option, folder)


def check_output_file(path: str | Path, option: str, suffixes: tuple[str, ...] = ()) -> None:
    """Refuse the file ``path`` (given as ``option``) when a folder is in its place, its suffix
    is not one of ``suffixes`` (when given), or its folder cannot be created or written in."""
    path = Path(path)
    if path.is_dir():
        raise CommandError(f"{option} {path}: a folder is there, not a file; name a file")
    if suffixes and path.suffix.lower() not in suffixes:
        raise CommandError(f"{option} {path}: writes {' or '.join(suffixes)} files only; name the file so "
                           f"(e.g. {path.with_suffix(suffixes[0]).name})")
    _check_writable(_nearest_existing(path.parent, option), option, path)


def _nearest_existing(path: Path, option: str) -> Path:
    """``path`` or the closest of its parents that exists; a file there cannot hold folders."""
    for candidate in (path, *path.absolute().parents):
        if candidate.exists():
            if not candidate.is_dir():
                raise CommandError(f"{option} {path}: {candidate} is a file, not a folder")
            return candidate
    return Path("/")


def _check_writable(folder: Path, option: str, target: Path) -> None:
    """Create (and at once remove) a file in ``folder``: the one honest test (a root user is
    refused by a read-only file system, not by permission bits)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise CommandError(f"{option} {target}: cannot write in {folder} ({error.strerror})") from None
