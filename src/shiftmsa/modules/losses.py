"""The Shifting HuberLoss (Eq. 19) and its weighted sum, the auxiliary part of Eq. 20 (the total
objective is ``shiftmsa.models.base.SentimentModel.objective``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch.nn import functional


def shifting_huber(shift: torch.Tensor, attention_mask: torch.Tensor, delta: float) -> torch.Tensor:
    """L_shift^m of Eq. 19: Huber loss of the shift vector towards 0 with threshold ``delta``
    (0.5 x^2 for |x| <= delta, delta (|x| - delta / 2) above), averaged over the elements of
    real tokens (padded positions carry no shift worth penalising)."""
    per_token = functional.huber_loss(shift, torch.zeros_like(shift), reduction="none", delta=delta).sum(dim=-1)
    real = attention_mask.to(shift.dtype)
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

