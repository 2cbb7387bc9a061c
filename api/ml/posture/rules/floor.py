"""Rules for bodyweight work on the floor: plank, side plank, push-up, hip thrust and glute bridge, sit-up, crunch."""

from __future__ import annotations

from api.ml.posture import measures as m
from api.ml.posture.rules.base import Rule

# A plank or push-up holds one straight line from shoulders to ankles: ACSM's Guidelines for Exercise Testing and
# Prescription (11th ed.), push-up test ("back straight at all times"); NSCA Essentials of Strength Training and
# Conditioning (4th ed.), push-up technique; McGill, Low Back Disorders (3rd ed.), neutral spine when bracing.
# COCO's hip keypoint sits above that line on a straight body: the median over the side-view `correct/` clips of
# the push-up set is -13 deg (docs/posture-eval.md), and the hip is COCO's least precise keypoint (OKS sigma 0.107,
# cocodataset.org keypoint evaluation), hence the tolerance either way of that neutral line.
HIP_LINE_NEUTRAL_DEG = -13.0
# BlazePose's world landmarks (3D joint centres) put the hips of a straight body a little above that line: the
# median over the 37 side-view `correct/` push-up clips is -6.8 deg (interquartile range -10.7 to -2.4).
WORLD_HIP_LINE_NEUTRAL_DEG = -7.0
HIP_LINE_TOLERANCE_DEG = 20.0
# The world line is not foreshortened by the camera, so a tighter band separates good from faulty push-ups: 15 deg,
# chosen in every fold of the grouped cross-validation on BlazePose's frames (docs/posture-eval.md).
WORLD_HIP_LINE_TOLERANCE_DEG = 15.0
# NSCA (4th ed.): head in line with the spine; a drop of more than 25 deg is a visibly hanging head.
HEAD_DROP_MAX_DEG = 25.0
# In world coordinates the head line is read in 3D, where the camera angle cannot fold it. BlazePose's ear is no
# point of the spine: on good push-ups it reads -35 to +33 deg below the hip-shoulder line (quartiles of the
# per-clip medians, 37 side-view `correct/` clips), looking ahead or down. Past a good push-up's +30, the same
# 25 deg drop is a hanging head; +30 was chosen in 4 of the 5 folds of the grouped cross-validation among -30 to
# +45 (docs/posture-eval.md).
WORLD_HEAD_NEUTRAL_DEG = 30.0
# ACSM and NSCA push-up: lower until the upper arms are parallel to the floor, an elbow angle of about 90 deg;
# 20 deg of margin for keypoint noise (100 catches two more faulty clips on the real set but flags two more good
# ones: docs/posture-eval.md).
PUSH_UP_BOTTOM_ELBOW_MAX_DEG = 110.0
# Push-up elbows about 45 deg from the torso, not flared out to 90 (NSCA, 4th ed.). Seen along the body from the
# front, tucked elbows hang within ~30 deg of vertical; past 40 deg they point out sideways.
PUSH_UP_MAX_ELBOW_FLARE_DEG = 40.0
# BlazePose places shoulders and elbows otherwise than COCO: on its landmarks the same limit reads 45 deg (chosen in
# every fold of the same cross-validation).
WORLD_PUSH_UP_MAX_ELBOW_FLARE_DEG = 45.0
# Side bridge: one straight line from head to feet (McGill, Childs & Liebenson 1999, Arch Phys Med Rehabil 80:941).
SIDE_PLANK_TOLERANCE_DEG = 20.0
# Hip thrust and bridge: full hip extension at the top, shoulders, hips and knees in line (Contreras et al. 2015,
# J Appl Biomech 31:452); a hip angle under 160 deg is a short lockout.
HIP_EXTENSION_TOP_MIN_DEG = 160.0
# Sit-up: the trunk comes up to about vertical, a hip angle under ~80 deg (ACSM sit-up; Axler & McGill 1997,
# Med Sci Sports Exerc 29:804 on trunk flexion in sit-ups and curl-ups).
SIT_UP_TOP_HIP_MAX_DEG = 80.0
# Crunch: curl the trunk, keep the neck neutral; yanking the head forward flexes the neck past ~45 deg (NSCA 4th ed.).
CRUNCH_MAX_NECK_FLEXION_DEG = 45.0

SIDE_VIEW_BODY_LINE = ("shoulder", "hip", "ankle")


def hip_line_deg(kp):
    """How far the hips leave the shoulder-ankle line past a straight body's reading, positive when they sag:
    in world coordinates when the frame has them (no camera angle foreshortens the bend), else in the image."""
    world = m.world_body_line_deviation_deg(kp)
    if world is not None:
        return world - WORLD_HIP_LINE_NEUTRAL_DEG
    image = m.body_line_deviation_deg(kp)
    return None if image is None else image - HIP_LINE_NEUTRAL_DEG


def head_line_deg(kp):
    """How far the head hangs below the line of the trunk: in world coordinates past a good push-up's reading when
    the frame has them, else in the image."""
    world = m.world_head_drop_deg(kp)
    return m.head_drop_deg(kp) if world is None else world - WORLD_HEAD_NEUTRAL_DEG


def _piking(kp):
    value = hip_line_deg(kp)
    return None if value is None else -value


