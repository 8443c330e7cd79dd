"""tfn: the Tensor Fusion Network (Zadeh et al., EMNLP 2017) in the BERT setting.

Sub-networks give one vector per modality (``UnimodalVectors``: an LSTM over the encoder's rows
for text, BatchNorm -> 3 x Linear + ReLU on the averaged acoustic / visual rows); tensor fusion
takes their outer product with appended 1s; dropout -> Linear -> ReLU -> Linear -> ReLU ->
Linear; the output is bounded to (-3, 3) by 6 * sigmoid - 3, as the authors' code does.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from shiftmsa.models.fusion_baseline import FusionBaseline, FusionBaselineConfig
from shiftmsa.modules.tensor_fusion import tensor_fusion, tensor_fusion_width
from shiftmsa.modules.unimodal_subnets import UnimodalVectors


@dataclass
class TfnConfig(FusionBaselineConfig):
    """Defaults: MMSA's MOSI configuration of TFN (config_regression.json).

    Args:
        text_hidden / acoustic_hidden / visual_hidden: sub-network widths (128 / 32 / 128).
        text_out: width of the text vector (32).
        acoustic_dropout / visual_dropout: sub-network dropouts (0.3).
        text_dropout: dropout on the LSTM's last state; MMSA configures 0.3 but its one-layer
            TextSubNet sets it to 0, so 0.0 is what the reference runs.
        post_fusion_dim: width of the two post-fusion layers (64).
        post_fusion_dropout: dropout on the fused tensor (0.5).
        bounded_output: 6 * sigmoid - 3 on the output (the authors' code) or a plain Linear.
    """

    model_name = "tfn"

    text_hidden: int = 128
    acoustic_hidden: int = 32
    visual_hidden: int = 128
    text_out: int = 32
    text_dropout: float = 0.0
    acoustic_dropout: float = 0.3
    visual_dropout: float = 0.3
    post_fusion_dim: int = 64
    post_fusion_dropout: float = 0.5
    bounded_output: bool = True


def unimodal_vectors(model: FusionBaseline, text_out: int) -> UnimodalVectors:
    """TFN's sub-networks for ``model``'s modalities, sized by its config's ``*_hidden`` and
    ``*_dropout`` fields (shared by TFN and LMF)."""
    config = model.config
    return UnimodalVectors(model.input_dims, {m: getattr(config, f"{m}_hidden") for m in model.modalities},
                           text_out, {m: getattr(config, f"{m}_dropout") for m in model.modalities})


class TfnModel(FusionBaseline):
    """TFN (see the module docstring)."""

    def __init__(self, config: TfnConfig, *, load_pretrained: bool = True) -> None:
        super().__init__(config, load_pretrained=load_pretrained)
        self.unimodal = unimodal_vectors(self, config.text_out)
        fused_width = tensor_fusion_width(list(self.unimodal.output_dims.values()))
        self.post_fusion = nn.Sequential(
            nn.Dropout(config.post_fusion_dropout),
            nn.Linear(fused_width, config.post_fusion_dim), nn.ReLU(),
            nn.Linear(config.post_fusion_dim, config.post_fusion_dim), nn.ReLU(),
            nn.Linear(config.post_fusion_dim, 1))

    def fuse(self, sequences, attention_mask):
        vectors = self.unimodal(sequences, attention_mask)
        fused = tensor_fusion(list(vectors.values()))
        output = self.post_fusion(fused).squeeze(-1)
        prediction = 6.0 * torch.sigmoid(output) - 3.0 if self.config.bounded_output else output
        return prediction, {"fusion": fused, **{f"unimodal/{m}": v for m, v in vectors.items()}}
