"""Draw an analysis on its photo or key frame: skeleton, box, exercise, angles and faults."""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from api.ml.keypoints import BODY_EDGES, IMAGE_CHANNELS, SKELETON_EDGES

if TYPE_CHECKING:
    from api.ml.analysis import Analysis

VISIBLE_CONFIDENCE = 0.3
GOOD = (80, 200, 80)
BAD = (60, 60, 230)
INK = (255, 255, 255)
PANEL = (30, 30, 30)
JPEG_QUALITY = 88


def _scale(image: np.ndarray) -> float:
    return max(image.shape[:2]) / 640


def _draw_person(canvas: np.ndarray, box, keypoints: np.ndarray, color, scale: float, edges=SKELETON_EDGES) -> None:
    x1, y1, x2, y2 = (int(v) for v in box)
    thickness = max(1, int(2 * scale))
    cv2.rectangle(canvas, (x1, y1), (x2, y2), color, thickness)
    for a, b in edges:
        if keypoints[a, 2] >= VISIBLE_CONFIDENCE and keypoints[b, 2] >= VISIBLE_CONFIDENCE:
            pa = (int(keypoints[a, 0]), int(keypoints[a, 1]))
            pb = (int(keypoints[b, 0]), int(keypoints[b, 1]))
            cv2.line(canvas, pa, pb, color, thickness + 1, cv2.LINE_AA)
    for x, y, conf in keypoints:
        if conf >= VISIBLE_CONFIDENCE:
            cv2.circle(canvas, (int(x), int(y)), thickness + 2, INK, -1, cv2.LINE_AA)


def _panel_lines(analysis: Analysis) -> list[tuple[str, tuple]]:
    recognition, posture = analysis.recognition, analysis.posture
    title = (
        f"{recognition.label.replace('_', ' ')} {recognition.confidence:.0%}"
        if recognition.label
        else f"exercise unknown: {recognition.reason or 'low confidence'}"
    )
    lines = [(title, INK)]
    if posture.assessed:
        ok = posture.form_ok
        lines.append((f"form {posture.score:.0f}/100 {'OK' if ok else 'needs work'}", GOOD if ok else BAD))
    if analysis.rep_count is not None:
        lines.append((f"reps: {analysis.rep_count}", INK))
    for name, value in list(posture.angles.items())[:4]:
        lines.append((f"{name.removesuffix('_deg').replace('_', ' ')}: {value:.0f} deg", INK))
    for issue in posture.issues[:3]:
        lines.append((issue.message, BAD))
    return lines


def annotate(analysis: Analysis) -> bytes:
    """A JPEG of the analysis' key frame with every person's skeleton, the main person highlighted (with the joints
    that judged posture: BlazePose's feet too), and a text panel."""
    canvas = analysis.key_frame.copy()
    scale = _scale(canvas)
    form_ok = analysis.posture.form_ok
    for person in analysis.persons:
        _draw_person(canvas, person.box, person.keypoints, (180, 180, 180), scale)
    if (key := analysis.key_person) is not None:
        color = BAD if form_ok is False else GOOD
        if analysis.body is not None:
            joints = np.nan_to_num(analysis.body.frame[:, :IMAGE_CHANNELS])
            _draw_person(canvas, key.box, joints, color, scale, BODY_EDGES)
        else:
            _draw_person(canvas, key.box, key.keypoints, color, scale)
    font_scale = 0.55 * scale
    line_height = int(24 * scale)
    lines = _panel_lines(analysis)
    width = max(cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)[0][0] for text, _ in lines)
    panel_w = min(canvas.shape[1], width + int(16 * scale))
    overlay = canvas.copy()
    cv2.rectangle(overlay, (0, 0), (panel_w, line_height * len(lines) + int(10 * scale)), PANEL, -1)
    canvas = cv2.addWeighted(overlay, 0.7, canvas, 0.3, 0)
    for row, (text, color) in enumerate(lines):
        origin = (int(8 * scale), line_height * (row + 1))
        cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, font_scale, color, max(1, int(scale)), cv2.LINE_AA)
    ok, encoded = cv2.imencode(".jpg", canvas, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("could not encode the annotated image")
    return encoded.tobytes()
