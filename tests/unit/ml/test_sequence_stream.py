"""The streaming assessor: frames fed in pieces of any size, or saved and restored between pieces, give the same
reps and faults as the whole sequence at once; live faults rise and clear; holds are timed only with good form."""

import json

import numpy as np
import pytest

from api.exceptions import InvalidKeypoints
from api.ml.posture import SequenceAssessor, assess_sequence
from tests.unit.ml.skeletons import side_plank, side_push_up

FPS = 15.0
SIZE = (640, 480)


def push_ups(reps: int, hip_offsets=None, bottom_deg: float = 80.0) -> np.ndarray:
    """Side-view push-ups at 15 fps: rest, then `reps` cycles, the n-th with hips offset by `hip_offsets[n]`."""
    offsets = hip_offsets or [0.0] * reps
    frames = [side_push_up(170) for _ in range(6)]
    for offset in offsets:
        cycle = [*np.linspace(170, bottom_deg, 10), *np.linspace(bottom_deg, 170, 10)]
        frames += [side_push_up(angle, offset) for angle in cycle] + [side_push_up(170, offset) for _ in range(5)]
    return np.stack(frames)


def streamed(exercise: str, frames: np.ndarray, sizes, restore: bool = False):
    """Feed `frames` in pieces of the given sizes (cycled); with `restore`, through state() as JSON (as a session
    store keeps it) between pieces."""
    assessor, start, updates, sizes = SequenceAssessor(exercise), 0, [], list(sizes)
    while start < len(frames):
        size = sizes[len(updates) % len(sizes)]
        piece = slice(start, start + size)
        updates.append(assessor.feed(frames[piece], np.arange(len(frames))[piece] / FPS))
        start += size
        if restore:
            state = json.loads(json.dumps(assessor.state()))
            assessor = SequenceAssessor.restore(exercise, state, assessor.rows.tobytes())
    return assessor, updates


@pytest.mark.parametrize("sizes", [[1], [7], [16, 3], [1000]])
@pytest.mark.parametrize("restore", [False, True])
def test_streaming_in_any_pieces_equals_the_batch_assessment(sizes, restore):
    frames = push_ups(3, hip_offsets=[0.0, 45.0, 0.0], bottom_deg=85.0)
    batch = assess_sequence("push_up", frames, FPS, SIZE).to_dict()
    assessor, updates = streamed("push_up", frames, sizes, restore)
    assert assessor.finish().to_dict() == batch
    assert batch["reps"]["count"] == 3
    assert [rep["index"] for update in updates for rep in update.to_dict()["reps"]] == [1, 2, 3]


def test_a_rep_is_reported_by_the_piece_that_completes_it_with_its_own_faults():
    frames = push_ups(2, hip_offsets=[0.0, 45.0])
    _, updates = streamed("push_up", frames, [5])
    reported = [rep for update in updates for rep in update.reps]
    assert [rep.form_ok for rep in reported] == [True, False]
    assert "hips_sagging" in {issue.code for issue in reported[1].issues}


def test_a_held_fault_is_raised_within_the_live_window_and_cleared_after():
    good, sagging = side_plank(0.0), side_plank(60.0)
    frames = np.stack([good] * 15 + [sagging] * 15 + [good] * 15)
    _, updates = streamed("plank", frames, [1])
    raised = [i for i, update in enumerate(updates) if "hips_sagging" in {f.code for f in update.faults_appeared}]
    cleared = [i for i, update in enumerate(updates) if "hips_sagging" in update.faults_cleared]
    assert raised and 15 <= raised[0] <= 15 + FPS * 0.5
    assert cleared and 30 <= cleared[0] <= 30 + FPS * 0.5


def test_a_stored_state_keeps_live_faults_as_plain_data_and_restores_them_as_issues():
    frames = np.stack([side_plank(0.0)] * 15 + [side_plank(60.0)] * 15)
    assessor, _ = streamed("plank", frames, [5])
    state = json.loads(json.dumps(assessor.state()))
    assert state["active"]["hips_sagging"] == assessor.active_faults[0].to_dict()
    restored = SequenceAssessor.restore("plank", state, assessor.rows.tobytes())
    assert restored.active_faults == assessor.active_faults and restored.active_faults[0].code == "hips_sagging"


def test_a_hold_is_timed_only_while_the_form_is_right():
    frames = np.stack([side_plank(0.0)] * 30 + [side_plank(60.0)] * 30)
    assessor, _ = streamed("plank", frames, [4])
    result = assessor.finish()
    assert result.hold_s == pytest.approx(30 / FPS, abs=0.3)
    assert assessor.phase == "fault"


def test_times_must_increase():
    assessor = SequenceAssessor("plank")
    assessor.feed(np.stack([side_plank()]), [1.0])
    with pytest.raises(InvalidKeypoints):
        assessor.feed(np.stack([side_plank()]), [1.0])


def test_the_view_is_the_one_most_frames_with_a_torso_show():
    assessor = SequenceAssessor("plank")
    frames = np.stack([side_plank()] * 6 + [np.zeros((17, 3), np.float32)] * 9)
    assessor.feed(frames, np.arange(len(frames)) / FPS)
    assert assessor.view == "side"
