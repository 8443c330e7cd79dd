"""shiftmsa's own dataset folder: plain JSON and ``.npz`` (no pickles), written atomically.

Layout of a folder:
- ``utterances.jsonl``: one object per utterance: ``id``, ``words`` (list of str), ``label``, ``split``.
- ``features.npz`` (``np.load(allow_pickle=False)`` works): ``id`` (unicode [N], same order),
  ``offsets`` (int64 [N+1]), ``acoustic`` (float32 [rows, d_a]) and/or ``visual`` (float32
  [rows, d_v]); rows ``offsets[i]:offsets[i+1]`` belong to utterance i (one per word when
  word-aligned, one per utterance otherwise). Absent when the corpus is text only.
- ``meta.json``: ``name``, ``acoustic_dim``, ``visual_dim``, ``word_aligned``, ``feature_names``,
  ``provenance`` (free dict: how the data was made), ``format_version``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from shiftmsa.data.contract import Corpus, DataError, DataReport
from shiftmsa.data.npz import load_npz
from shiftmsa.data.readers.jsonl import read_jsonl
from shiftmsa.data.readers.ragged import check_offsets, join_rows, split_rows
from shiftmsa.data.validation import UtteranceChecker
from shiftmsa.files import write_together

UTTERANCES_FILE = "utterances.jsonl"
FEATURES_FILE = "features.npz"
META_FILE = "meta.json"
FORMAT_VERSION = 1
STREAMS = ("acoustic", "visual")


def _features_payload(corpus: Corpus, folder: Path) -> dict[str, np.ndarray] | None:
    utterances = list(corpus)
    present = [stream for stream in STREAMS if getattr(corpus, f"{stream}_dim") is not None]
    if not present:
        return None
    steps = {stream: [len(getattr(u, stream)) for u in utterances] for stream in present}
    if len(present) == 2 and steps["acoustic"] != steps["visual"]:
        mismatch = next(u for u in utterances if len(u.acoustic) != len(u.visual))
        raise DataError("acoustic and visual steps differ; the native format stores one offsets array for both",
                        path=str(folder), utterance_id=mismatch.id, field_name="visual")
    payload = {"id": np.array([u.id for u in utterances], dtype=str)}
    for stream in present:
        payload[stream], payload["offsets"] = join_rows([getattr(u, stream) for u in utterances])
    return payload


def write_native_dataset(corpus: Corpus, folder: str | Path, provenance: dict[str, Any] | None = None) -> Path:
    """Write ``corpus`` as a native dataset folder and return the folder.

    All files are first written under temporary names and renamed only once every one of them
    succeeded (``meta.json`` last), so a failure leaves any dataset already in ``folder`` whole.

    Args:
        corpus: the corpus to store.
        folder: destination (created if needed).
        provenance: free JSON-serialisable description of how the data was made.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    features = _features_payload(corpus, folder)
    meta = {"name": corpus.name, "acoustic_dim": corpus.acoustic_dim, "visual_dim": corpus.visual_dim,
            "word_aligned": corpus.word_aligned, "feature_names": corpus.feature_names,
            "provenance": provenance or {}, "format_version": FORMAT_VERSION}
    lines = "".join(json.dumps({"id": u.id, "words": list(u.words), "label": u.label, "split": u.split}) + "\n"
                    for u in corpus)
    writers = {folder / UTTERANCES_FILE: lambda handle: handle.write(lines.encode("utf-8"))}
    if features is not None:
        writers[folder / FEATURES_FILE] = lambda handle: np.savez(handle, **features)
    meta_text = json.dumps(meta, indent=2, default=str) + "\n"
    writers[folder / META_FILE] = lambda handle: handle.write(meta_text.encode("utf-8"))
    write_together(writers)
    if features is None:
        (folder / FEATURES_FILE).unlink(missing_ok=True)
    return folder


def read_native_meta(folder: str | Path) -> dict[str, Any]:
    """The parsed ``meta.json`` of a native dataset folder."""
    path = Path(folder) / META_FILE
    if not path.is_file():
        raise DataError(f"not a shiftmsa dataset folder: {META_FILE} is missing", path=str(folder))
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataError(f"invalid JSON ({error})", path=str(path)) from None
    for key in ("name", "acoustic_dim", "visual_dim", "word_aligned"):
        if key not in meta:
            raise DataError(f"missing key {key!r}", path=str(path), field_name=key)
    return meta


def _feature_rows(folder: Path, meta: dict, n_utterances: int, ids: list[str]) -> dict[str, list | None]:
    streams = [stream for stream in STREAMS if meta[f"{stream}_dim"] is not None]
    if not streams:
        return {stream: None for stream in STREAMS}
    path = str(folder / FEATURES_FILE)
    arrays = load_npz(path)
    if np.asarray(arrays.get("id", [])).astype(str).tolist() != ids:
        raise DataError(f"ids differ from {UTTERANCES_FILE} (order or count)", path=path, field_name="id")
    rows: dict[str, list | None] = {stream: None for stream in STREAMS}
    for stream in streams:
        if stream not in arrays:
            raise DataError(f"meta.json declares {stream}_dim but the archive has no {stream!r}", path=path,
                            field_name=stream)
        offsets = check_offsets(arrays.get("offsets"), n_utterances, len(arrays[stream]), path=path)
        rows[stream] = split_rows(arrays[stream], offsets)
    return rows


def read_native_dataset(path: str | Path, *, inf_policy: str = "zero") -> Corpus:
    """Read a native dataset folder (see the module docstring) into a ``Corpus``.

    Args:
        path: the folder holding ``meta.json``, ``utterances.jsonl`` and (unless text only) ``features.npz``.
        inf_policy: ``"zero"`` or ``"error"`` for +/-inf feature values.
    """
    folder = Path(path)
    meta = read_native_meta(folder)
    records = read_jsonl(folder / UTTERANCES_FILE, ("id", "words", "label", "split"))
    rows = _feature_rows(folder, meta, len(records), [str(r["id"]) for r in records])
    checker = UtteranceChecker(str(folder / UTTERANCES_FILE), DataReport(), word_aligned=bool(meta["word_aligned"]),
                               acoustic_dim=meta["acoustic_dim"], visual_dim=meta["visual_dim"], inf_policy=inf_policy)
    utterances = [
        checker.make(record["id"], record["words"],
                     rows["acoustic"][i] if rows["acoustic"] is not None else None,
                     rows["visual"][i] if rows["visual"] is not None else None,
                     record["label"], record["split"])
        for i, record in enumerate(records)
    ]
    corpus = checker.corpus(str(meta["name"]), utterances, word_aligned=bool(meta["word_aligned"]),
                            feature_names=meta.get("feature_names") or {})
    corpus.source = str(folder)
    provenance = meta.get("provenance") or {}
    if provenance:
        corpus.report.notes.append(f"provenance: {json.dumps(provenance, sort_keys=True, default=str)}")
    return corpus
