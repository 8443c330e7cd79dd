import numpy as np
import pytest
import torch
from transformers import AutoTokenizer

from shiftmsa.data import BatchBuilder, DataError, Utterance
from shiftmsa.text.encoders import load_tokenizer


@pytest.fixture(scope="module")
def minilm():
    return load_tokenizer("minilm")


@pytest.fixture(scope="module")
def xlnet(tiny_xlnet_dir):
    return AutoTokenizer.from_pretrained(tiny_xlnet_dir)


def utterance(uid, words, steps=None, d_a=4, d_v=3, label=1.0):
    """Acoustic row w is filled with w + 1 (visual with -(w + 1)), so rows are recognisable."""
    steps = len(words) if steps is None else steps
    acoustic = np.repeat(np.arange(1, steps + 1, dtype=np.float32)[:, None], d_a, axis=1)
    return Utterance(uid, tuple(words), acoustic, -acoustic[:, :d_v], label, "train")


def test_bert_pieces_repeat_their_word_row_and_specials_get_zero_rows(minilm):
    batch = BatchBuilder(minilm)([utterance("u", ["shiftmsa", "rocks"]), utterance("v", ["ok"])])
    pieces = len(minilm("shiftmsa", add_special_tokens=False)["input_ids"])
    assert pieces > 1
    ids = batch.input_ids[0].tolist()
    assert ids[0] == minilm.cls_token_id and ids[pieces + 2] == minilm.sep_token_id
    assert batch.acoustic[0, 1: pieces + 1, 0].tolist() == [1.0] * pieces
    assert batch.acoustic[0, pieces + 1, 0].item() == 2.0
    assert batch.acoustic[0, [0, pieces + 2]].abs().sum().item() == 0.0
    assert batch.visual[0, 1, 0].item() == -1.0 and batch.visual.shape[-1] == 3


def test_bert_right_padding_lengths_and_cls_index(minilm):
    batch = BatchBuilder(minilm)([utterance("u", ["a", "b", "c"]), utterance("v", ["ok"])])
    assert batch.lengths.tolist() == [5, 3] and batch.cls_index.tolist() == [0, 0]
    assert batch.attention_mask[1].tolist() == [1, 1, 1, 0, 0]
    assert batch.input_ids[1, 3:].tolist() == [minilm.pad_token_id] * 2
    assert batch.acoustic[1, 3:].abs().sum().item() == 0.0
    assert batch.token_type_ids.sum().item() == 0
    assert batch.labels.dtype == torch.float32 and batch.ids == ["u", "v"]


def test_truncation_keeps_special_tokens_within_max_length(minilm):
    batch = BatchBuilder(minilm, max_length=6)([utterance("u", ["one", "two", "three", "four", "five", "six"])])
    assert batch.input_ids.shape == (1, 6)
    assert batch.input_ids[0, -1].item() == minilm.sep_token_id
    assert batch.acoustic[0, 1:5, 0].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_per_utterance_features_are_broadcast_to_every_piece(minilm):
    batch = BatchBuilder(minilm)([utterance("u", ["a", "b", "c"], steps=1)])
    assert batch.acoustic[0, 1:4, 0].tolist() == [1.0, 1.0, 1.0]
    assert batch.acoustic[0, [0, 4]].abs().sum().item() == 0.0


def test_xlnet_left_padding_cls_last_and_type_two(xlnet):
    batch = BatchBuilder(xlnet)([utterance("u", ["that", "was", "sick"]), utterance("v", ["good"])])
    width = batch.input_ids.shape[1]
    assert batch.cls_index.tolist() == [width - 1, width - 1]
    assert (batch.input_ids[:, -1] == xlnet.cls_token_id).all() and (batch.input_ids[:, -2] == xlnet.sep_token_id).all()
    assert (batch.token_type_ids[:, -1] == 2).all()
    short_padding = width - batch.lengths[1].item()
    assert batch.attention_mask[1, :short_padding].sum().item() == 0 and batch.attention_mask[1, short_padding:].all()
    assert batch.acoustic[1, short_padding, 0].item() == 1.0
    assert batch.acoustic[:, -2:].abs().sum().item() == 0.0


def test_absent_streams_give_none_and_mixed_presence_is_refused(minilm):
    text_only = Utterance("t", ("fine",), None, None, 0.0, "test")
    batch = BatchBuilder(minilm)([text_only])
    assert batch.acoustic is None and batch.visual is None
    with pytest.raises(DataError, match="'t'.*'acoustic'"):
        BatchBuilder(minilm)([utterance("u", ["a"]), text_only])


def test_wrong_dim_is_refused(minilm):
    with pytest.raises(DataError, match="'u'.*'acoustic'"):
        BatchBuilder(minilm, acoustic_dim=5)([utterance("u", ["a"])])


def test_encode_is_cached_per_utterance(minilm):
    builder = BatchBuilder(minilm)
    first = builder.encode(utterance("u", ["hello", "world"]))
    assert builder.encode(utterance("u", ["hello", "world"])) is first
    assert builder.encode(utterance("u", ["other"])) is not first


def test_batches_are_deterministic(minilm):
    batch = [utterance("u", ["a", "b"]), utterance("v", ["c"])]
    first, second = BatchBuilder(minilm)(batch), BatchBuilder(minilm)(batch)
    assert torch.equal(first.input_ids, second.input_ids) and torch.equal(first.acoustic, second.acoustic)
