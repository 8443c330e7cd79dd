"""Where the real shared data lives, for tests that use it and skip cleanly without it.

A module of its own (not conftest.py: several test folders have one, so ``conftest`` is not a
unique module name); the root conftest puts this folder on ``sys.path``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data_path(*parts: str) -> Path:
    """A path under ../shared/data, skipping the calling test when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} is absent (it lives in ../shared/data)")
    return path
