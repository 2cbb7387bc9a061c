"""Object-level authorisation over the whole API: every route that addresses one row by id answers another user
404 on every method (read, update, delete, download and sub-resources) exactly as for an id that does not exist,
leaves the row untouched, never lists it, and refuses it when named in a request body.

The routes are read from the app's URL map: a new route with an id that the table below does not cover fails
`test_every_route_with_an_id_is_in_the_table`, so nobody can add a resource and forget its authorisation."""

from __future__ import annotations

import re
from datetime import date

import pytest

from api.charts.training import CHARTS
from tests.conftest import assert_error
from tests.helpers import WEBSOCKET_UPGRADE
from tests.job_helpers import finish_in_process_jobs, runner_held_off
from tests.security.seed import seed_resources
from tests.unit.ml.skeletons import side_plank

API = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}

# Every rule with a URL parameter. Value: the other URL values it needs (besides the row's id, which is named as in
# `seed_resources`), or None for rules that address no user's row.
ROUTES: dict[str, dict | None] = {
    "/api/v1/uploads/<int:upload_id>": {},
    "/api/v1/uploads/<int:upload_id>/content": {},
    "/api/v1/analyses/<int:analysis_id>": {},
    "/api/v1/analyses/<int:analysis_id>/annotated": {},
    "/api/v1/plans/<int:plan_id>": {},
    "/api/v1/plans/<int:plan_id>/adapt": {},
    "/api/v1/plans/<int:plan_id>/versions": {},
    "/api/v1/plans/<int:plan_id>/export.ics": {},
    "/api/v1/plans/<int:plan_id>/export.csv": {},
    "/api/v1/workouts/<int:workout_id>": {},
    "/api/v1/live-sessions/<int:session_id>": {},
    "/api/v1/live-sessions/<int:session_id>/frames": {},
    "/api/v1/live-sessions/<int:session_id>/finish": {},
    "/api/v1/live-sessions/<int:session_id>/socket": {},
    "/api/v1/body-metrics/<int:metric_id>": {},
    "/api/v1/datasets/<int:dataset_id>": {},
    "/api/v1/training-jobs/<int:job_id>": {},
    "/api/v1/training-jobs/<int:job_id>/metrics": {},
    "/api/v1/training-jobs/<int:job_id>/charts/<string:name>.png": {"name": CHARTS["classify"][0]},
    "/api/v1/training-jobs/<int:job_id>/cancel": {},
    "/api/v1/training-jobs/<int:job_id>/resume": {},
    "/api/v1/models/<int:model_id>": {},
    "/api/v1/models/<int:model_id>/activate": {},
    "/api/v1/models/<int:model_id>/deactivate": {},
    "/api/v1/models/<int:model_id>/download": {},
    # not a user's row: the public catalogue, and charts of the caller's own progress chosen by name
    "/api/v1/exercises/<string:label>": None,
    "/api/v1/progress/charts/<string:name>.png": None,
}
# Valid bodies, so that a 404 cannot be a validation error in disguise.
BODIES = {
    ("PATCH", "/api/v1/workouts/<int:workout_id>"): {"notes": "now it is mine"},
    ("POST", "/api/v1/live-sessions/<int:session_id>/frames"): {
        "frames": [side_plank().tolist()],
        "t_ms": [300],
        "image_size": [640, 480],
    },
    ("POST", "/api/v1/live-sessions/<int:session_id>/finish"): {"log_workout": False},
}
# The collections whose pages must never show another user's rows.
LISTS = [
    "uploads", "analyses", "plans", "workouts", "body-metrics", "live-sessions", "datasets", "training-jobs", "models"
]  # fmt: skip


def api_rules(app) -> dict[str, set[str]]:
    """Rule -> methods, for every API rule with a URL parameter."""
    return {
        rule.rule: set(rule.methods) - IGNORED_METHODS
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API) and rule.arguments
    }


def url_for_rule(rule: str, values: dict) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


def call(client, method: str, url: str, headers: dict, body=None):
    """One request; a WebSocket route is reached by an upgrade (on a threaded server, which the socket needs)."""
    if url.endswith("/socket"):
        return client.open(
            url, method=method, headers={**headers, **WEBSOCKET_UPGRADE}, environ_overrides={"wsgi.multithread": True}
        )
    return client.open(url, method=method, headers=headers, json=body)


@pytest.fixture
def seeded(app, client, user):
    return seed_resources(app, client, user)


@pytest.fixture(autouse=True)
def _runner_off(app):
    """A training job must never start here, even if a check below were to fail open."""
    with runner_held_off(app):
        yield
    finish_in_process_jobs(app)


def test_every_route_with_an_id_is_in_the_table(app):
    missing = sorted(set(api_rules(app)) - set(ROUTES))
    assert not missing, f"add these routes to ROUTES (and to seed_resources) with their authorisation: {missing}"
    gone = sorted(set(ROUTES) - set(api_rules(app)))
    assert not gone, f"these routes no longer exist; remove them from ROUTES: {gone}"


def test_the_seed_makes_a_row_for_every_id_parameter(app, seeded):
    params = {
        name for rule, extra in ROUTES.items() if extra is not None for name in re.findall(r"<(?:\w+:)?(\w+)>", rule)
    }
    assert params - set(ROUTES["/api/v1/training-jobs/<int:job_id>/charts/<string:name>.png"]) == set(seeded)


