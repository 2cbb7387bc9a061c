"""Exercise recognition from a clip's motion: which joints move, how the body lies, the period of the movement.

`motion_features` summarises the main track's COCO-17 keypoint sequence in a fixed vector: the level, range and
periodicity of the elbow, shoulder, hip and knee angles, the trunk's orientation (standing, lying, hanging), whether
the face looks down (prone: a push-up) or up (supine: a bench press), the heights of the wrists and ankles against
the shoulders and hips, how far the hips, shoulders, hands and feet rise and fall, how wide the hands and feet are
(in torso lengths), and the period of the movement (autocorrelation). Series are resampled on a fixed time grid
first, so the frame rate does not matter; left and right enter only as "the side that moves more" and "the other
one", and horizontal measures are unsigned, so a mirrored clip gives the same vector. A joint never seen leaves
NaN, which the model reads as the average.

`MotionModel` is a multinomial logistic regression over those features (plain arrays, no pickle), fused with the
image recognizer's clip probabilities by a weighted sum of log-probabilities. `MotionModel.recognize` names the top
candidate only when it is sure enough and, for an exercise with a known rep motion (`api.ml.reps.REP_MOTIONS`),
when that motion's main joint angle swings at least the exercise's minimum range in the clip.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from api.ml.keypoints import KEYPOINT_INDEX
from api.ml.posture.angles import VISIBLE_CONFIDENCE
from api.ml.posture.assess import MAIN_ANGLES
from api.ml.recognition import LinearModel, Recognition, recognition_from_probabilities
from api.ml.reps import REP_MOTIONS
from api.ml.settings_file import read_settings

DEFAULT_MOTION_MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "motion-recognizer"
GRID_HZ = 10.0
# Samples further apart than this are not interpolated across: the joint was lost in between.
MAX_INTERPOLATION_GAP_S = 0.6
MIN_GRID_SAMPLES = 5
LOW_PERCENTILE, HIGH_PERCENTILE = 10.0, 90.0
# The gate's range: nearly the extremes, so one rep in a short clip counts, one wild reading does not.
GATE_LOW_PERCENTILE, GATE_HIGH_PERCENTILE = 5.0, 95.0
MIN_PERIOD_S, MAX_PERIOD_S = 0.5, 10.0
# The period is the first autocorrelation peak at least this share of the highest one (its multiples are as high).
PEAK_SHARE = 0.8
SIDES = ("left", "right")
JOINT_ANGLES = {
    "elbow": ("shoulder", "elbow", "wrist"),
    "shoulder": ("hip", "shoulder", "elbow"),
    "hip": ("shoulder", "hip", "knee"),
    "knee": ("hip", "knee", "ankle"),
}
# Heights above a reference joint (image up), in torso lengths; horizontal offsets are unsigned.
SIDED_HEIGHTS = {
    "wrist_over_shoulder": ("wrist", "shoulder"),
    "ankle_over_hip": ("ankle", "hip"),
    "knee_over_hip": ("knee", "hip"),
}
SIDED_OFFSETS = {"wrist_forward": ("wrist", "shoulder")}
SPREADS = ("wrist", "ankle", "elbow")
# Joints whose rise and fall in the image tells what moves: the body on fixed hands (a pull-up), or the hands (a press).
TRAVELLING = ("hip", "shoulder", "wrist", "ankle")


def _feature_names() -> tuple[str, ...]:
    names = []
    for angle in JOINT_ANGLES:
        names += [f"{angle}_median_deg", f"{angle}_range_deg", f"{angle}_other_range_deg", f"{angle}_periodicity"]
        names.append(f"{angle}_seen")
    for sided in (*SIDED_HEIGHTS, *SIDED_OFFSETS):
        names += [f"{sided}_median", f"{sided}_range", f"{sided}_other_range"]
    names += ["trunk_up_median", "trunk_flat_median", "trunk_angle_range_deg", "trunk_seen", "face_down_median"]
    names += [f"{joint}_vertical_range" for joint in TRAVELLING]
    names.append("hip_horizontal_range")
    for joint in (*SPREADS, "shoulder"):
        names += [f"{joint}_spread_median", f"{joint}_spread_range"]
    names += ["dominant_period_s", "dominant_periodicity"]
    return tuple(names)


FEATURE_NAMES = _feature_names()


def _points(keypoints: np.ndarray) -> np.ndarray:
    """`(T, 17, 2)` positions with NaN where a joint is not visible."""
    xy = np.asarray(keypoints[..., :2], dtype=np.float64).copy()
    xy[np.asarray(keypoints[..., 2]) < VISIBLE_CONFIDENCE] = np.nan
    return xy


def _joint(xy: np.ndarray, name: str) -> np.ndarray:
    return xy[:, KEYPOINT_INDEX[name]]


@contextmanager
def _unseen_is_nan() -> Iterator[None]:
    """Silences numpy's warnings about all-NaN slices and NaN arithmetic, which mean 'not seen' here."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _middle(xy: np.ndarray, joint: str) -> np.ndarray:
    """Per frame, halfway between the left and right `joint`, or the one seen."""
    with _unseen_is_nan():
        return np.nanmean(np.stack([_joint(xy, f"{side}_{joint}") for side in SIDES]), axis=0)


