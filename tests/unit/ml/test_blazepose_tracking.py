"""How BlazePose's crop is tied to YOLO's main person, without the models: seeding, picking, following."""

import math

import numpy as np
import pytest

from api.ml.analysis import AUTO_BLAZEPOSE_EXERCISES, posture_engine
from api.ml.blazepose import BodyLandmarks, pick_detection, roi_from_person
from api.ml.blazepose_decode import PoseDetection, Roi
from api.ml.keypoints import KEYPOINT_INDEX
from api.ml.pose import Person


def person(points: dict[str, tuple[float, float]], box=(0.0, 0.0, 640.0, 480.0)) -> Person:
    keypoints = np.zeros((17, 3), dtype=np.float32)
    for name, (x, y) in points.items():
        keypoints[KEYPOINT_INDEX[name]] = (x, y, 0.9)
    return Person(box=list(box), score=0.9, keypoints=keypoints)


def test_a_standing_person_seeds_an_upright_crop_on_the_hips():
    standing = person(
        {"left_hip": (300, 300), "right_hip": (340, 300), "left_shoulder": (300, 180), "right_shoulder": (340, 180)}
        | {"nose": (320, 140), "left_ankle": (310, 500)}
    )
    roi = roi_from_person(standing)
    assert (roi.centre_x, roi.centre_y) == (320, 300)
    assert roi.rotation == pytest.approx(0.0)
    reach = math.hypot(10, 200)  # the farthest keypoint from the hips: the ankle
    assert roi.size == pytest.approx(2 * 1.25 * reach)


def test_a_push_up_seeds_a_crop_turned_towards_the_head():
    lying = person({"left_hip": (300, 300), "right_hip": (300, 300), "left_shoulder": (450, 290)})
    roi = roi_from_person(lying)
    assert roi.rotation == pytest.approx(math.pi / 2, abs=0.1)


def test_without_hips_the_crop_is_the_box():
    roi = roi_from_person(person({"nose": (100, 100)}, box=(50, 40, 150, 240)))
    assert (roi.centre_x, roi.centre_y, roi.rotation) == (100, 140, 0.0)
    assert roi.size == pytest.approx(2 * 1.25 * 100)


def detection(hip_x: float, score: float) -> PoseDetection:
    return PoseDetection(box=[0, 0, 1, 1], score=score, keypoints=np.array([[hip_x, 300.0], [hip_x, 100.0]] * 2))


def test_the_detection_on_the_reference_person_wins_over_a_surer_one_elsewhere():
    detections = [detection(500, 0.95), detection(120, 0.7)]
    reference = person({}, box=(50, 100, 200, 500))
    assert pick_detection(detections, reference).score == 0.7
    assert pick_detection(detections, None).score == 0.95
    assert pick_detection(detections, person({}, box=(250, 0, 400, 480))) is None


def test_landmarks_follow_a_person_while_most_lie_in_their_box():
    landmarks = np.zeros((33, 5))
    landmarks[:, 0], landmarks[:, 1], landmarks[:, 3] = np.linspace(100, 200, 33), 200.0, 0.9
    landmarks[:3, 0] = 900.0  # outside the 640 px picture: not counted
    found = BodyLandmarks(landmarks, np.zeros((33, 3)), 1.0, Roi(150, 200, 300))
    assert found.share_in([95, 150, 205, 250], (640, 480)) == 1.0
    assert found.share_in([100, 150, 150, 250], (640, 480)) == pytest.approx(15 / 30)  # x up to 155 of 109-200
    assert found.share_in([400, 150, 500, 250], (640, 480)) == 0.0


def test_auto_chooses_the_engine_per_exercise():
    assert posture_engine("yolo", "squat") == "yolo" and posture_engine("blazepose", None) == "blazepose"
    for exercise in AUTO_BLAZEPOSE_EXERCISES:
        assert posture_engine("auto", exercise) == "blazepose"
    assert posture_engine("auto", "biceps_curl") == "yolo"
    with pytest.raises(ValueError, match="yolo, blazepose"):
        posture_engine("openpose", "squat")
