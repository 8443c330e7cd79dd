"""The pre-fusion sub-networks of TFN (Zadeh et al. 2017) that LMF (Liu et al. 2018) reuses.

A non-text stream becomes one utterance vector through BatchNorm -> dropout -> three
Linear + ReLU layers ("audio/video subnetworks", fed with the time-averaged rows, as MMSA feeds
them); the text sequence becomes one vector through a one-directional LSTM whose last real state
goes through dropout and a Linear ("language subnetwork"). In the BERT setting the LSTM reads the
fine-tuned encoder's outputs instead of GloVe vectors.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from shiftmsa.modules.pooling import feature_row_mean, last_real_row
from shiftmsa.modules.rnn import ModalityRNN


class FeatureSubNet(nn.Module):
    """BatchNorm1d -> dropout -> (Linear -> ReLU) x 3 on one vector per utterance.

    A training batch of one utterance (a split's last, short batch) is normalised with the running
    statistics instead of failing as BatchNorm1d does on a single sample.

    Args:
        input_dim: width of the utterance vector.
        hidden_dim: width of the three Linear layers.
        dropout: dropout after the BatchNorm.
    """

    def __init__(self, input_dim: int, hidden_dim: int, dropout: float) -> None:
        super().__init__()
        self.norm = nn.BatchNorm1d(input_dim)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.Sequential(nn.Linear(input_dim, hidden_dim), nn.ReLU(),
                                    nn.Linear(hidden_dim, hidden_dim), nn.ReLU(),
                                    nn.Linear(hidden_dim, hidden_dim), nn.ReLU())

    def forward(self, vectors: torch.Tensor) -> torch.Tensor:
        """(B, input_dim) -> (B, hidden_dim)."""
        norm = self.norm
        single = self.training and vectors.shape[0] == 1
        normed = (F.batch_norm(vectors, norm.running_mean, norm.running_var, norm.weight, norm.bias,
                               training=False, eps=norm.eps) if single else norm(vectors))
        return self.layers(self.dropout(normed))


class TextSubNet(nn.Module):
    """LSTM over the real tokens -> last state -> dropout -> Linear.

    Args:
        input_dim: width of the token rows (the encoder's hidden size).
        hidden_dim: LSTM hidden size.
        output_dim: width of the text vector.
        dropout: dropout on the last state.
    """

    def __init__(self, input_dim: int, hidden_dim: int, output_dim: int, dropout: float) -> None:
        super().__init__()
        self.rnn = ModalityRNN(input_dim, hidden_dim, "slstm")
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_dim, output_dim)

    def forward(self, tokens: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, L, input_dim) and the (B, L) real-token mask -> (B, output_dim)."""
        last_state = last_real_row(self.rnn(tokens, attention_mask), attention_mask)
        return self.output(self.dropout(last_state))


class UnimodalVectors(nn.Module):
    """One vector per modality and utterance: ``TextSubNet`` on text, ``FeatureSubNet`` on the
    feature mean of each non-text stream.

    Args:
        input_dims: modality -> width of its rows (``"text"`` among them).
        hidden_dims: modality -> sub-network width (for text, the LSTM hidden size).
        text_output_dim: width of the text vector.
        dropouts: modality -> sub-network dropout.
    """

    def __init__(self, input_dims: dict[str, int], hidden_dims: dict[str, int], text_output_dim: int,
                 dropouts: dict[str, float]) -> None:
        super().__init__()
        self.text = TextSubNet(input_dims["text"], hidden_dims["text"], text_output_dim, dropouts["text"])
        self.streams = nn.ModuleDict({m: FeatureSubNet(width, hidden_dims[m], dropouts[m])
                                      for m, width in input_dims.items() if m != "text"})
        self.output_dims = {"text": text_output_dim, **{m: hidden_dims[m] for m in self.streams}}

    def forward(self, sequences: dict[str, torch.Tensor], attention_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """modality -> (B, L, d_m) sequences -> modality -> (B, output_dims[m]), in input order."""
        return {m: self.text(rows, attention_mask) if m == "text"
                else self.streams[m](feature_row_mean(rows, attention_mask))
                for m, rows in sequences.items()}
