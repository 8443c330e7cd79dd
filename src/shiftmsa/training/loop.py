"""The fit loop of one run, a (config, seed) pair: Section IV-E of the paper.

AdamW with linear warm-up and decay; after every epoch the validation objective is computed and
the weights with the lowest one are kept (``best/``); the test split is scored exactly once, with
those weights, after the last epoch, and nothing in the loop ever looks at it before.

The loop is our own, on Lightning Fabric: Fabric gives devices, mixed precision and multi-GPU /
multi-node DDP with no code of ours, while the loop keeps checkpoints pickle-free (safetensors +
JSON) and makes a resumed run end with the numbers of an uninterrupted one: each epoch's sample
order is a function of (seed, epoch) and the random-number states travel with the checkpoint.

Several processes (``train.devices`` > 1, ``training/distributed.py``): ``train.batch_size`` stays
the global batch. Every optimiser step takes the batch a one-process run takes (same seed), each
rank the utterances ``batch[rank::world]``, padded as the whole batch, with the dropout masks one
process draws for the whole batch (``training/shared_dropout.py``); each rank's loss is weighted by
its share of the batch and the gradients are summed over ranks, so the step is the one-process
step up to float error (a loss averaged over tokens, msg-mba's Eq. 19, averages over the whole
batch's tokens: ``modules.losses.split_batch``). A loss of batch statistics (MISA's CMD and
difference terms) is computed on each share and weighted by its size, as DDP does; it is not the
whole batch's.
Validation and test batches are those of one process, dealt round-robin to the ranks and gathered,
so every utterance is scored exactly once. A per-utterance memory (Self-MM) gets every rank's
updated rows after each step; other buffers (BatchNorm statistics) are averaged after each epoch.
Rank 0 alone writes (checkpoints, bundles, the result); a checkpoint holds nothing of the number of
processes, so a run stopped under N processes resumes under M.
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
from shiftmsa.modules.losses import split_batch
from shiftmsa.training import distributed
from shiftmsa.training.checkpoint import (MODEL_WEIGHTS, TRAINING_STATE, CheckpointError, load_training_state,
                                          load_weights, save_model_bundle, save_training_state)
from shiftmsa.training.modelling import PreparedModel, bundle_metadata, prepare_model
from shiftmsa.training.progress import EpochProgress
from shiftmsa.training.seeding import (bucketed_batches, capture_rng_state, epoch_permutation, restore_rng_state,
                                      seed_everything)
from shiftmsa.training.shared_dropout import global_batch_dropout

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


def evaluation_batches(prepared: PreparedModel, utterances: Sequence[Utterance], batch_size: int) -> list[list[int]]:
    """Batches of a scoring pass, sorted by length: utterances ordered by word pieces (stable),
    cut into batches, each batch in corpus order. A batch pads little; a split that fits in one
    batch is the one batch it always was. Every model's output for an utterance is independent
    of its batch, so predictions and metrics are those of corpus-order batches (up to float
    rounding); an objective averaged over a batch's tokens (msg-mba's Eq. 20) is weighted by
    batch and may differ in its last digits."""
    builder = prepared.batch_builder
    by_length = sorted(range(len(utterances)), key=lambda i: len(builder.encode(utterances[i]).piece_ids))
    return [sorted(chunk) for chunk in batches_of(by_length, batch_size)]


def _scored(prepared: PreparedModel, utterances: Sequence[Utterance], chunk: list[int], device: torch.device,
            forward: Callable) -> tuple:
    """(chunk, predictions, labels, objective) of one scoring batch."""
    batch = prepared.batch_builder([utterances[i] for i in chunk]).to(device)
    output = forward(**batch.model_inputs())
    return (chunk, output.prediction.float().cpu().tolist(), batch.labels.cpu().tolist(),
            float(prepared.model.objective(output, batch.labels, None)))


def _in_corpus_order(utterances: Sequence[Utterance], scored: Sequence[tuple]) -> Predictions:
    predictions, labels = [0.0] * len(utterances), [0.0] * len(utterances)
    weighted_objective = 0.0
    for chunk, batch_predictions, batch_labels, objective in scored:
        weighted_objective += objective * len(chunk)
        for index, prediction, label in zip(chunk, batch_predictions, batch_labels):
            predictions[index], labels[index] = prediction, label
    return Predictions([u.id for u in utterances], predictions, labels,
                       weighted_objective / max(1, len(utterances)))


@torch.no_grad()
def predict_utterances(prepared: PreparedModel, utterances: Sequence[Utterance], batch_size: int,
                       device: torch.device, forward: Callable | None = None,
                       cluster: distributed.Solo | None = None) -> Predictions:
    """Score utterances in eval mode; ``forward`` defaults to the prepared model itself. The
    objective averaged is the model's own (``SentimentModel.objective`` with no training step).
    Batches are sorted by length (``evaluation_batches``); the predictions come back in corpus
    order. With a ``cluster`` of several processes, the batches are dealt to the ranks and every
    rank gets all predictions, each utterance once, in order (call it on every rank)."""
    forward = forward or prepared.model
    prepared.model.eval()
    chunks = evaluation_batches(prepared, utterances, batch_size)
    if cluster is not None and cluster.world_size > 1:
        mine = [(number, _scored(prepared, utterances, chunk, device, forward))
                for number, chunk in enumerate(chunks) if number % cluster.world_size == cluster.rank]
        scored = [item for _, item in sorted((pair for part in cluster.all_gather(mine) for pair in part),
                                             key=lambda pair: pair[0])]
    else:
        scored = [_scored(prepared, utterances, chunk, device, forward) for chunk in chunks]
    return _in_corpus_order(utterances, scored)


def _cpu(value):
    """Tensors of a nested state (dicts, lists) moved to the CPU, to travel between processes."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {key: _cpu(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cpu(item) for item in value)
    return value


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
        cluster: the processes of the run (``training.distributed``); by default the one
            ``train.devices`` asks for, this process being rank 0. Followers pass theirs.
    """

    def __init__(self, config: RunConfig, seed: int, corpus: Corpus, run_dir: Path,
                 on_epoch_end: Callable[[int, dict], None] | None = None, fabric=None,
                 progress: EpochProgress | None = None, cluster: distributed.Solo | None = None):
        self.config, self.seed, self.corpus = config, seed, corpus
        self.run_dir = Path(run_dir)
        self.on_epoch_end = on_epoch_end
        self.cluster = cluster or distributed.cluster_for(config.train)
        if self.cluster.world_size > 1:
            self.fabric = fabric or make_device_fabric(config, self.cluster)
        else:
            self.fabric = fabric or make_fabric(config)
        self.progress = progress

    def run(self) -> RunOutcome:
        if self.cluster.is_zero:
            result_path = self.run_dir / RESULT_FILE
            if result_path.exists():
                saved = json.loads(result_path.read_text())
                return RunOutcome(**saved)
        if self.cluster.world_size == 1:
            return self._run()
        if self.cluster.is_zero:  # the followers train the same run, their shares of it
            sent = None if self.cluster.sent_corpus == id(self.corpus) else self.corpus
            self.cluster.send_job((self.config, self.seed, str(self.run_dir), sent))
            self.cluster.sent_corpus = id(self.corpus)
        try:
            return self._run()
        except BaseException as error:
            if not self.cluster.is_zero:
                raise
            raised = self.cluster.failed(error)
            if raised is error:
                raise
            raise raised from error

    def _run(self) -> RunOutcome:
        cluster, zero = self.cluster, self.cluster.is_zero
        train = self.config.train
        if train.num_threads:
            torch.set_num_threads(train.num_threads)
        train_split = self.corpus.splits["train"]
        if not train_split or not self.corpus.splits["valid"]:
            raise ValueError(f"corpus {self.corpus.name} needs non-empty train and valid splits "
                             f"(sizes: {self.corpus.split_sizes()})")
        seed_everything(self.seed)
        prepared = prepare_model(self.config, self.corpus)
        steps_per_epoch = math.ceil(len(train_split) / train.batch_size)  # global batches
        optimizer, scheduler = prepared.optimizer(train, steps_per_epoch * train.epochs)
        model, optimizer = self.fabric.setup(prepared.model, optimizer)
        counters = {"epochs_done": 0, "best_epoch": 0, "best_valid_objective": math.inf,
                    "history": [], "train_seconds": 0.0}
        last_dir, best_dir = self.run_dir / "last", self.run_dir / "best"
        if zero and (last_dir / TRAINING_STATE).exists():
            try:
                counters, rng_state = load_training_state(last_dir, prepared.model, optimizer.optimizer,
                                                          scheduler)
            except CheckpointError as error:
                raise CheckpointError(f"cannot resume: {error}; remove {last_dir} (rm -r) to train this run "
                                      f"again from its first epoch") from None
            restore_rng_state(rng_state)
            if self.progress is not None:
                self.progress.note(f"resumes after epoch {counters['epochs_done']} from {last_dir}")
        if cluster.world_size > 1:  # rank 0's start (fresh or resumed) on every rank
            self._share_start(prepared, optimizer, scheduler, counters)
        for epoch in range(counters["epochs_done"] + 1, train.epochs + 1):
            started = time.perf_counter()
            if self.progress is not None:
                self.progress.epoch_started(epoch, train.epochs, steps_per_epoch)
            train_objective = self._train_epoch(prepared, model, optimizer, scheduler, epoch)
            valid = predict_utterances(prepared, self.corpus.splits["valid"], train.eval_batch_size,
                                       self.fabric.device, forward=model, cluster=cluster)
            counters["train_seconds"] += time.perf_counter() - started
            record = {"epoch": epoch, "train_objective": train_objective,
                      "valid_objective": valid.objective, "lr": scheduler.get_last_lr()[0],
                      "valid": valid.metrics()}
            counters["history"].append(record)
            counters["epochs_done"] = epoch
            if valid.objective < counters["best_valid_objective"]:
                counters.update(best_epoch=epoch, best_valid_objective=valid.objective)
                if zero:
                    save_model_bundle(best_dir, prepared.model, bundle_metadata(
                        self.config, prepared, self.corpus, self.seed, epoch), prepared.tokenizer,
                        prepared.encoder_config)
            if zero:
                save_training_state(last_dir, prepared.model, optimizer.optimizer, scheduler,
                                    counters, capture_rng_state())
            cluster.barrier()
            if self.on_epoch_end is not None and zero:
                self.on_epoch_end(epoch, record)
        return self._finish(prepared, model, counters)

    def _share_start(self, prepared: PreparedModel, optimizer, scheduler, counters: dict) -> None:
        """Rank 0's weights, random-number generators (fresh or resumed) and, resumed, its
        optimiser, scheduler and counters on every rank: followers read no checkpoint, so they
        need no shared disk."""
        resumed = counters["epochs_done"] > 0
        self.cluster.share_generators()
        start = self.cluster.broadcast(_cpu({
            "model": prepared.model.state_dict(), "resumed": resumed,
            **({"optimizer": optimizer.optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "counters": counters} if resumed else {})}))
        if self.cluster.is_zero:
            return
        prepared.model.load_state_dict(start["model"])
        if start["resumed"]:
            optimizer.optimizer.load_state_dict(start["optimizer"])
            scheduler.load_state_dict(start["scheduler"])
            counters.clear()
            counters.update(start["counters"])

    def _epoch_batches(self, prepared: PreparedModel, epoch: int) -> list[list[int]]:
        """The global batches of one epoch (indices into the train split), the same on every
        rank: the seeded order cut in turn, or length-bucketed (``train.length_buckets``)."""
        train, utterances = self.config.train, self.corpus.splits["train"]
        if train.length_buckets:
            lengths = [len(prepared.batch_builder.encode(u).piece_ids) for u in utterances]
            return bucketed_batches(lengths, train.batch_size, self.seed, epoch)
        return batches_of(epoch_permutation(len(utterances), self.seed, epoch), train.batch_size)

    def _train_epoch(self, prepared: PreparedModel, model, optimizer, scheduler, epoch: int) -> float:
        if self.cluster.world_size > 1:
            return self._train_epoch_shared(prepared, model, optimizer, scheduler, epoch)
        utterances = self.corpus.splits["train"]
        model.train()
        total, count = 0.0, 0
        for batch_number, chunk in enumerate(self._epoch_batches(prepared, epoch), start=1):
            batch = prepared.batch_builder([utterances[i] for i in chunk]).to(self.fabric.device)
            step = TrainingStep(torch.as_tensor(chunk, device=self.fabric.device), epoch)
            loss = prepared.model.objective(model(**batch.model_inputs()), batch.labels, step)
            optimizer.zero_grad(set_to_none=True)
            self.fabric.backward(loss)
            self._step(model, optimizer, scheduler, batch_number)
            total += float(loss.detach()) * len(batch)
            count += len(batch)
        return total / max(1, count)

    def _step(self, model, optimizer, scheduler, batch_number: int) -> None:
        """The optimiser step after a batch's gradients are in: clip, step, schedule, report."""
        if self.config.train.max_grad_norm:
            self.fabric.clip_gradients(model, optimizer, max_norm=self.config.train.max_grad_norm,
                                       error_if_nonfinite=False)
        optimizer.step()
        scheduler.step()
        if self.progress is not None:
            self.progress.batch_done(batch_number)

    def _train_epoch_shared(self, prepared: PreparedModel, model, optimizer, scheduler, epoch: int) -> float:
        """``_train_epoch`` on several processes: the one-process global batches, each split over
        the ranks (rows padded as the whole batch, dropout masks drawn for the whole batch);
        losses weighted by share, gradients summed, memory rows shared."""
        cluster = self.cluster
        utterances = self.corpus.splits["train"]
        memory = prepared.model.utterance_memory() if prepared.model.keeps_utterance_memory else []
        if prepared.model.keeps_utterance_memory and not memory:
            raise ValueError(f"{type(prepared.model).__name__} keeps a per-utterance memory but names none "
                             f"(utterance_memory()): it cannot be trained on several processes")
        parameters = [p for p in prepared.model.parameters() if p.requires_grad]
        model.train()
        total, count = 0.0, 0
        for batch_number, chunk in enumerate(self._epoch_batches(prepared, epoch), start=1):
            rows = list(range(cluster.rank, len(chunk), cluster.world_size))
            mine = [chunk[row] for row in rows]
            optimizer.zero_grad(set_to_none=True)
            if mine:
                whole = prepared.batch_builder([utterances[i] for i in chunk])
                batch = whole.rows(rows).to(self.fabric.device)
                share = len(mine) / len(chunk)
                step = TrainingStep(torch.as_tensor(mine, device=self.fabric.device), epoch)
                with split_batch(share, float(whole.attention_mask.sum())), global_batch_dropout(len(chunk), rows):
                    loss = prepared.model.objective(model(**batch.model_inputs()), batch.labels, step)
                self.fabric.backward(loss * share)
                total += float(loss.detach()) * len(mine)
                count += len(mine)
            cluster.reduce_gradients(parameters)
            if memory:
                cluster.share_rows(memory, mine)
            if len(chunk) < cluster.world_size:  # a rank without rows drew no dropout masks
                cluster.share_generators()
            self._step(model, optimizer, scheduler, batch_number)
        cluster.average_buffers(prepared.model, skip=[tensor for tensor, _ in memory])
        totals = cluster.all_gather((total, count))
        return sum(t for t, _ in totals) / max(1, sum(c for _, c in totals))

    def _finish(self, prepared: PreparedModel, model, counters: dict) -> RunOutcome:
        """Reload the best epoch's weights and score the test split, once; the valid metrics are
        the best epoch's own (the same weights scored them)."""
        best_dir = self.run_dir / "best"
        cluster = self.cluster
        if cluster.is_zero:
            load_weights(prepared.model, best_dir / MODEL_WEIGHTS)
        if cluster.world_size > 1:
            best = cluster.broadcast(_cpu(prepared.model.state_dict()) if cluster.is_zero else None)
            prepared.model.load_state_dict(best)
        batch_size = self.config.train.eval_batch_size
        # the best epoch's validation pass scored these very weights: its metrics are the ones
        best_record = [r for r in counters["history"] if r["epoch"] == counters["best_epoch"]]
        valid_metrics = dict(best_record[0]["valid"]) if best_record else predict_utterances(
            prepared, self.corpus.splits["valid"], batch_size, self.fabric.device, forward=model,
            cluster=cluster).metrics()
        test_split = self.corpus.splits["test"]
        test_metrics = (predict_utterances(prepared, test_split, batch_size, self.fabric.device,
                                           forward=model, cluster=cluster).metrics() if test_split else {})
        outcome = RunOutcome(seed=self.seed, best_epoch=counters["best_epoch"],
                             best_valid_objective=counters["best_valid_objective"],
                             valid_metrics=valid_metrics, test_metrics=test_metrics,
                             history=counters["history"], train_seconds=counters["train_seconds"])
        if cluster.is_zero:
            write_json(self.run_dir / RESULT_FILE, outcome.to_dict())
            shutil.rmtree(self.run_dir / "last", ignore_errors=True)
            if not self.config.train.keep_checkpoint:
                shutil.rmtree(best_dir, ignore_errors=True)
        return outcome


def make_fabric(config: RunConfig):
    """A Lightning Fabric on one device for ``config.train`` (accelerator, precision). Several
    processes are this module's and ``training.distributed``'s business, never Fabric's launcher
    (it re-runs the whole command in every process: the hang of issue 20)."""
    from lightning.fabric import Fabric

    train = config.train
    if distributed.processes_wanted(train) > 1:
        raise ValueError("make_fabric makes one process's Fabric; a run of several goes through RunTrainer")
    fabric = Fabric(accelerator=train.accelerator, devices=1, strategy="auto", precision=train.precision)
    fabric.launch()
    return fabric


def make_device_fabric(config: RunConfig, cluster: distributed.Cluster):
    """The Fabric of one rank of several: its own device (GPU ``local_rank`` or the CPU), the
    run's precision; gradients are averaged by the loop, not by a Fabric strategy."""
    from lightning.fabric import Fabric

    train = config.train
    if cluster.backend == "nccl":
        fabric = Fabric(accelerator="cuda", devices=[cluster.local_rank], strategy="auto", precision=train.precision)
    else:
        fabric = Fabric(accelerator="cpu", devices=1, strategy="auto", precision=train.precision)
    return fabric
