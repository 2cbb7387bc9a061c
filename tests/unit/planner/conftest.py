"""Fixtures of the planner tests: the person a module plans for, and plans made for them from START."""

from __future__ import annotations

import pytest

from tests.unit.planner.plans import START, plan_for


@pytest.fixture
def profile() -> dict:
    """The person that `make_plan` plans for: the generator's defaults; a module overrides it with its own."""
    return {}


@pytest.fixture
def make_plan(profile):
    """`make_plan(weeks, **request)`: a plan for `profile`, made on START and starting on it."""

    def make(weeks: int, **request) -> dict:
        return plan_for(profile, START, weeks=weeks, start_date=START.isoformat(), **request)

    return make
