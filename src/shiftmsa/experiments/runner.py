"""Many (row, seed) runs into one resumable result store, side by side as one process each.

Every run is one ``Experiment`` of one model and one seed, so the store, the skipping of finished
runs and the resuming of an interrupted one are the training package's. With ``parallel`` 1 the
runs go one after another in this process (the corpus is read once); with more, each run is a
``python -m shiftmsa.experiments.worker CONFIG`` process, which pays on a GPU that one small
encoder cannot fill. After each finished run a line gives its metrics and an estimate of the
time left.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from shiftmsa.config import RunConfig
from shiftmsa.data.contract import Corpus
from shiftmsa.experiments.experiment import TABLE_METRICS, Experiment, fingerprint_digest, run_folder_name, with_model
from shiftmsa.experiments.specs import Row
from shiftmsa.store.records import ResultStore

CONFIG_FOLDER = "configs"
LOG_FOLDER = "logs"


@dataclass(frozen=True)
class Job:
    """One (row, seed) run.

    Args:
        config: the base configuration with the row's model and this one seed.
        seed: the run's seed.
        digest: the fingerprint digest its store record carries.
    """

    config: RunConfig
    seed: int
    digest: str

    @property
    def label(self) -> str:
        return self.config.model.label

    @property
    def key(self) -> tuple[str, int, str]:
        return self.label, self.seed, self.digest

    @property
    def name(self) -> str:
        """A file name for the run's config and log."""
        return f"{run_folder_name(self.config.model)}-{self.digest}-seed-{self.seed}"


def plan_jobs(base: RunConfig, rows: Iterable[Row]) -> list[Job]:
    """One job per row and seed of ``base.train.seeds``, in row order, duplicates dropped."""
    jobs: dict[tuple[str, int, str], Job] = {}
    for row in rows:
        variant = with_model(base, row.model_config())
        digest = fingerprint_digest(variant)
        for seed in base.train.seeds:
            single = copy.deepcopy(variant)
            single.train.seeds = [seed]
            jobs.setdefault((variant.model.label, seed, digest), Job(single, seed, digest))
    return list(jobs.values())


def row_digest(base: RunConfig, row: Row) -> str:
    """The fingerprint digest of ``row``'s runs under ``base`` (what its store records carry)."""
    return fingerprint_digest(with_model(base, row.model_config()))


class Progress:
    """One line per finished run: its metrics, its time, and the time the rest should take.

    Args:
        total: runs to train.
        parallel: runs side by side (the estimate divides by it).
        log: receives the lines.
    """

    def __init__(self, total: int, parallel: int, log: Callable[[str], None]):
        self.total, self.parallel, self.log = total, parallel, log
        self.durations: list[float] = []

    def finished(self, job: Job, record: dict | None, seconds: float) -> None:
        self.durations.append(seconds)
        done = len(self.durations)
        if record is None:
            outcome = "FAILED (see its log)"
        else:
            split = "test" if record["test"] else "valid"
            outcome = f"{split} " + " ".join(f"{m}={record[split][m]:.4f}" for m in TABLE_METRICS
                                             if m in record[split])
        left = (self.total - done) * (sum(self.durations) / done) / self.parallel
        self.log(f"[{done}/{self.total}] {job.label} seed {job.seed}: {outcome} ({seconds:.0f} s); "
                 f"about {left / 60:.1f} min left")


def worker_command(config_path: Path) -> list[str]:
    """The process that trains one job's configuration file."""
    return [sys.executable, "-m", "shiftmsa.experiments.worker", str(config_path)]


def launch_process(job: Job, folder: Path) -> None:
    """Train ``job`` in its own process, its output in ``folder/logs``."""
    config_path = folder / CONFIG_FOLDER / f"{job.name}.yaml"
    config_path.parent.mkdir(parents=True, exist_ok=True)
    config_path.write_text(job.config.to_yaml())
    log_path = folder / LOG_FOLDER / f"{job.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "a") as log:
        subprocess.call(worker_command(config_path), stdout=log, stderr=subprocess.STDOUT)


def run_jobs(jobs: list[Job], folder: Path, corpus: Corpus, parallel: int = 1,
             log: Callable[[str], None] = print,
             launch: Callable[[Job, Path], None] = launch_process) -> list[Job]:
    """Train the jobs not yet in ``folder``'s store; return those that failed.

    Args:
        jobs: from ``plan_jobs``; each job's ``config.output_dir`` is ``folder``.
        folder: the store's folder.
        corpus: the data, used by in-process runs (``parallel`` 1).
        parallel: runs side by side, one process each; 1 runs them here, one after another.
        log: receives progress lines.
        launch: runs one job in a process (tests replace it).
    """
    store = ResultStore(folder)
    pending = [job for job in jobs if store.find(*job.key) is None]
    log(f"{len(pending)} run(s) to train, {len(jobs) - len(pending)} already in {store.path}")
    progress = Progress(len(pending), parallel, log)
    failed = []

    def settle(job: Job, started: float) -> None:
        record = store.find(*job.key)
        if record is None:
            failed.append(job)
        progress.finished(job, record, time.time() - started)

    if parallel <= 1:
        for job in pending:
            started = time.time()
            Experiment(job.config, log=lambda message: None).run(corpus)
            settle(job, started)
        return failed
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        started = {pool.submit(launch, job, folder): (job, time.time()) for job in pending}
        for future in as_completed(started):
            future.result()
            settle(*started[future])
    return failed
