"""``shiftmsa report``: write docs/results.md from the stores and manifests under docs/results, or
check (``--check``) that the committed file is what it would write; with ``--store``, print runs of
several stores side by side with paired t-tests instead (a search's final runs against defaults
stored elsewhere, say)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shiftmsa.cli import CommandError
from shiftmsa.cli.outputs import check_output_file
from shiftmsa.files import write_text


def _labelled_records(spec: str) -> list[dict]:
    """The records ``LABEL=PATH[:MODEL]`` names (PATH a results.jsonl or its folder), relabelled LABEL."""
    from shiftmsa.store.records import RESULTS_FILE, ResultStore

    label, _, location = spec.partition("=")
    path, _, model = location.partition(":")
    if not label or not path:
        raise CommandError(f"--store {spec!r}: expected LABEL=PATH[:MODEL]")
    folder = Path(path).parent if Path(path).name == RESULTS_FILE else Path(path)
    if not (folder / RESULTS_FILE).is_file():
        raise CommandError(f"--store {spec!r}: no {RESULTS_FILE} in {folder}")
    records = [r for r in ResultStore(folder).records() if not model or r["model"] == model]
    if not records:
        raise CommandError(f"--store {spec!r}: no records{' of ' + model if model else ''} in {folder / RESULTS_FILE}")
    return [{**record, "model": label} for record in records]


def _side_by_side(args: argparse.Namespace) -> int:
    """The stores' records side by side on ``args.split``; on the validation split with each run's
    best validation objective first (what a search selects by)."""
    from shiftmsa.experiments.report import METRICS
    from shiftmsa.experiments.tables import OBJECTIVE, compare_records, format_table

    records = [record for spec in args.store for record in _labelled_records(spec)]
    metrics = tuple(metric for metric, _ in METRICS)
    if args.split == "valid":
        records = [{**record, "valid": {**record["valid"], OBJECTIVE: record["best_valid_objective"]}}
                   for record in records]
        metrics = (OBJECTIVE, *metrics)
    try:
        rows = compare_records(records, args.reference, split=args.split, metrics=metrics)
    except ValueError as error:
        raise CommandError(str(error)) from None
    print(format_table(rows, args.reference, args.split))
    return 0


def _report(args: argparse.Namespace) -> int:
    from shiftmsa.experiments.manifest import ManifestError

    if args.store:
        return _side_by_side(args)
    from shiftmsa.experiments.report import render_report, report_differences

    if not args.results.is_dir():
        raise CommandError(f"{args.results}: not a folder")
    if not args.check:
        check_output_file(args.output, "--output")
    try:
        text = render_report(args.results, args.output)
    except ManifestError as error:
        raise CommandError(str(error)) from None
    if not args.check:
        write_text(args.output, text)
        print(f"wrote {args.output}")
        return 0
    differences = report_differences(args.output, text)
    if differences:
        print(f"{args.output} is not what `shiftmsa report` writes from {args.results}; run it and commit "
              f"the result. What differs:", file=sys.stderr)
        print("\n".join(differences), file=sys.stderr)
        return 1
    print(f"{args.output} is up to date")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="write docs/results.md from the result stores and their manifests",
        description="Read every results.jsonl under --results with the manifest.yaml beside it and write "
                    "--output: the current evidence (the newest valid result per model x data x protocol, "
                    "the paper's row beside it), then every store with its manifest's facts, its table and "
                    "paired t-tests. With --check, write nothing and exit 1, naming what differs, when "
                    "--output is not what would be written. See docs/results/README.md.")
    parser.add_argument("--results", type=Path, default=Path("docs/results"), help="the stores (default docs/results)")
    parser.add_argument("--output", type=Path, default=Path("docs/results.md"),
                        help="the generated file (default docs/results.md)")
    parser.add_argument("--check", action="store_true", help="compare with --output instead of writing it")
    parser.add_argument("--store", action="append", default=[], metavar="LABEL=PATH[:MODEL]",
                        help="instead: print the records of a store (of MODEL only, when given) under LABEL "
                             "beside those of the other --store options, mean ± std over seeds (repeatable)")
    parser.add_argument("--reference", metavar="LABEL", help="with --store: the label the paired t-tests are against")
    parser.add_argument("--split", choices=("test", "valid"), default="test",
                        help="with --store: the split whose metrics are compared; valid adds each run's best "
                             "validation objective, what a choice between settings goes by (default: %(default)s)")
    parser.set_defaults(handler=_report)
