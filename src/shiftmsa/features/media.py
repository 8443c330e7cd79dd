"""Decoding media files (mp4, mkv, webm, wav, ...) with PyAV: no system ffmpeg needed.

Audio comes out as 16 kHz mono float32, the rate every extractor here works at; video comes out
as RGB frames with their presentation times in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from shiftmsa.data.contract import DataError
from shiftmsa.features.extras import require

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class VideoFrame:
    """One decoded picture: ``image`` uint8 (height, width, 3) RGB, ``time`` in seconds."""

    image: np.ndarray
    time: float


def _open(path: Path, field_name: str):
    av = require("av", "features")
    if not path.is_file():
        raise DataError("no such file", path=str(path), utterance_id=path.stem, field_name=field_name)
    try:
        return av.open(str(path))
    except av.error.FFmpegError as error:
        raise DataError(f"cannot be decoded as media ({error})", path=str(path),
                        utterance_id=path.stem, field_name=field_name) from error


def has_video_stream(path: str | Path) -> bool:
    """Whether the file holds a video stream (a .wav or .m4a has none)."""
    with _open(Path(path), "video") as container:
        return bool(container.streams.video)


def decode_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The first audio stream of ``path`` as mono float32 samples in [-1, 1] at ``sample_rate``.

    Raises DataError (naming the file, the clip as utterance id, and field ``audio``) when the
    file is missing, undecodable, has no audio stream or holds no samples.
    """
    av = require("av", "features")
    path = Path(path)
    with _open(path, "audio") as container:
        if not container.streams.audio:
            raise DataError("has no audio stream", path=str(path), utterance_id=path.stem, field_name="audio")
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        chunks = []
        try:
            for frame in container.decode(audio=0):
                chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))
            chunks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
        except av.error.FFmpegError as error:
            raise DataError(f"audio stream is corrupt ({error})", path=str(path),
                            utterance_id=path.stem, field_name="audio") from error
    samples = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    if samples.size == 0:
        raise DataError("audio stream holds no samples", path=str(path), utterance_id=path.stem, field_name="audio")
    return samples


def iter_video_frames(path: str | Path, max_fps: float | None = None) -> Iterator[VideoFrame]:
    """RGB frames of the first video stream with their times in seconds.

    Args:
        path: the media file.
        max_fps: keep at most this many frames per second (the first frame at or after each
            ``1 / max_fps`` tick); None keeps every frame.
    """
    av = require("av", "features")
    path = Path(path)
    with _open(path, "video") as container:
        if not container.streams.video:
            raise DataError("has no video stream", path=str(path), utterance_id=path.stem, field_name="video")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        next_tick = 0.0
        try:
            for frame in container.decode(stream):
                time = float(frame.time) if frame.time is not None else 0.0
                if max_fps is not None and time + 1e-6 < next_tick:
                    continue
                next_tick = time + 1.0 / max_fps if max_fps else 0.0
                yield VideoFrame(image=frame.to_ndarray(format="rgb24"), time=time)
        except av.error.FFmpegError as error:
            raise DataError(f"video stream is corrupt ({error})", path=str(path),
                            utterance_id=path.stem, field_name="video") from error
