"""Live sessions with the real pose model: JPEG frames posed on the server with the same person followed, and a
real clip's keypoints streamed in batches giving the same judgement as `POST /analyses` on that clip."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest

from api.ml import runtime
from api.ml.tracking import main_track, track_people
from api.ml.video import iter_frames
from tests.conftest import assert_error

pytestmark = pytest.mark.slow
API = "/api/v1/live-sessions"


def jpeg(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return data.tobytes()


@pytest.fixture(scope="module")
def small_zidane(assets_dir) -> np.ndarray:
    image = cv2.imread(str(assets_dir / "zidane.jpg"))
    return cv2.resize(image, (480, 270))


def send_jpegs(client, headers, session_id, images, t_ms):
    data = {"frames": [(io.BytesIO(jpeg(image)), f"f{i}.jpg") for i, image in enumerate(images)], "t_ms": t_ms}
    return client.post(f"{API}/{session_id}/frames", headers=headers, data=data, content_type="multipart/form-data")


def test_jpeg_frames_are_posed_and_the_same_person_is_followed(client, auth_headers, small_zidane):
    session = client.post(API, headers=auth_headers, json={"exercise": "biceps_curl"}).get_json()
    shifted = [np.roll(small_zidane, shift, axis=1) for shift in (0, 4, 8, 12)]
    first = send_jpegs(client, auth_headers, session["id"], shifted[:2], [0, 100])
    assert first.status_code == 200, first.get_data(as_text=True)
    later = send_jpegs(client, auth_headers, session["id"], shifted[2:], [200, 300]).get_json()
    people = first.get_json()["pose"] + later["pose"]
    assert all(person and len(person["keypoints"]) == 17 for person in people)
    centres = [(person["box"][0] + person["box"][2]) / 2 for person in people]
    # zidane.jpg holds two people; the one followed stays the same (the frames move by 4 px each)
    assert max(centres) - min(centres) < 40
    assert client.get(f"{API}/{session['id']}", headers=auth_headers).get_json()["phase"] == "rest"


def test_frames_that_are_not_images_or_too_large_are_refused(client, auth_headers, small_zidane):
    session = client.post(API, headers=auth_headers, json={"exercise": "squat"}).get_json()
    url = f"{API}/{session['id']}/frames"
    text = {"frames": [(io.BytesIO(b"not an image at all" * 10), "a.jpg")], "t_ms": ["0"]}
    assert_error(client.post(url, headers=auth_headers, data=text, content_type="multipart/form-data"), 415)
    huge = cv2.resize(small_zidane, (2000, 1125))
    assert_error(send_jpegs(client, auth_headers, session["id"], [huge], [0]), 413, "payload_too_large")
    assert_error(send_jpegs(client, auth_headers, session["id"], [small_zidane], ["soon"]), 422)


def test_a_real_clip_streamed_as_keypoints_is_judged_like_its_analysis(tmp_path, client, auth_headers, person_clip):
    analysed = client.post(
        "/api/v1/analyses",
        headers=auth_headers,
        data={"file": (io.BytesIO(person_clip), "clip.mp4"), "exercise": "biceps_curl"},
        content_type="multipart/form-data",
    ).get_json()
    path = tmp_path / "clip.mp4"
    path.write_bytes(person_clip)
    images = [frame.image_bgr for frame in iter_frames(path, target_fps=10.0)]
    track = main_track(track_people(runtime.pose_estimator().detect_batch(images)))
    keypoints = track.keypoint_array(len(images))
    sample_fps = analysed["timing"]["sample_fps"]
    session = client.post(API, headers=auth_headers, json={"exercise": "biceps_curl"}).get_json()
    for begin in range(0, len(keypoints), 3):
        chunk = keypoints[begin : begin + 3]
        t_ms = [round((begin + i) * 1000 / sample_fps) for i in range(len(chunk))]
        body = {"frames": chunk.tolist(), "t_ms": t_ms, "image_size": analysed["image_size"]}
        assert client.post(f"{API}/{session['id']}/frames", headers=auth_headers, json=body).status_code == 200
    live = client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}).get_json()["analysis"]
    assert live["reps"]["count"] == analysed["reps"]["count"]
    for key in ("issues", "skipped", "view", "score", "form_ok"):
        assert live["posture"][key] == analysed["posture"][key], key
    assert live["posture"]["measured"] == pytest.approx(analysed["posture"]["measured"], abs=0.01)
