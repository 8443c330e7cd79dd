"""Self-MM's Unimodal Label Generation Module (ULGM) and its multi-task loss (Yu et al., AAAI 2021).

Per training utterance a memory keeps the label of every task (``fusion``: the human label y_m;
``text`` / ``acoustic`` / ``visual``: a generated label y_s) and the last feature of every task.
From the second epoch on, after each training batch:

- class centres: for each task, the mean stored feature of the utterances whose label (of that
  task) is positive, and of those whose label is negative;
- relative distance: delta = (d_n - d_p) / (d_p + eps), d_p / d_n the L2 distances of the
  batch's feature to the positive / negative centre (delta_m for fusion, delta_s per modality);
- new label: the mean of the ratio rule y_m * delta_s / delta_m and the difference rule
  y_m + delta_s - delta_m, clipped to [-H, H];
- momentum: at epoch n the stored label becomes (n - 1) / (n + 1) * old + 2 / (n + 1) * new
  (equivalently, a weighted mean of every epoch's new label, later epochs weighing more).

The loss reads the labels *before* the batch's update, and the features enter the memory after
it, as in the authors' code (thuiar/Self-MM, MMSA), so the label of an utterance first differs
from y_m at its second visit and first weighs in the loss at its third.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

FUSION = "fusion"
DISTANCE_EPSILON = 1e-8


def relative_distance(features: torch.Tensor, positive_centre: torch.Tensor,
                      negative_centre: torch.Tensor) -> torch.Tensor:
    """(d_n - d_p) / (d_p + 1e-8) for each row of ``features`` (B, d); > 0 nearer the positive centre."""
    to_positive = torch.linalg.vector_norm(features - positive_centre, dim=-1)
    to_negative = torch.linalg.vector_norm(features - negative_centre, dim=-1)
    return (to_negative - to_positive) / (to_positive + DISTANCE_EPSILON)


def generated_label(fusion_label: torch.Tensor, unimodal_distance: torch.Tensor,
                    fusion_distance: torch.Tensor, bound: float) -> torch.Tensor:
    """The new unimodal label: mean of the ratio rule and the difference rule, clipped to [-H, H].

    Args:
        fusion_label: (B,) y_m.
        unimodal_distance: (B,) delta_s of the modality.
        fusion_distance: (B,) delta_m of the fused representation.
        bound: H.
    """
    ratio = unimodal_distance / (fusion_distance + DISTANCE_EPSILON) * fusion_label
    difference = fusion_label + unimodal_distance - fusion_distance
    return (0.5 * ratio + 0.5 * difference).clamp(-bound, bound)


def momentum_average(previous: torch.Tensor, new: torch.Tensor, epoch: int) -> torch.Tensor:
    """(n - 1) / (n + 1) * previous + 2 / (n + 1) * new at epoch n."""
    return (epoch - 1) / (epoch + 1) * previous + 2 / (epoch + 1) * new


def multitask_l1(predictions: Mapping[str, torch.Tensor], labels: Mapping[str, torch.Tensor]) -> torch.Tensor:
    """Self-MM's loss: sum over tasks of mean(w * |y_hat - y|), w = 1 for fusion and
    tanh(|y_s - y_m|) for a unimodal task (its generated label's distance from the human one).

    Args:
        predictions: task -> (B,) predictions; ``fusion`` among them.
        labels: task -> (B,) labels of the same tasks (human for fusion, generated otherwise).
    """
    total = predictions[FUSION].new_zeros((), dtype=torch.float32)
    for task, prediction in predictions.items():
        error = (prediction.float() - labels[task]).abs()
        weight = 1.0 if task == FUSION else torch.tanh((labels[task] - labels[FUSION]).abs())
        total = total + (weight * error).mean()
    return total


class UnimodalLabelMemory(nn.Module):
    """The per-utterance labels and features of the ULGM, as buffers (so they are checkpointed
    with the weights and a resumed run continues with them).

    A row's labels are NaN until the row is first seen, when every task gets its human label
    (the authors initialise them all from the train split before training; a row's labels are
    never read before its first visit, and every row is visited in epoch 1, before any update,
    so this is the same). A class with no utterance yet (e.g. no positive label) has no centre;
    the labels of that task are then left as they are for the batch.

    Args:
        feature_dims: task -> width of its feature; must contain ``fusion``.
        size: number of training utterances (rows).
        bound: H, the generated labels are clipped to [-H, H] (3 on MOSI / MOSEI).
        exclude_zero: the positive class is label > 0 (True, the authors' MOSI setting) or >= 0.
    """

    def __init__(self, feature_dims: Mapping[str, int], size: int, *, bound: float = 3.0,
                 exclude_zero: bool = True) -> None:
        super().__init__()
        if FUSION not in feature_dims:
            raise ValueError(f"feature_dims needs a {FUSION!r} task, got {list(feature_dims)}")
        self.tasks = (FUSION, *[task for task in feature_dims if task != FUSION])
        self.size, self.bound, self.exclude_zero = size, bound, exclude_zero
        self.register_buffer("labels", torch.full((len(self.tasks), size), float("nan")))
        for task in self.tasks:
            self.register_buffer(f"features_{task}", torch.zeros(size, feature_dims[task]))

    def row_buffers(self) -> list[tuple[torch.Tensor, int]]:
        """Every buffer with its row dimension: the labels (tasks x rows) and each task's features."""
        return [(self.labels, 1), *[(self.stored_features(task), 0) for task in self.tasks]]

    def stored_features(self, task: str) -> torch.Tensor:
        return getattr(self, f"features_{task}")

    def check_rows(self, rows: torch.Tensor) -> None:
        if rows.numel() and (int(rows.min()) < 0 or int(rows.max()) >= self.size):
            raise ValueError(f"training rows must be in 0..{self.size - 1} (the memory was sized for "
                             f"{self.size} training utterances), got {int(rows.min())}..{int(rows.max())}")

    @torch.no_grad()
    def targets(self, rows: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        """The current label of every task for ``rows`` (B,), first seen rows set to ``labels``."""
        self.check_rows(rows)
        unseen = torch.isnan(self.labels[0, rows])
        self.labels[:, rows[unseen]] = labels[unseen].to(self.labels.dtype)
        return {task: self.labels[index, rows] for index, task in enumerate(self.tasks)}

    def centres(self, task: str) -> tuple[torch.Tensor, torch.Tensor] | None:
        """(positive, negative) centre of a task's stored features, or None if a class is empty."""
        labels = self.labels[self.tasks.index(task)]
        positive = labels > 0 if self.exclude_zero else labels >= 0
        negative = labels < 0
        if not bool(positive.any()) or not bool(negative.any()):
            return None
        features = self.stored_features(task)
        return features[positive].mean(dim=0), features[negative].mean(dim=0)

    @torch.no_grad()
    def update(self, features: Mapping[str, torch.Tensor], rows: torch.Tensor, epoch: int) -> None:
        """After a training batch's loss: new unimodal labels for ``rows`` (from epoch 2 on), then
        the batch's features into the memory.

        Args:
            features: task -> (B, d) features of the batch (detached here).
            rows: (B,) the batch's rows.
            epoch: the 1-based epoch number n of the momentum rule.
        """
        self.check_rows(rows)
        fusion_centres = self.centres(FUSION) if epoch >= 2 else None
        if fusion_centres is not None:
            fusion_distance = relative_distance(features[FUSION].float(), *fusion_centres)
            fusion_label = self.labels[0, rows]
            for index, task in enumerate(self.tasks[1:], start=1):
                centres = self.centres(task)
                if centres is None:
                    continue
                new = generated_label(fusion_label, relative_distance(features[task].float(), *centres),
                                      fusion_distance, self.bound)
                self.labels[index, rows] = momentum_average(self.labels[index, rows], new, epoch)
        for task in self.tasks:
            self.stored_features(task)[rows] = features[task].detach().to(self.labels.dtype)
