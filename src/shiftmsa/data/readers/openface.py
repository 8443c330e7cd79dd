"""The word-level OpenFace subset of CMU-MOSI (``mosi_openface_words.jsonl`` + ``mosi_openface_visual.npz``).

827 utterances of 36 videos: words are the Whisper ASR words (``asr_words``), visual is one
22-d OpenFace row per word (17 AU intensities, 2 gaze angles, 3 head rotations), acoustic is
absent, and the split is the CMU SDK fold (``sdk_fold``). See the folder's README for caveats.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shiftmsa.data.contract import Corpus, DataError, DataReport
from shiftmsa.data.npz import load_npz
from shiftmsa.data.readers.jsonl import read_jsonl
from shiftmsa.data.readers.ragged import check_offsets, split_rows
from shiftmsa.data.validation import UtteranceChecker

WORDS_FILE = "mosi_openface_words.jsonl"
VISUAL_FILE = "mosi_openface_visual.npz"


def read_openface(path: str | Path, *, inf_policy: str = "zero") -> Corpus:
    """Read the OpenFace subset folder into a word-aligned, visual-only ``Corpus``.

    Args:
        path: the folder holding the two files above.
        inf_policy: ``"zero"`` or ``"error"`` for +/-inf feature values.
    """
    folder = Path(path)
    records = read_jsonl(folder / WORDS_FILE, ("id", "label", "sdk_fold", "asr_words"))
    visual_path = str(folder / VISUAL_FILE)
    arrays = load_npz(visual_path)
    ids = np.asarray(arrays["id"]).astype(str)
    if ids.tolist() != [str(record["id"]) for record in records]:
        raise DataError(f"ids differ from {WORDS_FILE} (order or count)", path=visual_path, field_name="id")
    visual = np.asarray(arrays["visual"])
    offsets = check_offsets(arrays["offsets"], len(ids), len(visual), path=visual_path)
    checker = UtteranceChecker(visual_path, DataReport(), word_aligned=True, inf_policy=inf_policy)
    utterances = [checker.make(record["id"], record["asr_words"], None, rows, record["label"], record["sdk_fold"])
                  for record, rows in zip(records, split_rows(visual, offsets))]
    columns = " ".join(np.asarray(arrays.get("columns", [])).astype(str))
    corpus = checker.corpus("mosi-openface", utterances, word_aligned=True,
                            feature_names={"visual": f"OpenFace per word ({columns})" if columns else "OpenFace per word"})
    corpus.source = str(folder)
    return corpus
