"""MSG (Eq. 4-8) against hand computations."""

from __future__ import annotations

import pytest
import torch

from shiftmsa.modules.msg import MultimodalShiftingGate


def one_partner_gate(threshold: float, gate: str = "scalar") -> MultimodalShiftingGate:
    """d = 2, one partner of width 1; gate weights chosen so g = ReLU(F_1 + m), W_m = [1, 0]."""
    module = MultimodalShiftingGate(2, [1], gate=gate, threshold=threshold)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.zero_()
        module.threshold.fill_(threshold)
        module.gates[0].weight[:, 0] = 1.0
        module.gates[0].weight[:, 2] = 1.0
        module.projections[0].weight[0, 0] = 1.0
    return module


def test_scalar_gate_shift_and_eta_by_hand():
    module = one_partner_gate(threshold=0.5)
    features = torch.tensor([[[3.0, 4.0]]])  # ||F|| = 5
    partner = torch.tensor([[[2.0]]])
    result = module(features, [partner])
    # g = ReLU(3 + 2) = 5; h_s = g * (W_m m) = [10, 0]; eta = min(0.5 * 5 / 10, 1) = 0.25
    torch.testing.assert_close(result.shift, torch.tensor([[[10.0, 0.0]]]))
    torch.testing.assert_close(result.eta, torch.tensor([[0.25]]), atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(result.shifted, torch.tensor([[[5.5, 4.0]]]), atol=1e-5, rtol=1e-5)


def test_eta_clips_at_one_and_mu_is_learned():
    module = one_partner_gate(threshold=10.0)
    features = torch.tensor([[[3.0, 4.0]]])
    result = module(features, [torch.tensor([[[2.0]]])])
    assert result.eta.item() == 1.0
    torch.testing.assert_close(result.shifted, torch.tensor([[[13.0, 4.0]]]))
    small = one_partner_gate(threshold=0.5)
    small(features, [torch.tensor([[[2.0]]])]).shifted.sum().backward()
    assert small.threshold.grad is not None and small.threshold.grad.abs().item() > 0


def test_relu_closes_the_gate_for_negative_evidence():
    module = one_partner_gate(threshold=1.0)
    result = module(torch.tensor([[[-3.0, 4.0]]]), [torch.tensor([[[1.0]]])])  # g = ReLU(-2) = 0
    torch.testing.assert_close(result.shift, torch.zeros(1, 1, 2))
    torch.testing.assert_close(result.shifted, torch.tensor([[[-3.0, 4.0]]]))


def test_vector_gate_has_one_weight_per_feature():
    module = one_partner_gate(threshold=0.5, gate="vector")
    with torch.no_grad():
        module.gates[0].weight[1] = 0.0  # second feature's gate closed
    result = module(torch.tensor([[[3.0, 4.0]]]), [torch.tensor([[[2.0]]])])
    assert module.gates[0].out_features == 2
    torch.testing.assert_close(result.shift, torch.tensor([[[10.0, 0.0]]]))


def test_fixed_threshold_is_not_a_parameter_and_layer_norm_normalises():
    module = MultimodalShiftingGate(4, [3, 2], gate="vector", threshold=1.0, learnable_threshold=False,
                                    layer_norm=True)
    assert "threshold" not in dict(module.named_parameters())
    shifted = module(torch.randn(2, 5, 4), [torch.randn(2, 5, 3), torch.randn(2, 5, 2)]).shifted
    torch.testing.assert_close(shifted.mean(-1), torch.zeros(2, 5), atol=1e-5, rtol=0)


def test_partner_count_and_gate_shape_are_checked():
    with pytest.raises(ValueError, match="gate must be one of"):
        MultimodalShiftingGate(2, [1], gate="matrix")
    with pytest.raises(ValueError, match="built for 1 partner"):
        one_partner_gate(1.0)(torch.zeros(1, 1, 2), [torch.zeros(1, 1, 1)] * 2)
