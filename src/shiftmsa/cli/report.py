"""``shiftmsa report``: write docs/results.md from the stores and manifests under docs/results, or
check (``--check``) that the committed file is what it would write."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shiftmsa.cli import CommandError


def _report(args: argparse.Namespace) -> int:
    from shiftmsa.experiments.manifest import ManifestError
    from shiftmsa.experiments.report import render_report, report_differences

    if not args.results.is_dir():
        raise CommandError(f"{args.results}: not a folder")
    try:
        text = render_report(args.results, args.output)
    except ManifestError as error:
        raise CommandError(str(error)) from None
    if not args.check:
        args.output.write_text(text, encoding="utf-8")
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
    parser.set_defaults(handler=_report)
