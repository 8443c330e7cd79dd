"""Sequence -> utterance vectors: the [CLS] position or the mean over real tokens."""

from __future__ import annotations

import torch

POOLINGS = ("cls", "mean")


def pool(sequence: torch.Tensor, attention_mask: torch.Tensor, cls_index: torch.Tensor,
         how: str) -> torch.Tensor:
    """(B, L, d) -> (B, d): the row at ``cls_index`` (first for BERT, last for XLNet) when
    ``how == "cls"``, the mean over real tokens when ``how == "mean"``."""
    if how == "cls":
        index = cls_index.long().view(-1, 1, 1).expand(-1, 1, sequence.shape[-1])
        return sequence.gather(1, index).squeeze(1)
    if how == "mean":
        real = attention_mask.to(sequence.dtype).unsqueeze(-1)
        return (sequence * real).sum(dim=1) / real.sum(dim=1).clamp(min=1.0)
    raise ValueError(f"pooling must be one of {POOLINGS}, got {how!r}")
