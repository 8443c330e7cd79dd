"""shiftmsa.data: readers for the community's MSA formats, validation, and word-piece batching.

Every reader returns a ``Corpus`` of ``Utterance``s (contract.py); ``read_corpus`` picks the reader;
``BatchBuilder`` turns utterances into the ``Batch`` models consume.
"""

from shiftmsa.data.alignment import BatchBuilder, EncodedUtterance
from shiftmsa.data.batch import Batch
from shiftmsa.data.contract import SPLITS, Corpus, DataError, DataReport, Utterance
from shiftmsa.data.reading import FORMATS, detect_format, read_corpus
from shiftmsa.data.readers.native import read_native_dataset, write_native_dataset
from shiftmsa.data.synthetic import generate_synthetic

__all__ = [
    "SPLITS", "Batch", "BatchBuilder", "Corpus", "DataError", "DataReport", "EncodedUtterance", "FORMATS",
    "Utterance", "detect_format", "generate_synthetic", "read_corpus", "read_native_dataset",
    "write_native_dataset",
]
