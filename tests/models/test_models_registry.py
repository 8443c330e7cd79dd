"""The registry API others call: make_config / build_model / available_models."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from torch import nn

from shiftmsa.models import available_models, build_model, make_config, register_model
from shiftmsa.models.msg_mba_config import MsgMbaConfig


def test_the_three_models_are_registered_with_their_presets():
    specs = {spec.name: spec for spec in available_models()}
    assert {"msg-mba", "text-only", "mag"} <= set(specs)
    presets = specs["msg-mba"].presets
    for row in ("no_modules", "msg_t", "msg_t_a", "msg_t_v", "msg_t_a_v", "mba", "full"):
        assert f"table3.{row}" in presets
    for row in ("a", "v", "t", "a_v", "t_a", "t_v", "all"):
        assert f"table4.{row}" in presets
    # Table V is the component ablation of Table III on XLNet (its four rows), not Table IV's
    assert sorted(p for p in presets if p.startswith("table5.")) == [
        "table5.full", "table5.mba", "table5.msg_t_a_v", "table5.no_modules"]
    for row in ("no_modules", "msg_t_a_v", "mba", "full"):
        assert presets[f"table5.{row}"] == {**presets[f"table3.{row}"], "encoder": "xlnet-base-cased"}
    assert {f"table6.{k}" for k in ("slstm", "blstm", "sgru", "bgru")} <= set(presets)
    assert {f"fig5.layer{i}" for i in range(7)} <= set(presets)
    assert set(specs["msg-mba"].preset_descriptions) == set(presets)


def test_table3_rows_are_the_papers_components():
    """Table III: "no proposed modules" keeps all three modalities (RNN features, concatenation,
    fusion) without MSG, MBA or the Shifting HuberLoss; it is not Table IV's "only T"."""
    def config(preset):
        return make_config("msg-mba", preset, acoustic_dim=74, visual_dim=47)

    no_modules = config("table3.no_modules")
    assert no_modules.modalities == ("text", "acoustic", "visual")
    assert no_modules.shifted_modalities() == () and no_modules.adjusted_modalities() == ()
    assert not no_modules.shifting_huber
    assert config("table4.t").modalities == ("text",)
    assert config("table3.msg_t").shifted_modalities() == ("text",)
    assert config("table3.msg_t_a").shifted_modalities() == ("text", "acoustic")
    assert config("table3.msg_t_v").shifted_modalities() == ("text", "visual")
    msg_t_a_v = config("table3.msg_t_a_v")
    assert msg_t_a_v.shifted_modalities() == ("text", "acoustic", "visual")
    assert msg_t_a_v.adjusted_modalities() == () and not msg_t_a_v.shifting_huber
    mba = config("table3.mba")
    assert mba.adjusted_modalities() == ("acoustic", "visual") and not mba.shifting_huber
    assert config("table3.full") == make_config("msg-mba", acoustic_dim=74, visual_dim=47)
    assert config("table3.full").shifting_huber


def test_default_config_is_the_full_model_and_round_trips_through_json():
    config = make_config("msg-mba", acoustic_dim=74, visual_dim=47)
    assert config.modalities == ("text", "acoustic", "visual")
    assert config.msg_text and config.msg_acoustic and config.msg_visual and config.mba and config.shifting_huber
    assert config.encoder == "minilm" and config.shift_layer == 2
    for name in ("msg-mba", "text-only", "mag", "tfn", "lmf", "mfn", "mult"):
        made = make_config(name, acoustic_dim=74, visual_dim=47)
        assert type(made)(**json.loads(json.dumps(asdict(made)))) == made


def test_unknown_override_names_the_field_and_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown config field\(s\) shift_layr .*valid fields: encoder, modalities"):
        make_config("msg-mba", overrides={"shift_layr": 3}, acoustic_dim=74, visual_dim=47)


def test_missing_dimension_of_a_used_modality_is_an_error_and_unused_is_not():
    with pytest.raises(ValueError, match="uses the visual modality but visual_dim is not set"):
        make_config("msg-mba", acoustic_dim=74)
    assert make_config("msg-mba", "table4.t_a", acoustic_dim=74).visual_dim is None
    assert make_config("text-only").modalities == ("text",)


def test_unknown_model_preset_and_inconsistent_flags_are_refused():
    with pytest.raises(ValueError, match="registered models: msg-mba"):
        make_config("msg-bert")
    with pytest.raises(ValueError, match="presets: table3.no_modules"):
        make_config("msg-mba", "table9.row1")
    with pytest.raises(ValueError, match="modalities must be distinct names"):
        MsgMbaConfig(modalities=("text", "audio"))
    with pytest.raises(ValueError, match="rnn must be one of"):
        MsgMbaConfig(rnn="lstm")


def test_build_model_checks_the_config_class_and_registration_is_once():
    with pytest.raises(ValueError, match="takes a MagConfig"):
        build_model("mag", MsgMbaConfig())
    with pytest.raises(ValueError, match="already registered"):
        register_model("msg-mba", MsgMbaConfig, lambda c, **_: nn.Identity(), {}, "again")


def test_narrowing_modalities_drops_the_modules_that_need_the_missing_ones():
    text_visual = MsgMbaConfig(modalities=("text", "visual"))
    assert text_visual.shifted_modalities() == ("text", "visual")
    assert text_visual.adjusted_modalities() == ("visual",)
    text = MsgMbaConfig(modalities=("text",))
    assert text.shifted_modalities() == () and text.adjusted_modalities() == ()
    assert MsgMbaConfig(modalities=("acoustic",)).shifted_modalities() == ()


def test_ablation_partners_follow_fig2():
    full = MsgMbaConfig()
    assert full.gate_partners("text") == ("acoustic", "visual")
    assert full.gate_partners("acoustic") == ("adjusted/visual", "visual")
    assert full.gate_partners("visual") == ("adjusted/acoustic", "acoustic")
    no_mba = MsgMbaConfig(mba=False)
    assert no_mba.gate_partners("acoustic") == ("text", "visual")
    text_acoustic = MsgMbaConfig(modalities=("text", "acoustic"), msg_visual=False)
    assert text_acoustic.gate_partners("acoustic") == ("adjusted/acoustic",)
    assert text_acoustic.adjusted_modalities() == ("acoustic",)
