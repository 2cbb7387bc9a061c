"""Exercise recognition from a clip's motion: which joints move, how the body lies, the period of the movement.

`motion_features` summarises a clip's `ClipMotion` in a fixed vector. From the main track's COCO-17 keypoints in the
image (`KEYPOINT_FEATURE_NAMES`): the level, range and periodicity of the elbow, shoulder, hip and knee angles, the
trunk's orientation (standing, lying, hanging), whether the face looks down (prone: a push-up) or up (supine: a
bench press), the heights of the wrists and ankles against the shoulders and hips, how far the hips, shoulders,
hands and feet rise and fall, how wide the hands and feet are (in torso lengths), and the period of the movement
(autocorrelation). From BlazePose's world coordinates in metres (`WORLD_FEATURE_NAMES`), which do not depend on
where the camera stands: the joint angles in 3D and whether left and right move together, each limb segment's
direction and each hand's and foot's place in the body's own frame (up the trunk, forward, outward), the trunk's
and the segments' angle to gravity (camera down), whether the person faces the floor, and the stance and grip
widths against the shoulders. Series are resampled on a fixed time grid first, so the frame rate does not matter;
left and right enter only as "the side that moves more" and "the other one", and sideways measures are unsigned or
outward, so a mirrored clip gives the same vector. A joint never seen (or a clip without world coordinates) leaves
NaN, which the model reads as the average. `photo_pair_motion` makes a clip of an exercise's start and end photos,
so that the model also learns from photo pairs.

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

from api.ml.keypoints import IMAGE_CHANNELS, KEYPOINT_INDEX, WORLD_CHANNELS
from api.ml.posture.angles import VISIBLE_CONFIDENCE
from api.ml.posture.assess import MAIN_ANGLES
from api.ml.recognition import ClipMotion, LinearModel, Recognition, recognition_from_probabilities
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
# World-coordinate measures: limb segments (from, to), joints placed against a reference, body-frame axes.
SEGMENTS = {"upper_arm": ("shoulder", "elbow"), "forearm": ("elbow", "wrist"), "thigh": ("hip", "knee"),
            "shin": ("knee", "ankle")}  # fmt: skip
PLACED = {"wrist": "shoulder", "elbow": "shoulder", "ankle": "hip", "knee": "hip"}
BODY_AXES = ("up", "forward", "out")
# Left and right angle series are compared (moving together or in turn) only when both are seen this often.
MIN_PAIRED_SAMPLES = 10
# An exercise's start and end photos become a clip swinging between them (`photo_pair_motion`): 4 reps of 2 s.
PHOTO_PAIR_PERIOD_S = 2.0
PHOTO_PAIR_DURATION_S = 8.0


def _keypoint_feature_names() -> tuple[str, ...]:
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


def _world_feature_names() -> tuple[str, ...]:
    names = []
    for angle in JOINT_ANGLES:
        names += [f"world_{angle}_{kind}" for kind in ("median_deg", "range_deg", "other_range_deg", "periodicity")]
        names.append(f"world_{angle}_sides_together")
    for segment in SEGMENTS:
        names += [f"world_{segment}_{axis}_{kind}" for axis in BODY_AXES for kind in ("median", "range")]
        names += [f"world_{segment}_other_range", f"world_{segment}_gravity_median", f"world_{segment}_gravity_range"]
    for joint in PLACED:
        names += [f"world_{joint}_place_{axis}_{kind}" for axis in BODY_AXES for kind in ("median", "range")]
    names += ["world_trunk_up_median", "world_trunk_up_range", "world_facing_down_median", "world_facing_down_range"]
    names += ["world_wrist_height_median", "world_wrist_height_range", "world_ankle_height_median"]
    names += ["world_knee_height_median", "world_stance_median", "world_stance_range", "world_grip_median"]
    names += ["world_grip_range", "world_seen"]
    return tuple(names)


KEYPOINT_FEATURE_NAMES = _keypoint_feature_names()
WORLD_FEATURE_NAMES = _world_feature_names()
FEATURE_NAMES = KEYPOINT_FEATURE_NAMES + WORLD_FEATURE_NAMES


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


def motion_features(motion: ClipMotion) -> np.ndarray:
    """The `FEATURE_NAMES` vector of a clip's motion; NaN where not measurable (the world part without a body)."""
    if motion.body is None:
        world = np.full(len(WORLD_FEATURE_NAMES), np.nan)
    else:
        world = world_motion_features(motion.body, motion.body_times_s)
    return np.concatenate([keypoint_motion_features(motion.keypoints, motion.times_s), world])


