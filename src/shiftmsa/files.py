"""Writing the project's small text files (JSON records, configurations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_json(path: Path, payload: Any) -> None:
    """``payload`` as indented JSON with sorted keys and a final newline."""
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
