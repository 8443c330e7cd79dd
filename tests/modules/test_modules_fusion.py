"""Tensor fusion, low-rank fusion, the MFN recurrence, the crossmodal transformer and the
sequence poolings they read."""

from __future__ import annotations

import pytest
import torch

from shiftmsa.modules.crossmodal_transformer import CrossmodalTransformer, TransformerDropouts, attention_allowed
from shiftmsa.modules.low_rank_fusion import LowRankFusion
from shiftmsa.modules.memory_fusion import MemoryFusionRecurrence, MemoryFusionSizes
from shiftmsa.modules.pooling import feature_row_mean, last_real_row
from shiftmsa.modules.tensor_fusion import tensor_fusion, tensor_fusion_width
from shiftmsa.modules.unimodal_subnets import FeatureSubNet


def test_tensor_fusion_holds_every_unimodal_and_cross_term():
    a, b = torch.tensor([[2.0, 3.0]]), torch.tensor([[5.0]])
    fused = tensor_fusion([a, b]).view(1, 3, 2)  # [1, 2, 3] x [1, 5]
    torch.testing.assert_close(fused[0], torch.tensor([[1.0, 5.0], [2.0, 10.0], [3.0, 15.0]]))
    assert tensor_fusion([a, b, torch.ones(1, 3)]).shape == (1, tensor_fusion_width([2, 1, 3])) == (1, 24)


def test_low_rank_fusion_equals_a_linear_map_of_the_fused_tensor():
    torch.manual_seed(0)
    fusion = LowRankFusion([2, 3], output_dim=1, rank=4)
    vectors = [torch.randn(5, 2), torch.randn(5, 3)]
    # W = sum_i w_i W_1^(i) (x) W_2^(i), the tensor the factors stand for (LMF, Eq. 5 of Liu et al.)
    weight = torch.einsum("r,rio,rjo->ijo", fusion.rank_weights[0], fusion.factors[0], fusion.factors[1])
    expected = tensor_fusion(vectors) @ weight.reshape(-1, 1) + fusion.bias
    torch.testing.assert_close(fusion(vectors), expected)


SIZES = MemoryFusionSizes(6, 4, 0.0, 4, 0.0, 4, 0.0, 4, 0.0)


@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_memory_fusion_ignores_padding_on_either_side(padding_side):
    torch.manual_seed(0)
    recurrence = MemoryFusionRecurrence([3, 2], [4, 5], SIZES)
    real = [torch.randn(1, 4, 3), torch.randn(1, 4, 2)]
    noise = [torch.randn(1, 2, 3) * 50, torch.randn(1, 2, 2) * 50]
    padded = [torch.cat([r, n], 1) if padding_side == "right" else torch.cat([n, r], 1) for r, n in zip(real, noise)]
    mask = torch.tensor([[1, 1, 1, 1, 0, 0]]) if padding_side == "right" else torch.tensor([[0, 0, 1, 1, 1, 1]])
    alone = recurrence(real, torch.ones(1, 4))
    assert alone.shape == (1, recurrence.output_dim) == (1, 4 + 5 + 6)
    torch.testing.assert_close(recurrence(padded, mask), alone)


def test_memory_fusion_remembers_what_came_before():
    torch.manual_seed(0)
    recurrence = MemoryFusionRecurrence([3], [4], SIZES)
    first, second = torch.randn(1, 3, 3), torch.randn(1, 3, 3)
    last = torch.randn(1, 1, 3)
    outputs = [recurrence([torch.cat([start, last], 1)], torch.ones(1, 4)) for start in (first, second)]
    assert not torch.allclose(outputs[0][:, -6:], outputs[1][:, -6:])  # the memory u_T


def make_transformer(causal=False):
    torch.manual_seed(0)
    return CrossmodalTransformer(8, 2, 2, TransformerDropouts(), causal=causal).eval()


@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_crossmodal_attention_ignores_source_padding_and_lengths_may_differ(padding_side):
    transformer = make_transformer()
    target, source = torch.randn(1, 3, 8), torch.randn(1, 5, 8)
    noise = torch.randn(1, 2, 8) * 50
    padded = torch.cat([source, noise], 1) if padding_side == "right" else torch.cat([noise, source], 1)
    mask = torch.tensor([[1.0] * 5 + [0.0] * 2]) if padding_side == "right" else torch.tensor([[0.0] * 2 + [1.0] * 5])
    alone = transformer(target, torch.ones(1, 3), source, torch.ones(1, 5))
    assert alone.shape == (1, 3, 8)
    torch.testing.assert_close(transformer(target, torch.ones(1, 3), padded, mask), alone)
    assert not torch.allclose(transformer(target, torch.ones(1, 3), source * 2, torch.ones(1, 5)), alone)


def test_causal_mask_follows_the_reference_offset_and_padding_rows_stay_finite():
    allowed = attention_allowed(torch.ones(1, 2), torch.ones(1, 4), causal=True)[0]
    assert allowed.tolist() == [[True, True, True, False], [True, True, True, True]]
    nothing_real = attention_allowed(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.0, 1.0]]), causal=True)[0]
    assert nothing_real.tolist() == [[True, True], [False, True]]
    output = make_transformer(causal=True)(torch.randn(1, 2, 8), torch.tensor([[0.0, 1.0]]))
    assert torch.isfinite(output).all()


def test_last_real_row_and_feature_row_mean_read_real_positions_only():
    sequence = torch.arange(12.0).view(2, 3, 2)
    mask = torch.tensor([[1, 1, 0], [0, 1, 1]])
    torch.testing.assert_close(last_real_row(sequence, mask), torch.tensor([[2.0, 3.0], [10.0, 11.0]]))
    rows = torch.tensor([[[0.0, 0.0], [2.0, 4.0], [4.0, 8.0], [9.0, 9.0]]])  # [CLS] row 0, padding last
    torch.testing.assert_close(feature_row_mean(rows, torch.tensor([[1, 1, 1, 0]])), torch.tensor([[3.0, 6.0]]))


def test_feature_subnet_normalises_a_single_training_sample_with_running_statistics():
    subnet = FeatureSubNet(3, 4, dropout=0.0).train()
    assert subnet(torch.randn(1, 3)).shape == (1, 4)
    assert subnet(torch.randn(5, 3)).shape == (5, 4)
