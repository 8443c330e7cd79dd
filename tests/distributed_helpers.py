"""Helpers of the tests that train on several processes (``tests/*/test_*distributed*.py``): the
tolerances of 2 processes against 1, comparisons of outcomes, records and tables, and a guard
that ends any follower process that opens a file for writing."""

from __future__ import annotations

import math
import os
import re
import textwrap
from pathlib import Path

import pytest

from shiftmsa.training import distributed

SRC = Path(__file__).resolve().parents[1] / "src"

# The tolerance, measured on these suites' runs (2-core dev machine, float32, dropout on: the tiny
# encoder's 0.1 and each model's own): the objectives of every epoch and the MAE differ by at most
# 5.8e-7 between 1 and 2 processes (self-mm; sums in another order, attention computed outside
# SDPA), accuracies and F1 not at all; the correlation by up to 1.1e-5 (XLNet), because an untrained tiny
# model's predictions are nearly constant and a correlation of nearly constant values amplifies
# float error. Asserted with room for other CPUs and BLAS builds:
OBJECTIVE_TOLERANCE = 2e-5
CORRELATION_TOLERANCE = 2e-4
TABLE_DIGIT = 1e-4  # tables print 4 decimals: two values within tolerance may round apart by one digit


def run_overrides(encoder: Path, folder: Path, devices: int, epochs: int = 3) -> list[str]:
    """A tiny run on ``devices`` CPU processes; batch 7 of 24 utterances: shares of 4 and 3, a
    last batch of 3; eval batch 4: 2 batches a split."""
    return [f"model.params.encoder={encoder}", f"train.epochs={epochs}", "train.batch_size=7",
            "train.eval_batch_size=4", "train.head_learning_rate=1e-3", "train.seeds=[0]", f"output_dir={folder}",
            "data.max_length=16", "train.accelerator=cpu", f"train.devices={devices}", "train.strategy=ddp",
            "train.num_threads=1"]


def assert_same_run(one, two) -> dict[str, float]:
    """The same best epoch, objectives and test metrics (``RunOutcome``s) within the tolerances;
    returns the largest difference of each kind."""
    assert one.best_epoch == two.best_epoch
    assert sorted(one.test_metrics) == sorted(two.test_metrics)
    objectives = [abs(a[key] - b[key]) for a, b in zip(one.history, two.history, strict=True)
                  for key in ("train_objective", "valid_objective")]
    errors = [abs(one.test_metrics[key] - two.test_metrics[key]) for key in one.test_metrics if "mae" in key]
    correlations = [abs(one.test_metrics[key] - two.test_metrics[key]) for key in one.test_metrics
                    if "corr" in key]
    for key in one.test_metrics:
        if key.startswith(("acc", "f1")):
            assert one.test_metrics[key] == two.test_metrics[key], key
    largest = {"objectives and mae": max(objectives + errors), "corr": max(correlations)}
    assert largest["objectives and mae"] <= OBJECTIVE_TOLERANCE, largest
    assert largest["corr"] <= CORRELATION_TOLERANCE, largest
    return largest


NOT_COMPARED = {"train_seconds", "wall_seconds"}


def assert_same_record(one: dict, two: dict, one_folder: Path, two_folder: Path, where: str = "") -> None:
    """Two store records (or parts of them) equal, but for times, the store folder in paths, and
    floats within the tolerances (accuracies and F1 exactly)."""
    if isinstance(one, dict):
        assert isinstance(two, dict) and sorted(one) == sorted(two), where
        for key in one:
            if key not in NOT_COMPARED:
                assert_same_record(one[key], two[key], one_folder, two_folder, f"{where}.{key}")
    elif isinstance(one, list):
        assert isinstance(two, list) and len(one) == len(two), where
        for index, (a, b) in enumerate(zip(one, two)):
            assert_same_record(a, b, one_folder, two_folder, f"{where}[{index}]")
    elif isinstance(one, float) and not isinstance(two, str):
        key = where.rsplit(".", 1)[-1]
        if key.startswith(("acc", "f1")):
            assert one == two, where
        else:
            tolerance = CORRELATION_TOLERANCE if "corr" in key else OBJECTIVE_TOLERANCE
            assert abs(one - two) <= tolerance or (math.isnan(one) and math.isnan(two)), (where, one, two)
    elif isinstance(one, str) and str(one_folder) in one:
        assert two == one.replace(str(one_folder), str(two_folder)), where
    else:
        assert one == two, (where, one, two)


NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?|nan")


def assert_same_table(one: str, two: str, tolerance: float = CORRELATION_TOLERANCE + TABLE_DIGIT) -> None:
    """Two tables (Markdown or CSV) with the same text and numbers within ``tolerance``."""
    assert NUMBER.sub("#", one) == NUMBER.sub("#", two)
    for a, b in zip(NUMBER.findall(one), NUMBER.findall(two), strict=True):
        assert a == b or abs(float(a) - float(b)) <= tolerance, (a, b)


def files_of(folder: Path) -> list[str]:
    """Every file and folder under ``folder``, relative to it, sorted."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


# Imported first by every Python process whose PYTHONPATH starts with the guard's folder: in a
# follower (RANK > 0) any opening of a file for writing, and any creation, renaming or removal of
# a file or folder, prints what it was and ends the process (rank 0 then fails, naming it); asking
# for a folder that is there (matplotlib's configuration folder, on import) changes nothing.
WRITE_GUARD = """
import os
import sys
import tempfile

if os.environ.get("RANK", "0") != "0":
    sys.dont_write_bytecode = True
    tempfile.gettempdir()  # found (by writing a probe file) before the guard is on
    WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    CHANGES = {"os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.truncate", "shutil.rmtree", "os.symlink",
               "os.link"}

    def guard(event, args):
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)) and args[2] & WRITES:
            path = os.fsdecode(args[0])
            if not path.startswith("/dev/"):
                os.write(2, f"rank {os.environ['RANK']} wrote {path}\\n".encode())
                os._exit(17)
        elif event in CHANGES and not (event == "os.mkdir" and os.path.isdir(args[0])):
            os.write(2, f"rank {os.environ['RANK']} changed {args[0]!r} ({event})\\n".encode())
            os._exit(17)

    sys.addaudithook(guard)
"""


def write_guard(folder: Path) -> str:
    """Write the guard as ``folder/sitecustomize.py``; returns the PYTHONPATH that puts it first
    (then this checkout's ``src``)."""
    (folder / "sitecustomize.py").write_text(textwrap.dedent(WRITE_GUARD))
    return os.pathsep.join([str(folder), str(SRC), os.environ.get("PYTHONPATH", "")])


@pytest.fixture(scope="module")
def guarded_processes(tmp_path_factory, one_thread):
    """This process as rank 0; the followers it starts run under the write guard (one thread
    each) and are stopped at the end of the module."""
    distributed.shutdown()  # followers an earlier module left are not guarded
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONPATH", write_guard(tmp_path_factory.mktemp("write-guard")))
        yield
        distributed.shutdown()
