"""One entry point for every format: ``read_corpus(path, format="auto", **options)``.

Formats and their options (all readers also take ``inf_policy="zero" | "error"`` except
mmsa-csv, which has no features, and synthetic, which has no infinities):

- ``mag-pkl``: MAG-BERT ``mosi.pkl``/``mosei.pkl``. Options: ``name``.
- ``mmsa-pkl``: MMSA ``aligned_50.pkl``/``unaligned_50.pkl``. Options: ``sequences="auto"|"mean"``, ``name``.
- ``mmsa-csv``: MMSA ``label.csv``, text only. Options: ``name``.
- ``misa-pkl`` / ``mmim-pkl``: MISA's (word-aligned) / MMIM's (unaligned) folder of ``train.pkl``,
  ``dev.pkl``, ``test.pkl``. Options: ``name``.
- ``mosi-table``: the shared MOSI folder. Options: ``split="sdk_fold"|"bclstm_split"``,
  ``features=("audio_opensmile",)`` (tuple or comma string; video_3dcnn is refused: label leak),
  ``text_column="text"``.
- ``openface``: the shared word-level OpenFace MOSI subset folder.
- ``csd``: a labels ``.csd`` assembled with ``folds=`` (required) and ``words=`` or ``texts=``,
  optional ``acoustic=``/``visual=`` ``.csd`` files, ``name``.
- ``native``: shiftmsa's dataset folder (``meta.json``, ``utterances.jsonl``, ``features.npz``).
- ``synthetic``: ``path`` is ignored (pass ``"synthetic"``); options ``n``, ``seed``,
  ``acoustic_dim``, ``visual_dim``.

``format="auto"`` decides from the path: ``"synthetic"``; a folder with ``meta.json`` (native),
``mosi_utterances.csv`` (mosi-table), ``mosi_openface_words.jsonl`` (openface) or split pickles
(``train.pkl``...: misa-pkl or mmim-pkl by the size of a sample's feature tuple); a ``.csd`` file;
a ``.csv`` file (mmsa-csv); a ``.pkl``/``.pickle`` file by its published name (``mosi.pkl``, ``mosei.pkl``: mag-pkl;
``aligned_50.pkl``, ``unaligned_50.pkl``: mmsa-pkl), else by whether its splits hold lists of
samples (MAG-BERT) or dicts of arrays (MMSA), read with the restricted unpickler.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Callable

from shiftmsa.data.contract import Corpus, DataError
from shiftmsa.data.readers.csd import assemble_csd_corpus
from shiftmsa.data.readers.mag_pickle import read_mag_pickle
from shiftmsa.data.readers.mmsa_csv import read_mmsa_label_csv
from shiftmsa.data.readers.mmsa_pickle import read_mmsa_pickle
from shiftmsa.data.readers.mosi_table import UTTERANCES_FILE as MOSI_TABLE_FILE, read_mosi_table
from shiftmsa.data.readers.native import META_FILE as NATIVE_META_FILE, read_native_dataset
from shiftmsa.data.readers.openface import WORDS_FILE as OPENFACE_WORDS_FILE, read_openface
from shiftmsa.data.readers.split_pickles import (has_split_pickles, read_misa_pickles, read_mmim_pickles,
                                                 split_pickle_format)
from shiftmsa.data.safe_pickle import load_pickle
from shiftmsa.data.synthetic import generate_synthetic

SYNTHETIC = "synthetic"
READERS: dict[str, Callable[..., Corpus]] = {
    "mag-pkl": read_mag_pickle,
    "mmsa-pkl": read_mmsa_pickle,
    "mmsa-csv": read_mmsa_label_csv,
    "misa-pkl": read_misa_pickles,
    "mmim-pkl": read_mmim_pickles,
    "mosi-table": read_mosi_table,
    "openface": read_openface,
    "csd": assemble_csd_corpus,
    "native": read_native_dataset,
}
FORMATS: tuple[str, ...] = ("auto", *READERS, SYNTHETIC)
FOLDER_MARKERS = {NATIVE_META_FILE: "native", MOSI_TABLE_FILE: "mosi-table", OPENFACE_WORDS_FILE: "openface"}
PICKLE_SUFFIXES = (".pkl", ".pickle")
KNOWN_PICKLE_NAMES = {"mosi.pkl": "mag-pkl", "mosei.pkl": "mag-pkl",
                      "aligned_50.pkl": "mmsa-pkl", "unaligned_50.pkl": "mmsa-pkl"}


def _pickle_format(path: Path) -> str:
    """By the published file names, else by content: MAG-BERT pickles map splits to lists of
    samples, MMSA pickles map them to dicts of arrays (sniffing loads the file once more)."""
    if path.name.lower() in KNOWN_PICKLE_NAMES:
        return KNOWN_PICKLE_NAMES[path.name.lower()]
    content = load_pickle(path)
    splits = [content[key] for key in ("train", "dev", "valid", "test")
              if isinstance(content, dict) and key in content]
    if splits and all(isinstance(split, list) for split in splits):
        return "mag-pkl"
    if splits and all(isinstance(split, dict) for split in splits):
        return "mmsa-pkl"
    raise DataError("a pickle with neither MAG-BERT's layout (split -> list of samples) nor MMSA's "
                    f"(split -> dict of arrays); give the format (--format, or format= in Python): one of {FORMATS[1:]}", path=str(path))


def detect_format(path: str | Path) -> str:
    """The format name ``read_corpus`` would use for ``path`` with ``format="auto"``."""
    if str(path) == SYNTHETIC:
        return SYNTHETIC
    path = Path(path)
    if not path.exists():
        raise DataError("no such file or folder", path=str(path))
    if path.is_dir():
        detected = next((fmt for marker, fmt in FOLDER_MARKERS.items() if (path / marker).is_file()), None)
        if detected is None and has_split_pickles(path):
            detected = split_pickle_format(path)
        if detected is None:
            raise DataError(f"cannot tell the dataset format of this folder (looked for {sorted(FOLDER_MARKERS)} and train.pkl/dev.pkl/test.pkl); "
                            f"give the format (--format, or format= in Python): one of {FORMATS[1:]}", path=str(path))
        return detected
    suffix = path.suffix.lower()
    if suffix == ".csd":
        return "csd"
    if suffix == ".csv":
        return "mmsa-csv"
    if suffix in PICKLE_SUFFIXES:
        return _pickle_format(path)
    raise DataError(f"cannot tell the dataset format from the name; give the format (--format, or format= in Python): one of {FORMATS[1:]}", path=str(path))


def read_corpus(path: str | Path, format: str = "auto", **options: Any) -> Corpus:
    """Read any supported dataset into a ``Corpus`` (formats and options: module docstring).

    Raises:
        DataError: naming the path (and utterance and field where known) for unknown formats,
            unreadable files and invalid data.
    """
    if format not in FORMATS:
        raise DataError(f"unknown format {format!r}; choose one of {FORMATS}", path=str(path))
    if format == "auto":
        format = detect_format(path)
    if format == SYNTHETIC:
        return generate_synthetic(**options)
    reader = READERS[format]
    try:
        inspect.signature(reader).bind(path, **options)
    except TypeError as error:
        raise DataError(f"format {format!r} does not take these options ({error}); see read_corpus's docstring",
                        path=str(path)) from None
    try:
        return reader(path, **options)
    except UnicodeDecodeError as error:  # a reader's text file that is not UTF-8
        raise DataError(f"a file of this dataset is not UTF-8 text ({error})", path=str(path)) from None


def load_corpus(config) -> Corpus:
    """The corpus a run configuration (``shiftmsa.config.RunConfig``) names in its ``data`` section."""
    return read_corpus(config.data.path, format=config.data.format, **config.data.options)
