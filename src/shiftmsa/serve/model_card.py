"""What the page says of the served model: name, preset, training data, and the test metrics of
its run as the experiment's store recorded them.

A checkpoint written by a run sits at ``<experiment>/<model>/seed-<n>/best``; its run folder
(``seed-<n>``) keeps the run's identity in ``fingerprint.json`` and the experiment's store
(``<experiment>/results.jsonl``) keeps one record per finished run, keyed by seed and the
identity's digest. A bundle names the checkpoint it was exported from. Torch-free, so that a
bundle is served without torch.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from shiftmsa.store.records import ResultStore

# store.run_folders.FINGERPRINT_FILE, whose module imports torch (through the model registry);
# tests/serve check that both name the same file and give the same digest
FINGERPRINT_FILE = "fingerprint.json"


def run_folder_digest(run_folder: Path) -> str | None:
    """The store's key of the run in ``run_folder``: ``store.fingerprint.fingerprint_digest``
    (16 hex digits of the SHA-256 of the canonical identity text) of the identity the folder
    recorded, or None when it recorded none."""
    path = run_folder / FINGERPRINT_FILE
    if not path.is_file():
        return None
    identity = json.loads(path.read_text(encoding="utf-8"))
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def stored_record(checkpoint: Path, seed: int | None) -> tuple[dict | None, str]:
    """The store record of the run that wrote ``checkpoint``, and where it was looked for (or
    why it could not be)."""
    checkpoint = Path(checkpoint)
    if len(checkpoint.parts) < 4 or seed is None:
        return None, f"{checkpoint} is not a run's <experiment>/<model>/seed-<n>/best folder"
    try:
        digest = run_folder_digest(checkpoint.parent)
    except (OSError, ValueError) as error:  # a damaged identity leaves the card without metrics, nothing more
        return None, f"{checkpoint.parent / FINGERPRINT_FILE} is not readable JSON ({' '.join(str(error).split())})"
    store = ResultStore(checkpoint.parents[2])
    if digest is None:
        return None, f"{checkpoint.parent / FINGERPRINT_FILE} is missing"
    for record in store.records():
        if record.get("seed") == seed and record.get("fingerprint") == digest:
            return record, str(store.path)
    return None, f"{store.path} holds no record of seed {seed} with fingerprint {digest}"


def model_card(served: str, folder: Path, model: dict, data: dict, training: dict,
               checkpoint: Path | None, extra: dict | None = None) -> dict:
    """The card of a served model.

    Args:
        served: ``checkpoint`` or ``bundle``.
        folder: what is served.
        model: ``name``, ``preset`` and ``config`` as the checkpoint recorded them.
        data: the checkpoint's ``data`` record (corpus, feature widths and extractors).
        training: the checkpoint's ``training`` record (seed, epoch, run configuration).
        checkpoint: the training checkpoint behind it (itself, or the one a bundle came from).
        extra: more fields (a bundle's quantization).
    """
    run_data = training.get("run_config", {}).get("data", {})
    config = model.get("config", {})
    record, looked_in = stored_record(checkpoint, training.get("seed")) if checkpoint else (None, "no checkpoint")
    return {
        "served": served, "path": str(folder), "model": model["name"], "preset": model.get("preset"),
        "modalities": list(config.get("modalities", ("text",))), "encoder": config.get("encoder"), **(extra or {}),
        "trained_on": {"corpus": data.get("corpus"), "path": run_data.get("path"), "format": run_data.get("format"),
                       "options": run_data.get("options", {}), "max_length": data.get("max_length"),
                       "acoustic_dim": data.get("acoustic_dim"), "visual_dim": data.get("visual_dim"),
                       "feature_names": data.get("feature_names", {})},
        "seed": training.get("seed"), "epoch": training.get("epoch"),
        "test": record.get("test") if record else None,
        "record": looked_in if record else None,
        "no_record": None if record else looked_in,
    }
