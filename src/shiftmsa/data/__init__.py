"""shiftmsa.data: readers for the community's MSA formats, validation, and word-piece batching.

Every reader returns a ``Corpus`` of ``Utterance``s (contract.py); ``read_corpus`` picks the reader;
``BatchBuilder`` turns utterances into the ``Batch`` models consume.

The names below are imported on first use, so that importing one light submodule (say
``shiftmsa.data.contract`` for ``shiftmsa --help``) does not import torch.
"""

from __future__ import annotations

import importlib

_SOURCES = {
    "BatchBuilder": "word_pieces", "EncodedUtterance": "word_pieces", "Batch": "batch",
    "SPLITS": "contract", "Corpus": "contract", "DataError": "contract", "DataReport": "contract",
    "Utterance": "contract", "FORMATS": "reading", "detect_format": "reading", "read_corpus": "reading",
    "read_native_dataset": "readers.native", "write_native_dataset": "readers.native",
    "generate_synthetic": "synthetic",
}
__all__ = sorted(_SOURCES)


def __getattr__(name: str):
    if name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_SOURCES[name]}"), name)
