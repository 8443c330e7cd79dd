"""Tabulate runs from several result stores side by side, with paired t-tests over matched seeds.

`shiftmsa compare` tabulates the models of one store; a search's final runs, the defaults and a
run made elsewhere live in different stores. Each ``--store LABEL=PATH[:MODEL]`` takes the
records of one ``results.jsonl`` (those of MODEL only, when given) under LABEL; the table has the
paper's metric convention (docs/metrics.md) beside ours, p-values against ``--reference``.

    python benchmarks/compare_stores.py --reference defaults \\
        --store defaults=docs/results/2026-11-25_cpu2_cpu_mosi-sdk_text-only-mag-msg-mba/results.jsonl:text-only \\
        --store searched=docs/results/2026-11-27_cpu2_cpu-search_mosi-sdk_text-only/final/results.jsonl
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shiftmsa.experiments.tables import compare_records, format_table
from shiftmsa.store.records import RESULTS_FILE, ResultStore

METRICS = ("acc7", "acc2_non0", "f1_non0", "mae_non0", "corr_non0", "mae", "corr")


def labelled_records(spec: str) -> list[dict]:
    """The records named by ``LABEL=PATH[:MODEL]``, relabelled as LABEL."""
    label, _, location = spec.partition("=")
    path, _, model = location.partition(":")
    if not label or not path:
        raise SystemExit(f"--store {spec!r}: expected LABEL=PATH[:MODEL]")
    if Path(path).name != RESULTS_FILE:  # the store reads folder/results.jsonl, never another name
        raise SystemExit(f"--store {spec!r}: PATH must be a {RESULTS_FILE} (copy or link {path} to one)")
    records = [r for r in ResultStore(Path(path).parent).records() if not model or r["model"] == model]
    if not records:
        raise SystemExit(f"--store {spec!r}: no records{' of ' + model if model else ''} in {path}")
    return [{**record, "model": label} for record in records]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", action="append", required=True, metavar="LABEL=PATH[:MODEL]")
    parser.add_argument("--reference", help="label the p-values are against")
    args = parser.parse_args()
    records = [record for spec in args.store for record in labelled_records(spec)]
    print(format_table(compare_records(records, args.reference, metrics=METRICS), args.reference))


if __name__ == "__main__":
    main()
