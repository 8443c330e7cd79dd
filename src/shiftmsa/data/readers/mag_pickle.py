"""MAG-BERT's word-aligned pickles (``mosi.pkl`` / ``mosei.pkl``).

Layout: ``{"train" | "dev" | "test": [((words, visual, acoustic), label, segment), ...]}`` with
``words`` a list/array of str, ``visual`` (n_words, 47) for MOSI / (n_words, 35) for MOSEI,
``acoustic`` (n_words, 74) COVAREP, ``label`` a float or an array of shape (1, 1), and ``segment``
the utterance id. ``"dev"`` becomes ``"valid"``. COVAREP holds -inf values: see ``inf_policy``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shiftmsa.data.contract import Corpus, DataError, DataReport
from shiftmsa.data.safe_pickle import load_pickle
from shiftmsa.data.validation import UtteranceChecker

SPLIT_NAMES = {"train": "train", "dev": "valid", "valid": "valid", "test": "test"}


def _unpack(path: str, split: str, index: int, sample: Any) -> tuple:
    try:
        (words, visual, acoustic), label, segment = sample
    except (TypeError, ValueError):
        raise DataError("expected ((words, visual, acoustic), label, segment)", path=path,
                        utterance_id=f"{split}[{index}]", field_name="sample") from None
    return segment, words, acoustic, visual, label


def read_mag_pickle(path: str | Path, *, inf_policy: str = "zero", name: str | None = None) -> Corpus:
    """Read a MAG-BERT pickle into a word-aligned ``Corpus``.

    Args:
        path: the ``.pkl`` file (read with the restricted unpickler).
        inf_policy: ``"zero"`` replaces +/-inf features with 0 and counts them, ``"error"`` refuses.
        name: corpus name; defaults to the file stem (``mosi``, ``mosei``).
    """
    source = str(path)
    content = load_pickle(path)
    if not isinstance(content, dict) or not set(content) & set(SPLIT_NAMES):
        raise DataError(f"expected a dict with keys train/dev/test, got {type(content).__name__}", path=source)
    unknown = set(content) - set(SPLIT_NAMES)
    if unknown:
        raise DataError(f"unknown split key(s) {sorted(unknown)}; expected train/dev/test", path=source)
    report = DataReport()
    checker = UtteranceChecker(source, report, word_aligned=True, inf_policy=inf_policy)
    utterances = []
    for key, samples in content.items():
        for index, sample in enumerate(samples):
            segment, words, acoustic, visual, label = _unpack(source, key, index, sample)
            utterances.append(checker.make(segment, words, acoustic, visual, label, SPLIT_NAMES[key]))
    return checker.corpus(name or Path(path).stem, utterances, word_aligned=True,
                          feature_names={"acoustic": "COVAREP (MAG-BERT)", "visual": "FACET (MAG-BERT)"})
