"""The one-euro landmark filter: still landmarks lose their jitter, moving ones keep up with the movement."""

import numpy as np
import pytest

from api.ml.blazepose_smoothing import (
    VISIBILITY_TIME_CONSTANT_S,
    LandmarkSmoother,
    OneEuroFilter,
    OneEuroSettings,
    object_scale,
)

FPS = 10.0


def run(filter_, values, scale=1.0):
    return np.array([filter_.apply(i / FPS, np.array([v]), scale)[0] for i, v in enumerate(values)])


def test_jitter_on_a_still_landmark_is_halved():
    noise = np.random.default_rng(0).normal(0, 1.0, 200)  # 1 px of jitter on a 300 px tall body
    filtered = run(OneEuroFilter(), 150 + noise, scale=1 / 300)
    assert np.std(filtered[20:]) < 0.55 * np.std(noise)


def test_a_fast_movement_is_followed_without_lag():
    steps = np.r_[np.zeros(10), np.full(10, 30.0)]  # a joint moving a tenth of the body in one frame
    filtered = run(OneEuroFilter(), steps, scale=1 / 300)
    assert filtered[11] > 0.9 * 30  # one frame after the jump
    slow = run(OneEuroFilter(OneEuroSettings(beta=0.0)), steps, scale=1 / 300)
    assert slow[11] < 0.2 * 30  # without its speed term the same filter would still be near the old value


def test_the_first_value_passes_unchanged_and_reset_forgets():
    filter_ = OneEuroFilter()
    run(filter_, [0.0] * 5)
    filter_.reset()
    assert filter_.apply(10.0, np.array([3.0]), 1.0)[0] == 3.0


def test_object_scale_is_the_mean_side_of_the_box():
    assert object_scale(np.array([[0.0, 0.0, 1.0], [4.0, 2.0, 0.0]])) == pytest.approx(3.0)


def test_visibility_follows_its_time_constant():
    smoother = LandmarkSmoother()
    landmarks = np.zeros((33, 5))
    landmarks[:, 0], landmarks[:, 1] = np.arange(33), np.arange(33)
    world = np.tile(np.linspace(-0.5, 0.5, 33)[:, None], (1, 3))
    auxiliary = landmarks[:2].copy()
    landmarks[:, 3] = 1.0
    smoother.apply(0.0, landmarks, auxiliary, world)
    landmarks[:, 3] = 0.0
    smoothed, _, _ = smoother.apply(0.1, landmarks, auxiliary, world)
    assert smoothed[0, 3] == pytest.approx(1 - 0.1 / (0.1 + VISIBILITY_TIME_CONSTANT_S))
    assert smoothed[:, :2] == pytest.approx(landmarks[:, :2])  # still landmarks stay put
