"""Rep counting by hysteresis on an exercise's main joint angle, sample by sample.

A rep leaves its rest position, reaches a turning point and comes back within `RETURN_ZONE_FRACTION` of its own
swing from the rest peak. The swing must reach the exercise's minimum range and `TURN_ZONE_FRACTION` of the
typical swing of the reps before it (a shallow dip between full reps is not a rep, a set of partial reps still
counts so its range of motion can be judged), and a rep lasts at least `MIN_REP_DURATION_S`. The counter only
looks back, so a live session counts each rep one sample after it ends, and the batch path is the same counter.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import numpy as np

RETURN_ZONE_FRACTION = 0.25
TURN_ZONE_FRACTION = 0.5
# Leaving the rest position by this share of the swing needed starts a rep; it counts only if the swing is reached.
LEAVE_FRACTION = 0.5
# A rep starts at the last frame still within this share of the swing needed from the rest peak (movement onset).
ONSET_FRACTION = 0.05
# The typical swing: the median of the last few counted reps.
TYPICAL_REPS = 5
MIN_REP_DURATION_S = 0.4
MAX_GAP_S = 1.0
DEFAULT_MIN_RANGE_DEG = 25.0


@dataclass(frozen=True)
class RepMotion:
    """What makes one rep of an exercise.

    angle: the joint angle that swings (a name the posture measures know). rest_high: whether the rep starts and
    ends at the high end of that angle (arms straight in a push-up) or the low end (elbows bent before a press).
    min_range_deg: the least swing that counts. plausible_deg: the angles the joint can take in this exercise;
    readings outside are keypoint errors (an arm folded flat at the bottom of a push-up) and are dropped.
    """

    angle: str
    rest_high: bool
    min_range_deg: float
    plausible_deg: tuple[float, float] = (0.0, 180.0)


# Elbow flexion ends near 30-40 deg (full flexion ~145-150 deg, Norkin & White, Measurement of Joint Motion);
# in a push-up the chest meets the floor long before, near 60-90 deg.
PUSH_UP = RepMotion("elbow", rest_high=True, min_range_deg=25.0, plausible_deg=(45.0, 180.0))
SQUAT = RepMotion("knee", rest_high=True, min_range_deg=30.0, plausible_deg=(30.0, 180.0))
CURL = RepMotion("elbow", rest_high=True, min_range_deg=40.0, plausible_deg=(25.0, 180.0))
HINGE = RepMotion("hip", rest_high=True, min_range_deg=30.0, plausible_deg=(30.0, 180.0))
BRIDGE = RepMotion("hip", rest_high=False, min_range_deg=20.0, plausible_deg=(60.0, 180.0))
REP_MOTIONS: dict[str, RepMotion] = {
    "push_up": PUSH_UP,
    "incline_push_up": PUSH_UP,
    "squat": SQUAT,
    "goblet_squat": SQUAT,
    "lunge": SQUAT,
    "split_squat": SQUAT,
    "biceps_curl": CURL,
    "hammer_curl": CURL,
    "shoulder_press": RepMotion("elbow", rest_high=False, min_range_deg=30.0, plausible_deg=(30.0, 180.0)),
    "lateral_raise": RepMotion("shoulder_abduction", rest_high=False, min_range_deg=30.0),
    "row": RepMotion("elbow", rest_high=True, min_range_deg=30.0, plausible_deg=(25.0, 180.0)),
    "pull_up": RepMotion("elbow", rest_high=True, min_range_deg=40.0, plausible_deg=(25.0, 180.0)),
    "deadlift": RepMotion("hip", rest_high=False, min_range_deg=30.0, plausible_deg=(30.0, 180.0)),
    "romanian_deadlift": HINGE,
    "good_morning": HINGE,
    "hip_thrust": BRIDGE,
    "glute_bridge": BRIDGE,
    "sit_up": RepMotion("hip", rest_high=True, min_range_deg=30.0, plausible_deg=(20.0, 180.0)),
    "crunch": RepMotion("trunk_curl", rest_high=False, min_range_deg=15.0, plausible_deg=(-30.0, 90.0)),
}


@dataclass(frozen=True)
class Rep:
    """One repetition: the frames (and times) where it starts, turns (bottom of a push-up, top of a press) and
    ends, and the least and greatest main-joint angle it reached."""

    index: int
    start_frame: int
    turn_frame: int
    end_frame: int
    start_s: float
    turn_s: float
    end_s: float
    min_angle_deg: float
    max_angle_deg: float

    @property
    def range_of_motion_deg(self) -> float:
        return self.max_angle_deg - self.min_angle_deg

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "start_s": round(self.start_s, 3),
            "end_s": round(self.end_s, 3),
            "duration_s": round(self.duration_s, 3),
            "range_of_motion_deg": round(self.range_of_motion_deg, 1),
            "min_angle_deg": round(self.min_angle_deg, 1),
            "max_angle_deg": round(self.max_angle_deg, 1),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Rep:
        return cls(**data)

    def state(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class _Hysteresis:
    """The rep state machine for one direction, fed despiked samples in time order.

    Values are taken "toward rest" (negated when the rest position is the low end), so rest is always the high
    end. A rep leaves the rest peak, reaches a trough and comes back within `RETURN_ZONE_FRACTION` of its own
    swing; it counts when that swing is at least the exercise's minimum and `TURN_ZONE_FRACTION` of the typical
    swing of the reps before it, and it lasted `MIN_REP_DURATION_S`.
    """

    def __init__(self, toward_rest: float, min_range_deg: float, state: dict | None = None):
        self.toward_rest = toward_rest
        self.min_range_deg = min_range_deg
        self.reps: list[Rep] = []
        self.phase = "waiting"
        self.peak = self.trough = None  # (frame, t, value toward rest)
        self.onset = None
        if state:
            self.reps = [Rep.from_dict(rep) for rep in state["reps"]]
            self.phase, self.peak, self.trough, self.onset = (
                state["phase"],
                state["peak"],
                state["trough"],
                state["onset"],
            )

    def state(self) -> dict:
        return {
            "reps": [rep.state() for rep in self.reps],
            "phase": self.phase,
            "peak": self.peak,
            "trough": self.trough,
            "onset": self.onset,
        }

    def reset(self) -> None:
        """A long gap: the rep in progress, if any, is dropped."""
        self.phase, self.peak, self.trough, self.onset = "waiting", None, None, None

    def needed_swing_deg(self) -> float:
        typical = statistics.median(rep.range_of_motion_deg for rep in self.reps[-TYPICAL_REPS:]) if self.reps else 0
        return max(self.min_range_deg, TURN_ZONE_FRACTION * typical)

    def step(self, frame: int, t: float, value_deg: float) -> Rep | None:
        """Take one sample; the rep it completes, if any."""
        sample = (frame, t, self.toward_rest * value_deg)
        value = sample[2]
        needed = self.needed_swing_deg()
        if self.phase == "waiting":
            self.phase, self.peak, self.onset = "rest", sample, sample
            return None
        if self.phase == "rest":
            if value >= self.peak[2]:
                self.peak = sample
            if value >= self.peak[2] - ONSET_FRACTION * needed:
                self.onset = sample
            elif self.peak[2] - value >= LEAVE_FRACTION * needed:
                self.phase, self.trough = "in_rep", sample
            return None
        if value < self.trough[2]:
            self.trough = sample
        swing = self.peak[2] - self.trough[2]
        if value < self.peak[2] - RETURN_ZONE_FRACTION * swing:
            return None
        rep = None
        if swing >= needed and t - self.onset[1] >= MIN_REP_DURATION_S:
            high, low = self.peak[2], self.trough[2]
            angles = (high, low) if self.toward_rest > 0 else (-low, -high)
            rep = Rep(len(self.reps) + 1, self.onset[0], self.trough[0], frame, self.onset[1], self.trough[1], t,
                      min(angles), max(angles))  # fmt: skip
            self.reps.append(rep)
        self.phase, self.peak, self.onset, self.trough = "rest", sample, sample, None
        return rep


class RepCounter:
    """Counts reps as joint-angle samples arrive (a live session) or over a whole series (`count_reps`): both
    paths run this same code, so a series fed in pieces of any size gives the same reps as fed at once.

    Samples outside the exercise's plausible angles and missing ones (NaN) are skipped; a gap longer than
    `MAX_GAP_S` ends any rep in progress. Each sample is despiked by a running median of three, centred, so a
    sample is judged when the next one arrives (`finish` judges the last). Reps are counted from the exercise's
    rest position; `final_reps` also considers the other end, which finds the cycles of a clip cut mid-rep.
    """

    def __init__(self, exercise: str | None = None, min_range_deg: float | None = None, state: dict | None = None):
        motion = REP_MOTIONS.get(exercise or "")
        self.plausible_deg = motion.plausible_deg if motion else (0.0, 180.0)
        if min_range_deg is None:
            min_range_deg = motion.min_range_deg if motion else DEFAULT_MIN_RANGE_DEG
        rest_high = motion.rest_high if motion else True
        state = state or {}
        self.preferred = _Hysteresis(1.0 if rest_high else -1.0, min_range_deg, state.get("preferred"))
        self.reverse = _Hysteresis(-1.0 if rest_high else 1.0, min_range_deg, state.get("reverse"))
        self.recent: list[list[float]] = state.get("recent", [])  # (frame, t, value) of the last two valid samples

    def state(self) -> dict:
        return {"preferred": self.preferred.state(), "reverse": self.reverse.state(), "recent": self.recent}

    @property
    def reps(self) -> list[Rep]:
        return self.preferred.reps

    @property
    def phase(self) -> str:
        return self.preferred.phase

    def push(self, frame: int, t: float, angle_deg: float | None) -> list[Rep]:
        """Take one sample; the reps (0 or 1) that it completes in the preferred direction."""
        low, high = self.plausible_deg
        if angle_deg is None or not np.isfinite(angle_deg) or not low <= angle_deg <= high:
            return []
        completed = []
        if self.recent and t - self.recent[-1][1] > MAX_GAP_S:
            completed = self._judge_last()
            for counter in (self.preferred, self.reverse):
                counter.reset()
            self.recent = []
        self.recent = [*self.recent[-2:], [frame, t, float(angle_deg)]]
        if len(self.recent) == 3:
            completed += self._judge(1)
        elif len(self.recent) == 2:
            completed += self._judge(0)
        return completed

    def finish(self) -> list[Rep]:
        """Judge the last sample (the series has ended); the rep it completes, if any."""
        completed = self._judge_last()
        self.recent = []
        return completed

    def final_reps(self) -> list[Rep]:
        """After `finish`: the reps from the rest position, or from the other end when that finds more."""
        return self.reverse.reps if len(self.reverse.reps) > len(self.preferred.reps) else self.preferred.reps

    def _judge_last(self) -> list[Rep]:
        return self._judge(len(self.recent) - 1) if self.recent else []

    def _judge(self, index: int) -> list[Rep]:
        """Despike sample `index` of `recent` with its neighbours (the edge repeated) and step both directions."""
        frame, t, _ = self.recent[index]
        neighbours = (max(index - 1, 0), index, min(index + 1, len(self.recent) - 1))
        value = sorted(self.recent[i][2] for i in neighbours)[1]
        self.reverse.step(int(frame), t, value)
        rep = self.preferred.step(int(frame), t, value)
        return [rep] if rep else []


def count_reps(
    angle_series_deg, fps: float, exercise: str | None = None, min_range_deg: float | None = None
) -> list[Rep]:
    """Reps in a joint-angle series sampled at `fps` (NaN where the joint was not seen): `RepCounter` over it."""
    if fps <= 0:
        raise ValueError("fps must be positive")
    counter = RepCounter(exercise, min_range_deg)
    for frame, angle in enumerate(np.asarray(angle_series_deg, dtype=np.float64)):
        counter.push(frame, frame / fps, float(angle))
    counter.finish()
    return counter.final_reps()
