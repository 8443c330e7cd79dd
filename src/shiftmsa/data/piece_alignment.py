"""Word-piece alignment as numpy arrays: the part of batching that needs neither torch nor
transformers, shared by ``BatchBuilder`` (``shiftmsa.data.word_pieces``) and the ONNX Runtime
bundle (``shiftmsa.deploy.runtime``), so that both align utterances the same way.

The conventions are MAG-BERT's; see ``shiftmsa.data.word_pieces``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np

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

    def to_dict(self) -> dict:
        """JSON-ready fields (the deploy bundle's manifest)."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict) -> "SpecialTokens":
        """Inverse of ``to_dict``."""
        return cls(**{key: tuple(value) if isinstance(value, list) else value for key, value in values.items()})


@dataclass(frozen=True)
class EncodedUtterance:
    """One utterance as word pieces, before special tokens and padding.

    Args:
        piece_ids: (P,) int64 ids of the kept word pieces (after truncation).
        word_index: (P,) int64 index of the word each piece came from.
    """

    piece_ids: np.ndarray
    word_index: np.ndarray


def encode_pieces(per_word: Sequence[Sequence[int]], budget: int) -> EncodedUtterance:
    """The word pieces of each word (tokenised alone, no special tokens), concatenated and cut
    to ``budget`` pieces, with the index of the word of each piece."""
    lengths = np.array([len(pieces) for pieces in per_word], dtype=np.int64)
    piece_ids = np.fromiter((i for pieces in per_word for i in pieces), dtype=np.int64, count=int(lengths.sum()))
    word_index = np.repeat(np.arange(len(per_word), dtype=np.int64), lengths)
    return EncodedUtterance(piece_ids[:budget], word_index[:budget])


@dataclass(frozen=True)
class AlignedArrays:
    """The token arrays of B utterances padded to L (see ``shiftmsa.data.batch.Batch``); ``rows``
    is each position's feature step (-1 for special tokens and padding)."""

    input_ids: np.ndarray
    token_type_ids: np.ndarray
    attention_mask: np.ndarray
    rows: np.ndarray
    lengths: np.ndarray
    cls_index: np.ndarray


def align_tokens(encoded: Sequence[EncodedUtterance], special: SpecialTokens) -> AlignedArrays:
    """Special tokens around each utterance's pieces, padded to the longest (left for XLNet)."""
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
    return AlignedArrays(input_ids, token_types, attention, rows, lengths, cls_index.astype(np.int64))


def align_stream(utterances: Sequence[Utterance], rows: np.ndarray, stream: str, dim: int | None,
                 standardizer: FeatureStandardizer | None,
                 prepared: Callable[[Utterance], np.ndarray] | None = None) -> np.ndarray | None:
    """(B, L, d) rows gathered per position (zero where ``rows`` is -1); None when the stream is
    absent. ``dim`` is the expected width (None: the first utterance's). ``prepared``, when
    given, returns an utterance's rows already standardised (``BatchBuilder`` keeps them once
    per run); ``standardizer`` is then not applied again."""
    present = [getattr(u, stream) is not None for u in utterances]
    if not any(present):
        return None
    if not all(present):
        missing = utterances[present.index(False)]
        raise DataError(f"this utterance has no {stream} stream but others in the batch do",
                        utterance_id=missing.id, field_name=stream)
    dim = dim or getattr(utterances[0], stream).shape[1]
    aligned = np.zeros((*rows.shape, dim), dtype=np.float32)
    for b, utterance in enumerate(utterances):
        features = getattr(utterance, stream)
        if features.shape[1] != dim:
            raise DataError(f"feature dim {features.shape[1]} != expected {dim}", utterance_id=utterance.id,
                            field_name=stream)
        if len(features) not in (1, len(utterance.words)):
            raise DataError(f"{len(features)} steps for {len(utterance.words)} words (expected one per word or 1)",
                            utterance_id=utterance.id, field_name=stream)
        if prepared is not None:
            features = prepared(utterance)
        elif standardizer is not None:
            features = standardizer.transform(stream, features)
        positions = rows[b] >= 0
        steps = rows[b, positions] if len(features) > 1 else np.zeros(int(positions.sum()), dtype=np.int64)
        aligned[b, positions] = features[steps]
    return aligned
