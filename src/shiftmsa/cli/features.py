"""``shiftmsa extract`` and ``shiftmsa extract-dataset``: features from the user's own media."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add the feature-extraction commands (filled in below as they land)."""
