"""The result store of an experiment folder: one JSON line per finished run.

Appends happen under an exclusive file lock (``results.jsonl.lock``), so several processes on
one folder never interleave lines nor store a run twice; each line is written whole and synced
to disk. A torn last line (a crash mid-write) is skipped with a notice when reading, and the
next append starts on a line of its own, so it is never glued onto the torn one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from shiftmsa.notices import notify
from shiftmsa.store.locking import exclusive_lock

RESULTS_FILE = "results.jsonl"


class ResultStore:
    """Records of finished runs under ``folder/results.jsonl``.

    Each record holds at least ``model`` (the table label), ``seed``, ``fingerprint`` (what
    changes results, see ``training.fingerprint``) and ``test`` / ``valid`` metric mappings.

    Args:
        folder: the experiment folder.
    """

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / RESULTS_FILE
        self.lock_path = self.path.with_name(RESULTS_FILE + ".lock")

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        records = []
        for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                notify(f"{self.path}: line {number} is not valid JSON (torn by a run interrupted while "
                       f"writing it?); that line is skipped, the other records are used")
        return records

    def find(self, model: str, seed: int, fingerprint: str) -> dict[str, Any] | None:
        for record in self.records():
            if (record["model"], record["seed"], record["fingerprint"]) == (model, seed, fingerprint):
                return record
        return None

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        """Store ``record`` unless a record of the same (model, seed, fingerprint) is already
        there; returns the stored one."""
        with exclusive_lock(self.lock_path):
            stored = self.find(record["model"], record["seed"], record["fingerprint"])
            if stored is not None:
                return stored
            line = json.dumps(record, sort_keys=True) + "\n"
            with open(self.path, "ab") as handle:
                if handle.tell() and not _ends_with_newline(self.path):
                    line = "\n" + line  # end a torn last line, so this record stays readable
                handle.write(line.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            return record


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"
