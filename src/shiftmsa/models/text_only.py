"""text-only: Table IV's "only T" row as a model of its own.

It is msg-mba's ``table4.t`` configuration (the split encoder, run unsplit, then
Linear -> [CLS] -> Linear), so no code is duplicated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

from shiftmsa.defaults import DEFAULT_ENCODER, DEFAULT_MAX_LENGTH
from shiftmsa.models.base import SentimentModelConfig
from shiftmsa.models.msg_mba import MsgMbaModel
from shiftmsa.models.msg_mba_config import MsgMbaConfig
from shiftmsa.models.msg_mba_presets import TEXT_ONLY


@dataclass
class TextOnlyConfig(SentimentModelConfig):
    """Args:
        encoder: text encoder name or folder.
        modalities: always ``("text",)``.
        max_length: token length of the batches (kept for symmetry with msg-mba).
        head_dropout: dropout before the output Linear.
    """

    model_name = "text-only"

    encoder: str = DEFAULT_ENCODER
    modalities: tuple[str, ...] = ("text",)
    max_length: int = DEFAULT_MAX_LENGTH
    head_dropout: float = 0.1

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.modalities != ("text",):
            raise ValueError(f"text-only uses modalities=('text',), got {self.modalities}")

    def as_msg_mba(self) -> MsgMbaConfig:
        return replace(MsgMbaConfig(**TEXT_ONLY), encoder=self.encoder, max_length=self.max_length,
                       head_dropout=self.head_dropout)


class TextOnlyModel(MsgMbaModel):
    """msg-mba built from ``config.as_msg_mba()``, which is what its ``config`` attribute holds.
    Sized for ``max_length`` like msg-mba (the value travels to the msg-mba config); no stream
    modules to switch on."""

    stream_switches: ClassVar[Mapping[str, str]] = {}

    def __init__(self, config: TextOnlyConfig, *, load_pretrained: bool = True) -> None:
        super().__init__(config.as_msg_mba(), load_pretrained=load_pretrained)
