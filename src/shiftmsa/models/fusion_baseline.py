"""What the fusion baselines of Table I (TFN, LMF, MFN, MulT) share in the BERT setting (MAG
shares the configuration fields).

Text is the fine-tuned encoder's last layer, one row per word piece (MMSA's "use_bert"); acoustic
and visual are the batch's word-piece aligned rows (per-utterance features arrive broadcast to
every word). Each baseline fuses these sequences its own way (``fuse``) into one prediction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from shiftmsa.models.base import ModelInputs, MultimodalConfig, SentimentModel
from shiftmsa.models.output import RegressionOutput
from shiftmsa.text.backbone import load_split_backbone


@dataclass
class FusionBaselineConfig(MultimodalConfig):
    """Fields every fusion baseline has (each model's config adds its hyper-parameters): the
    encoder is fine-tuned with the model, and modalities hold text and at least one of acoustic
    / visual (the BERT setting always has text)."""

    model_name: ClassVar[str] = "fusion baseline"
    text_with_partner: ClassVar[bool] = True


class FusionBaseline(SentimentModel):
    """The encoder and the sequences it fuses; subclasses define ``fuse``."""

    def __init__(self, config: FusionBaselineConfig, *, load_pretrained: bool = True) -> None:
        super().__init__(config)
        self.modalities = config.used_modalities()
        self.backbone = load_split_backbone(config.encoder, load_pretrained=load_pretrained)
        self.input_dims = {m: self.backbone.hidden_size if m == "text" else config.stream_width(m)
                           for m in self.modalities}

    def fuse(self, sequences: dict[str, torch.Tensor],
             attention_mask: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """modality -> (B, L, d_m) sequences and the (B, L) mask -> (B,) predictions and extras."""
        raise NotImplementedError

    def forward(self, inputs: ModelInputs) -> RegressionOutput:
        """The encoder's rows and the used streams through ``fuse`` (``cls_index`` is not read:
        these models read whole sequences)."""
        text = self.backbone(inputs.input_ids, inputs.attention_mask, inputs.token_type_ids)
        sequences = {m: text if m == "text" else inputs.stream(m) for m in self.modalities}
        prediction, extras = self.fuse(sequences, inputs.attention_mask)
        return RegressionOutput(prediction=prediction, auxiliary_loss=prediction.new_zeros(()), extras=extras)