def photo_pair_motion(
    start_keypoints: np.ndarray,
    end_keypoints: np.ndarray,
    start_body: np.ndarray | None = None,
    end_body: np.ndarray | None = None,
) -> ClipMotion:
    """A clip made of an exercise's start and end photos, so that a model of motion can learn exercises it has
    photos of: the person swings from the start pose to the end pose and back every `PHOTO_PAIR_PERIOD_S` (a
    raised cosine) for `PHOTO_PAIR_DURATION_S`, sampled at `GRID_HZ`; a joint counts as seen as much as in the
    photo that saw it less. YOLO's `(17, 3)` keypoints of each photo and, when both photos have them, BlazePose's
    `(21, 6)` body frames with world coordinates."""
    times = np.arange(0.0, PHOTO_PAIR_DURATION_S, 1.0 / GRID_HZ)
    toward_end = ((1.0 - np.cos(2.0 * np.pi * times / PHOTO_PAIR_PERIOD_S)) / 2.0)[:, None, None]

    def swing(start: np.ndarray, end: np.ndarray) -> np.ndarray:
        frames = start * (1.0 - toward_end) + end * toward_end
        frames[..., 2] = np.minimum(start[:, 2], end[:, 2])
        return frames.astype(np.float32)

    bodies = (start_body, end_body)
    has_world = all(body is not None and np.isfinite(body[:, IMAGE_CHANNELS:WORLD_CHANNELS]).any() for body in bodies)
    body = swing(start_body, end_body) if has_world else None
    return ClipMotion(swing(start_keypoints, end_keypoints), times, body, times if has_world else None)


def keypoint_motion_features(keypoints: np.ndarray, times_s) -> np.ndarray:
    """The `KEYPOINT_FEATURE_NAMES` vector of one person's `(T, 17, 3)` image keypoints at `times_s`."""
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
    return np.array([features[name] for name in KEYPOINT_FEATURE_NAMES], dtype=np.float64)


def _unit(vectors: np.ndarray) -> np.ndarray:
    with _unseen_is_nan():
        return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def _along(vectors: np.ndarray, axis: np.ndarray) -> np.ndarray:
    return np.sum(vectors * axis, axis=-1)


def _moving_side(per_side: list[list[np.ndarray]]) -> int:
    """0 or 1: the side whose series (several per side) swing more in all."""
    totals = [sum(np.nan_to_num(_spread(series), nan=0.0) for series in side) for side in per_side]
    return 0 if totals[0] >= totals[1] else 1


def _total_spread(series: list[np.ndarray]) -> float:
    """The sum of the series' ranges (NaN when none was seen)."""
    spreads = [_spread(x) for x in series]
    return float(np.nansum(spreads)) if np.isfinite(spreads).any() else np.nan


def _sides_together(left: np.ndarray, right: np.ndarray) -> float:
    """Correlation of the left and right series where both are seen: 1 together, -1 in turn (NaN if either is still)."""
    both = np.isfinite(left) & np.isfinite(right)
    if both.sum() < MIN_PAIRED_SAMPLES or np.std(left[both]) < 1.0 or np.std(right[both]) < 1.0:
        return np.nan
    return float(np.corrcoef(left[both], right[both])[0, 1])


