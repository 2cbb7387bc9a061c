"""The exercise catalogue: coverage, controlled vocabularies, variant chains and filters."""

import pytest

from api.exceptions import NotFound
from api.ml.recognition import LABELS
from api.planner.catalogue import (
    BODY_REGIONS,
    CATALOGUE,
    EQUIPMENT,
    LEVELS,
    MEASURES,
    MUSCLE_GROUPS,
    PATTERNS,
    SUPPORT_EQUIPMENT,
    easier_chain,
    filter_exercises,
    get_exercise,
)

# The recognition labels come from `api.ml.recognition.LABELS`; these are the others the issue names.
PINNED = {
    "plank", "jumping_jack", "mountain_climber", "burpee", "sit_up", "glute_bridge", "wall_sit", "bird_dog",
    "dead_bug", "side_plank", "incline_push_up", "knee_push_up", "goblet_squat", "box_squat", "chair_squat",
    "step_up", "split_squat", "walking", "brisk_walking", "cycling", "jogging", "rowing_machine",
    "single_leg_stance", "tandem_walk", "tandem_stance",
}  # fmt: skip


def test_catalogue_covers_the_recognition_labels_and_the_pinned_exercises():
    assert len(CATALOGUE) >= 80
    assert set(LABELS) <= set(CATALOGUE)
    assert set(PINNED) <= set(CATALOGUE)
    for pattern in ("mobility", "balance", "cardio"):
        assert len(filter_exercises(pattern=pattern)) >= 5, pattern


def test_every_exercise_uses_the_controlled_vocabularies():
    for exercise in CATALOGUE.values():
        assert set(exercise.primary_muscles) and set(exercise.primary_muscles + exercise.secondary_muscles) <= set(
            MUSCLE_GROUPS
        ), exercise.label
        assert exercise.equipment and set(exercise.equipment) <= set(EQUIPMENT), exercise.label
        assert set(exercise.contraindications) <= set(BODY_REGIONS), exercise.label
        assert exercise.pattern in PATTERNS and exercise.level in LEVELS and exercise.measure in MEASURES
        assert 1.5 <= exercise.met <= 12 and exercise.cues and all(cue.strip() for cue in exercise.cues)
        assert exercise.to_dict()["is_bodyweight"] == (set(exercise.equipment) <= SUPPORT_EQUIPMENT)
    assert CATALOGUE["pull_up"].is_bodyweight and not CATALOGUE["bench_press"].is_bodyweight


def test_variant_references_resolve_and_easier_chains_end():
    for exercise in CATALOGUE.values():
        for reference in (exercise.easier, exercise.harder):
            assert reference is None or (reference in CATALOGUE and reference != exercise.label), exercise.label
        chain = easier_chain(exercise)
        assert len({e.label for e in chain}) == len(chain) and exercise not in chain
        assert all(LEVELS.index(e.level) <= LEVELS.index(exercise.level) for e in chain[:1]), exercise.label


def test_filters_combine_and_unknown_labels_are_not_found():
    rows = filter_exercises(muscle="chest", equipment="dumbbell", level="beginner")
    assert rows and all(
        "chest" in e.primary_muscles + e.secondary_muscles and "dumbbell" in e.equipment and e.level == "beginner"
        for e in rows
    )
    assert [e.label for e in rows] == sorted(e.label for e in rows)
    assert {e.label for e in filter_exercises(pattern="balance")} >= {"single_leg_stance", "tandem_walk"}
    assert get_exercise("squat").name == "Barbell back squat"
    with pytest.raises(NotFound) as raised:
        get_exercise("juggling")
    assert raised.value.code == "unknown_exercise"
