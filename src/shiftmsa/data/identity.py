"""What a run's data is, for the run identity: a digest of what was read, and where it was read.

A dataset on files is identified by ``corpus_digest``: a SHA-256 over what its reader produced
(every utterance's split, id, words, label and feature arrays with their dtype and shape, and the
feature widths, names and alignment), not over the path it was given by nor the files' bytes. So
two spellings of one folder, or two byte-identical copies, are one dataset; a folder regenerated
in place, or another folder reached by the same relative path from another working folder, is
another as soon as anything read from it differs. The reader's format and options only change
what is read, so they are inside the digest; the corpus name and source are labels and are not.

``DataIdentity`` also records the resolved path and each file's size and mtime there: they say
which files changed when the digest did (``describe_change``), and they are the cheap check made
first. They never stand in for the digest: a file rewritten with its size and time kept
(``cp -p``, ``rsync -t``, a coarse clock) would pass them, and the digest costs less than reading
the data (MOSEI's 22,788 utterances: see docs/results/provenance/2026-12-05_cpu2_content-identity-migration).

Data generated in memory (``synthetic``) has no files: it is identified by its generator options
in the data section of the configuration, and ``identify_data`` gives None for it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shiftmsa.data.contract import SPLITS, Corpus
from shiftmsa.data.reading import SYNTHETIC, read_corpus

# the data section's fields that only change what is read (so the digest holds their effect)
READ_FIELDS = ("path", "format", "options")


def is_generated(data) -> bool:
    """Whether a data section (``shiftmsa.config.DataConfig``) names data generated in memory."""
    return data.format == SYNTHETIC or (data.format == "auto" and str(data.path) == SYNTHETIC)


def corpus_digest(corpus: Corpus) -> str:
    """32 hex digits of the SHA-256 of what ``corpus`` holds (see the module docstring)."""
    digest = hashlib.sha256()

    def put(value: bytes | str) -> None:
        data = value.encode() if isinstance(value, str) else value
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)

    put(json.dumps({"acoustic_dim": corpus.acoustic_dim, "visual_dim": corpus.visual_dim,
                    "word_aligned": corpus.word_aligned, "feature_names": corpus.feature_names}, sort_keys=True))
    for split in SPLITS:
        put(f"{split} {len(corpus.splits[split])}")
        for utterance in corpus.splits[split]:
            put(utterance.id)
            put(json.dumps(utterance.words))
            put(np.float64(utterance.label).tobytes())
            for stream in (utterance.acoustic, utterance.visual):
                if stream is None:
                    put("none")
                else:
                    array = np.ascontiguousarray(stream)
                    put(f"{array.dtype.str} {array.shape}")
                    put(array.tobytes())
    return digest.hexdigest()[:32]


def file_stats(path: str | Path) -> dict[str, list[int]]:
    """``name -> [size, mtime_ns]`` of the file ``path`` or of every file under the folder
    ``path`` (names relative to it, sorted); {} when nothing is there."""
    path = Path(path)
    if path.is_file():
        stat = path.stat()
        return {path.name: [stat.st_size, stat.st_mtime_ns]}
    if not path.is_dir():
        return {}
    stats = {}
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        stat = file.stat()
        stats[file.relative_to(path).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return stats


@dataclass(frozen=True)
class DataIdentity:
    """The data of a run on files.

    Args:
        digest: ``corpus_digest`` of what was read: the run identity holds it.
        path: the resolved (absolute) path it was read from: recorded, not identity.
        files: ``file_stats`` there when it was read: recorded, not identity.
        note: how the digest was obtained when not by reading the run's own data (a migrated record).
    """

    digest: str
    path: str
    files: dict[str, list[int]] = field(default_factory=dict)
    note: str | None = None

    def to_record(self) -> dict[str, Any]:
        """The ``data`` entry of a store record."""
        record = {"digest": self.digest, "path": self.path, "files": self.files}
        return record if self.note is None else {**record, "note": self.note}

    @classmethod
    def from_record(cls, values: dict[str, Any]) -> DataIdentity:
        return cls(values["digest"], values["path"], dict(values.get("files") or {}), values.get("note"))


def identify_data(data, corpus: Corpus | None = None) -> DataIdentity | None:
    """The identity of the data a data section names; None for data generated in memory.

    Args:
        data: a ``shiftmsa.config.DataConfig``.
        corpus: what was read from it (default: read it now).
    """
    if is_generated(data):
        return None
    path = Path(data.path).resolve()
    files = file_stats(path)  # before reading: a change while reading shows as a changed file later
    if corpus is None:
        corpus = read_corpus(data.path, format=data.format, **data.options)
    return DataIdentity(corpus_digest(corpus), str(path), files)


def describe_change(old: DataIdentity, new: DataIdentity) -> str:
    """What differs between two identities of the data at one path, in one line."""
    changes = []
    for name in sorted(set(old.files) | set(new.files)):
        before, after = old.files.get(name), new.files.get(name)
        if before is None:
            changes.append(f"{name} added")
        elif after is None:
            changes.append(f"{name} removed")
        elif before[0] != after[0]:
            changes.append(f"{name} {before[0]} -> {after[0]} bytes")
        elif before[1] != after[1]:
            changes.append(f"{name} rewritten with the same size")
    files = ", ".join(changes) if changes else "no file's size or time differs"
    return f"content digest {old.digest} -> {new.digest}; {files}"
