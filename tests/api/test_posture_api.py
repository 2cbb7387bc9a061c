"""POST /posture: assessment and reps from keypoints alone."""

import numpy as np
import pytest

from tests.conftest import assert_error
from tests.unit.ml.skeletons import as_mediapipe33, side_plank, side_push_up


def post(client, headers, body):
    return client.post("/api/v1/posture", headers=headers, json=body)


def test_sagging_plank_photo_keypoints_are_judged(client, auth_headers):
    body = {"exercise": "plank", "frames": [side_plank(50).tolist()], "fps": 30, "image_size": [640, 480]}
    response = post(client, auth_headers, body)
    assert response.status_code == 201
    result = response.get_json()
    assert result["media_type"] == "keypoints"
    assert "hips_sagging" in {issue["code"] for issue in result["posture"]["issues"]}
    assert result["posture"]["form_ok"] is False


def test_push_up_sequence_counts_reps(client, auth_headers):
    cycle = list(np.linspace(170, 80, 8)) + list(np.linspace(80, 170, 8))
    frames = [side_push_up(angle).tolist() for angle in [170] * 4 + cycle * 2 + [170] * 4]
    result = post(client, auth_headers, {"exercise": "push_up", "frames": frames, "fps": 15, "image_size": [640, 480]})
    body = result.get_json()
    assert body["reps"]["count"] == 2 and len(body["reps"]["per_rep"]) == 2
    listed = client.get("/api/v1/analyses", headers=auth_headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["reps"]["count"] == 2


@pytest.mark.parametrize(
    "change,code",
    [
        ({"exercise": "juggling"}, "unknown_exercise"),
        ({"frames": [[[0, 0, 1]] * 16]}, "invalid_keypoints"),
        ({"frames": [[[float("nan"), 0, 1]] * 17]}, "invalid_keypoints"),
        ({"fps": 0}, "validation_error"),
        ({"image_size": [640]}, "validation_error"),
    ],
)
def test_bad_requests_are_refused(client, auth_headers, change, code):
    body = {"exercise": "plank", "frames": [side_plank().tolist()], "fps": 30, "image_size": [640, 480], **change}
    assert_error(post(client, auth_headers, body), 422, code)
    assert client.get("/api/v1/analyses", headers=auth_headers).get_json()["total"] == 0


def test_mediapipe33_landmarks_are_judged_like_the_same_coco17_keypoints(client, auth_headers):
    size = [640, 480]
    coco = post(client, auth_headers, {"exercise": "plank", "frames": [side_plank(50).tolist()], "image_size": size})
    body = {
        "exercise": "plank",
        "keypoint_format": "mediapipe33",
        "frames": [as_mediapipe33(side_plank(50), size).tolist()],
        "world_frames": [np.zeros((33, 3)).tolist()],
        "image_size": size,
    }
    response = post(client, auth_headers, body)
    assert response.status_code == 201
    result = response.get_json()
    assert result["timing"]["keypoint_format"] == "mediapipe33"
    assert result["posture"]["issues"] == coco.get_json()["posture"]["issues"]
    assert result["posture"]["measured"] == pytest.approx(coco.get_json()["posture"]["measured"], abs=0.05)


def test_a_bad_mediapipe33_landmark_gets_a_422_naming_frame_and_landmark(client, auth_headers):
    frames = [as_mediapipe33(side_plank(), (640, 480)).tolist() for _ in range(3)]
    frames[2][29][3] = 1.7  # left heel visibility
    body = {"exercise": "plank", "keypoint_format": "mediapipe33", "frames": frames, "image_size": [640, 480]}
    response = post(client, auth_headers, body)
    assert_error(response, 422, "invalid_keypoints")
    assert response.get_json()["error"]["details"] == {"frame": 2, "keypoint": "left_heel", "visibility": 1.7}
