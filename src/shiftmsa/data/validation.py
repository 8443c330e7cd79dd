"""Turn raw reader output into checked ``Utterance``s, with errors that say where and what.

Every reader builds its utterances through ``UtteranceChecker.make`` so the same rules hold for
every format (DESIGN.md, "Data"): non-empty text, a finite label in [-3, 3], 2-D float features
of one width per stream, as many steps as words (word-aligned) or one step (per utterance), no
NaN, and an explicit, counted policy for +/-inf.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from shiftmsa.data.contract import (LABEL_RANGE, SPLITS, Corpus, DataError, DataReport, Utterance,
                                    group_by_split)

INF_POLICIES = ("zero", "error")
# Names other tools give our splits (MAG-BERT and MMSA's label.csv say "dev").
SPLIT_ALIASES = {"dev": "valid", "val": "valid", "validation": "valid"}


def inf_repair_name(field_name: str) -> str:
    """The ``DataReport.repairs`` key under which +/-inf replacements of a stream are counted."""
    return f"{field_name} +/-inf replaced with 0"


def as_label(value: Any) -> float:
    """A float from a label stored as a number or a one-element array (MAG-BERT: shape (1, 1))."""
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise ValueError(f"expected one number, got an array of shape {array.shape}")
    return float(array.reshape(()))


def as_words(value: Any) -> tuple[str, ...]:
    """A tuple of str from a list/array of str or bytes, or from a whitespace-separated string."""
    if isinstance(value, (str, bytes)):
        value = (value.decode("utf-8") if isinstance(value, bytes) else value).split()
    return tuple(w.decode("utf-8") if isinstance(w, bytes) else str(w) for w in value)


class UtteranceChecker:
    """Validates utterances of one source file and records the corpus-wide feature widths.

    Args:
        path: the file or folder being read, named in every error.
        report: where repairs (e.g. +/-inf replaced) are counted.
        word_aligned: True when features must have one step per word, False for one step per
            utterance, None to accept either.
        acoustic_dim / visual_dim: expected widths, or None to take the first utterance's width.
        inf_policy: ``"zero"`` (default; replace +/-inf with 0 and count it) or ``"error"``.
    """

    def __init__(self, path: str, report: DataReport, *, word_aligned: bool | None,
                 acoustic_dim: int | None = None, visual_dim: int | None = None, inf_policy: str = "zero"):
        if inf_policy not in INF_POLICIES:
            raise DataError(f"unknown inf_policy {inf_policy!r}; choose one of {INF_POLICIES}", path=path)
        self.path = path
        self.report = report
        self.word_aligned = word_aligned
        self.dims: dict[str, int | None] = {"acoustic": acoustic_dim, "visual": visual_dim}
        self.inf_policy = inf_policy
        self.seen_ids: set[str] = set()
        self.present: dict[str, bool] = {}

    def error(self, message: str, utterance_id: str | None, field_name: str) -> DataError:
        return DataError(message, path=self.path, utterance_id=utterance_id, field_name=field_name)

    def make(self, utterance_id: Any, words: Any, acoustic: Any, visual: Any, label: Any, split: str) -> Utterance:
        """A validated ``Utterance``; raises ``DataError`` naming file, id and field otherwise."""
        utterance_id = self._check_id(utterance_id)
        words = self._check_words(utterance_id, words)
        return Utterance(
            id=utterance_id,
            words=words,
            acoustic=self._check_features(utterance_id, "acoustic", acoustic, len(words)),
            visual=self._check_features(utterance_id, "visual", visual, len(words)),
            label=self._check_label(utterance_id, label),
            split=self._check_split(utterance_id, split),
        )

    def _check_id(self, utterance_id: Any) -> str:
        if isinstance(utterance_id, bytes):
            utterance_id = utterance_id.decode("utf-8")
        utterance_id = str(utterance_id).strip()
        if not utterance_id:
            raise self.error("empty utterance id", None, "id")
        if utterance_id in self.seen_ids:
            raise self.error("duplicate utterance id: ids must be unique", utterance_id, "id")
        self.seen_ids.add(utterance_id)
        return utterance_id

    def _check_words(self, utterance_id: str, words: Any) -> tuple[str, ...]:
        try:
            words = tuple(w for w in as_words(words) if w.strip())
        except (TypeError, UnicodeDecodeError) as error:
            raise self.error(f"words must be a list of strings ({error})", utterance_id, "words") from None
        if not words:
            raise self.error("empty text: the utterance has no words", utterance_id, "words")
        return words

    def _check_label(self, utterance_id: str, label: Any) -> float:
        try:
            value = as_label(label)
        except (TypeError, ValueError) as error:
            raise self.error(f"label is not a number ({error})", utterance_id, "label") from None
        low, high = LABEL_RANGE
        if not np.isfinite(value):
            raise self.error(f"label {value} is not a finite number", utterance_id, "label")
        if not low <= value <= high:
            raise self.error(f"label {value} is outside [{low:g}, {high:g}]", utterance_id, "label")
        return value

    def _check_split(self, utterance_id: str, split: str) -> str:
        split = SPLIT_ALIASES.get(str(split).strip().lower(), str(split).strip().lower())
        if split not in SPLITS:
            raise self.error(f"unknown split {split!r}; expected one of {SPLITS}", utterance_id, "split")
        return split

    def _check_features(self, utterance_id: str, field_name: str, values: Any, n_words: int) -> np.ndarray | None:
        self._check_presence(utterance_id, field_name, values is not None)
        if values is None:
            return None
        try:
            array = np.array(values, dtype=np.float32)
        except (TypeError, ValueError) as error:
            raise self.error(f"features are not numeric ({error})", utterance_id, field_name) from None
        if array.ndim != 2:
            raise self.error(f"expected a 2-D array (steps, dim), got shape {array.shape}", utterance_id, field_name)
        expected_dim = self.dims[field_name]
        if expected_dim is not None and array.shape[1] != expected_dim:
            raise self.error(f"feature dim {array.shape[1]} != expected {expected_dim}", utterance_id, field_name)
        self.dims[field_name] = array.shape[1]
        self._check_steps(utterance_id, field_name, array.shape[0], n_words)
        return self.clean_values(utterance_id, field_name, array)

    def clean_values(self, utterance_id: str, field_name: str, array: np.ndarray) -> np.ndarray:
        """Refuse NaN and apply ``inf_policy`` to +/-inf (in place on a float32 array)."""
        if np.isnan(array).any():
            raise self.error(f"{int(np.isnan(array).sum())} NaN value(s)", utterance_id, field_name)
        infinite = np.isinf(array)
        if infinite.any():
            if self.inf_policy == "error":
                raise self.error(f"{int(infinite.sum())} +/-inf value(s) (inf_policy='error'; use 'zero' to replace "
                                 "them with 0)", utterance_id, field_name)
            array[infinite] = 0.0
            self.report.count(inf_repair_name(field_name), int(infinite.sum()))
        return array

    def _check_presence(self, utterance_id: str, field_name: str, present: bool) -> None:
        expected = self.present.setdefault(field_name, present)
        if present != expected:
            state = "has" if present else "lacks"
            raise self.error(f"this utterance {state} the {field_name} stream but earlier ones do not agree: "
                             "a corpus has a stream for every utterance or for none", utterance_id, field_name)

    def corpus(self, name: str, utterances: Iterable[Utterance], *, word_aligned: bool,
               feature_names: dict[str, str] | None = None) -> Corpus:
        """A ``Corpus`` of checked utterances, with the widths seen (None for an absent stream)."""
        utterances = list(utterances)
        if not utterances:
            raise DataError("no utterances found", path=self.path)
        return Corpus(
            name=name, source=self.path, splits=group_by_split(utterances),
            acoustic_dim=self.dims["acoustic"] if self.present.get("acoustic") else None,
            visual_dim=self.dims["visual"] if self.present.get("visual") else None,
            word_aligned=word_aligned, feature_names=dict(feature_names or {}), report=self.report,
        )

    def _check_steps(self, utterance_id: str, field_name: str, steps: int, n_words: int) -> None:
        allowed = {True: (n_words,), False: (1,), None: (n_words, 1)}[self.word_aligned]
        if steps not in allowed:
            expectation = " or ".join(str(a) for a in sorted(set(allowed)))
            raise self.error(f"{steps} feature steps for {n_words} words (expected {expectation})",
                             utterance_id, field_name)
