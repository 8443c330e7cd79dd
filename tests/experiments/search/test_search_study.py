"""The search study: every grid point trained exactly once, whatever the workers and failures."""

import multiprocessing

import optuna
import pytest
from optuna.trial import TrialState
from search_helpers import GRID, light_objective, light_settings, light_worker, postgres_server

from shiftmsa.experiments.search.study import GRID_POINT_ATTR, SURPLUS_ATTR, StudyMismatch, open_study, trials_in
from shiftmsa.experiments.search.study_worker import run_worker

optuna.logging.set_verbosity(optuna.logging.WARNING)


def grid_points(study):
    return sorted((t.params["train.learning_rate"], t.params["train.epochs"])
                  for t in trials_in(study, TrialState.COMPLETE))


EXPECTED = sorted((lr, epochs) for lr in GRID["params"]["train.learning_rate"]
                  for epochs in GRID["params"]["train.epochs"])


def run_two_workers(settings):
    open_study(settings)  # created (and its grid queued) once, as run_search does
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=light_worker, args=(settings, index)) for index in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    return open_study(settings).study


def assert_each_grid_point_ran_once(study):
    """Every grid point completed exactly once; nothing else ran. A worker that asked for a trial
    just as another took the last queued point holds a surplus trial: failed, marked, trained on
    nothing, and left out of the study's trials (whether one appears depends on timing)."""
    assert grid_points(study) == EXPECTED
    assert sorted(t.user_attrs[GRID_POINT_ATTR] for t in trials_in(study)) == list(range(6))
    extra = [t for t in study.get_trials() if GRID_POINT_ATTR not in t.user_attrs]
    assert all(t.user_attrs.get(SURPLUS_ATTR) and t.state == TrialState.FAIL for t in extra)


def test_one_worker_runs_every_grid_point_once_and_a_rerun_adds_nothing(tmp_path):
    settings = light_settings(f"sqlite:///{tmp_path / 'study.db'}")
    search = open_study(settings)
    assert run_worker(search, light_objective, log=lambda m: None) == 6
    assert grid_points(search.study) == EXPECTED
    again = open_study(settings)
    assert run_worker(again, light_objective, log=lambda m: None) == 0
    assert len(again.study.get_trials()) == 6
    assert again.is_finished()


@pytest.mark.slow
def test_two_worker_processes_on_sqlite_share_the_grid(tmp_path):
    study = run_two_workers(light_settings(f"sqlite:///{tmp_path / 'study.db'}"))
    assert_each_grid_point_ran_once(study)


@pytest.mark.slow
def test_two_workers_on_a_postgresql_server_lose_and_duplicate_no_trial():
    with postgres_server() as url:
        study = run_two_workers(light_settings(url, name="shared"))
        assert_each_grid_point_ran_once(study)


def test_a_failing_trial_is_queued_again_and_a_rerun_finishes_the_grid(tmp_path):
    settings = light_settings(f"sqlite:///{tmp_path / 'study.db'}")
    calls = []

    def crash_on_third(trial, values):
        calls.append(values)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return light_objective(trial, values)

    with pytest.raises(KeyboardInterrupt):
        run_worker(open_study(settings), crash_on_third, log=lambda m: None)
    search = open_study(settings)
    assert not search.is_finished()
    run_worker(search, light_objective, log=lambda m: None)
    assert grid_points(search.study) == EXPECTED
    failed = trials_in(search.study, TrialState.FAIL)
    assert len(failed) == 1 and failed[0].user_attrs["requeued"]
    assert (failed[0].params["train.learning_rate"], failed[0].params["train.epochs"]) \
        == (calls[2]["train.learning_rate"], calls[2]["train.epochs"])


def test_tpe_runs_its_budget_and_a_larger_budget_continues_it(tmp_path):
    space = {"sampler": "tpe", "params": {"train.learning_rate": {"low": 1e-6, "high": 1e-4, "log": True},
                                          "train.epochs": {"low": 1, "high": 4}}}
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    search = open_study(light_settings(storage, space, budget=3))
    assert run_worker(search, light_objective, log=lambda m: None) == 3
    values = [t.params for t in trials_in(search.study, TrialState.COMPLETE)]
    assert all(1e-6 <= v["train.learning_rate"] <= 1e-4 and v["train.epochs"] in range(1, 5) for v in values)
    more = open_study(light_settings(storage, space, budget=5))
    assert run_worker(more, light_objective, log=lambda m: None) == 2
    assert len(more.study.get_trials()) == 5


def test_a_study_refuses_workers_with_another_space_or_configuration(tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    open_study(light_settings(storage))
    other = {"sampler": "grid", "params": {"train.learning_rate": [1e-5]}}
    with pytest.raises(StudyMismatch, match="another space"):
        open_study(light_settings(storage, other))
    changed = light_settings(storage)
    with pytest.raises(StudyMismatch, match="another identity"):
        open_study(type(changed)(**{**changed.__dict__, "identity": "other seeds"}))
