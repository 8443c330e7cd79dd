"""Progress of training on the console: within an epoch, per epoch, and over a list of runs.

On a terminal an epoch shows a progress bar (tqdm, on stderr); when the output goes to a file or a
pipe, a line every ``every_percent`` per cent of the epoch's batches instead, so logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


def format_duration(seconds: float) -> str:
    """``1h02m``, ``3m05s`` or ``42s``."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class EpochProgress:
    """Reports the batches of each epoch of one run.

    Args:
        prefix: what the lines start with, e.g. ``[msg-mba seed 0]``.
        log: receives the lines when ``stream`` is not a terminal.
        stream: where a terminal's progress bar goes (default: stderr).
        every_percent: the step between two lines when not on a terminal.
    """

    def __init__(self, prefix: str, log: Callable[[str], None] = print, stream: TextIO | None = None,
                 every_percent: int = 10):
        self.prefix, self.log = prefix, log
        self.stream = stream or sys.stderr
        self.every_percent = every_percent
        self.bar = None
        self.started = time.perf_counter()

    def epoch_started(self, epoch: int, epochs: int, batches: int) -> None:
        self.epoch, self.epochs, self.batches = epoch, epochs, batches
        self.started = time.perf_counter()
        self.next_percent = self.every_percent
        if self.stream.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=batches, desc=f"{self.prefix} epoch {epoch}/{epochs}", file=self.stream,
                            leave=False, unit="batch")

    def batch_done(self, done: int) -> None:
        """``done`` batches of the current epoch are finished."""
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
            if done >= self.batches:
                self.bar.close()
                self.bar = None
            return
        percent = 100 * done // max(1, self.batches)
        if percent >= self.next_percent and done < self.batches:
            self.log(f"{self.prefix} epoch {self.epoch}/{self.epochs}: {percent}% "
                     f"({done}/{self.batches} batches, {format_duration(self.elapsed())})")
            self.next_percent = (percent // self.every_percent + 1) * self.every_percent

    def elapsed(self) -> float:
        """Seconds since the current epoch started."""
        return time.perf_counter() - self.started

    def note(self, message: str) -> None:
        self.log(f"{self.prefix} {message}")


class RunsProgress:
    """One line when a run starts (``run k of n``, and the time the runs still to train should take,
    estimated from those trained so far) and one when it ends (what it ended with).

    Args:
        total: the runs planned (those finished earlier included).
        to_train: of them, the runs not finished yet.
        parallel: runs side by side (the estimate divides by it).
        log: receives the lines.
    """

    def __init__(self, total: int, to_train: int, parallel: int = 1, log: Callable[[str], None] = print):
        self.total, self.to_train, self.parallel, self.log = total, to_train, parallel, log
        self.trained_seconds: list[float] = []

    def prefix(self, position: int, label: str, seed: int) -> str:
        return f"[{label} seed {seed}] run {position} of {self.total}"

    def started(self, position: int, label: str, seed: int) -> None:
        self.log(self.prefix(position, label, seed) + self.time_left())

    def ended(self, position: int, label: str, seed: int, outcome: str, trained_seconds: float | None = None,
              pending: bool = True) -> None:
        """Report how a run ended.

        Args:
            position, label, seed: the run.
            outcome: what it ended with.
            trained_seconds: its time, when it was trained (the estimate's base).
            pending: False for a run finished before (it was not among ``to_train``).
        """
        if pending:
            self.to_train -= 1
        if trained_seconds is not None:
            self.trained_seconds.append(trained_seconds)
        self.log(f"{self.prefix(position, label, seed)}: {outcome}")

    def time_left(self) -> str:
        """An estimate of the time the runs still to train need, once one run has been trained."""
        if not self.trained_seconds or not self.to_train:
            return ""
        mean = sum(self.trained_seconds) / len(self.trained_seconds)
        return f"; about {format_duration(mean * self.to_train / self.parallel)} left for {self.to_train} run(s)"
