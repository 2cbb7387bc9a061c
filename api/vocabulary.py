"""The controlled vocabularies and ranges shared by the API, the planner and the app: the profile's, the plan
goals, the body metrics' ranges, and the statuses of background jobs and analyses."""

SEXES = ("female", "male", "other")
FITNESS_LEVELS = ("beginner", "intermediate", "advanced")
PLAN_GOALS = ("strength", "hypertrophy", "endurance", "power", "weight_loss", "general_fitness", "rehabilitation")
# power is asked for per plan; a profile's goal is one of the others
PLAN_ONLY_GOALS = ("power",)
GOALS = tuple(goal for goal in PLAN_GOALS if goal not in PLAN_ONLY_GOALS)
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
BODY_METRIC_RANGES = {
    "weight_kg": PROFILE_RANGES["weight_kg"],
    "body_fat_pct": (2, 70, float),
    "waist_cm": (30, 250, float),
}
PROFILE_CHOICES = {"sex": SEXES, "fitness_level": FITNESS_LEVELS, "goal": GOALS}
PROFILE_LIST_CHOICES = {"equipment": EQUIPMENT, "limitations": BODY_REGIONS}
PROFILE_FIELDS = (*PROFILE_RANGES, *PROFILE_CHOICES, *PROFILE_LIST_CHOICES)

QUEUED, RUNNING = "queued", "running"
SUCCEEDED, FAILED, CANCELLED, INTERRUPTED = "succeeded", "failed", "cancelled", "interrupted"
ACTIVE_STATUSES = (QUEUED, RUNNING)
JOB_STATUSES = (*ACTIVE_STATUSES, SUCCEEDED, FAILED, CANCELLED, INTERRUPTED)
FINISHED_STATUSES = frozenset(JOB_STATUSES) - set(ACTIVE_STATUSES)
# an analysis is cancelled or interrupted with its job: it then fails
ANALYSIS_STATUSES = (*ACTIVE_STATUSES, SUCCEEDED, FAILED)
