"""What the assembled models do with their inputs: absent modalities, [CLS], losses, extras."""

from __future__ import annotations

import pytest
import torch

from shiftmsa.models import build_model, make_config


@pytest.fixture(scope="module")
def full_model(tiny_encoders, feature_dims):
    torch.manual_seed(0)
    config = make_config("msg-mba", overrides={"encoder": tiny_encoders["bert"]}, **feature_dims)
    return build_model("msg-mba", config).eval()


def test_a_dropped_modality_has_no_parameters(tiny_encoders, feature_dims):
    text_acoustic = build_model("msg-mba", make_config("msg-mba", "table4.t_a", {"encoder": tiny_encoders["bert"]},
                                                       **feature_dims))
    names = [n for n, _ in text_acoustic.named_parameters()]
    assert not [n for n in names if "visual" in n]
    assert any(n.startswith("rnns.acoustic") for n in names)
    narrowed = build_model("msg-mba", make_config("msg-mba", overrides={"encoder": tiny_encoders["bert"],
                                                                        "modalities": ("text",)}))
    assert [n for n, _ in narrowed.named_parameters() if not n.startswith("backbone.")] == [
        "fusion.weight", "fusion.bias", "head.output.weight", "head.output.bias"]
    acoustic_only = build_model("msg-mba", make_config("msg-mba", "table4.a", **feature_dims))
    assert acoustic_only.backbone is None
    assert all(n.startswith(("rnns.acoustic", "fusion", "head")) for n, _ in acoustic_only.named_parameters())


def test_inputs_of_unused_modalities_are_ignored_and_missing_used_ones_are_named(tiny_encoders, feature_dims,
                                                                                batches):
    model = build_model("text-only", make_config("text-only", overrides={"encoder": tiny_encoders["bert"]})).eval()
    batch = batches["bert"]
    with torch.no_grad():
        with_streams = model(**batch).prediction
        without = model(**{**batch, "acoustic": None, "visual": None}).prediction
    torch.testing.assert_close(with_streams, without)
    full = build_model("msg-mba", make_config("msg-mba", overrides={"encoder": tiny_encoders["bert"]}, **feature_dims))
    with pytest.raises(ValueError, match="uses the visual modality but got visual=None"):
        full(**{**batch, "visual": None})
    with pytest.raises(ValueError, match=r"acoustic must be \(batch, tokens, 5\)"):
        full(**{**batch, "acoustic": batch["acoustic"][..., :2]})


@pytest.mark.parametrize("family", ["bert", "xlnet"])
def test_prediction_reads_the_cls_position(family, tiny_encoders, feature_dims, batches):
    config = make_config("msg-mba", overrides={"encoder": tiny_encoders[family]}, **feature_dims)
    torch.manual_seed(0)
    model = build_model("msg-mba", config).eval()
    batch = batches[family]
    with torch.no_grad():
        output = model(**batch)
        cls_row = 0 if family == "bert" else batch["input_ids"].shape[1] - 1
        concatenated = torch.cat([output.extras[f"fused/{m}"] for m in ("text", "acoustic", "visual")], dim=-1)
        torch.testing.assert_close(output.prediction, model.head(model.fusion(concatenated[:, cls_row])))
        other_row = model.head(model.fusion(concatenated[:, 1]))
    assert not torch.allclose(output.prediction, other_row)


def test_huber_switch_and_extras(full_model, tiny_encoders, feature_dims, batches):
    with torch.no_grad():
        output = full_model(**batches["bert"])
    assert output.auxiliary_loss.item() > 0
    for key in ("shift/text", "eta/text", "shift/acoustic", "eta/visual", "p_att/acoustic", "x_att/visual",
                "fused/text", "fused/acoustic", "fused/visual", "fusion"):
        assert key in output.extras
    assert output.extras["x_att/visual"].shape == (3, 8, 8)
    mask = batches["bert"]["attention_mask"].bool()
    assert torch.all(output.extras["x_att/acoustic"][~mask.unsqueeze(1).expand(-1, 8, -1)] == 0)
    no_huber = build_model("msg-mba", make_config("msg-mba", "table3.mba", {"encoder": tiny_encoders["bert"]},
                                                  **feature_dims))
    assert no_huber(**batches["bert"]).auxiliary_loss.item() == 0.0


