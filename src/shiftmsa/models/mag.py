"""mag: the Multimodal Adaptation Gate (MAG-BERT / MAG-XLNet, Rahman et al., ACL 2020).

MAG is MSG-T with vector gates, a fixed threshold, a LayerNorm and dropout after the shift and
no RNN: the word-aligned acoustic and visual rows shift the text directly.
H = g_v * (W_v V + b_v) + g_a * (W_a A + b_a) with g_m = ReLU(W_gm [F_t; F_m]);
alpha = min(||Z|| / ||H|| * beta_shift, 1); Z* = dropout(LayerNorm(Z + alpha H)).
It is injected after the embeddings for BERT (layer 0) and after layer 1 for XLNet; the
prediction is the [CLS] position -> Linear + tanh pooler (BERT's pretrained pooler, as
MAG-BERT's) -> dropout -> Linear. docs/baselines.md compares this, option by option, with the
reference code.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiftmsa.models.base import ModelInputs, SentimentModel
from shiftmsa.models.fusion_baseline import FusionBaselineConfig
from shiftmsa.models.output import RegressionOutput
from shiftmsa.models.text_shift import encode_text_with_shift
from shiftmsa.modules.head import RegressionHead
from shiftmsa.modules.msg import MultimodalShiftingGate
from shiftmsa.modules.pooling import pool
from shiftmsa.text.backbone import load_split_backbone

DEFAULT_INJECTION_LAYER = {"bert": 0, "roberta": 0, "mpnet": 0, "deberta-v2": 0, "xlnet": 1}


@dataclass
class MagConfig(FusionBaselineConfig):
    """Args (besides ``FusionBaselineConfig``'s encoder, modalities, acoustic_dim, visual_dim;
    MAG-BERT uses both non-text streams; with one, H has that stream's term only):
        shift_layer: injection layer; None = MAG's choice (0 for BERT, 1 for XLNet).
        beta_shift: the fixed threshold of alpha (MAG-BERT's driver: 1.0).
        shift_dropout: dropout after the LayerNorm of the shift (MAG-BERT's driver: 0.5).
            The defaults, 0.5 and 0.1, are the best validation objective of the grid
            {0.5, 1.0} x {0.1, 0.3, 0.5} with MiniLM on the MOSI SDK folds (docs/baselines.md).
        head_dropout: dropout before the output Linear (BERT's hidden dropout, 0.1).
        pretrained_pooler: classify through the encoder's pretrained pooler (MAG-BERT reuses
            BERT's); False, or an encoder without one (XLNet), gets a freshly initialised one.
        partner_bias: each of W_v, W_a has its own bias inside the gated sum (MAG-BERT's code);
            False is Eq. 6's single bias b_H outside it.
    """

    model_name = "mag"

    shift_layer: int | None = None
    beta_shift: float = 0.5
    shift_dropout: float = 0.1
    head_dropout: float = 0.1
    pretrained_pooler: bool = True
    partner_bias: bool = True


class MagModel(SentimentModel):
    """MAG-BERT / MAG-XLNet (see the module docstring)."""

    def __init__(self, config: MagConfig, *, load_pretrained: bool = True) -> None:
        super().__init__(config)
        self.backbone = load_split_backbone(config.encoder, load_pretrained=load_pretrained,
                                            keep_pooler=config.pretrained_pooler)
        self.uses_encoder_pooler = getattr(self.backbone.encoder, "pooler", None) is not None
        self.shift_layer = (DEFAULT_INJECTION_LAYER[self.backbone.family] if config.shift_layer is None
                            else config.shift_layer)
        self.backbone.check_layer(self.shift_layer)
        width = self.backbone.hidden_size
        self.partners = [m for m in ("visual", "acoustic") if m in config.modalities]
        self.gate = MultimodalShiftingGate(width, [config.stream_width(m) for m in self.partners],
                                           gate="vector", threshold=config.beta_shift,
                                           learnable_threshold=False,
                                           layer_norm=True, dropout=config.shift_dropout,
                                           partner_bias=config.partner_bias)
        self.head = RegressionHead(width, pooler=not self.uses_encoder_pooler, dropout=config.head_dropout)

    def required_inputs(self) -> tuple[str, ...]:
        return (*super().required_inputs(), "cls_index")

    def forward(self, inputs: ModelInputs) -> RegressionOutput:
        text, shift = encode_text_with_shift(self.backbone, self.gate, self.shift_layer,
                                             [inputs.stream(m) for m in self.partners], inputs.input_ids,
                                             inputs.attention_mask, inputs.token_type_ids)
        pooled = pool(text, inputs.attention_mask, inputs.cls_index, "cls")
        if self.uses_encoder_pooler:  # BERT's pooler reads position 0, which is cls_index for BERT
            pooler = self.backbone.encoder.pooler
            pooled = pooler.activation(pooler.dense(pooled))
        prediction = self.head(pooled)
        extras = {"shift/text": shift.shift, "eta/text": shift.eta, "fused/text": text}
        return RegressionOutput(prediction=prediction, auxiliary_loss=prediction.new_zeros(()), extras=extras)
