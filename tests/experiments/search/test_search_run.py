"""A whole search on tiny models: choices on the validation split, the test split scored once."""

import math

import optuna
import pytest

from shiftmsa.cli import main
from shiftmsa.config import load_config
from shiftmsa.data import generate_synthetic
from shiftmsa.experiments.search.driver import SearchOptions, run_search
from shiftmsa.experiments.search.space import parse_space
from shiftmsa.experiments.search.trial import SEED_STEP_STRIDE, TrialRunner
from shiftmsa.store.records import ResultStore

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture(scope="module")
def corpus():
    return generate_synthetic(60, seed=5)


def tiny_config(encoder, output, epochs=1):
    return load_config(None, ["model.name=text-only", f"model.params.encoder={encoder}",
                              f"train.epochs={epochs}", "train.batch_size=16", "train.head_learning_rate=1e-3",
                              "train.seeds=[0]", f"output_dir={output}", "data.max_length=20",
                              "train.accelerator=cpu"])


@pytest.mark.slow
def test_search_chooses_by_validation_then_trains_the_choice_and_scores_test_once(tmp_path, tiny_bert_dir, corpus):
    config = tiny_config(tiny_bert_dir, tmp_path)
    space = parse_space({"params": {"train.learning_rate": [1e-5, 1e-3]}}, "tiny space")
    options = SearchOptions(final_seeds=(0, 1), pruner="none")
    first_messages = []
    outcome = run_search(config, space, options, log=first_messages.append, corpus=corpus)

    trial_records = [r for folder in sorted((tmp_path / "trials").iterdir())
                     for r in ResultStore(folder).records()]
    assert len(trial_records) == 2
    assert all(r["test"] == {} for r in trial_records)  # trials never saw the test split
    chosen = min(trial_records, key=lambda r: r["best_valid_objective"])
    assert outcome.best_config.train.learning_rate == load_config(chosen["run_dir"].rsplit("/", 2)[0]
                                                                 + "/config.yaml").train.learning_rate
    assert outcome.best_config.train.seeds == [0, 1]
    assert load_config(tmp_path / "best.yaml").to_dict() == outcome.best_config.to_dict()
    assert [r["seed"] for r in outcome.final_records] == [0, 1]
    assert all(r["test"] for r in outcome.final_records)
    assert "acc2_non0" in (tmp_path / "final" / "table.md").read_text()
    assert outcome.trials_table.count("| complete |") == 2 and "(best)" in outcome.trials_table
    run_ends = [m for m in first_messages if " best epoch " in m]
    assert len(run_ends) == 4 and all(m.endswith("no test split") for m in run_ends[:2])
    assert all(" test acc7=" in m for m in run_ends[2:])

    messages = []  # a rerun continues the finished study: nothing trains again
    again = run_search(config, space, options, log=messages.append, corpus=corpus)
    assert not any("epoch 1/1" in m for m in messages)
    assert again.final_table == outcome.final_table


class PruneEverything:
    """A stand-in Optuna trial whose pruner gives up on the first report."""

    number = 7

    def __init__(self):
        self.reports = []

    def report(self, value, step):
        self.reports.append((step, value))

    def should_prune(self):
        return True


def test_a_trial_is_pruned_on_its_epoch_validation_objective_and_its_folder_removed(tmp_path, tiny_bert_dir, corpus):
    config = tiny_config(tiny_bert_dir, tmp_path, epochs=3)
    config.train.seeds = [4]
    trial = PruneEverything()
    with pytest.raises(optuna.TrialPruned, match="seed 4 epoch 1"):
        TrialRunner(config, corpus, tmp_path)(trial, {"train.learning_rate": 1e-4})
    [(step, value)] = trial.reports
    assert step == 0 * SEED_STEP_STRIDE + 1 and math.isfinite(value)
    assert list((tmp_path / "trials").iterdir()) == []


def test_the_command_refuses_a_budget_that_would_cut_the_grid(tmp_path, capsys):
    assert main(["search", "--space", "generic", "--trials", "3", "--output", str(tmp_path)]) == 2
    assert "has 9 points: --trials 3 would change it" in capsys.readouterr().err


def test_the_command_needs_an_output_folder(capsys):
    assert main(["search", "--space", "generic"]) == 2
    assert "--output DIR" in capsys.readouterr().err
