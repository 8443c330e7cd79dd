"""One clip + its transcript -> word-aligned acoustic and visual features (the paper's inputs).

Stages: decode (media) -> per-frame descriptors (acoustic, visual) -> forced alignment of the
words (alignment) -> averages over each word's span (word_pooling), as in Section IV-B.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shiftmsa.data.contract import SPLITS, DataError, Utterance
from shiftmsa.features.alignment import PocketsphinxAligner
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
    """

    words: tuple[str, ...]
    word_times: np.ndarray
    acoustic: np.ndarray
    visual: np.ndarray | None
    extractor: dict
    counts: dict[str, int] = field(default_factory=dict)

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


def extract_clip(clip_path: str | Path, transcript: str, *, settings: ExtractionSettings | None = None) -> ClipFeatures:
    """Word-aligned features of ``clip_path`` (any container PyAV reads) for ``transcript``.

    Raises DataError naming the file, the clip (as utterance id) and the field when the media
    cannot be decoded or the transcript has no words.
    """
    settings = settings or ExtractionSettings()
    clip_path = Path(clip_path)
    words = split_words(transcript)
    if not words:
        raise DataError("transcript has no words", path=str(clip_path), utterance_id=clip_path.stem, field_name="transcript")
    samples = decode_audio(clip_path, SAMPLE_RATE)
    acoustic_extractor = build_acoustic_extractor(settings)
    aligner = PocketsphinxAligner(SAMPLE_RATE)
    alignment = aligner(samples, words)
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
                        visual=visual, extractor=extractor, counts=counts)