def test_mag_injects_after_embeddings_for_bert_and_after_layer_one_for_xlnet(tiny_encoders, feature_dims, batches):
    bert = build_model("mag", make_config("mag", overrides={"encoder": tiny_encoders["bert"]}, **feature_dims))
    xlnet = build_model("mag", make_config("mag", "xlnet", {"encoder": tiny_encoders["xlnet"]}, **feature_dims))
    assert (bert.shift_layer, xlnet.shift_layer) == (0, 1)
    assert bert.gate.gates[0].out_features == 32 and isinstance(bert.gate.layer_norm, torch.nn.LayerNorm)
    assert not [n for n, _ in bert.named_parameters() if n.startswith("rnn")]
    output = xlnet.eval()(**batches["xlnet"])
    assert output.auxiliary_loss.item() == 0.0 and "eta/text" in output.extras


def test_mag_with_one_non_text_stream_gates_only_that_stream(tiny_encoders, feature_dims, batches):
    config = make_config("mag", overrides={"encoder": tiny_encoders["bert"], "modalities": ("text", "visual")},
                         **feature_dims)
    model = build_model("mag", config).eval()
    assert model.partners == ["visual"] and len(model.gate.gates) == 1
    with torch.no_grad():
        with_acoustic = model(**batches["bert"]).prediction
        without = model(**{**batches["bert"], "acoustic": None}).prediction
    torch.testing.assert_close(with_acoustic, without)
    with pytest.raises(ValueError, match="text and at least one"):
        make_config("mag", overrides={"modalities": ("text",)})


def slice_utterance(batch: dict[str, torch.Tensor], row: int, family: str) -> dict[str, torch.Tensor]:
    """One utterance of a padded batch as a batch of its own, without any padding."""
    real = batch["attention_mask"][row].bool()
    alone = {key: value[row:row + 1, real] for key, value in batch.items() if key != "cls_index"}
    alone["cls_index"] = torch.tensor([0 if family == "bert" else int(real.sum()) - 1])
    return alone


@pytest.mark.parametrize("family", ["bert", "xlnet"])
@pytest.mark.parametrize("preset", [None, "table6.blstm"])
def test_an_utterances_prediction_does_not_depend_on_its_batch(family, preset, tiny_encoders, feature_dims,
                                                               batches):
    """Right (BERT) and left (XLNet) padding: the full model scores each utterance alone exactly as
    inside a padded batch (MBA's W_pt / W_pm follow the real tokens, the RNN skips padding)."""
    torch.manual_seed(0)
    config = make_config("msg-mba", preset, {"encoder": tiny_encoders[family]}, **feature_dims)
    model = build_model("msg-mba", config).eval()
    batch = batches[family]
    with torch.no_grad():
        together = model(**batch).prediction
        for row in range(batch["input_ids"].shape[0]):
            alone = model(**slice_utterance(batch, row, family)).prediction
            torch.testing.assert_close(alone, together[row:row + 1], atol=1e-5, rtol=1e-4)


def test_start_from_text_makes_the_untrained_model_ignore_the_other_streams(tiny_encoders, feature_dims, batches):
    """The off-by-default ``start_from_text``: at initialisation the prediction depends on the
    text alone (zero MSG-T projections, zero fusion weights on M_a*, M_v*), yet training can move
    it: the zeroed weights receive a gradient."""
    batch = batches["bert"]
    changed = {**batch, "acoustic": batch["acoustic"] * 3 + 1, "visual": -batch["visual"]}
    for start_from_text in (False, True):
        torch.manual_seed(0)
        config = make_config("msg-mba", overrides={"encoder": tiny_encoders["bert"],
                                                   "start_from_text": start_from_text}, **feature_dims)
        model = build_model("msg-mba", config).eval()
        with torch.no_grad():
            same = torch.allclose(model(**batch).prediction, model(**changed).prediction)
        assert same == start_from_text
    model.train()
    model(**batch).prediction.sum().backward()
    assert model.fusion.weight.grad[:, model.backbone.hidden_size:].abs().sum() > 0
    assert all(p.weight.grad.abs().sum() > 0 for p in model.gates["text"].projections)


