"""What a form rule is: a stable code, what it measures (by joint name), a cited threshold, message and correction.

`frame` rules judge a posture that must hold all along (a photo, or the frames of a rep: the value exceeded in at
least `PERSISTENCE_FRACTION` of them, so a one-frame glitch is not a fault). `rep` rules judge what a rep must
reach at some point (depth, lockout): the rep's best value, so a photo skips them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from api.ml.posture.issues import PostureIssue

Measure = Callable[[np.ndarray], float | None]
SEVERITY_PENALTY = {"low": 8, "medium": 15, "high": 25}
# A held-posture fault must show in at least this share of a rep's frames (about 0.3 s of a 1.5 s rep).
PERSISTENCE_FRACTION = 0.25
SCOPES = ("frame", "rep")
VIEWS = ("side", "front")


@dataclass(frozen=True)
class Rule:
    """One form check.

    `measure` reads one frame and returns a value or None (its `joints` are not visible); the value minus
    `baseline` (the measure's reading on good form, where keypoints are biased) is compared with `threshold`:
    a fault when it is `above` (or `below`) it; on frames with world coordinates (BlazePose's landmarks) with
    `world_threshold` where one is set. `view` is the camera view the check needs, if any.
    """

    code: str
    description: str
    joints: tuple[str, ...]
    measure: Measure
    threshold: float
    fault_when: str
    message: str
    correction: str
    severity: str
    source: str
    unit: str = "deg"
    view: str | None = None
    scope: str = "frame"
    baseline: float = 0.0
    world_threshold: float | None = None

    def __post_init__(self):
        if self.fault_when not in ("above", "below"):
            raise ValueError(f"{self.code}: fault_when must be 'above' or 'below'")
        if self.severity not in SEVERITY_PENALTY or self.scope not in SCOPES or self.view not in (None, *VIEWS):
            raise ValueError(f"{self.code}: bad severity, scope or view")

    def value(self, kp: np.ndarray) -> float | None:
        """The measured value on one frame, relative to the baseline; None when the joints are not visible."""
        return self.relative(self.measure(kp))

    def relative(self, raw: float | None) -> float | None:
        """A reading of `measure`, relative to the baseline."""
        return None if raw is None else float(raw) - self.baseline

    def limit(self, world: bool = False) -> float:
        """The threshold for frames with world coordinates (`world`) or without."""
        return self.world_threshold if world and self.world_threshold is not None else self.threshold

    def is_fault(self, value: float, world: bool = False) -> bool:
        limit = self.limit(world)
        return value > limit if self.fault_when == "above" else value < limit

    def summarise(self, values: np.ndarray) -> float:
        """One value for a window of frames: the best reached (rep scope) or the one that persists (frame scope)."""
        worst_first = self.fault_when == "above"
        if self.scope == "rep":
            return float(np.min(values) if worst_first else np.max(values))
        return _percentile(values, 1.0 - PERSISTENCE_FRACTION if worst_first else PERSISTENCE_FRACTION)

    def issue(self, value: float, world: bool = False) -> PostureIssue:
        return PostureIssue(
            code=self.code,
            message=self.message,
            correction=self.correction,
            severity=self.severity,
            measured=round(float(value), 2),
            threshold=self.limit(world),
            unit=self.unit,
        )

    def describe(self) -> dict:
        """The check as the exercise catalogue lists it."""
        return {
            "code": self.code,
            "description": self.description,
            "joints": list(self.joints),
            "view": self.view,
            "severity": self.severity,
            "source": self.source,
        }


def _percentile(values, fraction: float) -> float:
    """numpy's default (linear) percentile, in plain Python: live sessions take it per rule on every frame, over
    a handful of values, where numpy's per-call overhead is most of the time."""
    ordered = sorted(float(value) for value in values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
