"""The shared CMU-MOSI table: ``mosi_utterances.csv`` + ``mosi_utterance_features.npz``.

Both feature sets are per utterance (one step each, broadcast to every word by the batch builder).

Split schemes:
- ``"sdk_fold"`` (default): the CMU SDK standard folds (train 1284 / valid 229 / test 686).
- ``"bclstm_split"``: bc-LSTM's video-level train/test split; validation videos are carved from
  its train part: the train videos sorted by the SHA-256 of their id, the first
  ``VALID_VIDEO_FRACTION`` of them (rounded) become ``valid``. Stable across runs and machines.

Features: ``"audio_opensmile"`` (73-d, unsupervised) -> acoustic. The file also holds
``"video_3dcnn"`` (100-d), which is refused on every split: it is label-contaminated
(``LEAK_MESSAGE`` gives the measured evidence), so it measures a shortcut, not a model.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from shiftmsa.data.contract import Corpus, DataError, DataReport
from shiftmsa.data.npz import load_npz
from shiftmsa.data.readers.csv_rows import read_csv_rows
from shiftmsa.data.validation import UtteranceChecker

UTTERANCES_FILE = "mosi_utterances.csv"
FEATURES_FILE = "mosi_utterance_features.npz"
SPLIT_SCHEMES = ("sdk_fold", "bclstm_split")
FEATURE_STREAMS = {"audio_opensmile": "acoustic", "video_3dcnn": "visual"}
DEFAULT_FEATURES = ("audio_opensmile",)
VALID_VIDEO_FRACTION = 0.15
LEAK_MESSAGE = (
    "video_3dcnn is label-contaminated on every split: a logistic regression on it reaches 0.904 binary "
    "accuracy cross-validated over the bclstm_split train videos (5 folds grouped by video) but 0.519 on the "
    "bclstm_split test part, and 0.808 on the sdk_fold test split (558 of its 686 utterances are bc-LSTM train "
    "videos): the vectors come from a network trained with the labels of bc-LSTM's train videos, so they encode "
    "the label of every train and validation utterance and nothing for unseen ones. Use "
    "features=('audio_opensmile',) (issue 10 has the measurement)"
)


def carve_validation_videos(videos: list[str], fraction: float = VALID_VIDEO_FRACTION) -> set[str]:
    """The videos moved from train to valid: the first ``round(fraction * n)`` by SHA-256 of the id."""
    ranked = sorted(set(videos), key=lambda video: hashlib.sha256(video.encode("utf-8")).hexdigest())
    return set(ranked[: round(fraction * len(ranked))])


def _splits(rows: list[dict[str, str]], scheme: str) -> list[str]:
    if scheme == "sdk_fold":
        return [row["sdk_fold"] for row in rows]
    valid_videos = carve_validation_videos([row["video"] for row in rows if row["bclstm_split"] == "train"])
    return ["valid" if row["video"] in valid_videos else row["bclstm_split"] for row in rows]


def _feature_columns(source: str, features: tuple[str, ...], split: str) -> None:
    unknown = [name for name in features if name not in FEATURE_STREAMS]
    if unknown:
        raise DataError(f"unknown feature set(s) {unknown}; choose from {tuple(FEATURE_STREAMS)}", path=source,
                        field_name="features")
    if split not in SPLIT_SCHEMES:
        raise DataError(f"unknown split scheme {split!r}; choose one of {SPLIT_SCHEMES}", path=source,
                        field_name="split")
    if "video_3dcnn" in features:
        raise DataError(f"refused video_3dcnn: {LEAK_MESSAGE}", path=source, field_name="video_3dcnn")


def read_mosi_table(path: str | Path, *, split: str = "sdk_fold", features: tuple[str, ...] | str = DEFAULT_FEATURES,
                    text_column: str = "text", inf_policy: str = "zero") -> Corpus:
    """Read the shared MOSI table folder into a per-utterance ``Corpus``.

    Args:
        path: the folder holding ``mosi_utterances.csv`` and ``mosi_utterance_features.npz``.
        split: ``"sdk_fold"`` or ``"bclstm_split"`` (see the module docstring).
        features: feature sets to read, a tuple or a comma-separated string; empty for text only.
        text_column: ``"text"`` (full transcript, default) or ``"text_aligned"``.
        inf_policy: ``"zero"`` or ``"error"`` for +/-inf feature values.
    """
    folder = Path(path)
    source = str(folder)
    if isinstance(features, str):
        features = tuple(name.strip() for name in features.split(",") if name.strip())
    _feature_columns(source, tuple(features), split)
    table_path = folder / UTTERANCES_FILE
    rows = read_csv_rows(table_path, ("id", "video", "label", "sdk_fold", "bclstm_split", text_column))
    arrays = load_npz(folder / FEATURES_FILE) if features else {}
    if features:
        ids = np.asarray(arrays["id"]).astype(str)
        mismatch = next((i for i, row in enumerate(rows) if i >= len(ids) or ids[i] != row["id"]), None)
        if mismatch is not None or len(ids) != len(rows):
            raise DataError("feature rows are not in the order of the CSV rows (or their counts differ)",
                            path=str(folder / FEATURES_FILE),
                            utterance_id=rows[mismatch]["id"] if mismatch is not None else None, field_name="id")
        for name in features:
            if name not in arrays or len(arrays[name]) != len(rows):
                found = f"{len(arrays[name])} rows" if name in arrays else "no such array"
                raise DataError(f"{found} for the {len(rows)} utterances of {UTTERANCES_FILE}",
                                path=str(folder / FEATURES_FILE), field_name=name)
    report = DataReport(notes=["MOSI table features are per utterance: broadcast to every word"] if features else [])
    checker = UtteranceChecker(str(table_path), report, word_aligned=False, inf_policy=inf_policy)
    streams = {FEATURE_STREAMS[name]: arrays[name] for name in features}
    utterances = [
        checker.make(row["id"], row[text_column],
                     streams["acoustic"][i: i + 1] if "acoustic" in streams else None,
                     streams["visual"][i: i + 1] if "visual" in streams else None,
                     row["label"], split_name)
        for i, (row, split_name) in enumerate(zip(rows, _splits(rows, split)))
    ]
    corpus = checker.corpus(f"mosi-{split}", utterances, word_aligned=False,
                            feature_names={FEATURE_STREAMS[name]: name for name in features})
    corpus.source = source
    return corpus
