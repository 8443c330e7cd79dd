"""Small file helpers: every file the project writes is written atomically, and files checksummed.

A file is written to a temporary file beside it (same folder, so the same file system), synced to
disk and renamed over its final name (``os.replace``), so a reader sees the old file or the new
one, never part of either; a failure (a full disk, an interrupted command) leaves the old file as
it was and no temporary behind. Files that belong together are renamed only once all are written
(``write_together``), a folder of files is swapped in whole (``write_folder_atomically``). Appends (``results.jsonl``, logs) are not replacements and do not
come through here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import IO, Any, Callable, Iterator


class _Staged:
    """A temporary file beside ``path``, open for writing, to be synced and renamed over ``path``
    (``commit``) or removed (``discard``); an ``OSError`` on the way names ``path``."""

    def __init__(self, path: Path, mode: str, open_options: dict[str, Any]):
        if mode not in ("w", "wb"):
            raise ValueError(f"files are written whole (mode 'w' or 'wb'), not with mode {mode!r}")
        if mode == "w":
            open_options.setdefault("encoding", "utf-8")
        self.path = path
        self.temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        with self._naming_path():
            self.handle = open(self.temporary, mode.replace("w", "x"), **open_options)

    @contextlib.contextmanager
    def _naming_path(self) -> Iterator[None]:
        try:
            yield
        except OSError as error:
            if error.filename is None or error.filename == str(self.temporary):
                raise OSError(error.errno, error.strerror, str(self.path)) from error
            raise

    def sync(self) -> None:
        with self._naming_path():
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()

    def commit(self) -> None:
        with self._naming_path():
            os.replace(self.temporary, self.path)

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # closing flushes again, and a full disk refuses again
            self.handle.close()
        self.temporary.unlink(missing_ok=True)


@contextlib.contextmanager
def replacing(path: str | Path, mode: str = "w", **open_options: Any) -> Iterator[IO]:
    """A handle on a temporary file beside ``path``; once the block ends without error it is
    synced and renamed over ``path``, otherwise removed and ``path`` left as it was.

    Args:
        path: the file to (re)write; its folder must exist.
        mode: ``"w"`` (text, UTF-8 unless ``encoding`` says otherwise) or ``"wb"``.
        open_options: passed to ``open`` (``newline=""`` for csv writers).

    Raises:
        OSError: naming ``path`` (a full disk's ``ENOSPC`` otherwise names no file).
    """
    staged = _Staged(Path(path), mode, open_options)
    try:
        yield staged.handle
        staged.sync()
        staged.commit()
    except BaseException:
        staged.discard()
        raise
    _sync_folder(Path(path).parent)


def write_together(writers: dict[Path, Callable[[IO[bytes]], None]]) -> None:
    """Several files that belong together: each ``writers[path](handle)`` writes one to a
    temporary file; only when every one is written and synced are they renamed, in the dict's
    order, so a failure while writing leaves every old file as it was."""
    staged: list[_Staged] = []
    try:
        for path, write in writers.items():
            staged.append(_Staged(Path(path), "wb", {}))
            write(staged[-1].handle)
        for item in staged:
            item.sync()
        for item in staged:
            item.commit()
    except BaseException:
        for item in staged:
            item.discard()
        raise
    for folder in {item.path.parent for item in staged}:
        _sync_folder(folder)


def write_text(path: str | Path, text: str) -> None:
    """``text`` as the whole of ``path`` (UTF-8), atomically (``replacing``)."""
    with replacing(path) as handle:
        handle.write(text)


def write_json(path: str | Path, payload: Any) -> None:
    """``payload`` as indented JSON with sorted keys and a final newline, atomically."""
    write_text(path, json.dumps(payload, indent=2, sort_keys=True) + "\n")


def write_folder_atomically(folder: str | Path, write: Callable[[Path], None]) -> None:
    """Call ``write(staging_folder)`` on an empty folder beside ``folder``, sync what it wrote,
    then swap it in for ``folder``: a failure leaves the old folder whole."""
    folder = Path(folder)
    staging = folder.with_name(folder.name + ".partial")
    retired = folder.with_name(folder.name + ".old")
    for leftover in (staging, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        write(staging)
        _sync_tree(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if folder.exists():
        folder.rename(retired)
    staging.rename(folder)
    shutil.rmtree(retired, ignore_errors=True)
    _sync_folder(folder.parent)


def _sync_tree(folder: Path) -> None:
    """Every file under ``folder`` and the folders themselves, on disk."""
    for root, _, names in os.walk(folder):
        for name in names:
            descriptor = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        _sync_folder(Path(root))


def _sync_folder(folder: Path) -> None:
    """The folder's entries (a rename) on disk, where the system lets a folder be synced."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems refuse to sync a folder; the rename itself is still atomic
    finally:
        os.close(descriptor)


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
