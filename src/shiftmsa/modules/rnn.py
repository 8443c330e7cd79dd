"""The acoustic / visual sequence encoder F_m = RNN(X_m) (Eq. 1-2; variants of Table VI)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

RNN_KINDS: dict[str, tuple[type[nn.RNNBase], bool]] = {
    "slstm": (nn.LSTM, False),
    "blstm": (nn.LSTM, True),
    "sgru": (nn.GRU, False),
    "bgru": (nn.GRU, True),
}


class ModalityRNN(nn.Module):
    """One-layer (bi)LSTM or (bi)GRU over the real tokens of each sequence (Eq. 1-2).

    Sequences are packed by their true length, so padding never enters the recurrence, whichever
    side it is on (BERT pads right, XLNet left): real tokens are gathered to the front, run
    packed, and scattered back to their positions. Padded positions of the output are zero.

    Args:
        input_dim: width of the input rows (e.g. 74 acoustic, 47 visual on MOSI).
        hidden_size: hidden size per direction.
        kind: one of ``slstm``, ``blstm``, ``sgru``, ``bgru`` (s = single direction, b = both).
    """

    def __init__(self, input_dim: int, hidden_size: int, kind: str = "blstm") -> None:
        super().__init__()
        if kind not in RNN_KINDS:
            raise ValueError(f"rnn kind must be one of {', '.join(RNN_KINDS)}, got {kind!r}")
        rnn_class, bidirectional = RNN_KINDS[kind]
        self.rnn = rnn_class(input_dim, hidden_size, batch_first=True, bidirectional=bidirectional)
        self.output_dim = hidden_size * (2 if bidirectional else 1)

    def forward(self, features: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, L, input_dim) rows and a (B, L) mask of real tokens -> (B, L, output_dim)."""
        real = attention_mask.bool()
        lengths = real.sum(dim=1)
        if bool((lengths == 0).any()):
            raise ValueError("every sequence needs at least one real token for the RNN")
        real_first = torch.argsort((~real).long(), dim=1, stable=True)
        gathered = features.gather(1, real_first.unsqueeze(-1).expand_as(features))
        packed = pack_padded_sequence(gathered, lengths.cpu(), batch_first=True, enforce_sorted=False)
        output, _ = pad_packed_sequence(self.rnn(packed)[0], batch_first=True, total_length=features.shape[1])
        original_order = torch.argsort(real_first, dim=1)
        return output.gather(1, original_order.unsqueeze(-1).expand_as(output))
