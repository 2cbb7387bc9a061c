"""Regressions for what the contract tests found, pinned as plain tests (the fuzzer may not draw them again)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.conftest import PASSWORD, assert_error

API = "/api/v1"


@pytest.mark.parametrize("query", ["from=2026-01-05", "to=2026-03-01", "from=2026-01-05&to=2026-03-01"])
def test_progress_takes_either_end_of_its_range_alone(client, auth_headers, query):
    assert client.get(f"{API}/progress?{query}", headers=auth_headers).status_code == 200
    assert client.get(f"{API}/progress/charts/volume.png?{query}", headers=auth_headers).status_code == 200


def test_a_date_filter_includes_its_own_day(client, auth_headers):
    today = date.today().isoformat()
    workout = {"date": today, "exercises": [{"exercise": "squat", "sets": [{"reps": 5}]}]}
    assert client.post(f"{API}/workouts", json=workout, headers=auth_headers).status_code == 201
    listed = client.get(f"{API}/workouts?from={today}&to={today}", headers=auth_headers).get_json()
    assert listed["total"] == 1


@pytest.mark.parametrize(
    "path", ["plans/{}", "workouts/{}", "uploads/{}/content", "training-jobs/{}/charts/loss.png", "models/{}"]
)
@pytest.mark.parametrize("row_id", [2**31, 2**63, 10**30])
def test_an_id_too_large_for_the_database_is_404(client, auth_headers, path, row_id):
    assert_error(client.get(f"{API}/{path.format(row_id)}", headers=auth_headers), 404, "not_found")


def test_an_id_too_large_in_a_body_is_404(client, auth_headers):
    workout = {"date": date.today().isoformat(), "exercises": [{"exercise": "squat", "sets": [{"reps": 5}]}]}
    response = client.post(f"{API}/workouts", json={**workout, "plan_id": 10**30}, headers=auth_headers)
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("field", ["email", "password", "name"])
@pytest.mark.parametrize("value", [{"a": 1}, ["x"], 42, False])
def test_registering_with_a_field_that_is_not_text_is_422(client, field, value):
    body = {"email": "ada@example.com", "password": PASSWORD, "name": "Ada", field: value}
    error = assert_error(client.post(f"{API}/auth/register", json=body), 422, "validation_error")
    assert error["details"] == {field: "must be text"}


def test_date_times_carry_their_utc_offset(client, user):
    created = client.get(f"{API}/users/me", headers=user["headers"]).get_json()["created_at"]
    assert datetime.fromisoformat(created).utcoffset() is not None


@pytest.mark.parametrize("value", [{}, [], True, 20260101, "2026-13-01"])
def test_a_plan_start_date_that_is_not_a_date_is_422(client, auth_headers, value):
    error = assert_error(client.post(f"{API}/plans", json={"start_date": value}, headers=auth_headers), 422)
    assert "start_date" in error["details"]


@pytest.mark.parametrize("value", [{}, [], None, 7])
def test_posture_for_an_exercise_that_is_not_text_is_422(client, auth_headers, value):
    body = {"exercise": value, "frames": [[[0, 0, 0]] * 17], "fps": 30, "image_size": [640, 480]}
    assert_error(client.post(f"{API}/posture", json=body, headers=auth_headers), 422, "unknown_exercise")


@pytest.mark.parametrize("value", [{}, [None, None], ["squat"]])
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_workout_exercise_that_is_not_text_is_422(client, auth_headers, method, value):
    """Found by the coverage phase: an exercise label of a list or an object was looked up in the catalogue (500)."""
    workout = {"date": date.today().isoformat(), "exercises": [{"exercise": "squat", "sets": [{"reps": 5}]}]}
    url = f"{API}/workouts"
    if method == "PATCH":
        url += f"/{client.post(url, json=workout, headers=auth_headers).get_json()['id']}"
    body = {**workout, "exercises": [{"exercise": value, "sets": [{"reps": 5}]}]}
    error = assert_error(client.open(url, method=method, json=body, headers=auth_headers), 422, "validation_error")
    assert "exercises[0].exercise" in error["details"]