HIPS_SAGGING = Rule(
    "hips_sagging",
    "hips stay on the shoulder-ankle line, not below it",
    SIDE_VIEW_BODY_LINE,
    hip_line_deg,
    HIP_LINE_TOLERANCE_DEG,
    "above",
    "Hips sagging: your lower back is arching",
    "Brace your abs and squeeze your glutes to keep one straight line from shoulders to ankles",
    "high",
    "ACSM Guidelines (11th ed.) push-up test; McGill, Low Back Disorders (3rd ed.)",
    view="side",
    world_threshold=WORLD_HIP_LINE_TOLERANCE_DEG,
)
HIPS_TOO_HIGH = Rule(
    "hips_too_high",
    "hips stay on the shoulder-ankle line, not piked above it",
    SIDE_VIEW_BODY_LINE,
    _piking,
    HIP_LINE_TOLERANCE_DEG,
    "above",
    "Hips too high: your body is piked",
    "Lower your hips until your body forms one straight line from shoulders to ankles",
    "medium",
    "ACSM Guidelines (11th ed.) push-up test; NSCA Essentials (4th ed.) push-up",
    view="side",
    world_threshold=WORLD_HIP_LINE_TOLERANCE_DEG,
)
HEAD_DROPPING = Rule(
    "head_dropping",
    "head stays in line with the spine",
    ("ear", "shoulder", "hip"),
    head_line_deg,
    HEAD_DROP_MAX_DEG,
    "above",
    "Head dropping toward the floor",
    "Keep your neck long: look at the floor a little ahead of your hands",
    "medium",
    "NSCA Essentials (4th ed.): neutral head and neck",
    view="side",
)
PUSH_UP_DEPTH = Rule(
    "partial_range_of_motion",
    "elbows bend to about 90 deg at the bottom",
    ("shoulder", "elbow", "wrist"),
    m.elbow_angle_deg,
    PUSH_UP_BOTTOM_ELBOW_MAX_DEG,
    "above",
    "Partial range of motion: you are not going low enough",
    "Lower your chest until your upper arms are parallel to the floor (elbows at about 90 degrees)",
    "medium",
    "ACSM Guidelines (11th ed.) push-up test; NSCA Essentials (4th ed.) push-up",
    view="side",
    scope="rep",
)
ELBOWS_FLARED = Rule(
    "elbows_flared",
    "elbows stay at about 45 deg from the body",
    ("shoulder", "elbow"),
    m.elbow_flare_deg,
    PUSH_UP_MAX_ELBOW_FLARE_DEG,
    "above",
    "Elbows flaring out to the sides",
    "Tuck your elbows to about 45 degrees from your body, pointing back rather than out",
    "medium",
    "NSCA Essentials (4th ed.) push-up technique",
    view="front",
    world_threshold=WORLD_PUSH_UP_MAX_ELBOW_FLARE_DEG,
)


FLOOR_RULES: dict[str, tuple[Rule, ...]] = {
    "plank": (HIPS_SAGGING, HIPS_TOO_HIGH, HEAD_DROPPING),
    "push_up": (HIPS_SAGGING, HIPS_TOO_HIGH, HEAD_DROPPING, PUSH_UP_DEPTH, ELBOWS_FLARED),
    "side_plank": (
        Rule(
            "hips_sagging",
            "hips stay on the line from shoulders to feet",
            SIDE_VIEW_BODY_LINE,
            m.body_line_deviation_deg,
            SIDE_PLANK_TOLERANCE_DEG,
            "above",
            "Hips dropping toward the floor",
            "Push the floor away and lift your hips until your body is one straight line",
            "medium",
            "McGill, Childs & Liebenson 1999 (Arch Phys Med Rehabil 80:941), side bridge",
            view="front",
        ),
    ),
    "hip_thrust": (
        Rule(
            "incomplete_hip_extension",
            "hips fully extended at the top",
            ("shoulder", "hip", "knee"),
            m.hip_angle_deg,
            HIP_EXTENSION_TOP_MIN_DEG,
            "below",
            "Hips not fully extended at the top",
            "Drive through your heels and squeeze your glutes until shoulders, hips and knees are in line",
            "medium",
            "Contreras et al. 2015 (J Appl Biomech 31:452)",
            view="side",
            scope="rep",
        ),
    ),
    "sit_up": (
        Rule(
            "partial_range_of_motion",
            "trunk comes up to about vertical",
            ("shoulder", "hip", "knee"),
            m.hip_angle_deg,
            SIT_UP_TOP_HIP_MAX_DEG,
            "above",
            "Not sitting all the way up",
            "Curl up until your chest is over your thighs",
            "low",
            "ACSM Guidelines (11th ed.); Axler & McGill 1997 (Med Sci Sports Exerc 29:804)",
            view="side",
            scope="rep",
        ),
    ),
    "crunch": (
        Rule(
            "pulling_on_neck",
            "neck stays neutral while the trunk curls",
            ("ear", "shoulder", "hip"),
            m.neck_flexion_deg,
            CRUNCH_MAX_NECK_FLEXION_DEG,
            "above",
            "Pulling your head forward",
            "Keep a fist's space between chin and chest; lift with your abs, not your hands",
            "medium",
            "NSCA Essentials (4th ed.): neutral neck in abdominal work",
            view="side",
        ),
    ),
}
FLOOR_RULES["incline_push_up"] = FLOOR_RULES["push_up"]
FLOOR_RULES["glute_bridge"] = FLOOR_RULES["hip_thrust"]
