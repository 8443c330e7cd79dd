"""An uploaded clip: saved, checked (media, duration), turned into word-aligned features.

Runs on a worker thread. Each worker thread keeps its own forced aligner (PocketSphinx decoders
are not shared between threads); feature extraction is ``features.pipeline.extract_clip``, as for
``shiftmsa predict --video``. The visual stream is extracted only for a model that uses it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from shiftmsa.data.contract import DataError, Utterance
from shiftmsa.features.extras import MissingExtraError, require
from shiftmsa.features.transcript import split_words
from shiftmsa.serve.problems import RequestProblem, from_data_error

_aligners = threading.local()


@dataclass(frozen=True)
class Upload:
    """A clip as the request gave it: its file name, its bytes (a file object), its transcript."""

    filename: str
    file: BinaryIO
    transcript: str
    utterance_id: str | None = None
    allow_fallback: bool = False


def check_transcript(transcript: str | None) -> None:
    """Refuse a transcript without words before any work is done on the clip."""
    if not split_words(transcript or ""):
        raise RequestProblem(422, "the transcript has no words: give the words spoken in the clip", "transcript")


def _reason(error: Exception) -> str:
    """FFmpeg's reason, without the server-side path it names."""
    return getattr(error, "strerror", None) or type(error).__name__


def clip_seconds(path: Path, limit: float) -> float:
    """The clip's audio duration, decoding at most ``limit`` seconds of it (a header may lie).

    Raises ``RequestProblem``: 415 (field ``clip``) for a file that is not media with an audio
    stream, 422 for a clip longer than ``limit`` seconds."""
    av = require("av", "features")
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as error:
        raise RequestProblem(415, f"not an audio or video file PyAV can decode ({_reason(error)})", "clip") from None
    seconds = 0.0
    with container:
        if not container.streams.audio:
            raise RequestProblem(415, "the file has no audio stream", "clip")
        try:
            for frame in container.decode(audio=0):
                seconds += frame.samples / frame.sample_rate
                if seconds > limit:
                    raise RequestProblem(422, f"the clip is longer than the service's limit of {limit:g} s",
                                         "clip")
        except av.error.FFmpegError as error:
            raise RequestProblem(415, f"the audio stream cannot be decoded ({_reason(error)})", "clip") from None
    if seconds == 0:
        raise RequestProblem(415, "the audio stream holds no samples", "clip")
    return seconds


def _aligner():
    """This thread's forced aligner, created on its first clip."""
    if not hasattr(_aligners, "aligner"):
        from shiftmsa.features.forced_alignment import PocketsphinxAligner
        from shiftmsa.features.media import SAMPLE_RATE

        _aligners.aligner = PocketsphinxAligner(SAMPLE_RATE)
    return _aligners.aligner


def _safe_name(filename: str) -> str:
    """The upload's name with every character outside [A-Za-z0-9._-] replaced by ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename or "clip").name) or "clip"


def extract_upload(upload: Upload, visual: bool, max_seconds: float):
    """The upload's word-aligned features (``features.pipeline.ClipFeatures``), its utterance
    and its feature identity. Errors name the upload's file name, never the server's copy."""
    check_transcript(upload.transcript)
    try:
        return _extract(upload, visual, max_seconds)
    except MissingExtraError as error:  # this installation cannot read clips
        raise RequestProblem(501, str(error), "clip") from None


def _extract(upload: Upload, visual: bool, max_seconds: float):
    from shiftmsa.features.pipeline import extract_clip, feature_identity
    from shiftmsa.features.settings import ExtractionSettings

    with tempfile.TemporaryDirectory(prefix="shiftmsa-serve-") as scratch:
        path = Path(scratch) / _safe_name(upload.filename)
        with open(path, "wb") as copy:
            shutil.copyfileobj(upload.file, copy)
        clip_seconds(path, max_seconds)
        try:
            clip = extract_clip(path, upload.transcript, settings=ExtractionSettings(visual=visual),
                                aligner=_aligner(), allow_fallback=upload.allow_fallback)
        except DataError as error:
            raise from_data_error(error, {str(path): upload.filename or "clip"}) from None
    utterance: Utterance = clip.to_utterance(upload.utterance_id or path.stem)
    return clip, utterance, feature_identity(clip.extractor)
