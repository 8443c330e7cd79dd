"""One trial of a search: an ordinary experiment on the training and validation splits.

A trial is the base configuration with the trial's values set, run over the trial seeds through
``Experiment`` (the fit loop and result store of ``shiftmsa train``). Its objective is the mean
over seeds of each run's best validation objective (Section IV-E: the best epoch is the one
with the lowest validation total loss, Eq. 20). The trial's corpus has an *empty* test split, so
the fit loop cannot score the test data at all during a search, let alone choose by it.

Trials are pruned on their validation objective per epoch: after each epoch the best validation
objective so far of the running seed is reported at step ``position_of_seed * SEED_STEP_STRIDE +
epoch``, so that trials are compared at the same seed and epoch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import optuna

from shiftmsa.config import RunConfig, with_values
from shiftmsa.data.contract import Corpus
from shiftmsa.experiments.experiment import Experiment
from shiftmsa.models import make_config
from shiftmsa.training.modelling import corpus_fitted_overrides

SEED_STEP_STRIDE = 1000
TRIALS_FOLDER = "trials"


def without_test(corpus: Corpus) -> Corpus:
    """The corpus with its test split emptied (the other splits shared, not copied)."""
    return dataclasses.replace(corpus, splits={**corpus.splits, "test": []})


def values_digest(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:12]


def trial_config(base: RunConfig, values: dict[str, Any], output: Path) -> RunConfig:
    """The configuration of one trial: ``base`` with ``values``, in a folder named by the values
    (a requeued trial resumes there), without kept checkpoints.

    Args:
        base: the search's base configuration (its seeds are the trial seeds).
        values: dotted key -> value.
        output: the search's output folder.
    """
    config = with_values(base, values)
    config.output_dir = str(output / TRIALS_FOLDER / values_digest(values))
    config.train.keep_checkpoint = False
    if config.train.epochs >= SEED_STEP_STRIDE:
        raise ValueError(f"train.epochs must be below {SEED_STEP_STRIDE} in a search")
    return config


def check_values(base: RunConfig, values: dict[str, Any], corpus: Corpus) -> None:
    """Refuse values that cannot train, before anything trains (unknown keys, bad values)."""
    config = with_values(base, values)
    make_config(config.model.name, config.model.preset, corpus_fitted_overrides(config, corpus),
                acoustic_dim=corpus.acoustic_dim, visual_dim=corpus.visual_dim)


@dataclass
class TrialRunner:
    """Runs trials of one search on one corpus.

    Args:
        base: the base configuration; its seeds are each trial's seeds.
        corpus: the data; its test split is never handed to a trial.
        output: the search's output folder (trials go to ``output/trials/<digest>``).
        log: one-line progress messages.
    """

    base: RunConfig
    corpus: Corpus
    output: Path
    log: Callable[[str], None] = print

    def __post_init__(self) -> None:
        self.corpus = without_test(self.corpus)

    def __call__(self, trial: optuna.Trial, values: dict[str, Any]) -> float:
        config = trial_config(self.base, values, self.output)
        seeds = config.train.seeds
        best: dict[int, float] = {}

        def report(label: str, seed: int, epoch: int, record: dict) -> None:
            best[seed] = min(best.get(seed, math.inf), record["valid_objective"])
            trial.report(best[seed], seeds.index(seed) * SEED_STEP_STRIDE + epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"seed {seed} epoch {epoch}: best valid objective {best[seed]:.4f}")

        self.log(f"[trial {trial.number}] " + " ".join(f"{k}={v}" for k, v in values.items()))
        experiment = Experiment(config, log=lambda m: self.log(f"[trial {trial.number}] {m}"),
                                on_epoch_end=report)
        try:
            records = experiment.run(self.corpus)
        except optuna.TrialPruned:
            shutil.rmtree(config.output_dir, ignore_errors=True)
            raise
        objectives = [record["best_valid_objective"] for record in records]
        for key, value in (("valid_objectives", objectives), ("best_epochs", [r["best_epoch"] for r in records]),
                           ("valid_mae", sum(r["valid"]["mae"] for r in records) / len(records)),
                           ("folder", config.output_dir)):
            trial.set_user_attr(key, value)
        return sum(objectives) / len(objectives)
