"""mult: the Multimodal Transformer (Tsai et al., ACL 2019) in the BERT setting.

Each sequence is projected to a common width by a temporal Conv1d (text after dropout on the
encoder's rows); for every target modality, one crossmodal transformer per other modality lets it
attend to that source, their outputs are concatenated and run through a self-attention transformer;
the last real position of every target is concatenated -> residual block (Linear -> ReLU ->
dropout -> Linear, plus its input) -> Linear.

Each sequence keeps its own padding mask down to the crossmodal attention, so MulT does not
depend on the modalities being aligned; today every reader hands over word-piece aligned rows
(the ``Batch`` has one mask for all streams), which is what it is fed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from shiftmsa.models.fusion_baseline import FusionBaseline, FusionBaselineConfig
from shiftmsa.modules.crossmodal_transformer import CrossmodalTransformer, TransformerDropouts
from shiftmsa.modules.pooling import last_real_row


@dataclass
class MultConfig(FusionBaselineConfig):
    """Defaults: MMSA's MOSI configuration of MulT (config_regression.json).

    Args:
        dim / heads: common width and attention heads (50, 10: ``dst_feature_dim_nheads``).
        layers: crossmodal transformer depth (``nlevels`` 4); the self-attention transformers
            have max(layers, 3).
        conv_kernel: temporal Conv1d kernel size, odd, zero-padded to keep the length; 1 is the
            authors' code, MMSA's MOSI config uses 5 without padding (shortening the sequence).
        text_dropout: dropout on the encoder's rows (0.5).
        attention_dropout: attention dropout of transformers into text and of the self-attention
            ones (0.3); acoustic_attention_dropout / visual_attention_dropout: into acoustic (0.2)
            and into visual (0.0).
        relu_dropout / residual_dropout / embedding_dropout: 0.0, 0.0, 0.2.
        output_dropout: in the output residual block (0.5).
        causal: the authors' attention mask (``attn_mask``: true in MMSA's config).
    """

    model_name = "mult"

    dim: int = 50
    heads: int = 10
    layers: int = 4
    conv_kernel: int = 1
    text_dropout: float = 0.5
    attention_dropout: float = 0.3
    acoustic_attention_dropout: float = 0.2
    visual_attention_dropout: float = 0.0
    relu_dropout: float = 0.0
    residual_dropout: float = 0.0
    embedding_dropout: float = 0.2
    output_dropout: float = 0.5
    causal: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.conv_kernel < 1 or self.conv_kernel % 2 == 0:
            raise ValueError(f"mult: conv_kernel must be a positive odd number, got {self.conv_kernel}")

    def dropouts(self, target: str | None) -> TransformerDropouts:
        """The dropouts of a transformer into ``target`` (None: a self-attention transformer)."""
        attention = {"acoustic": self.acoustic_attention_dropout,
                     "visual": self.visual_attention_dropout}.get(target, self.attention_dropout)
        return TransformerDropouts(attention=attention, relu=self.relu_dropout, residual=self.residual_dropout,
                                   embedding=self.embedding_dropout)


class MultModel(FusionBaseline):
    """MulT (see the module docstring)."""

    def __init__(self, config: MultConfig, *, load_pretrained: bool = True) -> None:
        super().__init__(config, load_pretrained=load_pretrained)
        dim, modalities = config.dim, self.modalities
        self.projections = nn.ModuleDict({
            m: nn.Conv1d(self.input_dims[m], dim, config.conv_kernel, padding=config.conv_kernel // 2, bias=False)
            for m in modalities})
        self.crossmodal = nn.ModuleDict({
            f"{source}->{target}": CrossmodalTransformer(dim, config.heads, config.layers, config.dropouts(target),
                                                         config.causal)
            for target in modalities for source in modalities if source != target})
        sources = len(modalities) - 1
        self.self_attention = nn.ModuleDict({
            m: CrossmodalTransformer(sources * dim, config.heads, max(config.layers, 3), config.dropouts(None),
                                     config.causal)
            for m in modalities})
        combined = len(modalities) * sources * dim
        self.residual_block = nn.Sequential(nn.Linear(combined, combined), nn.ReLU(),
                                            nn.Dropout(config.output_dropout), nn.Linear(combined, combined))
        self.output = nn.Linear(combined, 1)

    def fuse(self, sequences, attention_mask):
        masks = {m: attention_mask for m in sequences}  # one mask per stream (see the module docstring)
        inputs = {m: F.dropout(rows, self.config.text_dropout, self.training) if m == "text" else rows
                  for m, rows in sequences.items()}
        projected = {m: self.projections[m](rows.transpose(1, 2)).transpose(1, 2) for m, rows in inputs.items()}
        last = []
        for target in self.modalities:
            crossed = torch.cat([self.crossmodal[f"{source}->{target}"](projected[target], masks[target],
                                                                        projected[source], masks[source])
                                 for source in self.modalities if source != target], dim=-1)
            remembered = self.self_attention[target](crossed, masks[target])
            last.append(last_real_row(remembered, masks[target]))
        fused = torch.cat(last, dim=-1)
        prediction = self.output(fused + self.residual_block(fused)).squeeze(-1)
        return prediction, {"fusion": fused}
