"""An utterance vector from a feature sequence: the final states of stacked RNN layers.

MISA encodes acoustic and visual sequences with two bidirectional LSTM layers and a LayerNorm in
between, and takes the final hidden states of both layers; Self-MM takes the final hidden state
of one forward LSTM. Both are ``UtteranceRNN``.
"""

from __future__ import annotations

import torch
from torch import nn

from shiftmsa.modules.rnn import ModalityRNN


def final_states(sequence: torch.Tensor, attention_mask: torch.Tensor, directions: int) -> torch.Tensor:
    """The final hidden state of every direction of a ``ModalityRNN`` output.

    The left-to-right direction ends at the last real token, the right-to-left one at the first
    (for an LSTM or GRU the final hidden state is the output of the last step it reads), so this
    is what packing by true length returns as h_n, for either padding side.

    Args:
        sequence: (B, L, directions * H) outputs, directions concatenated in reading order.
        attention_mask: (B, L), 1 on real tokens.
        directions: 1 or 2.
    """
    real = attention_mask.bool()
    length = sequence.shape[1]
    positions = torch.arange(length, device=sequence.device).expand_as(real)
    rows = torch.arange(sequence.shape[0], device=sequence.device)
    hidden = sequence.shape[-1] // directions
    last = torch.where(real, positions, -1).amax(dim=1)
    states = [sequence[rows, last, :hidden]]
    if directions == 2:
        first = torch.where(real, positions, length).amin(dim=1)
        states.append(sequence[rows, first, hidden:])
    return torch.cat(states, dim=-1)


class UtteranceRNN(nn.Module):
    """Stacked ``ModalityRNN`` layers whose final states, concatenated, are the utterance vector.

    Padding never enters a recurrence (see ``ModalityRNN``). Layer k + 1 reads the output
    sequence of layer k, through a LayerNorm when ``layer_norm`` is set (MISA); the output is
    [final states of layer 1; ...; final states of layer n], each as [left-to-right; right-to-left].

    Args:
        input_dim: width of the input rows.
        hidden_size: hidden size per direction.
        kind: ``slstm``, ``blstm``, ``sgru`` or ``bgru`` (see ``modules.rnn.RNN_KINDS``).
        num_layers: stacked layers.
        layer_norm: LayerNorm over each layer's output before the next layer reads it.
    """

    def __init__(self, input_dim: int, hidden_size: int, kind: str = "blstm", *, num_layers: int = 1,
                 layer_norm: bool = False) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {num_layers}")
        self.layers = nn.ModuleList()
        width = input_dim
        for _ in range(num_layers):
            self.layers.append(ModalityRNN(width, hidden_size, kind))
            width = self.layers[-1].output_dim
        self.norms = nn.ModuleList(nn.LayerNorm(width) if layer_norm else nn.Identity()
                                   for _ in range(num_layers - 1))
        self.directions = len(self.layers[0].directions)
        self.output_dim = width * num_layers

    def forward(self, features: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, L, input_dim) rows and a (B, L) mask of real tokens -> (B, output_dim)."""
        states = []
        sequence = features
        for index, layer in enumerate(self.layers):
            if index:
                sequence = self.norms[index - 1](sequence)
            sequence = layer(sequence, attention_mask)
            states.append(final_states(sequence, attention_mask, self.directions))
        return torch.cat(states, dim=-1)