def _angle_deg(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Per frame, the angle at `b` between `b->a` and `b->c`, in degrees (NaN where a point is missing)."""
    ba, bc = a - b, c - b
    with _unseen_is_nan():
        cosine = np.sum(ba * bc, axis=1) / (np.linalg.norm(ba, axis=1) * np.linalg.norm(bc, axis=1))
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


def resample(times_s: np.ndarray, values: np.ndarray, hz: float = GRID_HZ) -> np.ndarray:
    """A series on a fixed `hz` grid over the clip, linear between seen samples, NaN across longer gaps."""
    times_s = np.asarray(times_s, dtype=np.float64)
    if len(times_s) == 0:
        return np.zeros(0)
    grid = times_s[0] + np.arange(int(np.floor((times_s[-1] - times_s[0]) * hz + 1e-6)) + 1) / hz
    seen = np.isfinite(values)
    if seen.sum() < 2:
        return np.full(len(grid), np.nan)
    t, v = times_s[seen], values[seen]
    out = np.interp(grid, t, v)
    after = np.clip(np.searchsorted(t, grid - 1e-9), 1, len(t) - 1)
    gap = t[after] - t[after - 1]
    outside = (grid < t[0] - 0.5 / hz) | (grid > t[-1] + 0.5 / hz)
    out[(gap > MAX_INTERPOLATION_GAP_S) | outside] = np.nan
    return out


def _level(series: np.ndarray) -> float:
    return float(np.nanmedian(series)) if np.isfinite(series).sum() >= MIN_GRID_SAMPLES else np.nan


def _spread(series: np.ndarray, low: float = LOW_PERCENTILE, high: float = HIGH_PERCENTILE) -> float:
    if np.isfinite(series).sum() < MIN_GRID_SAMPLES:
        return np.nan
    lo, hi = np.nanpercentile(series, [low, high])
    return float(hi - lo)


def _seen_share(series: np.ndarray) -> float:
    return float(np.isfinite(series).mean()) if len(series) else 0.0


def periodicity(series: np.ndarray, hz: float = GRID_HZ) -> tuple[float, float]:
    """(strength, period in seconds) of the movement's repeat: the autocorrelation's first peak after its first zero
    crossing that is nearly as high as the highest (so not a multiple of the period), between `MIN_PERIOD_S` and
    `MAX_PERIOD_S` and at most two thirds of the clip; (0, NaN) when nothing repeats."""
    seen = np.isfinite(series)
    if seen.sum() < 3 * MIN_GRID_SAMPLES:
        return 0.0, np.nan
    x = np.where(seen, series - np.nanmean(series), 0.0)
    energy = float(np.dot(x, x))
    if energy <= 1e-9:
        return 0.0, np.nan
    n = len(x)
    lags = np.arange(1, min(int(MAX_PERIOD_S * hz), (2 * n) // 3) + 1)
    r = np.array([np.dot(x[:-k], x[k:]) / (n - k) for k in lags]) / (energy / n)
    below = np.flatnonzero(r < 0)
    if len(below) == 0:
        return 0.0, np.nan
    inner = np.arange(max(below[0], 1), len(lags) - 1)
    peaks = inner[(r[inner] >= r[inner - 1]) & (r[inner] >= r[inner + 1]) & (lags[inner] >= MIN_PERIOD_S * hz)]
    if len(peaks) == 0 or r[peaks].max() <= 0:
        return 0.0, np.nan
    first = peaks[np.flatnonzero(r[peaks] >= PEAK_SHARE * r[peaks].max())[0]]
    return float(r[first]), float(lags[first] / hz)


def _sided(per_side: list[np.ndarray]) -> tuple[np.ndarray, tuple[float, float, float]]:
    """The series of the side that moves more, and (its median, its range, the other side's range)."""
    ranges = [_spread(series) for series in per_side]
    moving = 0 if np.nan_to_num(ranges[0], nan=-1.0) >= np.nan_to_num(ranges[1], nan=-1.0) else 1
    return per_side[moving], (_level(per_side[moving]), ranges[moving], ranges[1 - moving])


def _sided_features(name: str, per_side: list[np.ndarray]) -> dict[str, float]:
    _, values = _sided(per_side)
    return dict(zip((f"{name}_median", f"{name}_range", f"{name}_other_range"), values, strict=True))


def motion_features(keypoints: np.ndarray, times_s) -> np.ndarray:
    """The `FEATURE_NAMES` vector of one person's `(T, 17, 3)` keypoints at `times_s`; NaN where not measurable."""
    times_s = np.asarray(times_s, dtype=np.float64)
    xy = _points(keypoints)
    shoulders, hips = _middle(xy, "shoulder"), _middle(xy, "hip")
    trunk = shoulders - hips
    with _unseen_is_nan():
        trunk_length = np.linalg.norm(trunk, axis=1)
        scale = float(np.nanmedian(trunk_length))
        up, flat = -trunk[:, 1] / trunk_length, np.abs(trunk[:, 0]) / trunk_length

    def grid(values: np.ndarray) -> np.ndarray:
        return resample(times_s, values)

    def side(joint: str) -> list[np.ndarray]:
        return [_joint(xy, f"{s}_{joint}") for s in SIDES]

    features: dict[str, float] = {}
    movers = []
    for angle, joints in JOINT_ANGLES.items():
        per_side = [grid(_angle_deg(a, b, c)) for a, b, c in zip(*(side(j) for j in joints), strict=True)]
        mover, (median, moving, other) = _sided(per_side)
        movers.append(mover)
        features |= {
            f"{angle}_median_deg": median,
            f"{angle}_range_deg": moving,
            f"{angle}_other_range_deg": other,
            f"{angle}_periodicity": periodicity(mover)[0],
            f"{angle}_seen": _seen_share(np.fmax(*per_side)),
        }
    for name, (joint, reference) in SIDED_HEIGHTS.items():
        heights = [grid((r[:, 1] - j[:, 1]) / scale) for j, r in zip(side(joint), side(reference), strict=True)]
        features |= _sided_features(name, heights)
    for name, (joint, reference) in SIDED_OFFSETS.items():
        offsets = [grid(np.abs(j[:, 0] - r[:, 0]) / scale) for j, r in zip(side(joint), side(reference), strict=True)]
        features |= _sided_features(name, offsets)
    up, flat = grid(up), grid(flat)
    features |= {
        "trunk_up_median": _level(up),
        "trunk_flat_median": _level(flat),
        "trunk_angle_range_deg": _spread(np.degrees(np.arccos(np.clip(up, -1.0, 1.0)))),
        "trunk_seen": _seen_share(up),
        "face_down_median": _level(grid((_joint(xy, "nose")[:, 1] - _middle(xy, "ear")[:, 1]) / scale)),
    }
    heights = {joint: grid(-_middle(xy, joint)[:, 1] / scale) for joint in TRAVELLING}
    features |= {f"{joint}_vertical_range": _spread(height) for joint, height in heights.items()}
    features["hip_horizontal_range"] = _spread(grid(hips[:, 0] / scale))
    for joint in (*SPREADS, "shoulder"):
        left, right = side(joint)
        width = grid(np.abs(left[:, 0] - right[:, 0]) / scale)
        features |= {f"{joint}_spread_median": _level(width), f"{joint}_spread_range": _spread(width)}
    strength, period = max((periodicity(series) for series in (*movers, heights["hip"])), key=lambda pair: pair[0])
    features |= {"dominant_period_s": period, "dominant_periodicity": strength}
    return np.array([features[name] for name in FEATURE_NAMES], dtype=np.float64)


@dataclass(frozen=True)
class MotionCheck:
    """Whether the clip's main joint angle swings like one rep of `exercise` (True when it has no rep motion)."""

    exercise: str
    moves: bool
    angle: str | None = None
    range_deg: float | None = None
    needed_deg: float | None = None

    def reason(self) -> str:
        if self.range_deg is None:
            return f"the {self.angle} angle was not seen, so it cannot be checked that this is a {self.exercise}"
        moved = f"the {self.angle} angle moved {self.range_deg:.0f} deg"
        return f"{moved}, less than the {self.needed_deg:.0f} deg of a {self.exercise}"


def check_motion(exercise: str, keypoints: np.ndarray) -> MotionCheck:
    """Does the main joint angle of `exercise` (`REP_MOTIONS`) swing its minimum range between nearly its extremes
    over the clip? Readings outside the exercise's plausible angles are dropped, as the rep counter does."""
    motion = REP_MOTIONS.get(exercise)
    if motion is None:
        return MotionCheck(exercise, True)
    measure = MAIN_ANGLES[motion.angle]
    values = np.array([np.nan if (v := measure(kp)) is None else v for kp in keypoints], dtype=np.float64)
    low, high = motion.plausible_deg
    values = values[np.isfinite(values) & (values >= low) & (values <= high)]
    swing = None
    if len(values) >= 2:
        lo, hi = np.percentile(values, [GATE_LOW_PERCENTILE, GATE_HIGH_PERCENTILE])
        swing = float(hi - lo)
    moves = swing is not None and swing >= motion.min_range_deg
    return MotionCheck(exercise, moves, motion.angle, swing, motion.min_range_deg)


def centred_log(probabilities: np.ndarray) -> np.ndarray:
    """Log-probabilities minus their mean over the classes: evidence for each class against the average one."""
    logs = np.log(np.clip(probabilities, 1e-6, 1.0))
    return logs - logs.mean(axis=-1, keepdims=True)


@dataclass(frozen=True)
class MotionSettings:
    """`settings.json` of the motion model: its fusion weight, naming threshold and features, and how it was
    trained (regularisation `C`, class weighting, clip count; for the record)."""

    image_weight: float
    min_confidence: float
    features: tuple[str, ...]
    C: float | None = None
    weighting: str | None = None
    trained_on_clips: int | None = None


@dataclass
class MotionModel:
    """The motion classifier, its fusion weight with the image model and its naming threshold."""

    linear: LinearModel
    image_weight: float
    min_confidence: float

    @property
    def labels(self) -> tuple[str, ...]:
        return self.linear.labels

    def motion_probabilities(self, features: np.ndarray) -> np.ndarray:
        """Class probabilities from motion features alone; unmeasured features count as the training average."""
        filled = np.where(np.isfinite(features), features, self.linear.mean)
        return self.linear.probabilities(filled)

    def fuse(self, motion_probabilities: np.ndarray, image_probabilities: np.ndarray, image_labels) -> np.ndarray:
        """Motion log-probabilities plus `image_weight` times the image model's centred log-probabilities (none
        for a class it does not know), renormalised over the motion labels."""
        evidence = centred_log(np.asarray(image_probabilities, dtype=np.float64))
        column = {label: i for i, label in enumerate(image_labels)}
        image = np.zeros(evidence.shape[:-1] + (len(self.labels),))
        for i, label in enumerate(self.labels):
            if label in column:
                image[..., i] = evidence[..., column[label]]
        logits = np.log(np.clip(motion_probabilities, 1e-12, 1.0)) + self.image_weight * image
        logits -= logits.max(axis=-1, keepdims=True)
        fused = np.exp(logits)
        return fused / fused.sum(axis=-1, keepdims=True)

    def probabilities(self, features: np.ndarray, image_probabilities: np.ndarray, image_labels) -> np.ndarray:
        """Fused class probabilities from motion features and the image model's probabilities."""
        return self.fuse(self.motion_probabilities(features), image_probabilities, image_labels)

    def decide(self, probabilities: np.ndarray, keypoints: np.ndarray) -> Recognition:
        """Name the top candidate when it is sure enough and its main joint angle moves like it in `keypoints`."""
        recognition = recognition_from_probabilities(self.labels, probabilities, self.min_confidence, True)
        if recognition.label is not None:
            check = check_motion(recognition.label, keypoints)
            if not check.moves:
                recognition.label, recognition.reason = None, check.reason()
        return recognition

    def recognize(self, keypoints: np.ndarray, times_s, image_probabilities: np.ndarray, image_labels) -> Recognition:
        """The clip's exercise from its motion and the image votes (their mean probabilities)."""
        probabilities = self.probabilities(motion_features(keypoints, times_s), image_probabilities, image_labels)
        return self.decide(probabilities, keypoints)

    def save(self, folder: Path, extra_settings: dict | None = None) -> None:
        self.linear.save(folder)
        settings = {"image_weight": self.image_weight, "min_confidence": self.min_confidence,
                    "features": list(FEATURE_NAMES), **(extra_settings or {})}  # fmt: skip
        (folder / "settings.json").write_text(json.dumps(settings, indent=1) + "\n")

    @classmethod
    def load(cls, folder: Path = DEFAULT_MOTION_MODEL_DIR) -> MotionModel:
        settings = read_settings(MotionSettings, folder / "settings.json")
        if settings.features != FEATURE_NAMES:
            raise ValueError(f"{folder} was trained on other motion features; retrain it")
        return cls(LinearModel.load(folder), float(settings.image_weight), float(settings.min_confidence))
