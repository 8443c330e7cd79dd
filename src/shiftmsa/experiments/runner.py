"""The one way to train N planned runs: here, one after another, or side by side as worker processes.

A planned run is one model config for one seed, its fingerprint and its store folder
(``PlannedRun``; ``plan_runs`` makes them). ``run_planned`` trains those not yet in their store:
with ``jobs`` 1 in this process (each corpus read once), with more as ``python -m
shiftmsa.experiments.worker CONFIG`` processes (the config under ``<store>/configs/``, the output
under ``<store>/logs/``), which pays on a GPU that one small encoder cannot fill. No run starts
after the start deadline; a run still going at the hard deadline is stopped (here: at its next
batch). A run is stored only once finished, so an unfinished one leaves no record (an interrupted
run resumes from its last epoch when run again). ``compare`` / ``train`` (``Experiment``),
``reproduce`` and plan files (``shiftmsa plan``) all go through here.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from shiftmsa.config import ModelConfig, RunConfig
from shiftmsa.data.contract import Corpus, DataError
from shiftmsa.data.identity import DataIdentity, corpus_digest, identify_data
from shiftmsa.data.reading import load_corpus
from shiftmsa.experiments.single_run import HardDeadline, record_summary, run_folder_name, train_run
from shiftmsa.files import write_text
from shiftmsa.store.data_changes import data_change_notices
from shiftmsa.store.fingerprint import fingerprint_digest, fingerprint_text
from shiftmsa.store.locking import exclusive_lock
from shiftmsa.store.records import ResultStore
from shiftmsa.training.progress import RunsProgress, format_duration

LOCKS_FOLDER = ".locks"
CONFIG_FOLDER = "configs"
LOG_FOLDER = "logs"
# how a run ended (RunResult.status)
FINISHED_EARLIER, TRAINED, FAILED, NOT_STARTED, STOPPED = (
    "finished earlier", "trained", "failed", "not started", "stopped")


def with_model(config: RunConfig, model: ModelConfig) -> RunConfig:
    """``config`` for another model; the base ``model.params`` (e.g. the encoder) apply to it too,
    under the model's own params."""
    variant = copy.deepcopy(config)
    variant.model = ModelConfig(model.name, model.preset, {**config.model.params, **model.params})
    return variant


@dataclass(frozen=True)
class PlannedRun:
    """One run: a model's configuration for one seed, its fingerprint, and its store.

    Args:
        config: the run's configuration: one model, ``train.seeds`` its one seed, ``output_dir``
            the store folder.
        fingerprint: ``fingerprint_text`` of it (its run folder records it).
        digest: ``fingerprint_digest`` of it (its store record carries it).
        data: the identity of its data (its store record carries it); None for generated data.
    """

    config: RunConfig
    fingerprint: str
    digest: str
    data: DataIdentity | None = None

    @property
    def seed(self) -> int:
        return self.config.train.seeds[0]

    @property
    def label(self) -> str:
        return self.config.model.label

    @property
    def folder(self) -> Path:
        """The store folder (``results.jsonl`` and the run folders)."""
        return Path(self.config.output_dir)

    @property
    def key(self) -> tuple[str, int, str]:
        """What the store finds the run's record by."""
        return self.label, self.seed, self.digest

    @property
    def name(self) -> str:
        """A file name for the run's config and log."""
        return f"{run_folder_name(self.config.model)}-{self.digest}-seed-{self.seed}"


def plan_runs(base: RunConfig, models: Iterable[ModelConfig], corpus: Corpus | None = None,
              data: DataIdentity | None = None) -> list[PlannedRun]:
    """One run per model and seed of ``base.train.seeds`` into ``base.output_dir``, model by
    model; a run listed twice is planned once.

    Args:
        base: the data, training protocol and store folder.
        models: the models.
        corpus: the data already read (default: read from ``base.data`` to identify it).
        data: the data's identity, when already known (default: ``identify_data``).
    """
    data = data or identify_data(base.data, corpus)
    runs: dict[tuple[str, int, str], PlannedRun] = {}
    for model in models:
        variant = with_model(base, model)
        text, digest = fingerprint_text(variant, data), fingerprint_digest(variant, data)
        for seed in base.train.seeds:
            single = copy.deepcopy(variant)
            single.train.seeds = [seed]
            run = PlannedRun(single, text, digest, data)
            runs.setdefault(run.key, run)
    return list(runs.values())


