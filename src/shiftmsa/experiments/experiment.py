"""Experiments: several models x several seeds on one corpus, resumable, with a comparison table.

An experiment folder holds ``config.yaml`` (what the last command ran, written once every check
passed), ``results.jsonl`` (the store: one line per finished run, keyed by model, seed and
fingerprint), one folder per run (``<model>/seed-<n>/``, or ``seed-<n>-<digest>`` for a run of other
settings than the one already there, see ``run_folders``) and, after aggregation, ``table.md`` and
``table.csv``. Running the same command again skips finished runs and resumes an interrupted one
from its last epoch; several processes may work on one folder (each run is trained under a lock).
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from shiftmsa.config import ModelConfig, RunConfig
from shiftmsa.data.contract import Corpus
from shiftmsa.data.reading import load_corpus
from shiftmsa.evaluation.metrics import LOWER_IS_BETTER
from shiftmsa.evaluation.statistics import Aggregate, aggregate, paired_t_test
from shiftmsa.store.fingerprint import fingerprint_digest, fingerprint_text
from shiftmsa.store.locking import exclusive_lock
from shiftmsa.store.records import ResultStore
from shiftmsa.store.run_folders import claim_run_folder
from shiftmsa.text.encoders import check_encoder_available
from shiftmsa.training.loop import RunTrainer
from shiftmsa.training.modelling import resolve_model_config
from shiftmsa.training.progress import EpochProgress, RunsProgress

# both MAE / Corr conventions (docs/metrics.md): the paper's tables use mae_non0 / corr_non0
TABLE_METRICS: tuple[str, ...] = ("acc7", "acc2_non0", "f1_non0", "acc2_has0", "f1_has0", "mae", "corr",
                                  "mae_non0", "corr_non0")
CONFIG_FILE = "config.yaml"
LOCKS_FOLDER = ".locks"


def run_folder_name(model: ModelConfig) -> str:
    """A file-system-safe folder name for a model label (``msg-mba:table3.full`` -> ``msg-mba__table3.full``)."""
    return model.label.replace(":", "__").replace("/", "_")


def with_model(config: RunConfig, model: ModelConfig) -> RunConfig:
    """``config`` for another model; the base ``model.params`` (e.g. the encoder) apply to it too,
    under the model's own params."""
    variant = copy.deepcopy(config)
    variant.model = ModelConfig(model.name, model.preset, {**config.model.params, **model.params})
    return variant


@dataclass
class PlannedModel:
    """One model of an experiment: its configuration and fingerprint (``training.fingerprint``)."""

    config: RunConfig
    fingerprint: str
    digest: str

    @property
    def label(self) -> str:
        return self.config.model.label


