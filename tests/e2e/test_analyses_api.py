"""Photo and clip analysis through the real API with the real pose model and the committed recognizer."""

import io

import numpy as np
import pytest
from PIL import Image

from api.ml.recognition import LABELS
from tests.conftest import assert_error
from tests.helpers import jpeg_bytes, multipart_file, png_bytes

pytestmark = pytest.mark.slow


def analyse(client, headers, data, name="photo.jpg", exercise=None):
    form = multipart_file(data, name)
    if exercise:
        form["exercise"] = exercise
    return client.post("/api/v1/analyses", headers=headers, data=form)


def test_photo_with_people_is_analysed_end_to_end(client, auth_headers, bus_jpg):
    response = analyse(client, auth_headers, bus_jpg)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["media_type"] == "image" and body["image_size"] == [810, 1080]
    assert len(body["persons"]) >= 3
    for person in body["persons"]:
        assert len(person["box"]) == 4 and len(person["keypoints"]) == 17
    exercise = body["exercise"]
    assert len(exercise["top5"]) == 5 and all(item["label"] in LABELS for item in exercise["top5"])
    confidences = [item["confidence"] for item in exercise["top5"]]
    assert confidences == sorted(confidences, reverse=True) and 0 < confidences[0] <= 1
    assert (exercise["label"] is None) == (exercise["reason"] is not None)
    assert body["timing"]["pose_ms"] > 0


def test_naming_the_exercise_judges_posture_for_it(client, auth_headers, zidane_jpg):
    body = analyse(client, auth_headers, zidane_jpg, exercise="squat").get_json()
    posture = body["posture"]
    assert posture["assessed"] is True and posture["exercise"] == "squat"
    assert 0 <= posture["score"] <= 100 and isinstance(posture["form_ok"], bool)
    assert posture["view"] in ("side", "front", "unclear")
    assert {item["code"] for item in posture["skipped"]} >= {"insufficient_depth"}


def test_photo_without_a_person_says_so(client, auth_headers):
    body = analyse(client, auth_headers, jpeg_bytes(320, 240)).get_json()
    assert body["persons"] == []
    assert body["exercise"]["label"] is None and body["exercise"]["reason"] == "no person found"
    assert body["posture"]["assessed"] is False and body["posture"]["reason"] == "no person found"


def test_annotated_image_is_a_jpeg_of_the_photo(client, auth_headers, bus_jpg):
    body = analyse(client, auth_headers, bus_jpg).get_json()
    response = client.get(f"/api/v1/analyses/{body['id']}/annotated", headers=auth_headers)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    annotated = np.asarray(Image.open(io.BytesIO(response.data)))
    upload = client.get(f"/api/v1/uploads/{body['upload_id']}/content", headers=auth_headers)
    original = np.asarray(Image.open(io.BytesIO(upload.data)))
    assert annotated.shape == original.shape == (1080, 810, 3)
    assert np.abs(annotated.astype(int) - original.astype(int)).mean() > 1


def test_clip_is_tracked_and_timed(client, auth_headers, person_clip):
    response = analyse(client, auth_headers, person_clip, "clip.mp4", exercise="squat")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["media_type"] == "video"
    assert body["reps"]["count"] == 0 and body["reps"]["per_rep"] == []
    timing = body["timing"]
    assert timing["video_duration_s"] == pytest.approx(2.0, abs=0.1)
    assert 15 <= timing["frames_analysed"] <= 25 and len(timing["frame_times_s"]) == timing["frames_analysed"]
    assert body["persons"] and all("track_id" in person for person in body["persons"])
    assert client.get(f"/api/v1/analyses/{body['id']}/annotated", headers=auth_headers).status_code == 200


def test_clip_without_people_says_so(client, auth_headers, blank_clip):
    body = analyse(client, auth_headers, blank_clip, "blank.mp4").get_json()
    assert body["exercise"]["label"] is None and body["posture"]["assessed"] is False


