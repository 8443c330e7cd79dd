"""Readable summaries of a corpus or a ``.csd`` sequence, for ``shiftmsa data check``."""

from __future__ import annotations

import numpy as np

from shiftmsa.data.contract import SPLITS, Corpus
from shiftmsa.data.readers.csd import ComputationalSequence
from shiftmsa.defaults import DEFAULT_MAX_LENGTH

LABEL_CLASSES = tuple(range(-3, 4))
METADATA_WIDTH = 100
SPECIAL_TOKENS = 2  # [CLS] + [SEP] for BERT, <sep> + <cls> for XLNet


def _spread(values: list[int]) -> str:
    return f"min {min(values)} / median {float(np.median(values)):g} / max {max(values)}"


def _stream_line(corpus: Corpus, stream: str) -> str:
    dim = getattr(corpus, f"{stream}_dim")
    if dim is None:
        return f"{stream}: absent"
    name = corpus.feature_names.get(stream)
    return f"{stream}: {dim}-d" + (f" ({name})" if name else "")


def _alignment(corpus: Corpus) -> str:
    if corpus.modalities == ("text",):
        return "text only (no acoustic or visual stream)"
    if corpus.word_aligned:
        return "word-aligned (one feature row per word)"
    return "per utterance (one feature row, broadcast to every word)"


def label_histogram(labels: list[float]) -> dict[int, int]:
    """Counts of the 7 classes -3..3 (labels clipped to [-3, 3] and rounded, as for acc7)."""
    classes = np.round(np.clip(np.asarray(labels, dtype=np.float64), -3, 3)).astype(int)
    return {c: int((classes == c).sum()) for c in LABEL_CLASSES}


def piece_counts(corpus: Corpus, tokenizer) -> list[int]:
    """Word pieces per utterance (special tokens excluded), each word tokenised alone."""
    return [sum(len(p) for p in tokenizer(list(u.words), add_special_tokens=False)["input_ids"]) for u in corpus]


def summarize_corpus(corpus: Corpus, *, format_name: str | None = None, tokenizer=None, tokenizer_name: str = "",
                     max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """Splits, streams, alignment, sequence lengths, label histogram, repairs and notes, one per line.

    Args:
        corpus: what to describe.
        format_name: the reader used, shown in the header.
        tokenizer: optional Hugging Face tokenizer to count word pieces.
        tokenizer_name: its name for the summary.
        max_length: the batch builder's length cap, to count utterances it would truncate.
    """
    sizes = corpus.split_sizes()
    lines = [
        f"dataset      {corpus.name}" + (f"  (format {format_name})" if format_name else ""),
        f"source       {corpus.source}",
        f"utterances   {len(corpus)}: " + " / ".join(f"{split} {sizes[split]}" for split in SPLITS),
        "streams      text; " + "; ".join(_stream_line(corpus, stream) for stream in ("acoustic", "visual")),
        "alignment    " + _alignment(corpus),
        f"words/utt    {_spread([len(u.words) for u in corpus])}",
    ]
    if tokenizer is not None:
        pieces = piece_counts(corpus, tokenizer)
        budget = max_length - SPECIAL_TOKENS
        truncated = sum(count > budget for count in pieces)
        lines.append(f"pieces/utt   {_spread(pieces)} ({tokenizer_name}); {truncated} utterance(s) longer than "
                     f"{budget} pieces get truncated at max_length {max_length}")
    histogram = label_histogram([u.label for u in corpus])
    lines.append("labels       " + "  ".join(f"{c:+d}: {n}" for c, n in histogram.items())
                 + f"   (mean {np.mean([u.label for u in corpus]):+.2f})")
    repairs = corpus.report.repairs
    lines.append("problems     " + ("none" if not repairs else
                                    "; ".join(f"{policy}: {count} value(s)" for policy, count in repairs.items())))
    lines.extend(f"note         {note}" for note in corpus.report.notes)
    return "\n".join(lines)


def summarize_sequence(sequence: ComputationalSequence) -> str:
    """Root name, videos, rows, feature dim, interval span and metadata of a ``.csd`` file."""
    rows_per_video = [len(features) for features, _ in sequence.data.values()]
    lines = [
        f"sequence     {sequence.root_name!r}  (format csd)",
        f"source       {sequence.path}",
        f"videos       {len(sequence.data)}",
        f"rows         {sequence.n_rows} (segments/steps); per video {_spread(rows_per_video) if rows_per_video else '-'}",
        f"feature dim  {sequence.feature_dim}",
    ]
    numeric = [features for features, _ in sequence.data.values() if features.dtype.kind in "fiu"]
    if numeric:
        values = np.concatenate([f.reshape(-1) for f in numeric]).astype(np.float64)
        finite = np.isfinite(values)
        lines.append(f"values       min {values[finite].min():g} / mean {values[finite].mean():g} / max "
                     f"{values[finite].max():g}; non-finite {int((~finite).sum())}")
    for key, value in sorted(sequence.metadata.items()):
        shown = value if len(value) <= METADATA_WIDTH else value[: METADATA_WIDTH - 3] + "..."
        lines.append(f"metadata     {key}: {shown}")
    return "\n".join(lines)
