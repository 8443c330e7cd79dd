"""The msg-mba configuration: every ablation of the paper is a value of these fields.

Every default is stated here, once; docs/model.md says which paper ambiguity each one resolves.
"""

from __future__ import annotations

from dataclasses import dataclass

from shiftmsa.config import later_field
from shiftmsa.defaults import DEFAULT_MAX_LENGTH
from shiftmsa.models.base import MultimodalConfig
from shiftmsa.models.modalities import MODALITIES, NON_TEXT, other_non_text
from shiftmsa.modules.mba import MBA_BIASES
from shiftmsa.modules.msg import DROPOUT_PLACEMENTS, ETA_SCOPES, GATE_BIASES, GATE_SHAPES
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
        gate: shape of g_a, g_v (Eq. 4-5). ``vector`` (default): Section III-C1 names them
            "gating vectors" produced by "weight matrices" W_ga, W_gv, one weight per hidden unit
            as in MAG, whose design the paper follows. ``scalar``: one number per token, the
            other reading Section III-C1 leaves open by calling b_ga, b_gv "scalar biases".
        gate_bias: b_ga, b_gv (Eq. 4-5). ``scalar`` (default, Section III-C1's "scalar biases":
            one number per gate, shared by its d entries) or ``per_unit`` (one per entry, MAG's
            ``nn.Linear``; the code before this field existed). The same for a scalar gate.
        shift_threshold: initial mu of Eq. 8. Section III-C1 says it is "determined by
            cross-validation" without giving the value, so it is in msg-mba's search space
            (experiments/search/spaces/msg-mba.yaml); 1.0 is MAG's beta_shift.
        learnable_threshold: mu is trained (True, Section III-C1) or fixed.
        eta_scope: where Eq. 8 takes its norms. ``token`` (default): each token's vector, as the
            text around Eq. 8 speaks of "vectors" F_t and h_s (MAG's way). ``utterance``: the
            norms of the whole utterance's F and h_s over its real tokens, one eta per sample, as
            Section IV-G4 calls eta "a monitor at the sample-level".
        gate_bias_init: initial gate bias b_g (not in the paper; 1.0 starts the ReLU gates open;
            with PyTorch's default init, None, a scalar gate is dead for every token in about one
            seed of three).
        layer_norm_after_shift: LayerNorm after each shift. Off by default: Section III-C1
            (Eq. 7) has none; MAG has one after its shift.
        shift_dropout: dropout in each MSG. 0 by default: Section III-C1 names no dropout.
        shift_dropout_placement: where ``shift_dropout`` acts, which the paper (naming none)
            leaves open: ``shifted`` drops elements of the whole F* (so MSG-T also drops the text
            state inside the encoder, even where the shift is zero; the code before this field
            existed) or ``shift`` drops elements of eta h_s only.
        rnn: RNN variant of Eq. 1-2 (Table VI): slstm (the variant Section III-B derives with and
            the best row of Table VI), blstm, sgru, bgru.
        acoustic_hidden / visual_hidden: RNN hidden size per direction; None = the input width
            d_m, as Section III-B gives F_m in R^(N_m x d_m) (2 d_m for a bidirectional RNN).
        rnn_summary: what the [CLS] row of F_a / F_v holds (Section III-B: "end-state" vs an
            N_m x d_m sequence): ``end_state`` (the RNN's state after the whole utterance; word
            rows keep their per-step outputs) or ``per_step`` (the output at the [CLS] step, which
            for a forward RNN at BERT's position 0 is the same for every utterance).
        mba_dim: common width d of Eq. 9-10.
        mba_bias: b_pt, b_pm of Eq. 13-14. ``scalar`` (default, Section III-C2's "scalar
            biases") or ``per_key`` (one per key position of the L x L matrix, ``nn.Linear``'s bias;
            the code before this field existed).
        mba_text_kernel / mba_other_kernel: Conv1D kernels k_t, k_m (odd).
        max_length: token length L that W_pt / W_pm (Eq. 13-14) are sized for.
        fusion_dim: width of M_f* (None = the width of the first modality's representation,
            the encoder width when text is used).
        pooling: ``cls`` (Fig. 2: the [CLS] position) or ``mean`` over real tokens.
        fuse_unshifted: whether a non-text modality without its gate still enters M* unshifted
            (True, default: F_a / F_v) or, where at least one gate exists, is left out of M*
            (False). Section IV-F3 says the Table III rows "use MSG on different modalities and
            combine the outputs in various ways", which can mean that only the shifted outputs
            are concatenated; Fig. 2 always concatenates three. "No proposed modules" keeps all
            streams either way (its paper numbers differ from "only T").
        head_dropout: dropout before the output Linear; 0 by default, as Fig. 2 and Section
            III-C3 have a plain linear regression layer.
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
    gate: str = "vector"
    gate_bias: str = later_field(default="scalar", neutral="per_unit")
    shift_threshold: float = 1.0
    learnable_threshold: bool = True
    eta_scope: str = later_field(default="token", neutral="token")
    gate_bias_init: float | None = 1.0
    layer_norm_after_shift: bool = False
    shift_dropout: float = 0.0
    shift_dropout_placement: str = later_field(default="shifted", neutral="shifted")
    rnn: str = "slstm"
    acoustic_hidden: int | None = None
    visual_hidden: int | None = None
    rnn_summary: str = "end_state"
    mba_dim: int = 40
    mba_text_kernel: int = 1
    mba_other_kernel: int = 1
    mba_bias: str = later_field(default="scalar", neutral="per_key")
    max_length: int = DEFAULT_MAX_LENGTH
    fusion_dim: int | None = None
    pooling: str = "cls"
    fuse_unshifted: bool = later_field(default=True, neutral=True)
    head_dropout: float = 0.0
    start_from_text: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, value, allowed in (("gate", self.gate, GATE_SHAPES), ("gate_bias", self.gate_bias, GATE_BIASES),
                                     ("eta_scope", self.eta_scope, ETA_SCOPES),
                                     ("shift_dropout_placement", self.shift_dropout_placement,
                                      DROPOUT_PLACEMENTS),
                                     ("mba_bias", self.mba_bias, MBA_BIASES), ("rnn", self.rnn, tuple(RNN_KINDS)),
                                     ("rnn_summary", self.rnn_summary, RNN_SUMMARIES),
                                     ("pooling", self.pooling, POOLINGS)):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")

    def effective_settings(self) -> dict:
        """The fields, with the module switches replaced by the modules they build on these
        streams (gates and their partners, MBAs, what enters M*, the Huber terms), so that
        "MSG-T&A&V" and "MSG-T&A" on a corpus without visual are one model."""
        values = super().effective_settings()
        shifted = self.shifted_modalities()
        huber = self.shifting_huber and bool(shifted)
        for modality in MODALITIES:
            values.pop(f"msg_{modality}")
            if not (huber and modality in shifted):
                values.pop(f"huber_{modality}_weight")
            if modality != "text" and modality not in self.modalities:
                values.pop(f"{modality}_hidden")
        if not huber:
            values.pop("huber_delta")
        values.pop("mba")
        values.update(shifting_huber=huber, gates={m: self.gate_partners(m) for m in shifted},
                      mbas=self.adjusted_modalities(), fused=self.fused_modalities())
        return values

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

    def fused_modalities(self) -> tuple[str, ...]:
        """The modalities whose representation enters M* (Fig. 2), in M*'s order: every used one,
        less the non-text ones without a gate when ``fuse_unshifted`` is off and a gate exists."""
        used = tuple(m for m in MODALITIES if m in self.modalities)
        shifted = self.shifted_modalities()
        if self.fuse_unshifted or not shifted:
            return used
        return tuple(m for m in used if m == "text" or m in shifted)

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
