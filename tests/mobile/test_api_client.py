"""The app's API client against the real API served over HTTP: every call and the error paths."""

from __future__ import annotations

import stat

import pytest
import requests

from mobile import api_client as api
from tests.mobile.conftest import PASSWORD


def test_register_login_me_and_token_file_is_private(new_client):
    client = new_client()
    account = client.register("ada.mobile@example.com", PASSWORD, "Ada")
    assert account["email"] == "ada.mobile@example.com" and account["role"] == "user"
    login = client.login("ada.mobile@example.com", PASSWORD)
    assert login["access_token"] and login["refresh_token"] and login["user"]["name"] == "Ada"
    assert stat.S_IMODE(client.tokens.path.stat().st_mode) == 0o600
    assert client.me()["email"] == "ada.mobile@example.com"
    again = api.ApiClient(client.base_url, token_path=client.tokens.path)
    assert again.signed_in and again.user["name"] == "Ada"


def test_wrong_password_is_auth_error(signed_in, new_client):
    with pytest.raises(api.AuthError) as caught:
        new_client().login(signed_in.test_email, "wrong-password-99")
    assert caught.value.status == 401 and caught.value.message == "wrong email or password"


def test_weak_password_is_invalid_with_server_message(new_client):
    with pytest.raises(api.Invalid) as caught:
        new_client().register("weak@example.com", "short", "Weak")
    assert caught.value.status == 422
    assert caught.value.message == "the password is too weak"
    assert "at least 10 characters" in caught.value.details["password"]


def test_taken_email_is_conflict(signed_in, new_client):
    with pytest.raises(api.Conflict):
        new_client().register(signed_in.test_email, PASSWORD, "Again")


def test_expired_access_token_is_refreshed_once_and_the_call_retried(live, signed_in):
    from mobile.devserver import expired_access_token

    expired = expired_access_token(live, signed_in.user["id"])
    signed_in.tokens.update(access_token=expired)
    assert signed_in.me()["email"] == signed_in.test_email
    assert signed_in.tokens.access != expired


def test_revoked_refresh_token_ends_the_session(live, signed_in):
    from mobile.devserver import expired_access_token

    requests.post(signed_in.url("/auth/logout"), headers={"Authorization": f"Bearer {signed_in.tokens.refresh}"})
    signed_in.tokens.update(access_token=expired_access_token(live, signed_in.user["id"]))
    with pytest.raises(api.AuthError) as caught:
        signed_in.me()
    assert "sign in again" in caught.value.message
    assert not signed_in.signed_in and not signed_in.tokens.path.exists()


def test_logout_revokes_the_tokens(signed_in, new_client):
    access = signed_in.tokens.access
    signed_in.logout()
    assert not signed_in.signed_in
    other = new_client()
    other.tokens.update(access_token=access)
    with pytest.raises(api.AuthError):
        other.me()


def test_profile_update_and_invalid_values(signed_in):
    me = signed_in.update_profile(age=34, sex="female", height_cm=170, weight_kg=68.5, fitness_level="beginner",
                                  goal="strength", days_per_week=3, session_minutes=45, equipment=["dumbbell"],
                                  limitations=["knee"])  # fmt: skip
    assert me["age"] == 34 and me["equipment"] == ["dumbbell"] and me["limitations"] == ["knee"]
    with pytest.raises(api.Invalid) as caught:
        signed_in.update_profile(age=5, goal="flying")
    assert caught.value.message == "the profile has invalid values"
    assert set(caught.value.details) == {"age", "goal"}


