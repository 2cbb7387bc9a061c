"""Keypoint layouts (COCO-17, the 21-joint body layout, MediaPipe-33) and the checking of keypoints clients send."""

import numpy as np
import pytest

from api.exceptions import InvalidInput, InvalidKeypoints
from api.ml.keypoints import (
    BODY_KEYPOINT_NAMES,
    KEYPOINT_NAMES,
    MAX_FRAMES,
    MEDIAPIPE33_NAMES,
    SKELETON_EDGES,
    index_of,
    mediapipe33_to_body_layout,
    read_keypoint_request,
    validate_keypoint_frames,
)

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
def test_valid_keypoints_come_back_as_a_float32_array_in_the_body_layout(frames):
    array = validate_keypoint_frames(frames)
    assert array.shape == (3, 21, 3) and array.dtype == np.float32
    assert array[:, :17].tolist() == np.asarray(frames, dtype=np.float32).tolist()
    assert not array[:, 17:, 2].any()  # COCO-17 has no feet: confidence 0


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


def test_the_body_layout_is_coco17_then_the_feet():
    assert BODY_KEYPOINT_NAMES[:17] == KEYPOINT_NAMES
    assert BODY_KEYPOINT_NAMES[17:] == ("left_heel", "right_heel", "left_foot_index", "right_foot_index")
    assert index_of("right_foot_index") == 20


def test_world_frames_keep_nan_where_unknown_and_get_nan_feet():
    frame = [point + [0.1, -0.2, 0.0] for point in FRAME]
    frame[index_of("left_knee")][3:] = [float("nan")] * 3
    array = validate_keypoint_frames([frame])
    assert array.shape == (1, 21, 6)
    assert np.isnan(array[0, index_of("left_knee"), 3:]).all() and np.isnan(array[0, 17:, 3:]).all()
    assert array[0, 0, 3:].tolist() == pytest.approx([0.1, -0.2, 0.0])


def test_infinite_world_values_are_refused_and_located():
    frame = [point + [0.0, 0.0, 0.0] for point in FRAME]
    frame[index_of("nose")][4] = float("inf")
    with pytest.raises(InvalidKeypoints) as error:
        validate_keypoint_frames([frame])
    assert error.value.details == {"frame": 0, "keypoint": "nose", "value": "world_y"}


def mediapipe_frame(width: int = 1, height: int = 1, fields: int = 4) -> np.ndarray:
    """33 landmarks spread over the picture, each [x, y, z, visibility] (or fewer fields)."""
    landmarks = np.zeros((33, 5))
    landmarks[:, 0] = np.linspace(0.2, 0.8, 33) * width
    landmarks[:, 1] = np.linspace(0.1, 0.9, 33) * height
    landmarks[:, 3], landmarks[:, 4] = 0.9, 0.6
    columns = {2: [0, 1], 3: [0, 1, 3], 4: [0, 1, 2, 3], 5: [0, 1, 2, 3, 4]}[fields]
    return landmarks[:, columns]


def test_mediapipe33_maps_each_body_joint_by_name():
    landmarks = mediapipe_frame(fields=5)[None]
    world = np.arange(33 * 3, dtype=float).reshape(1, 33, 3)
    body = mediapipe33_to_body_layout(landmarks, image_size=(640, 480), world=world)
    assert body.shape == (1, 21, 6)
    for name in ("nose", "left_shoulder", "right_ankle", "left_heel", "right_foot_index"):
        source = MEDIAPIPE33_NAMES.index(name)
        assert body[0, index_of(name), :2] == pytest.approx(landmarks[0, source, :2] * [640, 480])
        assert body[0, index_of(name), 3:] == pytest.approx(world[0, source])
    assert body[0, :, 2] == pytest.approx(0.6)  # visibility 0.9 lowered to presence 0.6


@pytest.mark.parametrize(("fields", "confidence"), [(2, 1.0), (3, 0.9), (4, 0.9), (5, 0.6)])
def test_mediapipe33_confidence_comes_from_the_fields_sent(fields, confidence):
    body = mediapipe33_to_body_layout(mediapipe_frame(fields=fields)[None])
    assert body.shape == (1, 21, 3) and body[0, :, 2] == pytest.approx(confidence)