@dataclass
class RunResult:
    """How one planned run ended.

    Args:
        run: the run.
        status: ``finished earlier`` (in its store before), ``trained``, ``failed``, ``not
            started`` (a deadline had passed) or ``stopped`` (at the hard deadline).
        record: its store record (finished earlier or trained), else None.
        seconds: the time spent on it.
        detail: what the progress line said of its end.
    """

    run: PlannedRun
    status: str
    record: dict | None = None
    seconds: float = 0.0
    detail: str = ""


def worker_command(config_path: Path) -> list[str]:
    """The process that trains the run of a configuration file."""
    return [sys.executable, "-m", "shiftmsa.experiments.worker", str(config_path)]


def run_planned(runs: list[PlannedRun], *, jobs: int = 1, corpus: Corpus | None = None,
                start_deadline: float | None = None, hard_deadline: float | None = None,
                log: Callable[[str], None] = print,
                on_epoch_end: Callable[[str, int, int, dict], None] | None = None,
                raise_errors: bool = False,
                command: Callable[[Path], list[str]] = worker_command) -> list[RunResult]:
    """Train the runs not yet in their stores; returns how each run ended, in ``runs``' order.

    Args:
        runs: from ``plan_runs`` (several stores may be among them).
        jobs: runs side by side, one worker process each; 1 trains them here, one after another.
        corpus: the data of every run trained here (default: read from each run's ``data``, once
            per data set).
        start_deadline: seconds from now after which no run starts.
        hard_deadline: seconds from now at which runs still going are stopped.
        log: receives the progress lines.
        on_epoch_end: see ``train_run``; runs trained here only.
        raise_errors: let an error of a run trained here propagate (else: the run failed, the
            others go on).
        command: the worker process of a configuration file (tests replace it).
    """
    return _Runner(runs, jobs, corpus, start_deadline, hard_deadline, log, on_epoch_end, raise_errors,
                   command).run()


