"""The crossmodal transformer of MulT (Tsai et al. 2019), and its self-attention form.

A crossmodal transformer lets a target sequence (queries) attend to a source sequence (keys and
values) of another modality, layer after layer; with no source it is a plain self-attention
transformer (MulT's "memory" transformers). As in the authors' code: inputs are scaled by
sqrt(d), sinusoidal positions are added, embedding dropout follows; each layer is pre-LayerNorm
(one LayerNorm shared by query and source) -> multi-head attention -> residual, then
pre-LayerNorm -> Linear(d, 4d) -> ReLU -> Linear(4d, d) -> residual; a LayerNorm closes the stack.

The target and the source have their own lengths and padding masks, so nothing here assumes the
two are aligned. ``causal`` is the authors' ``attn_mask``: query i sees source positions
j <= i + |L_source - L_target| (on padded positions, as their code computes it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class TransformerDropouts:
    """MulT's dropouts.

    Args:
        attention: on the attention weights.
        relu: after the ReLU of the position-wise network.
        residual: on each sub-layer's output before its residual sum.
        embedding: on the scaled, position-encoded inputs.
    """

    attention: float = 0.0
    relu: float = 0.0
    residual: float = 0.0
    embedding: float = 0.0


def sinusoidal_positions(attention_mask: torch.Tensor, dim: int) -> torch.Tensor:
    """(B, L) real-token mask -> (B, L, dim) sinusoidal encodings of each real token's position
    (1-based, counted over real tokens, so left and right padding give the same codes), zero on
    padding; half sines, half cosines, as fairseq's encoding that MulT uses."""
    half = dim // 2
    frequencies = torch.exp(torch.arange(half, device=attention_mask.device, dtype=torch.float32)
                            * -(math.log(10000.0) / max(half - 1, 1)))
    real = attention_mask.float()
    angles = (real.cumsum(dim=1) * real).unsqueeze(-1) * frequencies
    codes = torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)
    if dim % 2:
        codes = F.pad(codes, (0, 1))
    return codes * real.unsqueeze(-1)


def attention_allowed(target_mask: torch.Tensor, source_mask: torch.Tensor, causal: bool) -> torch.Tensor:
    """(B, L_t, L_s) True where query i may attend to key j: real keys (and, with ``causal``, the
    authors' future mask). A query with no allowed key (a padding row) may see every key, so
    the softmax stays finite; its output is never read."""
    allowed = source_mask.bool().unsqueeze(1).expand(-1, target_mask.shape[1], -1)
    if causal:
        target_length, source_length = target_mask.shape[1], source_mask.shape[1]
        offset = abs(source_length - target_length)
        rows = torch.arange(target_length, device=target_mask.device).unsqueeze(1)
        columns = torch.arange(source_length, device=target_mask.device).unsqueeze(0)
        allowed = allowed & (columns <= rows + offset)
    return allowed | ~allowed.any(dim=-1, keepdim=True)


class CrossmodalLayer(nn.Module):
    """One pre-LayerNorm (crossmodal) attention layer with its position-wise network.

    Args:
        dim: model width d.
        heads: attention heads (d must be divisible by it).
        dropouts: attention, ReLU and residual dropouts.
    """

    def __init__(self, dim: int, heads: int, dropouts: TransformerDropouts) -> None:
        super().__init__()
        self.attention = nn.MultiheadAttention(dim, heads, dropout=dropouts.attention, batch_first=True)
        self.attention_norm = nn.LayerNorm(dim)
        self.feed_forward_norm = nn.LayerNorm(dim)
        self.feed_forward = nn.Sequential(nn.Linear(dim, 4 * dim), nn.ReLU(), nn.Dropout(dropouts.relu),
                                          nn.Linear(4 * dim, dim))
        self.residual_dropout = nn.Dropout(dropouts.residual)
        for linear in (self.feed_forward[0], self.feed_forward[3]):
            nn.init.xavier_uniform_(linear.weight)
            nn.init.zeros_(linear.bias)

    def forward(self, target: torch.Tensor, source: torch.Tensor | None, blocked: torch.Tensor) -> torch.Tensor:
        """(B, L_t, d) target, (B, L_s, d) source (None: self-attention) and the (B * heads, L_t,
        L_s) mask of blocked pairs -> (B, L_t, d)."""
        query = self.attention_norm(target)
        keys = query if source is None else self.attention_norm(source)
        attended = self.attention(query, keys, keys, attn_mask=blocked, need_weights=False)[0]
        target = target + self.residual_dropout(attended)
        return target + self.residual_dropout(self.feed_forward(self.feed_forward_norm(target)))


class CrossmodalTransformer(nn.Module):
    """A stack of ``CrossmodalLayer``s: target attends to source (or to itself).

    Args:
        dim: model width d.
        heads: attention heads.
        layers: number of layers.
        dropouts: see ``TransformerDropouts``.
        causal: the authors' future mask (see the module docstring).
    """

    def __init__(self, dim: int, heads: int, layers: int, dropouts: TransformerDropouts, causal: bool) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"transformer width {dim} is not divisible by {heads} heads")
        self.dim, self.heads, self.causal = dim, heads, causal
        self.embedding_dropout = nn.Dropout(dropouts.embedding)
        self.layers = nn.ModuleList(CrossmodalLayer(dim, heads, dropouts) for _ in range(layers))
        self.final_norm = nn.LayerNorm(dim)

    def embed(self, sequence: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        scaled = math.sqrt(self.dim) * sequence + sinusoidal_positions(mask, self.dim).to(sequence.dtype)
        return self.embedding_dropout(scaled)

    def forward(self, target: torch.Tensor, target_mask: torch.Tensor, source: torch.Tensor | None = None,
                source_mask: torch.Tensor | None = None) -> torch.Tensor:
        """(B, L_t, d) target with its (B, L_t) mask, optionally a (B, L_s, d) source with its
        mask -> (B, L_t, d)."""
        target = self.embed(target, target_mask)
        if source is not None:
            if source_mask is None:
                raise ValueError("a crossmodal transformer needs the source's padding mask")
            source = self.embed(source, source_mask)
        allowed = attention_allowed(target_mask, target_mask if source is None else source_mask, self.causal)
        blocked = (~allowed).repeat_interleave(self.heads, dim=0)
        for layer in self.layers:
            target = layer(target, source, blocked)
        return self.final_norm(target)
