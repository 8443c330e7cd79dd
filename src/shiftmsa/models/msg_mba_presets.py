"""Named msg-mba presets, one per row of the paper's ablations (Tables III-VI, Fig. 5).

Each preset is a dict of ``MsgMbaConfig`` overrides; the defaults are the full model.
"""

from __future__ import annotations

XLNET_ENCODER = "xlnet-base-cased"
FIG5_MAX_LAYER = 12  # BERT-base / XLNet-base depth; a preset deeper than the encoder is refused at build

NO_GATES = {"msg_text": False, "msg_acoustic": False, "msg_visual": False, "mba": False,
            "shifting_huber": False}
TEXT_ONLY = {"modalities": ("text",), **NO_GATES}

TABLE3 = {
    "no_modules": (TEXT_ONLY, "no proposed modules: the fine-tuned encoder, [CLS] -> Linear"),
    "msg_t": ({**NO_GATES, "msg_text": True}, "only MSG-T; F_a and F_v enter M* unshifted"),
    "msg_t_a": ({**NO_GATES, "msg_text": True, "msg_acoustic": True}, "MSG-T and MSG-A"),
    "msg_t_v": ({**NO_GATES, "msg_text": True, "msg_visual": True}, "MSG-T and MSG-V"),
    "msg_t_a_v": ({**NO_GATES, "msg_text": True, "msg_acoustic": True, "msg_visual": True},
                  "MSG-T, MSG-A and MSG-V, no MBA"),
    "mba": ({"shifting_huber": False}, "+MBA: all gates and both MBAs, no Shifting HuberLoss"),
    "full": ({}, "+Shifting HuberLoss: the full model"),
}

NON_TEXT_ONLY = {**NO_GATES, "pooling": "mean"}
TABLE4 = {
    "a": ({**NON_TEXT_ONLY, "modalities": ("acoustic",)}, "only A: RNN(A), mean-pooled"),
    "v": ({**NON_TEXT_ONLY, "modalities": ("visual",)}, "only V: RNN(V), mean-pooled"),
    "t": (TEXT_ONLY, "only T: the fine-tuned encoder"),
    "a_v": ({**NON_TEXT_ONLY, "modalities": ("acoustic", "visual"), "msg_acoustic": True, "msg_visual": True,
             "shifting_huber": True}, "A+V: MSG-A and MSG-V shift each other, mean-pooled"),
    "t_a": ({"modalities": ("text", "acoustic"), "msg_visual": False}, "T+A: MSG-T, MBA(M_t*, F_a), MSG-A"),
    "t_v": ({"modalities": ("text", "visual"), "msg_acoustic": False}, "T+V: MSG-T, MBA(M_t*, F_v), MSG-V"),
    "all": ({}, "T+A+V: the full model"),
}

TABLE6 = {kind: ({"rnn": kind}, f"full model with {kind} for F_a, F_v (Eq. 1-2)")
          for kind in ("slstm", "blstm", "sgru", "bgru")}


def table_presets(table: str, rows: dict, extra: dict | None = None,
                  note: str = "") -> dict[str, tuple[dict, str]]:
    return {f"{table}.{row}": ({**overrides, **(extra or {})}, description + note)
            for row, (overrides, description) in rows.items()}


PRESETS_WITH_DESCRIPTIONS: dict[str, tuple[dict, str]] = {
    **table_presets("table3", TABLE3),
    **table_presets("table4", TABLE4),
    **table_presets("table5", TABLE4, {"encoder": XLNET_ENCODER}, " (XLNet encoder)"),
    **table_presets("table6", TABLE6),
    **{f"fig5.layer{layer}": ({"shift_layer": layer}, f"full model, MSG-T after layer {layer}")
       for layer in range(FIG5_MAX_LAYER + 1)},
}

PRESETS = {name: overrides for name, (overrides, _) in PRESETS_WITH_DESCRIPTIONS.items()}
PRESET_DESCRIPTIONS = {name: description for name, (_, description) in PRESETS_WITH_DESCRIPTIONS.items()}
