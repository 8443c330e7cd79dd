"""Named msg-mba presets, one per row of the paper's ablations (Tables III-VI, Fig. 5).

Each preset is a dict of ``MsgMbaConfig`` overrides; the defaults are the full model.

"No proposed modules" (Table III and V, first row) is the framework without MSG, MBA and the
Shifting HuberLoss: M_t from the unshifted encoder, F_a and F_v from the RNNs, concatenated per
token, the fully connected fusion and the [CLS] regression (Fig. 2 with its modules removed). It
is not Table IV's "only T" (different numbers in the paper: 82.5 vs 84.3 Acc2 on MOSI).
"""

from __future__ import annotations

XLNET_ENCODER = "xlnet-base-cased"
FIG5_MAX_LAYER = 12  # BERT-base / XLNet-base depth; a preset deeper than the encoder is refused at build

NO_GATES = {"msg_text": False, "msg_acoustic": False, "msg_visual": False, "mba": False,
            "shifting_huber": False}
TEXT_ONLY = {"modalities": ("text",), **NO_GATES}

TABLE3 = {
    "no_modules": (NO_GATES, "no proposed modules: M_t, RNN(A), RNN(V) concatenated -> Linear -> [CLS] -> Linear"),
    "msg_t": ({**NO_GATES, "msg_text": True}, "only MSG-T; F_a and F_v enter M* unshifted"),
    "msg_t_a": ({**NO_GATES, "msg_text": True, "msg_acoustic": True}, "MSG-T and MSG-A"),
    "msg_t_v": ({**NO_GATES, "msg_text": True, "msg_visual": True}, "MSG-T and MSG-V"),
    "msg_t_a_v": ({**NO_GATES, "msg_text": True, "msg_acoustic": True, "msg_visual": True},
                  "MSG-T, MSG-A and MSG-V, no MBA"),
    "mba": ({"shifting_huber": False}, "+MBA: all gates and both MBAs, no Shifting HuberLoss"),
    "full": ({}, "+Shifting HuberLoss: the full model"),
}

TABLE4 = {
    "a": ({**NO_GATES, "modalities": ("acoustic",)}, "only A: RNN(A) end state -> Linear"),
    "v": ({**NO_GATES, "modalities": ("visual",)}, "only V: RNN(V) end state -> Linear"),
    "t": (TEXT_ONLY, "only T: the fine-tuned encoder"),
    "a_v": ({**NO_GATES, "modalities": ("acoustic", "visual"), "msg_acoustic": True, "msg_visual": True,
             "shifting_huber": True}, "A+V: MSG-A and MSG-V shift each other"),
    "t_a": ({"modalities": ("text", "acoustic"), "msg_visual": False}, "T+A: MSG-T, MBA(M_t*, F_a), MSG-A"),
    "t_v": ({"modalities": ("text", "visual"), "msg_acoustic": False}, "T+V: MSG-T, MBA(M_t*, F_v), MSG-V"),
    "all": ({}, "T+A+V: the full model"),
}

TABLE5 = {row: TABLE3[row] for row in ("no_modules", "msg_t_a_v", "mba", "full")}

TABLE6 = {kind: ({"rnn": kind}, f"full model with {kind} for F_a, F_v (Eq. 1-2)")
          for kind in ("slstm", "blstm", "sgru", "bgru")}


def table_presets(table: str, rows: dict, extra: dict | None = None,
                  note: str = "") -> dict[str, tuple[dict, str]]:
    return {f"{table}.{row}": ({**overrides, **(extra or {})}, description + note)
            for row, (overrides, description) in rows.items()}


PRESETS_WITH_DESCRIPTIONS: dict[str, tuple[dict, str]] = {
    **table_presets("table3", TABLE3),
    **table_presets("table4", TABLE4),
    **table_presets("table5", TABLE5, {"encoder": XLNET_ENCODER}, " (XLNet encoder)"),
    **table_presets("table6", TABLE6),
    **{f"fig5.layer{layer}": ({"shift_layer": layer}, f"full model, MSG-T after layer {layer}")
       for layer in range(FIG5_MAX_LAYER + 1)},
}

PRESETS = {name: overrides for name, (overrides, _) in PRESETS_WITH_DESCRIPTIONS.items()}
PRESET_DESCRIPTIONS = {name: description for name, (_, description) in PRESETS_WITH_DESCRIPTIONS.items()}
