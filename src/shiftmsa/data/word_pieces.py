"""Word-piece alignment and batching, by MAG-BERT's convention (which the paper follows).

Each word is tokenised alone; its acoustic/visual row is repeated for each of its word pieces;
special tokens and padding get zero rows. Per-utterance features (one step) are broadcast to
every word. Word pieces are truncated so that pieces plus special tokens fit ``max_length``.
BERT-style tokenizers give ``[CLS] pieces [SEP]`` padded on the right (``cls_index`` 0);
XLNet-style ones give ``pieces <sep> <cls>`` padded on the left (``cls_index`` L - 1). Which
style applies, and the special tokens with their token type ids, are read from the tokenizer
itself by encoding a probe word with and without special tokens. The numpy part (special tokens,
padding, feature rows) is ``shiftmsa.data.piece_alignment``, shared with the ONNX Runtime bundle.
"""

from __future__ import annotations

import numpy as np
import torch

from shiftmsa.data.batch import Batch
from shiftmsa.data.contract import Utterance
from shiftmsa.data.piece_alignment import (PROBE_WORD, STREAMS, EncodedUtterance, SpecialTokens, align_stream,
                                           align_tokens, encode_pieces)
from shiftmsa.data.standardization import FeatureStandardizer

__all__ = ["BatchBuilder", "EncodedUtterance", "SpecialTokens", "PROBE_WORD", "STREAMS"]


class BatchBuilder:
    """Turns a list of ``Utterance``s into a word-piece aligned ``Batch`` (a DataLoader collate_fn).

    Args:
        tokenizer: a Hugging Face tokenizer (BERT-like or XLNet-like; see the module docstring).
        max_length: token length cap, special tokens included (50 as in MAG-BERT and the paper).
            Each utterance is tokenised once (cached by id and words).
        acoustic_dim / visual_dim: expected feature widths, or None to accept the first seen.
        standardizer: applied to each utterance's acoustic / visual rows before alignment (so
            special tokens and padding keep zero rows), once per utterance; None leaves them as read.
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
        # (id, stream) -> (the rows read, the same standardised): standardised once per run
        self._standardized: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def encode(self, utterance: Utterance) -> EncodedUtterance:
        """Word pieces of ``utterance`` truncated to fit ``max_length``; cached by id and words."""
        key = (utterance.id, utterance.words)
        if key not in self._cache:
            per_word = self.tokenizer(list(utterance.words), add_special_tokens=False)["input_ids"]
            self._cache[key] = encode_pieces(per_word, self.max_length - self.special.count)
        return self._cache[key]

    def standardized(self, utterance: Utterance, stream: str) -> np.ndarray:
        """The utterance's ``stream`` rows standardised, computed once per utterance (kept while
        the utterance holds the same array)."""
        features = getattr(utterance, stream)
        kept = self._standardized.get((utterance.id, stream))
        if kept is None or kept[0] is not features:
            kept = (features, self.standardizer.transform(stream, features))
            self._standardized[(utterance.id, stream)] = kept
        return kept[1]

    def __call__(self, utterances: list[Utterance]) -> Batch:
        if not utterances:
            raise ValueError("cannot build a batch from no utterances")
        arrays = align_tokens([self.encode(utterance) for utterance in utterances], self.special)
        return Batch(
            input_ids=torch.from_numpy(arrays.input_ids),
            attention_mask=torch.from_numpy(arrays.attention_mask),
            token_type_ids=torch.from_numpy(arrays.token_type_ids),
            acoustic=self._aligned_stream(utterances, arrays.rows, "acoustic"),
            visual=self._aligned_stream(utterances, arrays.rows, "visual"),
            lengths=torch.from_numpy(arrays.lengths),
            cls_index=torch.from_numpy(arrays.cls_index),
            labels=torch.tensor([u.label for u in utterances], dtype=torch.float32),
            ids=[u.id for u in utterances],
        )

    def _aligned_stream(self, utterances: list[Utterance], rows: np.ndarray, stream: str) -> torch.Tensor | None:
        """(B, L, d) rows gathered per position (zero where ``rows`` is -1); None when the stream is absent."""
        prepared = None
        if self.standardizer is not None:
            def prepared(utterance: Utterance) -> np.ndarray:
                return self.standardized(utterance, stream)
        aligned = align_stream(utterances, rows, stream, self.dims[stream], self.standardizer, prepared)
        if aligned is None:
            return None
        self.dims[stream] = aligned.shape[-1]
        return torch.from_numpy(aligned)
