"""The IoU tracker on constructed detections: who is followed, when faint detections count, who is the main person."""

import numpy as np

from api.ml.pose import Person, PoseFrame, split_by_score
from api.ml.tracking import MAX_FRAMES_LOST, box_iou, main_track, track_people

SIZE = (640, 480)


def person(x: float, y: float = 100, width: float = 100, height: float = 200, score: float = 0.9) -> Person:
    keypoints = np.zeros((17, 3), np.float32)
    keypoints[:, 0], keypoints[:, 1], keypoints[:, 2] = x + width / 2, y + height / 2, score
    return Person(box=[x, y, x + width, y + height], score=score, keypoints=keypoints)


def frame(*persons: Person, conf: float = 0.25) -> PoseFrame:
    return split_by_score(SIZE, list(persons), conf)


def test_box_iou():
    assert box_iou([0, 0, 10, 10], [0, 0, 10, 10]) == 1.0
    assert box_iou([0, 0, 10, 10], [20, 20, 30, 30]) == 0.0
    assert abs(box_iou([0, 0, 10, 10], [5, 0, 15, 10]) - 50 / 150) < 1e-9


def test_split_by_score_keeps_faint_people_apart():
    split = frame(person(0, score=0.9), person(200, score=0.15))
    assert [p.score for p in split.persons] == [0.9]
    assert [p.score for p in split.faint] == [0.15]


def test_two_people_moving_are_followed_separately():
    frames = [frame(person(50 + 3 * i), person(400 - 3 * i)) for i in range(10)]
    tracks = track_people(frames)
    assert len(tracks) == 2
    assert all(len(t.observations) == 10 for t in tracks)
    assert tracks[0].observations[9].box[0] == 77


def test_faint_detections_extend_a_track_but_never_start_one():
    frames = [frame(person(100)), frame(person(102, score=0.12)), frame(person(104, score=0.12)), frame(person(106))]
    frames.append(frame(person(108), person(450, score=0.2)))  # a faint stranger appears
    tracks = track_people(frames)
    assert len(tracks) == 1
    assert sorted(tracks[0].observations) == [0, 1, 2, 3, 4]
    keypoints = tracks[0].keypoint_array(len(frames))
    assert keypoints[1, 0, 2] == np.float32(0.12)


def test_a_person_lost_too_long_starts_a_new_track():
    gap = MAX_FRAMES_LOST + 1
    frames = [frame(person(100))] + [frame() for _ in range(gap)] + [frame(person(100))]
    assert len(track_people(frames)) == 2
    frames = [frame(person(100))] + [frame() for _ in range(MAX_FRAMES_LOST - 1)] + [frame(person(100))]
    assert len(track_people(frames)) == 1


def test_main_track_is_the_person_seen_long_and_large():
    frames = [frame(person(50, width=200, height=300), person(500, width=40, height=80)) for _ in range(8)]
    frames += [frame(person(500, width=40, height=80)) for _ in range(4)]
    tracks = track_people(frames)
    assert main_track(tracks).observations[0].box[2] == 250
    assert main_track([]) is None


def test_frames_found_every_few_keep_their_clip_indices():
    frames = [frame(person(50 + 9 * i)) for i in range(5)]
    (track,) = track_people(frames, indices=[0, 3, 6, 9, 12])
    assert sorted(track.observations) == [0, 3, 6, 9, 12]
    assert track.keypoint_array(14)[12, 0, 2] > 0 and track.keypoint_array(14)[13, 0, 2] == 0


def test_the_latest_detection_stands_in_between_and_not_after_the_person_is_lost():
    (track,) = track_people([frame(person(50)), frame(person(60))], indices=[0, 3])
    assert track.latest_at(2) is track.observations[0]
    assert track.latest_at(3 + MAX_FRAMES_LOST) is track.observations[3]
    assert track.latest_at(4 + MAX_FRAMES_LOST) is None
