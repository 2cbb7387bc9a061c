"""Rep counting by hysteresis on synthetic angle series: clean, noisy, jittery, partial, with missing frames,
sample by sample and restored from its state."""

import json

import numpy as np
import pytest

from api.ml.reps import MAX_GAP_S, RepCounter, count_reps

FPS = 10.0


def cycles(n: int, rest: float = 170.0, turn: float = 80.0, frames_per_half: int = 10, hold: int = 4) -> np.ndarray:
    """`n` reps from `rest` to `turn` and back, holding still at rest before, between and after them."""
    one = np.concatenate([np.linspace(rest, turn, frames_per_half), np.linspace(turn, rest, frames_per_half)])
    return np.concatenate([np.full(hold, rest), *[np.concatenate([one, np.full(hold, rest)]) for _ in range(n)]])


def sine_reps(n: int, noise_deg: float, seed: int = 0) -> np.ndarray:
    """`n` push-ups as a cosine between 170 and 80 deg, 2 s each, with Gaussian keypoint noise."""
    t = np.arange(int(n * 2.0 * FPS)) / FPS
    angles = 125.0 + 45.0 * np.cos(2 * np.pi * t / 2.0)
    return angles + np.random.default_rng(seed).normal(0.0, noise_deg, len(t))


def test_counts_clean_reps():
    assert len(count_reps(cycles(4), FPS, "push_up")) == 4


@pytest.mark.parametrize("seed", range(5))
def test_noisy_sine_reps_are_counted_exactly(seed):
    assert len(count_reps(sine_reps(5, noise_deg=4.0, seed=seed), FPS, "push_up")) == 5


def test_jitter_at_the_top_never_counts_twice():
    series = cycles(3)
    top = series >= 169.0
    series[top] += np.where(np.arange(top.sum()) % 2 == 0, -12.0, 0.0)
    assert len(count_reps(series, FPS, "push_up")) == 3


def test_a_still_clip_has_no_reps():
    still = np.full(60, 170.0) + np.random.default_rng(2).normal(0, 3, 60)
    assert count_reps(still, FPS, "push_up") == []


def test_a_shallow_dip_between_full_reps_is_not_a_rep():
    series = np.concatenate([cycles(1), cycles(1, turn=145.0)[4:], cycles(1)[4:]])
    reps = count_reps(series, FPS, "push_up")
    assert len(reps) == 2
    assert all(rep.min_angle_deg < 90 for rep in reps)


def test_partial_reps_alone_are_counted_with_their_small_range():
    reps = count_reps(cycles(3, turn=135.0), FPS, "push_up")
    assert len(reps) == 3
    assert all(rep.range_of_motion_deg == pytest.approx(35.0, abs=1.0) for rep in reps)


def test_a_swing_under_the_minimum_range_is_not_a_rep():
    assert count_reps(cycles(3, turn=155.0), FPS, "push_up") == []


def test_short_gaps_of_missing_frames_are_bridged():
    series = cycles(2)
    series[8:11] = np.nan
    assert len(count_reps(series, FPS, "push_up")) == 2


def test_a_long_gap_ends_the_rep_in_progress():
    series = cycles(2)
    gap = int(MAX_GAP_S * FPS) + 5
    series[10 : 10 + gap] = np.nan
    assert len(count_reps(series, FPS, "push_up")) == 1


def test_all_missing_has_no_reps():
    assert count_reps(np.full(40, np.nan), FPS, "push_up") == []


def test_reps_starting_from_the_low_end_are_counted():
    press = 250.0 - cycles(3)
    reps = count_reps(press, FPS, "shoulder_press")
    assert len(reps) == 3
    assert all(press[rep.turn_frame] > 160 for rep in reps)


def test_a_clip_cut_in_the_middle_of_a_rep_still_counts_its_cycles():
    assert len(count_reps(cycles(3)[14:], FPS, "push_up")) >= 2


def test_an_unknown_exercise_starts_from_the_end_the_series_starts_at():
    assert len(count_reps(250.0 - cycles(2), FPS)) == 2


def test_impossible_angles_from_keypoint_glitches_do_not_hide_reps():
    series = cycles(2)
    series[13:15] = 5.0
    assert len(count_reps(series, FPS, "push_up")) == 2


def test_rep_reports_its_frames_timing_and_range():
    rep = count_reps(cycles(1, frames_per_half=10), FPS, "push_up")[0]
    assert rep.start_frame < rep.turn_frame < rep.end_frame
    assert rep.duration_s == pytest.approx(2.0, abs=0.3)
    assert rep.start_s == pytest.approx(rep.start_frame / FPS)
    assert rep.min_angle_deg == pytest.approx(80.0) and rep.max_angle_deg == pytest.approx(170.0)
    assert rep.to_dict()["range_of_motion_deg"] == pytest.approx(90.0)


def test_slower_reps_last_longer():
    fast = count_reps(cycles(1, frames_per_half=6), FPS, "push_up")[0]
    slow = count_reps(cycles(1, frames_per_half=20), FPS, "push_up")[0]
    assert slow.duration_s > fast.duration_s * 2.5


def test_fps_must_be_positive():
    with pytest.raises(ValueError):
        count_reps(cycles(1), 0.0, "push_up")


def test_a_one_frame_spike_in_the_rest_position_is_no_rep():
    series = cycles(2)
    series[2] = 120.0
    assert len(count_reps(series, FPS, "push_up")) == 2


def test_samples_fed_one_by_one_count_each_rep_one_sample_after_it_ends():
    series = cycles(3)
    counter = RepCounter("push_up")
    counted_at = [i for i, angle in enumerate(series) if counter.push(i, i / FPS, float(angle))]
    assert [rep.end_frame + 1 for rep in counter.reps] == counted_at and len(counted_at) == 3
    assert counter.reps == count_reps(series, FPS, "push_up")


def test_a_counter_restored_from_its_state_goes_on_counting():
    series = cycles(3)
    counter = RepCounter("push_up")
    for i, angle in enumerate(series[:30]):
        counter.push(i, i / FPS, float(angle))
    restored = RepCounter("push_up", state=json.loads(json.dumps(counter.state())))
    for i, angle in enumerate(series[30:], start=30):
        restored.push(i, i / FPS, float(angle))
    restored.finish()
    assert restored.final_reps() == count_reps(series, FPS, "push_up")
