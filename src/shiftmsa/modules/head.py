"""The regression head: an utterance vector -> one sentiment score."""

from __future__ import annotations

import torch
from torch import nn


class RegressionHead(nn.Module):
    """[optional Linear + tanh pooler] -> dropout -> Linear(d, 1).

    msg-mba uses the plain Linear of Fig. 2 (no pooler; no dropout unless ``head_dropout`` asks
    for it); MAG uses the BERT-style pooler and dropout of its reference implementation.

    Args:
        input_dim: width d of the pooled vector.
        pooler: add a Linear(d, d) + tanh before the dropout (BERT's pooler / XLNet's summary).
        dropout: dropout before the output Linear.
    """

    def __init__(self, input_dim: int, *, pooler: bool = False, dropout: float = 0.0) -> None:
        super().__init__()
        self.pooler = nn.Sequential(nn.Linear(input_dim, input_dim), nn.Tanh()) if pooler else nn.Identity()
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(input_dim, 1)

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        """(B, d) -> (B,) predictions."""
        return self.output(self.dropout(self.pooler(pooled))).squeeze(-1)
