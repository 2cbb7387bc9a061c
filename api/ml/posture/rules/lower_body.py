"""Rules for squats, lunges, wall sits and hinges (deadlift, Romanian deadlift, good morning)."""

from __future__ import annotations

from api.ml.posture import measures as m
from api.ml.posture.rules.base import Rule

# Squat depth: thighs at least parallel to the floor, a knee angle of about 90-100 deg (NSCA Essentials, 4th ed.;
# Schoenfeld 2010, J Strength Cond Res 24:3497); 110 leaves margin for keypoint noise.
SQUAT_BOTTOM_KNEE_MAX_DEG = 110.0
# Knee valgus: knees closer together than the feet (Hewett et al. 2005, Am J Sports Med 33:492; NSCA cue "knees
# out over the toes"); 15% narrower is a clear collapse.
KNEE_VALGUS_MIN_RATIO = 0.85
# Squat trunk: leaning past ~55 deg from vertical shifts the load to the lower back (Schoenfeld 2010; Fry, Smith &
# Schilling 2003, J Strength Cond Res 17:629, on trunk and knee position).
SQUAT_MAX_TORSO_LEAN_DEG = 55.0
# Forward lunge: front knee to about 90 deg (NSCA, 4th ed.); trunk upright within ~30 deg (Farrokhi et al. 2008,
# J Orthop Sports Phys Ther 38:403, upright against forward trunk).
LUNGE_BOTTOM_KNEE_MAX_DEG = 110.0
LUNGE_MAX_TORSO_LEAN_DEG = 30.0
# Wall sit: thighs parallel to the floor, knees at about 90 deg (ACSM Guidelines, 11th ed.); back flat on the wall.
WALL_SIT_MAX_KNEE_DEG = 110.0
WALL_SIT_MAX_TORSO_LEAN_DEG = 20.0
# Deadlift lockout: hips and knees extended, hip angle past 160 deg (NSCA, 4th ed.; Escamilla et al. 2000, Med Sci
# Sports Exerc 32:1265); the bar stays over mid-foot, hands within ~0.45 torso lengths of the ankle (Hales 2010,
# Strength Cond J 32(4):44).
DEADLIFT_LOCKOUT_MIN_HIP_DEG = 160.0
DEADLIFT_MAX_BAR_DRIFT = 0.45
# Romanian deadlift and good morning: soft, fixed knees (15-30 deg of flexion, knee angle >= ~150; 135 allows
# noise) and a real hip hinge, under 130 deg at the bottom (NSCA, 4th ed.; McAllister et al. 2014, J Strength Cond
# Res 28:1573; Vigotsky et al. 2015, PeerJ 3:e708 on good-morning kinematics).
HINGE_MIN_KNEE_DEG = 135.0
HINGE_BOTTOM_HIP_MAX_DEG = 130.0

KNEE_JOINTS = ("hip", "knee", "ankle")
HIP_JOINTS = ("shoulder", "hip", "knee")
TORSO_JOINTS = ("shoulder", "hip")


def _depth(exercise_name: str, threshold: float, severity: str, source: str) -> Rule:
    return Rule(
        "insufficient_depth",
        "knees bend to about 90 deg at the bottom",
        KNEE_JOINTS,
        m.knee_angle_deg,
        threshold,
        "above",
        f"{exercise_name} not deep enough",
        "Sit lower until your thighs are parallel to the floor",
        severity,
        source,
        view="side",
        scope="rep",
    )


def _torso_lean(code: str, threshold: float, message: str, correction: str, source: str) -> Rule:
    return Rule(
        code,
        f"torso stays within {threshold:.0f} deg of vertical",
        TORSO_JOINTS,
        m.torso_lean_deg,
        threshold,
        "above",
        message,
        correction,
        "medium",
        source,
        view="side",
    )


