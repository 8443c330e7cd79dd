"""The append-safe result store of an experiment folder: one JSON line per finished run.

Lines are appended whole and flushed to disk, so a run killed at any moment leaves every earlier
record intact; a torn last line (a crash mid-write) is ignored when reading, with a warning.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

RESULTS_FILE = "results.jsonl"


class ResultStore:
    """Records of finished runs under ``folder/results.jsonl``.

    Each record holds at least ``model`` (the table label), ``seed``, ``fingerprint`` (what
    changes results, see ``RunConfig.fingerprint``) and ``test`` / ``valid`` metric mappings.
    """

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / RESULTS_FILE

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        records = []
        for number, line in enumerate(self.path.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                warnings.warn(f"{self.path}: line {number} is not valid JSON (a run interrupted while "
                              f"writing?); it is ignored")
        return records

    def find(self, model: str, seed: int, fingerprint: str) -> dict[str, Any] | None:
        for record in self.records():
            if (record["model"], record["seed"], record["fingerprint"]) == (model, seed, fingerprint):
                return record
        return None

    def append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, sort_keys=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
