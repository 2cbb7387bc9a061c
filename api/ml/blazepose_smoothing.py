"""Landmark smoothing over time as MediaPipe Pose does it: a one-euro filter per coordinate (Casiez, Roussel &
Vogel 2012, CHI '12), its speed measured relative to the body's size, and a low-pass filter on visibilities.

A one-euro filter smooths hard when a landmark is still and hardly at all when it moves fast, so jitter goes
without the lag a fixed moving average puts on the turn of a rep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class OneEuroSettings:
    """Cut-off frequencies in Hz and the speed coefficient; the defaults are MediaPipe's for pose landmarks
    (`pose_landmark_filtering.pbtxt`: about 0.02 of a new value kept when still, 0.8 when moving fast at 30 fps)."""

    min_cutoff: float = 0.1
    beta: float = 40.0
    derivative_cutoff: float = 1.0


# MediaPipe smooths the two auxiliary landmarks that place the next crop much harder, so the crop stays still.
LANDMARK_SMOOTHING = OneEuroSettings()
ROI_SMOOTHING = OneEuroSettings(min_cutoff=0.01, beta=1.0)
# MediaPipe low-passes visibility and presence with alpha 0.1 per frame at 30 fps: a time constant of 0.3 s, kept
# the same at any frame rate.
VISIBILITY_TIME_CONSTANT_S = 0.3
MIN_OBJECT_SCALE = 1e-6


def _alpha(cutoff_hz: float | np.ndarray, dt_s: float):
    tau = 1.0 / (2 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


def object_scale(points: np.ndarray) -> float:
    """The mean of the width and height of the points' axis-aligned box (MediaPipe's GetObjectScale)."""
    span = points[:, :2].max(axis=0) - points[:, :2].min(axis=0)
    return float(span.mean())


@dataclass
class OneEuroFilter:
    """Filters an array of values (every coordinate of every landmark at once), frame by frame."""

    settings: OneEuroSettings = LANDMARK_SMOOTHING
    last_time_s: float | None = field(default=None, init=False)
    last_raw: np.ndarray | None = field(default=None, init=False)
    value: np.ndarray | None = field(default=None, init=False)
    speed: np.ndarray | None = field(default=None, init=False)

    def reset(self) -> None:
        self.last_time_s = self.last_raw = self.value = self.speed = None

    def apply(self, time_s: float, values: np.ndarray, value_scale: float) -> np.ndarray:
        """The filtered values at `time_s`; `value_scale` (1 / the body's size) makes the speed size-free."""
        values = np.asarray(values, dtype=np.float64)
        if self.last_time_s is None or self.value is None:
            self.last_time_s, self.last_raw, self.value = time_s, values, values
            self.speed = np.zeros_like(values)
            return values
        dt_s = time_s - self.last_time_s
        if dt_s <= 0:
            return values
        speed = (values - self.last_raw) * value_scale / dt_s
        self.speed = self.speed + _alpha(self.settings.derivative_cutoff, dt_s) * (speed - self.speed)
        cutoff = self.settings.min_cutoff + self.settings.beta * np.abs(self.speed)
        self.value = self.value + _alpha(cutoff, dt_s) * (values - self.value)
        self.last_time_s, self.last_raw = time_s, values
        return self.value


@dataclass
class LandmarkSmoother:
    """MediaPipe's pose landmark filtering: one-euro on the body landmarks' x, y, z (and on the world landmarks),
    a harder one on the auxiliary ROI landmarks, and an exponential low-pass on visibility and presence."""

    body: OneEuroFilter = field(default_factory=lambda: OneEuroFilter(LANDMARK_SMOOTHING))
    auxiliary: OneEuroFilter = field(default_factory=lambda: OneEuroFilter(ROI_SMOOTHING))
    world: OneEuroFilter = field(default_factory=lambda: OneEuroFilter(LANDMARK_SMOOTHING))
    confidences: np.ndarray | None = None
    last_time_s: float | None = None

    def reset(self) -> None:
        for part in (self.body, self.auxiliary, self.world):
            part.reset()
        self.confidences = self.last_time_s = None

    def apply(
        self, time_s: float, landmarks: np.ndarray, auxiliary: np.ndarray, world: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Smoothed copies of `landmarks` `(33, 5)`, `auxiliary` `(2, 5)` (pixels) and `world` `(33, 3)` (metres)."""
        scale = object_scale(landmarks)
        if scale < MIN_OBJECT_SCALE:
            return landmarks, auxiliary, world
        landmarks, auxiliary = landmarks.copy(), auxiliary.copy()
        landmarks[:, :3] = self.body.apply(time_s, landmarks[:, :3], 1.0 / scale)
        auxiliary[:, :3] = self.auxiliary.apply(time_s, auxiliary[:, :3], 1.0 / scale)
        world_scale = object_scale(world)
        if world_scale >= MIN_OBJECT_SCALE:
            world = self.world.apply(time_s, world, 1.0 / world_scale)
        raw = landmarks[:, 3:]
        if self.confidences is None or self.last_time_s is None or time_s <= self.last_time_s:
            self.confidences = raw
        else:
            dt_s = time_s - self.last_time_s
            self.confidences = self.confidences + dt_s / (dt_s + VISIBILITY_TIME_CONSTANT_S) * (raw - self.confidences)
        self.last_time_s = time_s
        landmarks[:, 3:] = self.confidences
        return landmarks, auxiliary, world
