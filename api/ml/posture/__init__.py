"""Posture assessment from COCO-17 keypoints: pure functions, rules per exercise, rep by rep on clips."""

from api.ml.posture.assess import PostureAssessment, SequenceAssessment, assess_pose, assess_sequence
from api.ml.posture.rules import RULES

SUPPORTED_EXERCISES = frozenset(RULES)


def has_rules(exercise: str | None) -> bool:
    return exercise in RULES


def checks_for(exercise: str) -> list[dict]:
    """The posture checks an exercise has, for the catalogue."""
    return [{"code": rule.code, "description": rule.description, "view": rule.view} for rule in RULES.get(exercise, ())]


__all__ = [
    "SUPPORTED_EXERCISES",
    "PostureAssessment",
    "SequenceAssessment",
    "assess_pose",
    "assess_sequence",
    "checks_for",
    "has_rules",
]
