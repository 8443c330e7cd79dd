"""The one in-memory data contract: every reader produces `Utterance`s inside a `Corpus`.

Nothing downstream of a reader knows which file a sample came from (DESIGN.md, "Data").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

import numpy as np

SPLITS: tuple[str, ...] = ("train", "valid", "test")
LABEL_RANGE: tuple[float, float] = (-3.0, 3.0)


class DataError(ValueError):
    """A problem with input data, always naming where it is: file, utterance id and field."""

    def __init__(self, message: str, *, path: str | None = None, utterance_id: str | None = None,
                 field_name: str | None = None):
        where = []
        if path is not None:
            where.append(f"file {path}")
        if utterance_id is not None:
            where.append(f"utterance {utterance_id!r}")
        if field_name is not None:
            where.append(f"field {field_name!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.path = path
        self.utterance_id = utterance_id
        self.field_name = field_name


@dataclass(frozen=True)
class Utterance:
    """One spoken utterance with its text, acoustic and visual streams and its sentiment label.

    Args:
        id: unique identifier, e.g. ``<video>_<segment>`` for MOSI.
        words: the transcript as a tuple of words (not word pieces).
        acoustic: float32 array (steps, d_a), or None when the source has no acoustic stream.
        visual: float32 array (steps, d_v), or None when the source has no visual stream.
        label: sentiment in [-3, 3].
        split: one of ``SPLITS``.

    ``steps`` equals ``len(words)`` for word-aligned sources and 1 for per-utterance features,
    which the batch builder broadcasts to every word.
    """

    id: str
    words: tuple[str, ...]
    acoustic: np.ndarray | None
    visual: np.ndarray | None
    label: float
    split: str


@dataclass
class DataReport:
    """What a reader noticed and did about it: counted, never silent.

    ``repairs`` maps a policy name (e.g. ``"acoustic -inf replaced with 0"``) to the number of
    values it touched; ``notes`` holds one-line facts a user should see (e.g. that per-utterance
    features are broadcast to words).
    """

    repairs: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def count(self, policy: str, n: int) -> None:
        if n:
            self.repairs[policy] = self.repairs.get(policy, 0) + int(n)

    def merge(self, other: "DataReport") -> None:
        for policy, n in other.repairs.items():
            self.count(policy, n)
        self.notes.extend(other.notes)


@dataclass
class Corpus:
    """Utterances of one dataset, grouped by split, with what is known about their features.

    Args:
        name: short name for tables and logs (e.g. ``"mosi-sdk"``, ``"synthetic"``).
        source: the file or folder it was read from, or a description for generated data.
        splits: split name -> utterances, every split of ``SPLITS`` present (possibly empty).
        acoustic_dim / visual_dim: feature width, or None when the stream is absent.
        word_aligned: True when feature steps follow the words, False when one step per utterance.
        feature_names: free-form description of each stream, e.g. ``{"acoustic": "audio_opensmile"}``.
        report: repairs and notes made while reading.
    """

    name: str
    source: str
    splits: dict[str, list[Utterance]]
    acoustic_dim: int | None
    visual_dim: int | None
    word_aligned: bool
    feature_names: dict[str, str] = field(default_factory=dict)
    report: DataReport = field(default_factory=DataReport)

    def __post_init__(self) -> None:
        unknown = set(self.splits) - set(SPLITS)
        if unknown:
            raise DataError(f"unknown split(s) {sorted(unknown)}; expected {SPLITS}", path=self.source)
        for split in SPLITS:
            self.splits.setdefault(split, [])

    def __iter__(self) -> Iterator[Utterance]:
        for split in SPLITS:
            yield from self.splits[split]

    def __len__(self) -> int:
        return sum(len(v) for v in self.splits.values())

    def split_sizes(self) -> dict[str, int]:
        return {split: len(self.splits[split]) for split in SPLITS}

    @property
    def modalities(self) -> tuple[str, ...]:
        """The streams present: always ``"text"``, plus ``"acoustic"``/``"visual"`` when read."""
        present = ["text"]
        if self.acoustic_dim is not None:
            present.append("acoustic")
        if self.visual_dim is not None:
            present.append("visual")
        return tuple(present)


def group_by_split(utterances: Iterable[Utterance]) -> dict[str, list[Utterance]]:
    """Group utterances into a ``split -> list`` dict with every split of ``SPLITS`` present."""
    grouped: dict[str, list[Utterance]] = {split: [] for split in SPLITS}
    for utterance in utterances:
        grouped[utterance.split].append(utterance)
    return grouped
