"""The split backbone equals the unsplit encoder when nothing is inserted (Eq. 3)."""

from __future__ import annotations

import pytest
import torch

from shiftmsa.text.backbone import encoder_depth, load_split_backbone


def padded_batch(family: str, vocab_size: int) -> dict[str, torch.Tensor]:
    """Two utterances of 7 and 4 tokens in a batch of length 7; BERT pads right, XLNet left."""
    generator = torch.Generator().manual_seed(0)
    input_ids = torch.randint(5, vocab_size, (2, 7), generator=generator)
    attention_mask = torch.ones(2, 7, dtype=torch.long)
    if family == "bert":
        attention_mask[1, 4:] = 0
        token_type_ids = torch.zeros(2, 7, dtype=torch.long)
    else:
        attention_mask[1, :3] = 0
        token_type_ids = torch.zeros(2, 7, dtype=torch.long)
        token_type_ids[:, -1] = 2
    return {"input_ids": input_ids, "attention_mask": attention_mask, "token_type_ids": token_type_ids}


@pytest.fixture(scope="module", params=["bert", "xlnet"])
def backbone_and_batch(request):
    folder = request.getfixturevalue(f"tiny_{request.param}_dir")
    backbone = load_split_backbone(str(folder)).eval()
    return backbone, padded_batch(request.param, backbone.encoder.config.vocab_size)


@pytest.mark.parametrize("split_layer", [0, 1, 2, 3])
def test_split_without_insertion_equals_the_unsplit_forward(backbone_and_batch, split_layer):
    backbone, batch = backbone_and_batch
    with torch.no_grad():
        expected = backbone.encoder(**batch).last_hidden_state
        hidden, context = backbone.embed(**batch)
        features = backbone.run_layers(hidden, context, 0, split_layer)
        result = backbone.run_layers(features, context, split_layer, backbone.num_layers)
    real = batch["attention_mask"].bool()
    torch.testing.assert_close(result[real], expected[real], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(result, expected, rtol=1e-5, atol=1e-5)


def test_a_change_between_the_parts_changes_the_output(backbone_and_batch):
    backbone, batch = backbone_and_batch
    with torch.no_grad():
        hidden, context = backbone.embed(**batch)
        features = backbone.run_layers(hidden, context, 0, 1)
        plain = backbone.run_layers(features, context, 1, backbone.num_layers)
        shifted = backbone.run_layers(features + 1.0, context, 1, backbone.num_layers)
    assert not torch.allclose(plain, shifted)


def test_split_layer_outside_the_encoder_depth_is_refused(backbone_and_batch):
    backbone, batch = backbone_and_batch
    hidden, context = backbone.embed(**batch)
    with pytest.raises(ValueError, match="outside 0..3"):
        backbone.run_layers(hidden, context, 0, 4)


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


def test_unsupported_family_is_named(tmp_path):
    from transformers import GPT2Config

    GPT2Config(n_layer=1, n_embd=8, n_head=2).save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="'gpt2'.*supported families: bert, xlnet"):
        load_split_backbone(str(tmp_path))


def test_float16_weights_are_trained_in_float32(tiny_bert_dir, tmp_path):
    import shutil

    from transformers import BertModel

    half = tmp_path / "half"
    shutil.copytree(tiny_bert_dir, half)
    BertModel.from_pretrained(tiny_bert_dir).half().save_pretrained(half)
    backbone = load_split_backbone(str(half))
    assert {p.dtype for p in backbone.encoder.parameters()} == {torch.float32}


@pytest.mark.parametrize("split_layer", [0, 2])
def test_attention_probabilities_of_both_parts_equal_the_encoders_own(backbone_and_batch, split_layer):
    backbone, batch = backbone_and_batch
    with torch.no_grad():
        reference = backbone.encoder(**batch, output_attentions=True)
        hidden, context = backbone.embed(**batch)
        features, first = backbone.run_layers(hidden, context, 0, split_layer, output_attentions=True)
        result, rest = backbone.run_layers(features, context, split_layer, backbone.num_layers,
                                           output_attentions=True)
    attentions = first + rest
    assert len(attentions) == backbone.num_layers
    for ours, theirs in zip(attentions, reference.attentions):
        assert ours.shape == (2, 4, 7, 7)
        torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(result, reference.last_hidden_state, rtol=1e-5, atol=1e-5)
    real = batch["attention_mask"][1].bool()  # real queries never attend to padded keys
    assert torch.all(attentions[-1][1][:, real][:, :, ~real] == 0)


def test_asking_for_attentions_leaves_the_attention_implementation_as_it_was(backbone_and_batch):
    backbone, batch = backbone_and_batch
    before = backbone.encoder.config._attn_implementation
    with torch.no_grad():
        hidden, context = backbone.embed(**batch)
        backbone.run_layers(hidden, context, 0, 1, output_attentions=True)
    assert backbone.encoder.config._attn_implementation == before
