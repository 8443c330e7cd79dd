"""Rewrite a store's fingerprints from an earlier scheme to today's, once.

Two earlier schemes are read: the first one (``legacy_fingerprint``, before 2026-12-05) and the
data path as typed (``fingerprint.typed_path_identity``, 2026-12-05 until the content digest). A
record keeps everything but its ``fingerprint`` and gains ``data``: the digest an earlier scheme
gave its configuration becomes the digest of today's ``run_identity`` of the same configuration
on its data. A record's configuration is its run folder's ``config.yaml`` when the folder was
kept, else a base configuration (the data and training sections of the command that made the
store: its ``config.yaml``, or what the caller gives) with the record's own model, preset and
params.

An earlier record holds nothing of its data's content, so the digest is taken from the data as
it is now at the configuration's path (resolved from the working folder, or moved by
``data_at``), and the record says so in ``data.note``: the migration assumes that data unchanged
since the run. A record that no given configuration reproduces, or whose data is not found or
not readable today, is left as it is and reported: no run of today's code would find it. Running
it again changes nothing.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

import yaml

from shiftmsa.config import ModelConfig, RunConfig, as_recorded, config_from_dict
from shiftmsa.data.contract import DataError
from shiftmsa.data.identity import DataIdentity, identify_data, is_generated
from shiftmsa.files import write_json
from shiftmsa.store.fingerprint import (fingerprint_digest, identity_digest, identity_text, run_identity,
                                        typed_path_identity)
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
        missing_data: data paths (as typed) of configurations whose data was not found (with
            where they were looked for) or that today's readers refuse (with why).
    """

    folder: Path
    migrated: int = 0
    current: int = 0
    unmatched: list[str] = field(default_factory=list)
    run_folders: int = 0
    missing_data: list[str] = field(default_factory=list)


def moved_path(path: str, data_at: Mapping[str, str]) -> str:
    """``path`` with the first ``data_at`` prefix it starts with (a whole folder name) replaced."""
    for old, new in data_at.items():
        old = old.rstrip("/")
        if path == old or path.startswith(old + "/"):
            return new.rstrip("/") + path[len(old):]
    return path


class DataIdentities:
    """The identity of each configuration's data as it is now, each data set read once.

    Args:
        data_at: ``{path prefix as typed: where it is now}``.
        today: the date written into each identity's note.
    """

    def __init__(self, data_at: Mapping[str, str], today: str):
        self.data_at, self.today = data_at, today
        self.known: dict[str, DataIdentity | None] = {}
        self.missing: set[str] = set()

    def of(self, config: RunConfig) -> DataIdentity | None:
        """None for generated data, and for data not found or unreadable (then listed in ``missing``)."""
        data = config.data
        if is_generated(data):
            return None
        path = moved_path(str(data.path), self.data_at)
        key = json.dumps([path, data.format, data.options], sort_keys=True, default=str)
        if key not in self.known:
            self.known[key] = None
            if not Path(path).exists():
                self.missing.add(f"{data.path}: not found at {Path(path).resolve()} (give --data-at TYPED=NOW)")
            else:
                try:
                    self.known[key] = self._read(path, data)
                except DataError as error:  # e.g. options today's readers refuse: no run reads it today
                    self.missing.add(f"{data.path} with options {data.options}: not readable today ({error})")
        return self.known[key]

    def _read(self, path: str, data) -> DataIdentity:
        moved = copy.deepcopy(data)
        moved.path = path
        found = identify_data(moved)
        note = (f"migrated on {self.today} by shiftmsa store migrate: the run predates content digests; "
                f"this is the digest of the data then at this path, assumed unchanged since the run")
        return DataIdentity(found.digest, found.path, found.files, note)


def recorded_config(path: Path) -> RunConfig:
    """The configuration a command recorded in the config.yaml ``path``, as it ran: a later field
    the file does not name takes its neutral value, a field whose default changed its earlier
    default (``config.as_recorded``), and a compare's list of models is left out (each record
    names its own)."""
    values = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    values.pop("models", None)
    return as_recorded(config_from_dict(values), values)


def experiment_config(folder: Path) -> RunConfig | None:
    """The configuration the command that wrote ``folder`` recorded in its ``config.yaml``, or None."""
    path = Path(folder) / RUN_CONFIG_FILE
    return recorded_config(path) if path.is_file() else None


