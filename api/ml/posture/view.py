"""Which way the camera sees the body: 'side', 'front' or 'unclear', from shoulder width against torso length.

Seen from the side the two shoulders overlap (width near 0); seen from the front (or from the head end of a
push-up, where the torso is foreshortened) they are as wide as the torso is long or wider. In between the view is
oblique: checks that need a true side or front view are skipped there.
"""

from __future__ import annotations

import numpy as np

from api.ml.keypoints import KEYPOINT_INDEX
from api.ml.posture.angles import SIDES, point, torso_length

# Biacromial width is ~0.8 of the shoulder-to-hip length in adults (NASA-STD-3000 anthropometry), so a ratio
# under 0.45 means the trunk is turned more than ~55 deg from the camera (~30 deg for a horizontal body, whose
# torso also foreshortens); over 0.7 it faces the camera within ~30 deg.
SIDE_VIEW_MAX_WIDTH_RATIO = 0.45
FRONT_VIEW_MIN_WIDTH_RATIO = 0.7
VIEWS = ("side", "front", "unclear")
SIDE_JOINTS = ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")


def shoulder_width_ratio(kp: np.ndarray) -> float | None:
    """Shoulder width over torso length; 0 when only one shoulder is visible (the other hidden behind the body)."""
    length = torso_length(kp)
    if length is None:
        return None
    left, right = point(kp, "left_shoulder"), point(kp, "right_shoulder")
    if left is None or right is None:
        return 0.0
    return float(np.linalg.norm(left - right)) / length


def view_of_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "unclear"
    if ratio <= SIDE_VIEW_MAX_WIDTH_RATIO:
        return "side"
    if ratio >= FRONT_VIEW_MIN_WIDTH_RATIO:
        return "front"
    return "unclear"


def detect_view(kp: np.ndarray) -> str:
    """The view of one pose."""
    return view_of_ratio(shoulder_width_ratio(kp))


def near_side(frames: np.ndarray) -> str | None:
    """The body side nearer the camera in a side view: the one whose joints the model is surer of overall."""
    totals = {
        side: float(sum(frames[:, KEYPOINT_INDEX[f"{side}_{joint}"], 2].sum() for joint in SIDE_JOINTS))
        for side in SIDES
    }
    if max(totals.values()) <= 0:
        return None
    return max(totals, key=totals.get)


def keep_near_side(frames: np.ndarray, side: str) -> np.ndarray:
    """The frames with the far side's joints marked invisible: in a side view they are guesses behind the body."""
    far = "right" if side == "left" else "left"
    kept = np.array(frames, dtype=np.float32, copy=True)
    for joint in SIDE_JOINTS:
        kept[..., KEYPOINT_INDEX[f"{far}_{joint}"], 2] = 0.0
    return kept
