"""A search worker: takes trials from the study until it is finished, one at a time.

Several workers (``--jobs`` processes, other machines) run this loop on the same study; the
study (``study.SearchStudy``) decides which trial each gets. A worker leaves when the study is
finished, waiting meanwhile for trials that other workers are still running (one of them may
fail and be queued again).
"""

from __future__ import annotations

import time
from typing import Callable

import optuna
from optuna.trial import TrialState

from shiftmsa.experiments.search.study import SURPLUS_ATTR, SearchStudy

POLL_SECONDS = 5.0
Values = dict[str, object]


class SurplusTrial(Exception):
    """A trial started past the study's budget (see ``SearchStudy.is_surplus``); it trains nothing."""


def run_worker(search: SearchStudy, run_values: Callable[[optuna.Trial, Values], float],
               log: Callable[[str], None] = print, poll_seconds: float = POLL_SECONDS) -> int:
    """Run trials until the study is finished; return how many this worker completed or pruned.

    Args:
        search: the joined study.
        run_values: trains one trial's values and returns its objective; raises
            ``optuna.TrialPruned`` to prune it.
        log: one-line progress messages.
        poll_seconds: how long to wait before looking again while other workers hold the last trials.

    An exception of ``run_values`` (or Ctrl-C) queues the trial again and stops this worker.
    """

    def objective(trial: optuna.Trial) -> float:
        if search.is_surplus(trial):
            trial.set_user_attr(SURPLUS_ATTR, True)
            raise SurplusTrial(f"trial {trial.number} is past the study's budget")
        values = search.settings.space.suggest(trial)
        try:
            return run_values(trial, values)
        except optuna.TrialPruned:
            raise
        except BaseException:
            search.requeue(trial)
            raise

    done: list[int] = []

    def count(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        if trial.state in (TrialState.COMPLETE, TrialState.PRUNED):
            done.append(trial.number)

    while True:
        if search.has_work():
            search.study.optimize(objective, n_trials=1, catch=(SurplusTrial,), callbacks=[count])
        elif search.is_finished():
            return len(done)
        else:
            log(f"waiting for trials running elsewhere in study {search.settings.name}")
            time.sleep(poll_seconds)
