"""Plane geometry on keypoints."""

from __future__ import annotations

import numpy as np


def angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle at `b` between segments b->a and b->c, in degrees."""
    v1, v2 = a - b, c - b
    denominator = np.linalg.norm(v1) * np.linalg.norm(v2)
    if denominator < 1e-6:
        return float("nan")
    return float(np.degrees(np.arccos(np.clip(np.dot(v1, v2) / denominator, -1.0, 1.0))))