@dataclass
class Experiment:
    """Models x seeds on one corpus, stored under ``config.output_dir``.

    Args:
        config: the base configuration (data, training protocol, output folder).
        models: the models to run; by default ``[config.model]``.
        log: receives one-line progress messages.
        on_epoch_end: called as ``(model_label, seed, epoch, record)`` after every trained epoch,
            ``record`` holding that epoch's ``valid_objective`` (a search prunes on it; an
            exception raised here stops the experiment, the run resumable).
    """

    config: RunConfig
    models: list[ModelConfig] | None = None
    log: Callable[[str], None] = print
    on_epoch_end: Callable[[str, int, int, dict], None] | None = None

    def __post_init__(self) -> None:
        self.models = self.models or [self.config.model]
        labels = [m.label for m in self.models]
        if len(set(labels)) != len(labels):
            raise ValueError(f"the same model is listed twice: {labels}")
        variants = [with_model(self.config, model) for model in self.models]
        self.plans = [PlannedModel(v, fingerprint_text(v), fingerprint_digest(v)) for v in variants]
        self.folder = Path(self.config.output_dir)
        self.store = ResultStore(self.folder)

    def check(self, corpus: Corpus, plans: list[PlannedModel]) -> None:
        """Refuse, before anything trains, a model, preset or option of ``plans`` that cannot run
        on ``corpus`` and an encoder that cannot be loaded."""
        for plan in plans:
            try:
                model_config = resolve_model_config(plan.config, corpus)
                check_encoder_available(model_config.encoder)
            except ValueError as error:
                raise ValueError(f"{plan.label}: {error}") from None

    def run(self, corpus: Corpus | None = None) -> list[dict]:
        """Train every (model, seed) not yet in the store; return the records of all of them."""
        corpus = corpus or load_corpus(self.config)
        self.check(corpus, [plan for plan in self.plans if any(
            self.store.find(plan.label, seed, plan.digest) is None for seed in plan.config.train.seeds)])
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_config()
        runs = RunsProgress(sum(len(plan.config.train.seeds) for plan in self.plans))
        records = []
        for plan in self.plans:
            for seed in plan.config.train.seeds:
                position = runs.start()
                with exclusive_lock(self.folder / LOCKS_FOLDER / f"{run_folder_name(plan.config.model)}-seed-{seed}"):
                    record = self.store.find(plan.label, seed, plan.digest)
                    if record is None:
                        self.log(f"[{plan.label} seed {seed}] {position}{runs.time_left()}")
                        record = self._train(plan, corpus, seed)
                        runs.trained(record["wall_seconds"])
                    else:
                        self.log(f"[{plan.label} seed {seed}] {position}: finished earlier "
                                 f"({record.get('run_dir', self.store.path)}), skipped")
                        runs.skipped()
                records.append(record)
        return records

    def _write_config(self) -> None:
        """``config.yaml``: the configuration run, with each model's name, preset and params."""
        if len(self.plans) == 1:
            text = self.plans[0].config.to_yaml()
        else:
            values = self.config.to_dict()
            values.pop("model")
            values["models"] = [dataclasses.asdict(plan.config.model) for plan in self.plans]
            text = ("# compare: one configuration per model; each run folder's config.yaml is loadable "
                    "with --config\n" + yaml.safe_dump(values, sort_keys=False))
        (self.folder / CONFIG_FILE).write_text(text)

    def _train(self, plan: PlannedModel, corpus: Corpus, seed: int) -> dict:
        config, label = plan.config, plan.label
        prefix = f"[{label} seed {seed}]"
        folder = claim_run_folder(self.folder / run_folder_name(config.model), seed, plan.fingerprint,
                                  plan.digest)
        if folder.differences:
            self.log(f"{prefix} {folder.displaced} holds a run of other settings "
                     f"({'; '.join(folder.differences)}): this run trains in {folder.path}")
        run_config = copy.deepcopy(config)
        run_config.train.seeds = [seed]
        (folder.path / CONFIG_FILE).write_text(run_config.to_yaml())
        progress = EpochProgress(prefix, self.log)

        def report(epoch: int, record: dict) -> None:
            self.log(f"{prefix} epoch {epoch}/{config.train.epochs} train {record['train_objective']:.4f} "
                     f"valid {record['valid_objective']:.4f} ({progress.elapsed():.1f} s)")
            if self.on_epoch_end is not None:
                self.on_epoch_end(label, seed, epoch, record)

        started = time.time()
        outcome = RunTrainer(config, seed, corpus, folder.path, on_epoch_end=report, progress=progress).run()
        record = {"model": label, "name": config.model.name, "preset": config.model.preset,
                  "params": config.model.params, "seed": seed, "fingerprint": plan.digest,
                  "corpus": corpus.name, "best_epoch": outcome.best_epoch,
                  "best_valid_objective": outcome.best_valid_objective, "valid": outcome.valid_metrics,
                  "test": outcome.test_metrics, "history": outcome.history,
                  "train_seconds": outcome.train_seconds,
                  "wall_seconds": time.time() - started, "run_dir": str(folder.path)}
        record = self.store.append(record)
        test = outcome.test_metrics
        scores = " ".join(f"{k}={test[k]:.4f}" for k in TABLE_METRICS if k in test)
        self.log(f"{prefix} best epoch {outcome.best_epoch} (valid objective "
                 f"{outcome.best_valid_objective:.4f}): " + (f"test {scores}" if test else "no test split"))
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
