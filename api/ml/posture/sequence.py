"""A keypoint sequence judged as it arrives: reps counted and judged one by one, faults raised and cleared live.

`SequenceAssessor` is fed frames with their times, in pieces of any size (a live session) or all at once (a
clip, `assess_sequence`). Every frame is measured once, with only what came before it (the camera view so far,
the near side so far), so the reps and faults at `finish` are the same however the frames were split. Its state
(`state()`, `restore`) is plain data and one float matrix, for a session store shared by workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from api.exceptions import InvalidKeypoints
from api.ml.keypoints import KEYPOINT_INDEX
from api.ml.posture.angles import SIDES, VISIBLE_CONFIDENCE
from api.ml.posture.assess import (
    MAIN_ANGLES,
    MIN_MEASURED_FRACTION,
    MIN_MEASURED_FRAMES,
    REPORTED_ANGLES,
    TURN_VISIBLE_WITHIN_S,
    RepAssessment,
    SequenceAssessment,
    checked_frames,
    not_visible_reason,
    rules_for,
    view_reason,
)
from api.ml.posture.issues import PostureIssue
from api.ml.posture.measures import has_world_coordinates
from api.ml.posture.rules import Rule
from api.ml.posture.view import SIDE_JOINTS, keep_near_side, shoulder_width_ratio, view_of_ratio
from api.ml.reps import MAX_GAP_S, REP_MOTIONS, Rep, RepCounter

# Frames are measured at most about 16 a second (a frame closer to the last one measured is skipped): reps and form
# need no more, clips are sampled at 10 a second, and a phone's 30 fps would double a live session's work.
MIN_FRAME_INTERVAL_S = 0.06
# A held-posture fault is raised live when it persists over this much of the latest frames.
LIVE_WINDOW_S = 0.5
# ... measured in at least this share of them.
LIVE_MEASURED_FRACTION = 0.5
VIEW_COUNTS = ("side", "front", "unclear")


@dataclass
class StreamUpdate:
    """What changed over the frames just fed: reps completed, faults raised or cleared, where the set stands."""

    reps: list[RepAssessment] = field(default_factory=list)
    faults_appeared: list[PostureIssue] = field(default_factory=list)
    faults_cleared: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "reps": [rep.to_dict() for rep in self.reps],
            "faults_appeared": [issue.to_dict() for issue in self.faults_appeared],
            "faults_cleared": self.faults_cleared,
        }


class SequenceAssessor:
    """Judges one person's keypoint frames for one exercise, frame by frame.

    Each frame becomes one row of measured values (the main angle, the reported angles, every rule's value),
    on which reps are judged when the counter completes them and the session is judged as one hold at the end
    when no rep was counted.
    """

    def __init__(self, exercise: str, state: dict | None = None, rows: np.ndarray | None = None):
        self.exercise = exercise
        self.rules: tuple[Rule, ...] = rules_for(exercise)
        self.motion = REP_MOTIONS.get(exercise)
        self.columns = ["t_s", "visible", "main", *REPORTED_ANGLES, *(rule.code for rule in self.rules)]
        state = state or {}
        # Rows given (perhaps read-only bytes from a store) are copied on the first frame fed, when the buffer grows.
        self._buffer = rows if rows is not None else np.empty((64, len(self.columns)), dtype=np.float64)
        self._count = len(rows) if rows is not None else 0
        self.view_counts: dict[str, int] = state.get("view_counts", dict.fromkeys(VIEW_COUNTS, 0))
        self.side_totals: dict[str, float] = state.get("side_totals", dict.fromkeys(SIDES, 0.0))
        self.counter = RepCounter(exercise, state=state.get("counter")) if self.motion else None
        self.judged = [_rep_assessment_from_state(item) for item in state.get("judged", [])]
        self.active: dict[str, PostureIssue] = {
            code: PostureIssue.from_dict(issue) for code, issue in state.get("active", {}).items()
        }
        self.hold_s: float = state.get("hold_s", 0.0)
        # Whether the frames carry world coordinates (BlazePose's landmarks): the rules' world thresholds apply.
        self.world: bool = state.get("world", False)

    @classmethod
    def restore(cls, exercise: str, state: dict, rows: bytes) -> SequenceAssessor:
        """An assessor from its `state()` and its rows' bytes (`rows.tobytes()`), as a session store keeps them."""
        columns = len(cls(exercise).columns)
        return cls(exercise, state, np.frombuffer(rows, dtype=np.float64).reshape(-1, columns))

    def state(self) -> dict:
        """Everything but the rows, as JSON-ready data."""
        return {
            "view_counts": self.view_counts,
            "side_totals": self.side_totals,
            "counter": self.counter.state() if self.counter else None,
            "judged": [_rep_assessment_state(item) for item in self.judged],
            "active": {code: issue.to_dict() for code, issue in self.active.items()},
            "hold_s": self.hold_s,
            "world": self.world,
        }

    @property
    def rows(self) -> np.ndarray:
        """One row per frame fed: its time, whether anyone was seen, and every measured value (NaN: not seen)."""
        return self._buffer[: self._count]

    @property
    def frame_count(self) -> int:
        return self._count

    @property
    def last_t_s(self) -> float | None:
        return float(self.rows[-1, 0]) if len(self.rows) else None

    @property
    def view(self) -> str:
        """The view so far: the one that more than half of the frames with a measurable torso showed."""
        seen = sum(self.view_counts.values())
        for view in ("side", "front"):
            if seen and self.view_counts[view] * 2 > seen:
                return view
        return "unclear"

    @property
    def phase(self) -> str:
        """`waiting` (nobody yet), `rest` or `in_rep` for a rep exercise; `holding` or `fault` for a hold."""
        if self.counter:
            return self.counter.phase
        if not len(self.rows) or not self.rows[-1, 1]:
            return "waiting"
        return "fault" if self._held_faults() else "holding"

    def feed(self, frames: np.ndarray, times_s) -> StreamUpdate:
        """Measure new frames (in pixels, in time order after the frames before) and say what they changed."""
        update = StreamUpdate()
        for kp, t in zip(frames, times_s, strict=True):
            if not self._measure(kp, float(t)):
                continue
            frame = len(self.rows) - 1
            completed = self.counter.push(frame, float(t), self.rows[frame, 2]) if self.counter else []
            for rep in completed:
                self._judge_rep(rep, update)
            self._update_held_faults(update)
        return update

    def finish(self) -> SequenceAssessment:
        """The whole sequence judged: per rep when reps were counted, else as one hold."""
        if self.counter:
            pending = StreamUpdate()
            for rep in self.counter.finish():
                self._judge_rep(rep, pending)
            final = self.counter.final_reps()
            if [item.rep for item in self.judged] != final:
                self.judged = [self._judged_rep(rep) for rep in final]
        result = SequenceAssessment(exercise=self.exercise, view=self.view, reps=list(self.judged), world=self.world)
        for rule in self.rules:
            column = self.rows[:, self.columns.index(rule.code)]
            values = [item.measured[rule.code] for item in self.judged if rule.code in item.measured]
            reason = view_reason(rule, self.view)
            if not self.judged and reason is None:
                if rule.scope == "rep":
                    reason = "no complete rep was seen"
                elif (value := _window_value(rule, column)) is not None:
                    values = [value]
            if not values:
                result.skip(rule, reason or not_visible_reason(rule))
                continue
            result.record(rule, max(values) if rule.fault_when == "above" else min(values))
        key = self.judged[0].rep.turn_frame if self.judged else self._middle_visible()
        result.angles = self._angles_at(key) if key is not None else {}
        if not self.motion:
            result.hold_s = round(self.hold_s, 2)
        return result

    @property
    def active_faults(self) -> list[PostureIssue]:
        return list(self.active.values())

    def _measure(self, kp: np.ndarray, t: float) -> bool:
        """Append one frame's row (the far side dropped once the view so far is a side view); False for a frame
        that follows the last one measured within `MIN_FRAME_INTERVAL_S`, which is skipped."""
        if len(self.rows) and t <= self.rows[-1, 0]:
            raise InvalidKeypoints("frame times must increase", details={"t_s": t})
        if len(self.rows) and t - self.rows[-1, 0] < MIN_FRAME_INTERVAL_S:
            return False
        self.world = self.world or has_world_coordinates(kp)
        ratio = shoulder_width_ratio(kp)
        if ratio is not None:
            self.view_counts[view_of_ratio(ratio)] += 1
        for side in SIDES:
            self.side_totals[side] += float(sum(kp[KEYPOINT_INDEX[f"{side}_{joint}"], 2] for joint in SIDE_JOINTS))
        if self.view == "side" and max(self.side_totals.values()) > 0:
            kp = keep_near_side(kp, max(self.side_totals, key=self.side_totals.get))
        readings: dict = {}  # one reading per measure: the main angle is often a reported angle and a rule's too

        def read(measure):
            if measure not in readings:
                readings[measure] = measure(kp)
            return readings[measure]

        values = [
            t,
            float((kp[:, 2] >= VISIBLE_CONFIDENCE).any()),
            read(MAIN_ANGLES[self.motion.angle]) if self.motion else None,
            *(read(measure) for measure in REPORTED_ANGLES.values()),
            *(rule.relative(read(rule.measure)) for rule in self.rules),
        ]
        row = np.array([np.nan if value is None else value for value in values], dtype=np.float64)
        if len(self.rows) and self.rows[-1, 1] and row[1] and not self.counter:
            previous_t = self.rows[-1, 0]
            if t - previous_t <= MAX_GAP_S and not self._held_faults():
                self.hold_s += t - previous_t
        if self._count == len(self._buffer):
            grown = np.empty((max(64, 2 * self._count), len(self.columns)), dtype=np.float64)
            grown[: self._count] = self._buffer
            self._buffer = grown
        self._buffer[self._count] = row
        self._count += 1
        return True

    def _judged_rep(self, rep: Rep) -> RepAssessment:
        """One rep judged on its frames, with the checks its view allows."""
        judged = RepAssessment(rep, world=self.world)
        for rule in self.rules:
            if view_reason(rule, self.view) is None:
                value = _window_value(rule, self.rows[:, self.columns.index(rule.code)], rep, self.rows[:, 0])
                if value is not None:
                    judged.record(rule, value)
        return judged

    def _judge_rep(self, rep: Rep, update: StreamUpdate) -> None:
        judged = self._judged_rep(rep)
        self.judged.append(judged)
        update.reps.append(judged)
        faulty = {issue.code: issue for issue in judged.issues}
        for rule in self.rules:
            if rule.scope != "rep" or rule.code not in judged.measured:
                continue
            self._set_active(rule.code, faulty.get(rule.code), update)

    def _held_faults(self) -> list[str]:
        return [code for code in self.active if self._rule(code).scope == "frame"]

    def _update_held_faults(self, update: StreamUpdate) -> None:
        """Raise or clear each held-posture fault from the latest `LIVE_WINDOW_S` of frames."""
        times = self.rows[:, 0]
        recent = self.rows[np.searchsorted(times, times[-1] - LIVE_WINDOW_S) :]
        for rule in self.rules:
            if rule.scope != "frame" or view_reason(rule, self.view) is not None:
                continue
            values = recent[:, self.columns.index(rule.code)]
            measured = values[~np.isnan(values)]
            if len(measured) < max(MIN_MEASURED_FRAMES, LIVE_MEASURED_FRACTION * len(values)):
                continue
            value = rule.summarise(measured)
            faulty = rule.is_fault(value, self.world)
            self._set_active(rule.code, rule.issue(value, self.world) if faulty else None, update)

    def _set_active(self, code: str, issue: PostureIssue | None, update: StreamUpdate) -> None:
        if issue and code not in self.active:
            update.faults_appeared.append(issue)
        if issue:
            self.active[code] = issue
        elif code in self.active:
            del self.active[code]
            update.faults_cleared.append(code)

    def _rule(self, code: str) -> Rule:
        return next(rule for rule in self.rules if rule.code == code)

    def _angles_at(self, frame: int) -> dict:
        values = {name: self.rows[frame, self.columns.index(name)] for name in REPORTED_ANGLES}
        return {name: round(float(value), 1) for name, value in values.items() if not np.isnan(value)}

    def _middle_visible(self) -> int | None:
        seen = np.flatnonzero(self.rows[:, 1] > 0)
        return int(seen[len(seen) // 2]) if len(seen) else None


def _window_value(rule: Rule, values: np.ndarray, rep: Rep | None = None, times: np.ndarray | None = None):
    """The rule's value over one window (a rep, or the whole sequence), or None when it cannot be judged."""
    window = values if rep is None else values[rep.start_frame : rep.end_frame + 1]
    measured = window[~np.isnan(window)]
    if rule.scope == "rep":
        near_turn = np.abs(times - rep.turn_s) <= TURN_VISIBLE_WITHIN_S
        if np.isnan(values[near_turn]).all():
            return None
    elif len(measured) < max(MIN_MEASURED_FRAMES, MIN_MEASURED_FRACTION * len(window)):
        return None
    return rule.summarise(measured)


def _rep_assessment_state(item: RepAssessment) -> dict:
    return {"rep": item.rep.state(), "issues": item.issue_dicts(), "measured": item.measured}


def _rep_assessment_from_state(data: dict) -> RepAssessment:
    issues = [PostureIssue.from_dict(issue) for issue in data["issues"]]
    return RepAssessment(Rep.from_dict(data["rep"]), issues=issues, measured=data["measured"])


def assess_sequence(exercise: str, frames, fps: float, image_size: tuple[int, int]) -> SequenceAssessment:
    """Count the reps on the exercise's main angle and judge each one; a sequence without reps (a plank hold, or
    an exercise without a rep motion) is judged as one window, and its range-of-motion checks are skipped.

    The clip's issues are the worst of each fault over its reps; `measured` holds every judged check's value,
    per rep and for the clip, faulty or not."""
    rules_for(exercise)
    if not fps or fps <= 0:
        raise InvalidKeypoints("fps must be positive", details={"fps": fps})
    frames = checked_frames(frames, image_size)
    assessor = SequenceAssessor(exercise)
    assessor.feed(frames, np.arange(len(frames)) / fps)
    return assessor.finish()
