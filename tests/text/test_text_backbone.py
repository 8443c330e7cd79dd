"""The split backbone equals the unsplit encoder when nothing is inserted (Eq. 3), for every
supported family, at every split layer, with left and right padding."""

from __future__ import annotations

import copy

import pytest
import torch

from shiftmsa.text.backbone import LayerStackOutput, encoder_depth, load_split_backbone

FAMILIES = ["bert", "roberta", "mpnet", "deberta", "deberta_conv", "xlnet"]


def padded_batch(backbone, pad_left: bool) -> dict[str, torch.Tensor]:
    """Two utterances of 7 and 4 tokens in a batch of length 7, padded on the given side with
    the encoder's pad id; XLNet's last token gets its <cls> segment id (2)."""
    config = backbone.encoder.config
    pad_id = config.pad_token_id if config.pad_token_id is not None else 0
    generator = torch.Generator().manual_seed(0)
    input_ids = torch.randint(5, config.vocab_size, (2, 7), generator=generator)
    attention_mask = torch.ones(2, 7, dtype=torch.long)
    padding = slice(0, 3) if pad_left else slice(4, 7)
    attention_mask[1, padding] = 0
    input_ids[1, padding] = pad_id
    token_type_ids = torch.zeros(2, 7, dtype=torch.long)
    if backbone.family == "xlnet":
        token_type_ids[:, -1] = 2
    return {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}


def eager_attentions(backbone, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, ...]:
    """The unsplit model's own attention probabilities, from a copy on the eager path (SDPA
    returns none)."""
    reference = copy.deepcopy(backbone.encoder)
    if reference.config._attn_implementation != "eager":
        reference.set_attn_implementation("eager")
    return reference(**unsplit_inputs(backbone, batch), output_attentions=True).attentions


def unsplit_inputs(backbone, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The batch as the family's own forward takes it (MPNet has no token type ids)."""
    return {k: v for k, v in batch.items() if not (backbone.family == "mpnet" and k == "token_type_ids")}


@pytest.fixture(scope="module", params=FAMILIES)
def backbone(request):
    return load_split_backbone(str(request.getfixturevalue(f"tiny_{request.param}_dir"))).eval()


@pytest.mark.parametrize("pad_left", [False, True], ids=["right-pad", "left-pad"])
def test_split_without_insertion_equals_the_unsplit_forward(backbone, pad_left):
    batch = padded_batch(backbone, pad_left)
    with torch.no_grad():
        expected = backbone.encoder(**unsplit_inputs(backbone, batch)).last_hidden_state
        hidden, context = backbone.embed(**batch)
        for split_layer in range(backbone.num_layers + 1):
            features = backbone.run_layers(hidden, context, 0, split_layer)
            result = backbone.run_layers(features, context, split_layer, backbone.num_layers)
            real = batch["attention_mask"].bool()
            torch.testing.assert_close(result[real], expected[real], rtol=1e-5, atol=1e-5,
                                       msg=lambda m: f"split at {split_layer}: {m}")
            torch.testing.assert_close(result, expected, rtol=1e-5, atol=1e-5)


def test_a_change_between_the_parts_changes_the_output(backbone):
    batch = padded_batch(backbone, pad_left=False)
    with torch.no_grad():
        hidden, context = backbone.embed(**batch)
        features = backbone.run_layers(hidden, context, 0, 1)
        plain = backbone.run_layers(features, context, 1, backbone.num_layers)
        shifted = backbone.run_layers(features + 1.0, context, 1, backbone.num_layers)
    assert not torch.allclose(plain, shifted)


def test_split_layer_outside_the_encoder_depth_is_refused(backbone):
    hidden, context = backbone.embed(**padded_batch(backbone, pad_left=False))
    with pytest.raises(ValueError, match="outside 0..3"):
        backbone.run_layers(hidden, context, 0, 4)
    with pytest.raises(ValueError, match="start 2 is after stop 1"):
        backbone.run_layers(hidden, context, 2, 1)


@pytest.mark.parametrize("pad_left", [False, True], ids=["right-pad", "left-pad"])
def test_attentions_on_request_are_the_unsplit_models_and_change_nothing(backbone, pad_left):
    batch = padded_batch(backbone, pad_left)
    with torch.no_grad():
        expected = eager_attentions(backbone, batch)
        hidden, context = backbone.embed(**batch)
        first = backbone.run_layers(hidden, context, 0, 1, output_attentions=True)
        rest = backbone.run_layers(first.hidden, context, 1, backbone.num_layers, output_attentions=True)
        plain = backbone.run_layers(first.hidden, context, 1, backbone.num_layers)
    assert isinstance(rest, LayerStackOutput) and isinstance(plain, torch.Tensor)
    torch.testing.assert_close(rest.hidden, plain, rtol=1e-5, atol=1e-5)
    probabilities = first.attentions + rest.attentions
    assert len(probabilities) == len(expected) == backbone.num_layers
    heads = backbone.encoder.config.num_attention_heads if backbone.family != "xlnet" else backbone.encoder.config.n_head
    for mine, theirs in zip(probabilities, expected):
        assert mine.shape == (2, heads, 7, 7)
        torch.testing.assert_close(mine, theirs, rtol=1e-5, atol=1e-5)
        real = batch["attention_mask"].bool()
        torch.testing.assert_close(mine.sum(-1)[0], torch.ones(heads, 7))
        assert torch.all(mine[1][:, real[1]][..., ~real[1]] == 0)  # real queries never read padding


def test_attentions_leave_the_attention_implementation_as_it_was(tiny_bert_dir):
    backbone = load_split_backbone(str(tiny_bert_dir)).eval()
    before = backbone.encoder.config._attn_implementation
    hidden, context = backbone.embed(**padded_batch(backbone, pad_left=False))
    backbone.run_layers(hidden, context, 0, 2, output_attentions=True)
    assert backbone.encoder.config._attn_implementation == before
    assert not any(module._forward_hooks for module in backbone.modules())


def test_random_build_has_the_saved_shape_but_not_its_weights(tiny_bert_dir):
    pretrained = load_split_backbone(str(tiny_bert_dir))
    torch.manual_seed(1)
    random = load_split_backbone(str(tiny_bert_dir), load_pretrained=False)
    assert random.hidden_size == pretrained.hidden_size == 32
    assert random.num_layers == encoder_depth(str(tiny_bert_dir)) == 3
    word = "encoder.embeddings.word_embeddings.weight"
    assert not torch.equal(random.state_dict()[word], pretrained.state_dict()[word])


def test_default_encoder_is_the_six_layer_minilm():
    assert encoder_depth("minilm") == 6


def test_family_is_read_from_the_config(backbone):
    assert type(backbone.encoder).__name__.lower().startswith(backbone.family.replace("-", ""))


def test_unsupported_family_is_named(tmp_path):
    from transformers import GPT2Config

    GPT2Config(n_layer=1, n_embd=8, n_head=2).save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="'gpt2'.*supported families: bert, roberta, mpnet, deberta-v2, xlnet"):
        load_split_backbone(str(tmp_path))


def test_float16_weights_are_trained_in_float32(tiny_bert_dir, tmp_path):
    import shutil

    from transformers import BertModel

    half = tmp_path / "half"
    shutil.copytree(tiny_bert_dir, half)
    BertModel.from_pretrained(tiny_bert_dir).half().save_pretrained(half)
    backbone = load_split_backbone(str(half))
    assert {p.dtype for p in backbone.encoder.parameters()} == {torch.float32}
