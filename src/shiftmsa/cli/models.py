"""``shiftmsa models``: list the registered models, their presets and config fields."""

from __future__ import annotations

import argparse
import textwrap

from shiftmsa.cli import CommandError
from shiftmsa.cli.config_help import describe_fields


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("models", help="list registered models, their presets and config fields")
    parser.add_argument("name", nargs="?", help="show only this model")
    parser.set_defaults(handler=list_models)


def describe_model(spec) -> list[str]:
    """The lines printed for one model: description, presets, and each config field with its
    default and the first sentence of its description (both from its config class)."""
    lines = [f"{spec.name}: {spec.description}", "  presets:"]
    width = max((len(p) for p in spec.presets), default=0)
    lines += [f"    {preset:<{width}}  {spec.preset_descriptions.get(preset, '')}".rstrip()
              for preset in spec.presets] or ["    (none)"]
    lines.append("  config fields (--set model.params.NAME=VALUE; NAME = default (type): description):")
    for item in describe_fields(spec.config_class):
        lines.append(f"    {item.name} = {item.default} ({item.type})")
        if item.summary:
            lines.extend(textwrap.wrap(item.summary, 96, initial_indent=" " * 8, subsequent_indent=" " * 8,
                                       break_long_words=False, break_on_hyphens=False))
    return lines


def list_models(args: argparse.Namespace) -> int:
    from shiftmsa.models import available_models

    specs = [spec for spec in available_models() if args.name in (None, spec.name)]
    if not specs:
        names = ", ".join(spec.name for spec in available_models())
        raise CommandError(f"unknown model {args.name!r}; registered models: {names}")
    print("\n\n".join("\n".join(describe_model(spec)) for spec in specs))
    return 0
