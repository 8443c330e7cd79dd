"""The one entry point: ``shiftmsa <command> ...``.

Each command group lives in its own module of this package and exposes
``register(subparsers)``; this module only wires them together. Nothing imports cli.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from shiftmsa.config import ConfigError
from shiftmsa.data.contract import DataError

COMMAND_MODULES = ("data", "models", "run", "features", "search", "reproduce", "plan", "encoders", "explain",
                   "report", "store", "deploy", "serve")
# Libraries' own console noise: Hugging Face's per-load reports and "Loading weights" bars,
# TensorFlow Lite's and MediaPipe's C++ log lines (glog / absl) on feature extraction.
QUIET_ENVIRONMENT = {"TRANSFORMERS_VERBOSITY": "error", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
                     "TF_CPP_MIN_LOG_LEVEL": "3", "GLOG_minloglevel": "2"}


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


def data_options(options: list[str]) -> list[tuple[str, str]]:
    """``--data-option KEY=VALUE`` (repeatable; the one spelling of reader options in every
    command) as (key, raw value) pairs."""
    pairs = []
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--data-option {option!r} is not KEY=VALUE (e.g. split=bclstm_split)")
        pairs.append((key.strip(), value))
    return pairs


def add_data_option_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--data-option", action="append", default=[], metavar="KEY=VALUE",
                        help="reader option (repeatable), e.g. split=bclstm_split, features=[audio_opensmile], "
                             "inf_policy=error, folds=folds.csv (see `shiftmsa data check --help`)")


def quiet_libraries() -> None:
    """Silence the libraries' console noise (``QUIET_ENVIRONMENT``); a user's own setting wins."""
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if "transformers" in sys.modules and os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1":
        # transformers was imported before main (a notebook, the tests) and read the variable then
        sys.modules["transformers"].utils.logging.disable_progress_bar()


def _follower_rank() -> bool:
    """True in a process a launcher started with ``RANK`` > 0 of ``WORLD_SIZE`` > 1 (never one that
    shiftmsa started itself): only global rank 0 runs the command."""
    import os

    return (int(os.environ.get("WORLD_SIZE", "1")) > 1 and int(os.environ.get("RANK", "0")) > 0
            and "SHIFTMSA_PARENT_PID" not in os.environ)


def main(argv: list[str] | None = None) -> int:
    if _follower_rank():  # a launcher (torchrun) started this process as rank > 0: it serves rank 0
        from shiftmsa.api import serve_rank_zero

        return serve_rank_zero()
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and "RANK" in os.environ:  # rank 0 of a launcher
        from shiftmsa.api import release_followers_at_exit

        release_followers_at_exit()
    quiet_libraries()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (CommandError, DataError, ConfigError) as error:
        message = " ".join(str(error).split())  # one line, whatever the message held
        print(f"shiftmsa {args.command}: error: {message}", file=sys.stderr)
        return 2
