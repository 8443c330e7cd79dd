"""mfn: the Memory Fusion Network (Zadeh et al., AAAI 2018) in the BERT setting.

``MemoryFusionRecurrence`` (one LSTM per modality, the Delta-memory Attention Network and the
Multi-view Gated Memory) runs over the word-piece aligned sequences, text being the encoder's
rows; the last LSTM states and the last memory go through Linear -> ReLU -> dropout -> Linear.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiftmsa.models.fusion_baseline import FusionBaseline, FusionBaselineConfig
from shiftmsa.modules.memory_fusion import MemoryFusionRecurrence, MemoryFusionSizes, two_layer_network


@dataclass
class MfnConfig(FusionBaselineConfig):
    """Defaults: MMSA's MOSI configuration of MFN (config_regression.json).

    Args:
        text_hidden / acoustic_hidden / visual_hidden: LSTM hidden sizes (256 / 32 / 256).
        memory_dim: width of the multi-view gated memory (400).
        attention_hidden / attention_dropout: DMAN's network (NN1: 32, 0.2).
        update_hidden / update_dropout: the memory proposal network (NN2: 64, 0.0).
        retain_hidden / retain_dropout: gamma_1's network (256, 0.7).
        update_gate_hidden / update_gate_dropout: gamma_2's network (32, 0.5).
        output_hidden / output_dropout: the output network (128, 0.0).
    """

    model_name = "mfn"

    text_hidden: int = 256
    acoustic_hidden: int = 32
    visual_hidden: int = 256
    memory_dim: int = 400
    attention_hidden: int = 32
    attention_dropout: float = 0.2
    update_hidden: int = 64
    update_dropout: float = 0.0
    retain_hidden: int = 256
    retain_dropout: float = 0.7
    update_gate_hidden: int = 32
    update_gate_dropout: float = 0.5
    output_hidden: int = 128
    output_dropout: float = 0.0

    def memory_sizes(self) -> MemoryFusionSizes:
        return MemoryFusionSizes(self.memory_dim, self.attention_hidden, self.attention_dropout,
                                 self.update_hidden, self.update_dropout, self.retain_hidden,
                                 self.retain_dropout, self.update_gate_hidden, self.update_gate_dropout)


class MfnModel(FusionBaseline):
    """MFN (see the module docstring)."""

    def __init__(self, config: MfnConfig, *, load_pretrained: bool = True) -> None:
        super().__init__(config, load_pretrained=load_pretrained)
        self.recurrence = MemoryFusionRecurrence([self.input_dims[m] for m in self.modalities],
                                                 [getattr(config, f"{m}_hidden") for m in self.modalities],
                                                 config.memory_sizes())
        self.output = two_layer_network(self.recurrence.output_dim, config.output_hidden, 1, config.output_dropout)

    def fuse(self, sequences, attention_mask):
        final = self.recurrence(list(sequences.values()), attention_mask)
        return self.output(final).squeeze(-1), {"fusion": final}
