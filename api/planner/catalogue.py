"""The exercise catalogue: our own wording; MET values from the Compendium of Physical Activities (Ainsworth 2011).

Each row: label, name, primary muscles, secondary muscles, equipment (all of it needed), movement pattern, level,
MET, contraindicated body regions, easier variant, harder variant, cues, and how a set is measured (reps, seconds
held, or minutes for steady cardio). Posture checks live with the vision code (`api.ml.posture`), not here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from api.exceptions import NotFound
from api.vocabulary import BODY_REGIONS, EQUIPMENT

MUSCLE_GROUPS = (
    "chest", "back", "lower_back", "shoulders", "biceps", "triceps", "forearms", "core", "glutes", "quadriceps", "hamstrings",
    "calves", "hips", "cardio",
)  # fmt: skip
PATTERNS = (
    "squat", "hinge", "lunge", "push_horizontal", "push_vertical", "pull_horizontal", "pull_vertical", "carry",
    "core", "cardio", "mobility", "balance", "isolation",
)  # fmt: skip
LEVELS = ("beginner", "intermediate", "advanced")
MEASURES = ("reps", "seconds", "minutes")
SUPPORT_EQUIPMENT = frozenset({"body_only", "pull_up_bar", "bench", "box", "stability_ball"})
__all__ = [
    "BODY_REGIONS", "CATALOGUE", "EQUIPMENT", "LEVELS", "MEASURES", "MUSCLE_GROUPS", "PATTERNS", "Exercise",
    "easier_chain", "filter_exercises", "get_exercise", "is_safe_for", "usable_with",
]  # fmt: skip


@dataclass(frozen=True)
class Exercise:
    label: str
    name: str
    primary_muscles: tuple[str, ...]
    secondary_muscles: tuple[str, ...]
    equipment: tuple[str, ...]
    pattern: str
    level: str
    met: float
    contraindications: tuple[str, ...]
    easier: str | None
    harder: str | None
    cues: tuple[str, ...]
    measure: str = "reps"

    @property
    def is_bodyweight(self) -> bool:
        """The body is the load: nothing but support (a bar to hang from, a bench, a box, a ball) is needed."""
        return set(self.equipment) <= SUPPORT_EQUIPMENT

    def to_dict(self) -> dict:
        data = asdict(self)
        data["is_bodyweight"] = self.is_bodyweight
        return data


def _e(label, name, primary, secondary, equipment, pattern, level, met, contra, easier, harder, cues, measure="reps"):
    return Exercise(
        label, name, tuple(primary.split()), tuple(secondary.split()), tuple(equipment.split()), pattern, level, met,
        tuple(contra.split()), easier, harder, tuple(cues), measure,
    )  # fmt: skip


# Compendium 2011 codes used: 02050 resistance training, vigorous 6.0; 02052 squats 5.0; 02054 resistance
# training, 8-15 reps, moderate 3.5; 02020 calisthenics, vigorous 8.0; 02022 moderate 3.8; 02024 light 2.8;
# 02101 mild stretching 2.3; 17190 walking 2.8-3.2 mph 3.5; 17200 3.5 mph 4.3; 12020 jogging 7.0;
# 02012 stationary cycling 51-89 W 4.8; 02071 rowing machine, moderate 4.8; 17020 carrying a load 5.0;
# walking uphill at a 1-5% grade 5.3.
# Balance drills have no entry of their own: they are scored as mild stretching (2.3).
_ROWS = [
    # squat pattern
    _e("squat", "Barbell back squat", "quadriceps glutes", "hamstrings core", "barbell", "squat", "intermediate", 6.0, "knee lower_back", "goblet_squat", "front_squat", ("Brace before you descend", "Knees track over toes", "Thighs at least parallel")),
    _e("front_squat", "Front squat", "quadriceps glutes", "core", "barbell", "squat", "advanced", 6.0, "knee wrist lower_back", "squat", None, ("Elbows high", "Stay upright")),
    _e("goblet_squat", "Goblet squat", "quadriceps glutes", "core", "dumbbell", "squat", "beginner", 5.0, "knee", "bodyweight_squat", "squat", ("Hold the weight at your chest", "Sit between your heels")),
    _e("bodyweight_squat", "Bodyweight squat", "quadriceps glutes", "core", "body_only", "squat", "beginner", 5.0, "knee", "box_squat", "goblet_squat", ("Weight on mid-foot", "Chest up")),
    _e("box_squat", "Box squat", "quadriceps glutes", "hamstrings", "box", "squat", "beginner", 5.0, "", "chair_squat", "bodyweight_squat", ("Touch the box lightly", "Stand tall at the top")),
    _e("chair_squat", "Sit-to-stand from a chair", "quadriceps glutes", "", "body_only", "squat", "beginner", 3.5, "", None, "box_squat", ("Feet under knees", "Stand without using your hands")),
    _e("leg_press", "Leg press", "quadriceps glutes", "hamstrings", "machine", "squat", "beginner", 5.0, "knee", "chair_squat", "squat", ("Lower back stays on the pad", "Do not lock the knees hard")),
    _e("wall_sit", "Wall sit", "quadriceps", "glutes", "body_only", "squat", "beginner", 3.8, "knee", "chair_squat", "bodyweight_squat", ("Back flat on the wall", "Knees over ankles"), "seconds"),
    _e("box_jump", "Box jump", "quadriceps glutes calves", "hamstrings", "box", "squat", "advanced", 8.0, "knee ankle", "bodyweight_squat", None, ("Land softly", "Step down, do not jump down")),
    _e("jump_squat", "Jump squat", "quadriceps glutes calves", "", "body_only", "squat", "intermediate", 8.0, "knee ankle", "bodyweight_squat", "box_jump", ("Land softly with bent knees",)),
    # hinge
    _e("deadlift", "Barbell deadlift", "hamstrings glutes lower_back", "back core forearms", "barbell", "hinge", "intermediate", 6.0, "lower_back", "romanian_deadlift", None, ("Bar over mid-foot", "Neutral spine", "Push the floor away")),
    _e("romanian_deadlift", "Romanian deadlift", "hamstrings glutes", "lower_back", "barbell", "hinge", "intermediate", 6.0, "lower_back", "dumbbell_romanian_deadlift", "deadlift", ("Soft knees", "Hips back", "Bar close to the legs")),
    _e("dumbbell_romanian_deadlift", "Dumbbell Romanian deadlift", "hamstrings glutes", "lower_back", "dumbbell", "hinge", "beginner", 3.5, "lower_back", "glute_bridge", "romanian_deadlift", ("Hips back", "Flat back")),
    _e("kettlebell_swing", "Kettlebell swing", "glutes hamstrings", "core shoulders", "kettlebell", "hinge", "intermediate", 8.0, "lower_back", "glute_bridge", None, ("Snap the hips", "Arms are ropes")),
    _e("hip_thrust", "Barbell hip thrust", "glutes", "hamstrings", "barbell bench", "hinge", "intermediate", 3.5, "", "glute_bridge", None, ("Chin tucked", "Shins vertical at the top")),
    _e("good_morning", "Good morning", "hamstrings glutes lower_back", "", "barbell", "hinge", "advanced", 6.0, "lower_back", "romanian_deadlift", None, ("Light load", "Hinge at the hips")),
    _e("glute_bridge", "Glute bridge", "glutes", "hamstrings core", "body_only", "hinge", "beginner", 3.5, "", None, "single_leg_glute_bridge", ("Squeeze the glutes", "Ribs down")),
    _e("single_leg_glute_bridge", "Single-leg glute bridge", "glutes", "hamstrings core", "body_only", "hinge", "intermediate", 3.8, "", "glute_bridge", "hip_thrust", ("Hips level",)),
    _e("back_extension", "Back extension", "lower_back glutes", "hamstrings", "machine", "hinge", "beginner", 3.5, "lower_back", "bird_dog", None, ("Move from the hips", "Do not hyperextend")),
    _e("leg_curl", "Lying leg curl", "hamstrings", "calves", "machine", "isolation", "beginner", 3.5, "", None, None, ("Hips on the pad", "Control the lowering")),
    _e("leg_extension", "Machine leg extension", "quadriceps", "", "machine", "isolation", "beginner", 3.5, "knee", None, None, ("Pad just above the ankles", "Knees in line with the machine's pivot", "Control the lowering")),
    _e("clean_snatch", "Power clean", "glutes hamstrings quadriceps lower_back", "back shoulders", "barbell", "hinge", "advanced", 6.0, "lower_back wrist shoulder", "kettlebell_swing", None, ("Bar close", "Explode from the hips")),
    # lunge
    _e("lunge", "Forward lunge", "quadriceps glutes", "hamstrings", "body_only", "lunge", "beginner", 3.8, "knee", "split_squat", "walking_lunge", ("Long step", "Back knee towards the floor")),
    _e("split_squat", "Split squat", "quadriceps glutes", "hamstrings", "body_only", "lunge", "beginner", 3.8, "knee", "step_up", "lunge", ("Torso upright", "Front heel down")),
    _e("walking_lunge", "Walking lunge", "quadriceps glutes", "hamstrings", "dumbbell", "lunge", "intermediate", 5.0, "knee", "lunge", "bulgarian_split_squat", ("Step through", "Stay tall")),
    _e("bulgarian_split_squat", "Bulgarian split squat", "quadriceps glutes", "hamstrings", "bench", "lunge", "advanced", 5.0, "knee", "split_squat", None, ("Back foot on a bench", "Front knee over foot")),
    _e("step_up", "Step-up", "quadriceps glutes", "calves", "box", "lunge", "beginner", 3.8, "", None, "lunge", ("Whole foot on the box", "Drive through the heel")),
    _e("lateral_lunge", "Lateral lunge", "quadriceps glutes hips", "", "body_only", "lunge", "intermediate", 3.8, "knee hip", "split_squat", None, ("Sit into one hip", "Other leg straight")),
    # push horizontal
    _e("bench_press", "Barbell bench press", "chest triceps", "shoulders", "barbell bench", "push_horizontal", "intermediate", 6.0, "shoulder", "dumbbell_bench_press", None, ("Shoulder blades pinched", "Bar to lower chest", "Feet planted")),
    _e("dumbbell_bench_press", "Dumbbell bench press", "chest triceps", "shoulders", "dumbbell bench", "push_horizontal", "beginner", 3.5, "shoulder", "push_up", "bench_press", ("Elbows about 45 degrees", "Control the lowering")),
    _e("incline_bench_press", "Incline bench press", "chest shoulders", "triceps", "barbell bench", "push_horizontal", "intermediate", 6.0, "shoulder", "dumbbell_bench_press", None, ("Bench at 30-45 degrees",)),
    _e("decline_bench_press", "Decline bench press", "chest", "triceps", "barbell bench", "push_horizontal", "advanced", 6.0, "shoulder", "bench_press", None, ("Feet secured", "Bar to lower chest")),
    _e("push_up", "Push-up", "chest triceps", "shoulders core", "body_only", "push_horizontal", "beginner", 3.8, "wrist shoulder", "knee_push_up", "decline_push_up", ("Body in one straight line", "Chest to fist height")),
    _e("knee_push_up", "Knee push-up", "chest triceps", "shoulders core", "body_only", "push_horizontal", "beginner", 2.8, "wrist", "incline_push_up", "push_up", ("Straight line from knees to shoulders",)),
    _e("incline_push_up", "Incline push-up", "chest triceps", "shoulders", "body_only", "push_horizontal", "beginner", 2.8, "", "wall_push_up", "knee_push_up", ("Hands on a bench or table", "Body straight")),
    _e("wall_push_up", "Wall push-up", "chest triceps", "shoulders", "body_only", "push_horizontal", "beginner", 2.8, "", None, "incline_push_up", ("Hands at shoulder height on the wall",)),
    _e("decline_push_up", "Decline push-up", "chest shoulders triceps", "core", "body_only", "push_horizontal", "advanced", 3.8, "wrist shoulder", "push_up", None, ("Feet on a bench", "Do not sag")),
    _e("chest_fly", "Dumbbell chest fly", "chest", "shoulders", "dumbbell bench", "isolation", "intermediate", 3.5, "shoulder", "band_chest_press", None, ("Slight elbow bend", "Stretch, do not overstretch")),
    _e("band_chest_press", "Band chest press", "chest triceps", "shoulders", "band", "push_horizontal", "beginner", 3.5, "", "wall_push_up", "push_up", ("Band behind the back", "Press straight ahead")),
    # push vertical
    _e("shoulder_press", "Overhead press", "shoulders triceps", "core", "barbell", "push_vertical", "intermediate", 6.0, "shoulder lower_back", "dumbbell_shoulder_press", None, ("Squeeze glutes", "Bar over mid-foot")),
    _e("dumbbell_shoulder_press", "Seated dumbbell shoulder press", "shoulders triceps", "", "dumbbell bench", "push_vertical", "beginner", 3.5, "shoulder", "band_shoulder_press", "shoulder_press", ("Back on the bench", "Press up and slightly in")),
    _e("band_shoulder_press", "Band shoulder press", "shoulders triceps", "", "band", "push_vertical", "beginner", 3.5, "shoulder", None, "dumbbell_shoulder_press", ("Stand on the band", "Ribs down")),
    _e("pike_push_up", "Pike push-up", "shoulders triceps", "core", "body_only", "push_vertical", "intermediate", 3.8, "shoulder wrist neck", "incline_push_up", None, ("Hips high", "Head between the hands")),
    _e("dips", "Parallel-bar dips", "triceps chest", "shoulders", "machine", "push_vertical", "advanced", 3.8, "shoulder elbow", "bench_dip", None, ("Lean slightly forward", "Upper arm to parallel")),
    _e("bench_dip", "Bench dip", "triceps", "chest shoulders", "bench", "isolation", "intermediate", 3.8, "shoulder wrist elbow", "triceps_pushdown", "dips", ("Hips close to the bench",)),
    _e("lateral_raise", "Dumbbell lateral raise", "shoulders", "", "dumbbell", "isolation", "beginner", 3.5, "shoulder", "band_lateral_raise", None, ("Lead with the elbows", "Stop at shoulder height")),
    _e("front_raise", "Dumbbell front raise", "shoulders", "chest", "dumbbell", "isolation", "beginner", 3.5, "shoulder", "band_lateral_raise", None, ("Raise to shoulder height, no higher", "No swinging from the hips")),
    _e("band_lateral_raise", "Band lateral raise", "shoulders", "", "band", "isolation", "beginner", 2.8, "", None, "lateral_raise", ("Slow and controlled",)),
    _e("upright_row", "Upright row", "shoulders", "back biceps", "barbell", "isolation", "intermediate", 3.5, "shoulder wrist", "lateral_raise", None, ("Elbows no higher than shoulders", "Wide grip")),
    _e("shrug", "Dumbbell shrug", "back", "forearms", "dumbbell", "isolation", "beginner", 3.5, "neck", None, None, ("Straight up, no rolling",)),
    # pull
    _e("pull_up", "Pull-up", "back biceps", "forearms core", "pull_up_bar", "pull_vertical", "advanced", 3.8, "shoulder elbow", "assisted_pull_up", None, ("Dead hang start", "Chin over the bar")),
    _e("assisted_pull_up", "Band-assisted pull-up", "back biceps", "forearms", "pull_up_bar band", "pull_vertical", "intermediate", 3.8, "shoulder", "lat_pulldown", "pull_up", ("Knee in the band", "Full range")),
    _e("chin_up", "Chin-up", "back biceps", "forearms", "pull_up_bar", "pull_vertical", "advanced", 3.8, "shoulder elbow", "assisted_pull_up", None, ("Palms towards you",)),
    _e("lat_pulldown", "Lat pulldown", "back biceps", "forearms", "cable", "pull_vertical", "beginner", 3.5, "shoulder", "band_pulldown", "assisted_pull_up", ("Pull to the upper chest", "No swinging")),
    _e("band_pulldown", "Band pulldown", "back", "biceps", "band", "pull_vertical", "beginner", 2.8, "", None, "lat_pulldown", ("Anchor high", "Elbows to the ribs")),
    _e("dead_hang", "Dead hang", "forearms back", "shoulders", "pull_up_bar", "pull_vertical", "beginner", 2.8, "shoulder", None, "assisted_pull_up", ("Shoulders away from the ears", "Feet on a box if you need help"), "seconds"),
    _e("row", "Barbell bent-over row", "back biceps", "forearms lower_back", "barbell", "pull_horizontal", "intermediate", 6.0, "lower_back", "dumbbell_row", None, ("Flat back", "Pull to the belly")),
    _e("t_bar_row", "T-bar row", "back biceps", "forearms lower_back", "barbell", "pull_horizontal", "intermediate", 6.0, "lower_back", "dumbbell_row", None, ("Hinge with a flat back", "Pull the handle to the chest")),
    _e("dumbbell_row", "One-arm dumbbell row", "back biceps", "forearms", "dumbbell bench", "pull_horizontal", "beginner", 3.5, "", "band_row", "row", ("Hand and knee on the bench", "Elbow to the hip")),
    _e("seated_cable_row", "Seated cable row", "back biceps", "forearms", "cable", "pull_horizontal", "beginner", 3.5, "", "band_row", "row", ("Tall chest", "Shoulder blades together")),
    _e("band_row", "Band row", "back biceps", "", "band", "pull_horizontal", "beginner", 2.8, "", None, "dumbbell_row", ("Squeeze the shoulder blades",)),
    _e("inverted_row", "Inverted row", "back biceps", "core", "pull_up_bar", "pull_horizontal", "intermediate", 3.8, "shoulder", "band_row", "pull_up", ("Body straight", "Chest to the bar")),
    _e("doorway_row", "Door-frame row", "back biceps", "forearms", "body_only", "pull_horizontal", "beginner", 2.8, "", None, "inverted_row", ("Hold a sturdy door frame with both hands", "Lean back, pull your chest to the frame")),
    _e("prone_y_raise", "Prone Y raise", "back shoulders", "", "body_only", "pull_horizontal", "beginner", 2.8, "", None, "band_row", ("Thumbs up", "Lift from the shoulder blades")),
    _e("face_pull", "Face pull", "shoulders back", "", "cable", "pull_horizontal", "beginner", 3.5, "", "band_row", None, ("Pull to the eyes", "Elbows high")),
    # arms
    _e("biceps_curl", "Dumbbell biceps curl", "biceps", "forearms", "dumbbell", "isolation", "beginner", 3.5, "elbow", "band_curl", None, ("Elbows by your sides", "No swinging")),
    _e("hammer_curl", "Hammer curl", "biceps forearms", "", "dumbbell", "isolation", "beginner", 3.5, "elbow", "band_curl", None, ("Thumbs up", "Slow lowering")),
    _e("band_curl", "Band curl", "biceps", "forearms", "band", "isolation", "beginner", 2.8, "", None, "biceps_curl", ("Stand on the band",)),
    _e("triceps_extension", "Overhead triceps extension", "triceps", "", "dumbbell", "isolation", "beginner", 3.5, "elbow shoulder", "band_triceps_extension", None, ("Elbows point up", "Full stretch")),
    _e("triceps_pushdown", "Cable triceps pushdown", "triceps", "", "cable", "isolation", "beginner", 3.5, "elbow", "band_triceps_extension", None, ("Elbows pinned", "Lock out at the bottom")),
    _e("band_triceps_extension", "Band triceps extension", "triceps", "", "band", "isolation", "beginner", 2.8, "", None, "triceps_extension", ("Elbows still",)),
    _e("calf_raise", "Standing calf raise", "calves", "", "body_only", "isolation", "beginner", 3.5, "ankle", None, None, ("Full stretch at the bottom", "Pause at the top")),
    _e("clamshell", "Clamshell", "glutes", "hips", "body_only", "isolation", "beginner", 2.3, "", None, "lateral_band_walk", ("Heels together", "Open the knee without rolling back")),
    _e("lateral_band_walk", "Lateral band walk", "glutes", "hips", "band", "isolation", "beginner", 2.8, "", "clamshell", None, ("Band above the knees", "Knees pushed out, small steps")),
    # core
    _e("plank", "Plank", "core", "shoulders glutes", "body_only", "core", "beginner", 3.8, "shoulder", "knee_plank", "side_plank", ("Straight line from head to heels", "Squeeze glutes"), "seconds"),
    _e("knee_plank", "Plank on the knees", "core", "", "body_only", "core", "beginner", 2.8, "", "dead_bug", "plank", ("Straight line from knees to head",), "seconds"),
    _e("side_plank", "Side plank", "core", "glutes shoulders", "body_only", "core", "intermediate", 3.8, "shoulder", "knee_plank", None, ("Hips up", "Body in one line"), "seconds"),
    _e("dead_bug", "Dead bug", "core", "", "body_only", "core", "beginner", 2.8, "", None, "plank", ("Lower back pressed down", "Move slowly")),
    _e("bird_dog", "Bird dog", "core lower_back", "glutes", "body_only", "core", "beginner", 2.8, "", None, "dead_bug", ("Reach long", "Hips level")),
    _e("crunch", "Crunch", "core", "", "body_only", "core", "beginner", 2.8, "neck lower_back", "dead_bug", "sit_up", ("Ribs to hips", "Do not pull the head")),
    _e("leg_raise", "Leg raise", "core hips", "", "body_only", "core", "intermediate", 3.8, "lower_back", "dead_bug", None, ("Lower back pressed down", "Lower the legs slowly, without swinging")),
    _e("sit_up", "Sit-up", "core", "hips", "body_only", "core", "intermediate", 3.8, "lower_back neck", "crunch", None, ("Roll up one vertebra at a time",)),
    _e("russian_twist", "Russian twist", "core", "", "body_only", "core", "intermediate", 3.8, "lower_back", "dead_bug", None, ("Rotate from the ribs", "Tall spine")),
    _e("mountain_climber", "Mountain climber", "core cardio", "shoulders hips", "body_only", "cardio", "intermediate", 8.0, "wrist shoulder", "march_in_place", "burpee", ("Hips level", "Quick feet"), "seconds"),
    _e("medicine_ball_slam", "Medicine ball slam", "core shoulders back", "glutes", "medicine_ball", "core", "intermediate", 6.0, "lower_back shoulder", "dead_bug", None, ("Reach tall, then slam with the whole body", "Hinge to pick it up")),
    _e("medicine_ball_chest_pass", "Medicine ball chest pass", "chest triceps", "shoulders", "medicine_ball", "push_horizontal", "intermediate", 6.0, "wrist shoulder", "push_up", None, ("Throw against a solid wall", "Catch with soft elbows")),
    _e("farmer_carry", "Farmer carry", "forearms core", "back shoulders", "dumbbell", "carry", "beginner", 5.0, "", None, None, ("Tall posture", "Short steps"), "seconds"),
    # cardio
    _e("walking", "Walking", "cardio", "calves", "body_only", "cardio", "beginner", 3.5, "", None, "brisk_walking", ("Steady pace you can talk at",), "minutes"),
    _e("brisk_walking", "Brisk walking", "cardio", "calves", "body_only", "cardio", "beginner", 4.3, "", "walking", "jogging", ("Breathing harder, still able to talk",), "minutes"),
    _e("jogging", "Jogging", "cardio", "calves quadriceps", "body_only", "cardio", "intermediate", 7.0, "knee ankle", "brisk_walking", None, ("Easy pace", "Short, light steps"), "minutes"),
    _e("cycling", "Stationary cycling", "cardio", "quadriceps", "bike", "cardio", "beginner", 4.8, "", "walking", None, ("Moderate resistance",), "minutes"),
    _e("rowing_machine", "Rowing machine", "cardio", "back quadriceps", "rower", "cardio", "beginner", 4.8, "lower_back", "cycling", None, ("Legs, body, arms",), "minutes"),
    _e("jumping_jack", "Jumping jack", "cardio", "calves shoulders", "body_only", "cardio", "beginner", 8.0, "knee ankle", "march_in_place", "burpee", ("Land softly",), "seconds"),
    _e("march_in_place", "Marching in place", "cardio", "hips", "body_only", "cardio", "beginner", 3.5, "", None, "jumping_jack", ("Knees up", "Arms swing"), "minutes"),
    _e("incline_walking", "Incline treadmill walk", "cardio", "calves glutes", "treadmill", "cardio", "beginner", 5.3, "", "brisk_walking", "jogging", ("Do not hold the rails", "1-5% incline"), "minutes"),
    _e("burpee", "Burpee", "cardio chest quadriceps", "core", "body_only", "cardio", "advanced", 8.0, "knee wrist shoulder lower_back", "mountain_climber", None, ("Chest to the floor", "Jump tall")),
    # mobility and balance
    _e("cat_cow", "Cat-cow", "back core", "", "body_only", "mobility", "beginner", 2.3, "", None, None, ("Move with the breath",), "seconds"),
    _e("hip_flexor_stretch", "Half-kneeling hip flexor stretch", "hips", "quadriceps", "body_only", "mobility", "beginner", 2.3, "knee", None, None, ("Tuck the pelvis",), "seconds"),
    _e("hamstring_stretch", "Hamstring stretch", "hamstrings", "", "body_only", "mobility", "beginner", 2.3, "", None, None, ("Hinge, do not round",), "seconds"),
    _e("thoracic_rotation", "Thoracic rotation", "back", "shoulders", "body_only", "mobility", "beginner", 2.3, "", None, None, ("Rotate from the upper back",), "seconds"),
    _e("arm_circles", "Arm circles", "shoulders", "", "body_only", "mobility", "beginner", 2.3, "", None, None, ("Small to large circles",), "seconds"),
    _e("leg_swings", "Leg swings", "hips", "hamstrings", "body_only", "mobility", "beginner", 2.3, "", None, None, ("Hold a wall", "Relaxed swing"), "seconds"),
    _e("ankle_mobility", "Knee-to-wall ankle mobilisation", "calves", "", "body_only", "mobility", "beginner", 2.3, "", None, None, ("Heel stays down", "Knee over the little toe"), "seconds"),
    _e("hip_hinge", "Dowel hip hinge", "hamstrings glutes", "lower_back", "body_only", "mobility", "beginner", 2.3, "", None, "dumbbell_romanian_deadlift", ("A broom handle touches head, back and tailbone", "Push the hips back"), "seconds"),
    _e("chest_stretch", "Doorway chest stretch", "chest", "shoulders", "body_only", "mobility", "beginner", 2.3, "", None, None, ("Forearm on the frame", "Step through gently"), "seconds"),
    _e("quad_stretch", "Standing quad stretch", "quadriceps", "hips", "body_only", "mobility", "beginner", 2.3, "knee", None, None, ("Hold a wall", "Knees together"), "seconds"),
    _e("hip_circles", "Hip circles", "hips", "glutes", "body_only", "mobility", "beginner", 2.3, "", None, None, ("Hands on hips", "Big slow circles"), "seconds"),
    _e("single_leg_stance", "Single-leg stance", "hips", "calves core", "body_only", "balance", "beginner", 2.3, "", "tandem_stance", "single_leg_reach", ("Hold a chair if needed", "30 seconds a side"), "seconds"),
    _e("tandem_stance", "Heel-to-toe stance", "hips", "calves core", "body_only", "balance", "beginner", 2.3, "", None, "tandem_walk", ("One foot right in front of the other", "Near a wall or counter"), "seconds"),
    _e("tandem_walk", "Heel-to-toe (tandem) walk", "hips", "calves core", "body_only", "balance", "beginner", 2.3, "", "single_leg_stance", None, ("Eyes ahead", "Heel touches toe"), "seconds"),
    _e("sideways_walk", "Sideways walking", "hips", "glutes calves", "body_only", "balance", "beginner", 2.3, "", None, "tandem_walk", ("Toes forward", "Steady steps along a counter"), "seconds"),
    _e("backward_walk", "Backward walking", "hips", "calves hamstrings", "body_only", "balance", "beginner", 2.3, "", "sideways_walk", None, ("Clear path", "Look ahead, step heel last"), "seconds"),
    _e("single_leg_reach", "Single-leg reach", "hips glutes", "core calves", "body_only", "balance", "intermediate", 2.3, "ankle", "single_leg_stance", None, ("Standing knee soft", "Reach slowly forward, sideways, back"), "seconds"),
]  # fmt: skip

CATALOGUE: dict[str, Exercise] = {exercise.label: exercise for exercise in _ROWS}
EQUIPMENT_IN_CATALOGUE = tuple(sorted({item for exercise in _ROWS for item in exercise.equipment}))


def get_exercise(label: str) -> Exercise:
    """One exercise by label; `NotFound` otherwise."""
    try:
        return CATALOGUE[label]
    except KeyError:
        raise NotFound(f"unknown exercise {label!r}", code="unknown_exercise") from None


def filter_exercises(
    muscle: str | None = None, equipment: str | None = None, pattern: str | None = None, level: str | None = None
) -> list[Exercise]:
    """Exercises matching every filter given, sorted by label."""
    rows = []
    for exercise in CATALOGUE.values():
        if muscle and muscle not in exercise.primary_muscles + exercise.secondary_muscles:
            continue
        if equipment and equipment not in exercise.equipment:
            continue
        if pattern and exercise.pattern != pattern:
            continue
        if level and exercise.level != level:
            continue
        rows.append(exercise)
    return sorted(rows, key=lambda e: e.label)


def easier_chain(exercise: Exercise) -> list[Exercise]:
    """The easier variants one after another, stopping before any loop."""
    chain: list[Exercise] = []
    while exercise.easier and exercise.easier not in {e.label for e in chain} | {exercise.label}:
        exercise = CATALOGUE[exercise.easier]
        chain.append(exercise)
    return chain


def usable_with(exercise: Exercise, equipment: set[str]) -> bool:
    """Whether everything the exercise needs is at hand (body weight always is)."""
    return all(item == "body_only" or item in equipment for item in exercise.equipment)


def is_safe_for(exercise: Exercise, limitations: set[str]) -> bool:
    return not (set(exercise.contraindications) & limitations)
