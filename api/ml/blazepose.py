"""BlazePose (MediaPipe Pose, Apache-2.0) on LiteRT: 33 body landmarks with visibility and presence, feet
included, and 3D world coordinates in metres, for one person at a time.

The person detector finds a body and its alignment points; the landmark model reads a rotated square crop around
it. On a clip the last frame's landmarks place the next crop and the detector runs only when the person is lost,
as MediaPipe's pose graph does. YOLO stays the engine that finds everyone: given the main person's YOLO
detection as a `reference`, the crop is taken from the detection that lies on that person (or, failing one, from
their YOLO keypoints), and a crop whose landmarks leave that person's box is placed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from api.exceptions import ServiceUnavailable
from api.ml.blazepose_decode import (
    BODY_LANDMARKS,
    DETECTOR_INPUT_SIZE,
    LANDMARK_INPUT_SIZE,
    ROI_CENTRE_LANDMARK,
    ROI_SCALE_LANDMARK,
    PoseDetection,
    Roi,
    decode_detections,
    decode_landmarks,
    letterbox_roi,
    roi_from_alignment,
    ssd_anchor_centres,
)
from api.ml.blazepose_smoothing import LandmarkSmoother
from api.ml.keypoints import KEYPOINT_INDEX, mediapipe33_to_body_layout
from api.ml.pose import LazyModel, Person, shared_model

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "blazepose"
DETECTOR_FILE = "pose_detection.tflite"
LANDMARK_MODELS = ("lite", "full", "heavy")
DEFAULT_LANDMARK_MODEL = "full"
# MediaPipe Pose's defaults: min_detection_confidence and min_tracking_confidence (the pose-presence flag).
MIN_DETECTION_SCORE = 0.5
MIN_PRESENCE = 0.5
# A landmark counts as seen from this visibility (MediaPipe's drawing threshold).
SEEN_VISIBILITY = 0.5
# The crop follows the reference person while this share of the landmarks seen inside the picture lies in their
# box (grown by REFERENCE_MARGIN of its size each way: YOLO's box may be a few frames old).
MIN_SHARE_IN_REFERENCE = 0.6
REFERENCE_MARGIN = 0.1
# A YOLO keypoint is trusted to seed a crop from this confidence.
SEED_KEYPOINT_CONFIDENCE = 0.3


@dataclass(frozen=True)
class BlazePoseConfig:
    """Which landmark model runs and how; unknown keys are refused by the dataclass constructor."""

    landmark_model: str = DEFAULT_LANDMARK_MODEL
    model_dir: str = ""
    min_detection_score: float = MIN_DETECTION_SCORE
    min_presence: float = MIN_PRESENCE
    smooth: bool = True
    threads: int = 2

    def __post_init__(self):
        if self.landmark_model not in LANDMARK_MODELS:
            raise ValueError(f"landmark_model must be one of {LANDMARK_MODELS}")

    @property
    def folder(self) -> Path:
        return Path(self.model_dir) if self.model_dir else MODEL_DIR

    def detector_path(self) -> Path:
        return self.folder / DETECTOR_FILE

    def landmark_path(self) -> Path:
        return self.folder / f"pose_landmark_{self.landmark_model}.tflite"


@dataclass
class BodyLandmarks:
    """One person's BlazePose landmarks: `landmarks` `(33, 5)` x, y, z in pixels (z on the scale of x, smaller
    towards the camera), visibility, presence; `world` `(33, 3)` metres from the hip centre (y down); `presence`
    the model's pose flag; `roi` the crop they were read from."""

    landmarks: np.ndarray
    world: np.ndarray
    presence: float
    roi: Roi

    def body_frame(self) -> np.ndarray:
        """The 21-joint body layout with world coordinates, `(21, 6)`."""
        return mediapipe33_to_body_layout(self.landmarks[None], world=self.world[None])[0]

    def box(self) -> list[float]:
        """The box `[x1, y1, x2, y2]` around the landmarks seen (all of them when none is)."""
        seen = self.landmarks[:, 3] >= SEEN_VISIBILITY
        points = self.landmarks[seen if seen.any() else slice(None), :2]
        return [*points.min(axis=0).tolist(), *points.max(axis=0).tolist()]

    def share_in(self, box: list[float], image_size: tuple[int, int]) -> float:
        """The share of the landmarks seen inside the picture that lie in `box` grown by REFERENCE_MARGIN."""
        x1, y1, x2, y2 = box
        grow_x, grow_y = REFERENCE_MARGIN * (x2 - x1), REFERENCE_MARGIN * (y2 - y1)
        x, y = self.landmarks[:, 0], self.landmarks[:, 1]
        seen = (self.landmarks[:, 3] >= SEEN_VISIBILITY) & (x >= 0) & (y >= 0)
        seen &= (x < image_size[0]) & (y < image_size[1])
        if not seen.any():
            return 0.0
        inside = (x >= x1 - grow_x) & (x <= x2 + grow_x) & (y >= y1 - grow_y) & (y <= y2 + grow_y)
        return float((inside & seen).sum() / seen.sum())

    def to_dict(self) -> dict:
        return {
            "presence": round(float(self.presence), 3),
            "landmarks": [
                [round(float(v), 1) for v in p[:3]] + [round(float(v), 3) for v in p[3:]] for p in self.landmarks
            ],
            "world_landmarks": [[round(float(v), 4) for v in p] for p in self.world],
        }


