"""Contract tests: schemathesis drives every operation of the live Swagger 2.0 spec (`/api/v1/swagger.json`) of
the real app, in process over WSGI, signed in as a real user, and checks that nothing gives a 5xx and that every
documented response matches its documented schema. Two tests, two sources of input:

- the coverage phase: schemathesis' deterministic cases derived from each schema (every property of a wrong type,
  missing required fields, values at and past each minimum and maximum, enum values and non-members, unexpected
  properties, bad content types, undocumented methods), sent once to any row and once more to the user's own rows;
- the fuzzing phase: Hypothesis' random valid and invalid input, CONTRACT_MAX_EXAMPLES cases per operation.

schemathesis' own pytest loader (`schemathesis.pytest.from_fixture`) does not run under pytest 9 (it reads
`Function._nodeid`), so each test walks the operations itself (`CoverageGenerator`, which the schemathesis engine
uses for its coverage phase; `operation.as_strategy()` with Hypothesis for fuzzing) and reports every operation that
failed at the end. A new operation in the spec is covered without any change here.
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
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.job_helpers import finish_in_process_jobs, runner_held_off
from tests.security.seed import seed_resources

CHECKS = [not_a_server_error, response_schema_conformance]
REQUEST_ID = re.compile(r'"request_id":\s*"\w+"')  # differs on every response: not part of what failed
# fuzzing cases per operation, valid and invalid input together: 15 about 20 s for the whole API, 30 (CI, set in
# .ci/run) about 40 s, 50 about 60 s; raise it for a deeper run
MAX_EXAMPLES = int(os.environ.get("CONTRACT_MAX_EXAMPLES", "15"))
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run: a CI failure reproduces locally
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing case is reported as it is
    suppress_health_check=list(HealthCheck),
)


def _bearer(app, user_id: int, operation) -> dict:
    """A fresh token for each call, so that a generated logout does not sign the next calls out; a refresh token
    for the refresh route."""
    with app.app_context():
        make = create_refresh_token if operation.path == "/auth/refresh" else create_access_token
        return {"Authorization": f"Bearer {make(identity=str(user_id))}"}


def _own_ids(operation, ids: dict[str, int]) -> dict[str, int]:
    return {name: ids[name] for name in re.findall(r"{(\w+)}", operation.path) if name in ids}


def _strategy(operation, ids: dict[str, int]):
    """Valid and invalid input; for an operation on one row, also valid input aimed at the user's own row, so
    that the success path and its response schema are exercised, not only 404s for random ids."""
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            strategies.append(operation.as_strategy(generation_mode=mode))
        except Exception:  # an operation without anything to make invalid has no negative strategy
            continue
    own = _own_ids(operation, ids)
    if own:
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=own))
    return st.one_of(strategies)


def _fuzz(app, schema, operation, user_id: int, ids: dict[str, int]) -> str | None:
    """Hypothesis' cases for `operation`; the first failure, if any."""

    @SETTINGS
    @given(case=_strategy(operation, ids))
    def run(case):
        case.call_and_validate(headers=_bearer(app, user_id, operation), checks=CHECKS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # every operation is checked; all failures are reported
        return f"{type(exc).__name__}: {exc}"[:3000]
    return None


def _check_every_operation(app, client, user, check, order=None) -> None:
    """Run `check(app, schema, operation, user_id, ids)` on every operation of the live spec (in `order` when
    given), with the user's rows seeded and generated training held off; fail listing every operation that failed."""
    ids = seed_resources(app, client, user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/swagger.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40, [op.label for op in operations]
    failures = {}
    with runner_held_off(app):  # a generated training request stays queued instead of training
        try:
            for operation in sorted(operations, key=order) if order else operations:
                failure = check(app, schema, operation, user["id"], ids)
                if failure:
                    failures[operation.label] = failure
        finally:
            finish_in_process_jobs(app)
    assert not failures, "\n\n".join(f"== {label}\n{text}" for label, text in failures.items())


@pytest.mark.slow
def test_every_operation_honours_its_contract(app, client, user):
    _check_every_operation(app, client, user, _fuzz)


def _coverage_cases(schema, operation, ids: dict[str, int]):
    """The coverage phase's cases for `operation` (positive and negative) as schemathesis makes them, then the same
    cases aimed at the user's own rows: own ids in the path, and in place of every integer id in a JSON body (the
    phase fills the other fields of each case with one fixed value, so a body that tests `start_date` also says
    `analysis_id: 0`, and the 404 for that analysis would hide what `start_date` does). A case that the second pass
    does not change is not sent twice."""
    generation = schema.config.generation_for(operation=operation, phase="coverage")
    own = _own_ids(operation, ids)
    for aimed in (False, True):
        override = Override(path_parameters=own) if aimed else Override()
        for case in CoverageGenerator(
            operation=operation,
            generation_modes=generation.modes,
            generation_config=generation,
            auth_storage=None,
            override=override,
            feedback=FeedbackSources(),
        ):
            if not aimed or _aim_body_at_own_rows(case, ids) or own:
                yield case


def _aim_body_at_own_rows(case, ids: dict[str, int]) -> bool:
    """Replace each integer id of the body by the user's own row's; a value of another type is what the case
    tests and stays. Whether anything changed."""
    if not isinstance(case.body, dict):
        return False
    swap = {
        name: ids[name]
        for name, value in case.body.items()
        if name in ids and isinstance(value, int) and not isinstance(value, bool) and value != ids[name]
    }
    if swap:
        case.body = {**case.body, **swap}
    return bool(swap)


def _check_coverage(app, schema, operation, user_id: int, ids: dict[str, int]) -> str | None:
    failed = {}
    for case in _coverage_cases(schema, operation, ids):
        try:
            case.call_and_validate(headers=_bearer(app, user_id, operation), checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # every case is sent; distinct failures are reported
            failed.setdefault(REQUEST_ID.sub("", f"{type(exc).__name__}: {exc}")[:1500], case)
    if not failed:
        return None
    return "\n".join([f"{len(failed)} distinct failure(s); up to three of them:", *list(failed)[:3]])


@pytest.mark.slow
def test_every_operation_honours_its_contract_on_the_schemas_boundaries(app, client, user):
    # deletions last, so that the cases aimed at the user's own rows find them
    _check_every_operation(
        app, client, user, _check_coverage, order=lambda operation: operation.method.upper() == "DELETE"
    )
