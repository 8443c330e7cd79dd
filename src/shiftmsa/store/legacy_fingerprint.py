"""The first fingerprint scheme (85d8207 to 5b37c4d), kept only to migrate stores written under it.

That scheme fingerprinted the run configuration with ``model.params`` as typed, dropped run fields
added after its first release while at their default, and added the model defaults that differed
from the first release's plus the preset's overrides. Its inputs are frozen in
``legacy_fingerprint_inputs.json`` (the defaults and presets as they were when it was replaced),
so the digest of a configuration under it never changes, whatever later releases do to the live
classes. ``shiftmsa.store.migration`` maps each stored record from this digest to today's.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import resources
from typing import Any

from shiftmsa.config import RunConfig

MISSING = object()


@lru_cache(maxsize=1)
def _inputs() -> dict[str, Any]:
    return json.loads(resources.files("shiftmsa.store").joinpath("legacy_fingerprint_inputs.json").read_text())


def legacy_fingerprint_text(config: RunConfig) -> str | None:
    """The first scheme's fingerprint text of ``config``; None for a model it never knew."""
    inputs = _inputs()
    name, preset = config.model.name, config.model.preset
    if name not in inputs["model_defaults"]:
        return None
    values = json.loads(json.dumps(config.to_dict()))
    relevant: dict[str, Any] = {}
    for section, defaults in inputs["section_defaults"].items():
        relevant[section] = {}
        for key, default in defaults.items():
            if section == "train" and key in inputs["not_fingerprinted_train_fields"]:
                continue
            value = values[section].get(key, default)
            if f"{section}.{key}" in inputs["v1_run_fields"] or value != default:
                relevant[section][key] = value
    first_release = inputs["model_defaults_v1"].get(name, {})
    changes = {key: value for key, value in inputs["model_defaults"][name].items()
               if first_release.get(key, MISSING) != value}
    if changes:
        relevant["model_defaults"] = changes
    overrides = inputs["presets"][name].get(preset)
    if overrides is not None:
        relevant["preset_overrides"] = overrides
    return json.dumps(relevant, sort_keys=True)


def legacy_fingerprint_digest(config: RunConfig) -> str | None:
    """16 hex digits of the SHA-256 of ``legacy_fingerprint_text``, as the first scheme stored them."""
    text = legacy_fingerprint_text(config)
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()[:16]
