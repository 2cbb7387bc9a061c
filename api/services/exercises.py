"""The public exercise catalogue: each exercise as the API shows it, with the posture checks it has."""

from __future__ import annotations

from api.ml.posture import checks_for
from api.planner.catalogue import Exercise


def exercise_dict(exercise: Exercise) -> dict:
    return {**exercise.to_dict(), "posture_checks": checks_for(exercise.label)}
