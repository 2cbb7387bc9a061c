"""Judge a photo's pose, or a clip's keypoint sequence rep by rep, against an exercise's rules."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from api.exceptions import UnknownExercise
from api.ml.posture import measures
from api.ml.posture.rules import MAIN_ANGLE, RULES, SEVERITY_PENALTY, Rule
from api.ml.reps import Rep, count_reps

FORM_OK_MIN_SCORE = 70
MIN_FAULT_FRACTION = 0.3


def _rules(exercise: str) -> tuple[Rule, ...]:
    if exercise not in RULES:
        raise UnknownExercise(f"no posture rules for {exercise!r}", details={"supported": sorted(RULES)})
    return RULES[exercise]


def score_of(issues: list[dict]) -> float:
    return float(max(0, 100 - sum(SEVERITY_PENALTY[issue["severity"]] for issue in issues)))


def form_is_ok(issues: list[dict]) -> bool:
    return score_of(issues) >= FORM_OK_MIN_SCORE and not any(issue["severity"] == "high" for issue in issues)


@dataclass
class PostureAssessment:
    exercise: str
    view: str
    issues: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    angles: dict = field(default_factory=dict)

    @property
    def score(self) -> float:
        return score_of(self.issues)

    @property
    def form_ok(self) -> bool:
        return form_is_ok(self.issues)

    def to_dict(self) -> dict:
        return {
            "exercise": self.exercise,
            "score": self.score,
            "form_ok": self.form_ok,
            "view": self.view,
            "issues": self.issues,
            "skipped": self.skipped,
            "angles": self.angles,
        }


@dataclass
class SequenceAssessment(PostureAssessment):
    reps: list[dict] = field(default_factory=list)

    @property
    def score(self) -> float:
        if self.reps:
            return round(float(np.mean([rep["score"] for rep in self.reps])), 1)
        return score_of(self.issues)

    @property
    def form_ok(self) -> bool:
        if self.reps:
            return all(rep["form_ok"] for rep in self.reps)
        return form_is_ok(self.issues)

    def to_dict(self) -> dict:
        data = super().to_dict()
        data["reps"] = {"count": len(self.reps), "per_rep": self.reps}
        return data


def _view_blocks(rule: Rule, view: str) -> str | None:
    if rule.view and view != rule.view:
        return f"needs a {rule.view} view; this one looks {view}"
    return None


def _frame_angles(kp: np.ndarray) -> dict:
    named = {
        "elbow_deg": measures.side_angle(kp, "shoulder", "elbow", "wrist"),
        "knee_deg": measures.side_angle(kp, "hip", "knee", "ankle"),
        "hip_deg": measures.side_angle(kp, "shoulder", "hip", "knee"),
        "torso_lean_deg": measures.torso_lean_deg(kp),
    }
    return {name: round(value, 1) for name, value in named.items() if value is not None}


def assess_pose(exercise: str, keypoints: np.ndarray, image_size: tuple[int, int]) -> PostureAssessment:
    """Judge one pose; range-of-motion rules need a clip and are skipped."""
    kp = np.asarray(keypoints, dtype=np.float32)
    view = measures.detect_view(kp)
    result = PostureAssessment(exercise=exercise, view=view, angles=_frame_angles(kp))
    for rule in _rules(exercise):
        blocked = "range of motion needs a clip" if rule.scope == "rep" else _view_blocks(rule, view)
        value = None if blocked else rule.measure(kp)
        if blocked or value is None:
            result.skipped.append({"code": rule.code, "reason": blocked or "the joints it needs are not visible"})
        elif rule.is_fault(value):
            result.issues.append(rule.issue(value))
    return result


def _sequence_view(frames: np.ndarray) -> str:
    views = [measures.detect_view(kp) for kp in frames if kp[:, 2].max() > 0]
    if not views:
        return "unclear"
    values, counts = np.unique(views, return_counts=True)
    return str(values[np.argmax(counts)])


def _judge_window(rules: tuple[Rule, ...], frames: np.ndarray, view: str) -> tuple[list[dict], list[dict]]:
    """Issues and skipped checks over a window of frames (one rep, or the whole clip)."""
    issues, skipped = [], []
    for rule in rules:
        blocked = _view_blocks(rule, view)
        values = [] if blocked else [v for v in (rule.measure(kp) for kp in frames) if v is not None]
        if blocked or not values:
            skipped.append({"code": rule.code, "reason": blocked or "the joints it needs are not visible"})
            continue
        if rule.scope == "rep":
            value = min(values) if rule.reduce == "min" else max(values)
            if rule.is_fault(value):
                issues.append(rule.issue(value))
        else:
            faults = [v for v in values if rule.is_fault(v)]
            if len(faults) >= MIN_FAULT_FRACTION * len(values):
                issues.append(rule.issue(float(np.median(faults))))
    return issues, skipped


def _main_angles(exercise: str, frames: np.ndarray) -> np.ndarray:
    measure = MAIN_ANGLE.get(exercise)
    if measure is None:
        return np.full(len(frames), np.nan)
    return np.array([np.nan if (v := measure(kp)) is None else v for kp in frames], dtype=np.float64)


def _rep_dict(rep: Rep, fps: float, issues: list[dict]) -> dict:
    return {
        "index": rep.index,
        "start_s": round(rep.start / fps, 3),
        "end_s": round(rep.end / fps, 3),
        "duration_s": round((rep.end - rep.start) / fps, 3),
        "range_of_motion_deg": round(rep.range_of_motion_deg, 1),
        "min_angle_deg": round(rep.min_angle_deg, 1),
        "max_angle_deg": round(rep.max_angle_deg, 1),
        "score": score_of(issues),
        "form_ok": form_is_ok(issues),
        "issues": issues,
    }


def assess_sequence(exercise: str, frames: np.ndarray, fps: float, image_size: tuple[int, int]) -> SequenceAssessment:
    """Count the reps and judge each one; a clip without reps (a plank hold) is judged as a whole."""
    rules = _rules(exercise)
    frames = np.asarray(frames, dtype=np.float32)
    view = _sequence_view(frames)
    reps = count_reps(_main_angles(exercise, frames))
    rep_dicts = []
    for rep in reps:
        rep_issues, _ = _judge_window(rules, frames[rep.start : rep.end + 1], view)
        rep_dicts.append(_rep_dict(rep, fps, rep_issues))
    if reps:
        clip_issues = {i["code"]: i for rep in rep_dicts for i in rep["issues"]}
        _, skipped = _judge_window(rules, frames, view)
        issues = list(clip_issues.values())
    else:
        frame_rules = tuple(rule for rule in rules if rule.scope == "frame")
        issues, skipped = _judge_window(frame_rules, frames, view)
        skipped += [{"code": r.code, "reason": "no complete rep was seen"} for r in rules if r.scope == "rep"]
    visible = [kp for kp in frames if kp[:, 2].max() > 0]
    angles = _frame_angles(visible[len(visible) // 2]) if visible else {}
    return SequenceAssessment(
        exercise=exercise, view=view, issues=issues, skipped=skipped, angles=angles, reps=rep_dicts
    )
