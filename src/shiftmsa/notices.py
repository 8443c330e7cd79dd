"""Notices: what a command did on the user's behalf that they should hear of, once.

A notice is a ``UserWarning`` of its own class (``Notice``), so Python callers filter or catch it
as any warning; the command line prints each distinct one as a single line
(``shiftmsa <command>: notice: ...``) however often the code path runs.
"""

from __future__ import annotations

import warnings


class Notice(UserWarning):
    """Something done on the user's behalf: a torn store line skipped, streams narrowed, an input
    stream that the model does not use."""


def notify(message: str) -> None:
    """Issue ``message`` as a ``Notice`` (attributed to the caller's caller)."""
    warnings.warn(message, Notice, stacklevel=3)
