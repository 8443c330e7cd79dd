"""A text-only run trained through the CLI (1 epoch, tiny encoder), once interrupted and once
finished, and folders whose writes fail, shared by the CLI tests."""

import contextlib
import errno
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from shiftmsa.cli import main


class Interrupted(BaseException):
    """A kill between the last epoch and the run's record (not an Exception: main lets it through)."""


@dataclass(frozen=True)
class TextOnlyRun:
    data: Path  # the synthetic dataset (acoustic 16-d, visual 12-d)
    interrupted: Path  # an experiment folder whose run stopped after its epoch: last/ kept, no record
    finished: Path  # the same experiment folder, finished: one record, best/ kept
    encoder: Path

    def train_argv(self, output: Path) -> list[str]:
        return ["train", "--model", "text-only", "--data", str(self.data), "--seeds", "0", "--epochs", "1",
                "--output", str(output), "--set", f"model.params.encoder={self.encoder}",
                "--set", "train.batch_size=16", "--set", "data.max_length=20"]

    @property
    def checkpoint(self) -> Path:
        return self.finished / "text-only" / "seed-0" / "best"


@pytest.fixture(scope="session")
def text_only_run(tmp_path_factory, tiny_bert_dir) -> TextOnlyRun:
    folder = tmp_path_factory.mktemp("cli-run")
    assert main(["data", "synth", str(folder / "synth"), "--n", "30", "--seed", "1"]) == 0
    run = TextOnlyRun(folder / "synth", folder / "interrupted", folder / "finished", tiny_bert_dir)

    def interrupt(*args, **kwargs):
        raise Interrupted()

    with pytest.MonkeyPatch.context() as patch, contextlib.suppress(Interrupted):
        patch.setattr("shiftmsa.training.loop.RunTrainer._finish", interrupt)
        main(run.train_argv(run.finished))
    assert (run.finished / "text-only" / "seed-0" / "last").is_dir()
    shutil.copytree(run.finished, run.interrupted)
    assert main(run.train_argv(run.finished)) == 0  # resumes after its only epoch: scores and records
    return run


def _mount_tmpfs(folder: Path, options: str) -> bool:
    """Mount a tmpfs on ``folder`` (root only); False where this machine does not let us."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


@contextlib.contextmanager
def _mounted(folder: Path, options: str):
    mounted = _mount_tmpfs(folder, options)
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder nothing can be written in: a read-only tmpfs as root, permission bits otherwise."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    with _mounted(folder, "ro,size=64k") as mounted:
        if not mounted:
            pytest.skip("running as root without `mount -t tmpfs`: no folder is read-only to root")
        yield folder


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    """``full_disk(old_files)``: a folder holding ``old_files`` ({relative path: text}) on a full
    disk: a tiny tmpfs, filled, where one can be mounted; elsewhere the same folder, with every
    atomic write failing with ENOSPC as it syncs, as on a full disk."""
    with contextlib.ExitStack() as stack:
        def make(old_files: dict[str, str]) -> Path:
            folder = tmp_path / "full"
            folder.mkdir()
            mounted = stack.enter_context(_mounted(folder, "size=64k"))
            for name, text in old_files.items():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_text(text)
            if mounted:
                with contextlib.suppress(OSError), open(folder / "filler", "wb") as filler:
                    while True:
                        filler.write(b"\0" * 4096)
                        filler.flush()
            else:
                def no_space(self):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                monkeypatch.setattr("shiftmsa.files._Staged.sync", no_space)
            return folder
        yield make
