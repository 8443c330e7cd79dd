"""Run identity: what makes two runs the same run, for the store and for search studies alike.

A run's identity is everything that changes its results, resolved: the data (for data on files,
the digest of what was read, ``shiftmsa.data.identity``, in place of the path, format and reader
options; for data generated in memory, its data section as given), the other fields of the data
section, the training protocol (without where a run writes, how fast it runs and which seeds it
covers), and the model as it is built: its name, preset and every field of its config after defaults, the
preset and ``model.params`` are applied. So ``--set model.params.gate=scalar`` is the same run as
the default when the default is scalar, a changed default or a redefined preset gives the runs it
changes new identities, and nothing depends on how a value was spelled.

A field added to a config after stores exist is declared with ``shiftmsa.config.later_field``
and the value at which it behaves as before it existed: at that value it stays out of the
identity, so stored runs keep theirs. (A field added without it changes every stored run's
identity; the test of the committed stores then fails and says so.)

The path is not part of the identity: stores are found again from any clone location, and a run
read from ``.carry/data/mosi`` on a lent GPU is the same run as one read from
``../shared/data/mosi`` when what was read is the same. The path is recorded beside the digest in
each store record (``data``), to say what changed when a rerun finds the same path with other data.

Stores written under the earlier schemes (the first one before 2026-12-05, then the data path as
typed until the content digest) are rewritten once by ``shiftmsa.store.migration``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from shiftmsa.config import FINGERPRINT_NEUTRAL, RunConfig
from shiftmsa.data.identity import READ_FIELDS, DataIdentity, is_generated
from shiftmsa.models.registry import model_spec

# Where a run writes, how fast it runs and which seeds it covers do not change its results.
NOT_FINGERPRINTED_TRAIN_FIELDS = ("accelerator", "devices", "strategy", "num_threads", "eval_batch_size",
                                  "seeds", "keep_checkpoint", "collective_timeout")
MISSING = object()


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _without_neutral(instance: Any, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` less the fields of ``instance``'s dataclass that sit at their declared neutral value."""
    neutral = {f.name: _jsonable(f.metadata[FINGERPRINT_NEUTRAL]) for f in dataclasses.fields(instance)
               if FINGERPRINT_NEUTRAL in f.metadata}
    return {key: value for key, value in values.items() if neutral.get(key, MISSING) != value}


def resolved_model_values(config: RunConfig) -> dict[str, Any]:
    """Every field of ``config.model``'s config: its defaults, then its preset, then ``model.params``."""
    spec = model_spec(config.model.name)
    defaults = spec.config_class()
    values = {**dataclasses.asdict(defaults), **spec.presets.get(config.model.preset, {}), **config.model.params}
    return _without_neutral(defaults, _jsonable(values))


def run_identity(config: RunConfig, data: DataIdentity | None = None) -> dict[str, Any]:
    """What changes ``config``'s results (see the module docstring), as JSON-ready values.

    Args:
        config: the run's configuration.
        data: ``identify_data(config.data)``; None (the default) only for data generated in memory.

    Raises:
        ValueError: data on files without its identity.
    """
    section = _without_neutral(config.data, _jsonable(dataclasses.asdict(config.data)))
    if not is_generated(config.data):
        if data is None:
            raise ValueError(f"the run identity of data on files needs its content digest ({config.data.path})")
        section = {**{key: value for key, value in section.items() if key not in READ_FIELDS},
                   "content": data.digest}
    return _identity(config, section)


def typed_path_identity(config: RunConfig) -> dict[str, Any]:
    """The identity of 2026-12-05 until the content digest: the data section as typed, path
    included and no content. Only ``shiftmsa.store.migration`` reads stores by it."""
    return _identity(config, _without_neutral(config.data, _jsonable(dataclasses.asdict(config.data))))


def _identity(config: RunConfig, data_section: dict[str, Any]) -> dict[str, Any]:
    train = {key: value for key, value in dataclasses.asdict(config.train).items()
             if key not in NOT_FINGERPRINTED_TRAIN_FIELDS}
    return {"data": data_section,
            "train": _without_neutral(config.train, _jsonable(train)),
            "model": {"name": config.model.name, "preset": config.model.preset,
                      "config": resolved_model_values(config)}}


def identity_text(identity: dict[str, Any]) -> str:
    """The canonical JSON text of an identity."""
    return json.dumps(identity, sort_keys=True)


def identity_digest(identity: dict[str, Any]) -> str:
    """16 hex digits of the SHA-256 of ``identity_text``: the store's key with model and seed."""
    return hashlib.sha256(identity_text(identity).encode()).hexdigest()[:16]


def fingerprint_text(config: RunConfig, data: DataIdentity | None = None) -> str:
    """The canonical JSON text of ``run_identity``."""
    return identity_text(run_identity(config, data))


def fingerprint_digest(config: RunConfig, data: DataIdentity | None = None) -> str:
    """The store's key of ``config`` on ``data`` with model and seed: ``identity_digest`` of ``run_identity``."""
    return identity_digest(run_identity(config, data))


def fingerprint_differences(stored: dict, current: dict, prefix: str = "") -> list[str]:
    """``key: old -> new`` for every leaf where two identities (as dicts) differ."""
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
