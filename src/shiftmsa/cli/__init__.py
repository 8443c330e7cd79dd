"""The one entry point: ``shiftmsa <command> ...``.

Each command group lives in its own module of this package and exposes
``register(subparsers)``; this module only wires them together and sends every failure down the
one error path (``shiftmsa.cli.reporting``). Nothing imports cli.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from shiftmsa.cli.reporting import DEBUG_VARIABLE, CommandError, debug_wanted, ended_by, notices_as_lines

COMMAND_MODULES = ("data", "models", "run", "features", "search", "reproduce", "plan", "encoders", "explain",
                   "report", "store", "deploy")
# Libraries' own console noise: Hugging Face's per-load reports and "Loading weights" bars,
# TensorFlow Lite's and MediaPipe's C++ log lines (glog / absl) on feature extraction.
QUIET_ENVIRONMENT = {"TRANSFORMERS_VERBOSITY": "error", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
                     "TF_CPP_MIN_LOG_LEVEL": "3", "GLOG_minloglevel": "2"}


DEBUG_HELP = f"on a failure, print the Python traceback too (or set {DEBUG_VARIABLE}=1)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shiftmsa",
        description="Multimodal sentiment analysis with shifting gates (msg-mba) and comparators.",
    )
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"shiftmsa.cli.{name}").register(subparsers)
    _add_debug_to_commands(parser)
    return parser


def _add_debug_to_commands(parser: argparse.ArgumentParser) -> None:
    """``--debug`` after any command as well (``shiftmsa train ... --debug``); a command's own
    default does not override one given before it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
                _add_debug_to_commands(command)


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
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    try:
        with notices_as_lines(args.command):
            return int(args.handler(args) or 0)
    except (Exception, KeyboardInterrupt) as error:
        return ended_by(error, args.command, argv, debug_wanted(args.debug))
