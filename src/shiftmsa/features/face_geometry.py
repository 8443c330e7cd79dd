"""Head pose, gaze proxies and geometric action-unit stand-ins from MediaPipe face-mesh landmarks.

The paper's visual stream is FACET (Section IV-B): facial action units, head pose and gaze. Here
the same kinds of quantities are measured geometrically from the 478 face-mesh landmarks (468
mesh points + 10 iris points), in pixel units (x right, y down, z away from the camera), so they
are invariant to image size. Distances are divided by the inter-ocular distance (outer eye
corners), which makes them invariant to the face's distance from the camera.
"""

from __future__ import annotations

import numpy as np

# MediaPipe face-mesh indices. "right"/"left" are the subject's sides.
RIGHT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_LID_UPPER, RIGHT_LID_LOWER = 33, 133, 159, 145
LEFT_EYE_OUTER, LEFT_EYE_INNER, LEFT_LID_UPPER, LEFT_LID_LOWER = 263, 362, 386, 374
RIGHT_IRIS, LEFT_IRIS = 468, 473
MOUTH_RIGHT, MOUTH_LEFT, INNER_LIP_UPPER, INNER_LIP_LOWER = 61, 291, 13, 14
RIGHT_BROW_MIDDLE, LEFT_BROW_MIDDLE, RIGHT_BROW_INNER, LEFT_BROW_INNER = 105, 334, 55, 285
FOREHEAD, CHIN = 10, 152
LANDMARK_COUNT = 478

VISUAL_FEATURE_NAMES: tuple[str, ...] = (
    "head_yaw", "head_pitch", "head_roll",          # radians (FACET/OpenFace head pose)
    "gaze_x", "gaze_y",                              # iris offset in the eye, in eye widths
    "eye_open_right", "eye_open_left",               # lid gap / eye width (AU5 lid raiser, AU45 blink)
    "mouth_open", "mouth_width",                     # inner-lip gap, corner distance (AU25/26, AU20)
    "lip_corner_raise_right", "lip_corner_raise_left",  # corners above lip centre (AU12 up, AU15 down)
    "brow_raise_right", "brow_raise_left",           # brow above eye centre (AU1/AU2)
    "brow_gap",                                      # inner-brow distance (AU4 lowers it)
)


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-9)


def _distance(points: np.ndarray, a: int, b: int) -> np.ndarray:
    return np.linalg.norm(points[:, a] - points[:, b], axis=-1)


def face_axes(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Orthonormal face axes per frame: across the eyes (to the subject's left), down the face, and
    out of the back of the head. A frontal, upright face gives the camera axes (x, y, z)."""
    across = _unit(points[:, LEFT_EYE_OUTER] - points[:, RIGHT_EYE_OUTER])
    down = points[:, CHIN] - points[:, FOREHEAD]
    down = _unit(down - np.sum(down * across, axis=-1, keepdims=True) * across)
    return across, down, np.cross(across, down)


def head_pose(points: np.ndarray) -> np.ndarray:
    """(frames, 3) yaw, pitch, roll in radians from the face axes.

    yaw > 0 when the subject's left eye is further from the camera than the right (head turned to
    the subject's right); pitch > 0 when the chin is further than the forehead (looking down);
    roll > 0 when the eye line slopes down towards the subject's left in the image.
    """
    across, down, _ = face_axes(points)
    yaw = np.arcsin(np.clip(across[:, 2], -1, 1))
    pitch = np.arcsin(np.clip(down[:, 2], -1, 1))
    roll = np.arctan2(across[:, 1], across[:, 0])
    return np.stack([yaw, pitch, roll], axis=1)


def _gaze(points: np.ndarray, iris: int, outer: int, inner: int, upper: int, lower: int,
          across: np.ndarray, down: np.ndarray) -> np.ndarray:
    width = _distance(points, outer, inner)
    offset = points[:, iris] - (points[:, outer] + points[:, inner] + points[:, upper] + points[:, lower]) / 4
    return np.stack([np.sum(offset * across, -1), np.sum(offset * down, -1)], axis=1) / width[:, None]


def visual_descriptors(points: np.ndarray) -> np.ndarray:
    """(frames, 14) float32 descriptors named by ``VISUAL_FEATURE_NAMES``.

    Args:
        points: (frames, 478, 3) landmarks in pixel units (x right, y down, z away from camera).
    """
    if points.ndim != 3 or points.shape[1:] != (LANDMARK_COUNT, 3):
        raise ValueError(f"expected landmarks of shape (frames, {LANDMARK_COUNT}, 3), got {points.shape}")
    across, down, _ = face_axes(points)
    inter_ocular = _distance(points, RIGHT_EYE_OUTER, LEFT_EYE_OUTER)
    gaze = (_gaze(points, RIGHT_IRIS, RIGHT_EYE_OUTER, RIGHT_EYE_INNER, RIGHT_LID_UPPER, RIGHT_LID_LOWER, across, down)
            + _gaze(points, LEFT_IRIS, LEFT_EYE_OUTER, LEFT_EYE_INNER, LEFT_LID_UPPER, LEFT_LID_LOWER, across, down)) / 2
    lip_centre = (points[:, INNER_LIP_UPPER] + points[:, INNER_LIP_LOWER]) / 2
    right_eye_centre = (points[:, RIGHT_EYE_OUTER] + points[:, RIGHT_EYE_INNER]) / 2
    left_eye_centre = (points[:, LEFT_EYE_OUTER] + points[:, LEFT_EYE_INNER]) / 2

    def height_above(point: np.ndarray, reference: np.ndarray) -> np.ndarray:
        return np.sum((reference - point) * down, axis=-1) / inter_ocular

    columns = [
        *head_pose(points).T, *gaze.T,
        _distance(points, RIGHT_LID_UPPER, RIGHT_LID_LOWER) / _distance(points, RIGHT_EYE_OUTER, RIGHT_EYE_INNER),
        _distance(points, LEFT_LID_UPPER, LEFT_LID_LOWER) / _distance(points, LEFT_EYE_OUTER, LEFT_EYE_INNER),
        _distance(points, INNER_LIP_UPPER, INNER_LIP_LOWER) / inter_ocular,
        _distance(points, MOUTH_RIGHT, MOUTH_LEFT) / inter_ocular,
        height_above(points[:, MOUTH_RIGHT], lip_centre), height_above(points[:, MOUTH_LEFT], lip_centre),
        height_above(points[:, RIGHT_BROW_MIDDLE], right_eye_centre),
        height_above(points[:, LEFT_BROW_MIDDLE], left_eye_centre),
        _distance(points, RIGHT_BROW_INNER, LEFT_BROW_INNER) / inter_ocular,
    ]
    return np.stack(columns, axis=1).astype(np.float32)
