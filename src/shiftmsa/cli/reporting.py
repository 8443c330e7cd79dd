"""How a command ends and what it says on stderr besides its output: the CLI's one error path.

- A failure the user can act on (a bad option, input, data file or checkpoint; an output that
  cannot be written: a read-only folder, a full disk) ends in one line,
  ``shiftmsa <command>: error: ...``, naming the file, the utterance and the field where they
  are known; exit status 2.
- Any other exception is a bug in shiftmsa: one line saying so, with where the full traceback
  was written (a file in the temporary folder); exit status 1.
- ``--debug`` (anywhere on the command line) or ``SHIFTMSA_DEBUG=1`` prints the traceback too.
- Ctrl-C ends in ``shiftmsa <command>: interrupted``, exit status 130.
- A ``shiftmsa.notices.Notice`` is printed once per distinct message as
  ``shiftmsa <command>: notice: ...``.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path
from typing import Iterator

import shiftmsa
from shiftmsa.config import ConfigError
from shiftmsa.data.contract import DataError
from shiftmsa.files import write_text
from shiftmsa.notices import Notice

DEBUG_VARIABLE = "SHIFTMSA_DEBUG"
USER_ERROR, BUG, INTERRUPTED = 2, 1, 130


class CommandError(Exception):
    """A user-facing failure: printed as one clear line, exit status 2, no traceback."""


def debug_wanted(flag: bool) -> bool:
    """``--debug`` given, or ``SHIFTMSA_DEBUG`` set to anything but empty or 0."""
    return flag or os.environ.get(DEBUG_VARIABLE, "").strip() not in ("", "0")


def user_message(error: BaseException) -> str | None:
    """The one line for a failure the user can act on; None for a bug."""
    if isinstance(error, (CommandError, DataError, ConfigError)):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        # a file that could not be read or written, a full or read-only disk: the machine's state
        files = " -> ".join(str(name) for name in (error.filename, error.filename2) if name is not None)
        return f"{files}: {error.strerror}" if files else error.strerror
    return None


def bug_report(command: str, argv: list[str], error: BaseException) -> Path | None:
    """Write the traceback of ``error`` (with the command line and versions) to a file in the
    temporary folder and return it; None when even that cannot be written."""
    path = Path(tempfile.gettempdir()) / f"shiftmsa-{command}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    text = (f"shiftmsa {shiftmsa.__version__}, Python {sys.version.split()[0]}\ncommand: shiftmsa {shlex.join(argv)}\n\n"
            + "".join(traceback.format_exception(error)))
    try:
        write_text(path, text)
    except OSError:
        return None
    return path


def ended_by(error: BaseException, command: str, argv: list[str], debug: bool) -> int:
    """Print how ``error`` ended ``command`` (one line; the traceback too with ``debug``) and
    return the exit status."""
    prefix = f"shiftmsa {command}"
    if debug:
        traceback.print_exception(error, file=sys.stderr)
    if isinstance(error, KeyboardInterrupt):
        print(f"{prefix}: interrupted", file=sys.stderr)
        return INTERRUPTED
    message = user_message(error)
    if message is not None:
        print(f"{prefix}: error: {' '.join(message.split())}", file=sys.stderr)
        return USER_ERROR
    report = None if debug else bug_report(command, argv, error)
    where = ("the traceback is above" if debug else f"the full traceback is in {report}" if report
             else f"run it again with --debug or {DEBUG_VARIABLE}=1 to see the traceback")
    summary = " ".join(f"{type(error).__name__}: {error}".split())[:300]
    print(f"{prefix}: internal error, a bug in shiftmsa ({summary}); {where}; please report it", file=sys.stderr)
    return BUG


@contextlib.contextmanager
def notices_as_lines(command: str) -> Iterator[None]:
    """Within the block, every distinct ``Notice`` is printed once as one stderr line; other
    warnings are shown as Python shows them."""
    seen: set[str] = set()
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if not issubclass(category, Notice):
            shown(message, category, filename, lineno, file, line)
        elif str(message) not in seen:
            seen.add(str(message))
            print(f"shiftmsa {command}: notice: {' '.join(str(message).split())}", file=sys.stderr, flush=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always", Notice)
        warnings.showwarning = show
        yield
