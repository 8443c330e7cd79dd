"""``shiftmsa store migrate FOLDER...``: give an experiment folder's records today's run identity.

Stores written before the run identity of ``shiftmsa.store.fingerprint`` (before 2026-12-05) keep
their records under the first scheme's fingerprints, which today's code does not look up: a rerun
would train their runs again. This command rewrites them once, from the folder's ``config.yaml``
and its run folders' configurations; what it cannot match is listed and left as it is.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shiftmsa.cli import CommandError


def _migrate(args: argparse.Namespace) -> int:
    from shiftmsa.store.migration import migrate_store

    for folder in args.folders:
        if not (Path(folder) / "results.jsonl").is_file():
            raise CommandError(f"{folder}: no results.jsonl here (give the experiment folder of a command's --output)")
        report = migrate_store(folder)
        print(f"{folder}: {report.migrated} record(s) migrated, {report.current} already current, "
              f"{report.run_folders} run folder(s) updated, {len(report.unmatched)} not matched")
        for record in report.unmatched:
            print(f"  not matched (a rerun trains it anew): {record}")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("store", help="maintain result stores (migrate fingerprints)",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="store_command", metavar="COMMAND", required=True)
    migrate = commands.add_parser("migrate", help="rewrite a store's fingerprints to today's run identity",
                                  description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    migrate.add_argument("folders", nargs="+", metavar="FOLDER", help="experiment folders (a command's --output)")
    migrate.set_defaults(handler=_migrate)
