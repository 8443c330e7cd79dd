"""The fit loop of one run, a (config, seed) pair: Section IV-E of the paper.

AdamW with linear warm-up and decay; after every epoch the validation objective is computed and
the weights with the lowest one are kept (``best/``); the test split is scored exactly once, with
those weights, after the last epoch, and nothing in the loop ever looks at it before.

The loop is our own, on Lightning Fabric: Fabric gives devices, mixed precision and multi-GPU /
multi-node DDP with no code of ours, while the loop keeps checkpoints pickle-free (safetensors +
JSON) and makes a resumed run end with the numbers of an uninterrupted one: each epoch's sample
order is a function of (seed, epoch) and the random-number states travel with the checkpoint.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import torch

from shiftmsa.config import RunConfig
from shiftmsa.data.contract import Corpus, Utterance
from shiftmsa.evaluation.metrics import regression_metrics
from shiftmsa.files import write_json
from shiftmsa.models.output import TrainingStep
from shiftmsa.training.checkpoint import (MODEL_WEIGHTS, TRAINING_STATE, load_training_state, load_weights,
                                          save_model_bundle, save_training_state)
from shiftmsa.training.modelling import PreparedModel, bundle_metadata, prepare_model
from shiftmsa.training.progress import EpochProgress
from shiftmsa.training.seeding import capture_rng_state, epoch_permutation, restore_rng_state, seed_everything

RESULT_FILE = "result.json"


@dataclass
class Predictions:
    """Scores of one pass over a split, in corpus order, with the objective averaged over it."""

    ids: list[str]
    predictions: list[float]
    labels: list[float]
    objective: float

    def metrics(self) -> dict[str, float]:
        return regression_metrics(self.predictions, self.labels)


@dataclass
class RunOutcome:
    """What one (config, seed) run produced."""

    seed: int
    best_epoch: int
    best_valid_objective: float
    valid_metrics: dict[str, float]
    test_metrics: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)
    train_seconds: float = 0.0  # training and validation passes of every epoch

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def batches_of(indices: Sequence[int], batch_size: int) -> list[list[int]]:
    return [list(indices[start:start + batch_size]) for start in range(0, len(indices), batch_size)]


@torch.no_grad()
def predict_utterances(prepared: PreparedModel, utterances: Sequence[Utterance], batch_size: int,
                       device: torch.device, forward: Callable | None = None) -> Predictions:
    """Score utterances in eval mode; ``forward`` defaults to the prepared model itself. The
    objective averaged is the model's own (``SentimentModel.objective`` with no training step)."""
    forward = forward or prepared.model
    prepared.model.eval()
    ids, predictions, labels, weighted_objective = [], [], [], 0.0
    for chunk in batches_of(range(len(utterances)), batch_size):
        batch = prepared.batch_builder([utterances[i] for i in chunk]).to(device)
        output = forward(**batch.model_inputs())
        weighted_objective += float(prepared.model.objective(output, batch.labels, None)) * len(batch)
        ids.extend(batch.ids)
        predictions.extend(output.prediction.float().cpu().tolist())
        labels.extend(batch.labels.cpu().tolist())
    return Predictions(ids, predictions, labels, weighted_objective / max(1, len(utterances)))