def run_folder_configs(folder: Path) -> list[RunConfig]:
    """The configurations recorded in ``folder``'s run folders (``<model>/seed-<n>*/config.yaml``)."""
    return [recorded_config(path) for path in sorted(Path(folder).glob(f"*/seed-*/{RUN_CONFIG_FILE}"))]


def record_configs(records: Iterable[dict], base: RunConfig) -> list[RunConfig]:
    """``base`` with each record's model (name, preset, params as the record stores them)."""
    configs = []
    for record in records:
        config = copy.deepcopy(base)
        config.model = ModelConfig(record["name"], record.get("preset"), dict(record.get("params") or {}))
        configs.append(config)
    return configs


def migrate_store(folder: str | Path, bases: Iterable[RunConfig] = (), data_at: Mapping[str, str] | None = None,
                  today: str | None = None) -> MigrationReport:
    """Give the records of ``folder/results.jsonl`` today's fingerprints (see the module docstring).

    Args:
        folder: an experiment folder.
        bases: configurations whose data and training sections the store's runs had (the
            command's); its ``config.yaml`` and its run folders' configurations are always tried.
        data_at: ``{path prefix as typed: where that data is now}`` for data not found at the
            path as typed from this working folder (e.g. ``{".carry/data": "/data"}``).
        today: the date written into migrated records (default: today, UTC).
    """
    folder = Path(folder)
    records = ResultStore(folder).records()
    bases = [base for base in (experiment_config(folder), *bases) if base is not None]
    configs = [*run_folder_configs(folder), *(c for base in bases for c in record_configs(records, base))]
    identities = DataIdentities(data_at or {}, today or datetime.datetime.now(datetime.timezone.utc).date().isoformat())
    mapping = {}
    for config in configs:
        data = identities.of(config)
        if data is None and not is_generated(config.data):
            continue
        target = (fingerprint_digest(config, data), data)
        for earlier in EARLIER_SCHEMES:
            mapping.setdefault((config.model.label, earlier(config)), target)
    report = MigrationReport(folder)
    store = ResultStore(folder)
    with exclusive_lock(store.lock_path):
        if store.path.exists():
            lines = store.path.read_text(encoding="utf-8").splitlines(keepends=True)
            rewritten = [_migrated_line(line, mapping, report) for line in lines]
            if rewritten != lines:
                _replace_text(store.path, "".join(rewritten))
    for config_path in sorted(folder.glob(f"*/seed-*/{RUN_CONFIG_FILE}")):
        config = recorded_config(config_path)
        report.run_folders += _migrate_run_folder(config_path.parent, config, identities.of(config))
    report.missing_data = sorted(identities.missing)
    return report


def _typed_path_digest(config: RunConfig) -> str:
    return identity_digest(typed_path_identity(config))


# the digest each earlier scheme gave a configuration (None: the scheme did not know its model)
EARLIER_SCHEMES: tuple[Callable[[RunConfig], str | None], ...] = (legacy_fingerprint_digest, _typed_path_digest)


def _migrated_line(line: str, mapping: dict, report: MigrationReport) -> str:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return line  # a torn line stays as it is: the store skips it when reading
    key = (record["model"], record["fingerprint"])
    target = mapping.get(key)
    if "data" in record or (target is not None and target[0] == record["fingerprint"]):
        report.current += 1  # written by today's scheme (or generated data, whose identity did not change)
        return line
    if target is None:
        report.unmatched.append(f"{record['model']} seed {record['seed']} {record['fingerprint']}")
        return line
    report.migrated += 1
    digest, data = target
    record["fingerprint"] = digest
    if data is not None:
        record["data"] = data.to_record()
    return json.dumps(record, sort_keys=True) + ("\n" if line.endswith("\n") else "")


def _migrate_run_folder(run_folder: Path, config: RunConfig, data: DataIdentity | None) -> int:
    """Rewrite a run folder's ``fingerprint.json`` when it holds an earlier scheme's text of its config."""
    path = run_folder / FINGERPRINT_FILE
    if not path.is_file() or (data is None and not is_generated(config.data)):
        return 0
    earlier = [json.loads(legacy_fingerprint_text(config) or "null"), json.loads(identity_text(typed_path_identity(config)))]
    today = run_identity(config, data)
    stored = json.loads(path.read_text())
    if stored == today or stored not in earlier:
        return 0
    write_json(path, today)
    return 1


def _replace_text(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, sync it, then rename it over ``path``."""
    temporary = path.with_name(path.name + ".migrating")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
