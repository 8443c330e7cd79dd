"""The acoustic / visual sequence encoder F_m = RNN(X_m) (Eq. 1-2; variants of Table VI)."""

from __future__ import annotations

import torch
from torch import nn

RNN_KINDS: dict[str, tuple[type[nn.RNNBase], bool]] = {
    "slstm": (nn.LSTM, False),
    "blstm": (nn.LSTM, True),
    "sgru": (nn.GRU, False),
    "bgru": (nn.GRU, True),
}


class ModalityRNN(nn.Module):
    """One-layer (bi)LSTM or (bi)GRU over the real tokens of each sequence (Eq. 1-2).

    Section III-B gives F_m both as the RNN's "end-state" representation and as an N_m x d_m
    sequence. Both are produced: every real row holds the RNN's output at that step, and, when a
    ``summary_index`` is given (the [CLS] row the prediction reads, Fig. 2), that row holds the
    end state instead: the state after reading the whole utterance in each direction (for a
    bidirectional RNN, the forward end state next to the backward one). Without it, a forward RNN
    at BERT's [CLS] (position 0, a zero feature row) would carry the same value for every
    utterance, and sLSTM / sGRU could not reach the prediction at all.

    Padding never enters the recurrence, whichever side it is on (BERT pads right, XLNet left):
    for each direction the real tokens are gathered to the front in that direction's reading
    order, so padding only follows them and cannot reach their states, and the outputs are put
    back at their positions. A bidirectional RNN is one recurrence per direction, which is what
    ``bidirectional=True`` computes; this is the same as packing by true length, and lets torch
    use its fused RNN kernel (on CPU about 3x faster than the packed per-step path). Padded
    positions of the output are zero.

    Args:
        input_dim: width of the input rows (e.g. 74 acoustic, 47 visual on MOSI).
        hidden_size: hidden size per direction.
        kind: one of ``slstm``, ``blstm``, ``sgru``, ``bgru`` (s = single direction, b = both).
    """

    def __init__(self, input_dim: int, hidden_size: int, kind: str = "slstm") -> None:
        super().__init__()
        if kind not in RNN_KINDS:
            raise ValueError(f"rnn kind must be one of {', '.join(RNN_KINDS)}, got {kind!r}")
        rnn_class, bidirectional = RNN_KINDS[kind]
        directions = ("left_to_right", "right_to_left") if bidirectional else ("left_to_right",)
        self.directions = nn.ModuleDict({d: rnn_class(input_dim, hidden_size, batch_first=True) for d in directions})
        self.output_dim = hidden_size * len(directions)

    def forward(self, features: torch.Tensor, attention_mask: torch.Tensor,
                summary_index: torch.Tensor | None = None) -> torch.Tensor:
        """(B, L, input_dim) rows and a (B, L) mask of real tokens -> (B, L, output_dim); the
        rows at ``summary_index`` (B,), when given, hold the end state (see the class docstring)."""
        real = attention_mask.bool()
        real_count = real.sum(dim=1)
        if not bool((real_count > 0).all()):
            raise ValueError("every sequence needs at least one real token for the RNN")
        length = features.shape[1]
        positions = torch.arange(length, device=features.device).expand_as(real)
        outputs, end_states = [], []
        for direction, rnn in self.directions.items():
            reading_position = positions if direction == "left_to_right" else -positions
            order = torch.argsort(torch.where(real, reading_position, length + positions), dim=1)
            ordered = features.gather(1, order.unsqueeze(-1).expand_as(features))
            states = rnn(ordered)[0]
            last_real = (real_count - 1).view(-1, 1, 1).expand(-1, 1, states.shape[-1])
            end_states.append(states.gather(1, last_real).squeeze(1))
            back = torch.argsort(order, dim=1)
            outputs.append(states.gather(1, back.unsqueeze(-1).expand_as(states)))
        sequence = torch.cat(outputs, dim=-1) * real.unsqueeze(-1).to(features.dtype)
        if summary_index is None:
            return sequence
        is_summary = (positions == summary_index.long().view(-1, 1)).unsqueeze(-1)
        return torch.where(is_summary, torch.cat(end_states, dim=-1).unsqueeze(1), sequence)
