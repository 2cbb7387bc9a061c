"""Judge a photo's pose, or a clip's keypoint sequence rep by rep, against an exercise's form rules.

A check is reported in `skipped`, with the reason, whenever it cannot be judged honestly: its joints are not
visible, the camera view cannot show the fault, or (for range-of-motion checks) there is no complete rep. When
nothing can be judged at all (no person, no exercise, no rules for it), the assessment is `not_assessed`, with why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from api.exceptions import UnknownExercise
from api.ml.keypoints import validate_keypoint_frames
from api.ml.posture import measures
from api.ml.posture.angles import VISIBLE_CONFIDENCE
from api.ml.posture.issues import PostureIssue, SkippedCheck
from api.ml.posture.rules import RULES, SEVERITY_PENALTY, Rule
from api.ml.posture.view import detect_view, keep_near_side, near_side
from api.ml.reps import Rep

# Form is OK when no issue is worse than `low` (a tip, not a fault).
FORM_OK_SEVERITIES = frozenset({"low"})
# A window's held-posture check needs its joints in at least this share of the frames (and 3 of them).
MIN_MEASURED_FRACTION = 0.3
MIN_MEASURED_FRAMES = 3
# A range-of-motion check needs its joints seen this close (in seconds) to the rep's turning point.
TURN_VISIBLE_WITHIN_S = 0.3
MAIN_ANGLES = {
    "elbow": measures.elbow_angle_deg,
    "knee": measures.knee_angle_deg,
    "hip": measures.hip_angle_deg,
    "shoulder_abduction": measures.shoulder_abduction_deg,
    "trunk_curl": measures.trunk_curl_deg,
}
REPORTED_ANGLES = {
    "elbow_deg": measures.elbow_angle_deg,
    "knee_deg": measures.knee_angle_deg,
    "hip_deg": measures.hip_angle_deg,
    "torso_lean_deg": measures.torso_lean_deg,
}


def rules_for(exercise: str) -> tuple[Rule, ...]:
    """The exercise's rules; UnknownExercise (with the supported list) when it has none."""
    if exercise not in RULES:
        raise UnknownExercise(
            f"no posture rules for exercise {exercise!r}", details={"exercise": exercise, "supported": sorted(RULES)}
        )
    return RULES[exercise]


def score_of(issues: list[PostureIssue]) -> int:
    """100 minus a penalty per issue by severity, never below 0."""
    return max(0, 100 - sum(SEVERITY_PENALTY[issue.severity] for issue in issues))


def form_is_ok(issues: list[PostureIssue]) -> bool:
    return all(issue.severity in FORM_OK_SEVERITIES for issue in issues)


@dataclass(kw_only=True)
class Judgement:
    """The checks judged on one window (a pose, a rep or a clip): their values and the faults among them. `world`:
    the frames carried world coordinates, so the rules' world thresholds apply."""

    issues: list[PostureIssue] = field(default_factory=list)
    measured: dict[str, float] = field(default_factory=dict)
    world: bool = False

    def record(self, rule: Rule, value: float) -> None:
        """Note a judged check's value, and its issue when the value is a fault."""
        self.measured[rule.code] = round(float(value), 2)
        if rule.is_fault(value, self.world):
            self.issues.append(rule.issue(value, self.world))

    @property
    def score(self) -> int:
        return score_of(self.issues)

    @property
    def form_ok(self) -> bool:
        return form_is_ok(self.issues)

    def issue_dicts(self) -> list[dict]:
        return [issue.to_dict() for issue in self.issues]


@dataclass(kw_only=True)
class PostureAssessment(Judgement):
    """The form of one pose: issues found, checks judged (and their values), checks skipped (with why), and the
    main joint angles. With a `reason` (see `not_assessed`) nothing was judged: no score, no checks, no angles."""

    exercise: str | None
    view: str
    reason: str | None = None
    skipped: list[SkippedCheck] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    angles: dict[str, float] = field(default_factory=dict)

    @classmethod
    def not_assessed(cls, reason: str, exercise: str | None = None) -> PostureAssessment:
        """A posture that says plainly why nothing was judged."""
        return cls(exercise=exercise, view="unclear", reason=reason)

    @property
    def assessed(self) -> bool:
        return self.reason is None

    @property
    def score(self) -> int | None:
        """0-100; None when nothing was assessed."""
        return score_of(self.issues) if self.assessed else None

    @property
    def form_ok(self) -> bool | None:
        return form_is_ok(self.issues) if self.assessed else None

    @property
    def rep_count(self) -> int | None:
        """The reps counted: None for a pose, which has none."""
        return None

    def record(self, rule: Rule, value: float) -> None:
        self.checked.append(rule.code)
        super().record(rule, value)

    def skip(self, rule: Rule, reason: str) -> None:
        self.skipped.append(SkippedCheck(rule.code, reason))

    def posture_dict(self) -> dict:
        """The posture block of an analysis; one not assessed has its reason instead of checks, values and angles."""
        data = {
            "exercise": self.exercise,
            "assessed": self.assessed,
            "score": self.score,
            "form_ok": self.form_ok,
            "view": self.view,
            "issues": self.issue_dicts(),
            "skipped": [item.to_dict() for item in self.skipped],
        }
        if self.assessed:
            data.update(checked=self.checked, measured=self.measured, angles=self.angles)
        else:
            data["reason"] = self.reason
        return data

    def reps_dict(self) -> dict | None:
        """The reps block of an analysis: None for a pose."""
        return None

    def to_dict(self) -> dict:
        return self.posture_dict()