def test_a_coco17_request_keeps_working_unchanged():
    request = read_keypoint_request({"frames": [FRAME, FRAME], "image_size": [640, 480]})
    assert request.keypoint_format == "coco17" and request.image_size == (640, 480)
    assert request.frames.shape == (2, 21, 3)
    assert request.frames[0, 0].tolist() == pytest.approx([100.0, 200.0, 0.9])


@pytest.mark.parametrize("normalised", [True, False])
def test_a_mediapipe33_request_comes_back_in_pixels_with_world_coordinates(normalised):
    frame = mediapipe_frame() if normalised else mediapipe_frame(640, 480)
    world = np.full((33, 3), 0.25)
    body = {"keypoint_format": "mediapipe33", "frames": [frame.tolist()] * 3, "image_size": [640, 480]}
    request = read_keypoint_request({**body, "world_frames": [world.tolist()] * 3})
    assert request.frames.shape == (3, 21, 6)
    nose = frame[0, :2] * ([640, 480] if normalised else 1)
    assert request.frames[2, index_of("nose"), :2] == pytest.approx(nose, abs=1e-3)
    assert request.frames[0, index_of("left_heel"), 3:] == pytest.approx([0.25] * 3)
    assert read_keypoint_request(body).frames.shape == (3, 21, 3)


def refused(body: dict) -> dict:
    with pytest.raises(InvalidKeypoints) as error:
        read_keypoint_request({"image_size": [640, 480], **body})
    return error.value.details


def test_a_mediapipe33_frame_with_the_wrong_shape_is_refused():
    details = refused({"keypoint_format": "mediapipe33", "frames": [mediapipe_frame()[:32].tolist()]})
    assert details["shape"] == [1, 32, 4]


def test_nan_in_a_mediapipe33_landmark_names_the_frame_and_landmark():
    bad = mediapipe_frame()
    bad[MEDIAPIPE33_NAMES.index("left_heel"), 2] = np.nan
    details = refused({"keypoint_format": "mediapipe33", "frames": [mediapipe_frame().tolist(), bad.tolist()]})
    assert details == {"frame": 1, "keypoint": "left_heel", "value": "z"}


def test_a_visibility_over_one_is_refused():
    bad = mediapipe_frame()
    bad[MEDIAPIPE33_NAMES.index("mouth_left"), 3] = 1.5
    details = refused({"keypoint_format": "mediapipe33", "frames": [bad.tolist()]})
    assert details == {"frame": 0, "keypoint": "mouth_left", "visibility": 1.5}


def test_a_joint_far_outside_the_picture_is_refused():
    frame = [list(point) for point in FRAME]
    frame[index_of("left_wrist")] = [5000.0, 200.0, 0.9]
    details = refused({"frames": [FRAME, FRAME, frame]})
    assert details == {"frame": 2, "keypoint": "left_wrist", "x": 5000.0}


def test_world_frames_must_match_the_frames_and_stay_near_the_body():
    frames = [mediapipe_frame().tolist()] * 2
    base = {"keypoint_format": "mediapipe33", "frames": frames}
    assert refused({**base, "world_frames": [np.zeros((33, 3)).tolist()]})["expected"] == [2, 33, 3]
    far = np.zeros((33, 3))
    far[MEDIAPIPE33_NAMES.index("right_wrist"), 0] = 12.0
    details = refused({**base, "world_frames": [np.zeros((33, 3)).tolist(), far.tolist()]})
    assert details == {"frame": 1, "keypoint": "right_wrist", "m": 12.0}
    assert "world_frames" in refused({"frames": [FRAME], "world_frames": [far.tolist()]})


def test_an_unknown_keypoint_format_is_refused_with_the_known_ones():
    assert refused({"keypoint_format": "openpose25", "frames": [FRAME]})["keypoint_format"] == [
        "coco17",
        "mediapipe33",
    ]


def test_a_bad_image_size_is_refused():
    with pytest.raises(InvalidInput) as error:
        read_keypoint_request({"frames": [FRAME], "image_size": [640]})
    assert "image_size" in error.value.details
