"""Shift the text representation inside the encoder: F_t after layer i, F_t*, then M_t*."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from shiftmsa.modules.msg import MultimodalShiftingGate, ShiftResult
from shiftmsa.text.backbone import SplitBackbone


def encode_text_with_shift(backbone: SplitBackbone, gate: MultimodalShiftingGate | None, shift_layer: int,
                           partners: Sequence[torch.Tensor], input_ids: torch.Tensor,
                           attention_mask: torch.Tensor,
                           token_type_ids: torch.Tensor | None) -> tuple[torch.Tensor, ShiftResult | None]:
    """M_t* and the text shift (None without a gate).

    F_t = layers 1..i (Eq. 3); F_t* = MSG-T(F_t; partners) (Eq. 4-8); M_t* = layers i+1..N of
    F_t*, with the same attention mask. Without a gate this is the plain encoder forward.
    """
    hidden, context = backbone.embed(input_ids, attention_mask, token_type_ids)
    text_features = backbone.run_layers(hidden, context, 0, shift_layer)
    shift = gate(text_features, partners, attention_mask) if gate is not None else None
    shifted = shift.shifted if shift is not None else text_features
    return backbone.run_layers(shifted, context, shift_layer, backbone.num_layers), shift
