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
# Knee past the toes: letting the knee travel forward past the toes raises knee torque by about 28% in a squat
# (Fry, Smith & Schilling 2003, J Strength Cond Res 17:629), yet some travel moves load off the hips and back, so
# only a clear 0.15 torso length (~8 cm) past the toe tips is reported, and as a tip.
KNEE_PAST_TOES_MAX = 0.15
# Heels stay on the floor in a squat and on the front foot of a lunge (NSCA Essentials, 4th ed.: "keep the heels
# on the floor"; Myer et al. 2014, Strength Cond J 36(6):4, heels rising as a squat fault); over 15 deg of heel
# rise above the toe line is a lift of ~6 cm on a 25 cm foot, well clear of landmark noise.
HEEL_LIFT_MAX_DEG = 15.0
# Squat stance: Escamilla et al. 2001 (Med Sci Sports Exerc 33:984) compared stances from 107% (narrow) to 169%
# (wide) of shoulder width; under 0.8 or over 2.0 of it is outside any studied squat stance.
STANCE_MIN_SHOULDER_RATIO = 0.8
STANCE_MAX_SHOULDER_RATIO = 2.0

KNEE_JOINTS = ("hip", "knee", "ankle")
HIP_JOINTS = ("shoulder", "hip", "knee")
TORSO_JOINTS = ("shoulder", "hip")
FOOT_JOINTS = ("heel", "foot_index")


def knee_gap_ratio(kp):
    """Knee gap over ankle gap: across the floor in world coordinates when the frame has them, else in the
    image (where it holds only for a camera square to the body)."""
    world = m.world_knee_to_ankle_width_ratio(kp)
    return world if world is not None else m.knee_to_ankle_width_ratio(kp)


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
    knee_gap_ratio,
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

KNEE_PAST_TOES = Rule(
    "knee_past_toes",
    "the front knee stays over the foot, not far past the toes",
    ("knee", *FOOT_JOINTS, "shoulder", "hip"),
    m.knee_past_toes,
    KNEE_PAST_TOES_MAX,
    "above",
    "Knee travelling well past your toes",
    "Sit your hips back and down so your knee stays over your foot",
    "low",
    "Fry, Smith & Schilling 2003 (J Strength Cond Res 17:629)",
    unit="torso lengths",
    view="side",
)


def _heels_lifting(measure, description: str) -> Rule:
    return Rule(
        "heels_lifting",
        description,
        FOOT_JOINTS,
        measure,
        HEEL_LIFT_MAX_DEG,
        "above",
        "Heels lifting off the floor",
        "Keep your whole foot down and push through your heels and mid-foot",
        "medium",
        "NSCA Essentials (4th ed.); Myer et al. 2014 (Strength Cond J 36(6):4)",
        view="side",
    )


def _stance(code: str, threshold: float, fault_when: str, message: str, correction: str) -> Rule:
    return Rule(
        code,
        "feet about shoulder width apart or a little wider",
        ("shoulder", *FOOT_JOINTS),
        m.stance_to_shoulder_width,
        threshold,
        fault_when,
        message,
        correction,
        "low",
        "Escamilla et al. 2001 (Med Sci Sports Exerc 33:984)",
        unit="shoulder widths",
        view="front",
    )


SQUAT_FEET = (
    KNEE_PAST_TOES,
    _heels_lifting(m.heel_lift_deg, "both heels stay on the floor"),
    _stance(
        "stance_too_narrow",
        STANCE_MIN_SHOULDER_RATIO,
        "below",
        "Feet too close together",
        "Set your feet about shoulder width apart",
    ),
    _stance(
        "stance_too_wide",
        STANCE_MAX_SHOULDER_RATIO,
        "above",
        "Feet very wide apart",
        "Bring your feet in to about shoulder width, or a little wider",
    ),
)
LUNGE_FEET = (KNEE_PAST_TOES, _heels_lifting(m.front_heel_lift_deg, "the front heel stays on the floor"))

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
        *SQUAT_FEET,
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
        *LUNGE_FEET,
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
LOWER_BODY_RULES["split_squat"] = LOWER_BODY_RULES["lunge"]
