"""The training profile: pinned names, every range edge, vocabularies listed on refusal."""

import pytest

from tests.conftest import assert_error

EDGES = [
    ("age", 13, 100, 12, 101),
    ("weight_kg", 25, 350, 24.9, 350.1),
    ("height_cm", 100, 250, 99.5, 250.5),
    ("days_per_week", 1, 7, 0, 8),
    ("session_minutes", 10, 180, 9, 181),
]


def patch(client, headers, body):
    return client.patch("/api/v1/users/me", headers=headers, json=body)


def test_new_profile_is_empty_with_pinned_fields(client, auth_headers):
    body = client.get("/api/v1/users/me", headers=auth_headers).get_json()
    for field in ("age", "sex", "height_cm", "weight_kg", "fitness_level", "goal", "days_per_week", "session_minutes"):
        assert body[field] is None
    assert body["equipment"] == [] and body["limitations"] == []


def test_full_profile_round_trips(client, auth_headers):
    profile = {
        "age": 34,
        "sex": "female",
        "height_cm": 168.5,
        "weight_kg": 61.2,
        "fitness_level": "intermediate",
        "goal": "hypertrophy",
        "days_per_week": 4,
        "session_minutes": 50,
        "equipment": ["dumbbell", "bench", "dumbbell"],
        "limitations": ["knee"],
    }
    response = patch(client, auth_headers, profile)
    assert response.status_code == 200
    stored = client.get("/api/v1/users/me", headers=auth_headers).get_json()
    assert {key: stored[key] for key in profile} == {**profile, "equipment": ["dumbbell", "bench"]}


def test_patch_changes_only_the_fields_sent(client, auth_headers):
    patch(client, auth_headers, {"age": 40, "goal": "strength"})
    patch(client, auth_headers, {"age": 41})
    body = client.get("/api/v1/users/me", headers=auth_headers).get_json()
    assert body["age"] == 41 and body["goal"] == "strength"


@pytest.mark.parametrize("field,low,high,below,above", EDGES)
def test_range_edges_are_inclusive(client, auth_headers, field, low, high, below, above):
    assert patch(client, auth_headers, {field: low}).status_code == 200
    assert patch(client, auth_headers, {field: high}).status_code == 200
    for value in (below, above):
        error = assert_error(patch(client, auth_headers, {field: value}), 422, "validation_error")
        assert "between" in error["details"][field]


@pytest.mark.parametrize("field", ["age", "days_per_week", "session_minutes"])
def test_whole_number_fields_refuse_fractions_and_booleans(client, auth_headers, field):
    assert_error(patch(client, auth_headers, {field: 3.5}), 422)
    assert_error(patch(client, auth_headers, {field: True}), 422)
    assert_error(patch(client, auth_headers, {field: "30"}), 422)


@pytest.mark.parametrize(
    "field,value,allowed",
    [
        ("fitness_level", "expert", "beginner"),
        ("goal", "bulk", "hypertrophy"),
        ("sex", "unknown", "female"),
        ("equipment", ["dumbbell", "spaceship"], "kettlebell"),
        ("limitations", ["knee", "tail"], "lower_back"),
    ],
)
def test_unknown_values_are_refused_listing_the_allowed_ones(client, auth_headers, field, value, allowed):
    error = assert_error(patch(client, auth_headers, {field: value}), 422)
    assert allowed in error["details"][field]


def test_unknown_fields_are_refused(client, auth_headers):
    error = assert_error(patch(client, auth_headers, {"favourite_colour": "blue"}), 422)
    assert "favourite_colour" in error["details"]


def test_a_list_field_must_be_a_list(client, auth_headers):
    assert_error(patch(client, auth_headers, {"equipment": "dumbbell"}), 422)


def test_several_errors_are_reported_at_once_and_nothing_is_saved(client, auth_headers):
    error = assert_error(patch(client, auth_headers, {"age": 5, "goal": "bulk", "weight_kg": 70}), 422)
    assert set(error["details"]) == {"age", "goal"}
    assert client.get("/api/v1/users/me", headers=auth_headers).get_json()["weight_kg"] is None


def test_body_must_be_a_json_object(client, auth_headers):
    assert_error(client.patch("/api/v1/users/me", headers=auth_headers, json=[1, 2]), 422, "invalid_json")
    response = client.patch(
        "/api/v1/users/me", headers={**auth_headers, "Content-Type": "application/json"}, data="{not json"
    )
    assert_error(response, 422, "invalid_json")
