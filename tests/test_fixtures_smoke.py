from transformers import AutoModel, AutoTokenizer


def test_tiny_encoders_load(tiny_bert_dir, tiny_xlnet_dir):
    for folder in (tiny_bert_dir, tiny_xlnet_dir):
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModel.from_pretrained(folder)
        encoded = tokenizer("that was sick", return_tensors="pt")
        assert model(**encoded).last_hidden_state.shape[-1] == 32


def test_tiny_xlnet_tokenizer_splits_words_into_known_pieces(tiny_xlnet_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_xlnet_dir)
    ids = tokenizer("that was sick", add_special_tokens=False)["input_ids"]
    assert tokenizer.unk_token_id not in ids
    assert len(ids) > 3  # sentencepiece splits some words into several pieces
    assert tokenizer("that")["input_ids"][-1] == tokenizer.cls_token_id  # <cls> last
