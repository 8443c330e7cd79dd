"""Dropout masks of the whole global batch, drawn alike on every process (issue 20).

A run of several processes (``training.distributed``) gives rank r the rows r, r + world, ... of
each global batch, padded as the whole batch is. Within ``global_batch_dropout`` every dropout of
the forward pass draws the mask of the whole global batch, the very draw a one-process run makes
on a tensor of that shape, and keeps this process's rows: ``torch.nn.Dropout`` modules and
``torch.nn.functional.dropout`` calls (the Hugging Face encoders' attention among them), and the
attention dropout of ``scaled_dot_product_attention`` (the encoders' SDPA attention, torch's
``MultiheadAttention``), computed here as the one-process CPU kernel computes it (softmax, the
dropout, the product with the values). Every rank's generator then advances as the one-process
run's does (rank 0's generators are shared at a run's start), so every step draws the one-process
run's masks and the run is the one-process run up to float error.

Both functions are swapped in ``torch.nn.functional`` for the block, where every caller looks them
up; outside it, and in any one-process run, nothing changes. The batch dimension of a tensor is
the first whose size is this process's row count (XLNet's layers run time-first); a tensor with
none (no batch dimension, or the batch folded into another one) is drawn whole, as one process
draws it, which is then not the one-process mask if it held the batch. A mask is drawn in the
memory order of its tensor (einsum outputs are often permuted), so the whole batch's tensor is
laid out as this process's is. On GPUs, one process scores SDPA attention with fused kernels whose
dropout no other computation repeats: there the encoder's attention dropout of a one-process run
is not the one several processes draw.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Iterator, Sequence

import torch
from torch.nn import functional

_DROPOUT = functional.dropout
_ATTENTION = functional.scaled_dot_product_attention


class GlobalBatchDropout:
    """The dropout of ``rows`` (this process's positions) of a global batch of ``batch_size``."""

    def __init__(self, batch_size: int, rows: Sequence[int]):
        self.batch_size, self.count = batch_size, len(rows)
        self.rows = torch.as_tensor(list(rows), dtype=torch.long)

    def noise(self, like: torch.Tensor, p: float, batch_dim: int | None) -> torch.Tensor:
        """The whole batch's dropout noise (0 or 1 / (1 - p)) for a tensor like ``like``, this
        process's rows of it. The whole batch's tensor is laid out in memory as ``like`` is (a
        mask is drawn in memory order: one process draws it for its input's layout)."""
        shape = list(like.shape)
        if batch_dim is not None:
            shape[batch_dim] = self.batch_size
        layout = torch.empty_like(like)  # the layout one process's dropout draws in
        # outermost first; a dim of size 1 (a batch of one row) sits inside the dim whose stride it shares
        order = sorted(range(like.dim()), key=lambda dim: (-layout.stride(dim), like.shape[dim] == 1))
        ones = torch.ones([shape[dim] for dim in order], dtype=like.dtype, device=like.device)
        whole = _DROPOUT(ones.permute([order.index(dim) for dim in range(like.dim())]), p, True)
        return whole if batch_dim is None else whole.index_select(batch_dim, self.rows.to(like.device))

    def dropout(self, input: torch.Tensor, p: float = 0.5, training: bool = True, inplace: bool = False,
                batch_dim: int | None = -1) -> torch.Tensor:
        """``torch.nn.functional.dropout``; ``batch_dim`` -1: found by size."""
        if not training or not 0.0 < p < 1.0 or input.numel() == 0:
            return _DROPOUT(input, p, training, inplace)
        if self.count == self.batch_size:  # the whole batch is this process's (a batch of one)
            batch_dim = None
        elif batch_dim == -1:
            batch_dim = next((dim for dim, size in enumerate(input.shape) if size == self.count), None)
        noise = self.noise(input, p, batch_dim)
        return input.mul_(noise) if inplace else input * noise

    def attention(self, query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                  **options) -> torch.Tensor:
        """``torch.nn.functional.scaled_dot_product_attention``, computed here when it drops out."""
        if dropout_p == 0.0 or options.get("enable_gqa"):
            return _ATTENTION(query, key, value, attn_mask, dropout_p, is_causal, scale=scale, **options)
        root = math.sqrt(scale if scale is not None else 1.0 / math.sqrt(query.shape[-1]))
        scores = (query * root) @ (key.transpose(-2, -1) * root)
        if is_causal:
            attn_mask = torch.ones(scores.shape[-2:], dtype=torch.bool, device=scores.device).tril()
        if attn_mask is not None and attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        elif attn_mask is not None:
            scores = scores + attn_mask
        weights = torch.softmax(scores, dim=-1)
        return self.dropout(weights, dropout_p, batch_dim=0 if query.dim() == 4 else -1) @ value


@contextmanager
def global_batch_dropout(batch_size: int, rows: Sequence[int]) -> Iterator[None]:
    """Within the block, dropout draws the masks of a global batch of ``batch_size`` and keeps
    ``rows`` (see the module docstring). The fit loop opens it around each share's forward pass."""
    shared = GlobalBatchDropout(batch_size, rows)
    functional.dropout, functional.scaled_dot_product_attention = shared.dropout, shared.attention
    try:
        yield
    finally:
        functional.dropout, functional.scaled_dot_product_attention = _DROPOUT, _ATTENTION
