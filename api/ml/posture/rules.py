"""Form rules per exercise: each a stable code, what it measures, a cited threshold, a message and a correction.

`frame` rules are judged on every frame (a photo, or each frame of a rep); `rep` rules on a whole rep's range
of the main angle, so a photo skips them. A rule that cannot see its joints, or needs another camera view,
is skipped with the reason: it never raises a false alarm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from api.ml.posture import measures as m

# Thresholds, each with its source.
# ACSM's Guidelines for Exercise Testing and Prescription (11th ed.) and NSCA Essentials of Strength Training and
# Conditioning (4th ed.): plank and push-up hold a straight line from shoulders to ankles; 15 deg either way is a
# visible break of that line (McGill, Low Back Disorders, 3rd ed., neutral-spine bracing).
HIP_LINE_TOLERANCE_DEG = 15.0
# NSCA: head in line with the spine; Kim et al. 2016 (J Phys Ther Sci 28:1710) on forward-head posture: > 30 deg.
HEAD_DROP_MAX_DEG = 30.0
# NSCA push-up: lower until the upper arm is at least parallel to the floor (elbow about 90 deg); 110 leaves margin.
PUSH_UP_BOTTOM_ELBOW_MAX_DEG = 110.0
# NSCA back squat: thighs at least parallel (knee about 90-100 deg); Schoenfeld 2010 (JSCR 24:3497).
SQUAT_BOTTOM_KNEE_MAX_DEG = 110.0
# Knee valgus: knees narrower than ankles by > 15% (Hewett et al. 2005, Am J Sports Med 33:492; NSCA "knees out").
KNEE_VALGUS_MIN_RATIO = 0.85
# Squat trunk lean: NSCA, torso stays within ~45-50 deg of vertical at depth (Fry et al. 2003, JSCR 17:629).
SQUAT_MAX_TORSO_LEAN_DEG = 55.0
# Lunge: front knee near 90 deg at the bottom (NSCA forward lunge); trunk upright within 30 deg.
LUNGE_BOTTOM_KNEE_MAX_DEG = 115.0
LUNGE_MAX_TORSO_LEAN_DEG = 30.0
# Biceps curl: full range, elbow from ~160 to < 70 deg (NSCA); upper arm stays by the torso (< 35 deg swing).
CURL_TOP_ELBOW_MAX_DEG = 75.0
CURL_BOTTOM_ELBOW_MIN_DEG = 140.0
CURL_UPPER_ARM_MAX_DEG = 35.0
# Overhead press: elbows (nearly) locked out overhead, > 150 deg (NSCA); torso within 20 deg of vertical.
PRESS_LOCKOUT_MIN_DEG = 150.0
PRESS_MAX_BACK_LEAN_DEG = 20.0
# Deadlift: hips and knees fully extended at lockout (> 160 deg hip angle, NSCA); bar within ~0.35 torso of mid-foot.
DEADLIFT_LOCKOUT_MIN_HIP_DEG = 160.0
DEADLIFT_MAX_BAR_DRIFT = 0.45
# Romanian deadlift: soft knees (15-30 deg flexion => knee angle >= 140) and a real hinge (hip < 130 deg at bottom).
RDL_MIN_KNEE_DEG = 135.0
RDL_BOTTOM_HIP_MAX_DEG = 130.0
# Lateral raise: arms to about shoulder height (90 deg); above 110 deg narrows the subacromial space (Lewis 2009).
LATERAL_RAISE_MAX_ABDUCTION_DEG = 115.0
LATERAL_RAISE_MIN_TOP_DEG = 65.0
# Row: pull until the elbow is bent < 100 deg (hands to the torso, NSCA seated/bent-over row).
ROW_TOP_ELBOW_MAX_DEG = 100.0
# Pull-up: chin over the bar at the top, elbows > 150 deg at the bottom (NSCA, ACSM dead hang).
PULL_UP_CHIN_MIN = 0.0
PULL_UP_BOTTOM_ELBOW_MIN_DEG = 150.0
# Hip thrust: full hip extension at the top, hip angle > 160 deg (Contreras et al. 2015, J Appl Biomech 31:452).
HIP_THRUST_TOP_HIP_MIN_DEG = 160.0

SEVERITY_PENALTY = {"low": 8, "medium": 15, "high": 25}


@dataclass(frozen=True)
class Rule:
    """One form check. `measure` returns a value or None (joints not visible)."""

    code: str
    description: str
    measure: Callable[[np.ndarray], float | None]
    threshold: float
    fault_when: str
    message: str
    correction: str
    severity: str
    unit: str = "deg"
    view: str | None = None
    scope: str = "frame"
    reduce: str = "min"

    def is_fault(self, value: float) -> bool:
        return value > self.threshold if self.fault_when == "above" else value < self.threshold

    def issue(self, value: float) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "correction": self.correction,
            "severity": self.severity,
            "measured": round(float(value), 2),
            "threshold": self.threshold,
            "unit": self.unit,
        }


def _angle(a: str, b: str, c: str) -> Callable[[np.ndarray], float | None]:
    return lambda kp: m.side_angle(kp, a, b, c)


def _sagging(kp):
    return m.hip_line_deviation_deg(kp)


def _piking(kp):
    value = m.hip_line_deviation_deg(kp)
    return None if value is None else -value


HIPS_SAGGING = Rule(
    "hips_sagging",
    "hips drop below the shoulder-ankle line",
    _sagging,
    HIP_LINE_TOLERANCE_DEG,
    "above",
    "Hips sagging: your lower back is arching",
    "Brace your abs and squeeze your glutes to keep a straight line from shoulders to ankles",
    "high",
    view="side",
)
HIPS_TOO_HIGH = Rule(
    "hips_too_high",
    "hips rise above the shoulder-ankle line",
    _piking,
    HIP_LINE_TOLERANCE_DEG,
    "above",
    "Hips too high: your body is piked",
    "Lower your hips until your body forms one straight line",
    "medium",
    view="side",
)
HEAD_DROPPING = Rule(
    "head_dropping",
    "head hangs below the line of the spine",
    m.head_drop_deg,
    HEAD_DROP_MAX_DEG,
    "above",
    "Head dropping",
    "Keep your neck long and look at the floor just ahead of your hands",
    "low",
    view="side",
)
ELBOW = _angle("shoulder", "elbow", "wrist")
KNEE = _angle("hip", "knee", "ankle")
HIP = _angle("shoulder", "hip", "knee")

RULES: dict[str, tuple[Rule, ...]] = {
    "plank": (HIPS_SAGGING, HIPS_TOO_HIGH, HEAD_DROPPING),
    "push_up": (
        HIPS_SAGGING,
        HIPS_TOO_HIGH,
        HEAD_DROPPING,
        Rule(
            "partial_range_of_motion",
            "elbows bend to about 90 deg at the bottom",
            ELBOW,
            PUSH_UP_BOTTOM_ELBOW_MAX_DEG,
            "above",
            "Partial range of motion: you are not going low enough",
            "Lower your chest until your elbows reach about 90 degrees",
            "medium",
            view="side",
            scope="rep",
        ),
    ),
    "squat": (
        Rule(
            "insufficient_depth",
            "thighs reach parallel at the bottom",
            KNEE,
            SQUAT_BOTTOM_KNEE_MAX_DEG,
            "above",
            "Squat not deep enough",
            "Sit back and down until your thighs are at least parallel to the floor",
            "medium",
            view="side",
            scope="rep",
        ),
        Rule(
            "knees_caving_in",
            "knees stay over the feet",
            m.knee_to_ankle_width_ratio,
            KNEE_VALGUS_MIN_RATIO,
            "below",
            "Knees caving in",
            "Push your knees out over your toes as you go down and up",
            "high",
            unit="ratio",
            view="front",
        ),
        Rule(
            "excessive_forward_lean",
            "torso stays fairly upright",
            m.torso_lean_deg,
            SQUAT_MAX_TORSO_LEAN_DEG,
            "above",
            "Leaning too far forward",
            "Keep your chest up and your weight over mid-foot",
            "medium",
            view="side",
        ),
    ),
    "lunge": (
        Rule(
            "insufficient_depth",
            "front knee reaches about 90 deg",
            KNEE,
            LUNGE_BOTTOM_KNEE_MAX_DEG,
            "above",
            "Lunge not deep enough",
            "Lower your back knee towards the floor until your front thigh is parallel",
            "low",
            view="side",
            scope="rep",
        ),
        Rule(
            "torso_leaning",
            "torso stays upright",
            m.torso_lean_deg,
            LUNGE_MAX_TORSO_LEAN_DEG,
            "above",
            "Torso leaning forward",
            "Stay tall: shoulders over hips as you lower",
            "medium",
            view="side",
        ),
    ),
    "biceps_curl": (
        Rule(
            "partial_range_of_motion",
            "elbow closes fully at the top",
            ELBOW,
            CURL_TOP_ELBOW_MAX_DEG,
            "above",
            "Not curling all the way up",
            "Curl until your forearm nearly touches your upper arm",
            "low",
            scope="rep",
        ),
        Rule(
            "incomplete_extension",
            "arm straightens at the bottom",
            ELBOW,
            CURL_BOTTOM_ELBOW_MIN_DEG,
            "below",
            "Not lowering all the way",
            "Straighten your arms fully between reps",
            "low",
            scope="rep",
            reduce="max",
        ),
        Rule(
            "elbows_drifting_forward",
            "upper arm stays by the side",
            m.upper_arm_drift_deg,
            CURL_UPPER_ARM_MAX_DEG,
            "above",
            "Elbows swinging forward",
            "Pin your elbows to your sides and lift with the forearm only",
            "medium",
            view="side",
        ),
    ),
    "shoulder_press": (
        Rule(
            "incomplete_lockout",
            "arms straighten overhead",
            ELBOW,
            PRESS_LOCKOUT_MIN_DEG,
            "below",
            "Not pressing all the way up",
            "Press until your arms are straight overhead",
            "low",
            scope="rep",
            reduce="max",
        ),
        Rule(
            "excessive_back_arch",
            "torso stays vertical",
            m.torso_lean_deg,
            PRESS_MAX_BACK_LEAN_DEG,
            "above",
            "Leaning back while pressing",
            "Brace your core and squeeze your glutes; press straight up",
            "high",
            view="side",
        ),
    ),
    "deadlift": (
        Rule(
            "incomplete_lockout",
            "hips fully extended at the top",
            HIP,
            DEADLIFT_LOCKOUT_MIN_HIP_DEG,
            "below",
            "Not locking out at the top",
            "Stand tall at the top: drive your hips forward and squeeze your glutes",
            "low",
            view="side",
            scope="rep",
            reduce="max",
        ),
        Rule(
            "bar_drifting_forward",
            "hands stay over mid-foot",
            m.wrist_forward_of_ankle,
            DEADLIFT_MAX_BAR_DRIFT,
            "above",
            "The bar drifts away from your body",
            "Keep the bar close: drag it up your shins and thighs",
            "high",
            unit="torso lengths",
            view="side",
        ),
    ),
    "romanian_deadlift": (
        Rule(
            "knees_too_bent",
            "knees stay soft, not squatting",
            KNEE,
            RDL_MIN_KNEE_DEG,
            "below",
            "Bending the knees too much",
            "Keep a slight, fixed knee bend and push your hips back",
            "medium",
            view="side",
        ),
        Rule(
            "insufficient_hinge",
            "hips hinge well back",
            HIP,
            RDL_BOTTOM_HIP_MAX_DEG,
            "above",
            "Not hinging far enough",
            "Push your hips back until you feel a stretch in your hamstrings",
            "low",
            view="side",
            scope="rep",
        ),
    ),
    "lateral_raise": (
        Rule(
            "arms_too_high",
            "arms stop at shoulder height",
            m.shoulder_abduction_deg,
            LATERAL_RAISE_MAX_ABDUCTION_DEG,
            "above",
            "Raising the arms too high",
            "Stop when your arms are level with your shoulders",
            "medium",
            view="front",
        ),
        Rule(
            "partial_range_of_motion",
            "arms reach shoulder height",
            m.shoulder_abduction_deg,
            LATERAL_RAISE_MIN_TOP_DEG,
            "below",
            "Not raising the arms high enough",
            "Lift until your arms are about level with your shoulders",
            "low",
            view="front",
            scope="rep",
            reduce="max",
        ),
    ),
    "row": (
        Rule(
            "partial_range_of_motion",
            "hands come to the torso",
            ELBOW,
            ROW_TOP_ELBOW_MAX_DEG,
            "above",
            "Not pulling all the way",
            "Pull until your hands touch your torso and squeeze your shoulder blades",
            "low",
            view="side",
            scope="rep",
        ),
    ),
    "pull_up": (
        Rule(
            "chin_below_bar",
            "chin clears the hands at the top",
            m.wrist_above_nose,
            PULL_UP_CHIN_MIN,
            "below",
            "Chin not over the bar",
            "Pull until your chin clears the bar",
            "medium",
            unit="torso lengths",
            scope="rep",
            reduce="max",
        ),
        Rule(
            "incomplete_extension",
            "arms straighten at the bottom",
            ELBOW,
            PULL_UP_BOTTOM_ELBOW_MIN_DEG,
            "below",
            "Not lowering to straight arms",
            "Lower all the way to a dead hang between reps",
            "low",
            scope="rep",
            reduce="max",
        ),
    ),
    "hip_thrust": (
        Rule(
            "incomplete_hip_extension",
            "hips fully extended at the top",
            HIP,
            HIP_THRUST_TOP_HIP_MIN_DEG,
            "below",
            "Hips not fully extended",
            "Drive through your heels until your body is straight from shoulders to knees",
            "medium",
            view="side",
            scope="rep",
            reduce="max",
        ),
    ),
}
RULES["hammer_curl"] = RULES["biceps_curl"]
RULES["glute_bridge"] = RULES["hip_thrust"]
RULES["knee_push_up"] = RULES["push_up"]
RULES["incline_push_up"] = RULES["push_up"]
RULES["goblet_squat"] = RULES["squat"]

# The angle whose swing makes a rep, and whether a rep starts from its high (extended) end.
MAIN_ANGLE: dict[str, Callable[[np.ndarray], float | None]] = {
    "push_up": ELBOW,
    "knee_push_up": ELBOW,
    "incline_push_up": ELBOW,
    "squat": KNEE,
    "goblet_squat": KNEE,
    "lunge": KNEE,
    "biceps_curl": ELBOW,
    "hammer_curl": ELBOW,
    "shoulder_press": ELBOW,
    "deadlift": HIP,
    "romanian_deadlift": HIP,
    "lateral_raise": m.shoulder_abduction_deg,
    "row": ELBOW,
    "pull_up": ELBOW,
    "hip_thrust": HIP,
    "glute_bridge": HIP,
}
