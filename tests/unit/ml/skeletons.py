"""COCO-17 skeletons built from a few positions, for posture tests."""

from __future__ import annotations

import math

import numpy as np

from api.ml.keypoints import KEYPOINT_INDEX


def skeleton(points: dict[str, tuple[float, float]], confidence: float = 0.9) -> np.ndarray:
    """Keypoints from `{joint: (x, y)}`; 'shoulder' sets both sides, 'left_shoulder' one side; others invisible."""
    kp = np.zeros((17, 3), dtype=np.float32)
    for name, (x, y) in points.items():
        names = [name] if name in KEYPOINT_INDEX else [f"left_{name}", f"right_{name}"]
        for full in names:
            kp[KEYPOINT_INDEX[full]] = (x, y, confidence)
    return kp


def side_plank(hip_offset_px: float = 0.0) -> np.ndarray:
    """A side-view plank on straight arms facing right; positive offset drops the hips (sag), negative piks."""
    return skeleton(
        {
            "shoulder": (400, 200),
            "elbow": (400, 250),
            "wrist": (400, 300),
            "hip": (250, 200 + hip_offset_px),
            "knee": (175, 200),
            "ankle": (100, 200),
            "ear": (430, 195),
            "nose": (450, 205),
        }
    )


def side_push_up(elbow_deg: float, hip_offset_px: float = 0.0) -> np.ndarray:
    """A side-view push-up with the given elbow angle: hands fixed, body pivoting at the feet."""
    wrist = np.array([400.0, 300.0])
    elbow = wrist + (0.0, -60.0)
    turn = math.radians(180.0 - elbow_deg)
    shoulder = elbow + 60.0 * np.array([-math.sin(turn), -math.cos(turn)])
    ankle = np.array([100.0, 300.0])
    hip = (shoulder + ankle) / 2 + (0.0, hip_offset_px)
    head = shoulder + (30.0, -5.0)
    return skeleton(
        {
            "shoulder": tuple(shoulder),
            "elbow": tuple(elbow),
            "wrist": tuple(wrist),
            "hip": tuple(hip),
            "knee": tuple((hip + ankle) / 2),
            "ankle": tuple(ankle),
            "ear": tuple(head),
            "nose": tuple(head + (15.0, 8.0)),
        }
    )


def front_squat(knee_gap_px: float, ankle_gap_px: float = 120.0, knee_y: float = 380.0) -> np.ndarray:
    """A front-view squat: shoulders wide apart, knees `knee_gap_px` apart over ankles `ankle_gap_px` apart."""
    return skeleton(
        {
            "left_shoulder": (260, 200),
            "right_shoulder": (380, 200),
            "left_hip": (280, 330),
            "right_hip": (360, 330),
            "left_knee": (320 - knee_gap_px / 2, knee_y),
            "right_knee": (320 + knee_gap_px / 2, knee_y),
            "left_ankle": (320 - ankle_gap_px / 2, 460),
            "right_ankle": (320 + ankle_gap_px / 2, 460),
            "nose": (320, 160),
        }
    )


def repeated(poses: list[np.ndarray]) -> np.ndarray:
    return np.stack(poses).astype(np.float32)
