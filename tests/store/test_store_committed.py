"""Every committed store under docs/results is recognised by today's code: the run identity of
each record is what re-planning its store gives, so a rerun of a finished run trains nothing.

A store is re-planned from its ``config.yaml`` (the data and training sections its command ran
with) and from the ``shiftmsa train`` / ``compare`` commands of its manifest, each record with its
own model, preset and params. A record that today's code does not plan again (made under earlier
model defaults, or under fingerprints no data-path spelling reproduces) must be listed with its
reason in the manifest's ``not_rerunnable``, and a listed one must really be unrecognised.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from shiftmsa.api import parse_model_spec
from shiftmsa.cli import build_parser
from shiftmsa.cli.run import _config_from_args
from shiftmsa.config import RunConfig
from shiftmsa.experiments.manifest import MANIFEST_FILE, load_manifest
from shiftmsa.experiments.runner import plan_runs
from shiftmsa.store.fingerprint import fingerprint_digest
from shiftmsa.store.migration import experiment_config, record_configs
from shiftmsa.store.records import ResultStore

RESULTS = Path(__file__).resolve().parents[2] / "docs" / "results"
MEASUREMENTS = sorted(str(path.parent.relative_to(RESULTS)) for path in RESULTS.rglob(MANIFEST_FILE))


def training_commands(commands) -> list[tuple[RunConfig, list]]:
    """(base configuration, models) of each ``shiftmsa train`` / ``compare`` command."""
    planned = []
    for command in commands:
        argv = shlex.split(command)
        if argv[:1] != ["shiftmsa"] or argv[1] not in ("train", "compare"):
            continue
        args = build_parser().parse_args(argv[1:])
        names = ([f"{args.model}:{args.preset}" if args.preset else args.model] if argv[1] == "train"
                 else [name.strip() for name in args.models.split(",")])
        planned.append((_config_from_args(args), [parse_model_spec(name) for name in names]))
    return planned


@pytest.mark.parametrize("measurement", MEASUREMENTS)
def test_every_record_is_planned_again_or_said_not_to_be(measurement):
    manifest = load_manifest(RESULTS / measurement / MANIFEST_FILE, measurement)
    commands = training_commands(manifest.commands)
    records = ResultStore(RESULTS / measurement).records()
    assert records, f"{measurement} has a manifest and no records"
    bases = [c for c in (experiment_config(RESULTS / measurement),) if c] + [base for base, _ in commands]
    planned = {(config.model.label, fingerprint_digest(config))
               for base in bases for config in record_configs(records, base)}
    unrecognised = {r["fingerprint"] for r in records if (r["model"], r["fingerprint"]) not in planned}
    assert unrecognised == set(manifest.not_rerunnable or {})


@pytest.mark.parametrize("measurement", [m for m in MEASUREMENTS if training_commands(
    load_manifest(RESULTS / m / MANIFEST_FILE, m).commands)])
def test_rerunning_a_stores_train_commands_trains_only_what_it_says_is_not_rerunnable(measurement):
    manifest = load_manifest(RESULTS / measurement / MANIFEST_FILE, measurement)
    store = ResultStore(RESULTS / measurement)
    stale = {(r["model"], r["seed"]) for r in store.records() if r["fingerprint"] in (manifest.not_rerunnable or {})}
    for base, models in training_commands(manifest.commands):
        for run in plan_runs(base, models):
            found = store.find(run.label, run.seed, run.digest)
            assert found is not None or (run.label, run.seed) in stale, f"{measurement}: {run.label} seed {run.seed}"
