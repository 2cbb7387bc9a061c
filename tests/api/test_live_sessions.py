"""Live sessions through the real app and database: start, feed keypoint batches, answers as reps complete,
duplicates and bad batches, finish into an analysis and a workout, and the Redis session store."""

import numpy as np
import pytest

from tests.conftest import assert_error
from tests.unit.ml.skeletons import as_mediapipe33, side_plank, side_push_up, with_feet

API = "/api/v1/live-sessions"
SIZE = [640, 480]
FPS = 15


def push_up_frames(reps: int, hip_offsets=None) -> list:
    offsets = hip_offsets or [0.0] * reps
    frames = [side_push_up(170) for _ in range(6)]
    for offset in offsets:
        cycle = [*np.linspace(170, 80, 10), *np.linspace(80, 170, 10)]
        frames += [side_push_up(angle, offset) for angle in cycle] + [side_push_up(170, offset) for _ in range(5)]
    return [frame.tolist() for frame in frames]


def start(client, headers, **body):
    response = client.post(API, headers=headers, json={"exercise": "push_up", **body})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def feed(client, headers, session_id, frames, first_index=0, size=None):
    """Send frames in batches of `size` (all at once by default); the answers."""
    size = size or len(frames)
    answers = []
    for begin in range(0, len(frames), size):
        chunk = frames[begin : begin + size]
        t_ms = [round((first_index + begin + i) * 1000 / FPS) for i in range(len(chunk))]
        response = client.post(
            f"{API}/{session_id}/frames", headers=headers, json={"frames": chunk, "t_ms": t_ms, "image_size": SIZE}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        answers.append(response.get_json())
    return answers


def test_a_session_starts_with_nothing_counted(client, auth_headers):
    session = start(client, auth_headers, target_reps=10)
    assert session["status"] == "active" and session["rep_count"] == 0 and session["target_reps"] == 10
    assert client.get(f"{API}/{session['id']}", headers=auth_headers).get_json()["phase"] == "waiting"
    assert client.get(API, headers=auth_headers).get_json()["total"] == 1


@pytest.mark.parametrize(
    "body,field",
    [
        ({"exercise": "juggling"}, "exercise"),
        ({"exercise": ["push_up"]}, "exercise"),
        ({"exercise": "push_up", "target_reps": 0}, "target_reps"),
        ({"exercise": "push_up", "target_seconds": "ten"}, "target_seconds"),
        ({"exercise": "push_up", "keypoint_format": "openpose"}, "keypoint_format"),
        ({"exercise": "push_up", "keypoint_format": ["coco17"]}, "keypoint_format"),
        ({"exercise": "push_up", "colour": "red"}, "colour"),
    ],
)
def test_bad_sessions_are_refused_naming_the_field(client, auth_headers, body, field):
    error = assert_error(client.post(API, headers=auth_headers, json=body), 422, "validation_error")
    assert field in error["details"]


@pytest.mark.parametrize("size", [1, 4, 15, 1000])
def test_streamed_batches_of_any_size_give_the_batch_answer(client, auth_headers, size):
    frames = push_up_frames(3, hip_offsets=[0.0, 45.0, 0.0])
    batch = client.post(
        "/api/v1/posture", headers=auth_headers, json={"exercise": "push_up", "frames": frames, "fps": FPS,
                                                       "image_size": SIZE}
    ).get_json()  # fmt: skip
    session = start(client, auth_headers, target_reps=3)
    answers = feed(client, auth_headers, session["id"], frames, size=size)
    counted = [rep["index"] for answer in answers for rep in answer["reps"]]
    assert counted == [1, 2, 3] and answers[-1]["rep_count"] == 3 and answers[-1]["target_reached"] is True
    finished = client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}).get_json()
    live = finished["analysis"]
    assert live["media_type"] == "live" and live["reps"]["count"] == batch["reps"]["count"]
    for streamed, whole in zip(live["reps"]["per_rep"], batch["reps"]["per_rep"], strict=True):
        # the same reps and faults; times differ only by the rounding of t_ms to whole milliseconds
        assert streamed["issues"] == whole["issues"] and streamed["measured"] == whole["measured"]
        assert {k: streamed[k] for k in ("start_s", "end_s", "duration_s")} == pytest.approx(
            {k: whole[k] for k in ("start_s", "end_s", "duration_s")}, abs=0.002
        )
    for key in ("issues", "measured", "score", "form_ok", "view", "skipped"):
        assert live["posture"][key] == batch["posture"][key], key


