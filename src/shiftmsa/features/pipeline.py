"""One clip + its transcript -> word-aligned acoustic and visual features (the paper's inputs).

Stages: decode (media) -> per-frame descriptors (acoustic, visual) -> forced alignment of the
words (alignment) -> averages over each word's span (word_pooling), as in Section IV-B.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from shiftmsa.data.contract import SPLITS, DataError, Utterance
from shiftmsa.features.forced_alignment import PLACED_BY_FALLBACK, PocketsphinxAligner
from shiftmsa.features.media import SAMPLE_RATE, decode_audio, has_video_stream
from shiftmsa.features.settings import ExtractionSettings, build_acoustic_extractor
from shiftmsa.features.transcript import split_words
from shiftmsa.features.word_pooling import average_over_words

FACE_PRESENT = "face_present"
POOLING_RULE = "mean of present frames whose centre lies in [start, end]; nearest present frame when none"


@dataclass(frozen=True)
class ClipFeatures:
    """Word-level features of one clip.

    Args:
        words: the transcript's words.
        word_times: float (n, 2) start and end of each word in seconds.
        acoustic: float32 (n, d_a) per-word averages of the acoustic descriptors.
        visual: float32 (n, d_v) per-word face descriptors plus a last ``face_present`` column
            (share of the word's frames with a face), or None when the file has no video stream.
        extractor: names, versions, settings and column names of every stage, as recorded.
        counts: how many words each alignment and pooling rule placed, and faceless frames.
        alignment: per word, ``WordAlignment.records()``: times, ``placed_by`` (``"aligner"`` or
            ``"fallback"``), spoken tokens of a spelled-out number, out-of-dictionary tokens.
    """

    words: tuple[str, ...]
    word_times: np.ndarray
    acoustic: np.ndarray
    visual: np.ndarray | None
    extractor: dict
    counts: dict[str, int] = field(default_factory=dict)
    alignment: tuple[dict, ...] = ()

    @property
    def placed_by(self) -> tuple[str, ...]:
        """Per word, what placed it: ``"aligner"`` or ``"fallback"``."""
        return tuple(record["placed_by"] for record in self.alignment)

    @property
    def unplaced_words(self) -> tuple[str, ...]:
        """The words whose times come from the fallback rule, not from the aligner."""
        return tuple(r["word"] for r in self.alignment if r["placed_by"] == PLACED_BY_FALLBACK)

    def to_utterance(self, utt_id: str, label: float = 0.0, split: str = "test") -> Utterance:
        """The clip as one word-aligned ``Utterance`` of the data contract."""
        if split not in SPLITS:
            raise DataError(f"unknown split {split!r}; expected one of {SPLITS}", utterance_id=utt_id, field_name="split")
        return Utterance(id=utt_id, words=self.words, acoustic=self.acoustic, visual=self.visual,
                         label=float(label), split=split)


def _stage_identity(stage: dict) -> str:
    digest = hashlib.sha1(json.dumps({"settings": stage["settings"], "feature_names": stage["feature_names"]},
                                     sort_keys=True).encode()).hexdigest()[:10]
    return f"{stage['name']}-{stage['version']}/{digest}"


def feature_identity(extractor: dict) -> dict[str, str]:
    """The strings stored as ``Corpus.feature_names``: ``name-version/hash`` of settings and columns.

    A checkpoint trained on one identity can refuse features whose identity differs. The
    ``"visual"`` key is absent when the features have no visual stream.
    """
    identity = {"acoustic": _stage_identity(extractor["acoustic"])}
    if extractor.get("visual") is not None:
        identity["visual"] = _stage_identity(extractor["visual"])
    return identity


class AlignmentError(DataError):
    """The aligner could not place some words of a clip (their times would come from the fallback rule)."""


@lru_cache(maxsize=1)
def shared_aligner() -> PocketsphinxAligner:
    """One aligner for the whole process, created on first use: later clips skip its start-up."""
    return PocketsphinxAligner(SAMPLE_RATE)


def check_placement(unplaced: tuple[str, ...], n_words: int, clip_path: str | Path) -> None:
    """Raise AlignmentError naming the clip and every word the aligner could not place (if any).

    Args:
        unplaced: the words placed by the fallback rule.
        n_words: the clip's number of words.
        clip_path: the clip, named in the error.
    """
    if unplaced:
        raise AlignmentError(
            f"the aligner could not place {len(unplaced)} of {n_words} words: {' '.join(unplaced)} "
            "(extract / extract-dataset --allow-fallback, or allow_fallback=True, place them by the length rule)",
            path=str(clip_path), utterance_id=Path(clip_path).stem, field_name="alignment")


def extract_clip(clip_path: str | Path, transcript: str, *, settings: ExtractionSettings | None = None,
                 aligner: PocketsphinxAligner | None = None, allow_fallback: bool = False) -> ClipFeatures:
    """Word-aligned features of ``clip_path`` (any container PyAV reads) for ``transcript``.

    Args:
        clip_path: the media file.
        transcript: the words spoken.
        settings: what to extract (defaults of ``ExtractionSettings``).
        aligner: the aligner to use (default: ``shared_aligner()``, kept warm across calls).
        allow_fallback: accept words placed by the fallback rule (marked in ``alignment``)
            instead of raising AlignmentError.

    Raises DataError naming the file, the clip (as utterance id) and the field when the media
    cannot be decoded or the transcript has no words, and AlignmentError (field ``alignment``)
    when a word could not be aligned and ``allow_fallback`` is False.
    """
    settings = settings or ExtractionSettings()
    clip_path = Path(clip_path)
    words = split_words(transcript)
    if not words:
        raise DataError("transcript has no words", path=str(clip_path), utterance_id=clip_path.stem, field_name="transcript")
    samples = decode_audio(clip_path, SAMPLE_RATE)
    acoustic_extractor = build_acoustic_extractor(settings)
    aligner = aligner or shared_aligner()
    alignment = aligner(samples, words)
    if not allow_fallback:
        check_placement(alignment.unplaced, len(words), clip_path)
    acoustic = average_over_words(acoustic_extractor(samples, SAMPLE_RATE), alignment.times)
    counts = {**alignment.counts, **{f"acoustic_{rule}": n for rule, n in acoustic.counts.items()}}
    extractor = {
        "acoustic": acoustic_extractor.describe(),
        "visual": None,
        "alignment": {"name": aligner.name, "version": aligner.version, "settings": aligner.settings},
        "pooling": POOLING_RULE,
        "sample_rate": SAMPLE_RATE,
        "settings": settings.to_dict(),
    }
    visual = None
    if settings.visual and has_video_stream(clip_path):
        from shiftmsa.features.visual import FaceGeometryVisual

        visual_extractor = FaceGeometryVisual(max_fps=settings.video_fps)
        frames = visual_extractor(clip_path)
        pooled = average_over_words(frames, alignment.times)
        visual = np.concatenate([pooled.values, pooled.present_fraction[:, None]], axis=1)
        description = visual_extractor.describe()
        extractor["visual"] = {**description, "feature_names": [*description["feature_names"], FACE_PRESENT]}
        counts.update({f"visual_{rule}": n for rule, n in pooled.counts.items()})
        counts.update(video_frames=int(len(frames.times)), video_frames_without_face=int((~frames.present).sum()))
    return ClipFeatures(words=words, word_times=alignment.times.astype(np.float64), acoustic=acoustic.values,
                        visual=visual, extractor=extractor, counts=counts, alignment=tuple(alignment.records()))
