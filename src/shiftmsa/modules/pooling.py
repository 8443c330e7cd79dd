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


def last_real_row(sequence: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """(B, L, d) -> (B, d): the row at the last real position of each sequence (the end of the
    words for right padding, position L - 1 for left padding), as recurrent and MulT-style
    models read "the last time step" of a padded batch."""
    positions = torch.arange(sequence.shape[1], device=sequence.device).expand_as(attention_mask)
    last = torch.where(attention_mask.bool(), positions, -1).amax(dim=1).clamp(min=0)
    return sequence.gather(1, last.view(-1, 1, 1).expand(-1, 1, sequence.shape[-1])).squeeze(1)


def feature_row_mean(rows: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """(B, L, d) -> (B, d): the mean of the rows that carry features.

    The batch builder gives special tokens and padding all-zero rows, so only real positions
    with a non-zero row count (a word's row once per word piece, as the word-piece alignment
    repeats it); a per-utterance row broadcast to every word comes back unchanged.
    """
    carried = (attention_mask.bool() & rows.ne(0).any(dim=-1)).to(rows.dtype).unsqueeze(-1)
    return (rows * carried).sum(dim=1) / carried.sum(dim=1).clamp(min=1.0)
