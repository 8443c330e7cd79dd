"""What every registered model returns (``RegressionOutput``) and what the trainer tells its
objective about a training batch (``TrainingStep``); the contract that uses them is
``shiftmsa.models.base``.

``SentimentModel.objective(output, labels, step)`` is MSE + ``RegressionOutput.auxiliary_loss``
(Eq. 18 + Eq. 20) unless a model overrides it: MISA validates on MSE alone, Self-MM computes its
multi-task loss and, given a ``TrainingStep``, updates its label memory.
"""

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
            ``"shift/text"``, ``"p_att/acoustic"``); never used by the trainer (a model's own
            ``objective`` may read them).
    """

    prediction: torch.Tensor
    auxiliary_loss: torch.Tensor
    extras: dict[str, torch.Tensor] = field(default_factory=dict)


@dataclass(frozen=True)
class TrainingStep:
    """What the trainer tells a model's ``objective`` about a training batch.

    Args:
        rows: (B,) long, the positions of the batch's utterances in the train split: the same
            utterance has the same row in every epoch (rows of a per-utterance memory).
        epoch: the 1-based epoch number.
    """

    rows: torch.Tensor
    epoch: int