def _seen(person: Person, joint: str) -> np.ndarray | None:
    keypoint = person.keypoints[KEYPOINT_INDEX[joint]]
    return keypoint[:2].astype(np.float64) if keypoint[2] >= SEED_KEYPOINT_CONFIDENCE else None


def _middle(person: Person, joint: str) -> np.ndarray | None:
    points = [p for p in (_seen(person, f"left_{joint}"), _seen(person, f"right_{joint}")) if p is not None]
    return np.mean(points, axis=0) if points else None


def roi_from_person(person: Person) -> Roi:
    """A crop around a YOLO person placed the way the detector's alignment points place it: centred on the hips,
    turned so that hips to shoulders points up, reaching the keypoint farthest from the hips."""
    hips, shoulders = _middle(person, "hip"), _middle(person, "shoulder")
    box = np.asarray(person.box, dtype=np.float64)
    if hips is None or shoulders is None or np.allclose(hips, shoulders):
        centre, half = (box[:2] + box[2:]) / 2, (box[2:] - box[:2]).max() / 2
        return roi_from_alignment(centre, centre - np.array([0.0, half]))
    seen = person.keypoints[person.keypoints[:, 2] >= SEED_KEYPOINT_CONFIDENCE, :2]
    reach = float(np.linalg.norm(seen - hips, axis=1).max())
    up = (shoulders - hips) / np.linalg.norm(shoulders - hips)
    return roi_from_alignment(hips, hips + up * reach)


def pick_detection(detections: list[PoseDetection], reference: Person | None) -> PoseDetection | None:
    """The detection for the reference person: the best one whose hip centre lies inside their box (the best of
    all without a reference)."""
    if reference is None:
        return detections[0] if detections else None
    x1, y1, x2, y2 = reference.box
    inside = [d for d in detections if x1 <= d.keypoints[0, 0] <= x2 and y1 <= d.keypoints[0, 1] <= y2]
    return max(inside, key=lambda d: d.score) if inside else None


