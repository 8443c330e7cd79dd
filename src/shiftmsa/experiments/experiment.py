"""Experiments: several models x several seeds on one corpus, resumable, with a comparison table.

An experiment folder holds ``config.yaml`` (what the last command ran, written once every check
passed), ``results.jsonl`` (the store: one line per finished run, keyed by model, seed and
fingerprint), one folder per run (``<model>/seed-<n>/``, or ``seed-<n>-<digest>`` for a run of other
settings than the one already there, see ``run_folders``) and, after aggregation, ``table.md`` and
``table.csv``. Running the same command again skips finished runs and resumes an interrupted one
from its last epoch; several processes may work on one folder (each run is trained under a lock).
The runs go through the runner (``experiments.runner``), in this process.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from shiftmsa.config import ModelConfig, RunConfig
from shiftmsa.data.contract import Corpus
from shiftmsa.data.reading import load_corpus
from shiftmsa.experiments.runner import PlannedRun, plan_runs, run_planned, with_model
from shiftmsa.experiments.single_run import CONFIG_FILE
from shiftmsa.files import write_text
from shiftmsa.store.records import ResultStore
from shiftmsa.text.encoders import check_encoder_available
from shiftmsa.training.distributed import check_accelerator
from shiftmsa.training.modelling import resolve_model_config


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
        self.folder = Path(self.config.output_dir)
        self.store = ResultStore(self.folder)

    def check(self, corpus: Corpus, runs: list[PlannedRun]) -> None:
        """Refuse, before anything trains, a model, preset or option of ``runs`` that cannot run
        on ``corpus``, an encoder that cannot be loaded and a GPU that is not there."""
        if runs:
            check_accelerator(self.config.train)
        for run in {run.label: run for run in runs}.values():  # one seed of each model
            try:
                model_config = resolve_model_config(run.config, corpus)
                check_encoder_available(model_config.encoder)
            except ValueError as error:
                raise ValueError(f"{run.label}: {error}") from None

    def run(self, corpus: Corpus | None = None) -> list[dict]:
        """Train every (model, seed) not yet in the store; return the records of all of them.

        Args:
            corpus: the data (default: read from ``config.data``); the runs' identity is its digest.
        """
        corpus = corpus or load_corpus(self.config)
        runs = plan_runs(self.config, self.models, corpus)
        self.check(corpus, [run for run in runs if self.store.find(*run.key) is None])
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_config()
        results = run_planned(runs, corpus=corpus, log=self.log, on_epoch_end=self.on_epoch_end,
                              raise_errors=True)
        return [result.record for result in results]

    def _write_config(self) -> None:
        """``config.yaml``: the configuration run, with each model's name, preset and params."""
        if len(self.models) == 1:
            text = with_model(self.config, self.models[0]).to_yaml()
        else:
            values = self.config.to_dict()
            values.pop("model")
            values["models"] = [dataclasses.asdict(with_model(self.config, model).model) for model in self.models]
            text = ("# compare: one configuration per model; each run folder's config.yaml is loadable "
                    "with --config\n" + yaml.safe_dump(values, sort_keys=False))
        write_text(self.folder / CONFIG_FILE, text)
