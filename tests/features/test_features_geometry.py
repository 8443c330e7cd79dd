import numpy as np
import pytest

from shiftmsa.features import face_geometry as geometry
from shiftmsa.features.series import FrameSeries
from shiftmsa.features.visual import FaceGeometryVisual
from shiftmsa.features.word_pooling import average_over_words


def frontal_face() -> np.ndarray:
    """(1, 478, 3) landmarks of a frontal, upright face with the points the descriptors use."""
    points = np.zeros((1, geometry.LANDMARK_COUNT, 3))
    placed = {
        geometry.RIGHT_EYE_OUTER: (-30, 0, 0), geometry.RIGHT_EYE_INNER: (-10, 0, 0),
        geometry.LEFT_EYE_INNER: (10, 0, 0), geometry.LEFT_EYE_OUTER: (30, 0, 0),
        geometry.RIGHT_LID_UPPER: (-20, -3, 0), geometry.RIGHT_LID_LOWER: (-20, 3, 0),
        geometry.LEFT_LID_UPPER: (20, -3, 0), geometry.LEFT_LID_LOWER: (20, 3, 0),
        geometry.RIGHT_IRIS: (-20, 0, 0), geometry.LEFT_IRIS: (20, 0, 0),
        geometry.MOUTH_RIGHT: (-15, 40, 0), geometry.MOUTH_LEFT: (15, 40, 0),
        geometry.INNER_LIP_UPPER: (0, 40, 0), geometry.INNER_LIP_LOWER: (0, 40, 0),
        geometry.RIGHT_BROW_MIDDLE: (-20, -12, 0), geometry.LEFT_BROW_MIDDLE: (20, -12, 0),
        geometry.RIGHT_BROW_INNER: (-8, -10, 0), geometry.LEFT_BROW_INNER: (8, -10, 0),
        geometry.FOREHEAD: (0, -30, 0), geometry.CHIN: (0, 60, 0),
    }
    for index, point in placed.items():
        points[0, index] = point
    return points


def rotated(points: np.ndarray, axis: str, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    matrix = {"y": [[c, 0, s], [0, 1, 0], [-s, 0, c]], "x": [[1, 0, 0], [0, c, -s], [0, s, c]],
              "z": [[c, -s, 0], [s, c, 0], [0, 0, 1]]}[axis]
    return points @ np.array(matrix).T


def named(values: np.ndarray) -> dict[str, float]:
    return dict(zip(geometry.VISUAL_FEATURE_NAMES, values[0].tolist()))


def test_frontal_face_has_zero_pose_and_centred_gaze():
    features = named(geometry.visual_descriptors(frontal_face()))
    assert features["head_yaw"] == pytest.approx(0) and features["head_pitch"] == pytest.approx(0)
    assert features["head_roll"] == pytest.approx(0) and features["gaze_x"] == pytest.approx(0)
    assert features["eye_open_right"] == pytest.approx(0.3) and features["mouth_width"] == pytest.approx(0.5)
    assert features["brow_raise_left"] == pytest.approx(0.2) and features["brow_gap"] == pytest.approx(16 / 60)


@pytest.mark.parametrize("axis, name", [("y", "head_yaw"), ("x", "head_pitch"), ("z", "head_roll")])
def test_a_rotation_about_one_axis_shows_in_its_angle_only(axis, name):
    features = named(geometry.visual_descriptors(rotated(frontal_face(), axis, 0.3)))
    assert abs(features[name]) == pytest.approx(0.3, abs=1e-6)
    others = {"head_yaw", "head_pitch", "head_roll"} - {name}
    assert all(abs(features[other]) < 1e-6 for other in others)


def test_opening_the_mouth_and_raising_corners_move_their_descriptors():
    face = frontal_face()
    face[0, geometry.INNER_LIP_LOWER, 1] += 12
    face[0, [geometry.MOUTH_RIGHT, geometry.MOUTH_LEFT], 1] -= 6
    features = named(geometry.visual_descriptors(face))
    assert features["mouth_open"] == pytest.approx(0.2)
    assert features["lip_corner_raise_right"] == pytest.approx(0.2) and features["lip_corner_raise_left"] > 0


def test_descriptors_do_not_depend_on_face_size():
    assert np.allclose(geometry.visual_descriptors(frontal_face()), geometry.visual_descriptors(3 * frontal_face()))


class EveryOtherFrameFace:
    """A stand-in landmarker: a face in even frames only."""

    name, version, settings = "fake", "0", {}

    def __init__(self):
        self.calls = 0

    def __call__(self, image):
        self.calls += 1
        return frontal_face()[0] if self.calls % 2 else None


def test_frames_without_a_face_are_marked_not_dropped(spoken_mp4):
    series = FaceGeometryVisual(landmarker=EveryOtherFrameFace())(spoken_mp4)
    assert len(series.times) > 10 and series.frame_rate == pytest.approx(10)
    assert series.present.tolist() == [i % 2 == 0 for i in range(len(series.times))]
    assert np.all(series.values[~series.present] == 0)


def test_word_pooling_averages_present_frames_and_counts_fallbacks():
    series = FrameSeries(values=np.arange(10, dtype=np.float32)[:, None], times=np.arange(10) * 0.1,
                         names=("x",), present=np.array([True] * 5 + [False] * 5))
    pooled = average_over_words(series, np.array([[0.0, 0.25], [0.3, 0.65], [0.75, 0.85]]))
    assert pooled.values[:, 0].tolist() == [1.0, 3.5, 4.0]
    assert pooled.present_fraction.tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert pooled.counts == {"span_average": 2, "nearest_frame": 1, "no_frame": 0}
    nothing = FrameSeries(values=series.values, times=series.times, names=("x",), present=np.zeros(10, bool))
    assert average_over_words(nothing, np.array([[0.0, 1.0]])).counts["no_frame"] == 1
