"""What a search leaves behind: the table of its trials and its best configuration."""

from __future__ import annotations

import csv
from pathlib import Path

import optuna
from optuna.trial import TrialState

from shiftmsa.config import RunConfig, with_values
from shiftmsa.experiments.search.study import trials_in
from shiftmsa.files import replacing, write_text

TRIALS_TABLE = "trials"
BEST_CONFIG = "best.yaml"


def trial_rows(study: optuna.Study, keys: list[str]) -> list[dict[str, object]]:
    """One row per trial that ran to an end or is running (failed-and-requeued and surplus
    trials left out), in trial order."""
    rows = []
    for trial in trials_in(study, TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING):
        steps = sorted(trial.intermediate_values)
        rows.append({"trial": trial.number, "state": trial.state.name.lower(),
                     **{key: trial.params.get(key) for key in keys},
                     "valid_objective": trial.value,
                     "per_seed": " ".join(f"{v:.4f}" for v in trial.user_attrs.get("valid_objectives", [])),
                     "best_epochs": " ".join(map(str, trial.user_attrs.get("best_epochs", []))),
                     "valid_mae": trial.user_attrs.get("valid_mae"),
                     "last_step": steps[-1] if steps else None,
                     "minutes": (trial.duration.total_seconds() / 60 if trial.duration else None)})
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def write_trials_table(folder: Path, study: optuna.Study, keys: list[str]) -> str:
    """Write ``trials.md`` and ``trials.csv`` and return the Markdown; the best trial is marked."""
    rows = trial_rows(study, keys)
    complete = [row for row in rows if row["state"] == "complete"]
    best = min(complete, key=lambda row: (row["valid_objective"], row["trial"]))["trial"] if complete else None
    columns = list(rows[0]) if rows else ["trial", "state", *keys, "valid_objective"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        marked = {**row, "trial": f"**{row['trial']}** (best)" if row["trial"] == best else row["trial"]}
        lines.append("| " + " | ".join(_cell(marked[c]) for c in columns) + " |")
    text = "\n".join(lines)
    folder.mkdir(parents=True, exist_ok=True)
    write_text(folder / f"{TRIALS_TABLE}.md", text + "\n")
    with replacing(folder / f"{TRIALS_TABLE}.csv", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return text


def best_config(study: optuna.Study, base: RunConfig, seeds: list[int], output_dir: Path) -> RunConfig:
    """The base configuration with the best complete trial's values (lowest mean validation
    objective; the earliest trial on a tie), over ``seeds``, writing to ``output_dir``."""
    complete = trials_in(study, TrialState.COMPLETE)
    if not complete:
        raise ValueError(f"no trial of study {study.study_name} completed (all pruned or failed)")
    chosen = min(complete, key=lambda trial: (trial.value, trial.number))
    config = with_values(base, {**chosen.params, "train.seeds": list(seeds)})
    config.output_dir = str(output_dir)
    return config
