"""MBA (Eq. 9-17): hand computation and padded keys on both padding sides."""

from __future__ import annotations

import pytest
import torch

from shiftmsa.modules.mba import MaskedBimodalAdjustment


def identity_mba(width: int, max_length: int) -> MaskedBimodalAdjustment:
    """Conv1D = identity (d = width), W_pt = W_pm = identity, biases 0."""
    module = MaskedBimodalAdjustment(width, width, common_dim=width, max_length=max_length, epsilon=0.0)
    with torch.no_grad():
        for conv in (module.text_conv, module.other_conv):
            conv.weight.copy_(torch.eye(width).unsqueeze(-1))
            conv.bias.zero_()
        for relation in (module.text_relation, module.other_relation):
            relation.weight.copy_(torch.eye(max_length))
            relation.bias.zero_()
    return module


def test_two_token_adjustment_by_hand():
    module = identity_mba(width=1, max_length=2)
    text = torch.tensor([[[4.0], [1.0]]])
    other = torch.tensor([[[1.0], [1.0]]])
    result = module(text, other, torch.ones(1, 2))
    # Eq. 11: rows / sqrt(|row|): text -> [2, 1]; other -> [1, 1]
    p_text = torch.tanh(torch.tensor([[4.0, 2.0], [2.0, 1.0]]))
    p_other = torch.tanh(torch.ones(2, 2))
    weights = torch.softmax(p_text + p_text * p_other, dim=-1)
    torch.testing.assert_close(result.p_att[0], p_text * p_other)
    torch.testing.assert_close(result.x_att[0], weights)
    torch.testing.assert_close(result.adjusted[0], text[0] + weights @ text[0])


@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_padded_keys_get_zero_weight(padding_side):
    torch.manual_seed(0)
    module = MaskedBimodalAdjustment(6, 3, common_dim=4, max_length=8, text_kernel=3, other_kernel=3)
    mask = torch.ones(2, 5)
    padded = slice(3, 5) if padding_side == "right" else slice(0, 2)
    mask[1, padded] = 0
    result = module(torch.randn(2, 5, 6), torch.randn(2, 5, 3), mask)
    assert torch.all(result.x_att[1, :, padded] == 0)
    assert torch.all(result.x_att[0] > 0)
    torch.testing.assert_close(result.x_att.sum(-1), torch.ones(2, 5))


@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_an_utterance_gets_the_same_result_whatever_its_padding(padding_side):
    """W_pt / W_pm meet the k-th real token at row/column k: padding on either side (BERT right,
    XLNet left) and the batch width change nothing for the real tokens."""
    torch.manual_seed(0)
    module = MaskedBimodalAdjustment(6, 3, common_dim=4, max_length=8, text_kernel=3, other_kernel=3)
    with torch.no_grad():  # make every row and column of W_p matter
        for relation in (module.text_relation, module.other_relation):
            relation.weight.normal_()
            relation.bias.normal_()
    text, other = torch.randn(1, 3, 6), torch.randn(1, 3, 3)
    alone = module(text, other, torch.ones(1, 3))
    for pad in (1, 2, 5):
        noise_text, noise_other = torch.randn(1, pad, 6), torch.randn(1, pad, 3)
        if padding_side == "right":
            padded_text, padded_other = torch.cat([text, noise_text], 1), torch.cat([other, noise_other], 1)
            mask, real = torch.tensor([[1] * 3 + [0] * pad]), slice(0, 3)
        else:
            padded_text, padded_other = torch.cat([noise_text, text], 1), torch.cat([noise_other, other], 1)
            mask, real = torch.tensor([[0] * pad + [1] * 3]), slice(pad, pad + 3)
        padded = module(padded_text, padded_other, mask)
        torch.testing.assert_close(padded.adjusted[:, real], alone.adjusted)
        torch.testing.assert_close(padded.x_att[:, real, real], alone.x_att)


def test_longer_than_max_length_and_even_kernels_are_refused():
    with pytest.raises(ValueError, match="odd"):
        MaskedBimodalAdjustment(4, 4, text_kernel=2)
    module = MaskedBimodalAdjustment(4, 4, max_length=3)
    with pytest.raises(ValueError, match="at most 3 tokens"):
        module(torch.zeros(1, 4, 4), torch.zeros(1, 4, 4), torch.ones(1, 4))


def test_scalar_bias_is_one_number_added_to_every_entry():
    """Eq. 13-14: b_pt, b_pm as Section III-C2's "scalar biases" (``per_key``: nn.Linear's)."""
    scalar = MaskedBimodalAdjustment(2, 3, common_dim=4, max_length=6, bias="scalar")
    assert scalar.text_relation.bias.shape == (1,) and scalar.other_relation.bias.shape == (1,)
    assert MaskedBimodalAdjustment(2, 3, common_dim=4, max_length=6).text_relation.bias.shape == (6,)
    with torch.no_grad():
        scalar.text_relation.weight.zero_()
        scalar.text_relation.bias.fill_(0.3)
    real = torch.tensor([[1.0, 1.0, 1.0, 0.0]])
    relation = scalar.self_relation(torch.randn(1, 4, 2), real, torch.zeros(1, 4, dtype=torch.long),
                                    scalar.text_conv, scalar.text_relation)
    torch.testing.assert_close(relation, torch.full((1, 4, 4), 0.3).tanh())
    with pytest.raises(ValueError, match="bias must be one of"):
        MaskedBimodalAdjustment(2, 3, bias="vector")
