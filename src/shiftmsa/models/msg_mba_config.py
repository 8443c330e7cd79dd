"""The msg-mba configuration: every ablation of the paper is a value of these fields.

Every default is stated here, once; docs/model.md says which paper ambiguity each one resolves.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiftmsa.defaults import DEFAULT_MAX_LENGTH
from shiftmsa.models.base import MultimodalConfig
from shiftmsa.models.modalities import MODALITIES, NON_TEXT, other_non_text
from shiftmsa.modules.msg import GATE_SHAPES
from shiftmsa.modules.pooling import POOLINGS
from shiftmsa.modules.rnn import RNN_KINDS

RNN_SUMMARIES = ("end_state", "per_step")


@dataclass
class MsgMbaConfig(MultimodalConfig):
    """The paper's model (Fig. 2); the defaults are the full model (Table III, last row).

    Args:
        encoder: text encoder name or folder (``minilm``, ``bert-base-uncased``,
            ``xlnet-base-cased``, a local folder).
        modalities: the modalities the model has (Table IV); a dropped one has no parameters.
        acoustic_dim / visual_dim: input widths d_a, d_v (74 / 47 on MOSI).
        shift_layer: i of Eq. 3, the layer after which MSG-T shifts F_t (0 = after the
            embeddings; Fig. 5 sweeps it).
        msg_text / msg_acoustic / msg_visual: whether MSG-T / MSG-A / MSG-V exist (Table III);
            a gate whose modality or partners are all absent is not built.
        mba: whether the Masked Bimodal Adjustments exist (Table III "+MBA"); an MBA is built
            only where text, its modality and a gate that reads it exist.
        shifting_huber: whether the Shifting HuberLoss is added (Table III "+Shifting HuberLoss");
            0 when no gate exists.
        huber_text_weight / huber_acoustic_weight / huber_visual_weight: alpha, beta, gamma of
            Eq. 20.
        huber_delta: delta of Eq. 19.
        gate: ``scalar`` (literal Eq. 4-5) or ``vector`` (MAG-style) gates.
        shift_threshold: initial mu of Eq. 8.
        learnable_threshold: mu is trained (True, the paper) or fixed.
        gate_bias_init: initial gate bias b_g (1.0 starts the ReLU gates open; with PyTorch's
            default init, None, a scalar gate is dead for every token in about one seed of three).
        layer_norm_after_shift: LayerNorm after each shift (MAG has one; the paper is silent).
        shift_dropout: dropout on each shifted representation.
        rnn: RNN variant of Eq. 1-2 (Table VI): slstm (the variant Section III-B derives with and
            the best row of Table VI), blstm, sgru, bgru.
        acoustic_hidden / visual_hidden: RNN hidden size per direction; None = the input width
            d_m, as Section III-B gives F_m in R^(N_m x d_m) (2 d_m for a bidirectional RNN).
        rnn_summary: what the [CLS] row of F_a / F_v holds (Section III-B: "end-state" vs an
            N_m x d_m sequence): ``end_state`` (the RNN's state after the whole utterance; word
            rows keep their per-step outputs) or ``per_step`` (the output at the [CLS] step, which
            for a forward RNN at BERT's position 0 is the same for every utterance).
        mba_dim: common width d of Eq. 9-10.
        mba_text_kernel / mba_other_kernel: Conv1D kernels k_t, k_m (odd).
        max_length: token length L that W_pt / W_pm (Eq. 13-14) are sized for.
        fusion_dim: width of M_f* (None = the width of the first modality's representation,
            the encoder width when text is used).
        pooling: ``cls`` (Fig. 2: the [CLS] position) or ``mean`` over real tokens.
        head_dropout: dropout before the output Linear.
        start_from_text: not in the paper, off by default. Initialise so that the untrained model
            computes exactly its text path: MSG-T's projections W_a, W_v (Eq. 6) and the fusion
            weights on M_a*, M_v* start at zero, so h_s^t = b_h = 0 and the non-text rows add
            nothing until training moves them (the "zero-initialised branch" of ReZero /
            ControlNet). Every equation is unchanged; only the starting point is.
    """

    model_name = "msg-mba"

    shift_layer: int = 2
    msg_text: bool = True
    msg_acoustic: bool = True
    msg_visual: bool = True
    mba: bool = True
    shifting_huber: bool = True
    huber_text_weight: float = 0.1
    huber_acoustic_weight: float = 0.1
    huber_visual_weight: float = 0.1
    huber_delta: float = 1.0
    gate: str = "scalar"
    shift_threshold: float = 1.0
    learnable_threshold: bool = True
    gate_bias_init: float | None = 1.0
    layer_norm_after_shift: bool = False
    shift_dropout: float = 0.1
    rnn: str = "slstm"
    acoustic_hidden: int | None = None
    visual_hidden: int | None = None
    rnn_summary: str = "end_state"
    mba_dim: int = 40
    mba_text_kernel: int = 1
    mba_other_kernel: int = 1
    max_length: int = DEFAULT_MAX_LENGTH
    fusion_dim: int | None = None
    pooling: str = "cls"
    head_dropout: float = 0.1
    start_from_text: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, value, allowed in (("gate", self.gate, GATE_SHAPES), ("rnn", self.rnn, tuple(RNN_KINDS)),
                                     ("rnn_summary", self.rnn_summary, RNN_SUMMARIES),
                                     ("pooling", self.pooling, POOLINGS)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")

    def rnn_hidden(self, modality: str) -> int:
        """Hidden size per direction of RNN(X_m): the configured one, else the input width d_m."""
        hidden = getattr(self, f"{modality}_hidden")
        return hidden if hidden is not None else getattr(self, f"{modality}_dim")

    def shifted_modalities(self) -> tuple[str, ...]:
        """The modalities that get a shifting gate (MSG-T / MSG-A / MSG-V): its flag is on, the
        modality is used and at least one partner modality is used. The flags say which modules
        to use where their modalities exist, so narrowing ``modalities`` to a corpus' streams
        needs no other change."""
        return tuple(m for m in MODALITIES
                     if getattr(self, f"msg_{m}") and m in self.modalities and self.gate_partners(m))

    def text_partner(self, modality: str) -> str:
        """Which text representation MSG-A / MSG-V take as partner (Fig. 2).

        With MBA: the text adjusted by the *other* non-text modality (MSG-A takes M_tv*, MSG-V
        takes M_ta*); when that modality is dropped, the text adjusted by the shifted modality
        itself. Without MBA (Table III rows before "+MBA"): M_t* itself.
        """
        if not self.mba:
            return "text"
        other = other_non_text(modality)
        return f"adjusted/{other if other in self.modalities else modality}"

    def gate_partners(self, modality: str) -> tuple[str, ...]:
        """Names of the partner representations of one gate, in order.

        ``text`` is M_t*, ``acoustic`` / ``visual`` are the RNN features F_a / F_v, and
        ``adjusted/<m>`` is MBA(M_t*, F_m).
        """
        if modality == "text":
            return tuple(m for m in NON_TEXT if m in self.modalities)
        text = (self.text_partner(modality),) if "text" in self.modalities else ()
        other = other_non_text(modality)
        return text + ((other,) if other in self.modalities else ())

    def adjusted_modalities(self) -> tuple[str, ...]:
        """The m of every MBA(M_t*, F_m) some gate consumes; only those are built."""
        wanted = {p.split("/")[1] for m in self.shifted_modalities() for p in self.gate_partners(m)
                  if p.startswith("adjusted/")}
        return tuple(m for m in NON_TEXT if m in wanted)
