"""The visual extractor: every decoded frame -> face landmarks -> geometric descriptors.

Frames in which no face is found stay in the series, marked absent (``present`` False, zero
values), so word pooling can count and report them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shiftmsa.features.face_geometry import VISUAL_FEATURE_NAMES, visual_descriptors
from shiftmsa.features.face_landmarks import FaceMeshLandmarker
from shiftmsa.features.media import iter_video_frames
from shiftmsa.features.series import FrameSeries


class FaceGeometryVisual:
    """Head pose, gaze proxies and action-unit stand-ins per video frame (see face_geometry).

    Args:
        max_fps: analyse at most this many frames per second (None: every frame).
        landmarker: the per-frame landmark model; MediaPipe's face mesh when None.
    """

    name = "face-geometry"

    def __init__(self, max_fps: float | None = None, landmarker=None):
        self.max_fps = max_fps
        self.landmarker = landmarker or FaceMeshLandmarker()
        self.feature_names = VISUAL_FEATURE_NAMES

    @property
    def version(self) -> str:
        return f"{self.landmarker.name}-{self.landmarker.version}"

    def describe(self) -> dict:
        """Name, landmark model version, settings and column names, as stored with the features."""
        return {"name": self.name, "version": self.version,
                "settings": {"max_fps": self.max_fps, **self.landmarker.settings},
                "feature_names": list(self.feature_names)}

    def __call__(self, path: str | Path) -> FrameSeries:
        times, landmarks = [], []
        for frame in iter_video_frames(path, self.max_fps):
            times.append(frame.time)
            landmarks.append(self.landmarker(frame.image))
        present = np.array([points is not None for points in landmarks], dtype=bool)
        values = np.zeros((len(times), len(self.feature_names)), dtype=np.float32)
        if present.any():
            values[present] = visual_descriptors(np.stack([p for p in landmarks if p is not None]))
        return FrameSeries(values=values, times=np.asarray(times, dtype=np.float64).reshape(-1),
                           names=self.feature_names, present=present)