def test_a_sagging_rep_is_cued_in_the_answer_that_shows_it(client, auth_headers):
    session = start(client, auth_headers)
    answers = feed(client, auth_headers, session["id"], push_up_frames(2, hip_offsets=[0.0, 45.0]), size=5)
    cued = [answer["cue"]["code"] for answer in answers if answer["cue"]]
    assert "hips_sagging" in cued
    first = next(answer for answer in answers if answer["cue"] and answer["cue"]["code"] == "hips_sagging")
    assert first["cue"]["correction"] and first["cue"]["severity"] in ("medium", "high")
    assert answers[0]["active_faults"] == [] and answers[0]["cue"] is None


def test_a_batch_sent_twice_changes_nothing(client, auth_headers):
    session = start(client, auth_headers)
    frames = push_up_frames(1)
    once = feed(client, auth_headers, session["id"], frames)[0]
    twice = feed(client, auth_headers, session["id"], frames)[0]
    assert once["rep_count"] == twice["rep_count"] == 1
    assert twice["duplicate"] is True and once["duplicate"] is False
    assert client.get(f"{API}/{session['id']}", headers=auth_headers).get_json()["rep_count"] == 1


@pytest.mark.parametrize(
    "body,code",
    [
        ({"t_ms": [100, 50]}, "validation_error"),
        ({"t_ms": [10**9 - 1, 10**9]}, "validation_error"),
        ({"t_ms": [1.5, 2]}, "validation_error"),
        ({"t_ms": [0]}, "invalid_keypoints"),
        ({"frames": [[[float("nan"), 0, 1]] * 17] * 2}, "invalid_keypoints"),
        ({"image_size": [640]}, "validation_error"),
    ],
)
def test_bad_batches_are_refused(client, auth_headers, body, code):
    session = start(client, auth_headers)
    batch = {"frames": [side_push_up(170).tolist()] * 2, "t_ms": [0, 66], "image_size": SIZE, **body}
    assert_error(client.post(f"{API}/{session['id']}/frames", headers=auth_headers, json=batch), 422, code)


def test_frames_before_the_last_one_sent_are_out_of_order(client, auth_headers):
    session = start(client, auth_headers)
    feed(client, auth_headers, session["id"], [side_push_up(170).tolist()] * 3, first_index=10)
    late = {"frames": [side_push_up(170).tolist()], "t_ms": [700], "image_size": SIZE}
    error = assert_error(client.post(f"{API}/{session['id']}/frames", headers=auth_headers, json=late), 422)
    assert error["details"]["last_t_ms"] == round(12 * 1000 / FPS)


def test_a_plank_is_timed_while_the_form_holds_and_logged_as_a_workout(client, auth_headers):
    session = start(client, auth_headers, exercise="plank", target_seconds=2)
    good = [side_plank(0.0).tolist()] * 45
    answers = feed(client, auth_headers, session["id"], good + [side_plank(60.0).tolist()] * 30, size=8)
    assert answers[-1]["hold_s"] == pytest.approx(44 / FPS, abs=0.2)
    assert answers[-1]["phase"] == "fault" and answers[-1]["target_reached"] is True
    assert any(answer["hold_ok"] for answer in answers) and answers[-1]["hold_ok"] is False
    finished = client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={"log_workout": True})
    body = finished.get_json()
    assert finished.status_code == 200 and body["session"]["status"] == "finished"
    assert body["analysis"]["posture"]["hold_s"] == pytest.approx(44 / FPS, abs=0.2)
    workout = client.get(f"/api/v1/workouts/{body['workout_id']}", headers=auth_headers).get_json()
    assert workout["analysis_id"] == body["analysis"]["id"]
    assert (
        client.get(f"{API}/{session['id']}", headers=auth_headers).get_json()["analysis_id"] == body["analysis"]["id"]
    )


