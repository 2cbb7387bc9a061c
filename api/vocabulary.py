"""The controlled vocabularies and ranges of the profile, shared by the API, the planner and the app."""

SEXES = ("female", "male", "other")
FITNESS_LEVELS = ("beginner", "intermediate", "advanced")
GOALS = ("strength", "hypertrophy", "endurance", "weight_loss", "general_fitness", "rehabilitation")
EQUIPMENT = (
    "body_only",
    "barbell",
    "dumbbell",
    "kettlebell",
    "cable",
    "machine",
    "band",
    "bench",
    "pull_up_bar",
    "box",
    "medicine_ball",
    "stability_ball",
    "rower",
    "bike",
    "treadmill",
)
BODY_REGIONS = ("knee", "lower_back", "shoulder", "wrist", "hip", "ankle", "neck", "elbow")

PROFILE_RANGES = {
    "age": (13, 100, int),
    "height_cm": (100, 250, float),
    "weight_kg": (25, 350, float),
    "days_per_week": (1, 7, int),
    "session_minutes": (10, 180, int),
}
PROFILE_CHOICES = {"sex": SEXES, "fitness_level": FITNESS_LEVELS, "goal": GOALS}
PROFILE_LIST_CHOICES = {"equipment": EQUIPMENT, "limitations": BODY_REGIONS}
PROFILE_FIELDS = (*PROFILE_RANGES, *PROFILE_CHOICES, *PROFILE_LIST_CHOICES)