class BlazePoseEstimator(LazyModel):
    """The detector and one landmark model on LiteRT (`model` is the pair of interpreters); loaded lazily on first
    use, one inference at a time."""

    def __init__(self, config: BlazePoseConfig | None = None):
        super().__init__()
        self.config = config or BlazePoseConfig()
        self.anchors = ssd_anchor_centres()

    def _load(self):
        from ai_edge_litert.interpreter import Interpreter

        interpreters = []
        for path in (self.config.detector_path(), self.config.landmark_path()):
            if not path.is_file():
                raise ServiceUnavailable(f"BlazePose model not found: {path.name}", code="model_unavailable")
            interpreter = Interpreter(model_path=str(path), num_threads=self.config.threads)
            interpreter.allocate_tensors()
            interpreters.append(interpreter)
        return tuple(interpreters)

    @staticmethod
    def _run(interpreter, tensor: np.ndarray) -> dict[tuple[int, ...], np.ndarray]:
        """Run one input; the outputs by their shape (each model's outputs all differ in shape)."""
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], tensor[None])
        interpreter.invoke()
        return {tuple(d["shape"][1:]): interpreter.get_tensor(d["index"])[0] for d in interpreter.get_output_details()}

    def detect(self, image_bgr: np.ndarray) -> list[PoseDetection]:
        """Every body the detector finds in a BGR image, best first, in image pixels."""
        view = letterbox_roi((image_bgr.shape[1], image_bgr.shape[0]))
        tensor = view.crop(image_bgr, DETECTOR_INPUT_SIZE, cv2.BORDER_CONSTANT).astype(np.float32) / 127.5 - 1.0
        with self.lock:
            outputs = self._run(self.model[0], tensor)
        raw_boxes = outputs[(len(self.anchors), 12)]
        raw_scores = outputs[(len(self.anchors), 1)][:, 0]
        return decode_detections(raw_boxes, raw_scores, self.anchors, self.config.min_detection_score, view)

    def landmarks_in(self, image_bgr: np.ndarray, roi: Roi) -> BodyLandmarks:
        """The landmark model's answer for one crop (before smoothing); check `presence` before trusting it."""
        tensor = roi.crop(image_bgr, LANDMARK_INPUT_SIZE, cv2.BORDER_REPLICATE).astype(np.float32) / 255.0
        with self.lock:
            outputs = self._run(self.model[1], tensor)
        decoded = decode_landmarks(outputs[(195,)], outputs[(64, 64, 39)], outputs[(117,)], roi)
        return BodyLandmarks(decoded.landmarks, decoded.world, float(outputs[(1,)][0]), roi)

    def estimate(self, image_bgr: np.ndarray, reference: Person | None = None) -> BodyLandmarks | None:
        """One person's landmarks in a photo: the reference person's when given, else the detector's best."""
        return BlazePoseTracker(self).update(image_bgr, 0.0, reference)


@dataclass
class BlazePoseTracker:
    """Follows one person over the frames of a clip or a live session, frame by frame, the MediaPipe way."""

    estimator: BlazePoseEstimator
    roi: Roi | None = None
    smoother: LandmarkSmoother = field(default_factory=LandmarkSmoother)
    detector_runs: int = 0

    def reset(self) -> None:
        self.roi = None
        self.smoother.reset()

    def _seed(self, image_bgr: np.ndarray, reference: Person | None) -> Roi | None:
        self.detector_runs += 1
        detection = pick_detection(self.estimator.detect(image_bgr), reference)
        if detection is not None:
            return detection.roi()
        return roi_from_person(reference) if reference is not None else None

    def _follows(self, found: BodyLandmarks, reference: Person | None, image_size: tuple[int, int]) -> bool:
        present = found.presence >= self.estimator.config.min_presence
        return present and (reference is None or found.share_in(reference.box, image_size) >= MIN_SHARE_IN_REFERENCE)

    def update(self, image_bgr: np.ndarray, time_s: float, reference: Person | None = None) -> BodyLandmarks | None:
        """This frame's landmarks (None when the person is lost): from last frame's crop while it still holds the
        person (and overlaps the reference person), else from a crop placed again by the detector."""
        found = self.estimator.landmarks_in(image_bgr, self.roi) if self.roi is not None else None
        if found is None or not self._follows(found, reference, (image_bgr.shape[1], image_bgr.shape[0])):
            roi = self._seed(image_bgr, reference)
            found = self.estimator.landmarks_in(image_bgr, roi) if roi is not None else None
            if found is None or found.presence < self.estimator.config.min_presence:
                self.reset()
                return None
            self.smoother.reset()
        auxiliary = found.landmarks[[ROI_CENTRE_LANDMARK, ROI_SCALE_LANDMARK]]
        landmarks, world = found.landmarks[:BODY_LANDMARKS], found.world[:BODY_LANDMARKS]
        if self.estimator.config.smooth:
            landmarks, auxiliary, world = self.smoother.apply(time_s, landmarks, auxiliary, world)
        self.roi = roi_from_alignment(auxiliary[0, :2], auxiliary[1, :2])
        return BodyLandmarks(landmarks, world, found.presence, found.roi)


def get_blazepose_estimator(config: BlazePoseConfig | None = None) -> BlazePoseEstimator:
    """One estimator per configuration per process."""
    return shared_model(BlazePoseEstimator, config or BlazePoseConfig())
