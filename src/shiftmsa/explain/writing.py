"""Save figures: ``<name>.png`` and the numbers behind it, ``<name>.json``, side by side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from shiftmsa.explain.drawing import draw
from shiftmsa.explain.figure_data import FigureData
from shiftmsa.files import replacing, write_text

DPI = 110


def write_figures(figures: Iterable[FigureData], folder: str | Path) -> list[Path]:
    """Write every figure as PNG + JSON into ``folder`` (created); returns the PNG paths.

    Args:
        figures: the figures' data.
        folder: where to write.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for data in figures:
        write_text(folder / f"{data.name}.json", json.dumps(data.to_json()) + "\n")
        png = folder / f"{data.name}.png"
        with replacing(png, "wb") as handle:
            draw(data).savefig(handle, format="png", dpi=DPI)
        written.append(png)
    return written