KNEES_CAVING_IN = Rule(
    "knees_caving_in",
    "knees track over the feet",
    ("knee", "ankle"),
    m.knee_to_ankle_width_ratio,
    KNEE_VALGUS_MIN_RATIO,
    "below",
    "Knees caving in",
    "Push your knees out over your toes on the way down and up",
    "high",
    "Hewett et al. 2005 (Am J Sports Med 33:492); NSCA Essentials (4th ed.)",
    unit="ratio",
    view="front",
)
KNEES_TOO_BENT = Rule(
    "knees_too_bent",
    "knees stay soft but fixed; the hips do the work",
    KNEE_JOINTS,
    m.knee_angle_deg,
    HINGE_MIN_KNEE_DEG,
    "below",
    "Bending the knees too much: this turns into a squat",
    "Keep a slight, fixed knee bend and push your hips back",
    "medium",
    "NSCA Essentials (4th ed.); McAllister et al. 2014 (J Strength Cond Res 28:1573)",
    view="side",
)
INSUFFICIENT_HINGE = Rule(
    "insufficient_hinge",
    "hips hinge well back at the bottom",
    HIP_JOINTS,
    m.hip_angle_deg,
    HINGE_BOTTOM_HIP_MAX_DEG,
    "above",
    "Not hinging far enough",
    "Push your hips back until you feel a stretch in your hamstrings",
    "low",
    "NSCA Essentials (4th ed.); Vigotsky et al. 2015 (PeerJ 3:e708)",
    view="side",
    scope="rep",
)

LOWER_BODY_RULES: dict[str, tuple[Rule, ...]] = {
    "squat": (
        _depth(
            "Squat", SQUAT_BOTTOM_KNEE_MAX_DEG, "medium", "NSCA Essentials (4th ed.); Schoenfeld 2010 (JSCR 24:3497)"
        ),
        KNEES_CAVING_IN,
        _torso_lean(
            "excessive_forward_lean",
            SQUAT_MAX_TORSO_LEAN_DEG,
            "Leaning too far forward",
            "Keep your chest up and your weight over mid-foot",
            "Schoenfeld 2010 (JSCR 24:3497); Fry, Smith & Schilling 2003 (JSCR 17:629)",
        ),
    ),
    "lunge": (
        _depth("Lunge", LUNGE_BOTTOM_KNEE_MAX_DEG, "low", "NSCA Essentials (4th ed.) forward lunge"),
        KNEES_CAVING_IN,
        _torso_lean(
            "torso_leaning",
            LUNGE_MAX_TORSO_LEAN_DEG,
            "Torso leaning forward",
            "Stay tall: keep your shoulders over your hips as you lower",
            "Farrokhi et al. 2008 (J Orthop Sports Phys Ther 38:403)",
        ),
    ),
    "wall_sit": (
        Rule(
            "thighs_not_parallel",
            "thighs parallel to the floor, knees at about 90 deg",
            KNEE_JOINTS,
            m.knee_angle_deg,
            WALL_SIT_MAX_KNEE_DEG,
            "above",
            "Sitting too high",
            "Slide down the wall until your thighs are parallel to the floor",
            "medium",
            "ACSM Guidelines (11th ed.)",
            view="side",
        ),
        _torso_lean(
            "back_off_wall",
            WALL_SIT_MAX_TORSO_LEAN_DEG,
            "Leaning forward off the wall",
            "Press your whole back flat against the wall",
            "ACSM Guidelines (11th ed.)",
        ),
    ),
    "deadlift": (
        Rule(
            "incomplete_lockout",
            "hips fully extended at the top",
            HIP_JOINTS,
            m.hip_angle_deg,
            DEADLIFT_LOCKOUT_MIN_HIP_DEG,
            "below",
            "Not locking out at the top",
            "Stand tall at the top: drive your hips forward and squeeze your glutes",
            "low",
            "NSCA Essentials (4th ed.); Escamilla et al. 2000 (Med Sci Sports Exerc 32:1265)",
            view="side",
            scope="rep",
        ),
        Rule(
            "bar_drifting_forward",
            "hands (the bar) stay over mid-foot",
            ("wrist", "ankle", "shoulder", "hip"),
            m.wrist_to_ankle_drift,
            DEADLIFT_MAX_BAR_DRIFT,
            "above",
            "The bar drifts away from your body",
            "Keep the bar close: drag it up your shins and thighs",
            "high",
            "Hales 2010 (Strength Cond J 32(4):44); NSCA Essentials (4th ed.)",
            unit="torso lengths",
            view="side",
        ),
    ),
    "romanian_deadlift": (KNEES_TOO_BENT, INSUFFICIENT_HINGE),
    "good_morning": (KNEES_TOO_BENT, INSUFFICIENT_HINGE),
}
LOWER_BODY_RULES["goblet_squat"] = LOWER_BODY_RULES["squat"]
