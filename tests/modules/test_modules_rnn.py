"""The RNN encoder (Eq. 1-2) runs on real tokens only, whichever side the padding is on."""

from __future__ import annotations

import pytest
import torch

from shiftmsa.modules.rnn import RNN_KINDS, ModalityRNN


@pytest.mark.parametrize("kind", list(RNN_KINDS))
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_padded_output_equals_the_unpadded_run(kind, padding_side):
    torch.manual_seed(0)
    rnn = ModalityRNN(5, 4, kind)
    real = torch.randn(1, 3, 5)
    noise = torch.randn(1, 2, 5) * 100
    sequence = torch.cat([real, noise], 1) if padding_side == "right" else torch.cat([noise, real], 1)
    mask = torch.tensor([[1, 1, 1, 0, 0]]) if padding_side == "right" else torch.tensor([[0, 0, 1, 1, 1]])
    batch = torch.cat([sequence, torch.randn(1, 5, 5)])
    output = rnn(batch, torch.cat([mask, torch.ones(1, 5, dtype=torch.long)]))
    alone = rnn(real, torch.ones(1, 3))
    real_positions = mask[0].bool()
    assert output.shape == (2, 5, rnn.output_dim) == (2, 5, 8 if kind.startswith("b") else 4)
    torch.testing.assert_close(output[0, real_positions], alone[0])
    assert torch.all(output[0, ~real_positions] == 0)


def test_unknown_kind_and_empty_sequence_are_refused():
    with pytest.raises(ValueError, match="slstm, blstm, sgru, bgru"):
        ModalityRNN(2, 2, "transformer")
    with pytest.raises(ValueError, match="at least one real token"):
        ModalityRNN(2, 2)(torch.zeros(1, 3, 2), torch.zeros(1, 3))