class RunTrainer:
    """Trains one (config, seed) run in ``run_dir``, resuming from ``run_dir/last`` when present.

    Args:
        config: the run configuration.
        seed: the run's seed.
        corpus: the data; its ``train`` split is fitted, ``valid`` selects the epoch, ``test`` is
            scored once at the end.
        run_dir: this run's folder: ``last/`` (training state), ``best/`` (model bundle),
            ``result.json`` once finished.
        on_epoch_end: called with the finished epoch number after its checkpoint is written
            (progress reports; tests use it to interrupt a run).
        fabric: a launched ``lightning.fabric.Fabric``; by default one is made from ``config.train``.
        progress: reports the batches of each epoch and a resumption; None reports nothing.
    """

    def __init__(self, config: RunConfig, seed: int, corpus: Corpus, run_dir: Path,
                 on_epoch_end: Callable[[int, dict], None] | None = None, fabric=None,
                 progress: EpochProgress | None = None):
        self.config, self.seed, self.corpus = config, seed, corpus
        self.run_dir = Path(run_dir)
        self.on_epoch_end = on_epoch_end
        self.fabric = fabric or make_fabric(config)
        self.progress = progress

    def run(self) -> RunOutcome:
        result_path = self.run_dir / RESULT_FILE
        if result_path.exists():
            saved = json.loads(result_path.read_text())
            return RunOutcome(**saved)
        train = self.config.train
        if train.num_threads:
            torch.set_num_threads(train.num_threads)
        train_split = self.corpus.splits["train"]
        if not train_split or not self.corpus.splits["valid"]:
            raise ValueError(f"corpus {self.corpus.name} needs non-empty train and valid splits "
                             f"(sizes: {self.corpus.split_sizes()})")
        seed_everything(self.seed)
        prepared = prepare_model(self.config, self.corpus)
        world = self.fabric.world_size
        steps_per_epoch = math.ceil(math.ceil(len(train_split) / world) / train.batch_size)
        optimizer, scheduler = prepared.optimizer(train, steps_per_epoch * train.epochs)
        model, optimizer = self.fabric.setup(prepared.model, optimizer)
        counters = {"epochs_done": 0, "best_epoch": 0, "best_valid_objective": math.inf,
                    "history": [], "train_seconds": 0.0}
        last_dir, best_dir = self.run_dir / "last", self.run_dir / "best"
        if (last_dir / TRAINING_STATE).exists():
            counters, rng_state = load_training_state(last_dir, prepared.model, optimizer.optimizer,
                                                      scheduler)
            restore_rng_state(rng_state)
            if self.progress is not None:
                self.progress.note(f"resumes after epoch {counters['epochs_done']} from {last_dir}")
        for epoch in range(counters["epochs_done"] + 1, train.epochs + 1):
            started = time.perf_counter()
            if self.progress is not None:
                self.progress.epoch_started(epoch, train.epochs, steps_per_epoch)
            train_objective = self._train_epoch(prepared, model, optimizer, scheduler, epoch)
            valid = predict_utterances(prepared, self.corpus.splits["valid"], train.eval_batch_size,
                                       self.fabric.device, forward=model)
            counters["train_seconds"] += time.perf_counter() - started
            record = {"epoch": epoch, "train_objective": train_objective,
                      "valid_objective": valid.objective, "lr": scheduler.get_last_lr()[0],
                      "valid": valid.metrics()}
            counters["history"].append(record)
            counters["epochs_done"] = epoch
            if valid.objective < counters["best_valid_objective"]:
                counters.update(best_epoch=epoch, best_valid_objective=valid.objective)
                if self.fabric.is_global_zero:
                    save_model_bundle(best_dir, prepared.model, bundle_metadata(
                        self.config, prepared, self.corpus, self.seed, epoch), prepared.tokenizer,
                        prepared.encoder_config)
            if self.fabric.is_global_zero:
                save_training_state(last_dir, prepared.model, optimizer.optimizer, scheduler,
                                    counters, capture_rng_state())
            self.fabric.barrier()
            if self.on_epoch_end is not None:
                self.on_epoch_end(epoch, record)
        return self._finish(prepared, model, counters)

    def _train_epoch(self, prepared: PreparedModel, model, optimizer, scheduler, epoch: int) -> float:
        train = self.config.train
        utterances = self.corpus.splits["train"]
        order = epoch_permutation(len(utterances), self.seed, epoch)
        world = self.fabric.world_size
        order += order[:(-len(order)) % world]  # every process takes the same number of steps
        order = order[self.fabric.global_rank::world]
        model.train()
        total, count = 0.0, 0
        for batch_number, chunk in enumerate(batches_of(order, train.batch_size), start=1):
            batch = prepared.batch_builder([utterances[i] for i in chunk]).to(self.fabric.device)
            step = TrainingStep(torch.as_tensor(chunk, device=self.fabric.device), epoch)
            loss = prepared.model.objective(model(**batch.model_inputs()), batch.labels, step)
            optimizer.zero_grad(set_to_none=True)
            self.fabric.backward(loss)
            if train.max_grad_norm:
                self.fabric.clip_gradients(model, optimizer, max_norm=train.max_grad_norm,
                                           error_if_nonfinite=False)
            optimizer.step()
            scheduler.step()
            total += float(loss.detach()) * len(batch)
            count += len(batch)
            if self.progress is not None:
                self.progress.batch_done(batch_number)
        return total / max(1, count)

    def _finish(self, prepared: PreparedModel, model, counters: dict) -> RunOutcome:
        """Reload the best epoch's weights and score valid and test, the test split once."""
        best_dir = self.run_dir / "best"
        load_weights(prepared.model, best_dir / MODEL_WEIGHTS)
        batch_size = self.config.train.eval_batch_size
        valid = predict_utterances(prepared, self.corpus.splits["valid"], batch_size, self.fabric.device,
                                   forward=model)
        test_split = self.corpus.splits["test"]
        test_metrics = (predict_utterances(prepared, test_split, batch_size, self.fabric.device,
                                           forward=model).metrics() if test_split else {})
        outcome = RunOutcome(seed=self.seed, best_epoch=counters["best_epoch"],
                             best_valid_objective=counters["best_valid_objective"],
                             valid_metrics=valid.metrics(), test_metrics=test_metrics,
                             history=counters["history"], train_seconds=counters["train_seconds"])
        if self.fabric.is_global_zero:
            write_json(self.run_dir / RESULT_FILE, outcome.to_dict())
            shutil.rmtree(self.run_dir / "last", ignore_errors=True)
            if not self.config.train.keep_checkpoint:
                shutil.rmtree(best_dir, ignore_errors=True)
        return outcome


def make_fabric(config: RunConfig):
    """A launched Lightning Fabric for ``config.train`` (devices, strategy, precision)."""
    from lightning.fabric import Fabric

    train = config.train
    fabric = Fabric(accelerator=train.accelerator, devices=train.devices, strategy=train.strategy,
                    precision=train.precision)
    fabric.launch()
    return fabric
