"""The Masked Bimodal Adjustment (MBA, Eq. 9-17): text attention adjusted by a second modality."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

MBA_BIASES = ("scalar", "per_key")


@dataclass
class AdjustmentResult:
    """What one MBA produces.

    Args:
        adjusted: (B, L, d_t) M_tm* = M_t* + x_att M_t* (Eq. 17).
        p_att: (B, L, L) the bimodal attention p_t (.) p_m (Eq. 15).
        x_att: (B, L, L) the masked attention weights (Eq. 16); padded keys get weight 0.
    """

    adjusted: torch.Tensor
    p_att: torch.Tensor
    x_att: torch.Tensor


def real_positions(real: torch.Tensor) -> torch.Tensor:
    """(B, L) mask of real tokens -> (B, L) index of each token among its sequence's real tokens
    (0 for the first real token whatever the padding side; padded positions get a clamped index,
    which only meets zero rows and masked keys)."""
    return (real.cumsum(dim=1) - 1).clamp(min=0).long()


class MaskedBimodalAdjustment(nn.Module):
    """MBA(M_t*, F_m) for m in {acoustic, visual} (Eq. 9-17).

    Eq. 9-10:  M^ = Conv1D(M_t*, k_t), F^ = Conv1D(F_m, k_m), both to a common width d.
    Eq. 11-12: each row is divided by the square root of its L2 norm (plus epsilon).
    Eq. 13-14: p_t = tanh(W_pt (M^ M^T) + b_pt), p_m = tanh(W_pm (F^ F^T) + b_pm), where W_pt and
               W_pm act on the last axis of the L x L matrix (L = ``max_length``).
    Eq. 15:    p_att = p_t (.) p_m.
    Eq. 16:    x_att = softmax(p_t + p_att + mask), mask = -inf on padded key positions.
    Eq. 17:    M_tm* = M_t* + x_att M_t*.

    W_pt / W_pm are indexed by each token's position among its utterance's real tokens (the k-th
    real token meets row and column k), not by its position in the padded batch. An utterance
    therefore meets the same weights whatever else is in its batch and on whichever side it is
    padded (BERT right, XLNet left); for right padding this is the leading L x L block.

    b_pt / b_pm: Section III-C2 calls them "scalar biases" (``bias="scalar"``: one learned number
    added to every entry); ``"per_key"`` is ``nn.Linear``'s bias, one number per key position.

    Args:
        text_dim: width of M_t*.
        other_dim: width of F_m.
        common_dim: d, the Conv1D output width.
        max_length: the token length L that W_pt and W_pm are sized for.
        text_kernel: k_t (odd, so the sequence keeps its length).
        other_kernel: k_m (odd).
        epsilon: added to each row norm in Eq. 11-12.
        bias: ``"scalar"`` or ``"per_key"`` (see above).
    """

    def __init__(self, text_dim: int, other_dim: int, *, common_dim: int = 40, max_length: int = 50,
                 text_kernel: int = 1, other_kernel: int = 1, epsilon: float = 1e-6,
                 bias: str = "per_key") -> None:
        super().__init__()
        if bias not in MBA_BIASES:
            raise ValueError(f"bias must be one of {MBA_BIASES}, got {bias!r}")
        for name, kernel in (("text_kernel", text_kernel), ("other_kernel", other_kernel)):
            if kernel < 1 or kernel % 2 == 0:
                raise ValueError(f"{name} must be a positive odd number, got {kernel}")
        self.text_conv = nn.Conv1d(text_dim, common_dim, text_kernel, padding=text_kernel // 2)
        self.other_conv = nn.Conv1d(other_dim, common_dim, other_kernel, padding=other_kernel // 2)
        self.text_relation = nn.Linear(max_length, max_length)
        self.other_relation = nn.Linear(max_length, max_length)
        if bias == "scalar":  # one number each, drawn as nn.Linear draws its bias
            for relation in (self.text_relation, self.other_relation):
                relation.bias = nn.Parameter(relation.bias.detach()[:1].clone())
        self.max_length = max_length
        self.epsilon = epsilon

    def self_relation(self, features: torch.Tensor, real: torch.Tensor, position: torch.Tensor,
                      conv: nn.Conv1d, relation: nn.Linear) -> torch.Tensor:
        """tanh(W_p (X^ X^T) + b_p) for one modality (Eq. 9-14).

        Padded rows are zeroed before the Conv1D (so a wider kernel does not read them) and
        after it (so the L x L similarity is zero on padded rows and columns, as if the batch
        were shorter)."""
        real = real.unsqueeze(-1)
        projected = conv((features * real).transpose(1, 2)).transpose(1, 2)
        scaled = real * projected / (projected.norm(dim=-1, keepdim=True) + self.epsilon).sqrt()
        similarity = scaled @ scaled.transpose(1, 2)
        # weight[b, j, k] = W_p[position of token j, position of token k] (Eq. 13-14)
        weight = relation.weight[position.unsqueeze(-1), position.unsqueeze(-2)]
        bias = relation.bias if relation.bias.numel() == 1 else relation.bias[position].unsqueeze(1)
        return torch.tanh(torch.einsum("bik,bjk->bij", similarity, weight) + bias)

    def forward(self, text: torch.Tensor, other: torch.Tensor,
                attention_mask: torch.Tensor) -> AdjustmentResult:
        """Adjust ``text`` (B, L, d_t) by ``other`` (B, L, d_m); ``attention_mask`` (B, L) is 1
        on real tokens (either padding side)."""
        length = text.shape[1]
        if length > self.max_length:
            raise ValueError(f"MBA was built for at most {self.max_length} tokens, got {length}")
        real = attention_mask.to(text.dtype)
        position = real_positions(real)
        text_relation = self.self_relation(text, real, position, self.text_conv, self.text_relation)
        other_relation = self.self_relation(other, real, position, self.other_conv, self.other_relation)
        bimodal = text_relation * other_relation
        scores = (text_relation + bimodal).masked_fill(~attention_mask.bool().unsqueeze(1), float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return AdjustmentResult(adjusted=text + weights @ text, p_att=bimodal, x_att=weights)
