"""msg-mba: the multi-stage fusion model of Lin & Hu (IEEE TMM 2023), Fig. 2.

Reading Fig. 2 top to bottom, ``MsgMbaModel.forward`` runs:

1. Eq. 1-2   ``self.rnns``         F_a = RNN(A), F_v = RNN(V); the [CLS] row holds the end state
2. Eq. 3-8   ``self.gates["text"]`` MSG-T shifts F_t (after layer i) with partners (F_a, F_v);
             F_t* continues through layers i+1..N of ``self.backbone`` -> M_t*
3. Eq. 9-17  ``self.adjustments``  MBA(M_t*, F_a) -> M_ta*, MBA(M_t*, F_v) -> M_tv*
4. Eq. 4-8   ``self.gates["acoustic"]`` MSG-A shifts F_a with partners (M_tv*, F_v) -> M_a*;
             ``self.gates["visual"]``   MSG-V shifts F_v with partners (M_ta*, F_a) -> M_v*
5. Fig. 2    ``self.fusion``       M* = [M_t*; M_a*; M_v*] per token -> Linear -> M_f*, computed
             at the [CLS] position only (the only row the prediction reads)
6. Fig. 2    ``self.head``         M_f* at the [CLS] position -> Linear -> y_hat
7. Eq. 19-20 ``self.shifting_huber`` alpha H(h_s^t) + beta H(h_s^a) + gamma H(h_s^v)

Ablations (Table III-VI, Fig. 5) only change ``MsgMbaConfig``: a modality without its gate
enters M* unshifted (F_a, F_v, or M_t*; ``fuse_unshifted=False`` leaves F_a, F_v out instead), a dropped modality has no parameters at all, and
without MBA, MSG-A / MSG-V take M_t* as their text partner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import torch
from torch import nn

from shiftmsa.models.base import ModelInputs, SentimentModel
from shiftmsa.models.modalities import NON_TEXT
from shiftmsa.models.msg_mba_config import MsgMbaConfig
from shiftmsa.models.output import RegressionOutput
from shiftmsa.models.text_shift import encode_text_with_shift
from shiftmsa.modules.head import RegressionHead
from shiftmsa.modules.losses import ShiftingHuberLoss
from shiftmsa.modules.mba import AdjustmentResult, MaskedBimodalAdjustment
from shiftmsa.modules.msg import MultimodalShiftingGate, ShiftResult
from shiftmsa.modules.pooling import pool
from shiftmsa.modules.rnn import ModalityRNN
from shiftmsa.text.backbone import load_split_backbone


class MsgMbaModel(SentimentModel):
    """Fig. 2 of the paper, configured by ``MsgMbaConfig`` (see the module docstring). W_pt / W_pm
    (Eq. 13-14) are sized for ``max_length``; MSG-A / MSG-V are the modules of their streams."""

    sized_for_token_length = True
    stream_switches: ClassVar[Mapping[str, str]] = {"msg_acoustic": "acoustic", "msg_visual": "visual"}

    def __init__(self, config: MsgMbaConfig, *, load_pretrained: bool = True) -> None:
        super().__init__(config)
        self.backbone = None
        widths: dict[str, int] = {}
        if "text" in config.modalities:
            self.backbone = load_split_backbone(config.encoder, load_pretrained=load_pretrained)
            self.backbone.check_layer(config.shift_layer)
            widths["text"] = self.backbone.hidden_size
        self.rnns = nn.ModuleDict({
            m: ModalityRNN(getattr(config, f"{m}_dim"), config.rnn_hidden(m), config.rnn)
            for m in NON_TEXT if m in config.modalities})
        widths.update({m: rnn.output_dim for m, rnn in self.rnns.items()})
        widths.update({f"adjusted/{m}": widths.get("text", 0) for m in NON_TEXT})
        self.gates = nn.ModuleDict({m: self.make_gate(widths, m) for m in config.shifted_modalities()})
        self.adjustments = nn.ModuleDict({
            m: MaskedBimodalAdjustment(widths["text"], widths[m], common_dim=config.mba_dim,
                                       max_length=config.max_length, text_kernel=config.mba_text_kernel,
                                       other_kernel=config.mba_other_kernel, bias=config.mba_bias)
            for m in config.adjusted_modalities()})
        used = config.fused_modalities()
        fusion_dim = config.fusion_dim or widths[used[0]]
        self.fusion = nn.Linear(sum(widths[m] for m in used), fusion_dim)
        self.head = RegressionHead(fusion_dim, dropout=config.head_dropout)
        self.shifting_huber = ShiftingHuberLoss(
            weights={"text": config.huber_text_weight, "acoustic": config.huber_acoustic_weight,
                     "visual": config.huber_visual_weight},
            delta=config.huber_delta) if config.shifting_huber else None
        if config.start_from_text and "text" in config.modalities:
            self.start_from_text(widths["text"])

    @torch.no_grad()
    def start_from_text(self, text_width: int) -> None:
        """Zero MSG-T's partner projections and the fusion weights on the non-text rows, so the
        untrained model is its text path (``MsgMbaConfig.start_from_text``)."""
        if "text" in self.gates:
            for projection in self.gates["text"].projections:
                projection.weight.zero_()
        self.fusion.weight[:, text_width:].zero_()

    def make_gate(self, widths: dict[str, int], modality: str) -> MultimodalShiftingGate:
        """MSG-T, MSG-A or MSG-V with the partners ``config.gate_partners`` names."""
        config = self.config
        return MultimodalShiftingGate(
            widths[modality], [widths[p] for p in config.gate_partners(modality)], gate=config.gate,
            gate_bias=config.gate_bias, threshold=config.shift_threshold,
            learnable_threshold=config.learnable_threshold, layer_norm=config.layer_norm_after_shift,
            dropout=config.shift_dropout, dropout_placement=config.shift_dropout_placement,
            eta_scope=config.eta_scope, gate_bias_init=config.gate_bias_init)

    def required_inputs(self) -> tuple[str, ...]:
        """The base's, and ``cls_index`` where the prediction reads the [CLS] position."""
        return (*super().required_inputs(), *(("cls_index",) if self.config.pooling == "cls" else ()))

    def forward(self, inputs: ModelInputs) -> RegressionOutput:
        attention_mask, cls_index = inputs.attention_mask, inputs.cls_index
        summary_index = cls_index if self.config.rnn_summary == "end_state" else None
        sources = {m: self.rnns[m](inputs.stream(m), attention_mask, summary_index) for m in self.rnns}  # Eq. 1-2
        shifts: dict[str, ShiftResult] = {}
        if self.backbone is not None:
            text_partners = [sources[p] for p in self.config.gate_partners("text")]
            sources["text"], text_shift = encode_text_with_shift(  # Eq. 3-8
                self.backbone, self.gates["text"] if "text" in self.gates else None, self.config.shift_layer,
                text_partners, inputs.input_ids, attention_mask, inputs.token_type_ids)
            if text_shift is not None:
                shifts["text"] = text_shift
        adjustments = {m: mba(sources["text"], sources[m], attention_mask)  # Eq. 9-17
                       for m, mba in self.adjustments.items()}
        sources.update({f"adjusted/{m}": result.adjusted for m, result in adjustments.items()})
        for modality in NON_TEXT:
            if modality in self.gates:  # MSG-A, MSG-V (Eq. 4-8)
                partners = [sources[p] for p in self.config.gate_partners(modality)]
                shifts[modality] = self.gates[modality](sources[modality], partners, attention_mask)
        # M_t* (already shifted inside the encoder); M_a*, M_v*, or F_a, F_v where there is no gate
        fused_by_modality = {m: shifts[m].shifted if m in NON_TEXT and m in shifts else sources[m]
                             for m in self.config.fused_modalities()}
        concatenated = torch.cat(list(fused_by_modality.values()), dim=-1)  # M* (Fig. 2)
        # M_f* = Linear(M*) is only read at the [CLS] position (or averaged, for mean pooling);
        # a Linear commutes with taking a row or a mean, so it runs on the pooled row alone.
        fused = self.fusion(pool(concatenated, attention_mask, cls_index, self.config.pooling))
        prediction = self.head(fused)
        auxiliary = (self.shifting_huber({m: s.shift for m, s in shifts.items()}, attention_mask)
                     if self.shifting_huber is not None else prediction.new_zeros(()))  # Eq. 18-20
        return RegressionOutput(prediction=prediction, auxiliary_loss=auxiliary,
                                extras=analysis_extras(fused_by_modality, fused, shifts, adjustments))


def analysis_extras(fused_by_modality: dict[str, torch.Tensor], fused: torch.Tensor, shifts: dict[str, ShiftResult],
                    adjustments: dict[str, AdjustmentResult]) -> dict[str, torch.Tensor]:
    """Named intermediates for losses and figures (``RegressionOutput.extras``)."""
    extras = {f"fused/{m}": value for m, value in fused_by_modality.items()}
    extras["fusion"] = fused  # M_f* at the pooled position, (B, d_f)
    for modality, shift in shifts.items():
        extras.update({f"shift/{modality}": shift.shift, f"eta/{modality}": shift.eta})
    for modality, result in adjustments.items():
        extras.update({f"p_att/{modality}": result.p_att, f"x_att/{modality}": result.x_att,
                       f"adjusted/{modality}": result.adjusted})
    return extras
