"""Which folder a run trains in: never one that holds a run of other settings.

A run folder (``<experiment>/<model>/seed-<n>``) records the fingerprint text of the settings it
was created for in ``fingerprint.json``. A run of other settings (another learning rate, more
epochs, a changed model default) does not reuse, resume or overwrite it: it trains in
``seed-<n>-<digest>``, a folder of its own, and the caller is told what differs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shiftmsa.files import write_json
from shiftmsa.store.fingerprint import fingerprint_differences

FINGERPRINT_FILE = "fingerprint.json"


@dataclass
class RunFolder:
    """The folder a run trains in, and why it is not the plain ``seed-<n>`` one when it is not.

    Args:
        path: the run folder.
        differences: when ``seed-<n>`` holds a run of other settings, what differs
            (``key: old -> new``); empty otherwise.
        displaced: that other run's folder, or None.
    """

    path: Path
    differences: list[str]
    displaced: Path | None = None


def _stored_fingerprint(folder: Path) -> dict | None:
    """The fingerprint a run folder was created for; {} for a folder of an older release (it
    has content but no record, so its settings are unknown); None when the folder is unused."""
    path = folder / FINGERPRINT_FILE
    if path.is_file():
        return json.loads(path.read_text())
    return {} if folder.is_dir() and any(folder.iterdir()) else None


def claim_run_folder(model_folder: Path, seed: int, text: str, digest: str) -> RunFolder:
    """The folder for the run of ``seed`` whose fingerprint is ``text`` (digest ``digest``),
    created and marked with its fingerprint. Call it under the run's lock.

    Args:
        model_folder: ``<experiment>/<model>``.
        seed: the run's seed.
        text: ``fingerprint_text`` of the run's configuration.
        digest: ``fingerprint_digest`` of it.
    """
    current = json.loads(text)
    plain = model_folder / f"seed-{seed}"
    stored = _stored_fingerprint(plain)
    if stored is None or stored == current:
        return RunFolder(_marked(plain, current), [])
    differences = fingerprint_differences(stored, current) if stored else ["settings unknown (older release)"]
    return RunFolder(_marked(model_folder / f"seed-{seed}-{digest}", current), differences, plain)


def _marked(folder: Path, fingerprint: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / FINGERPRINT_FILE).is_file():
        write_json(folder / FINGERPRINT_FILE, fingerprint)
    return folder
