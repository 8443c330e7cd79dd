"""misa: Modality-Invariant and -Specific Representations (Hazarika, Zimmermann & Poria, ACM MM 2020).

``MisaModel.forward`` runs, per utterance:

1. utterance vectors: the text encoder's last layer averaged over real tokens; for acoustic and
   visual, two bidirectional LSTM (or GRU) layers with a LayerNorm between them, the final
   states of both layers concatenated (``modules/utterance_rnn.py``);
2. ``projections``: Linear -> ReLU -> LayerNorm of each vector to a common width d: u_m;
3. ``private`` (one per modality) and ``shared`` (one for all): Linear -> sigmoid of u_m, the
   specific h_p^m and the invariant h_c^m;
4. ``reconstructions``: Linear(h_p^m + h_c^m) ~ u_m;
5. ``fusion_attention``: one Transformer encoder layer over the 2M vectors [h_p^...; h_c^...]
   (2 heads), its outputs concatenated -> ``fusion``: Linear(2Md, Md) -> dropout -> ReLU ->
   Linear(Md, 1) -> y_hat.

Training minimises MSE + alpha CMD-similarity + beta difference + gamma reconstruction
(``modules/subspace_losses.py``; the weighted sum is ``auxiliary_loss``); the validation
objective, which picks the best epoch, is the MSE alone, as in the authors' code. The defaults
are the authors' released MOSI settings (declare-lab/MISA); preset ``mmsa`` has MMSA's tuned
MOSI values. The adversarial similarity and the shared/private discriminator of the authors'
code are left out: the paper's model uses CMD, and neither enters its loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from shiftmsa.models.base import ModelInputs, MultimodalConfig, SentimentModel, mean_squared_error
from shiftmsa.models.modalities import NON_TEXT
from shiftmsa.models.output import RegressionOutput, TrainingStep
from shiftmsa.modules.pooling import pool
from shiftmsa.modules.subspace_losses import DIFFERENCE_FORMS, subspace_losses
from shiftmsa.modules.utterance_rnn import UtteranceRNN
from shiftmsa.text.backbone import load_split_backbone

RNN_CELLS = {"lstm": "blstm", "gru": "bgru"}
# MMSA's config_regression.json, misa / mosi (the fusion dropout and the three loss weights).
MISA_MMSA_MOSI = {"dropout": 0.2, "similarity_weight": 0.3, "difference_weight": 0.1, "reconstruction_weight": 1.0}


@dataclass
class MisaConfig(MultimodalConfig):
    """Args:
        encoder: text encoder name or folder.
        modalities: text and at least one of acoustic / visual.
        acoustic_dim / visual_dim: input widths; each RNN's hidden size equals its input width
            (the authors' choice).
        hidden_size: d, the common width of u_m, h_p^m, h_c^m (128).
        rnn: ``lstm`` or ``gru`` (the authors' ``rnncell``), bidirectional, two layers.
        dropout: dropout inside the fusion MLP (0.5 in the authors' code, 0.2 in MMSA).
        fusion_heads / fusion_feedforward / fusion_dropout: the Transformer layer over the 2M
            vectors (2 heads; 2048 and 0.1 are PyTorch's defaults, which the authors keep).
        similarity_weight / difference_weight / reconstruction_weight: alpha, beta, gamma of
            L = L_task + alpha L_sim + beta L_diff + gamma L_recon (authors' code: 1.0, 0.3, 1.0).
        cmd_moments: K of the CMD similarity (5).
        difference_form: ``normalised`` (the authors' code) or ``frobenius`` (the paper's
            formula as printed); see ``soft_orthogonality``.
    """

    model_name = "misa"
    text_with_partner = True

    hidden_size: int = 128
    rnn: str = "lstm"
    dropout: float = 0.5
    fusion_heads: int = 2
    fusion_feedforward: int = 2048
    fusion_dropout: float = 0.1
    similarity_weight: float = 1.0
    difference_weight: float = 0.3
    reconstruction_weight: float = 1.0
    cmd_moments: int = 5
    difference_form: str = "normalised"

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, value, allowed in (("rnn", self.rnn, tuple(RNN_CELLS)),
                                     ("difference_form", self.difference_form, DIFFERENCE_FORMS)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
        if self.hidden_size % self.fusion_heads:
            raise ValueError(f"hidden_size ({self.hidden_size}) must be divisible by fusion_heads "
                             f"({self.fusion_heads})")


def dense(input_dim: int, output_dim: int, *layers: nn.Module) -> nn.Sequential:
    """Linear(input_dim, output_dim) followed by ``layers``."""
    return nn.Sequential(nn.Linear(input_dim, output_dim), *layers)


class MisaModel(SentimentModel):
    """MISA (see the module docstring)."""

    def __init__(self, config: MisaConfig, *, load_pretrained: bool = True) -> None:
        super().__init__(config)
        self.used = list(config.used_modalities())
        self.backbone = load_split_backbone(config.encoder, load_pretrained=load_pretrained)
        self.rnns = nn.ModuleDict({
            m: UtteranceRNN(getattr(config, f"{m}_dim"), getattr(config, f"{m}_dim"), RNN_CELLS[config.rnn],
                            num_layers=2, layer_norm=True)
            for m in NON_TEXT if m in config.modalities})
        widths = {"text": self.backbone.hidden_size, **{m: rnn.output_dim for m, rnn in self.rnns.items()}}
        size = config.hidden_size
        self.projections = nn.ModuleDict({m: dense(widths[m], size, nn.ReLU(), nn.LayerNorm(size))
                                          for m in self.used})
        self.private = nn.ModuleDict({m: dense(size, size, nn.Sigmoid()) for m in self.used})
        self.shared = dense(size, size, nn.Sigmoid())
        self.reconstructions = nn.ModuleDict({m: nn.Linear(size, size) for m in self.used})
        layer = nn.TransformerEncoderLayer(size, config.fusion_heads, config.fusion_feedforward,
                                           config.fusion_dropout, batch_first=True)
        self.fusion_attention = nn.TransformerEncoder(layer, num_layers=1, enable_nested_tensor=False)
        count = len(self.used)
        self.fusion = nn.Sequential(nn.Linear(2 * count * size, count * size), nn.Dropout(config.dropout),
                                    nn.ReLU(), nn.Linear(count * size, 1))

    def forward(self, inputs: ModelInputs) -> RegressionOutput:
        attention_mask = inputs.attention_mask
        text = self.backbone(inputs.input_ids, attention_mask, inputs.token_type_ids)
        vectors = {"text": pool(text, attention_mask, inputs.cls_index, "mean"),
                   **{m: rnn(inputs.stream(m), attention_mask) for m, rnn in self.rnns.items()}}
        projected = {m: self.projections[m](vectors[m]) for m in self.used}
        private = {m: self.private[m](projected[m]) for m in self.used}
        shared = {m: self.shared(projected[m]) for m in self.used}
        reconstructed = {m: self.reconstructions[m](private[m] + shared[m]) for m in self.used}
        subspaces = torch.stack([private[m] for m in self.used] + [shared[m] for m in self.used], dim=1)
        prediction = self.fusion(self.fusion_attention(subspaces).flatten(1)).squeeze(-1)
        losses = subspace_losses(shared, private, projected, reconstructed, moments=self.config.cmd_moments,
                                 difference_form=self.config.difference_form)
        config = self.config
        auxiliary = (config.similarity_weight * losses["similarity"] + config.difference_weight * losses["difference"]
                     + config.reconstruction_weight * losses["reconstruction"])
        extras = {**{f"private/{m}": private[m] for m in self.used}, **{f"shared/{m}": shared[m] for m in self.used},
                  **{f"loss/{name}": value for name, value in losses.items()}}
        return RegressionOutput(prediction=prediction, auxiliary_loss=auxiliary, extras=extras)

    def objective(self, output: RegressionOutput, labels: torch.Tensor, step: TrainingStep | None) -> torch.Tensor:
        """Training: the default, MSE + the weighted subspace losses; evaluation: the MSE alone
        (the authors' validation loss, which selects the best epoch)."""
        return super().objective(output, labels, step) if step is not None else mean_squared_error(output, labels)
