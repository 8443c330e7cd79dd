"""The Optuna study a search runs in: storage, creation, and handing out trials to workers.

The study lives in an RDB storage: a SQLite file in the output folder by default (one machine,
any number of ``--jobs``; rerunning the command continues it), or a PostgreSQL URL that several
machines share. Whatever the number of workers, no grid point is trained twice and none is lost:

- the process that creates the study (creation is atomic in the database) queues every grid point
  as a waiting trial; a waiting trial is handed to exactly one worker (Optuna moves it to running
  under a row lock);
- a trial that raises (an error, Ctrl-C) is queued again with the same values before the worker
  stops; a worker killed outright stops beating its heartbeat, and the next worker to look fails
  its trial and queues it again. A requeued trial resumes from its run folder (see ``trial``);
- tpe trials are sampled until ``trials`` of them are complete, pruned, running or queued; a
  trial created past that budget by a race between workers is recorded as failed with the user
  attribute ``surplus`` and trains nothing.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import optuna
import sqlalchemy
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.trial import TrialState

from shiftmsa.experiments.search.space import SearchSpace

HEARTBEAT_SECONDS = 30
GRACE_SECONDS = 120
SQLITE_LOCK_TIMEOUT_SECONDS = 300
READY_TIMEOUT_SECONDS = 120
GRID_POINT_ATTR = "grid_point"
SURPLUS_ATTR = "surplus"
CLAIMED_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING, TrialState.WAITING)

# heartbeats and their retry callback have been "experimental" in Optuna since 2.8: not news to users
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


class StudyMismatch(ValueError):
    """A study of that name exists with another space, configuration or seeds."""


@dataclass(frozen=True)
class StudySettings:
    """Where and what the study is.

    Args:
        name: the study name (several machines name the same one).
        storage: an SQLAlchemy URL (``sqlite:///runs/x/study.db``, ``postgresql://...``).
        space: the search space.
        budget: how many trials the study runs (the grid size for a grid; a tpe study can be
            continued with a larger one).
        identity: a stable text of the base configuration and trial seeds: a study refuses
            workers whose identity differs, so no study mixes configurations.
        pruner: ``median`` or ``none``.
        prune_from_epoch: the first epoch of a trial's first seed at which it may be pruned.
        startup_trials: completed trials before pruning or tpe's model start.
        sampler_seed: seed of the tpe sampler (a worker adds its index).
    """

    name: str
    storage: str
    space: SearchSpace
    budget: int
    identity: str
    pruner: str = "median"
    prune_from_epoch: int = 2
    startup_trials: int = 3
    sampler_seed: int = 0


def make_storage(url: str) -> RDBStorage:
    """An RDB storage with heartbeats, whose stale trials are queued again."""
    sqlite = url.startswith("sqlite")
    engine_kwargs = {"connect_args": {"timeout": SQLITE_LOCK_TIMEOUT_SECONDS}} if sqlite else {}
    storage = RDBStorage(url, engine_kwargs=engine_kwargs, heartbeat_interval=HEARTBEAT_SECONDS,
                         grace_period=GRACE_SECONDS,
                         heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback())
    if sqlite:
        _serialize_sqlite_transactions(storage.engine)
    return storage


def _serialize_sqlite_transactions(engine) -> None:
    """Make every SQLite transaction take the write lock when it begins (``BEGIN IMMEDIATE``).

    Optuna hands a waiting trial to one worker by reading its state and writing ``RUNNING`` in
    one transaction, under ``SELECT ... FOR UPDATE``, which SQLite ignores: with its default
    deferred transactions two processes can both read ``WAITING`` and take the same trial (seen
    in this module's tests). Serialized transactions close that race; with PostgreSQL the row
    lock does it.
    """

    def on_connect(dbapi_connection, record) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy, not sqlite3, begin transactions

    def on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    sqlalchemy.event.listen(engine, "connect", on_connect)
    sqlalchemy.event.listen(engine, "begin", on_begin)
    engine.dispose()  # connections opened before the listeners are dropped


def _sampler(settings: StudySettings, worker: int) -> optuna.samplers.BaseSampler:
    if settings.space.sampler == "tpe":
        return optuna.samplers.TPESampler(seed=settings.sampler_seed + worker,
                                          n_startup_trials=settings.startup_trials)
    # grid trials all come from the queue, with fixed values: this sampler never samples
    return optuna.samplers.RandomSampler(seed=settings.sampler_seed + worker)


def _pruner(settings: StudySettings) -> optuna.pruners.BasePruner:
    if settings.pruner == "none":
        return optuna.pruners.NopPruner()
    return optuna.pruners.MedianPruner(n_startup_trials=settings.startup_trials,
                                       n_warmup_steps=settings.prune_from_epoch)


def open_study(settings: StudySettings, worker: int = 0) -> SearchStudy:
    """Create the study (queueing the grid) or join it, after checking it searches the same thing.

    Args:
        settings: the study's settings.
        worker: this worker's index on its machine (seeds the tpe sampler).
    """
    storage = make_storage(settings.storage)
    common = dict(study_name=settings.name, storage=storage, sampler=_sampler(settings, worker),
                  pruner=_pruner(settings))
    try:
        study = optuna.create_study(direction="minimize", **common)
    except optuna.exceptions.DuplicatedStudyError:
        study = optuna.load_study(**common)
        _wait_until_ready(study, settings)
        return SearchStudy(study, settings)
    study.set_user_attr("space", settings.space.identity())
    study.set_user_attr("identity", settings.identity)
    if settings.space.sampler == "grid":
        for index, point in enumerate(settings.space.grid()):
            study.enqueue_trial(point, user_attrs={GRID_POINT_ATTR: index})
    study.set_user_attr("ready", True)
    return SearchStudy(study, settings)


def _wait_until_ready(study: optuna.Study, settings: StudySettings) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not study.user_attrs.get("ready"):
        if time.monotonic() > deadline:
            raise StudyMismatch(f"study {settings.name} in {settings.storage} was created but its grid "
                                f"was never queued (its creator died?): use another --study name")
        time.sleep(0.5)
    expected = {"space": settings.space.identity(), "identity": settings.identity}
    for key, value in expected.items():
        if study.user_attrs.get(key) != value:
            raise StudyMismatch(f"study {settings.name} in {settings.storage} was made with another {key} "
                                f"(stored {study.user_attrs.get(key)!r}, here {value!r}): use another "
                                f"--study name or --output folder")


def trials_in(study: optuna.Study, *states: TrialState) -> list[optuna.trial.FrozenTrial]:
    """The study's trials in these states (all when none given), surplus ones left out."""
    return [t for t in study.get_trials(deepcopy=False, states=states or None)
            if not t.user_attrs.get(SURPLUS_ATTR)]


@dataclass
class SearchStudy:
    """A joined study with the rules of the module docstring.

    Args:
        study: the Optuna study, from ``open_study``.
        settings: what it searches.
    """

    study: optuna.Study
    settings: StudySettings

    @property
    def is_grid(self) -> bool:
        return self.settings.space.sampler == "grid"

    def has_work(self) -> bool:
        """Whether a worker may take a trial now: one is queued, or tpe's budget is not spent."""
        optuna.storages.fail_stale_trials(self.study)
        if trials_in(self.study, TrialState.WAITING):
            return True
        return not self.is_grid and len(trials_in(self.study, *CLAIMED_STATES)) < self.settings.budget

    def is_surplus(self, trial: optuna.Trial) -> bool:
        """Whether a freshly started trial exceeds the study: a grid trial that did not come from
        the queue, or a tpe trial numbered past the budget of claimed trials."""
        if self.is_grid:
            return GRID_POINT_ATTR not in trial.user_attrs
        earlier = [t for t in trials_in(self.study, *CLAIMED_STATES) if t.number < trial.number]
        return len(earlier) >= self.settings.budget

    def is_finished(self) -> bool:
        """No trial running or queued, and the budget spent (every grid point done)."""
        optuna.storages.fail_stale_trials(self.study)
        if trials_in(self.study, TrialState.RUNNING, TrialState.WAITING):
            return False
        return len(trials_in(self.study, TrialState.COMPLETE, TrialState.PRUNED)) >= self.settings.budget

    def requeue(self, trial: optuna.Trial) -> None:
        """Queue a trial's values again (it raised; its failed record stays, marked ``requeued``)."""
        frozen = next(t for t in self.study.get_trials(deepcopy=False) if t.number == trial.number)
        trial.set_user_attr("requeued", True)
        RetryHeartbeatStaleTrialCallback()(self.study, frozen)
