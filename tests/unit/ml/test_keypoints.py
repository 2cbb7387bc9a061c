"""COCO-17 names and the validation of keypoint sequences sent by clients."""

import numpy as np
import pytest

from api.exceptions import InvalidKeypoints
from api.ml.keypoints import KEYPOINT_NAMES, MAX_FRAMES, SKELETON_EDGES, index_of, validate_keypoint_frames

FRAME = [[100.0, 200.0, 0.9]] * 17


def test_names_follow_coco_order():
    assert len(KEYPOINT_NAMES) == 17
    assert index_of("nose") == 0 and index_of("left_shoulder") == 5 and index_of("right_ankle") == 16


def test_unknown_keypoint_name_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="left_knee"):
        index_of("left_knees")


def test_skeleton_edges_join_valid_keypoints():
    assert all(0 <= a < 17 and 0 <= b < 17 and a != b for a, b in SKELETON_EDGES)


@pytest.mark.parametrize("frames", [[FRAME] * 3, np.array([FRAME] * 3)], ids=["list", "array"])
def test_valid_keypoints_come_back_as_a_float32_array(frames):
    array = validate_keypoint_frames(frames)
    assert array.shape == (3, 17, 3) and array.dtype == np.float32


def test_a_missing_joint_sent_as_zeros_is_valid():
    frame = [list(point) for point in FRAME]
    frame[index_of("left_hip")] = [0, 0, 0]
    assert validate_keypoint_frames([frame])[0, index_of("left_hip"), 2] == 0


@pytest.mark.parametrize(
    ("frames", "detail"),
    [
        ([], "frames"),
        ("not frames", "frames"),
        ({"frames": []}, "frames"),
        (None, "frames"),
        ([FRAME[:16]], "shape"),
        ([[[1.0, 2.0]] * 17], "shape"),
        ([[FRAME]], "shape"),
        ([FRAME, FRAME[:16]], "frames"),
        ([[["x", 2.0, 0.5]] * 17], "frames"),
        ([[[None, 2.0, 0.5]] * 17], "frames"),
    ],
    ids=["empty", "string", "dict", "none", "16-joints", "2-values", "4-d", "ragged", "text", "null"],
)
def test_wrong_shapes_and_types_are_refused(frames, detail):
    with pytest.raises(InvalidKeypoints) as error:
        validate_keypoint_frames(frames)
    assert detail in error.value.details


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_coordinates_are_refused_and_located(value):
    frame = [list(point) for point in FRAME]
    frame[index_of("right_wrist")] = [value, 10.0, 0.8]
    with pytest.raises(InvalidKeypoints) as error:
        validate_keypoint_frames([FRAME, frame])
    assert error.value.details == {"frame": 1, "keypoint": "right_wrist", "value": "x"}


@pytest.mark.parametrize("confidence", [-0.1, 1.5])
def test_confidence_outside_zero_to_one_is_refused(confidence):
    frame = [list(point) for point in FRAME]
    frame[index_of("nose")] = [1.0, 1.0, confidence]
    with pytest.raises(InvalidKeypoints) as error:
        validate_keypoint_frames([frame])
    assert error.value.details["keypoint"] == "nose"


def test_too_many_frames_are_refused():
    with pytest.raises(InvalidKeypoints) as error:
        validate_keypoint_frames([FRAME] * (MAX_FRAMES + 1))
    assert str(MAX_FRAMES) in error.value.details["frames"]
