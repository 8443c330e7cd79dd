"""One planned run trained in this process: its run folder, its progress lines, its store record.

The runner (``experiments.runner``) calls ``train_run`` under the run's lock once the store has no
record of it; a run is appended to the store only once finished.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from shiftmsa.config import ModelConfig
from shiftmsa.data.contract import Corpus
from shiftmsa.experiments.tables import TABLE_METRICS
from shiftmsa.files import write_text
from shiftmsa.store.records import ResultStore
from shiftmsa.store.run_folders import claim_run_folder
from shiftmsa.training.loop import RunTrainer
from shiftmsa.training.progress import EpochProgress

if TYPE_CHECKING:
    from shiftmsa.experiments.runner import PlannedRun

CONFIG_FILE = "config.yaml"


def run_folder_name(model: ModelConfig) -> str:
    """A file-system-safe folder name for a model label (``msg-mba:table3.full`` -> ``msg-mba__table3.full``)."""
    return model.label.replace(":", "__").replace("/", "_")


class HardDeadline(Exception):
    """Stops a run trained here when the hard deadline has passed."""


class _StoppingProgress(EpochProgress):
    """Epoch progress that stops the run (``HardDeadline``) at the first batch past ``stop_at``."""

    def __init__(self, prefix: str, log: Callable[[str], None], stop_at: float | None):
        super().__init__(prefix, log)
        self.stop_at = stop_at

    def batch_done(self, done: int) -> None:
        super().batch_done(done)
        if self.stop_at is not None and time.monotonic() >= self.stop_at:
            if self.bar is not None:
                self.bar.close()
            raise HardDeadline()


def train_run(run: PlannedRun, corpus: Corpus, log: Callable[[str], None],
              on_epoch_end: Callable[[str, int, int, dict], None] | None = None,
              stop_at: float | None = None) -> dict:
    """Train ``run`` here, in a run folder of its own settings, and append its record to the store;
    returns the record. Call it under the run's lock, once its store has no record of it.

    Args:
        run: the run.
        corpus: its data.
        log: receives its progress lines.
        on_epoch_end: called as ``(label, seed, epoch, record)`` after every epoch.
        stop_at: a ``time.monotonic()`` at whose passing the run stops (``HardDeadline``).
    """
    config, label, seed = run.config, run.label, run.seed
    prefix = f"[{label} seed {seed}]"
    folder = claim_run_folder(run.folder / run_folder_name(config.model), seed, run.fingerprint, run.digest)
    if folder.differences:
        log(f"{prefix} {folder.displaced} holds a run of other settings "
            f"({'; '.join(folder.differences)}): this run trains in {folder.path}")
    write_text(folder.path / CONFIG_FILE, config.to_yaml())
    progress = _StoppingProgress(prefix, log, stop_at)

    def report(epoch: int, record: dict) -> None:
        log(f"{prefix} epoch {epoch}/{config.train.epochs} train {record['train_objective']:.4f} "
            f"valid {record['valid_objective']:.4f} ({progress.elapsed():.1f} s)")
        if on_epoch_end is not None:
            on_epoch_end(label, seed, epoch, record)

    started = time.time()
    outcome = RunTrainer(config, seed, corpus, folder.path, on_epoch_end=report, progress=progress).run()
    data = {} if run.data is None else {"data": run.data.to_record()}
    return ResultStore(run.folder).append({
        **data, "model": label, "name": config.model.name, "preset": config.model.preset, "params": config.model.params,
        "seed": seed, "fingerprint": run.digest, "corpus": corpus.name, "best_epoch": outcome.best_epoch,
        "best_valid_objective": outcome.best_valid_objective, "valid": outcome.valid_metrics,
        "test": outcome.test_metrics, "history": outcome.history, "train_seconds": outcome.train_seconds,
        "wall_seconds": time.time() - started, "run_dir": str(folder.path)})


def record_summary(record: dict) -> str:
    """A stored run in one line: its best epoch and test metrics."""
    test = record["test"]
    scores = " ".join(f"{k}={test[k]:.4f}" for k in TABLE_METRICS if k in test)
    return (f"best epoch {record['best_epoch']} (valid objective {record['best_valid_objective']:.4f}): "
            + (f"test {scores}" if test else "no test split"))
