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


def test_right_padding_gives_the_same_real_token_results_as_a_shorter_batch():
    torch.manual_seed(0)
    module = MaskedBimodalAdjustment(6, 3, common_dim=4, max_length=8, text_kernel=3, other_kernel=3)
    text, other = torch.randn(1, 3, 6), torch.randn(1, 3, 3)
    alone = module(text, other, torch.ones(1, 3))
    padded_text = torch.cat([text, torch.randn(1, 2, 6)], dim=1)
    padded_other = torch.cat([other, torch.randn(1, 2, 3)], dim=1)
    padded = module(padded_text, padded_other, torch.tensor([[1, 1, 1, 0, 0]]))
    torch.testing.assert_close(padded.adjusted[:, :3], alone.adjusted)


def test_longer_than_max_length_and_even_kernels_are_refused():
    with pytest.raises(ValueError, match="odd"):
        MaskedBimodalAdjustment(4, 4, text_kernel=2)
    module = MaskedBimodalAdjustment(4, 4, max_length=3)
    with pytest.raises(ValueError, match="at most 3 tokens"):
        module(torch.zeros(1, 4, 4), torch.zeros(1, 4, 4), torch.ones(1, 4))
