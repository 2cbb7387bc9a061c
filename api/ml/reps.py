"""Rep counting by hysteresis on an exercise's main joint angle, and the 1-D signal helpers it needs.

A rep leaves the rest zone (within `REST_ZONE_FRACTION` of the observed range from its rest end), goes past the
middle of the range (`TURN_ZONE_FRACTION`) and comes back to rest. The band between the two zones, an absolute
minimum range per exercise and `MIN_REP_DURATION_S` keep jitter at the top from ever counting twice; a shallow
rep that still passes the middle counts, so its range of motion can be judged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

REST_ZONE_FRACTION = 0.25
TURN_ZONE_FRACTION = 0.5
# A rep starts at the last frame still within this fraction of the range of its rest position (movement onset).
ONSET_FRACTION = 0.05
MIN_REP_DURATION_S = 0.4
MAX_GAP_S = 1.0
MEDIAN_WINDOW = 3
EMA_ALPHA = 0.8
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
    """One repetition: frames where it starts, turns (bottom of a push-up, top of a press) and ends; its angles."""

    index: int
    start_frame: int
    turn_frame: int
    end_frame: int
    fps: float
    min_angle_deg: float
    max_angle_deg: float

    @property
    def range_of_motion_deg(self) -> float:
        return self.max_angle_deg - self.min_angle_deg

    @property
    def start_s(self) -> float:
        return self.start_frame / self.fps

    @property
    def end_s(self) -> float:
        return self.end_frame / self.fps

    @property
    def duration_s(self) -> float:
        return (self.end_frame - self.start_frame) / self.fps

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


def _valid_runs(valid: np.ndarray) -> list[tuple[int, int]]:
    """`[start, stop)` index pairs of the runs of True in a boolean array."""
    edges = np.diff(np.concatenate([[0], valid.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def fill_gaps(values, max_gap: int | None = None) -> np.ndarray:
    """Linear interpolation over missing (NaN) samples between valid ones; gaps longer than `max_gap` stay NaN."""
    series = np.asarray(values, dtype=np.float64).copy()
    valid = ~np.isnan(series)
    if valid.sum() < 2:
        return series
    indices = np.arange(len(series))
    filled = np.interp(indices, indices[valid], series[valid])
    inside = (indices > indices[valid][0]) & (indices < indices[valid][-1])
    for start, stop in _valid_runs(~valid):
        if max_gap is not None and stop - start > max_gap:
            inside[start:stop] = False
    series[inside] = filled[inside]
    return series


def smooth_series(values, median_window: int = MEDIAN_WINDOW, ema_alpha: float = EMA_ALPHA) -> np.ndarray:
    """A running median (drops one-frame spikes) then a forward-backward EMA (no lag at turning points).

    NaN samples stay NaN and split the series: each run of valid samples is smoothed on its own.
    """
    series = np.asarray(values, dtype=np.float64)
    out = np.full_like(series, np.nan)
    pad = median_window // 2
    for start, stop in _valid_runs(~np.isnan(series)):
        run = series[start:stop]
        if pad and len(run) > median_window:
            padded = np.pad(run, pad, mode="edge")
            run = np.median(np.lib.stride_tricks.sliding_window_view(padded, median_window), axis=1)
        out[start:stop] = _ema(_ema(run, ema_alpha)[::-1], ema_alpha)[::-1]
    return out


def _ema(values: np.ndarray, alpha: float) -> np.ndarray:
    out = np.empty_like(values)
    state = values[0]
    for i, value in enumerate(values):
        state = alpha * value + (1 - alpha) * state
        out[i] = state
    return out


def _rest_edge(series: np.ndarray, first: int, last: int, toward_rest: float, onset: float, latest: bool) -> int:
    """Within `[first, last]`, the latest (or earliest) frame still within `onset` of the rest peak."""
    window = series[first : last + 1]
    peak = float(np.max(toward_rest * window))
    at_rest = np.flatnonzero(toward_rest * window >= peak - onset)
    return first + int(at_rest[-1] if latest else at_rest[0])


def count_reps(
    angle_series_deg, fps: float, exercise: str | None = None, min_range_deg: float | None = None
) -> list[Rep]:
    """Reps in a joint-angle series sampled at `fps` (NaN where the joint was not seen).

    Short gaps are interpolated, longer ones (over `MAX_GAP_S`) end any rep in progress. Reps are counted from the
    exercise's rest position (`REP_MOTIONS`; for an exercise not listed, the end of the range the series starts
    nearer to), and from the other end when that finds more whole cycles: a clip cut mid-rep still counts.
    """
    if fps <= 0:
        raise ValueError("fps must be positive")
    motion = REP_MOTIONS.get(exercise or "")
    if min_range_deg is None:
        min_range_deg = motion.min_range_deg if motion else DEFAULT_MIN_RANGE_DEG
    angles = np.asarray(angle_series_deg, dtype=np.float64).copy()
    if motion:
        low_limit, high_limit = motion.plausible_deg
        angles[(angles < low_limit) | (angles > high_limit)] = np.nan
    filled = fill_gaps(angles, max_gap=max(1, round(MAX_GAP_S * fps)))
    # A running median only: it drops one-frame spikes but, unlike an EMA, keeps the real turning points.
    series = smooth_series(filled, ema_alpha=1.0)
    valid = ~np.isnan(series)
    if valid.sum() < 3 or np.nanmax(series) - np.nanmin(series) < min_range_deg:
        return []
    if motion:
        rest_high = motion.rest_high
    else:
        first, low, high = series[np.flatnonzero(valid)[0]], np.nanmin(series), np.nanmax(series)
        rest_high = bool(high - first <= first - low)
    preferred = _reps_from_rest(series, fps, rest_high, min_range_deg)
    other = _reps_from_rest(series, fps, not rest_high, min_range_deg)
    return other if len(other) > len(preferred) else preferred


def _reps_from_rest(series: np.ndarray, fps: float, rest_high: bool, min_range_deg: float) -> list[Rep]:
    """The hysteresis state machine over a despiked series, with the rest position at its high or low end."""
    valid = ~np.isnan(series)
    low, high = np.nanmin(series), np.nanmax(series)
    span = high - low
    # +1 when the rest position is the high end of the range (angles fall during the rep), -1 otherwise.
    toward_rest = 1.0 if rest_high else -1.0
    rest_line = (high if rest_high else low) - toward_rest * span * REST_ZONE_FRACTION
    far_line = (high if rest_high else low) - toward_rest * span * TURN_ZONE_FRACTION
    onset = span * ONSET_FRACTION
    # Each rep: its start, turn and end frames, and the frames from its rest before to its rest after.
    candidates: list[tuple[int, int, int, int, int]] = []
    for run_start, run_stop in _valid_runs(valid):
        state, rest_from, pending = "seeking", run_start, None
        start = turn = span_from = run_start
        for i in range(run_start, run_stop):
            value = toward_rest * series[i]
            if value >= toward_rest * rest_line and state != "rest":
                pending = (start, turn, span_from) if state == "away" else None
                state, rest_from = "rest", i
            elif value <= toward_rest * far_line and state == "rest":
                next_start = _rest_edge(series, rest_from, i, toward_rest, onset, latest=True)
                if pending:
                    end = _rest_edge(series, rest_from, i, toward_rest, onset, latest=False)
                    candidates.append((pending[0], pending[1], end, pending[2], next_start))
                    pending = None
                start, turn, span_from, state = next_start, i, rest_from, "away"
            if state == "away" and value < toward_rest * series[turn]:
                turn = i
        if pending:
            end = _rest_edge(series, rest_from, run_stop - 1, toward_rest, onset, latest=False)
            candidates.append((pending[0], pending[1], end, pending[2], run_stop - 1))

    reps: list[Rep] = []
    for start, turn, end, span_from, span_to in candidates:
        window = series[span_from : span_to + 1]
        low_deg, high_deg = float(np.nanmin(window)), float(np.nanmax(window))
        if (end - start) / fps >= MIN_REP_DURATION_S and high_deg - low_deg >= min_range_deg:
            reps.append(Rep(len(reps) + 1, start, turn, end, fps, low_deg, high_deg))
    return reps
