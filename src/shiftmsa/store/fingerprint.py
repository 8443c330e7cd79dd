"""Run fingerprints: what makes two runs the same run, stable across releases.

A fingerprint is the text of everything that changes a run's results: the run configuration
(``RunConfig.fingerprint``: fields added after the first release count only away from their
defaults) plus the defaults of the model's config that differ from the first release's
(``fingerprint_baseline.MODEL_DEFAULTS_V1``). So a new option left at its default keeps every
stored run's fingerprint, and a changed default (say msg-mba's RNN) gives new ones to the runs
it changes. A run with a preset also carries the preset's overrides as they are now, so
redefining a preset (as Table III's "no proposed modules" was) gives its runs new fingerprints.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from shiftmsa.config import RunConfig
from shiftmsa.models.registry import model_spec
from shiftmsa.store.fingerprint_baseline import MODEL_DEFAULTS_V1

MISSING = object()


def model_default_changes(name: str) -> dict[str, Any]:
    """The defaults of model ``name``'s config that differ from the first release's (every field,
    for a model or field the baseline does not list)."""
    defaults = json.loads(json.dumps(dataclasses.asdict(model_spec(name).config_class())))
    baseline = MODEL_DEFAULTS_V1.get(name, {})
    return {key: value for key, value in defaults.items() if baseline.get(key, MISSING) != value}


def fingerprint_text(config: RunConfig) -> str:
    """The canonical JSON text of what changes ``config``'s results (see the module docstring)."""
    relevant = json.loads(config.fingerprint())
    changes = model_default_changes(config.model.name)
    if changes:
        relevant["model_defaults"] = changes
    preset = model_spec(config.model.name).presets.get(config.model.preset)  # an unknown one is refused elsewhere
    if preset is not None:
        relevant["preset_overrides"] = json.loads(json.dumps(preset))
    return json.dumps(relevant, sort_keys=True)


def fingerprint_digest(config: RunConfig) -> str:
    """16 hex digits of the SHA-256 of ``fingerprint_text``: the store's key with model and seed."""
    return hashlib.sha256(fingerprint_text(config).encode()).hexdigest()[:16]


def fingerprint_differences(stored: dict, current: dict, prefix: str = "") -> list[str]:
    """``key: old -> new`` for every leaf where two fingerprint texts (as dicts) differ."""
    differences = []
    for key in sorted(set(stored) | set(current)):
        old, new = stored.get(key, MISSING), current.get(key, MISSING)
        if isinstance(old, dict) and isinstance(new, dict):
            differences += fingerprint_differences(old, new, f"{prefix}{key}.")
        elif old != new:
            differences.append(f"{prefix}{key}: {_shown(old)} -> {_shown(new)}")
    return differences


def _shown(value: Any) -> str:
    return "(unset)" if value is MISSING else json.dumps(value)
