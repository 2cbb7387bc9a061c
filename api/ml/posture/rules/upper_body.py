"""Rules for arm and shoulder work: biceps and hammer curls, overhead press, lateral raise, row, pull-up."""

from __future__ import annotations

from api.ml.posture import measures as m
from api.ml.posture.rules.base import Rule

# Biceps curl: full range, the elbow opening past ~140 deg at the bottom and closing under ~75 deg at the top
# (NSCA Essentials, 4th ed.); the upper arm stays by the trunk, swinging it forward past ~35 deg brings in the
# front deltoid (Oliveira et al. 2009, J Sports Sci Med 8:24, shoulder position in curls); no trunk swing (NSCA).
CURL_TOP_ELBOW_MAX_DEG = 75.0
CURL_BOTTOM_ELBOW_MIN_DEG = 140.0
CURL_UPPER_ARM_MAX_DEG = 35.0
CURL_MAX_TORSO_SWING_DEG = 15.0
# Overhead press: elbows (nearly) locked out overhead, past 150 deg (NSCA, 4th ed.); trunk within 20 deg of
# vertical, not arched back (Saeterbakken & Fimland 2013, J Strength Cond Res 27:1824, standing and seated press).
PRESS_LOCKOUT_MIN_DEG = 150.0
PRESS_MAX_TORSO_LEAN_DEG = 20.0
# Lateral raise: arms up to about shoulder height, 90 deg (NSCA, 4th ed.); past ~115 deg of abduction the
# subacromial space narrows (Reinold, Escamilla & Wilk 2009, J Orthop Sports Phys Ther 39:105).
LATERAL_RAISE_MAX_ABDUCTION_DEG = 115.0
LATERAL_RAISE_MIN_TOP_DEG = 70.0
# Row: pull until the hands reach the trunk, an elbow angle under ~100 deg (NSCA, 4th ed.; Fenwick, Brown & McGill
# 2009, J Strength Cond Res 23:1408).
ROW_END_ELBOW_MAX_DEG = 100.0
# Pull-up: chin over the bar at the top, a full hang with elbows past 150 deg at the bottom (NSCA, 4th ed.;
# Youdas et al. 2010, J Strength Cond Res 24:3404).
PULL_UP_CHIN_OVER_HANDS_MIN = 0.0
PULL_UP_HANG_ELBOW_MIN_DEG = 150.0

ARM_JOINTS = ("shoulder", "elbow", "wrist")


def _elbow_range(
    code: str,
    description: str,
    threshold: float,
    fault_when: str,
    message: str,
    correction: str,
    source: str,
    view: str | None,
) -> Rule:
    """A range-of-motion check on the elbow angle; `view` None where the arm moves across the camera either way."""
    return Rule(
        code,
        description,
        ARM_JOINTS,
        m.elbow_angle_deg,
        threshold,
        fault_when,
        message,
        correction,
        "low",
        source,
        view=view,
        scope="rep",
    )


CURL_RULES = (
    _elbow_range(
        "partial_range_of_motion",
        "elbow closes fully at the top",
        CURL_TOP_ELBOW_MAX_DEG,
        "above",
        "Not curling all the way up",
        "Curl until your forearm nearly touches your upper arm",
        "NSCA Essentials (4th ed.) biceps curl",
        "side",
    ),
    _elbow_range(
        "incomplete_extension",
        "arm straightens at the bottom",
        CURL_BOTTOM_ELBOW_MIN_DEG,
        "below",
        "Not lowering all the way",
        "Straighten your arms fully between reps",
        "NSCA Essentials (4th ed.) biceps curl",
        "side",
    ),
    Rule(
        "elbows_drifting_forward",
        "upper arm stays by the side",
        ("hip", "shoulder", "elbow"),
        m.upper_arm_from_torso_deg,
        CURL_UPPER_ARM_MAX_DEG,
        "above",
        "Elbows swinging forward",
        "Pin your elbows to your sides and lift with the forearms only",
        "medium",
        "Oliveira et al. 2009 (J Sports Sci Med 8:24)",
        view="side",
    ),
    Rule(
        "torso_swinging",
        "trunk stays still and upright",
        ("shoulder", "hip"),
        m.torso_lean_deg,
        CURL_MAX_TORSO_SWING_DEG,
        "above",
        "Swinging your body to lift the weight",
        "Stand tall and still; use a lighter weight if you need momentum",
        "medium",
        "NSCA Essentials (4th ed.) biceps curl",
        view="side",
    ),
)

