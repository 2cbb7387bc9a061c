"""Plans, workouts, body metrics, progress and the catalogue through the real API."""

import csv
import io
from datetime import date, timedelta

import pytest
from PIL import Image

from tests.conftest import assert_error, freeze_today

PROFILE = {
    "age": 30,
    "weight_kg": 80,
    "fitness_level": "intermediate",
    "goal": "hypertrophy",
    "days_per_week": 3,
    "session_minutes": 60,
    "equipment": ["barbell", "bench", "dumbbell"],
}


@pytest.fixture
def profiled(client, user):
    assert client.patch("/api/v1/users/me", headers=user["headers"], json=PROFILE).status_code == 200
    return user


def make_plan(client, headers, **body):
    return client.post("/api/v1/plans", headers=headers, json={"weeks": 4, **body})


def test_exercises_are_public_filterable_and_carry_posture_checks(client):
    page = client.get("/api/v1/exercises?per_page=100").get_json()
    assert page["total"] >= 80
    squat = client.get("/api/v1/exercises/squat").get_json()
    assert squat["met"] > 0 and "quadriceps" in squat["primary_muscles"]
    assert "knees_caving_in" in {check["code"] for check in squat["posture_checks"]}
    assert squat["measure"] == "reps" and client.get("/api/v1/exercises/plank").get_json()["measure"] == "seconds"
    dumbbell = client.get("/api/v1/exercises?equipment=dumbbell&per_page=100").get_json()["items"]
    assert dumbbell and all("dumbbell" in e["equipment"] for e in dumbbell)
    assert_error(client.get("/api/v1/exercises/juggling"), 404, "unknown_exercise")
    assert_error(client.get("/api/v1/exercises?pattern=teleport"), 422)


def test_plan_is_generated_from_the_profile(client, profiled):
    response = make_plan(client, profiled["headers"])
    assert response.status_code == 201
    plan = response.get_json()
    content = plan["content"]
    assert plan["version"] == 1 and content["goal"] == "hypertrophy" and len(content["schedule"]) == 4
    day = content["schedule"][0]["days"][0]
    assert day["warm_up"] and day["exercises"] and day["cool_down"]
    item = day["exercises"][0]
    assert {"sets", "rep_range", "rest_s", "rpe", "rir", "tempo", "why"} <= set(item)
    assert "hypertrophy" in item["why"]


def test_request_overrides_the_profile(client, profiled):
    content = make_plan(client, profiled["headers"], days_per_week=5, goal="strength", weeks=2).get_json()["content"]
    assert content["days_per_week"] == 5 and content["goal"] == "strength"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"days_per_week": 0}, "days_per_week"),
        ({"days_per_week": 8}, "days_per_week"),
        ({"session_minutes": 5}, "session_minutes"),
        ({"equipment": ["hoverboard"]}, "equipment"),
        ({"weeks": 100}, "weeks"),
    ],
)
def test_bad_plan_requests_are_refused_and_nothing_saved(client, profiled, body, field):
    error = assert_error(make_plan(client, profiled["headers"], **body), 422, "validation_error")
    assert field in error["details"]
    assert client.get("/api/v1/plans", headers=profiled["headers"]).get_json()["total"] == 0


def test_a_plan_built_around_someone_elses_analysis_is_refused(client, profiled, other_user):
    from tests.unit.ml.skeletons import side_plank

    body = {"exercise": "plank", "frames": [side_plank(50).tolist()], "fps": 30, "image_size": [640, 480]}
    analysis_id = client.post("/api/v1/posture", headers=other_user["headers"], json=body).get_json()["id"]
    assert_error(make_plan(client, profiled["headers"], analysis_id=analysis_id), 404)


def test_plans_are_private(client, profiled, other_user):
    plan_id = make_plan(client, profiled["headers"]).get_json()["id"]
    for path in ("", "/versions", "/export.ics", "/export.csv"):
        assert_error(client.get(f"/api/v1/plans/{plan_id}{path}", headers=other_user["headers"]), 404)
    assert_error(client.post(f"/api/v1/plans/{plan_id}/adapt", headers=other_user["headers"]), 404)
    assert_error(client.delete(f"/api/v1/plans/{plan_id}", headers=other_user["headers"]), 404)
    assert client.get("/api/v1/plans", headers=other_user["headers"]).get_json()["total"] == 0


