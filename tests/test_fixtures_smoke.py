from transformers import AutoModel, AutoTokenizer


def test_tiny_encoders_load(tiny_bert_dir, tiny_xlnet_dir):
    for folder in (tiny_bert_dir, tiny_xlnet_dir):
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModel.from_pretrained(folder)
        encoded = tokenizer("that was sick", return_tensors="pt")
        assert model(**encoded).last_hidden_state.shape[-1] == 32
