"""Experiments: several models x several seeds on one corpus, resumable, with a comparison table.

An experiment folder holds ``config.yaml`` (the resolved base configuration), ``results.jsonl``
(the append-safe store: one line per finished run), one folder per run
(``<model>/seed-<n>/``) and, after aggregation, ``table.md`` and ``table.csv``. Running the same
command again skips finished runs and resumes an interrupted one from its last epoch.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from shiftmsa.config import ModelConfig, RunConfig
from shiftmsa.data import read_corpus
from shiftmsa.data.contract import Corpus
from shiftmsa.evaluation.metrics import LOWER_IS_BETTER
from shiftmsa.training.loop import RunTrainer
from shiftmsa.training.results import ResultStore
from shiftmsa.training.statistics import Aggregate, aggregate, paired_t_test

TABLE_METRICS: tuple[str, ...] = ("acc7", "acc2_non0", "f1_non0", "acc2_has0", "f1_has0", "mae", "corr")


def load_corpus(config: RunConfig) -> Corpus:
    """The corpus a run configuration names."""
    return read_corpus(config.data.path, format=config.data.format, **config.data.options)


def run_folder_name(model: ModelConfig) -> str:
    """A file-system-safe folder name for a model label (``msg-mba:table3.full`` -> ``msg-mba__table3.full``)."""
    return model.label.replace(":", "__").replace("/", "_")


def with_model(config: RunConfig, model: ModelConfig) -> RunConfig:
    """``config`` for another model; the base ``model.params`` (e.g. the encoder) apply to it too,
    under the model's own params."""
    variant = copy.deepcopy(config)
    variant.model = ModelConfig(model.name, model.preset, {**config.model.params, **model.params})
    return variant


def fingerprint_digest(config: RunConfig) -> str:
    return hashlib.sha256(config.fingerprint().encode()).hexdigest()[:16]


@dataclass
class Experiment:
    """Models x seeds on one corpus, stored under ``config.output_dir``.

    Args:
        config: the base configuration (data, training protocol, output folder).
        models: the models to run; by default ``[config.model]``.
        log: receives one-line progress messages.
    """

    config: RunConfig
    models: list[ModelConfig] | None = None
    log: Callable[[str], None] = print

    def __post_init__(self) -> None:
        self.models = self.models or [self.config.model]
        labels = [m.label for m in self.models]
        if len(set(labels)) != len(labels):
            raise ValueError(f"the same model is listed twice: {labels}")
        self.folder = Path(self.config.output_dir)
        self.store = ResultStore(self.folder)

    def run(self, corpus: Corpus | None = None) -> list[dict]:
        """Train every (model, seed) not yet in the store; return the records of all of them."""
        corpus = corpus or load_corpus(self.config)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "config.yaml").write_text(self.config.to_yaml())
        records = []
        for model in self.models:
            variant = with_model(self.config, model)
            digest = fingerprint_digest(variant)
            for seed in variant.train.seeds:
                record = self.store.find(model.label, seed, digest)
                if record is None:
                    record = self._train(variant, corpus, seed, digest)
                else:
                    self.log(f"[{model.label} seed {seed}] already in {self.store.path}, skipped")
                records.append(record)
        return records

    def _train(self, config: RunConfig, corpus: Corpus, seed: int, digest: str) -> dict:
        label = config.model.label
        run_dir = self.folder / run_folder_name(config.model) / f"seed-{seed}"

        def report(epoch: int, record: dict) -> None:
            self.log(f"[{label} seed {seed}] epoch {epoch}/{config.train.epochs} "
                     f"train {record['train_objective']:.4f} valid {record['valid_objective']:.4f}")

        started = time.time()
        outcome = RunTrainer(config, seed, corpus, run_dir, on_epoch_end=report).run()
        record = {"model": label, "name": config.model.name, "preset": config.model.preset,
                  "params": config.model.params, "seed": seed, "fingerprint": digest,
                  "corpus": corpus.name, "best_epoch": outcome.best_epoch,
                  "best_valid_objective": outcome.best_valid_objective, "valid": outcome.valid_metrics,
                  "test": outcome.test_metrics, "history": outcome.history,
                  "train_seconds": outcome.train_seconds,
                  "wall_seconds": time.time() - started, "run_dir": str(run_dir)}
        self.store.append(record)
        test = outcome.test_metrics
        self.log(f"[{label} seed {seed}] best epoch {outcome.best_epoch}: test "
                 + " ".join(f"{k}={test[k]:.4f}" for k in TABLE_METRICS if k in test))
        return record


@dataclass
class ComparisonRow:
    model: str
    metrics: dict[str, Aggregate]
    p_values: dict[str, float]


def compare_records(records: list[dict], reference: str | None, split: str = "test",
                    metrics: tuple[str, ...] = TABLE_METRICS) -> list[ComparisonRow]:
    """Mean +- std per model and metric, with paired t-test p-values against ``reference``."""
    by_model: dict[str, dict[str, dict[int, float]]] = {}
    for record in records:
        values = by_model.setdefault(record["model"], {m: {} for m in metrics})
        for metric in metrics:
            values[metric][record["seed"]] = record[split][metric]
    if reference is not None and reference not in by_model:
        raise ValueError(f"reference model {reference!r} is not among {sorted(by_model)}")
    rows = []
    for model, values in by_model.items():
        p_values = ({m: paired_t_test(values[m], by_model[reference][m]) for m in metrics}
                    if reference is not None and model != reference else {})
        rows.append(ComparisonRow(model, {m: aggregate(values[m]) for m in metrics}, p_values))
    return rows


def _cell(value: Aggregate) -> str:
    return f"{value.mean:.4f} ± {value.std:.4f}" if not math.isnan(value.std) else f"{value.mean:.4f}"


def format_table(rows: list[ComparisonRow], reference: str | None, split: str = "test") -> str:
    """A Markdown table: mean ± std over seeds; p-values (paired t-test vs the reference) below."""
    metrics = list(rows[0].metrics) if rows else []
    header = f"| model ({split}) | seeds | " + " | ".join(
        f"{m} {'↓' if m in LOWER_IS_BETTER else '↑'}" for m in metrics) + " |"
    lines = [header, "|" + "---|" * (len(metrics) + 2)]
    for row in rows:
        n = max(a.n for a in row.metrics.values())
        lines.append(f"| {row.model} | {n} | " + " | ".join(_cell(row.metrics[m]) for m in metrics) + " |")
    if reference is not None:
        for row in rows:
            if row.p_values:
                lines.append(f"| p vs {reference}: {row.model} | | " + " | ".join(
                    f"{row.p_values[m]:.3g}" for m in metrics) + " |")
    return "\n".join(lines)


def write_table(folder: Path, rows: list[ComparisonRow], reference: str | None, split: str = "test") -> str:
    """Write ``table.md`` and ``table.csv`` (one row per model and metric) and return the Markdown."""
    text = format_table(rows, reference, split)
    (folder / "table.md").write_text(text + "\n")
    with open(folder / "table.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["model", "metric", "mean", "std", "n", "p_value_vs_reference", "values", "seeds"])
        for row in rows:
            for metric, value in row.metrics.items():
                writer.writerow([row.model, metric, f"{value.mean:.6f}", f"{value.std:.6f}", value.n,
                                 f"{row.p_values[metric]:.6g}" if metric in row.p_values else "",
                                 " ".join(f"{v:.6f}" for v in value.values),
                                 " ".join(str(s) for s in value.seeds)])
    return text
