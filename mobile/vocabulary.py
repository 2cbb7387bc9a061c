"""The API's profile vocabulary (api/vocabulary.py), repeated because the app does not ship the server package;
a test keeps the two equal."""

SEXES = ("female", "male", "other")
FITNESS_LEVELS = ("beginner", "intermediate", "advanced")
GOALS = ("strength", "hypertrophy", "endurance", "weight_loss", "general_fitness", "rehabilitation")
EQUIPMENT = ("body_only", "barbell", "dumbbell", "kettlebell", "cable", "machine", "band", "bench", "pull_up_bar",
             "box", "medicine_ball", "stability_ball", "rower", "bike", "treadmill")  # fmt: skip
BODY_REGIONS = ("knee", "lower_back", "shoulder", "wrist", "hip", "ankle", "neck", "elbow")
