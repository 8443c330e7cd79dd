"""Helpers of the feature tests: clips made here (and ``shared_data_path``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from shared_data import shared_data_path  # noqa: F401  (re-exported for the tests here)

SPOKEN_TEXT = "the movie was really good"


def espeak_wav(text: str, path: Path) -> Path:
    """``text`` spoken by espeak-ng into ``path`` (skips the test when espeak-ng is absent)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (Debian: apt-get install -y espeak-ng)")
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "130", "-w", str(path), text], check=True, capture_output=True)
    return path


def mux_with_frames(wav: Path, path: Path, fps: int = 10, size: int = 64) -> Path:
    """An mp4 of ``wav``'s audio and plain grey frames (no face) for the audio's duration."""
    av = pytest.importorskip("av", reason="the features extra (PyAV) is not installed")
    from shiftmsa.features.media import decode_audio

    samples = decode_audio(wav)
    with av.open(str(path), "w") as output:
        video = output.add_stream("mpeg4", rate=fps)
        video.width = video.height = size
        video.pix_fmt = "yuv420p"
        audio = output.add_stream("aac", rate=16000, layout="mono")
        for index in range(int(len(samples) / 16000 * fps)):
            image = np.full((size, size, 3), 96 + index % 32, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            output.mux(video.encode(frame))
        output.mux(video.encode(None))
        chunk = 1024
        for start in range(0, len(samples), chunk):
            frame = av.AudioFrame.from_ndarray(samples[None, start:start + chunk], format="flt", layout="mono")
            frame.sample_rate = 16000
            frame.pts = start
            output.mux(audio.encode(frame))
        output.mux(audio.encode(None))
    return path
