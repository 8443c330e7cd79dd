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
from torch import nn

from shiftmsa.defaults import DEFAULT_ENCODER
from shiftmsa.models.modalities import MODALITIES, check_modalities, check_modality_dims, non_text_inputs
from shiftmsa.models.output import RegressionOutput
from shiftmsa.text.backbone import load_split_backbone


@dataclass
class FusionBaselineConfig:
    """Fields every fusion baseline has (each model's config adds its hyper-parameters).

    Args:
        encoder: text encoder name or folder (fine-tuned with the model).
        modalities: text and at least one of acoustic / visual (the BERT setting always has text).
        acoustic_dim / visual_dim: input widths d_a, d_v.
    """

    model_name: ClassVar[str] = "fusion baseline"

    encoder: str = DEFAULT_ENCODER
    modalities: tuple[str, ...] = ("text", "acoustic", "visual")
    acoustic_dim: int | None = None
    visual_dim: int | None = None

    def __post_init__(self) -> None:
        self.modalities = tuple(self.modalities)
        check_modalities(self.modalities)
        if "text" not in self.modalities or len(self.modalities) < 2:
            raise ValueError(f"{self.model_name} fuses text with acoustic and/or visual: modalities must hold "
                             f"text and at least one of them, got {self.modalities}")

    def validate(self) -> None:
        check_modality_dims(self, self.model_name)

    def used_modalities(self) -> tuple[str, ...]:
        """The configured modalities in the canonical order text, acoustic, visual."""
        return tuple(m for m in MODALITIES if m in self.modalities)


class FusionBaseline(nn.Module):
    """The encoder, the input checks and the output contract; subclasses define ``fuse``.

    Args:
        config: a ``FusionBaselineConfig`` subclass; its ``validate()`` must pass.
        load_pretrained: False builds the text encoder from its config with random weights.
    """

    def __init__(self, config: FusionBaselineConfig, *, load_pretrained: bool = True) -> None:
        super().__init__()
        config.validate()
        self.config = config
        self.modalities = config.used_modalities()
        self.backbone = load_split_backbone(config.encoder, load_pretrained=load_pretrained)
        self.input_dims = {m: self.backbone.hidden_size if m == "text" else getattr(config, f"{m}_dim")
                           for m in self.modalities}

    def fuse(self, sequences: dict[str, torch.Tensor],
             attention_mask: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """modality -> (B, L, d_m) sequences and the (B, L) mask -> (B,) predictions and extras."""
        raise NotImplementedError

    def forward(self, input_ids: torch.Tensor | None = None, attention_mask: torch.Tensor | None = None,
                token_type_ids: torch.Tensor | None = None, acoustic: torch.Tensor | None = None,
                visual: torch.Tensor | None = None, cls_index: torch.Tensor | None = None) -> RegressionOutput:
        """Predict sentiment for a batch (inputs as in ``Batch.model_inputs()``; ``cls_index``
        is not used: these models read whole sequences)."""
        name = self.config.model_name
        if input_ids is None or attention_mask is None:
            raise ValueError(f"{name} needs input_ids and attention_mask")
        streams = non_text_inputs(self.config, name, acoustic=acoustic, visual=visual)
        text = self.backbone(input_ids, attention_mask, token_type_ids)
        sequences = {m: text if m == "text" else streams[m] for m in self.modalities}
        prediction, extras = self.fuse(sequences, attention_mask)
        return RegressionOutput(prediction=prediction, auxiliary_loss=prediction.new_zeros(()), extras=extras)
