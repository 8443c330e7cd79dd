"""Rewrite a store's fingerprints from the first scheme to today's, once.

A record keeps everything but its ``fingerprint``: the digest the first scheme gave its
configuration (``legacy_fingerprint``) becomes the digest of today's ``run_identity`` of the same
configuration. A record's configuration is its run folder's ``config.yaml`` when the folder was
kept, else a base configuration (the data and training sections of the command that made the
store: its ``config.yaml``, or what the caller gives) with the record's own model, preset and
params.
A record that no given configuration reproduces is left as it is and reported: no run of
today's code would have found it before the change either. Running it again changes nothing.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

from shiftmsa.config import ModelConfig, RunConfig, config_from_dict, load_config
from shiftmsa.files import write_json
from shiftmsa.store.fingerprint import fingerprint_digest, run_identity
from shiftmsa.store.legacy_fingerprint import legacy_fingerprint_digest, legacy_fingerprint_text
from shiftmsa.store.locking import exclusive_lock
from shiftmsa.store.records import ResultStore
from shiftmsa.store.run_folders import FINGERPRINT_FILE

RUN_CONFIG_FILE = "config.yaml"


@dataclass
class MigrationReport:
    """What ``migrate_store`` did to one store.

    Args:
        folder: the experiment folder.
        migrated: records whose fingerprint was rewritten.
        current: records that already carried today's fingerprint of a given configuration.
        unmatched: ``model seed fingerprint`` of records no given configuration reproduces.
        run_folders: run folders whose ``fingerprint.json`` was rewritten.
    """

    folder: Path
    migrated: int = 0
    current: int = 0
    unmatched: list[str] = field(default_factory=list)
    run_folders: int = 0


def experiment_config(folder: Path) -> RunConfig | None:
    """The configuration the command that wrote ``folder`` recorded in its ``config.yaml`` (a
    compare's without its list of models: each record names its own), or None."""
    path = Path(folder) / RUN_CONFIG_FILE
    if not path.is_file():
        return None
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    values.pop("models", None)
    return config_from_dict(values)


def run_folder_configs(folder: Path) -> list[RunConfig]:
    """The configurations recorded in ``folder``'s run folders (``<model>/seed-<n>*/config.yaml``)."""
    return [load_config(path) for path in sorted(Path(folder).glob(f"*/seed-*/{RUN_CONFIG_FILE}"))]


def record_configs(records: Iterable[dict], base: RunConfig) -> list[RunConfig]:
    """``base`` with each record's model (name, preset, params as the record stores them)."""
    configs = []
    for record in records:
        config = copy.deepcopy(base)
        config.model = ModelConfig(record["name"], record.get("preset"), dict(record.get("params") or {}))
        configs.append(config)
    return configs


def migrate_store(folder: str | Path, bases: Iterable[RunConfig] = ()) -> MigrationReport:
    """Give the records of ``folder/results.jsonl`` today's fingerprints (see the module docstring).

    Args:
        folder: an experiment folder.
        bases: configurations whose data and training sections the store's runs had (the
            command's); its ``config.yaml`` and its run folders' configurations are always tried.
    """
    folder = Path(folder)
    records = ResultStore(folder).records()
    bases = [base for base in (experiment_config(folder), *bases) if base is not None]
    configs = [*run_folder_configs(folder), *(c for base in bases for c in record_configs(records, base))]
    today = {(config.model.label, fingerprint_digest(config)) for config in configs}
    mapping = {(config.model.label, legacy_fingerprint_digest(config)): fingerprint_digest(config)
               for config in configs}
    report = MigrationReport(folder)
    store = ResultStore(folder)
    with exclusive_lock(store.lock_path):
        if store.path.exists():
            lines = store.path.read_text(encoding="utf-8").splitlines(keepends=True)
            rewritten = [_migrated_line(line, mapping, today, report) for line in lines]
            if rewritten != lines:
                _replace_text(store.path, "".join(rewritten))
    for config_path in sorted(folder.glob(f"*/seed-*/{RUN_CONFIG_FILE}")):
        report.run_folders += _migrate_run_folder(config_path.parent, load_config(config_path))
    return report


def _migrated_line(line: str, mapping: dict, today: set, report: MigrationReport) -> str:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return line  # a torn line stays as it is: the store skips it when reading
    key = (record["model"], record["fingerprint"])
    if key in today:
        report.current += 1
        return line
    if key not in mapping:
        report.unmatched.append(f"{record['model']} seed {record['seed']} {record['fingerprint']}")
        return line
    report.migrated += 1
    record["fingerprint"] = mapping[key]
    return json.dumps(record, sort_keys=True) + ("\n" if line.endswith("\n") else "")


def _migrate_run_folder(run_folder: Path, config: RunConfig) -> int:
    """Rewrite a run folder's ``fingerprint.json`` when it holds the first scheme's text of its config."""
    path = run_folder / FINGERPRINT_FILE
    if not path.is_file() or json.loads(path.read_text()) != json.loads(legacy_fingerprint_text(config) or "null"):
        return 0
    write_json(path, run_identity(config))
    return 1


def _replace_text(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, sync it, then rename it over ``path``."""
    temporary = path.with_name(path.name + ".migrating")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
