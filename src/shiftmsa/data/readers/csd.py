"""CMU Multimodal SDK computational sequences (``.csd``, HDF5) and corpora assembled from them.

A ``.csd`` file holds one root group ``<root name>`` with ``data/<video id>/features`` (n, d) and
``data/<video id>/intervals`` (n, 2) (start, end in seconds) and ``metadata/<key>`` (one string
each). A labels sequence (e.g. ``CMU_MOSI_Opinion_Labels.csd``) has one row per opinion segment;
in the SDK's word-aligned layout the words sequence has one row per word interval (bytes words,
``b"sp"`` marking silence) and acoustic/visual sequences have one row per the same intervals.

Utterance ids are ``<video id>_<k>`` with k the 1-based row of the segment in the labels
sequence, which is how CMU-MOSI numbers its segments (the shared ``mosi_utterances.csv`` agrees).
A word (and its feature rows) belongs to the segment that contains the midpoint of its interval.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

from shiftmsa.data.contract import Corpus, DataError, DataReport
from shiftmsa.data.readers.csv_rows import read_csv_rows
from shiftmsa.data.validation import UtteranceChecker

SILENCE_TOKEN = "sp"
FOLD_COLUMNS = ("sdk_fold", "split", "mode", "fold")


@dataclass(frozen=True)
class ComputationalSequence:
    """One ``.csd`` file read into memory.

    Args:
        path: the file it came from.
        root_name: the HDF5 root group (e.g. ``"Opinion Segment Labels"``).
        metadata: metadata key -> decoded text.
        data: video id -> (features (n, d), intervals (n, 2)).
    """

    path: str
    root_name: str
    metadata: dict[str, str]
    data: dict[str, tuple[np.ndarray, np.ndarray]]

    @property
    def feature_dim(self) -> int:
        return next(iter(self.data.values()))[0].shape[1] if self.data else 0

    @property
    def n_rows(self) -> int:
        return sum(len(features) for features, _ in self.data.values())


def _decode(value) -> str:
    value = np.asarray(value).reshape(-1)
    item = value[0] if value.size else ""
    return item.decode("utf-8") if isinstance(item, bytes) else str(item)


def read_computational_sequence(path: str | Path) -> ComputationalSequence:
    """Read a ``.csd`` file, checking its layout (raises ``DataError`` naming file, video and field)."""
    import h5py

    source = str(path)
    if not Path(path).is_file():
        raise DataError("file not found", path=source)
    try:
        handle = h5py.File(source, "r")
    except OSError as error:
        raise DataError(f"not an HDF5 computational sequence ({error})", path=source) from None
    with handle:
        if len(handle) != 1:
            raise DataError(f"expected one root group, found {list(handle)}", path=source)
        root_name = next(iter(handle))
        root = handle[root_name]
        for group in ("data", "metadata"):
            if group not in root:
                raise DataError(f"root {root_name!r} has no {group!r} group", path=source, field_name=group)
        metadata = {key: _decode(dataset[()]) for key, dataset in root["metadata"].items()}
        data = {video: _read_video(source, video, group) for video, group in root["data"].items()}
    return ComputationalSequence(source, root_name, metadata, data)


def _read_video(source: str, video: str, group) -> tuple[np.ndarray, np.ndarray]:
    for key in ("features", "intervals"):
        if key not in group:
            raise DataError(f"video has no {key!r}", path=source, utterance_id=video, field_name=key)
    features, intervals = group["features"][()], np.asarray(group["intervals"][()], dtype=np.float64)
    if features.ndim != 2 or intervals.shape != (len(features), 2):
        raise DataError(f"features {features.shape} and intervals {intervals.shape} do not pair up row by row",
                        path=source, utterance_id=video, field_name="intervals")
    return features, intervals


def read_folds(folds: Mapping[str, str] | str | Path) -> dict[str, str]:
    """A video-or-utterance id -> split mapping from a dict, a CSV or a JSON file.

    CSV: an ``id`` or ``video`` column and a split column (one of ``FOLD_COLUMNS``), e.g. the shared
    ``mosi_utterances.csv``. JSON: ``{"train": [video ids], "valid": [...], "test": [...]}`` (the
    SDK's standard folds) or a flat ``{id: split}`` object.
    """
    if isinstance(folds, Mapping):
        return {str(key): str(value) for key, value in folds.items()}
    path = Path(folds)
    if not path.is_file():
        raise DataError("folds file not found", path=str(path))
    if path.suffix == ".json":
        content = json.loads(path.read_text(encoding="utf-8"))
        if all(isinstance(value, list) for value in content.values()):
            return {str(video): split for split, videos in content.items() for video in videos}
        return {str(key): str(value) for key, value in content.items()}
    rows = read_csv_rows(path, ())
    columns = rows[0].keys() if rows else []
    key_column = next((c for c in ("id", "video") if c in columns), None)
    split_column = next((c for c in FOLD_COLUMNS if c in columns), None)
    if key_column is None or split_column is None:
        raise DataError(f"a folds CSV needs an id/video column and one of {FOLD_COLUMNS}; found {list(columns)}",
                        path=str(path), field_name="folds")
    return {row[key_column]: row[split_column] for row in rows}


def _segment_rows(intervals: np.ndarray, start: float, end: float) -> np.ndarray:
    midpoints = intervals.mean(axis=1)
    return np.flatnonzero((midpoints >= start) & (midpoints <= end))


def _aligned_streams(words: ComputationalSequence, streams: dict[str, ComputationalSequence]) -> None:
    for field_name, sequence in streams.items():
        for video, (word_values, word_intervals) in words.data.items():
            if video not in sequence.data:
                raise DataError("video missing (the words sequence has it)", path=sequence.path,
                                utterance_id=video, field_name=field_name)
            if sequence.data[video][1].shape != word_intervals.shape or not np.allclose(
                    sequence.data[video][1], word_intervals, atol=1e-3):
                raise DataError("intervals differ from the words sequence: align the sequences to the words "
                                "first (the SDK's word-aligned layout)", path=sequence.path, utterance_id=video,
                                field_name="intervals")


def assemble_csd_corpus(labels: str | Path, *, folds: Mapping[str, str] | str | Path,
                        words: str | Path | None = None, texts: Mapping[str, str] | str | Path | None = None,
                        acoustic: str | Path | None = None, visual: str | Path | None = None,
                        name: str | None = None, inf_policy: str = "zero") -> Corpus:
    """Assemble a ``Corpus`` from a labels ``.csd`` and word-aligned word/acoustic/visual ``.csd`` files.

    Args:
        labels: the labels sequence (one row per segment, feature = sentiment).
        folds: id -> split (video ids or utterance ids), or a file for ``read_folds``.
        words: the words sequence; words inside each segment become its text (``"sp"`` dropped).
        texts: instead of ``words``: utterance id -> transcript (dict, or a CSV with ``id,text``
            columns such as ``mosi_utterances.csv``). Only for a corpus without features.
        acoustic / visual: feature sequences on the words' intervals (one row per word).
        name: corpus name; defaults to the labels file stem.
        inf_policy: ``"zero"`` or ``"error"`` for +/-inf feature values.
    """
    label_sequence = read_computational_sequence(labels)
    if (words is None) == (texts is None):
        raise DataError("give exactly one of words (a .csd) or texts (id -> transcript)", path=str(labels))
    streams = {field_name: read_computational_sequence(path)
               for field_name, path in (("acoustic", acoustic), ("visual", visual)) if path is not None}
    if streams and words is None:
        raise DataError("acoustic/visual sequences need the words sequence they are aligned to", path=str(labels))
    word_sequence = read_computational_sequence(words) if words is not None else None
    if word_sequence is not None:
        _aligned_streams(word_sequence, streams)
    transcripts = _read_texts(texts) if texts is not None else {}
    split_of = read_folds(folds)
    report = DataReport()
    checker = UtteranceChecker(str(labels), report, word_aligned=True, inf_policy=inf_policy)
    utterances = []
    for video, (label_values, segments) in label_sequence.data.items():
        for index, ((start, end), label) in enumerate(zip(segments, label_values)):
            utterance_id = f"{video}_{index + 1}"
            split = split_of.get(utterance_id, split_of.get(video))
            if split is None:
                raise DataError("no fold for this utterance or its video", path=str(folds) if not isinstance(
                    folds, Mapping) else "folds", utterance_id=utterance_id, field_name="folds")
            if word_sequence is None:
                utterances.append(checker.make(utterance_id, transcripts.get(utterance_id, ""), None, None, label,
                                               split))
                continue
            if video not in word_sequence.data:
                raise DataError("video missing from the words sequence", path=word_sequence.path,
                                utterance_id=utterance_id, field_name="words")
            word_values, word_intervals = word_sequence.data[video]
            rows = _segment_rows(word_intervals, start, end)
            tokens = [_decode(value) for value in word_values[rows]]
            is_spoken = np.array([token != SILENCE_TOKEN for token in tokens], dtype=bool)
            report.count("silence tokens 'sp' dropped", int((~is_spoken).sum()))
            features = {field_name: sequence.data[video][0][rows[is_spoken]] for field_name, sequence in streams.items()}
            utterances.append(checker.make(utterance_id, [t for t, keep in zip(tokens, is_spoken) if keep],
                                           features.get("acoustic"), features.get("visual"), label, split))
    return checker.corpus(name or Path(labels).stem, utterances, word_aligned=True,
                          feature_names={field_name: f"{sequence.root_name} (.csd)"
                                         for field_name, sequence in streams.items()})


def _read_texts(texts: Mapping[str, str] | str | Path) -> dict[str, str]:
    if isinstance(texts, Mapping):
        return dict(texts)
    return {row["id"]: row["text"] for row in read_csv_rows(texts, ("id", "text"))}
