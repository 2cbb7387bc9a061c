"""Posture assessment from COCO-17 keypoints: pure functions, rules per exercise, rep by rep on clips."""

from api.ml.posture.assess import (
    PostureAssessment,
    RepAssessment,
    SequenceAssessment,
    assess_pose,
    rules_for,
)
from api.ml.posture.issues import PostureIssue, SkippedCheck
from api.ml.posture.rules import RULES
from api.ml.posture.sequence import SequenceAssessor, StreamUpdate, assess_sequence

SUPPORTED_EXERCISES = frozenset(RULES)


def has_rules(exercise: str | None) -> bool:
    """Whether posture rules exist for this exercise label."""
    return exercise in RULES


def checks_for(exercise: str) -> list[dict]:
    """The posture checks an exercise has, for the catalogue (empty when it has none)."""
    return [rule.describe() for rule in RULES.get(exercise, ())]


__all__ = [
    "SUPPORTED_EXERCISES",
    "PostureAssessment",
    "PostureIssue",
    "RepAssessment",
    "SequenceAssessment",
    "SequenceAssessor",
    "SkippedCheck",
    "StreamUpdate",
    "assess_pose",
    "assess_sequence",
    "checks_for",
    "has_rules",
    "rules_for",
]
