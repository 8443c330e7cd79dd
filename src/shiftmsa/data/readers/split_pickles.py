"""Data caches written as one pickle per split: MISA's and MMIM's ``train.pkl`` / ``dev.pkl`` /
``test.pkl`` folders (declare-lab/MISA, declare-lab/Multimodal-Infomax).

Each file is a list of samples, ``(features, label, segment)``:

- ``misa-pkl``: ``features = (word_ids, visual, acoustic, words)``, with ``visual`` (n_words, 47)
  FACET and ``acoustic`` (n_words, 74) COVAREP on MOSI, one row per word (word-aligned), ``words``
  the list of str, ``label`` shaped ``[[y]]`` and ``segment`` like ``"VIDEO[k]"``.
- ``mmim-pkl``: ``features = (word_ids, visual, acoustic, words, visual_length, acoustic_length)``
  with unaligned frame sequences (MOSI: visual 20-d, acoustic 5-d) of their own lengths. Frames
  are not words: each utterance's frames are averaged into one per-utterance step (broadcast to
  every word by the batch builder), as the MMSA reader does with unaligned files; the report says so.

Files from either project pickle numpy arrays with numpy's legacy ``numpy.core.multiarray``
globals; the restricted unpickler accepts those and nothing that runs code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from shiftmsa.data.contract import Corpus, DataError, DataReport
from shiftmsa.data.safe_pickle import load_pickle
from shiftmsa.data.validation import UtteranceChecker

SPLIT_FILES = {"train.pkl": "train", "dev.pkl": "valid", "test.pkl": "test"}
FEATURE_TUPLE_SIZES = {"misa-pkl": 4, "mmim-pkl": 6}


def has_split_pickles(folder: Path) -> bool:
    """Whether ``folder`` holds any of ``train.pkl`` / ``dev.pkl`` / ``test.pkl``."""
    return any((folder / name).is_file() for name in SPLIT_FILES)


def _split_samples(folder: Path) -> dict[Path, list]:
    """Each split file's list of samples; every split file must be there."""
    missing = [name for name in SPLIT_FILES if not (folder / name).is_file()]
    if missing:
        present = sorted(set(SPLIT_FILES) - set(missing))
        raise DataError(f"a split-pickle folder needs {', '.join(SPLIT_FILES)}; missing {', '.join(missing)} "
                        f"(found {', '.join(present) or 'none'})", path=str(folder))
    samples = {}
    for name in SPLIT_FILES:
        content = load_pickle(folder / name)
        if not isinstance(content, list):
            raise DataError(f"expected a list of samples, got {type(content).__name__}", path=str(folder / name))
        samples[folder / name] = content
    return samples


def split_pickle_format(folder: Path) -> str:
    """``misa-pkl`` or ``mmim-pkl``, from the size of the first training sample's feature tuple."""
    first = next(iter(_split_samples(folder).values()))
    try:
        size = len(first[0][0])
    except (IndexError, TypeError):
        raise DataError("cannot read the first sample as (features, label, segment)",
                        path=str(folder / "train.pkl"), utterance_id="train[0]", field_name="sample") from None
    for name, expected in FEATURE_TUPLE_SIZES.items():
        if size == expected:
            return name
    raise DataError(f"a feature tuple of {size} items is neither MISA's (4: word ids, visual, acoustic, words) "
                    "nor MMIM's (6: ... words, visual length, acoustic length); pass --format",
                    path=str(folder / "train.pkl"), utterance_id="train[0]", field_name="sample")


def _unpack(path: Path, index: int, sample: Any, size: int) -> tuple[tuple, Any, Any]:
    try:
        features, label, segment = sample
        if len(features) != size:
            raise ValueError
    except (TypeError, ValueError):
        raise DataError(f"expected (features of {size} items, label, segment)", path=str(path),
                        utterance_id=f"[{index}]", field_name="sample") from None
    return tuple(features), label, segment


def _misa_streams(features: tuple, checker: UtteranceChecker, utterance_id: str) -> tuple:
    _word_ids, visual, acoustic, words = features
    return words, acoustic, visual