def test_logging_a_plan_session_adapts_the_plan_with_reasons(client, profiled, today):
    headers = profiled["headers"]
    plan = make_plan(client, headers, start_date=(today - timedelta(days=1)).isoformat()).get_json()
    first_day = plan["content"]["schedule"][0]["days"][0]
    item = first_day["exercises"][0]
    top = item["rep_range"][1]
    workout = {
        "date": first_day["date"],
        "plan_id": plan["id"],
        "plan_day": first_day["day_id"],
        "exercises": [{"exercise": item["exercise"], "sets": [{"reps": top, "weight_kg": 60, "rpe": 7}] * 3}],
    }
    response = client.post("/api/v1/workouts", headers=headers, json=workout)
    assert response.status_code == 201
    changes = response.get_json()["plan_changes"]
    assert any(c.get("exercise") == item["exercise"] and c["change"] == "increase_load" for c in changes)
    current = client.get(f"/api/v1/plans/{plan['id']}", headers=headers).get_json()
    assert current["version"] == 2 and current["changes"]
    versions = client.get(f"/api/v1/plans/{plan['id']}/versions", headers=headers).get_json()
    assert [v["version"] for v in versions["items"]] == [2, 1]
    again = client.post(f"/api/v1/plans/{plan['id']}/adapt", headers=headers).get_json()
    assert again["version"] == 2


def test_plan_exports(client, profiled):
    plan_id = make_plan(client, profiled["headers"], weeks=2).get_json()["id"]
    ics = client.get(f"/api/v1/plans/{plan_id}/export.ics", headers=profiled["headers"])
    assert ics.mimetype == "text/calendar" and ics.data.count(b"BEGIN:VEVENT") == 6
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/api/v1/plans/{plan_id}/export.csv", headers=profiled["headers"]).get_data(as_text=True)
            )
        )
    )
    assert rows and rows[0]["why"]


@pytest.mark.parametrize(
    "workout,field",
    [
        ({"exercises": [{"exercise": "squat", "sets": [{"reps": -1}]}]}, "exercises[0].sets[0].reps"),
        ({"exercises": [{"exercise": "juggling", "sets": [{"reps": 5}]}]}, "exercises[0].exercise"),
        ({"exercises": []}, "exercises"),
        ({"date": "2999-01-01", "exercises": [{"exercise": "squat", "sets": [{"reps": 5}]}]}, "date"),
        ({"exercises": [{"exercise": "squat", "sets": [{"reps": 5, "rpe": 11}]}]}, "exercises[0].sets[0].rpe"),
    ],
)
def test_bad_workouts_are_refused_and_nothing_saved(client, auth_headers, workout, field):
    error = assert_error(client.post("/api/v1/workouts", headers=auth_headers, json=workout), 422)
    assert field in error["details"]
    assert client.get("/api/v1/workouts", headers=auth_headers).get_json()["total"] == 0


def test_workouts_crud_and_privacy(client, user, other_user, today):
    body = {"date": today.isoformat(), "exercises": [{"exercise": "push_up", "sets": [{"reps": 10}]}]}
    workout_id = client.post("/api/v1/workouts", headers=user["headers"], json=body).get_json()["id"]
    edited = client.patch(f"/api/v1/workouts/{workout_id}", headers=user["headers"], json={"notes": "felt strong"})
    assert edited.get_json()["notes"] == "felt strong"
    for method in ("get", "patch", "delete"):
        kwargs = {"json": {"notes": "x"}} if method == "patch" else {}
        assert_error(
            getattr(client, method)(f"/api/v1/workouts/{workout_id}", headers=other_user["headers"], **kwargs), 404
        )
    assert client.get("/api/v1/workouts", headers=other_user["headers"]).get_json()["total"] == 0
    assert client.delete(f"/api/v1/workouts/{workout_id}", headers=user["headers"]).status_code == 204