@dataclass
class RepAssessment(Judgement):
    """One counted rep, the value of each check judged on it and the faults seen in it."""

    rep: Rep

    def to_dict(self) -> dict:
        return {
            **self.rep.to_dict(),
            "score": self.score,
            "form_ok": self.form_ok,
            "issues": self.issue_dicts(),
            "measured": self.measured,
        }


@dataclass(kw_only=True)
class SequenceAssessment(PostureAssessment):
    """A clip's form: per rep when reps were counted, else the clip judged as one hold. Score: the reps' mean."""

    reps: list[RepAssessment] = field(default_factory=list)
    hold_s: float | None = None

    @property
    def score(self) -> int:
        if self.reps:
            return round(float(np.mean([rep.score for rep in self.reps])))
        return score_of(self.issues)

    @property
    def form_ok(self) -> bool:
        if self.reps:
            return all(rep.form_ok for rep in self.reps)
        return form_is_ok(self.issues)

    @property
    def rep_count(self) -> int:
        return len(self.reps)

    def posture_dict(self) -> dict:
        data = super().posture_dict()
        if self.hold_s is not None:
            data["hold_s"] = self.hold_s
        return data

    def reps_dict(self) -> dict:
        return {"count": self.rep_count, "per_rep": [rep.to_dict() for rep in self.reps]}

    def to_dict(self) -> dict:
        """The posture block with the reps block in it, as `reps`."""
        return {**self.posture_dict(), "reps": self.reps_dict()}


def _in_pixels(frames: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """Keypoints in pixels; coordinates given normalised to 0-1 (as on-device pose kits do) are scaled up."""
    visible = frames[..., 2] >= VISIBLE_CONFIDENCE
    if not visible.any() or np.abs(frames[..., :2][visible]).max() > 1.0:
        return frames
    scaled = frames.copy()
    scaled[..., 0] *= image_size[0]
    scaled[..., 1] *= image_size[1]
    return scaled


def checked_frames(frames, image_size: tuple[int, int]) -> np.ndarray:
    return _in_pixels(validate_keypoint_frames(frames), image_size)


def _prepared(kp: np.ndarray) -> tuple[np.ndarray, str]:
    """One pose's view, and the pose ready to measure: the far side dropped in a side view."""
    view = detect_view(kp)
    if view == "side" and (side := near_side(kp[None])) is not None:
        kp = keep_near_side(kp, side)
    return kp, view


def view_reason(rule: Rule, view: str) -> str | None:
    if rule.view and view != rule.view:
        return f"needs a {rule.view} view; this one looks {view}"
    return None


def not_visible_reason(rule: Rule) -> str:
    return f"the joints it needs ({', '.join(rule.joints)}) are not visible enough"


def _angles_at(kp: np.ndarray) -> dict:
    values = {name: measure(kp) for name, measure in REPORTED_ANGLES.items()}
    return {name: round(value, 1) for name, value in values.items() if value is not None}


def assess_pose(exercise: str, keypoints, image_size: tuple[int, int]) -> PostureAssessment:
    """Judge one pose (a photo). Range-of-motion checks need a clip and are skipped."""
    rules = rules_for(exercise)
    kp, view = _prepared(checked_frames([keypoints], image_size)[0])
    result = PostureAssessment(
        exercise=exercise, view=view, angles=_angles_at(kp), world=measures.has_world_coordinates(kp)
    )
    for rule in rules:
        reason = "range of motion needs a clip of a whole rep" if rule.scope == "rep" else view_reason(rule, view)
        value = None if reason else rule.value(kp)
        if reason or value is None:
            result.skip(rule, reason or not_visible_reason(rule))
        else:
            result.record(rule, value)
    return result
