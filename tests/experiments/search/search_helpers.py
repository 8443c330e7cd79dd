"""Helpers of the search tests: light studies (no training) and a PostgreSQL server.

A module of its own, importable by the worker processes the tests spawn.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from shiftmsa.experiments.search.space import parse_space
from shiftmsa.experiments.search.study import StudySettings, open_study
from shiftmsa.experiments.search.study_worker import run_worker

GRID = {"sampler": "grid", "params": {"train.learning_rate": [1e-5, 2e-5, 3e-5], "train.epochs": [1, 2]}}


def light_settings(storage: str, space: dict | None = None, budget: int | None = None,
                   name: str = "light") -> StudySettings:
    parsed = parse_space(space or GRID, "test space")
    size = len(parsed.grid()) if parsed.sampler == "grid" else budget
    return StudySettings(name=name, storage=storage, space=parsed, budget=budget or size,
                         identity="test", pruner="none")


def light_objective(trial, values) -> float:
    """A stand-in for training: a short pause, then a value that depends on the trial's values."""
    time.sleep(0.05)
    return values["train.learning_rate"] * 1e5 + values["train.epochs"]


def light_worker(settings: StudySettings, index: int) -> None:
    """A worker process of a light study."""
    run_worker(open_study(settings, worker=index), light_objective, log=lambda m: None, poll_seconds=0.05)


def _server_binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return candidates[-1].parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_server():
    """A throw-away PostgreSQL server on 127.0.0.1 (trust auth, a temporary folder); yields its
    URL. Skips the test when no server binary or no psycopg2 is installed. As root, the server
    runs as ``nobody`` (PostgreSQL refuses to run as root)."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[search]')")
    binaries = _server_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server binary (initdb); Debian: apt-get install postgresql "
                    "(make system-packages does it)")
    folder = Path(tempfile.mkdtemp(prefix="shiftmsa-pg-"))
    prefix = []
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
        prefix = ["runuser", "-u", "nobody", "--"]
    data, port = folder / "data", _free_port()

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, cwd=folder)

    run(str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