def test_an_analysis_can_be_logged_as_a_workout(client, auth_headers):
    from tests.unit.ml.skeletons import side_push_up

    frames = [
        side_push_up(a).tolist() for a in [170] * 3 + list(range(170, 79, -10)) + list(range(80, 171, 10)) + [170] * 3
    ]
    analysis = client.post(
        "/api/v1/posture",
        headers=auth_headers,
        json={"exercise": "push_up", "frames": frames, "fps": 10, "image_size": [640, 480]},
    ).get_json()
    workout = client.post("/api/v1/workouts", headers=auth_headers, json={"analysis_id": analysis["id"]}).get_json()
    assert workout["exercises"] == [
        {"exercise": "push_up", "sets": [{"reps": 1, "weight_kg": None, "rpe": None, "duration_s": None}]}
    ]


def test_body_metrics_and_progress_with_charts(client, profiled, today):
    headers = profiled["headers"]
    for i in range(10):
        day = (today - timedelta(days=i)).isoformat()
        assert (
            client.post(
                "/api/v1/body-metrics", headers=headers, json={"date": day, "weight_kg": 80 + i / 10}
            ).status_code
            == 201
        )
        client.post(
            "/api/v1/workouts",
            headers=headers,
            json={"date": day, "exercises": [{"exercise": "squat", "sets": [{"reps": 5, "weight_kg": 100}]}]},
        )
    assert_error(client.post("/api/v1/body-metrics", headers=headers, json={"weight_kg": 10}), 422)
    progress = client.get("/api/v1/progress", headers=headers).get_json()
    assert progress["sessions"] == 10 and progress["one_rm"]["squat"][0]["e1rm_kg"] == pytest.approx(116.7, abs=0.1)
    assert len(progress["body_weight"]) == 10
    for name in ("volume", "one_rm", "body_weight", "form_score", "adherence", "calories"):
        response = client.get(f"/api/v1/progress/charts/{name}.png", headers=headers)
        assert response.mimetype == "image/png" and Image.open(io.BytesIO(response.data)).format == "PNG"
    assert_error(client.get("/api/v1/progress/charts/nope.png", headers=headers), 422, "unknown_chart")
    assert_error(client.get("/api/v1/progress?from=2026-12-01&to=2026-01-01", headers=headers), 422)
    metric_id = client.get("/api/v1/body-metrics", headers=headers).get_json()["items"][0]["id"]
    assert client.delete(f"/api/v1/body-metrics/{metric_id}", headers=headers).status_code == 204


def test_the_app_takes_today_from_the_frozen_clock(client, profiled, monkeypatch):
    headers = profiled["headers"]
    freeze_today(monkeypatch, date(2024, 2, 29))
    metric = client.post("/api/v1/body-metrics", headers=headers, json={"weight_kg": 80})
    assert metric.status_code == 201 and metric.get_json()["date"] == "2024-02-29"
    assert client.get("/api/v1/progress", headers=headers).get_json()["to"] == "2024-02-29"
    plan = make_plan(client, headers, weeks=1).get_json()["content"]
    assert plan["schedule"][0]["days"][0]["date"] >= "2024-02-29" and plan["start_date"] == "2024-02-29"
    workout = {"exercises": [{"exercise": "squat", "sets": [{"reps": 5}]}]}
    assert_error(client.post("/api/v1/workouts", headers=headers, json={**workout, "date": "2024-03-05"}), 422)


def test_a_plan_built_around_a_faulty_analysis_regresses_and_corrects(client, profiled):
    from tests.unit.ml.skeletons import front_squat

    body = {"exercise": "squat", "frames": [front_squat(knee_gap_px=60).tolist()], "fps": 30, "image_size": [640, 480]}
    analysis = client.post("/api/v1/posture", headers=profiled["headers"], json=body).get_json()
    assert analysis["posture"]["form_ok"] is False
    content = make_plan(client, profiled["headers"], analysis_id=analysis["id"], weeks=1).get_json()["content"]
    days = content["schedule"][0]["days"]
    main = [item["exercise"] for day in days for item in day["exercises"]]
    extras = [item["exercise"] for day in days for item in day["extras"]]
    assert "squat" not in main and "goblet_squat" in main
    assert "glute_bridge" in extras
