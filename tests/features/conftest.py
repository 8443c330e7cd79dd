"""Session fixtures of the feature tests: espeak-ng speech, and the same muxed with faceless frames."""

from __future__ import annotations

from pathlib import Path

import pytest

from features_helpers import SPOKEN_TEXT, espeak_wav, mux_with_frames


@pytest.fixture(scope="session")
def spoken_text() -> str:
    return SPOKEN_TEXT


@pytest.fixture(scope="session")
def spoken_wav(tmp_path_factory) -> Path:
    return espeak_wav(SPOKEN_TEXT, tmp_path_factory.mktemp("speech") / "spoken.wav")


@pytest.fixture(scope="session")
def spoken_mp4(spoken_wav, tmp_path_factory) -> Path:
    return mux_with_frames(spoken_wav, tmp_path_factory.mktemp("video") / "spoken.mp4")
