"""BlazePose tensor maths, no models: SSD anchors, detection decoding and weighted NMS, the rotated square ROI and
the crop into it, landmark decoding with heatmap refinement and the projection back into the image.

Each step follows MediaPipe's pose graphs (`mediapipe/modules/pose_detection/pose_detection_cpu.pbtxt`,
`pose_landmark/pose_detection_to_roi.pbtxt`, `pose_landmarks_to_roi.pbtxt`,
`tensors_to_pose_landmarks_and_segmentation.pbtxt`) and the calculators they name; the constants are theirs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

DETECTOR_INPUT_SIZE = 224
# SsdAnchorsCalculator options of pose_detection_cpu.pbtxt: 5 layers, 2 anchors per cell and layer (aspect ratio
# 1 plus the interpolated one), fixed anchor size; layers of one stride share a grid.
ANCHOR_STRIDES = (8, 16, 32, 32, 32)
ANCHORS_PER_LAYER = 2
DETECTOR_KEYPOINTS = 4  # mid-hip centre, full-body size and rotation point, mid-shoulder centre, upper-body point
DETECTOR_SCORE_CLIP = 100.0
NMS_MIN_IOU = 0.3
LANDMARK_INPUT_SIZE = 256
LANDMARK_COUNT = 39  # 33 body landmarks, then 2 auxiliary ones giving the next ROI, then 4 unused
BODY_LANDMARKS = 33
ROI_CENTRE_LANDMARK, ROI_SCALE_LANDMARK = 33, 34
# RectTransformationCalculator options of both ROI graphs: the square is 1.25 times the alignment-point box.
ROI_SCALE = 1.25
HEATMAP_KERNEL = 7
HEATMAP_MIN_CONFIDENCE = 0.5


def sigmoid(values: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow for large logits."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(values, dtype=np.float64)))


def ssd_anchor_centres(
    input_size: int = DETECTOR_INPUT_SIZE, strides: tuple[int, ...] = ANCHOR_STRIDES, per_layer: int = ANCHORS_PER_LAYER
) -> np.ndarray:
    """Anchor centres `(N, 2)` as normalised x, y, in the detector's output order (2254 for the pose detector).

    Consecutive layers with the same stride share one grid: each cell holds `per_layer` anchors per such layer.
    With fixed anchor sizes only the centres matter."""
    centres, layer = [], 0
    while layer < len(strides):
        stride, same = strides[layer], 0
        while layer + same < len(strides) and strides[layer + same] == stride:
            same += 1
        cells = math.ceil(input_size / stride)
        grid = (np.arange(cells, dtype=np.float32) + 0.5) / cells
        ys, xs = np.meshgrid(grid, grid, indexing="ij")
        cell_centres = np.stack([xs.ravel(), ys.ravel()], axis=1)
        centres.append(np.repeat(cell_centres, per_layer * same, axis=0))
        layer += same
    return np.concatenate(centres)


@dataclass(frozen=True)
class Roi:
    """A rotated square in image pixels: its centre, side and rotation (radians, clockwise in the image)."""

    centre_x: float
    centre_y: float
    size: float
    rotation: float = 0.0

    def to_image(self, normalised: np.ndarray) -> np.ndarray:
        """Points `(N, 2)` normalised to the square ([0, 1] from its top-left corner) in image pixels."""
        cos, sin = math.cos(self.rotation), math.sin(self.rotation)
        centred = (np.asarray(normalised, dtype=np.float64) - 0.5) * self.size
        x = cos * centred[:, 0] - sin * centred[:, 1] + self.centre_x
        y = sin * centred[:, 0] + cos * centred[:, 1] + self.centre_y
        return np.stack([x, y], axis=1)

    def crop(self, image_bgr: np.ndarray, output_size: int, border: int) -> np.ndarray:
        """The square resampled into `output_size` pixels a side (RGB); outside the image `border` (cv2.BORDER_*)."""
        corners = self.to_image(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))
        target = np.array([[0, 0], [output_size, 0], [0, output_size]], dtype=np.float32)
        matrix = cv2.getAffineTransform(corners.astype(np.float32), target)
        crop = cv2.warpAffine(
            image_bgr, matrix, (output_size, output_size), flags=cv2.INTER_LINEAR, borderMode=border, borderValue=0
        )
        return crop[..., ::-1]

    def box(self) -> list[float]:
        """The axis-aligned box `[x1, y1, x2, y2]` around the rotated square."""
        corners = self.to_image(np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]))
        return [*corners.min(axis=0).tolist(), *corners.max(axis=0).tolist()]


def letterbox_roi(image_size: tuple[int, int]) -> Roi:
    """The detector's view of a whole image: a square on its centre as wide as its long side (black outside)."""
    width, height = image_size
    return Roi(width / 2, height / 2, float(max(width, height)))