def world_motion_features(body: np.ndarray, times_s) -> np.ndarray:
    """The `WORLD_FEATURE_NAMES` vector of one person's `(T, 21, 6)` body frames (world x, y, z in metres from the
    hips, y down) at `times_s`; all NaN without world coordinates."""
    times_s = np.asarray(times_s, dtype=np.float64)
    body = np.asarray(body, dtype=np.float64)
    if body.shape[-1] < WORLD_CHANNELS or len(body) == 0:
        return np.full(len(WORLD_FEATURE_NAMES), np.nan)
    world = body[..., IMAGE_CHANNELS:WORLD_CHANNELS].copy()
    world[body[..., 2] < VISIBLE_CONFIDENCE] = np.nan

    def joint(name: str) -> np.ndarray:
        return _joint(world, name)

    def grid(values: np.ndarray) -> np.ndarray:
        return resample(times_s, values)

    def middle(name: str) -> np.ndarray:
        return (joint(f"left_{name}") + joint(f"right_{name}")) / 2

    # The body's own frame: up the trunk, left to right across it, and their cross product (the same way for every
    # person, so the sign of "forward" is a convention); outward is away from the body's midline on each side.
    up = _unit(middle("shoulder") - middle("hip"))
    across = joint("right_shoulder") - joint("left_shoulder") + joint("right_hip") - joint("left_hip")
    across = _unit(across - _along(across, up)[:, None] * up)
    forward = np.cross(across, up)
    outward = {"left": -across, "right": across}
    with _unseen_is_nan():
        torso_m = float(np.nanmedian(np.linalg.norm(middle("shoulder") - middle("hip"), axis=1)))

    def in_body_frame(side: str, vectors: np.ndarray) -> list[np.ndarray]:
        return [grid(_along(vectors, axis)) for axis in (up, forward, outward[side])]

    features: dict[str, float] = {}
    for angle, (a, b, c) in JOINT_ANGLES.items():
        per_side = [grid(_angle_deg(joint(f"{s}_{a}"), joint(f"{s}_{b}"), joint(f"{s}_{c}"))) for s in SIDES]
        mover, (median, moving, other) = _sided(per_side)
        features |= {
            f"world_{angle}_median_deg": median,
            f"world_{angle}_range_deg": moving,
            f"world_{angle}_other_range_deg": other,
            f"world_{angle}_periodicity": periodicity(mover)[0],
            f"world_{angle}_sides_together": _sides_together(*per_side),
        }
    for segment, (start, end) in SEGMENTS.items():
        directions = {s: _unit(joint(f"{s}_{end}") - joint(f"{s}_{start}")) for s in SIDES}
        per_side = [in_body_frame(s, directions[s]) for s in SIDES]
        moving = _moving_side(per_side)
        for axis, series in zip(BODY_AXES, per_side[moving], strict=True):
            features |= {
                f"world_{segment}_{axis}_median": _level(series),
                f"world_{segment}_{axis}_range": _spread(series),
            }
        rising = grid(-directions[SIDES[moving]][:, 1])
        features |= {
            f"world_{segment}_other_range": _total_spread(per_side[1 - moving]),
            f"world_{segment}_gravity_median": _level(rising),
            f"world_{segment}_gravity_range": _spread(rising),
        }
    for placed, reference in PLACED.items():
        per_side = [in_body_frame(s, (joint(f"{s}_{placed}") - joint(f"{s}_{reference}")) / torso_m) for s in SIDES]
        for axis, series in zip(BODY_AXES, per_side[_moving_side(per_side)], strict=True):
            features |= {
                f"world_{placed}_place_{axis}_median": _level(series),
                f"world_{placed}_place_{axis}_range": _spread(series),
            }

    def height(name: str, reference: str) -> np.ndarray:
        """Both sides' mean height of `name` over `reference` against gravity, in torso lengths."""
        return grid((middle(reference)[:, 1] - middle(name)[:, 1]) / torso_m)

    def width(name: str) -> np.ndarray:
        with _unseen_is_nan():
            return grid(
                np.linalg.norm(joint(f"right_{name}") - joint(f"left_{name}"), axis=1)
                / np.linalg.norm(joint("right_shoulder") - joint("left_shoulder"), axis=1)
            )

    trunk_up, facing_down = grid(-up[:, 1]), grid(forward[:, 1])
    wrists, stance, grip = height("wrist", "shoulder"), width("ankle"), width("wrist")
    features |= {
        "world_trunk_up_median": _level(trunk_up),
        "world_trunk_up_range": _spread(trunk_up),
        "world_facing_down_median": _level(facing_down),
        "world_facing_down_range": _spread(facing_down),
        "world_wrist_height_median": _level(wrists),
        "world_wrist_height_range": _spread(wrists),
        "world_ankle_height_median": _level(height("ankle", "hip")),
        "world_knee_height_median": _level(height("knee", "hip")),
        "world_stance_median": _level(stance),
        "world_stance_range": _spread(stance),
        "world_grip_median": _level(grip),
        "world_grip_range": _spread(grip),
        "world_seen": _seen_share(trunk_up),
    }
    return np.array([features[name] for name in WORLD_FEATURE_NAMES], dtype=np.float64)


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
    trained (regularisation `C`, class weighting, clip count, the weight and count of photo pairs; for the
    record)."""

    image_weight: float
    min_confidence: float
    features: tuple[str, ...]
    C: float | None = None
    weighting: str | None = None
    trained_on_clips: int | None = None
    photo_pair_weight: float | None = None
    trained_on_photo_pairs: int | None = None


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

    def recognize(self, motion: ClipMotion, image_probabilities: np.ndarray, image_labels) -> Recognition:
        """The clip's exercise from its motion and the image votes (their mean probabilities)."""
        probabilities = self.probabilities(motion_features(motion), image_probabilities, image_labels)
        return self.decide(probabilities, motion.keypoints)

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
