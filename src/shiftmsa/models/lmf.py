"""lmf: Low-rank Multimodal Fusion (Liu et al., ACL 2018) in the BERT setting.

TFN's sub-networks (``UnimodalVectors``) give one vector per modality; ``LowRankFusion`` maps
them straight to the prediction with rank-r modality-specific factors, without the outer product.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiftmsa.models.fusion_baseline import FusionBaseline, FusionBaselineConfig
from shiftmsa.models.tfn import unimodal_vectors
from shiftmsa.modules.low_rank_fusion import LowRankFusion


@dataclass
class LmfConfig(FusionBaselineConfig):
    """Defaults: MMSA's MOSI configuration of LMF (config_regression.json).

    Args:
        text_hidden / acoustic_hidden / visual_hidden: sub-network widths (128 / 16 / 128).
        text_out: width of the text vector (text_hidden // 2 = 64 in the reference).
        acoustic_dropout / visual_dropout: sub-network dropouts (0.3).
        text_dropout: 0.0, what the reference's one-layer TextSubNet runs (it zeroes the
            configured 0.3); the configured post-fusion dropout is never applied there either.
        rank: number of rank-one terms (3).
    """

    model_name = "lmf"

    text_hidden: int = 128
    acoustic_hidden: int = 16
    visual_hidden: int = 128
    text_out: int = 64
    text_dropout: float = 0.0
    acoustic_dropout: float = 0.3
    visual_dropout: float = 0.3
    rank: int = 3


class LmfModel(FusionBaseline):
    """LMF (see the module docstring)."""

    def __init__(self, config: LmfConfig, *, load_pretrained: bool = True) -> None:
        super().__init__(config, load_pretrained=load_pretrained)
        self.unimodal = unimodal_vectors(self, config.text_out)
        self.fusion = LowRankFusion(list(self.unimodal.output_dims.values()), 1, config.rank)

    def fuse(self, sequences, attention_mask):
        vectors = self.unimodal(sequences, attention_mask)
        prediction = self.fusion(list(vectors.values())).squeeze(-1)
        return prediction, {f"unimodal/{m}": v for m, v in vectors.items()}