def _cases(app):
    for rule, methods in sorted(api_rules(app).items()):
        if ROUTES.get(rule) is None:
            continue
        for method in sorted(methods):
            yield rule, method


def test_another_user_gets_404_on_every_method_of_every_row(app, client, user, other_user, seeded):
    cases = list(_cases(app))
    assert len(cases) >= 25, cases
    outcomes = {}
    for rule, method in cases:
        url = url_for_rule(rule, {**seeded, **ROUTES[rule]})
        response = call(client, method, url, other_user["headers"], BODIES.get((method, rule)))
        outcomes[f"{method} {url}"] = response.status_code
        if response.status_code == 404:
            assert_error(response, 404, "not_found")
    leaks = {call_: status for call_, status in outcomes.items() if status != 404}
    assert not leaks, f"another user's row answered other than 404: {leaks}"


def test_the_404_for_someone_elses_row_is_the_404_for_no_row(app, client, user, other_user, seeded):
    """No existence oracle: the answer does not tell 'not yours' from 'not there'."""
    missing = {name: 999_999 for name in seeded}
    for rule, method in _cases(app):
        if method != "GET":
            continue
        values = {**ROUTES[rule]}
        theirs = call(client, "GET", url_for_rule(rule, {**seeded, **values}), other_user["headers"])
        nothing = call(client, "GET", url_for_rule(rule, {**missing, **values}), other_user["headers"])
        assert theirs.status_code == nothing.status_code == 404, rule
        strip = re.compile(r"\d+")
        theirs_error = {k: v for k, v in theirs.get_json()["error"].items() if k != "request_id"}
        nothing_error = {k: v for k, v in nothing.get_json()["error"].items() if k != "request_id"}
        assert strip.sub("N", str(theirs_error)) == strip.sub("N", str(nothing_error)), rule


def test_the_owners_rows_are_untouched_after_another_users_attempts(app, client, user, other_user, seeded):
    for rule, method in _cases(app):
        url = url_for_rule(rule, {**seeded, **ROUTES[rule]})
        call(client, method, url, other_user["headers"], BODIES.get((method, rule)))
    for name in LISTS:
        assert client.get(f"{API}/{name}", headers=user["headers"]).get_json()["total"] == 1, name
    workout = client.get(f"{API}/workouts/{seeded['workout_id']}", headers=user["headers"]).get_json()
    assert workout["notes"] is None
    upload = client.get(f"{API}/uploads/{seeded['upload_id']}/content", headers=user["headers"])
    assert upload.status_code == 200 and upload.data[:3] == b"\xff\xd8\xff"
    model = client.get(f"{API}/models/{seeded['model_id']}", headers=user["headers"]).get_json()
    assert model["is_active"] is False
    job = client.get(f"{API}/training-jobs/{seeded['job_id']}", headers=user["headers"]).get_json()
    assert (job["status"], job["cancel_requested"]) == ("interrupted", False)
    live = client.get(f"{API}/live-sessions/{seeded['session_id']}", headers=user["headers"]).get_json()
    assert (live["status"], live["analysis_id"], live["phase"]) == ("active", None, "holding")


def test_lists_never_show_another_users_rows(app, client, user, other_user, seeded):
    # the API's own collection routes: every rule without parameters that has a GET and a sibling id rule
    collections = {rule.split("/<")[0].removeprefix(f"{API}/") for rule in ROUTES if ROUTES[rule] is not None}
    assert collections == set(LISTS)
    for name in LISTS:
        mine = client.get(f"{API}/{name}?per_page=100", headers=user["headers"]).get_json()
        theirs = client.get(f"{API}/{name}?per_page=100", headers=other_user["headers"]).get_json()
        assert mine["total"] == 1, name
        assert theirs["total"] == 0 and theirs["items"] == [], name
    versions = client.get(f"{API}/plans/{seeded['plan_id']}/versions", headers=other_user["headers"])
    assert_error(versions, 404, "not_found")


def test_someone_elses_rows_named_in_a_body_are_not_found(app, client, user, other_user, seeded):
    headers = other_user["headers"]
    today = date.today().isoformat()
    squat = [{"exercise": "squat", "sets": [{"reps": 5}]}]
    own_workout = client.post(f"{API}/workouts", json={"date": today, "exercises": squat}, headers=headers)
    assert own_workout.status_code == 201
    attempts = [
        ("POST", f"{API}/workouts", {"date": today, "exercises": squat, "plan_id": seeded["plan_id"]}),
        ("POST", f"{API}/workouts", {"date": today, "analysis_id": seeded["analysis_id"]}),
        ("PATCH", f"{API}/workouts/{own_workout.get_json()['id']}", {"plan_id": seeded["plan_id"]}),
        ("POST", f"{API}/plans", {"analysis_id": seeded["analysis_id"]}),
        ("POST", f"{API}/training-jobs", {"dataset_id": seeded["dataset_id"], "epochs": 1, "imgsz": 64}),
    ]
    own_dataset = seed_resources(app, client, other_user)["dataset_id"]
    attempts.append(
        ("POST", f"{API}/training-jobs",
         {"dataset_id": own_dataset, "weights": "model", "model_id": seeded["model_id"], "epochs": 1, "imgsz": 64})
    )  # fmt: skip
    for method, url, body in attempts:
        assert_error(call(client, method, url, headers, body), 404, "not_found")
    assert client.get(f"{API}/training-jobs", headers=headers).get_json()["total"] == 1  # only the seeded one
    assert client.get(f"{API}/plans", headers=headers).get_json()["total"] == 1