@pytest.mark.slow
def test_analyse_a_photo_with_progress_then_read_it_back(signed_in, photo):
    calls = []
    analysis = signed_in.analyse(photo, "push_up", progress=lambda sent, total: calls.append((sent, total)))
    assert calls and calls[-1][0] == calls[-1][1] == calls[0][1]
    assert [sent for sent, _ in calls] == sorted(sent for sent, _ in calls)
    assert calls[-1][1] > photo.stat().st_size
    assert analysis["status"] == "succeeded" and analysis["media_type"] == "image"
    recognised = analysis["exercise"]
    assert len(recognised["top5"]) == 5 and (recognised["label"] or recognised["reason"])
    assert analysis["posture"]["exercise"] == "push_up" and analysis["posture"]["score"] is not None
    assert all({"code", "message", "correction", "severity"} <= set(i) for i in analysis["posture"]["issues"])
    assert len(analysis["persons"]) >= 1
    assert signed_in.analysis(analysis["id"])["id"] == analysis["id"]
    assert [a["id"] for a in signed_in.analyses()["items"]] == [analysis["id"]]
    assert signed_in.annotated(analysis["id"])[:3] == b"\xff\xd8\xff"
    workout = signed_in.log_workout(analysis_id=analysis["id"])
    assert workout["analysis_id"] == analysis["id"] and workout["exercises"]


def test_upload_that_is_not_an_image_is_unsupported(signed_in, tmp_path):
    fake = tmp_path / "fake.jpg"
    fake.write_bytes(b"this is not a photo at all" * 10)
    with pytest.raises(api.UnsupportedMedia) as caught:
        signed_in.analyse(fake)
    assert caught.value.status == 415 and caught.value.message == "the file's content is not an accepted type"


def test_unknown_exercise_hint_is_invalid_with_server_message(signed_in, photo):
    with pytest.raises(api.Invalid) as caught:
        signed_in.analyse(photo, "juggling")
    assert caught.value.status == 422 and "juggling" in caught.value.message


def test_missing_file_is_invalid_without_a_call(signed_in, tmp_path):
    with pytest.raises(api.Invalid):
        signed_in.analyse(tmp_path / "nothing.jpg")


@pytest.fixture(scope="module")
def small_live(tmp_path_factory):
    """A second real API that refuses uploads over 20 kB."""
    from mobile.devserver import start_api

    server = start_api(tmp_path_factory.mktemp("small-api"), MAX_CONTENT_LENGTH=20_000)
    yield server
    server.stop()


def test_too_large_upload_is_too_large(small_live, photo, tmp_path):
    client = api.ApiClient(small_live.url, token_path=tmp_path / "t.json")
    client.register("big@example.com", PASSWORD, "Big")
    client.login("big@example.com", PASSWORD)
    with pytest.raises(api.TooLarge) as caught:
        client.analyse(photo, progress=lambda *_: None)
    assert caught.value.status == 413 and caught.value.message


def test_plans_workouts_progress_and_body_metrics(signed_in):
    signed_in.update_profile(fitness_level="beginner", goal="general_fitness", days_per_week=2, session_minutes=40)
    plan = signed_in.create_plan(weeks=2)
    assert plan["weeks"] == 2 and len(plan["content"]["schedule"]) == 2
    assert [p["id"] for p in signed_in.plans()["items"]] == [plan["id"]]
    assert signed_in.plan(plan["id"])["content"] == plan["content"]
    day = plan["content"]["schedule"][0]["days"][0]
    from mobile.formatting import day_workout

    workout = signed_in.log_workout(**day_workout(plan["id"], day))
    assert workout["plan_id"] == plan["id"] and workout["plan_day"] == day["day_id"]
    assert len(workout["exercises"]) == len(day["exercises"])
    assert signed_in.workouts()["total"] == 1
    metric = signed_in.add_body_metric(weight_kg=70.5)
    assert metric["weight_kg"] == 70.5
    assert signed_in.body_metrics()["items"][0]["id"] == metric["id"]
    progress = signed_in.progress()
    assert progress["sessions"] == 1 and progress["body_weight"][-1]["weight_kg"] == 70.5
    assert signed_in.progress("2026-01-01", "2026-01-31")["sessions"] == 0
    with pytest.raises(api.Invalid):
        signed_in.add_body_metric(weight_kg=5)
    with pytest.raises(api.Invalid) as caught:
        signed_in.progress("2026-02-01", "2026-01-01")
    assert caught.value.message == "from must not be after to"
    with pytest.raises(api.NotFound):
        signed_in.plan(999_999)


