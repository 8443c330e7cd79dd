"""Word-piece alignment and batching, by MAG-BERT's convention (which the paper follows).

Each word is tokenised alone; its acoustic/visual row is repeated for each of its word pieces;
special tokens and padding get zero rows. Per-utterance features (one step) are broadcast to
every word. Word pieces are truncated so that pieces plus special tokens fit ``max_length``.
BERT-style tokenizers give ``[CLS] pieces [SEP]`` padded on the right (``cls_index`` 0);
XLNet-style ones give ``pieces <sep> <cls>`` padded on the left (``cls_index`` L - 1). Which
style applies, and the special tokens with their token type ids, are read from the tokenizer
itself by encoding a probe word with and without special tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from shiftmsa.data.batch import Batch
from shiftmsa.data.contract import DataError, Utterance
from shiftmsa.data.standardization import FeatureStandardizer

PROBE_WORD = "probe"
STREAMS = ("acoustic", "visual")


@dataclass(frozen=True)
class SpecialTokens:
    """The ids and token type ids a tokenizer puts around one sentence.

    Args:
        prefix_ids / suffix_ids: ids before / after the word pieces (``[CLS]`` / ``[SEP]``, or
            nothing / ``<sep> <cls>``).
        prefix_types / suffix_types: their token type ids.
        piece_type: the token type id of word pieces.
        cls_offset: position of the classification token counted from the sequence start
            (>= 0) or from its end (< 0, e.g. -1 for XLNet's last ``<cls>``).
        pad_left: True when padding goes on the left (XLNet).
        pad_id / pad_type: id and token type id of padding.
    """

    prefix_ids: tuple[int, ...]
    suffix_ids: tuple[int, ...]
    prefix_types: tuple[int, ...]
    suffix_types: tuple[int, ...]
    piece_type: int
    cls_offset: int
    pad_left: bool
    pad_id: int
    pad_type: int

    @property
    def count(self) -> int:
        return len(self.prefix_ids) + len(self.suffix_ids)

    @classmethod
    def from_tokenizer(cls, tokenizer) -> "SpecialTokens":
        """Read the template from ``tokenizer`` (a Hugging Face tokenizer, BERT- or XLNet-like)."""
        pieces = tokenizer(PROBE_WORD, add_special_tokens=False)["input_ids"]
        full = tokenizer(PROBE_WORD, return_token_type_ids=True)
        ids, types = list(full["input_ids"]), list(full["token_type_ids"])
        start = next(i for i in range(len(ids) - len(pieces) + 1) if ids[i: i + len(pieces)] == pieces)
        end = start + len(pieces)
        if tokenizer.cls_token_id is None or tokenizer.cls_token_id not in ids:
            raise ValueError(f"{type(tokenizer).__name__} adds no classification token; BERT/XLNet-like tokenizers only")
        cls_position = ids.index(tokenizer.cls_token_id)
        return cls(
            prefix_ids=tuple(ids[:start]), suffix_ids=tuple(ids[end:]),
            prefix_types=tuple(types[:start]), suffix_types=tuple(types[end:]),
            piece_type=types[start], cls_offset=cls_position if cls_position < start else cls_position - len(ids),
            pad_left=tokenizer.padding_side == "left",
            pad_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0,
            pad_type=getattr(tokenizer, "pad_token_type_id", 0) or 0,
        )


@dataclass(frozen=True)
class EncodedUtterance:
    """One utterance as word pieces, before special tokens and padding.

    Args:
        piece_ids: (P,) int64 ids of the kept word pieces (after truncation).
        word_index: (P,) int64 index of the word each piece came from.
    """

    piece_ids: np.ndarray
    word_index: np.ndarray


class BatchBuilder:
    """Turns a list of ``Utterance``s into a word-piece aligned ``Batch`` (a DataLoader collate_fn).

    Args:
        tokenizer: a Hugging Face tokenizer (BERT-like or XLNet-like; see the module docstring).
        max_length: token length cap, special tokens included (50 as in MAG-BERT and the paper).
        acoustic_dim / visual_dim: expected feature widths, or None to accept the first seen.
        standardizer: applied to each utterance's acoustic / visual rows before alignment (so
            special tokens and padding keep zero rows); None leaves them as read.
    """

    def __init__(self, tokenizer, max_length: int = 50, acoustic_dim: int | None = None,
                 visual_dim: int | None = None, standardizer: FeatureStandardizer | None = None):
        self.tokenizer = tokenizer
        self.standardizer = standardizer
        self.special = SpecialTokens.from_tokenizer(tokenizer)
        if max_length <= self.special.count:
            raise ValueError(f"max_length {max_length} leaves no room for word pieces next to "
                             f"{self.special.count} special tokens")
        self.max_length = max_length
        self.dims: dict[str, int | None] = {"acoustic": acoustic_dim, "visual": visual_dim}
        self._cache: dict[tuple[str, tuple[str, ...]], EncodedUtterance] = {}

    def encode(self, utterance: Utterance) -> EncodedUtterance:
        """Word pieces of ``utterance`` truncated to fit ``max_length``; cached by id and words."""
        key = (utterance.id, utterance.words)
        if key not in self._cache:
            per_word = self.tokenizer(list(utterance.words), add_special_tokens=False)["input_ids"]
            lengths = np.array([len(pieces) for pieces in per_word], dtype=np.int64)
            budget = self.max_length - self.special.count
            piece_ids = np.fromiter((i for pieces in per_word for i in pieces), dtype=np.int64, count=int(lengths.sum()))
            word_index = np.repeat(np.arange(len(per_word), dtype=np.int64), lengths)
            self._cache[key] = EncodedUtterance(piece_ids[:budget], word_index[:budget])
        return self._cache[key]

    def __call__(self, utterances: list[Utterance]) -> Batch:
        if not utterances:
            raise ValueError("cannot build a batch from no utterances")
        encoded = [self.encode(utterance) for utterance in utterances]
        special = self.special
        lengths = np.array([len(e.piece_ids) + special.count for e in encoded], dtype=np.int64)
        width = int(lengths.max())
        starts = width - lengths if special.pad_left else np.zeros_like(lengths)
        input_ids = np.full((len(encoded), width), special.pad_id, dtype=np.int64)
        token_types = np.full((len(encoded), width), special.pad_type, dtype=np.int64)
        attention = np.zeros((len(encoded), width), dtype=np.int64)
        # feature row of each position: -1 for special tokens and padding, else the word's step
        rows = np.full((len(encoded), width), -1, dtype=np.int64)
        for b, (item, start, length) in enumerate(zip(encoded, starts, lengths)):
            span = slice(start, start + length)
            input_ids[b, span] = np.concatenate([special.prefix_ids, item.piece_ids, special.suffix_ids])
            token_types[b, span] = np.concatenate([special.prefix_types, np.full(len(item.piece_ids), special.piece_type),
                                                   special.suffix_types])
            attention[b, span] = 1
            rows[b, start + len(special.prefix_ids): start + length - len(special.suffix_ids)] = item.word_index
        cls_index = starts + special.cls_offset if special.cls_offset >= 0 else starts + lengths + special.cls_offset
        return Batch(
            input_ids=torch.from_numpy(input_ids),
            attention_mask=torch.from_numpy(attention),
            token_type_ids=torch.from_numpy(token_types),
            acoustic=self._aligned_stream(utterances, rows, "acoustic"),
            visual=self._aligned_stream(utterances, rows, "visual"),
            lengths=torch.from_numpy(lengths),
            cls_index=torch.from_numpy(cls_index.astype(np.int64)),
            labels=torch.tensor([u.label for u in utterances], dtype=torch.float32),
            ids=[u.id for u in utterances],
        )

    def _aligned_stream(self, utterances: list[Utterance], rows: np.ndarray, stream: str) -> torch.Tensor | None:
        """(B, L, d) rows gathered per position (zero where ``rows`` is -1); None when the stream is absent."""
        present = [getattr(u, stream) is not None for u in utterances]
        if not any(present):
            return None
        if not all(present):
            missing = utterances[present.index(False)]
            raise DataError(f"this utterance has no {stream} stream but others in the batch do",
                            utterance_id=missing.id, field_name=stream)
        dim = self.dims[stream] or getattr(utterances[0], stream).shape[1]
        self.dims[stream] = dim
        aligned = np.zeros((*rows.shape, dim), dtype=np.float32)
        for b, utterance in enumerate(utterances):
            features = getattr(utterance, stream)
            if features.shape[1] != dim:
                raise DataError(f"feature dim {features.shape[1]} != expected {dim}", utterance_id=utterance.id,
                                field_name=stream)
            if len(features) not in (1, len(utterance.words)):
                raise DataError(f"{len(features)} steps for {len(utterance.words)} words (expected one per word or 1)",
                                utterance_id=utterance.id, field_name=stream)
            if self.standardizer is not None:
                features = self.standardizer.transform(stream, features)
            positions = rows[b] >= 0
            steps = rows[b, positions] if len(features) > 1 else np.zeros(int(positions.sum()), dtype=np.int64)
            aligned[b, positions] = features[steps]
        return torch.from_numpy(aligned)
