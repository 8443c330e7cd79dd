"""Tensor fusion (Zadeh et al. 2017, TFN): the outer product of the modality vectors, each with a
constant 1 appended, so the product holds every unimodal, bimodal and trimodal interaction."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def with_constant_one(vector: torch.Tensor) -> torch.Tensor:
    """(B, d) -> (B, d + 1) with a leading 1, as TFN and LMF extend each modality vector."""
    return torch.cat([vector.new_ones(vector.shape[0], 1), vector], dim=-1)


def tensor_fusion(vectors: Sequence[torch.Tensor]) -> torch.Tensor:
    """(B, d_1), ..., (B, d_n) -> (B, (d_1 + 1) * ... * (d_n + 1)), the flattened outer product
    of ``[1; z_1], ..., [1; z_n]`` (TFN's z^m = [z^l; 1] x [z^v; 1] x [z^a; 1] for n = 3)."""
    if not vectors:
        raise ValueError("tensor fusion needs at least one modality vector")
    fused = with_constant_one(vectors[0])
    for vector in vectors[1:]:
        fused = torch.einsum("bi,bj->bij", fused, with_constant_one(vector)).flatten(1)
    return fused


def tensor_fusion_width(dims: Sequence[int]) -> int:
    """Width of ``tensor_fusion`` for vectors of widths ``dims``."""
    width = 1
    for dim in dims:
        width *= dim + 1
    return width