def test_a_finished_session_takes_no_more_frames_and_cannot_finish_twice(client, auth_headers):
    session = start(client, auth_headers)
    feed(client, auth_headers, session["id"], push_up_frames(1))
    assert client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}).status_code == 200
    assert_error(client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}), 409, "conflict")
    more = {"frames": [side_push_up(170).tolist()], "t_ms": [99_000], "image_size": SIZE}
    assert_error(client.post(f"{API}/{session['id']}/frames", headers=auth_headers, json=more), 409, "conflict")


def test_finishing_without_frames_is_a_conflict(client, auth_headers):
    session = start(client, auth_headers)
    assert_error(client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}), 409, "conflict")


def stored_row_batches(app, session_id: int) -> int:
    from api.extensions import db
    from api.models import LiveSessionRows

    with app.app_context():
        return db.session.query(LiveSessionRows).filter_by(session_id=session_id).count()


def test_an_abandoned_session_expires_and_its_rows_go(app, client, auth_headers):
    app.config["LIVE_TTL_S"] = 0
    try:
        session = start(client, auth_headers)
        feed(client, auth_headers, session["id"], push_up_frames(1), size=10)
        assert stored_row_batches(app, session["id"]) == 4  # 31 frames: one appended chunk a batch
        start(client, auth_headers)  # starting another sweeps the abandoned ones
    finally:
        app.config["LIVE_TTL_S"] = 1800
    assert client.get(f"{API}/{session['id']}", headers=auth_headers).get_json()["status"] == "expired"
    assert stored_row_batches(app, session["id"]) == 0
    batch = {"frames": [side_push_up(170).tolist()], "t_ms": [0], "image_size": SIZE}
    assert_error(client.post(f"{API}/{session['id']}/frames", headers=auth_headers, json=batch), 409, "conflict")


def test_deleting_a_session_keeps_its_analysis(client, auth_headers):
    session = start(client, auth_headers)
    feed(client, auth_headers, session["id"], push_up_frames(1))
    analysis_id = client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}).get_json()["analysis"][
        "id"
    ]
    assert client.delete(f"{API}/{session['id']}", headers=auth_headers).status_code == 204
    assert client.get(f"{API}/{session['id']}", headers=auth_headers).status_code == 404
    assert client.get(f"/api/v1/analyses/{analysis_id}", headers=auth_headers).status_code == 200


def test_a_new_session_never_inherits_redis_keys_left_under_its_id(client, auth_headers, redis_store):
    session = start(client, auth_headers)
    stale = {"frames": [side_push_up(170).tolist()], "t_ms": [5000], "image_size": SIZE}
    client.post(f"{API}/{session['id']}/frames", headers=auth_headers, json=stale)
    client.delete(f"{API}/{session['id']}", headers=auth_headers)
    for reused in (session["id"], session["id"] + 1):  # SQLite hands a deleted id out again, PostgreSQL the next
        redis_store.hset(f"fitcoach:live:{reused}", mapping={"state": '{"last_t_ms": 9000}', "version": 7})
    fresh = start(client, auth_headers)
    assert fresh["id"] in (session["id"], session["id"] + 1) and fresh["phase"] == "waiting"
    assert feed(client, auth_headers, fresh["id"], [side_push_up(170).tolist()])[0]["duplicate"] is False