@pytest.mark.parametrize(
    "data,name,status,code",
    [
        (b"", "a.jpg", 422, "invalid_media"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200, "broken.mp4", 422, "invalid_media"),
        (b"hello", "a.mp4", 415, "unsupported_media_type"),
    ],
    ids=["empty", "corrupt-mp4", "text"],
)
def test_bad_media_is_refused_and_nothing_is_kept(app, client, user, data, name, status, code):
    assert_error(analyse(client, user["headers"], data, name), status, code)
    assert client.get("/api/v1/analyses", headers=user["headers"]).get_json()["total"] == 0
    assert client.get("/api/v1/uploads", headers=user["headers"]).get_json()["total"] == 0
    folder = app.config["UPLOAD_DIR"] / str(user["id"])
    assert not folder.exists() or list(folder.iterdir()) == []


def test_png_renamed_mp4_is_analysed_as_a_photo(client, auth_headers):
    body = analyse(client, auth_headers, png_bytes(), "sneaky.mp4").get_json()
    assert body["media_type"] == "image"


def test_unknown_exercise_name_is_refused(client, auth_headers):
    error = assert_error(analyse(client, auth_headers, jpeg_bytes(), exercise="juggling"), 422, "unknown_exercise")
    assert "squat" in error["details"]["known"]


def test_analyses_are_listed_filtered_and_private(client, user, other_user, zidane_jpg):
    first = analyse(client, user["headers"], zidane_jpg, exercise="squat").get_json()["id"]
    analyse(client, user["headers"], jpeg_bytes())
    page = client.get("/api/v1/analyses?exercise=squat", headers=user["headers"]).get_json()
    assert page["total"] == 1 and page["items"][0]["id"] == first
    assert client.get("/api/v1/analyses?from=2000-01-01", headers=user["headers"]).get_json()["total"] == 2
    assert client.get("/api/v1/analyses", headers=other_user["headers"]).get_json()["total"] == 0
    for method, path in [("get", f"/api/v1/analyses/{first}"), ("get", f"/api/v1/analyses/{first}/annotated")]:
        assert_error(getattr(client, method)(path, headers=other_user["headers"]), 404)
    assert_error(client.delete(f"/api/v1/analyses/{first}", headers=other_user["headers"]), 404)
    assert client.delete(f"/api/v1/analyses/{first}", headers=user["headers"]).status_code == 204
    assert client.get("/api/v1/analyses", headers=user["headers"]).get_json()["total"] == 1


def test_a_clip_longer_than_the_sync_limit_is_queued_and_run_by_the_job_runner(
    app, client, auth_headers, person_clip, monkeypatch
):
    from tests.job_helpers import wait_for

    monkeypatch.setitem(app.config, "SYNC_CLIP_SECONDS", 1)
    response = analyse(client, auth_headers, person_clip, "long.mp4", exercise="squat")
    assert response.status_code == 202, response.get_json()
    queued = response.get_json()
    assert queued["status"] == "queued" and queued["exercise"] is None
    assert response.headers["Location"].endswith(f"/api/v1/analyses/{queued['id']}")

    def finished():
        body = client.get(response.headers["Location"], headers=auth_headers).get_json()
        return body if body["status"] in ("succeeded", "failed") else None

    body = wait_for(finished, timeout_s=180, poll_s=0.5)
    assert body["status"] == "succeeded", body["error"]
    assert body["media_type"] == "video" and body["posture"]["exercise"] == "squat"
    assert body["timing"]["video_duration_s"] == pytest.approx(2.0, abs=0.1)
    assert body["persons"] and body["reps"]["count"] == 0
    assert client.get(f"/api/v1/analyses/{body['id']}/annotated", headers=auth_headers).status_code == 200
    listed = client.get("/api/v1/analyses?exercise=squat", headers=auth_headers).get_json()
    assert body["id"] in [item["id"] for item in listed["items"]]