class _Runner:
    """One call of ``run_planned`` (its arguments are documented there)."""

    def __init__(self, runs, jobs, corpus, start_deadline, hard_deadline, log, on_epoch_end, raise_errors,
                 command):
        self.runs, self.jobs, self.corpus, self.log = runs, max(1, jobs), corpus, log
        self.on_epoch_end, self.raise_errors, self.command = on_epoch_end, raise_errors, command
        self.start_deadline, self.hard_deadline = start_deadline, hard_deadline
        now = time.monotonic()
        self.start_by = None if start_deadline is None else now + start_deadline
        self.stop_at = None if hard_deadline is None else now + hard_deadline
        self.corpora: dict[str, tuple[Corpus, str]] = {}
        self.lock = threading.Lock()

    def run(self) -> list[RunResult]:
        stored = [ResultStore(run.folder).find(*run.key) for run in self.runs]
        pending = [(position, run) for position, (run, record) in enumerate(zip(self.runs, stored), 1)
                   if record is None]
        stores = sorted({str(ResultStore(run.folder).path) for run in self.runs})
        self.log(f"{len(pending)} run(s) to train, {len(self.runs) - len(pending)} already in "
                 + (stores[0] if len(stores) == 1 else f"{len(stores)} stores"))
        for store in stores:
            records = ResultStore(Path(store).parent).records()
            for notice in data_change_notices(store, records, [(run.config, run.data) for _, run in pending
                                                               if str(ResultStore(run.folder).path) == store]):
                self.log(notice)
        self.progress = RunsProgress(len(self.runs), len(pending), self.jobs, self.log)
        results = {}
        for position, (run, record) in enumerate(zip(self.runs, stored), 1):
            if record is not None:
                results[position] = self._ended(position, RunResult(run, FINISHED_EARLIER, record), pending=False)
        if self.jobs == 1:
            ended = [self._one(item) for item in pending]
        else:
            with ThreadPoolExecutor(self.jobs) as pool:
                ended = list(pool.map(self._one, pending))
        results.update(zip((position for position, _ in pending), ended))
        return [results[position] for position in sorted(results)]

    def _one(self, item: tuple[int, PlannedRun]) -> RunResult:
        """Start a run unless a deadline has passed; report how it ended."""
        position, run = item
        now = time.monotonic()
        for deadline, limit, name in ((self.start_by, self.start_deadline, "start"),
                                      (self.stop_at, self.hard_deadline, "hard")):
            if deadline is not None and now >= deadline:
                return self._ended(position, RunResult(run, NOT_STARTED, detail=(
                    f"the {name} deadline ({limit:g} s) has passed")))
        with self.lock:
            self.progress.started(position, run.label, run.seed)
        result = self._in_this_process(run) if self.jobs == 1 else self._in_a_worker(run)
        result.seconds = time.monotonic() - now
        return self._ended(position, result)

    def _ended(self, position: int, result: RunResult, pending: bool = True) -> RunResult:
        took = format_duration(result.seconds)
        if result.status == TRAINED:
            result.detail = f"trained in {took}; {record_summary(result.record)}"
        elif result.status == FINISHED_EARLIER:
            result.detail = f"finished earlier ({result.record.get('run_dir', result.run.folder)}), skipped"
        else:  # why it did not finish
            result.detail = result.status + ("" if result.status == NOT_STARTED else f" after {took}") \
                + f": {result.detail}"
        with self.lock:
            self.progress.ended(position, result.run.label, result.run.seed, result.detail,
                                result.seconds if result.status == TRAINED else None, pending)
        return result

    def _in_this_process(self, run: PlannedRun) -> RunResult:
        """Train ``run`` in this process, under its lock (another process may be on it)."""
        lock = run.folder / LOCKS_FOLDER / f"{run_folder_name(run.config.model)}-seed-{run.seed}"
        try:
            with exclusive_lock(lock):
                record = ResultStore(run.folder).find(*run.key)
                if record is not None:
                    return RunResult(run, FINISHED_EARLIER, record)
                record = train_run(run, self._corpus(run), self.log, self.on_epoch_end, self.stop_at)
                return RunResult(run, TRAINED, record)
        except HardDeadline:
            return RunResult(run, STOPPED, detail=f"the hard deadline ({self.hard_deadline:g} s) passed; no record")
        except Exception as error:
            if self.raise_errors:
                raise
            return RunResult(run, FAILED, detail=f"{type(error).__name__}: {error}")

    def _corpus(self, run: PlannedRun) -> Corpus:
        """The given corpus, or the run's data read once per data set (refused when it is no
        longer the data the run was planned on)."""
        if self.corpus is not None:
            return self.corpus
        data = run.config.data
        key = json.dumps([data.path, data.format, data.options], sort_keys=True, default=str)
        if key not in self.corpora:
            corpus = load_corpus(run.config)
            self.corpora[key] = corpus, corpus_digest(corpus)
        corpus, digest = self.corpora[key]
        if run.data is not None and digest != run.data.digest:
            raise DataError(f"the data changed after this command planned its runs (content digest "
                            f"{run.data.digest} -> {digest}): run the command again", path=run.data.path)
        return corpus

    def _in_a_worker(self, run: PlannedRun) -> RunResult:
        """Train ``run`` in a worker process, stopped at the hard deadline."""
        config_path = run.folder / CONFIG_FOLDER / f"{run.name}.yaml"
        config_path.parent.mkdir(parents=True, exist_ok=True)
        write_text(config_path, run.config.to_yaml())
        log_path = run.folder / LOG_FOLDER / f"{run.name}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "a") as output:
            process = subprocess.Popen(self.command(config_path), stdout=output, stderr=subprocess.STDOUT)
            try:
                code = process.wait(None if self.stop_at is None else max(0.0, self.stop_at - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                return RunResult(run, STOPPED, detail=f"the hard deadline ({self.hard_deadline:g} s) passed; "
                                                      f"no record; its log: {log_path}")
        record = ResultStore(run.folder).find(*run.key)
        if record is None:
            return RunResult(run, FAILED, detail=f"exit status {code}, no record; its log: {log_path}")
        return RunResult(run, TRAINED, record)
