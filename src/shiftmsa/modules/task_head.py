"""A prediction head that also exposes its hidden feature (Self-MM's per-task heads)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class TaskPrediction:
    """Args:
        prediction: (B,) the task's score.
        feature: (B, d) the head's first hidden layer, the representation Self-MM's label
            generation measures distances on.
    """

    prediction: torch.Tensor
    feature: torch.Tensor


class FeatureRegressionHead(nn.Module):
    """dropout -> Linear -> ReLU (the feature) -> Linear -> ReLU -> Linear(d, 1).

    Args:
        input_dim: width of the input vector.
        hidden_dim: width d of the feature and of the second layer.
        dropout: dropout on the input vector.
    """

    def __init__(self, input_dim: int, hidden_dim: int, *, dropout: float = 0.0) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.feature = nn.Linear(input_dim, hidden_dim)
        self.hidden = nn.Linear(hidden_dim, hidden_dim)
        self.output = nn.Linear(hidden_dim, 1)

    def forward(self, vector: torch.Tensor) -> TaskPrediction:
        """(B, input_dim) -> a (B,) prediction and its (B, d) feature."""
        feature = torch.relu(self.feature(self.dropout(vector)))
        prediction = self.output(torch.relu(self.hidden(feature))).squeeze(-1)
        return TaskPrediction(prediction=prediction, feature=feature)
