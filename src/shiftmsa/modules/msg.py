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
GATE_BIASES = ("scalar", "per_unit")
ETA_SCOPES = ("token", "utterance")
DROPOUT_PLACEMENTS = ("shifted", "shift")


@dataclass
class ShiftResult:
    """What one shifting gate produces.

    Args:
        shifted: (B, L, d) the shifted representation F* = F + eta * h_s (Eq. 7), after the
            optional LayerNorm and dropout.
        shift: (B, L, d) the shift vector h_s (Eq. 6), penalised by the Shifting HuberLoss.
        eta: (B, L) the scaling factor of Eq. 8 (per token, or one value per utterance repeated
            over its tokens).
    """

    shifted: torch.Tensor
    shift: torch.Tensor
    eta: torch.Tensor


class MultimodalShiftingGate(nn.Module):
    """Shift one modality's representation F by its partners (Eq. 4-8).

    Eq. 4-5: g_m = ReLU(W_gm [F; F_m] + b_gm) for each partner m.
    Eq. 6:   h_s = sum_m g_m * (W_m F_m) + b_h.
    Eq. 7:   F* = F + eta * h_s.
    Eq. 8:   eta = min(mu * ||F||_2 / (||h_s||_2 + epsilon), 1), per token or per utterance.

    For MSG-T, F = F_t and the partners are (F_a, F_v); for MSG-A, F = F_a with (M_tv*, F_v); for
    MSG-V, F = F_v with (M_ta*, F_a). With a modality dropped (Table IV) a gate has one partner.

    Args:
        shifted_dim: width d of F, the representation being shifted.
        partner_dims: width of each partner representation, in the order ``forward`` gets them.
        gate: ``"vector"`` (Section III-C1's "gating vectors" from "weight matrices" W_gm: g_m
            has d entries, as in MAG) or ``"scalar"`` (g_m is one number per token, a reading of
            the "scalar biases" b_gm as the gate's whole width).
        gate_bias: ``"scalar"`` (Section III-C1: b_ga, b_gv are "scalar biases", one number shared
            by the d entries of a vector gate) or ``"per_unit"`` (one bias per gate entry, as
            ``nn.Linear`` and MAG-BERT's code have it). For a scalar gate both are one number.
        threshold: initial value of mu in Eq. 8 (MAG calls it beta_shift).
        learnable_threshold: mu is trained (the paper) or a fixed constant (MAG).
        layer_norm: apply LayerNorm(d) after the shift (MAG does; the paper does not say).
        dropout: dropout rate (the paper names none in MSG).
        dropout_placement: ``"shifted"`` drops elements of the whole F* (after the LayerNorm when
            there is one), so MSG-T also drops the text state inside the encoder; ``"shift"``
            drops elements of eta * h_s only, F* = F + dropout(eta h_s).
        eta_scope: ``"token"`` (Eq. 8 on each token's vector) or ``"utterance"`` (Eq. 8 on the
            norms of the whole utterance's F and h_s over its real tokens, one eta per sample:
            Section IV-G4 calls eta "a monitor at the sample-level").
        gate_bias_init: initial b_gm of every gate; a positive value starts the gates open, so
            that no ReLU gate is dead for every token at initialisation (a scalar gate that is
            never receives a gradient). None keeps PyTorch's default Linear initialisation.
        partner_bias: give each projection W_m its own bias inside the gated sum,
            h_s = sum_m g_m * (W_m F_m + b_m), as MAG-BERT's code does, instead of Eq. 6's one
            bias b_h outside it.
        epsilon: the xi = 1e-6 of Eq. 8 that keeps eta finite when h_s is zero.
    """

    def __init__(self, shifted_dim: int, partner_dims: Sequence[int], *, gate: str = "vector",
                 gate_bias: str = "per_unit", threshold: float = 1.0, learnable_threshold: bool = True,
                 layer_norm: bool = False, dropout: float = 0.0, dropout_placement: str = "shifted",
                 eta_scope: str = "token", gate_bias_init: float | None = None, partner_bias: bool = False,
                 epsilon: float = 1e-6) -> None:
        super().__init__()
        for name, value, allowed in (("gate", gate, GATE_SHAPES), ("gate_bias", gate_bias, GATE_BIASES),
                                     ("eta_scope", eta_scope, ETA_SCOPES),
                                     ("dropout_placement", dropout_placement, DROPOUT_PLACEMENTS)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
        if not partner_dims:
            raise ValueError("a shifting gate needs at least one partner modality")
        gate_width = 1 if gate == "scalar" else shifted_dim
        per_unit = gate_bias == "per_unit" or gate_width == 1
        self.gates = nn.ModuleList(nn.Linear(shifted_dim + width, gate_width, bias=per_unit)
                                   for width in partner_dims)
        # b_gm as one number per gate (Eq. 4-5 "scalar biases"); None where the Linear holds it
        self.gate_biases = None if per_unit else nn.ParameterList(
            nn.Parameter(torch.zeros(1)) for _ in partner_dims)
        for index, gate_layer in enumerate(self.gates):
            bias = gate_layer.bias if per_unit else self.gate_biases[index]
            if gate_bias_init is not None:
                nn.init.constant_(bias, gate_bias_init)
            elif not per_unit:  # nn.Linear's default bias init, drawn once for the shared bias
                bound = 1 / (gate_layer.in_features ** 0.5)
                nn.init.uniform_(bias, -bound, bound)
        self.projections = nn.ModuleList(nn.Linear(width, shifted_dim, bias=partner_bias) for width in partner_dims)
        self.shift_bias = None if partner_bias else nn.Parameter(torch.zeros(shifted_dim))
        initial = torch.tensor(float(threshold))
        if learnable_threshold:
            self.threshold = nn.Parameter(initial)
        else:
            self.register_buffer("threshold", initial)
        self.layer_norm = nn.LayerNorm(shifted_dim) if layer_norm else nn.Identity()
        self.dropout = nn.Dropout(dropout)
        self.dropout_placement = dropout_placement
        self.eta_scope = eta_scope
        self.epsilon = epsilon

    def forward(self, features: torch.Tensor, partners: Sequence[torch.Tensor],
                attention_mask: torch.Tensor | None = None) -> ShiftResult:
        """Shift ``features`` (B, L, d) by ``partners`` (each (B, L, d_m)); ``attention_mask``
        (B, L, 1 on real tokens) keeps padding out of a per-utterance eta (all tokens if None)."""
        if len(partners) != len(self.gates):
            raise ValueError(f"this gate was built for {len(self.gates)} partner(s), got {len(partners)}")
        shift = self.shift_bias if self.shift_bias is not None else 0.0
        for index, (gate, projection, partner) in enumerate(zip(self.gates, self.projections, partners)):
            logit = gate(torch.cat([features, partner], dim=-1))
            if self.gate_biases is not None:
                logit = logit + self.gate_biases[index]
            shift = shift + torch.relu(logit) * projection(partner)
        eta = self.scaling(features, shift, attention_mask)
        scaled = eta.unsqueeze(-1) * shift
        if self.dropout_placement == "shift":
            return ShiftResult(shifted=self.layer_norm(features + self.dropout(scaled)), shift=shift, eta=eta)
        return ShiftResult(shifted=self.dropout(self.layer_norm(features + scaled)), shift=shift, eta=eta)

    def scaling(self, features: torch.Tensor, shift: torch.Tensor,
                attention_mask: torch.Tensor | None) -> torch.Tensor:
        """eta of Eq. 8, (B, L): per token, or per utterance from the norms over its real tokens."""
        if self.eta_scope == "token":
            ratio = self.threshold * features.norm(dim=-1) / (shift.norm(dim=-1) + self.epsilon)
            return ratio.clamp(max=1.0)
        real = (torch.ones(features.shape[:2], dtype=features.dtype, device=features.device)
                if attention_mask is None else attention_mask.to(features.dtype)).unsqueeze(-1)
        shift = shift.expand_as(features)
        feature_norm = (features * real).flatten(1).norm(dim=-1)
        shift_norm = (shift * real).flatten(1).norm(dim=-1)
        ratio = (self.threshold * feature_norm / (shift_norm + self.epsilon)).clamp(max=1.0)
        return ratio.unsqueeze(-1).expand(features.shape[:2])
