"""Rep counting by hysteresis on an exercise's main joint angle: jitter never counts twice."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_RANGE_OF_MOTION_DEG = 25.0
HYSTERESIS_FRACTION = 0.3
SMOOTHING_WINDOW = 3


@dataclass
class Rep:
    """One repetition: frame indices of its start, turning point and end, and its angles."""

    index: int
    start: int
    turn: int
    end: int
    min_angle_deg: float
    max_angle_deg: float

    @property
    def range_of_motion_deg(self) -> float:
        return self.max_angle_deg - self.min_angle_deg


def fill_gaps(angles: np.ndarray) -> np.ndarray:
    """Linear interpolation over missing (NaN) samples; all-NaN stays NaN."""
    values = np.asarray(angles, dtype=np.float64)
    valid = ~np.isnan(values)
    if valid.sum() < 2:
        return values
    indices = np.arange(len(values))
    return np.interp(indices, indices[valid], values[valid])


def smooth(values: np.ndarray, window: int = SMOOTHING_WINDOW) -> np.ndarray:
    """A centred running median: removes single-frame spikes without shifting turning points."""
    if len(values) < window:
        return values
    pad = window // 2
    padded = np.pad(values, pad, mode="edge")
    return np.array([np.median(padded[i : i + window]) for i in range(len(values))])


def count_reps(angles_deg, min_range_deg: float = MIN_RANGE_OF_MOTION_DEG) -> list[Rep]:
    """Reps in an angle series: leaving the start zone, reaching the far zone, and coming back.

    The zones are set at `HYSTERESIS_FRACTION` of the observed range from each end, so a wobble smaller than
    that never flips the state. A rep starts at whichever end the series begins nearer to.
    """
    series = smooth(fill_gaps(np.asarray(angles_deg, dtype=np.float64)))
    if len(series) < 3 or np.isnan(series).all():
        return []
    low, high = np.nanpercentile(series, 5), np.nanpercentile(series, 95)
    if high - low < min_range_deg:
        return []
    margin = (high - low) * HYSTERESIS_FRACTION
    low_zone, high_zone = low + margin, high - margin
    starts_high = abs(series[0] - high) <= abs(series[0] - low)
    sign = 1.0 if starts_high else -1.0
    home, away = (high_zone, low_zone) if starts_high else (low_zone, high_zone)

    reps: list[Rep] = []
    state = "home"
    start = turn = 0
    for i, value in enumerate(series):
        at_home = sign * (value - home) >= 0
        at_away = sign * (value - away) <= 0
        if state == "home":
            if at_home and sign * (value - series[start]) >= 0:
                start = i
            elif at_away:
                state, turn = "away", i
        else:
            if sign * (value - series[turn]) < 0:
                turn = i
            if at_home:
                window = series[start : i + 1]
                reps.append(Rep(len(reps) + 1, start, turn, i, float(window.min()), float(window.max())))
                state, start = "home", i
    return reps
