"""``shiftmsa data ...``: check a dataset before training, and write the synthetic one."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add the ``data`` command group (filled in as the data layer lands)."""
    parser = subparsers.add_parser("data", help="check datasets and generate the synthetic one")
    parser.add_subparsers(dest="data_command", metavar="DATA_COMMAND", required=True)
