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


def test_vector_gate_with_a_scalar_bias_shares_one_number():
    """Eq. 4-5 as Section III-C1 words them: a d-wide gating vector, one scalar bias b_g."""
    module = MultimodalShiftingGate(4, [3, 2], gate="vector", gate_bias="scalar", gate_bias_init=0.5)
    assert all(gate.bias is None and gate.out_features == 4 for gate in module.gates)
    assert [tuple(b.shape) for b in module.gate_biases] == [(1,), (1,)]
    assert all(b.item() == 0.5 for b in module.gate_biases)
    with torch.no_grad():
        for gate in module.gates:
            gate.weight.zero_()
    partners = [torch.randn(1, 2, 3), torch.randn(1, 2, 2)]
    result = module(torch.randn(1, 2, 4), partners)
    expected = module.shift_bias + sum(0.5 * p(x) for p, x in zip(module.projections, partners))
    torch.testing.assert_close(result.shift, expected)
    per_unit = MultimodalShiftingGate(4, [3], gate="vector", gate_bias="per_unit")
    assert per_unit.gate_biases is None and per_unit.gates[0].bias.shape == (4,)


def test_eta_per_utterance_uses_the_norms_over_real_tokens():
    module = one_partner_gate(threshold=0.5)
    module.eta_scope = "utterance"
    features = torch.tensor([[[3.0, 4.0], [0.0, 0.0], [9.0, 9.0]]])  # last token is padding
    partner = torch.tensor([[[2.0], [-10.0], [5.0]]])
    result = module(features, [partner], torch.tensor([[1, 1, 0]]))
    # h_s = [10, 0] on token 0 and [0, 0] on token 1 (gate ReLU(-10) = 0); ||F|| = 5 over real
    # tokens, ||h_s|| = 10: one eta = 0.25 for the utterance
    torch.testing.assert_close(result.eta, torch.full((1, 3), 0.25), atol=1e-6, rtol=1e-6)


def test_dropout_on_the_shift_leaves_the_representation_alone_where_nothing_shifts():
    for placement, untouched in (("shift", True), ("shifted", False)):
        module = one_partner_gate(threshold=1.0)
        module.dropout.p = 0.5
        module.dropout_placement = placement
        module.train()
        torch.manual_seed(0)
        features = torch.ones(1, 50, 2) * torch.tensor([-3.0, 4.0])  # gate ReLU(-2) = 0: no shift
        shifted = module(features, [torch.ones(1, 50, 1)]).shifted
        assert torch.equal(shifted, features) == untouched


def test_unknown_readings_are_refused():
    for option in ({"gate_bias": "matrix"}, {"eta_scope": "batch"}, {"dropout_placement": "input"}):
        with pytest.raises(ValueError, match="must be one of"):
            MultimodalShiftingGate(2, [1], **option)
