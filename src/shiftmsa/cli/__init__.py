"""The one entry point: ``shiftmsa <command> ...``.

Each command group lives in its own module of this package and exposes
``register(subparsers)``; this module only wires them together. Nothing imports cli.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from shiftmsa.data.contract import DataError

COMMAND_MODULES = ("data", "models", "run", "features", "explain")


class CommandError(Exception):
    """A user-facing failure: printed as one clear line, exit status 2, no traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shiftmsa",
        description="Multimodal sentiment analysis with shifting gates (msg-mba) and comparators.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"shiftmsa.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Hugging Face's per-load reports (e.g. the unused pooler weights) are noise for our users.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (CommandError, DataError) as error:
        print(f"shiftmsa {args.command}: error: {error}", file=sys.stderr)
        return 2
