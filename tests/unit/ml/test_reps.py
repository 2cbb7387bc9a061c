"""Rep counting by hysteresis."""

import numpy as np

from api.ml.reps import count_reps


def cycles(n: int, low: float = 80, high: float = 170, per_half: int = 10) -> np.ndarray:
    one = np.concatenate([np.linspace(high, low, per_half), np.linspace(low, high, per_half)])
    return np.concatenate([[high] * 3, *[one] * n, [high] * 3])


def test_counts_clean_reps():
    assert len(count_reps(cycles(4))) == 4


def test_jitter_at_the_top_never_counts_twice():
    noisy = cycles(3) + np.random.default_rng(1).normal(0, 4, len(cycles(3)))
    assert len(count_reps(noisy)) == 3


def test_a_still_clip_has_no_reps():
    assert count_reps(np.full(60, 170.0) + np.random.default_rng(2).normal(0, 3, 60)) == []


def test_missing_frames_are_bridged():
    series = cycles(2).astype(float)
    series[5:9] = np.nan
    assert len(count_reps(series)) == 2


def test_reps_starting_from_the_low_end_are_counted():
    assert len(count_reps(200 - cycles(3))) == 3


def test_rep_reports_its_turning_point_and_range():
    rep = count_reps(cycles(1))[0]
    assert rep.start < rep.turn < rep.end
    assert rep.min_angle_deg < 90 and rep.max_angle_deg > 160 and rep.range_of_motion_deg > 70
