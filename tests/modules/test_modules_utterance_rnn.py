"""UtteranceRNN: final states as packing by true length gives them, for either padding side."""

from __future__ import annotations

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from shiftmsa.modules.utterance_rnn import UtteranceRNN


def right_padded(lengths: list[int], length: int, width: int, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    mask = torch.zeros(len(lengths), length, dtype=torch.long)
    for row, size in enumerate(lengths):
        mask[row, :size] = 1
    return torch.randn(len(lengths), length, width, generator=generator) * mask.unsqueeze(-1), mask


def packed_final_state(rnn: torch.nn.LSTM, features: torch.Tensor, lengths: list[int]) -> torch.Tensor:
    packed = pack_padded_sequence(features, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    return rnn(packed)[1][0].squeeze(0)


def test_one_bidirectional_layer_matches_packed_final_states():
    torch.manual_seed(0)
    encoder = UtteranceRNN(4, 3, "blstm").eval()
    lengths = [5, 2, 4]
    features, mask = right_padded(lengths, 6, 4)
    with torch.no_grad():
        output = encoder(features, mask)
        layer = encoder.layers[0].directions
        forward = packed_final_state(layer["left_to_right"], features, lengths)
        reversed_rows = torch.stack([torch.cat([row[:n].flip(0), row[n:]]) for row, n in zip(features, lengths)])
        backward = packed_final_state(layer["right_to_left"], reversed_rows, lengths)
    assert output.shape == (3, encoder.output_dim) == (3, 6)
    torch.testing.assert_close(output, torch.cat([forward, backward], dim=-1))


@pytest.mark.parametrize("kind, layers, width", [("slstm", 1, 3), ("blstm", 2, 12), ("bgru", 2, 12)])
def test_left_padding_gives_the_same_vectors(kind, layers, width):
    torch.manual_seed(0)
    encoder = UtteranceRNN(4, 3, kind, num_layers=layers, layer_norm=True).eval()
    lengths = [6, 3]
    features, mask = right_padded(lengths, 6, 4)
    left_features = torch.stack([torch.roll(row, 6 - n, dims=0) for row, n in zip(features, lengths)])
    left_mask = torch.stack([torch.roll(row, 6 - n) for row, n in zip(mask, lengths)])
    with torch.no_grad():
        right, left = encoder(features, mask), encoder(left_features, left_mask)
    assert right.shape == (2, width) and encoder.output_dim == width
    torch.testing.assert_close(right, left)


def test_second_layer_reads_the_normalised_first_layer_and_both_states_are_returned():
    torch.manual_seed(0)
    encoder = UtteranceRNN(4, 3, "blstm", num_layers=2, layer_norm=True).eval()
    features, mask = right_padded([4, 4], 4, 4)
    with torch.no_grad():
        first_only = UtteranceRNN(4, 3, "blstm")
        first_only.layers[0].load_state_dict(encoder.layers[0].state_dict())
        output = encoder(features, mask)
        torch.testing.assert_close(output[:, :6], first_only(features, mask))
        encoder.norms[0].bias.fill_(5.0)
        assert not torch.allclose(encoder(features, mask)[:, 6:], output[:, 6:])
    with pytest.raises(ValueError, match="num_layers must be >= 1"):
        UtteranceRNN(4, 3, num_layers=0)