def test_training_jobs_metrics_and_models(live, signed_in):
    from mobile.devserver import make_admin, seed_training

    make_admin(live, signed_in.test_email)
    job_id = seed_training(live, signed_in.user["id"], epochs=5)
    jobs = signed_in.training_jobs()["items"]
    assert job_id in [job["id"] for job in jobs]
    assert signed_in.training_job(job_id)["status"] == "succeeded"
    metrics = signed_in.training_metrics(job_id)
    assert metrics["epochs"] == [1, 2, 3, 4, 5] and len(metrics["series"]["map50_95"]) == 5
    models = signed_in.models()["items"]
    assert len(models) == 1 and not models[0]["is_active"]
    assert signed_in.activate_model(models[0]["id"])["is_active"] is True


def test_no_server_is_network_error(tmp_path):
    from mobile.devserver import free_port

    client = api.ApiClient(f"127.0.0.1:{free_port()}", token_path=tmp_path / "t.json", timeout=3)
    assert client.base_url.startswith("http://127.0.0.1:")
    with pytest.raises(api.NetworkError) as caught:
        client.login("a@example.com", PASSWORD)
    assert caught.value.status is None and "cannot reach the server" in caught.value.message


def test_base_url_accepts_the_api_prefix():
    assert api.ApiClient("https://fit.example.com/api/v1/").url("/plans") == "https://fit.example.com/api/v1/plans"


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, api.Invalid), (403, api.Forbidden), (429, api.RateLimited), (500, api.ServerError), (503, api.ServerError)],
)
def test_error_classes_by_status(status, cls):
    response = requests.Response()
    response.status_code = status
    response._content = b'{"error": {"code": "x", "message": "the message"}}'
    error = api.error_from_response(response)
    assert type(error) is cls and error.status == status and error.message == "the message"


def test_error_without_json_body_still_has_a_message():
    response = requests.Response()
    response.status_code = 502
    response._content = b"<html>bad gateway</html>"
    error = api.error_from_response(response)
    assert isinstance(error, api.ServerError) and error.message == "the server answered 502"


def test_client_module_does_not_import_kivy():
    import subprocess
    import sys

    code = "import sys, mobile.api_client; sys.exit(1 if any(m.startswith('kivy') for m in sys.modules) else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def live_batch(first_ms: int) -> dict:
    from tests.unit.ml.skeletons import side_push_up

    return {"frames": [side_push_up(170).tolist()] * 3, "t_ms": [first_ms, first_ms + 100, first_ms + 200],
            "image_size": (640, 480)}  # fmt: skip


def test_a_live_socket_answers_like_the_frames_route_and_raises_its_errors(live, signed_in):
    from mobile.devserver import expired_access_token

    session = signed_in.create_live_session("push_up")
    signed_in.tokens.update(access_token=expired_access_token(live, signed_in.user["id"]))
    socket = signed_in.open_live_socket(session["id"])  # the expired token is refreshed once on the way
    assert socket is not None
    try:
        answer = socket.send_live_keypoints(**live_batch(0))
        assert answer["duplicate"] is False and answer["rep_count"] == 0 and answer["phase"] is not None
        with pytest.raises(api.Invalid) as caught:
            socket.send_live_keypoints(**live_batch(100))  # before the last frame sent
        assert caught.value.details["last_t_ms"] == 200
        assert socket.send_live_keypoints(**live_batch(300))["duplicate"] is False
    finally:
        socket.close()
    with pytest.raises(api.NetworkError):
        socket.send_live_keypoints(**live_batch(600))
    assert signed_in.live_session(session["id"])["status"] == "active"


def test_without_threaded_workers_there_is_no_live_socket_and_the_frames_route_still_works(live, signed_in):
    import threading

    from werkzeug.serving import make_server

    single = make_server("127.0.0.1", 0, live.app, threaded=False)
    thread = threading.Thread(target=single.serve_forever, daemon=True)
    thread.start()
    try:
        client = api.ApiClient(f"http://127.0.0.1:{single.server_port}")
        client.tokens.update(access_token=signed_in.tokens.access, refresh_token=signed_in.tokens.refresh)
        session = client.create_live_session("push_up")
        assert client.open_live_socket(session["id"]) is None
        assert client.send_live_keypoints(session["id"], **live_batch(0))["duplicate"] is False
    finally:
        single.shutdown()
        thread.join()
