"""The week's shape: strength days spread over the week, the split that fits them, each day's template of slots,
what can fill a slot, and the warm-up, cool-down, balance and corrective drills a day draws on."""

from __future__ import annotations

from api.planner.catalogue import CATALOGUE, Exercise

NON_HEAVY_PATTERNS = frozenset({"core", "carry", "mobility", "balance", "cardio"})
HARD_SET_PATTERNS_EXCLUDED = frozenset({"mobility", "balance", "cardio"})

# Strength days spread over the week (offsets from the start date): full-body days never follow each other and
# consecutive split days train different muscles.
STRENGTH_OFFSETS = {1: [0], 2: [0, 3], 3: [0, 2, 4], 4: [0, 1, 3, 4], 5: [0, 1, 2, 4, 5], 6: [0, 1, 2, 3, 4, 5]}
OTHER_DAY_PREFERENCE = (5, 1, 3, 6, 2, 4, 0)

# Day templates, most important slot first: a movement pattern, or `isolation:<muscle>`.
TEMPLATES = {
    "full_body_a": ("squat", "push_horizontal", "pull_horizontal", "hinge", "push_vertical", "core"),
    "full_body_b": ("hinge", "pull_vertical", "lunge", "push_horizontal", "isolation:biceps", "core"),
    "upper": ("push_horizontal", "pull_horizontal", "push_vertical", "pull_vertical", "isolation:biceps",
              "isolation:triceps"),
    "lower": ("squat", "hinge", "lunge", "isolation:hamstrings", "isolation:calves", "core"),
    "push": ("push_horizontal", "push_vertical", "isolation:chest", "isolation:shoulders", "isolation:triceps"),
    "pull": ("pull_vertical", "pull_horizontal", "isolation:back", "isolation:biceps", "core"),
    "legs": ("squat", "hinge", "lunge", "isolation:hamstrings", "isolation:calves"),
}  # fmt: skip
# ACSM 2009: power training puts explosive multi-joint lifts first, while fresh.
POWER_EXERCISES = ("clean_snatch", "box_jump", "kettlebell_swing", "medicine_ball_slam", "jump_squat",
                   "medicine_ball_chest_pass")  # fmt: skip
