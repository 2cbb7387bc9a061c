"""Contract tests: schemathesis drives every operation of the live Swagger 2.0 spec (`/api/v1/swagger.json`) of
the real app, in process over WSGI, signed in as a real user, with valid and invalid generated input, and checks
that nothing gives a 5xx and that every documented response matches its documented schema.

schemathesis' own pytest loader (`schemathesis.pytest.from_fixture`) does not run under pytest 9 (it reads
`Function._nodeid`), so one test walks the operations itself with `operation.as_strategy()` and Hypothesis, and
reports every operation that failed at the end. A new operation in the spec is covered without any change here.
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from flask_jwt_extended import create_access_token, create_refresh_token
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.job_helpers import finish_in_process_jobs, runner_held_off
from tests.security.seed import seed_resources

CHECKS = [not_a_server_error, response_schema_conformance]
# per operation, valid and invalid input together: about 40 s for the whole API; raise it for a deeper run
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "15"))
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run: a CI failure reproduces locally
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing case is reported as it is
    suppress_health_check=list(HealthCheck),
)


def _bearer(app, user_id: int, refresh: bool) -> dict:
    """A fresh token for each call, so that a generated logout does not sign the next calls out."""
    with app.app_context():
        make = create_refresh_token if refresh else create_access_token
        return {"Authorization": f"Bearer {make(identity=str(user_id))}"}


def _strategy(operation, ids: dict[str, int]):
    """Valid and invalid input; for an operation on one row, also valid input aimed at the user's own row, so
    that the success path and its response schema are exercised, not only 404s for random ids."""
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            strategies.append(operation.as_strategy(generation_mode=mode))
        except Exception:  # an operation without anything to make invalid has no negative strategy
            continue
    own = {name: ids[name] for name in re.findall(r"{(\w+)}", operation.path) if name in ids}
    if own:
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=own))
    return st.one_of(strategies)


def _check_operation(app, operation, user_id: int, ids: dict[str, int]) -> None:
    refresh = operation.path == "/auth/refresh"

    @SETTINGS
    @given(case=_strategy(operation, ids))
    def run(case):
        case.call_and_validate(headers=_bearer(app, user_id, refresh), checks=CHECKS)

    run()


@pytest.mark.slow
def test_every_operation_honours_its_contract(app, client, user):
    ids = seed_resources(app, client, user)
    with runner_held_off(app):  # a generated training request stays queued instead of training
        try:
            failures = _check_all(app, user["id"], ids)
        finally:
            finish_in_process_jobs(app)
    assert not failures, "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())


def _check_all(app, user_id: int, ids: dict[str, int]) -> dict[str, str]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/swagger.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40, [op.label for op in operations]
    failures = {}
    for operation in operations:
        try:
            _check_operation(app, operation, user_id, ids)
        except (Exception, BaseExceptionGroup) as exc:  # every operation is checked; all failures are reported
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:3000]
    return failures
