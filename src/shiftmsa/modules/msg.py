"""The Multimodal Shifting Gate (MSG, Eq. 4-8): one class for MSG-T, MSG-A and MSG-V.

A gate per partner modality decides how much of that partner enters the shift vector h_s, and
eta scales h_s so it never outgrows the representation it shifts. MAG (Rahman et al. 2020) is
the same idea with vector gates, a fixed threshold and a LayerNorm after the shift.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

GATE_SHAPES = ("scalar", "vector")


@dataclass
class ShiftResult:
    """What one shifting gate produces.

    Args:
        shifted: (B, L, d) the shifted representation F* = F + eta * h_s (Eq. 7), after the
            optional LayerNorm and dropout.
        shift: (B, L, d) the shift vector h_s (Eq. 6), penalised by the Shifting HuberLoss.
        eta: (B, L) the per-token scaling factor (Eq. 8).
    """

    shifted: torch.Tensor
    shift: torch.Tensor
    eta: torch.Tensor


class MultimodalShiftingGate(nn.Module):
    """Shift one modality's representation F by its partners (Eq. 4-8).

    Eq. 4-5: g_m = ReLU(W_gm [F; F_m] + b_gm) for each partner m.
    Eq. 6:   h_s = sum_m g_m * (W_m F_m) + b_h.
    Eq. 7:   F* = F + eta * h_s.
    Eq. 8:   eta = min(mu * ||F||_2 / (||h_s||_2 + epsilon), 1), per token.

    For MSG-T, F = F_t and the partners are (F_a, F_v); for MSG-A, F = F_a with (M_tv*, F_v); for
    MSG-V, F = F_v with (M_ta*, F_a). With a modality dropped (Table IV) a gate has one partner.

    Args:
        shifted_dim: width d of F, the representation being shifted.
        partner_dims: width of each partner representation, in the order ``forward`` gets them.
        gate: ``"scalar"`` (the literal reading: b_g is a scalar bias, so g_m is one number per
            token) or ``"vector"`` (MAG-BERT: g_m has d entries).
        threshold: initial value of mu in Eq. 8 (MAG calls it beta_shift).
        learnable_threshold: mu is trained (the paper) or a fixed constant (MAG).
        layer_norm: apply LayerNorm(d) after the shift (MAG does; the paper does not say).
        dropout: dropout on F* (after the LayerNorm when there is one).
        gate_bias_init: initial b_gm of every gate; a positive value starts the gates open, so
            that no ReLU gate is dead for every token at initialisation (a scalar gate that is
            never receives a gradient). None keeps PyTorch's default Linear initialisation.
        partner_bias: give each projection W_m its own bias inside the gated sum,
            h_s = sum_m g_m * (W_m F_m + b_m), as MAG-BERT's code does, instead of Eq. 6's one
            bias b_h outside it.
        epsilon: the xi = 1e-6 of Eq. 8 that keeps eta finite when h_s is zero.
    """

    def __init__(self, shifted_dim: int, partner_dims: Sequence[int], *, gate: str = "scalar",
                 threshold: float = 1.0, learnable_threshold: bool = True, layer_norm: bool = False,
                 dropout: float = 0.0, gate_bias_init: float | None = None, partner_bias: bool = False,
                 epsilon: float = 1e-6) -> None:
        super().__init__()
        if gate not in GATE_SHAPES:
            raise ValueError(f"gate must be one of {GATE_SHAPES}, got {gate!r}")
        if not partner_dims:
            raise ValueError("a shifting gate needs at least one partner modality")
        gate_width = 1 if gate == "scalar" else shifted_dim
        self.gates = nn.ModuleList(nn.Linear(shifted_dim + width, gate_width) for width in partner_dims)
        if gate_bias_init is not None:
            for gate_layer in self.gates:
                nn.init.constant_(gate_layer.bias, gate_bias_init)
        self.projections = nn.ModuleList(nn.Linear(width, shifted_dim, bias=partner_bias) for width in partner_dims)
        self.shift_bias = None if partner_bias else nn.Parameter(torch.zeros(shifted_dim))
        initial = torch.tensor(float(threshold))
        if learnable_threshold:
            self.threshold = nn.Parameter(initial)
        else:
            self.register_buffer("threshold", initial)
        self.layer_norm = nn.LayerNorm(shifted_dim) if layer_norm else nn.Identity()
        self.dropout = nn.Dropout(dropout)
        self.epsilon = epsilon

    def forward(self, features: torch.Tensor, partners: Sequence[torch.Tensor]) -> ShiftResult:
        """Shift ``features`` (B, L, d) by ``partners`` (each (B, L, d_m))."""
        if len(partners) != len(self.gates):
            raise ValueError(f"this gate was built for {len(self.gates)} partner(s), got {len(partners)}")
        shift = self.shift_bias if self.shift_bias is not None else 0.0
        for gate, projection, partner in zip(self.gates, self.projections, partners):
            weight = torch.relu(gate(torch.cat([features, partner], dim=-1)))
            shift = shift + weight * projection(partner)
        ratio = self.threshold * features.norm(dim=-1) / (shift.norm(dim=-1) + self.epsilon)
        eta = ratio.clamp(max=1.0)
        shifted = self.dropout(self.layer_norm(features + eta.unsqueeze(-1) * shift))
        return ShiftResult(shifted=shifted, shift=shift, eta=eta)