def test_mag_follows_mag_berts_reference_pooler_and_biases(tiny_encoders, feature_dims, batches):
    from transformers import BertModel

    model = build_model("mag", make_config("mag", overrides={"encoder": tiny_encoders["bert"]}, **feature_dims))
    pretrained = BertModel.from_pretrained(tiny_encoders["bert"]).pooler.dense.weight
    torch.testing.assert_close(model.backbone.encoder.pooler.dense.weight, pretrained)
    assert model.uses_encoder_pooler and isinstance(model.head.pooler, torch.nn.Identity)
    assert model.gate.shift_bias is None and all(p.bias is not None for p in model.gate.projections)
    model.eval()
    with torch.no_grad():
        output = model(**batches["bert"])
        pooled = torch.tanh(model.backbone.encoder.pooler.dense(output.extras["fused/text"][:, 0]))
    torch.testing.assert_close(output.prediction, model.head.output(pooled).squeeze(-1))
    eq6 = build_model("mag", make_config("mag", overrides={"encoder": tiny_encoders["bert"], "partner_bias": False,
                                                           "pretrained_pooler": False}, **feature_dims))
    assert eq6.gate.shift_bias is not None and eq6.backbone.encoder.pooler is None
    assert isinstance(eq6.head.pooler, torch.nn.Sequential)


def test_fuse_unshifted_off_leaves_ungated_streams_out_of_m_star(tiny_encoders, feature_dims, batches):
    """Table III's other reading (Section IV-F3): "only MSG-T" concatenates only M_t*; "no
    proposed modules" keeps every stream (it has no shifted output)."""
    overrides = {"encoder": tiny_encoders["bert"], "fuse_unshifted": False}
    only_t = make_config("msg-mba", "table3.msg_t", overrides, **feature_dims)
    assert only_t.fused_modalities() == ("text",)
    assert make_config("msg-mba", "table3.msg_t_a", overrides, **feature_dims).fused_modalities() == (
        "text", "acoustic")
    assert make_config("msg-mba", "table3.no_modules", overrides, **feature_dims).fused_modalities() == (
        "text", "acoustic", "visual")
    model = build_model("msg-mba", only_t).eval()
    assert model.fusion.in_features == model.backbone.hidden_size
    output = model(**batches["bert"])
    assert "fused/acoustic" not in output.extras and output.prediction.shape == (3,)


@pytest.mark.parametrize("eta_scope", ["token", "utterance"])
def test_eta_scope_keeps_an_utterance_independent_of_its_batch(eta_scope, tiny_encoders, feature_dims, batches):
    torch.manual_seed(0)
    config = make_config("msg-mba", None, {"encoder": tiny_encoders["bert"], "eta_scope": eta_scope,
                                           "shift_threshold": 0.01}, **feature_dims)
    model = build_model("msg-mba", config).eval()
    batch = batches["bert"]
    with torch.no_grad():
        together = model(**batch)
        eta = together.extras["eta/text"]
        if eta_scope == "utterance":
            real = batch["attention_mask"].bool()
            assert all(torch.unique(eta[row][real[row]]).numel() == 1 for row in range(eta.shape[0]))
        for row in range(batch["input_ids"].shape[0]):
            alone = model(**slice_utterance(batch, row, "bert")).prediction
            torch.testing.assert_close(alone, together.prediction[row:row + 1], atol=1e-5, rtol=1e-4)