def test_with_redis_the_state_lives_in_redis_and_survives_a_new_store(client, auth_headers, redis_store):
    from api.services.live_sessions import stores as live_sessions

    session = start(client, auth_headers)
    frames = push_up_frames(2)
    feed(client, auth_headers, session["id"], frames[:30])
    key = f"fitcoach:live:{session['id']}"
    assert redis_store.exists(key) and redis_store.ttl(key) > 0
    live_sessions._stores.clear()  # as a fresh worker process would start
    answers = feed(client, auth_headers, session["id"], frames[30:], first_index=30)
    assert answers[-1]["rep_count"] == 2
    body = client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}).get_json()
    assert body["analysis"]["reps"]["count"] == 2
    assert not redis_store.exists(key)


def test_a_set_logged_for_a_plan_day_runs_the_plans_adaptation(client, user):
    headers = user["headers"]
    profile = {"age": 35, "sex": "female", "height_cm": 168, "weight_kg": 64, "fitness_level": "beginner",
               "goal": "general_fitness", "days_per_week": 3, "equipment": ["body_only"]}  # fmt: skip
    assert client.patch("/api/v1/users/me", headers=headers, json=profile).status_code == 200
    plan = client.post("/api/v1/plans", headers=headers, json={"weeks": 2}).get_json()
    day = plan["content"]["schedule"][0]["days"][0]
    session = start(client, headers)
    feed(client, headers, session["id"], push_up_frames(3))
    body = {"log_workout": True, "plan_id": plan["id"], "plan_day": day["day_id"]}
    finished = client.post(f"{API}/{session['id']}/finish", headers=headers, json=body).get_json()
    workout = client.get(f"/api/v1/workouts/{finished['workout_id']}", headers=headers).get_json()
    assert workout["plan_id"] == plan["id"] and workout["exercises"][0]["sets"][0]["reps"] == 3
    assert workout["plan_day"] == day["day_id"]
    assert isinstance(finished["plan_changes"], list)  # None when no adaptation ran (a set logged without a plan)


def test_finishing_with_a_bad_plan_or_weight_is_refused_and_the_session_stays_open(client, auth_headers):
    session = start(client, auth_headers)
    feed(client, auth_headers, session["id"], push_up_frames(1))
    for body in ({"log_workout": "yes"}, {"log_workout": True, "weight_kg": -3}, {"log_workout": True, "plan_id": 999}):
        response = client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json=body)
        assert response.status_code in (404, 422), body
    assert client.get(f"{API}/{session['id']}", headers=auth_headers).get_json()["status"] == "active"
    assert client.get("/api/v1/analyses", headers=auth_headers).get_json()["total"] == 0
    assert client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}).status_code == 200


def test_mediapipe33_landmarks_stream_like_the_same_coco17_keypoints(client, auth_headers):
    frames = push_up_frames(2, hip_offsets=[0.0, 45.0])
    coco = start(client, auth_headers)
    mediapipe = start(client, auth_headers, keypoint_format="mediapipe33")
    feed(client, auth_headers, coco["id"], frames, size=10)
    landmarks = [as_mediapipe33(with_feet(np.array(frame, np.float32), {}), SIZE).tolist() for frame in frames]
    answers = feed(client, auth_headers, mediapipe["id"], landmarks, size=10)
    assert answers[-1]["rep_count"] == 2
    results = [
        client.post(f"{API}/{session['id']}/finish", headers=auth_headers, json={}).get_json()["analysis"]
        for session in (coco, mediapipe)
    ]
    assert results[0]["reps"]["count"] == results[1]["reps"]["count"] == 2
    assert results[0]["posture"]["issues"] == results[1]["posture"]["issues"]
    wrong = {"frames": frames[:1], "t_ms": [99_000], "image_size": SIZE}
    error = assert_error(client.post(f"{API}/{mediapipe['id']}/frames", headers=auth_headers, json=wrong), 422)
    assert error["code"] == "invalid_keypoints"
