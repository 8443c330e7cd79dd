"""What every registered model returns, so the trainer needs no per-model code.

A model's loss is MSE(y, y_hat) + ``RegressionOutput.auxiliary_loss`` (msg-mba's Eq. 20), on
training batches (the loss minimised) and on validation passes (the objective whose mean over the
valid split selects the best epoch). A model whose paper says otherwise defines

    objective(output: RegressionOutput, labels: Tensor, step: TrainingStep | None) -> Tensor

and the trainer calls it instead: with a ``TrainingStep`` on training batches, with None on
validation and test passes. It may update the model's own per-utterance state (buffers, so that
checkpoints and resumed runs carry it) from detached outputs when ``step`` is given; MISA uses it
to validate on MSE alone, Self-MM for its multi-task loss and label memory.
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
