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


@pytest.mark.parametrize("kind", list(RNN_KINDS))
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_summary_row_holds_the_end_state_of_every_direction(kind, padding_side):
    """Section III-B's end state at the [CLS] row: after the whole utterance in each direction."""
    torch.manual_seed(0)
    rnn = ModalityRNN(5, 4, kind)
    real = torch.randn(1, 4, 5)
    noise = torch.randn(1, 2, 5)
    sequence = torch.cat([real, noise], 1) if padding_side == "right" else torch.cat([noise, real], 1)
    mask = torch.tensor([[1, 1, 1, 1, 0, 0]]) if padding_side == "right" else torch.tensor([[0, 0, 1, 1, 1, 1]])
    summary = torch.tensor([0 if padding_side == "right" else 5])  # BERT's [CLS] first, XLNet's last
    output = rnn(sequence, mask, summary)
    per_step = rnn(real, torch.ones(1, 4))[0]
    forward_end = per_step[-1, :4]
    expected = torch.cat([forward_end, per_step[0, 4:]]) if kind.startswith("b") else forward_end
    torch.testing.assert_close(output[0, summary[0]], expected)
    others = [i for i in range(6) if mask[0, i] and i != summary[0]]
    torch.testing.assert_close(output[0, others], rnn(sequence, mask)[0, others])


@pytest.mark.parametrize("kind", ["slstm", "sgru"])
def test_a_forward_rnn_carries_each_utterance_to_berts_cls_row(kind):
    """With BERT's [CLS] at position 0 (a zero feature row), the per-step output there is one
    constant for every utterance; the end state differs from utterance to utterance."""
    torch.manual_seed(0)
    rnn = ModalityRNN(5, 4, kind)
    features = torch.randn(3, 6, 5)
    features[:, 0] = 0  # the [CLS] row carries no feature
    mask, cls = torch.ones(3, 6), torch.zeros(3, dtype=torch.long)
    per_step = rnn(features, mask)[:, 0]
    assert torch.allclose(per_step[0], per_step[1]) and torch.allclose(per_step[1], per_step[2])
    end_state = rnn(features, mask, cls)[:, 0]
    assert not torch.allclose(end_state[0], end_state[1], atol=1e-3)
    assert not torch.allclose(end_state[1], end_state[2], atol=1e-3)
