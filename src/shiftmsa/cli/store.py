"""``shiftmsa store migrate FOLDER...``: give an experiment folder's records today's run identity.

Stores written before the run identity held the digest of the data read (issue 25) keep
their records under earlier fingerprints (the first scheme's, or the data path as typed), which
today's code does not look up: a rerun would train their runs again. This command rewrites them
once, from the folder's ``config.yaml`` and its run folders' configurations. An earlier record
says nothing of its data's content: the digest is taken from the data as it is now at the path
the runs were given (relative paths from this working folder, or moved with --data-at), and each
migrated record says so in its ``data.note``. What it cannot match, and data it cannot find or
read, is listed and left as it is.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shiftmsa.cli import CommandError


def _migrate(args: argparse.Namespace) -> int:
    from shiftmsa.store.migration import migrate_store

    data_at = dict(_moved(value) for value in args.data_at)
    for folder in args.folders:
        if not (Path(folder) / "results.jsonl").is_file():
            raise CommandError(f"{folder}: no results.jsonl here (give the experiment folder of a command's --output)")
    for folder in args.folders:
        report = migrate_store(folder, data_at=data_at)
        print(f"{folder}: {report.migrated} record(s) migrated, {report.current} already current, "
              f"{report.run_folders} run folder(s) updated, {len(report.unmatched)} not matched")
        for path in report.missing_data:
            print(f"  data not read (its records stay as they are): {path}")
        for record in report.unmatched:
            print(f"  not matched (a rerun trains it anew): {record}")
    return 0


def _moved(value: str) -> tuple[str, str]:
    typed, _, now = value.partition("=")
    if not typed or not now:
        raise CommandError(f"--data-at {value!r}: give PATH_AS_TYPED=WHERE_IT_IS_NOW (e.g. .carry/data=../shared/data)")
    return typed, now


def register(subparsers) -> None:
    parser = subparsers.add_parser("store", help="maintain result stores (migrate fingerprints)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="store_command", metavar="COMMAND", required=True)
    migrate = commands.add_parser("migrate", help="rewrite a store's fingerprints to today's run identity",
                                  description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    migrate.add_argument("folders", nargs="+", metavar="FOLDER", help="experiment folders (a command's --output)")
    migrate.add_argument("--data-at", action="append", default=[], metavar="TYPED=NOW",
                         help="data the runs were given as TYPED (a path or the folder it starts with) is now "
                              "at NOW; repeatable")
    migrate.set_defaults(handler=_migrate)
