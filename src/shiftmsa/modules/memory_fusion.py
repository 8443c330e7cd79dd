"""The Memory Fusion Network's recurrence (Zadeh et al. 2018, MFN).

One LSTM per modality (the "system of LSTMs") steps through the aligned sequences. At every step
the Delta-memory Attention Network looks at the memories of all LSTMs at t-1 and t together,
and the Multi-view Gated Memory stores what it picks out across time:

- DMAN: c^[t-1,t] = [c_{t-1}; c_t] (all modalities), a = softmax(D_a(c^[t-1,t])),
  c_hat = a * c^[t-1,t];
- MVGM: u_hat = tanh(D_u(c_hat)), gamma_1 = sigmoid(D_g1([c_hat; u_{t-1}])),
  gamma_2 = sigmoid(D_g2([c_hat; u_{t-1}])), u_t = gamma_1 * u_{t-1} + gamma_2 * u_hat.

Each D is Linear -> ReLU -> dropout -> Linear, as in the authors' code. Padding never changes a
state: at a padded step every LSTM state and the memory keep their previous values, so the final
states are those of the last real step whichever side the padding is on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn


def two_layer_network(input_dim: int, hidden_dim: int, output_dim: int, dropout: float) -> nn.Sequential:
    """Linear -> ReLU -> dropout -> Linear (MFN's D_a, D_u, D_g1, D_g2 and output network)."""
    return nn.Sequential(nn.Linear(input_dim, hidden_dim), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(hidden_dim, output_dim))


@dataclass(frozen=True)
class MemoryFusionSizes:
    """The widths and dropouts of the DMAN and MVGM networks (MFN's NN1, NN2, gamma1, gamma2).

    Args:
        memory_dim: width of the multi-view gated memory u.
        attention_hidden / attention_dropout: D_a (attention over the memories).
        update_hidden / update_dropout: D_u (the proposed memory update).
        retain_hidden / retain_dropout: D_g1 (the retain gate gamma_1).
        update_gate_hidden / update_gate_dropout: D_g2 (the update gate gamma_2).
    """

    memory_dim: int
    attention_hidden: int
    attention_dropout: float
    update_hidden: int
    update_dropout: float
    retain_hidden: int
    retain_dropout: float
    update_gate_hidden: int
    update_gate_dropout: float


class DeltaMemoryAttention(nn.Module):
    """DMAN: softmax attention over the concatenated memories of t-1 and t.

    Args:
        memory_width: total width of all LSTM memories at one step.
        hidden_dim / dropout: of D_a.
    """

    def __init__(self, memory_width: int, hidden_dim: int, dropout: float) -> None:
        super().__init__()
        self.scores = two_layer_network(2 * memory_width, hidden_dim, 2 * memory_width, dropout)

    def forward(self, previous: torch.Tensor, current: torch.Tensor) -> torch.Tensor:
        """(B, W) memories at t-1 and t -> (B, 2W) attended c_hat."""
        both = torch.cat([previous, current], dim=-1)
        return torch.softmax(self.scores(both), dim=-1) * both


class MultiViewGatedMemory(nn.Module):
    """MVGM: the gated memory u that accumulates DMAN's output over time.

    Args:
        attended_width: width of c_hat (twice the total LSTM memory width).
        sizes: memory width, hidden widths and dropouts.
    """

    def __init__(self, attended_width: int, sizes: MemoryFusionSizes) -> None:
        super().__init__()
        gate_input = attended_width + sizes.memory_dim
        self.update = two_layer_network(attended_width, sizes.update_hidden, sizes.memory_dim, sizes.update_dropout)
        self.retain_gate = two_layer_network(gate_input, sizes.retain_hidden, sizes.memory_dim, sizes.retain_dropout)
        self.update_gate = two_layer_network(gate_input, sizes.update_gate_hidden, sizes.memory_dim,
                                             sizes.update_gate_dropout)

    def forward(self, attended: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        """c_hat (B, attended_width) and u_{t-1} (B, memory_dim) -> u_t."""
        proposal = torch.tanh(self.update(attended))
        both = torch.cat([attended, memory], dim=-1)
        return torch.sigmoid(self.retain_gate(both)) * memory + torch.sigmoid(self.update_gate(both)) * proposal


class MemoryFusionRecurrence(nn.Module):
    """The system of LSTMs with DMAN and MVGM, run over aligned sequences.

    Args:
        input_dims: width of each modality's rows, in the order ``forward`` gets them.
        hidden_dims: LSTM hidden size of each modality, same order.
        sizes: the DMAN / MVGM widths and dropouts.
    """

    def __init__(self, input_dims: Sequence[int], hidden_dims: Sequence[int], sizes: MemoryFusionSizes) -> None:
        super().__init__()
        if len(input_dims) != len(hidden_dims) or not input_dims:
            raise ValueError(f"one hidden size per modality: got {list(input_dims)} and {list(hidden_dims)}")
        self.cells = nn.ModuleList(nn.LSTMCell(i, h) for i, h in zip(input_dims, hidden_dims))
        self.hidden_dims = list(hidden_dims)
        self.memory_dim = sizes.memory_dim
        width = sum(hidden_dims)
        self.attention = DeltaMemoryAttention(width, sizes.attention_hidden, sizes.attention_dropout)
        self.memory = MultiViewGatedMemory(2 * width, sizes)
        self.output_dim = width + sizes.memory_dim

    def forward(self, sequences: Sequence[torch.Tensor], attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, L, d_m) per modality and a (B, L) mask -> (B, sum(hidden) + memory_dim): the last
        hidden state of every LSTM and the last memory u_T."""
        if len(sequences) != len(self.cells):
            raise ValueError(f"built for {len(self.cells)} modalities, got {len(sequences)}")
        reference = sequences[0]
        batch_size = reference.shape[0]
        hidden = [reference.new_zeros(batch_size, h) for h in self.hidden_dims]
        cells = [reference.new_zeros(batch_size, h) for h in self.hidden_dims]
        memory = reference.new_zeros(batch_size, self.memory_dim)
        real = attention_mask.to(reference.dtype).unsqueeze(-1)
        for step in range(reference.shape[1]):
            keep = real[:, step]
            previous = torch.cat(cells, dim=-1)
            for index, (cell, rows) in enumerate(zip(self.cells, sequences)):
                new_hidden, new_cell = cell(rows[:, step], (hidden[index], cells[index]))
                hidden[index] = keep * new_hidden + (1 - keep) * hidden[index]
                cells[index] = keep * new_cell + (1 - keep) * cells[index]
            attended = self.attention(previous, torch.cat(cells, dim=-1))
            memory = keep * self.memory(attended, memory) + (1 - keep) * memory
        return torch.cat([*hidden, memory], dim=-1)
