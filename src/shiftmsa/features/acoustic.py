"""The default acoustic extractor: permissively licensed librosa descriptors every 10 ms.

Stands in for the paper's COVAREP descriptors (Section IV-B: MFCCs, pitch, voicing, spectral
shape), computed with librosa (ISC licence) on 16 kHz mono audio.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from shiftmsa.features.extras import require
from shiftmsa.features.series import FrameSeries


@dataclass(frozen=True)
class LibrosaSettings:
    """Framing and pitch-search settings of ``LibrosaAcoustic`` (recorded with the features).

    Args:
        hop_seconds: frame step (10 ms, as COVAREP).
        window_seconds: analysis window of the spectral descriptors.
        pitch_window_seconds: analysis window of pyin (long enough for two periods of ``fmin``).
        n_mfcc: number of cepstral coefficients (their deltas are added).
        fmin / fmax: pitch search range in Hz (speech).
    """

    hop_seconds: float = 0.010
    window_seconds: float = 0.025
    pitch_window_seconds: float = 0.064
    n_mfcc: int = 13
    fmin: float = 65.0
    fmax: float = 400.0


class LibrosaAcoustic:
    """MFCCs and deltas, log F0 with voicing (pyin), log energy and spectral shape per frame.

    Args:
        settings: framing and pitch settings; defaults as in ``LibrosaSettings``.
    """

    name = "librosa"

    def __init__(self, settings: LibrosaSettings | None = None):
        self.settings = settings or LibrosaSettings()
        self._librosa = require("librosa", "features")
        mfcc = [f"mfcc_{i}" for i in range(1, self.settings.n_mfcc + 1)]
        self.feature_names: tuple[str, ...] = (
            *mfcc, *(f"delta_{name}" for name in mfcc),
            "log_f0", "voiced", "voicing_probability", "log_energy",
            "spectral_centroid_khz", "spectral_bandwidth_khz", "spectral_rolloff_khz",
            "spectral_flatness", "zero_crossing_rate",
        )

    @property
    def version(self) -> str:
        return self._librosa.__version__

    def describe(self) -> dict:
        """Name, library version, settings and column names, as stored with the features."""
        return {"name": self.name, "version": self.version, "settings": asdict(self.settings),
                "feature_names": list(self.feature_names)}

    def __call__(self, samples: np.ndarray, sample_rate: int) -> FrameSeries:
        librosa = self._librosa
        hop = round(self.settings.hop_seconds * sample_rate)
        n_fft = round(self.settings.window_seconds * sample_rate)
        spectral = dict(sr=sample_rate, n_fft=n_fft, hop_length=hop)
        power = np.abs(librosa.stft(samples, n_fft=n_fft, hop_length=hop)) ** 2
        mfcc = librosa.feature.mfcc(S=librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=sample_rate, n_mels=40)),
                                    n_mfcc=self.settings.n_mfcc)
        delta = librosa.feature.delta(mfcc, width=min(9, _odd_at_most(mfcc.shape[1])), mode="nearest")
        f0, voiced, voicing_probability = librosa.pyin(
            samples, fmin=self.settings.fmin, fmax=self.settings.fmax, sr=sample_rate, hop_length=hop,
            frame_length=round(self.settings.pitch_window_seconds * sample_rate), center=True)
        log_f0 = np.where(voiced, np.log(np.nan_to_num(f0, nan=1.0)), 0.0)
        rows = [
            mfcc, delta, log_f0[None], voiced[None].astype(float), voicing_probability[None],
            np.log(librosa.feature.rms(S=np.sqrt(power), frame_length=n_fft, hop_length=hop) + 1e-6),
            librosa.feature.spectral_centroid(S=np.sqrt(power), **spectral) / 1000,
            librosa.feature.spectral_bandwidth(S=np.sqrt(power), **spectral) / 1000,
            librosa.feature.spectral_rolloff(S=np.sqrt(power), **spectral) / 1000,
            librosa.feature.spectral_flatness(S=np.sqrt(power), n_fft=n_fft, hop_length=hop),
            librosa.feature.zero_crossing_rate(samples, frame_length=n_fft, hop_length=hop),
        ]
        frames = min(row.shape[1] for row in rows)
        values = np.concatenate([row[:, :frames] for row in rows]).T.astype(np.float32)
        times = librosa.frames_to_time(np.arange(frames), sr=sample_rate, hop_length=hop)
        return FrameSeries(values=values, times=times, names=self.feature_names,
                           present=np.ones(frames, dtype=bool))


def _odd_at_most(n: int) -> int:
    """The largest odd number <= n, at least 3 (librosa's delta needs an odd width >= 3)."""
    return max(3, n if n % 2 else n - 1)
