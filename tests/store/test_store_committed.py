"""Every committed store under docs/results is recognised by today's code: the run identity of
each record is what re-planning its store gives, so a rerun of a finished run trains nothing.

A store is re-planned from its ``config.yaml`` (the data and training sections its command ran
with) and from the ``shiftmsa train`` / ``compare`` commands of its manifest, each record with its
own model, preset and params, on the data its records name (their ``data`` digest). A record that
today's code does not plan again (made under earlier model defaults, or under fingerprints no
data-path spelling reproduces, or on data today's readers refuse) must be listed with its reason
in the manifest's ``not_rerunnable``, and a listed one must really be unrecognised. Where the
shared data is present (../shared/data beside the checkout, as in CI), the recorded digests must
be those of the data there: the runs' paths as typed, ``../shared/data/...`` or the lent H100's
copy ``.carry/data/...``, are read from it.
"""

from __future__ import annotations

import copy
import shlex
from pathlib import Path

import pytest
import yaml

from shiftmsa.api import parse_model_spec
from shiftmsa.cli import build_parser
from shiftmsa.cli.run import _config_from_args
from shared_data import shared_data_path
from shiftmsa.config import RunConfig, as_recorded
from shiftmsa.data.identity import DataIdentity, identify_data, is_generated
from shiftmsa.experiments.manifest import MANIFEST_FILE, load_manifest
from shiftmsa.experiments.runner import plan_runs
from shiftmsa.store.fingerprint import fingerprint_digest
from shiftmsa.store.migration import RUN_CONFIG_FILE, experiment_config, moved_path, record_configs
from shiftmsa.store.records import ResultStore


RESULTS = Path(__file__).resolve().parents[2] / "docs" / "results"
MEASUREMENTS = sorted(str(path.parent.relative_to(RESULTS)) for path in RESULTS.rglob(MANIFEST_FILE))
# where the runs' data paths as typed are found beside a checkout
SHARED_PREFIXES = ("../shared/data", ".carry/data")
# the data of a store whose records name none: no run on files is found under it, so each must be stale
NO_DATA = DataIdentity("no data recorded", "")


def recorded_values(measurement: str) -> dict:
    """The store's ``config.yaml`` as nested mappings ({} where it has none)."""
    path = RESULTS / measurement / RUN_CONFIG_FILE
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}


def training_commands(commands, recorded: dict) -> list[tuple[RunConfig, list]]:
    """(base configuration, models) of each ``shiftmsa train`` / ``compare`` command, as it ran at
    its commit: a later field the store's config.yaml (``recorded``) does not name takes its
    neutral value, and a field whose default changed since takes the file's value unless the
    command set it (``config.as_recorded``)."""
    planned = []
    for command in commands:
        argv = shlex.split(command)
        if argv[:1] != ["shiftmsa"] or argv[1] not in ("train", "compare"):
            continue
        args = build_parser().parse_args(argv[1:])
        names = ([f"{args.model}:{args.preset}" if args.preset else args.model] if argv[1] == "train"
                 else [name.strip() for name in args.models.split(",")])
        command_keys = {item.split("=", 1)[0] for item in args.overrides}
        planned.append((as_recorded(_config_from_args(args), recorded, command_keys),
                        [parse_model_spec(name) for name in names]))
    return planned


def recorded_data(records: list[dict]) -> list[DataIdentity]:
    """The data the records say their runs read (one per digest)."""
    return list({r["data"]["digest"]: DataIdentity.from_record(r["data"]) for r in records if "data" in r}.values())


def store_bases(measurement: str) -> list[RunConfig]:
    manifest = load_manifest(RESULTS / measurement / MANIFEST_FILE, measurement)
    found = experiment_config(RESULTS / measurement)
    return [c for c in (found,) if c] + [base for base, _ in training_commands(manifest.commands,
                                                                               recorded_values(measurement))]


def planned_digests(config: RunConfig, records: list[dict]) -> set[str]:
    """``config``'s fingerprints on each data its store's records name (on none for generated data)."""
    if is_generated(config.data):
        return {fingerprint_digest(config)}
    return {fingerprint_digest(config, data) for data in recorded_data(records)}


@pytest.mark.parametrize("measurement", MEASUREMENTS)
def test_every_record_is_planned_again_or_said_not_to_be(measurement):
    manifest = load_manifest(RESULTS / measurement / MANIFEST_FILE, measurement)
    records = ResultStore(RESULTS / measurement).records()
    assert records, f"{measurement} has a manifest and no records"
    planned = {(config.model.label, digest) for base in store_bases(measurement)
               for config in record_configs(records, base) for digest in planned_digests(config, records)}
    unrecognised = {r["fingerprint"] for r in records if (r["model"], r["fingerprint"]) not in planned}
    assert unrecognised == set(manifest.not_rerunnable or {})


@pytest.mark.parametrize("measurement", [m for m in MEASUREMENTS if recorded_data(ResultStore(RESULTS / m).records())])
def test_the_recorded_data_digest_is_that_of_the_shared_data_now(measurement):
    shared = str(shared_data_path())
    digests = set()
    for base in store_bases(measurement):
        moved = copy.deepcopy(base.data)
        moved.path = moved_path(base.data.path, dict.fromkeys(SHARED_PREFIXES, shared))
        if not is_generated(moved) and moved.path != base.data.path:
            digests.add(identify_data(moved).digest)
    assert {data.digest for data in recorded_data(ResultStore(RESULTS / measurement).records())} <= digests


@pytest.mark.parametrize("measurement", [m for m in MEASUREMENTS if training_commands(
    load_manifest(RESULTS / m / MANIFEST_FILE, m).commands, {})])
def test_rerunning_a_stores_train_commands_trains_only_what_it_says_is_not_rerunnable(measurement):
    manifest = load_manifest(RESULTS / measurement / MANIFEST_FILE, measurement)
    store = ResultStore(RESULTS / measurement)
    stale = {(r["model"], r["seed"]) for r in store.records() if r["fingerprint"] in (manifest.not_rerunnable or {})}
    (data, *others) = recorded_data(store.records()) or [NO_DATA]
    assert not others, f"{measurement}: records on several data sets"
    for base, models in training_commands(manifest.commands, recorded_values(measurement)):
        for run in plan_runs(base, models, data=None if is_generated(base.data) else data):
            found = store.find(run.label, run.seed, run.digest)
            assert found is not None or (run.label, run.seed) in stale, f"{measurement}: {run.label} seed {run.seed}"
