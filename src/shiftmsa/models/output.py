"""What every registered model returns, so the trainer needs no per-model code."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class RegressionOutput:
    """A batch of sentiment predictions plus what losses and figures need.

    Args:
        prediction: (B,) predicted sentiment (unclipped).
        auxiliary_loss: scalar added to the MSE term of the objective, already weighted
            (msg-mba: alpha*H(h_s^t) + beta*H(h_s^a) + gamma*H(h_s^v), Eq. 19-20); 0 when none.
        extras: named intermediate tensors for analysis and figures (e.g. ``"eta/text"``,
            ``"shift/text"``, ``"p_att/acoustic"``); never used by the trainer.
    """

    prediction: torch.Tensor
    auxiliary_loss: torch.Tensor
    extras: dict[str, torch.Tensor] = field(default_factory=dict)
