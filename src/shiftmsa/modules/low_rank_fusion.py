"""Low-rank multimodal fusion (Liu et al. 2018, LMF).

The tensor-fusion weight W is replaced by a rank-r decomposition into modality-specific factors,
so the output is computed without forming the outer product:
h = sum_i w_i * prod_m ([1; z_m] W_m^(i)) + b. Like the authors' code, the rank terms are summed
with learned weights w_i (the paper's plain sum is w_i = 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from shiftmsa.modules.tensor_fusion import with_constant_one


class LowRankFusion(nn.Module):
    """Fuse n modality vectors into one ``output_dim`` vector through rank-``rank`` factors.

    Args:
        input_dims: width d_m of each modality vector, in the order ``forward`` gets them.
        output_dim: width of the fused output (1 for LMF's regression).
        rank: the number r of rank-one terms.
    """

    def __init__(self, input_dims: Sequence[int], output_dim: int, rank: int) -> None:
        super().__init__()
        if not input_dims or rank < 1:
            raise ValueError(f"low-rank fusion needs modality widths and rank >= 1, got {list(input_dims)}, {rank}")
        self.factors = nn.ParameterList(nn.Parameter(torch.empty(rank, dim + 1, output_dim)) for dim in input_dims)
        self.rank_weights = nn.Parameter(torch.empty(1, rank))
        self.bias = nn.Parameter(torch.zeros(output_dim))
        for factor in self.factors:
            nn.init.xavier_normal_(factor)
        nn.init.xavier_normal_(self.rank_weights)

    def forward(self, vectors: Sequence[torch.Tensor]) -> torch.Tensor:
        """(B, d_1), ..., (B, d_n) -> (B, output_dim)."""
        if len(vectors) != len(self.factors):
            raise ValueError(f"built for {len(self.factors)} modalities, got {len(vectors)}")
        product = None
        for vector, factor in zip(vectors, self.factors):
            projected = torch.matmul(with_constant_one(vector), factor)  # (rank, B, output_dim)
            product = projected if product is None else product * projected
        return torch.einsum("r,rbo->bo", self.rank_weights[0], product) + self.bias