UPPER_BODY_RULES: dict[str, tuple[Rule, ...]] = {
    "biceps_curl": CURL_RULES,
    "hammer_curl": CURL_RULES,
    "shoulder_press": (
        _elbow_range(
            "incomplete_lockout",
            "arms straighten overhead",
            PRESS_LOCKOUT_MIN_DEG,
            "below",
            "Not pressing all the way up",
            "Press until your arms are straight overhead",
            "NSCA Essentials (4th ed.) overhead press",
            None,
        ),
        Rule(
            "excessive_back_arch",
            "trunk stays vertical",
            ("shoulder", "hip"),
            m.torso_lean_deg,
            PRESS_MAX_TORSO_LEAN_DEG,
            "above",
            "Leaning back while pressing",
            "Brace your core and squeeze your glutes; press straight up",
            "high",
            "Saeterbakken & Fimland 2013 (J Strength Cond Res 27:1824)",
            view="side",
        ),
    ),
    "lateral_raise": (
        Rule(
            "arms_too_high",
            "arms stop at shoulder height",
            ("hip", "shoulder", "elbow"),
            m.shoulder_abduction_deg,
            LATERAL_RAISE_MAX_ABDUCTION_DEG,
            "above",
            "Raising the arms too high",
            "Stop when your arms are level with your shoulders",
            "medium",
            "Reinold, Escamilla & Wilk 2009 (J Orthop Sports Phys Ther 39:105)",
            view="front",
        ),
        Rule(
            "partial_range_of_motion",
            "arms reach shoulder height",
            ("hip", "shoulder", "elbow"),
            m.shoulder_abduction_deg,
            LATERAL_RAISE_MIN_TOP_DEG,
            "below",
            "Not raising the arms high enough",
            "Lift until your arms are about level with your shoulders",
            "low",
            "NSCA Essentials (4th ed.) lateral raise",
            view="front",
            scope="rep",
        ),
    ),
    "row": (
        _elbow_range(
            "partial_range_of_motion",
            "hands come to the trunk",
            ROW_END_ELBOW_MAX_DEG,
            "above",
            "Not pulling all the way",
            "Pull until your hands reach your trunk and squeeze your shoulder blades together",
            "NSCA Essentials (4th ed.); Fenwick, Brown & McGill 2009 (J Strength Cond Res 23:1408)",
            "side",
        ),
    ),
    "pull_up": (
        Rule(
            "chin_below_bar",
            "chin clears the hands at the top",
            ("nose", "wrist", "shoulder", "hip"),
            m.nose_height_over_hands,
            PULL_UP_CHIN_OVER_HANDS_MIN,
            "below",
            "Chin not over the bar",
            "Pull until your chin clears the bar",
            "medium",
            "NSCA Essentials (4th ed.); Youdas et al. 2010 (J Strength Cond Res 24:3404)",
            unit="torso lengths",
            scope="rep",
        ),
        _elbow_range(
            "incomplete_extension",
            "arms straighten at the bottom",
            PULL_UP_HANG_ELBOW_MIN_DEG,
            "below",
            "Not lowering to straight arms",
            "Lower all the way to a dead hang between reps",
            "NSCA Essentials (4th ed.); Youdas et al. 2010 (J Strength Cond Res 24:3404)",
            None,
        ),
    ),
}