# When nothing fits a slot (equipment, limitations), the nearest pattern stands in.
SLOT_FALLBACK = {
    "lunge": "squat",
    "squat": "lunge",
    "pull_vertical": "pull_horizontal",
    "pull_horizontal": "pull_vertical",
    "push_vertical": "push_horizontal",
}
UPPER_MUSCLES = frozenset({"chest", "back", "shoulders", "biceps", "triceps", "forearms"})
LOWER_MUSCLES = frozenset({"glutes", "quadriceps", "hamstrings", "calves", "hips", "lower_back"})
TEMPLATE_MUSCLES = {
    "full_body_a": UPPER_MUSCLES | LOWER_MUSCLES,
    "full_body_b": UPPER_MUSCLES | LOWER_MUSCLES,
    "upper": UPPER_MUSCLES,
    "lower": LOWER_MUSCLES,
    "push": frozenset({"chest", "shoulders", "triceps"}),
    "pull": frozenset({"back", "biceps", "forearms"}),
    "legs": LOWER_MUSCLES,
}
SPLITS = {
    1: ("full_body", ["full_body_a"]),
    2: ("full_body", ["full_body_a", "full_body_b"]),
    3: ("full_body", ["full_body_a", "full_body_b", "full_body_a"]),
    4: ("upper_lower", ["upper", "lower", "upper", "lower"]),
    5: ("upper_lower_push_pull_legs", ["upper", "lower", "push", "pull", "legs"]),
    6: ("push_pull_legs", ["push", "pull", "legs", "push", "pull", "legs"]),
}
PULSE_RAISER = "march_in_place"
WARM_UP_MOBILITY = {
    "upper": ("arm_circles", "thoracic_rotation", "cat_cow"),
    "lower": ("leg_swings", "hip_circles", "ankle_mobility"),
    "full": ("leg_swings", "arm_circles", "cat_cow"),
}
COOL_DOWN_STRETCHES = {
    "upper": ("chest_stretch", "thoracic_rotation", "cat_cow"),
    "lower": ("hamstring_stretch", "hip_flexor_stretch", "quad_stretch"),
    "full": ("hamstring_stretch", "chest_stretch", "hip_flexor_stretch"),
}
BALANCE_ORDER = ("single_leg_stance", "tandem_stance", "tandem_walk", "sideways_walk", "backward_walk")
# Corrective work for the posture codes of `api.ml.posture`, then by movement pattern when no code is known.
CORRECTIVES = {
    "hips_sagging": ("dead_bug", "glute_bridge"),
    "hips_too_high": ("dead_bug", "knee_plank"),
    "head_dropping": ("bird_dog",),
    "insufficient_depth": ("ankle_mobility", "box_squat"),
    "knees_caving_in": ("glute_bridge", "clamshell"),
    "excessive_forward_lean": ("thoracic_rotation", "ankle_mobility"),
    "torso_leaning": ("dead_bug", "hip_flexor_stretch"),
    "incomplete_lockout": ("glute_bridge", "thoracic_rotation"),
    "excessive_back_arch": ("dead_bug", "plank"),
    "bar_drifting_forward": ("hip_hinge", "bird_dog"),
    "knees_too_bent": ("hip_hinge", "hamstring_stretch"),
    "insufficient_hinge": ("hip_hinge", "hamstring_stretch"),
    "incomplete_hip_extension": ("glute_bridge", "hip_flexor_stretch"),
    "elbows_drifting_forward": ("band_curl",),
    "chin_below_bar": ("dead_hang", "band_pulldown"),
}
PATTERN_CORRECTIVES = {
    "squat": ("glute_bridge", "ankle_mobility"),
    "lunge": ("single_leg_stance", "glute_bridge"),
    "hinge": ("hip_hinge", "bird_dog"),
    "push_horizontal": ("plank", "prone_y_raise"),
    "push_vertical": ("thoracic_rotation", "prone_y_raise"),
    "pull_horizontal": ("prone_y_raise", "bird_dog"),
    "pull_vertical": ("dead_hang", "prone_y_raise"),
    "core": ("dead_bug", "bird_dog"),
}
DEFAULT_CORRECTIVES = ("bird_dog", "dead_bug")


_CANDIDATES: dict[str, list[Exercise]] = {}


def slot_candidates(slot: str) -> list[Exercise]:
    """Catalogue exercises for a slot (a pattern, `isolation:<muscle>` or `power:<template>`), best first."""
    if slot not in _CANDIDATES:
        if slot.startswith("power:"):
            muscles = TEMPLATE_MUSCLES[slot.split(":")[1]]
            rows = [CATALOGUE[label] for label in POWER_EXERCISES if muscles & set(CATALOGUE[label].primary_muscles)]
        elif slot.startswith("isolation:"):
            muscle = slot.split(":")[1]
            rows = [e for e in CATALOGUE.values() if e.pattern == "isolation" and muscle in e.primary_muscles]
        else:
            rows = [e for e in CATALOGUE.values() if e.pattern == slot]
        _CANDIDATES[slot] = rows
    return _CANDIDATES[slot]


def fits_slot(slot: str, exercise: Exercise) -> bool:
    return exercise in slot_candidates(slot)


def worked_muscles(exercise: Exercise) -> frozenset[str]:
    return frozenset(exercise.primary_muscles)


def is_heavy(exercise: Exercise) -> bool:
    return exercise.pattern not in NON_HEAVY_PATTERNS


def counts_as_hard_sets(exercise: Exercise) -> bool:
    return exercise.pattern not in HARD_SET_PATTERNS_EXCLUDED
