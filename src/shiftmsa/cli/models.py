"""``shiftmsa models``: list the registered models, their presets and config fields."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list registered models, presets and config fields")
    parser.set_defaults(handler=list_models)


def list_models(args: argparse.Namespace) -> int:
    print("no models registered yet")
    return 0
