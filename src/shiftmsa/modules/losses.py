"""The Shifting HuberLoss (Eq. 19) and its weighted sum, the auxiliary part of Eq. 20 (the total
objective is ``shiftmsa.models.base.SentimentModel.objective``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import torch
from torch.nn import functional


@dataclass(frozen=True)
class SplitBatch:
    """A training batch split over processes, seen from one of them.

    Args:
        share: this process's utterances / the batch's; the fit loop weights this process's
            objective by it, which makes every mean over utterances that of the whole batch.
        real_tokens: the real tokens of the whole batch (every process's).
    """

    share: float
    real_tokens: float


_SPLIT: ContextVar[SplitBatch | None] = ContextVar("split_batch", default=None)


@contextmanager
def split_batch(share: float, real_tokens: float) -> Iterator[None]:
    """Within the block, a loss averaged over another unit than utterances (tokens) averages over
    the whole batch's units, so that weighted by ``share`` and summed over processes it is the
    loss of the whole batch (the fit loop sets it for each share of a batch)."""
    token = _SPLIT.set(SplitBatch(share, real_tokens))
    try:
        yield
    finally:
        _SPLIT.reset(token)


def shifting_huber(shift: torch.Tensor, attention_mask: torch.Tensor, delta: float) -> torch.Tensor:
    """L_shift^m of Eq. 19: Huber loss of the shift vector towards 0 with threshold ``delta``
    (0.5 x^2 for |x| <= delta, delta (|x| - delta / 2) above), averaged over the elements of
    real tokens (padded positions carry no shift worth penalising)."""
    per_token = functional.huber_loss(shift, torch.zeros_like(shift), reduction="none", delta=delta).sum(dim=-1)
    real = attention_mask.to(shift.dtype)
    split = _SPLIT.get()
    if split is not None:  # this process's share of a batch: over the whole batch's tokens
        return (per_token * real).sum() / max(split.real_tokens * shift.shape[-1] * split.share, 1e-12)
    return (per_token * real).sum() / (real.sum() * shift.shape[-1]).clamp(min=1.0)


@dataclass(frozen=True)
class ShiftingHuberLoss:
    """alpha * H(h_s^t) + beta * H(h_s^a) + gamma * H(h_s^v): the auxiliary part of Eq. 20.

    Args:
        weights: modality -> weight (``{"text": alpha, "acoustic": beta, "visual": gamma}``).
        delta: the Huber threshold of Eq. 19.
    """

    weights: Mapping[str, float]
    delta: float

    def __call__(self, shifts: Mapping[str, torch.Tensor], attention_mask: torch.Tensor) -> torch.Tensor:
        """Sum over the modalities that were shifted; 0 (on the mask's device) when none were."""
        total = attention_mask.new_zeros((), dtype=torch.float32)
        for modality, shift in shifts.items():
            total = total + self.weights[modality] * shifting_huber(shift, attention_mask, self.delta)
        return total