def normalise_radians(angle: float) -> float:
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def roi_from_alignment(centre: np.ndarray, scale_point: np.ndarray, scale: float = ROI_SCALE) -> Roi:
    """The ROI of a body from two alignment points in pixels (AlignmentPointsRectsCalculator then
    RectTransformationCalculator): centred on the hips, the side twice the hips-to-scale-point distance times
    `scale`, turned so that the hips-to-scale-point direction points up (a target angle of 90 degrees)."""
    dx, dy = float(scale_point[0] - centre[0]), float(scale_point[1] - centre[1])
    rotation = normalise_radians(math.pi / 2 - math.atan2(-dy, dx))
    return Roi(float(centre[0]), float(centre[1]), 2.0 * math.hypot(dx, dy) * scale, rotation)


@dataclass(frozen=True)
class PoseDetection:
    """One person from the detector, in image pixels: a face box, a score and the 4 alignment keypoints."""

    box: list[float]
    score: float
    keypoints: np.ndarray

    def roi(self) -> Roi:
        """The whole-body ROI from the hip centre (keypoint 0) and the size-and-rotation point (keypoint 1)."""
        return roi_from_alignment(self.keypoints[0], self.keypoints[1])


def box_iou_matrix(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """IoU of each of `boxes` `(N, 4)` xyxy with one `box`."""
    x1, y1 = np.maximum(boxes[:, 0], box[0]), np.maximum(boxes[:, 1], box[1])
    x2, y2 = np.minimum(boxes[:, 2], box[2]), np.minimum(boxes[:, 3], box[3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = areas + (box[2] - box[0]) * (box[3] - box[1]) - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def weighted_nms(boxes: np.ndarray, scores: np.ndarray, points: np.ndarray, min_iou: float = NMS_MIN_IOU):
    """MediaPipe's WEIGHTED non-max suppression: each kept detection (best first) becomes the score-weighted mean
    of the boxes and keypoints overlapping it by more than `min_iou`, keeping its own score.

    Returns (boxes `(K, 4)`, scores `(K,)`, keypoints `(K, P, 2)`)."""
    order = np.argsort(-scores)
    boxes, scores, points = boxes[order], scores[order], points[order]
    remaining = np.ones(len(scores), dtype=bool)
    kept_boxes, kept_scores, kept_points = [], [], []
    for index in range(len(scores)):
        if not remaining[index]:
            continue
        overlap = remaining & (box_iou_matrix(boxes, boxes[index]) > min_iou)
        overlap[index] = True
        weights = scores[overlap][:, None]
        kept_boxes.append((boxes[overlap] * weights).sum(axis=0) / weights.sum())
        kept_points.append((points[overlap] * weights[:, :, None]).sum(axis=0) / weights.sum())
        kept_scores.append(scores[index])
        remaining &= ~overlap
    if not kept_scores:
        return np.zeros((0, 4)), np.zeros(0), np.zeros((0,) + points.shape[1:])
    return np.array(kept_boxes), np.array(kept_scores), np.array(kept_points)


def decode_detections(
    raw_boxes: np.ndarray, raw_scores: np.ndarray, anchors: np.ndarray, min_score: float, view: Roi
) -> list[PoseDetection]:
    """The detector's raw output `(N, 12)` and `(N,)` to detections in image pixels, best first.

    Each row is the box centre x, y, width, height then 4 keypoints x, y, in detector pixels relative to its
    anchor (TensorsToDetectionsCalculator with reverse_output_order); `view` is the square the detector saw."""
    scores = sigmoid(np.clip(raw_scores, -DETECTOR_SCORE_CLIP, DETECTOR_SCORE_CLIP))
    keep = scores >= min_score
    if not keep.any():
        return []
    raw, scores, anchors = raw_boxes[keep] / DETECTOR_INPUT_SIZE, scores[keep], anchors[keep]
    centre = raw[:, :2] + anchors
    size = raw[:, 2:4]
    boxes = np.concatenate([centre - size / 2, centre + size / 2], axis=1)
    points = raw[:, 4 : 4 + 2 * DETECTOR_KEYPOINTS].reshape(-1, DETECTOR_KEYPOINTS, 2) + anchors[:, None, :]
    boxes, scores, points = weighted_nms(boxes, scores, points)
    detections = []
    for box, score, keypoints in zip(boxes, scores, points, strict=True):
        corners = view.to_image(box.reshape(2, 2))
        detections.append(
            PoseDetection(box=corners.ravel().tolist(), score=float(score), keypoints=view.to_image(keypoints))
        )
    return detections


def refine_from_heatmap(xy: np.ndarray, heatmap: np.ndarray) -> np.ndarray:
    """Landmarks `(L, 2)` normalised to the crop, moved to the confidence-weighted mean of their heatmap
    neighbourhood (RefineLandmarksFromHeatmapCalculator: a 7 x 7 window, only where the heatmap is sure)."""
    height, width, _ = heatmap.shape
    refined = xy.copy()
    offset = (HEATMAP_KERNEL - 1) // 2
    for index, (x, y) in enumerate(xy):
        col, row = int(x * width), int(y * height)
        if not (0 <= col < width and 0 <= row < height):
            continue
        rows = slice(max(0, row - offset), min(height, row + offset + 1))
        cols = slice(max(0, col - offset), min(width, col + offset + 1))
        confidence = sigmoid(heatmap[rows, cols, index])
        total = float(confidence.sum())
        if confidence.max() < HEATMAP_MIN_CONFIDENCE or total <= 0:
            continue
        grid_rows, grid_cols = np.mgrid[rows, cols]
        refined[index] = (
            float((grid_cols * confidence).sum()) / width / total,
            float((grid_rows * confidence).sum()) / height / total,
        )
    return refined


@dataclass(frozen=True)
class DecodedLandmarks:
    """The landmark model's answer in image terms: `landmarks` `(39, 5)` x, y, z in pixels (z on the scale of x,
    negative towards the camera), visibility and presence; `world` `(39, 3)` in metres from the hip centre."""

    landmarks: np.ndarray
    world: np.ndarray


def decode_landmarks(raw: np.ndarray, heatmap: np.ndarray | None, raw_world: np.ndarray, roi: Roi) -> DecodedLandmarks:
    """The landmark model's raw outputs (`(195,)`, heatmap `(64, 64, 39)`, world `(117,)`) for the crop of `roi`."""
    values = raw.reshape(LANDMARK_COUNT, 5).astype(np.float64)
    xy = values[:, :2] / LANDMARK_INPUT_SIZE
    if heatmap is not None:
        xy = refine_from_heatmap(xy, heatmap)
    landmarks = np.empty((LANDMARK_COUNT, 5))
    landmarks[:, :2] = roi.to_image(xy)
    landmarks[:, 2] = values[:, 2] / LANDMARK_INPUT_SIZE * roi.size
    landmarks[:, 3:] = sigmoid(values[:, 3:])
    world = raw_world.reshape(LANDMARK_COUNT, 3).astype(np.float64)
    cos, sin = math.cos(roi.rotation), math.sin(roi.rotation)
    world = np.stack([cos * world[:, 0] - sin * world[:, 1], sin * world[:, 0] + cos * world[:, 1], world[:, 2]], 1)
    return DecodedLandmarks(landmarks=landmarks, world=world)
