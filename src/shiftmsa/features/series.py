"""The hand-off between a per-frame extractor and word pooling: a timed series of descriptors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FrameSeries:
    """Descriptors of consecutive frames of one stream.

    Args:
        values: float32 (frames, dim); rows of absent frames hold zeros.
        times: float64 (frames,), the centre of each frame in seconds from the start of the clip.
        names: one name per column of ``values``.
        present: bool (frames,), False where the frame has no measurement (a video frame with no
            face); such frames are kept and marked, never dropped silently.
    """

    values: np.ndarray
    times: np.ndarray
    names: tuple[str, ...]
    present: np.ndarray

    def __post_init__(self) -> None:
        frames, dim = self.values.shape
        if dim != len(self.names) or self.times.shape != (frames,) or self.present.shape != (frames,):
            raise ValueError(f"inconsistent frame series: values {self.values.shape}, times {self.times.shape}, "
                             f"{len(self.names)} names, present {self.present.shape}")

    @property
    def frame_rate(self) -> float:
        """Frames per second, from the median spacing of the frame times (0 for fewer than 2 frames)."""
        if len(self.times) < 2:
            return 0.0
        return float(1.0 / np.median(np.diff(self.times)))