def _frames_mean(checker: UtteranceChecker, utterance_id: str, field_name: str, frames: Any,
                 length: Any) -> np.ndarray:
    """The mean of an utterance's first ``length`` frames (at least one), NaN/inf checked first."""
    try:
        rows = np.array(frames, dtype=np.float32)
        count = int(np.asarray(length).reshape(()))
    except (TypeError, ValueError) as error:
        raise checker.error(f"frames or their length are not numeric ({error})", utterance_id, field_name) from None
    if rows.ndim != 2 or len(rows) == 0:
        raise checker.error(f"expected (frames, dim) with at least one frame, got shape {rows.shape}",
                            utterance_id, field_name)
    rows = checker.clean_values(utterance_id, field_name, rows[:max(1, min(count, len(rows)))])
    return rows.mean(axis=0, keepdims=True)


def _mmim_streams(features: tuple, checker: UtteranceChecker, utterance_id: str) -> tuple:
    _word_ids, visual, acoustic, words, visual_length, acoustic_length = features
    return (words, _frames_mean(checker, utterance_id, "acoustic", acoustic, acoustic_length),
            _frames_mean(checker, utterance_id, "visual", visual, visual_length))


def _read_split_pickles(path: str | Path, format_name: str, streams: Callable[..., tuple], *,
                        word_aligned: bool, feature_names: dict[str, str], inf_policy: str,
                        name: str | None, note: str | None = None) -> Corpus:
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"{format_name} is a folder holding {', '.join(SPLIT_FILES)}", path=str(folder))
    report = DataReport()
    checker = UtteranceChecker(str(folder), report, word_aligned=word_aligned, inf_policy=inf_policy)
    utterances = []
    for file_path, samples in _split_samples(folder).items():
        checker.path = str(file_path)  # errors name the split file
        for index, sample in enumerate(samples):
            features, label, segment = _unpack(file_path, index, sample, FEATURE_TUPLE_SIZES[format_name])
            utterance_id = segment.decode("utf-8") if isinstance(segment, bytes) else str(segment)
            words, acoustic, visual = streams(features, checker, utterance_id)
            utterances.append(checker.make(utterance_id, words, acoustic, visual, label,
                                           SPLIT_FILES[file_path.name]))
    checker.path = str(folder)
    if note:
        report.notes.append(note)
    return checker.corpus(name or folder.name, utterances, word_aligned=word_aligned, feature_names=feature_names)


def read_misa_pickles(path: str | Path, *, inf_policy: str = "zero", name: str | None = None) -> Corpus:
    """Read MISA's word-aligned ``train.pkl`` / ``dev.pkl`` / ``test.pkl`` folder.

    Args:
        path: the folder (each file read with the restricted unpickler).
        inf_policy: ``"zero"`` replaces +/-inf features with 0 and counts them, ``"error"`` refuses.
        name: corpus name; defaults to the folder name.
    """
    return _read_split_pickles(path, "misa-pkl", _misa_streams, word_aligned=True, inf_policy=inf_policy,
                               name=name, feature_names={"acoustic": "COVAREP (MISA)", "visual": "FACET (MISA)"})


def read_mmim_pickles(path: str | Path, *, inf_policy: str = "zero", name: str | None = None) -> Corpus:
    """Read MMIM's unaligned ``train.pkl`` / ``dev.pkl`` / ``test.pkl`` folder (frames averaged
    per utterance, see the module docstring).

    Args:
        path: the folder (each file read with the restricted unpickler).
        inf_policy: ``"zero"`` replaces +/-inf features with 0 and counts them, ``"error"`` refuses.
        name: corpus name; defaults to the folder name.
    """
    return _read_split_pickles(
        path, "mmim-pkl", _mmim_streams, word_aligned=False, inf_policy=inf_policy, name=name,
        feature_names={"acoustic": "acoustic frames (MMIM)", "visual": "visual frames (MMIM)"},
        note="MMIM's acoustic and visual streams are frame sequences, not words: each utterance's valid "
             "frames were averaged into one per-utterance step (broadcast to every word by the batch builder)")
