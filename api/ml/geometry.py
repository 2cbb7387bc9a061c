"""Plane geometry on keypoints."""

from __future__ import annotations

import math

import numpy as np


def angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle at `b` between segments b->a and b->c, in degrees (plain floats: a live session measures many
    frames a second, and numpy's per-call overhead dwarfs the arithmetic of two 2-vectors)."""
    x1, y1, x2, y2 = float(a[0] - b[0]), float(a[1] - b[1]), float(c[0] - b[0]), float(c[1] - b[1])
    denominator = math.hypot(x1, y1) * math.hypot(x2, y2)
    if denominator < 1e-6:
        return float("nan")
    return math.degrees(math.acos(max(-1.0, min(1.0, (x1 * x2 + y1 * y2) / denominator))))
