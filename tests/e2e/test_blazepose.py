"""BlazePose on real photos, against yolo11n-pose as the reference for where the joints are."""

import io
import math

import cv2
import numpy as np
import pytest

from api.ml.analysis import ClipSettings, analyse_clip, clip_poses, decode_clip
from api.ml.blazepose import BlazePoseConfig, BlazePoseTracker, get_blazepose_estimator, roi_from_person
from api.ml.keypoints import BODY_KEYPOINT_NAMES, FOOT_KEYPOINT_NAMES, KEYPOINT_INDEX
from api.ml.recognition import Recognition
from api.ml.tracking import box_iou
from tests.e2e.conftest import write_clip

pytestmark = pytest.mark.slow

BODY_JOINTS = [f"{side}_{joint}" for side in ("left", "right") for joint in ("shoulder", "hip", "knee")]
# Two pose models label the same joints within a few percent of the person's size (the hip, COCO's least precise
# keypoint, is the widest apart).
MAX_MEDIAN_ERROR = 0.04
MAX_JOINT_ERROR = 0.1
# A close-up cut at the waist puts the hips (the crop's centre) on the picture's edge: looser there.
CLOSE_UP_MAX_ERROR = 0.06


@pytest.fixture(scope="module")
def blazepose():
    return get_blazepose_estimator(BlazePoseConfig())


@pytest.fixture(scope="module")
def photos(assets_dir, pose_estimator):
    yolo = pose_estimator
    images = {name: cv2.imread(str(assets_dir / name)) for name in ("bus.jpg", "zidane.jpg")}
    return {name: (image, yolo.detect(image)) for name, image in images.items()}


def whole_people(frame):
    """The YOLO persons whose shoulders, hips and knees are all seen."""
    indices = [KEYPOINT_INDEX[name] for name in BODY_JOINTS]
    return [p for p in frame.persons if p.score > 0.5 and (p.keypoints[indices, 2] > 0.5).all()]


def relative_errors(body, person) -> np.ndarray:
    box = person.box
    diagonal = np.hypot(box[2] - box[0], box[3] - box[1])
    indices = [KEYPOINT_INDEX[name] for name in BODY_JOINTS]
    return np.linalg.norm(body[indices, :2] - person.keypoints[indices, :2], axis=1) / diagonal


def test_bus_landmarks_agree_with_yolo_and_stand_on_their_feet(blazepose, photos):
    image, frame = photos["bus.jpg"]
    people = whole_people(frame)
    assert len(people) >= 2
    for person in people:
        found = blazepose.estimate(image, person)
        assert found is not None and found.presence > 0.9
        body = found.body_frame()
        errors = relative_errors(body, person)
        assert np.median(errors) < MAX_MEDIAN_ERROR and errors.max() < MAX_JOINT_ERROR
        assert box_iou(found.box(), person.box) > 0.5
        for side in ("left", "right"):
            ankle_y = body[KEYPOINT_INDEX[f"{side}_ankle"], 1]
            heel, toe = body[KEYPOINT_INDEX[f"{side}_heel"]], body[KEYPOINT_INDEX[f"{side}_foot_index"]]
            assert heel[2] > 0.3 and toe[2] > 0.3
            assert heel[1] > ankle_y and toe[1] > ankle_y  # the feet are below the ankles, image y down


def test_world_coordinates_are_metres_from_the_hips(blazepose, photos):
    image, frame = photos["bus.jpg"]
    body = blazepose.estimate(image, whole_people(frame)[0]).body_frame()
    world = body[:, 3:]
    hips = (world[KEYPOINT_INDEX["left_hip"]] + world[KEYPOINT_INDEX["right_hip"]]) / 2
    assert np.linalg.norm(hips) < 0.05
    height = world[KEYPOINT_INDEX["left_heel"], 1] - world[KEYPOINT_INDEX["nose"], 1]
    assert 1.2 < height < 2.0
    assert world[KEYPOINT_INDEX["left_ankle"], 1] > world[KEYPOINT_INDEX["left_knee"], 1] > 0  # y down


def test_without_a_detection_the_crop_comes_from_the_yolo_person(blazepose, photos):
    image, frame = photos["zidane.jpg"]
    assert blazepose.detect(image) == []  # close-ups cut at the waist: the detector wants a whole body
    person = frame.main_person()
    found = blazepose.estimate(image, person)
    assert found is not None and found.roi == roi_from_person(person)
    shoulders = [KEYPOINT_INDEX["left_shoulder"], KEYPOINT_INDEX["right_shoulder"]]
    diagonal = np.hypot(person.box[2] - person.box[0], person.box[3] - person.box[1])
    error = np.linalg.norm(found.body_frame()[shoulders, :2] - person.keypoints[shoulders, :2], axis=1) / diagonal
    assert error.max() < CLOSE_UP_MAX_ERROR


def test_a_clip_is_tracked_from_one_detection_and_follows_the_movement(blazepose, photos):
    image, _ = photos["bus.jpg"]
    tracker = BlazePoseTracker(blazepose)
    shifts = [0, 4, 8, 12, 16, 20, 24, 28]
    hips = []
    for index, shift in enumerate(shifts):
        moved = np.roll(image, shift, axis=1)
        found = tracker.update(moved, index / 10, None)
        assert found is not None
        hips.append(found.landmarks[23, 0])
    assert tracker.detector_runs == 1
    assert hips[-1] - hips[0] == pytest.approx(shifts[-1], abs=6)


def test_the_tracker_moves_to_the_person_yolo_names(blazepose, photos):
    image, frame = photos["bus.jpg"]
    first, second = whole_people(frame)[:2]
    tracker = BlazePoseTracker(blazepose)
    assert box_iou(tracker.update(image, 0.0, first).box(), first.box) > 0.5
    runs = tracker.detector_runs
    found = tracker.update(image, 0.1, second)
    assert tracker.detector_runs == runs + 1
    assert box_iou(found.box(), second.box) > 0.5 > box_iou(found.box(), first.box)


@pytest.fixture
def blazepose_engine():
    """The app's process configured with POSE_ENGINE=blazepose for one test."""
    from api.ml import runtime

    config, engine = runtime.pose_estimator().config, runtime.pose_engine()
    live_imgsz = runtime.live_pose_config().imgsz
    runtime.configure(config, live_imgsz, "blazepose")
    yield
    runtime.configure(config, live_imgsz, engine)


def test_the_api_judges_a_photo_from_blazepose_and_keeps_yolos_people(client, auth_headers, bus_jpg, blazepose_engine):
    form = {"file": (io.BytesIO(bus_jpg), "bus.jpg"), "exercise": "squat"}
    body = client.post("/api/v1/analyses", headers=auth_headers, data=form).get_json()
    assert body["timing"]["pose_engine"] == "blazepose" and body["timing"]["body_pose_ms"] > 0
    assert body["posture"]["assessed"] is True
    assert len(body["persons"]) >= 3 and all(len(p["keypoints"]) == 17 for p in body["persons"])


def test_the_api_counts_a_clip_from_blazepose(client, auth_headers, person_clip, blazepose_engine):
    form = {"file": (io.BytesIO(person_clip), "clip.mp4"), "exercise": "squat"}
    body = client.post("/api/v1/analyses", headers=auth_headers, data=form).get_json()
    timing = body["timing"]
    assert timing["pose_engine"] == "blazepose"
    assert timing["people_frames"] == math.ceil(timing["frames_analysed"] / ClipSettings().people_every)
    assert timing["detector_runs"] <= 2  # the person is followed, not searched for on every frame
    assert body["posture"]["assessed"] is True and body["reps"]["count"] == 0


def test_a_clip_gives_the_main_person_with_feet_and_world_coordinates(tmp_path, assets_dir, pose_estimator):
    image = cv2.imread(str(assets_dir / "bus.jpg"))
    clip = write_clip(tmp_path / "bus.mp4", [np.roll(image, 3 * i, axis=1) for i in range(20)], fps=10)
    settings = ClipSettings()
    images, times = decode_clip(clip, settings)
    poses = clip_poses(images, times, pose_estimator, "blazepose", settings)
    assert poses.engine == "blazepose" and poses.body.shape == (len(images), 21, 6)
    feet = poses.body[:, [KEYPOINT_INDEX["left_heel"], KEYPOINT_INDEX["right_foot_index"]]]
    assert (feet[..., 2] > 0.3).all() and np.isfinite(feet[..., 3:]).all()
    yolo = clip_poses(images, times, pose_estimator, "yolo", settings)
    assert yolo.body.shape == (len(images), 21, 3) and not yolo.body[:, 17:, 2].any()
    assert sum(frame is not None for frame in poses.people) < sum(frame is not None for frame in yolo.people)
    hips = KEYPOINT_INDEX["left_hip"]
    seen = (poses.body[:, hips, 2] > 0.5) & (yolo.body[:, hips, 2] > 0.5)
    assert seen.sum() >= 15
    box = yolo.main.key_frame()[1].box
    assert np.abs(poses.body[seen, hips, :2] - yolo.body[seen, hips, :2]).max() < MAX_JOINT_ERROR * (box[3] - box[1])


def body_points(answer: dict) -> dict:
    return {point["name"]: point for point in answer["body"]["keypoints"]}


def test_the_api_returns_the_joints_that_judged_the_photo_feet_and_world_included(
    client, auth_headers, bus_jpg, blazepose_engine
):
    form = {"file": (io.BytesIO(bus_jpg), "bus.jpg"), "exercise": "squat"}
    answer = client.post("/api/v1/analyses", headers=auth_headers, data=form).get_json()
    assert answer["body"]["engine"] == "blazepose"
    points = body_points(answer)
    assert list(points) == list(BODY_KEYPOINT_NAMES)
    heel, hip = points["left_heel"], points["left_hip"]
    assert heel["confidence"] > 0.3 and heel["y"] > hip["y"]  # the feet, below the hips in the picture
    assert len(heel["world"]) == 3 and heel["world"][1] > 0.5  # about a body's height below the hips, in metres
    stored = client.get(f"/api/v1/analyses/{answer['id']}", headers=auth_headers).get_json()
    assert stored["body"] == answer["body"]


def test_with_yolo_the_body_has_no_feet_and_no_world(client, auth_headers, bus_jpg):
    form = {"file": (io.BytesIO(bus_jpg), "bus.jpg"), "exercise": "squat"}
    answer = client.post("/api/v1/analyses", headers=auth_headers, data=form).get_json()
    points = body_points(answer)
    assert answer["body"]["engine"] == "yolo" and points["left_hip"]["confidence"] > 0.3
    assert all(points[name]["confidence"] == 0 for name in FOOT_KEYPOINT_NAMES)
    assert all(point["world"] is None for point in points.values())


def test_a_clip_answer_carries_blazepose_body_on_its_key_frame(
    client, auth_headers, tmp_path, assets_dir, blazepose_engine
):
    image = cv2.imread(str(assets_dir / "bus.jpg"))
    clip = write_clip(tmp_path / "bus.mp4", [np.roll(image, 3 * i, axis=1) for i in range(20)], fps=10)
    form = {"file": (io.BytesIO(clip.read_bytes()), "bus.mp4"), "exercise": "squat"}
    answer = client.post("/api/v1/analyses", headers=auth_headers, data=form).get_json()
    points = body_points(answer)
    assert answer["body"]["engine"] == "blazepose" and answer["timing"]["pose_engine"] == "blazepose"
    assert points["right_foot_index"]["confidence"] > 0.3 and len(points["right_foot_index"]["world"]) == 3


class MotionRecorder:
    """A recognizer that names nothing and keeps the motion the clip path hands it."""

    def __init__(self, uses_world_motion: bool):
        self.uses_world_motion = uses_world_motion
        self.motion = None

    def recognize(self, image_bgr, pose_frame) -> Recognition:
        return Recognition(None, 0.0, [], "recorded")

    def recognize_clip(self, samples, motion=None) -> Recognition:
        self.motion = motion
        return Recognition(None, 0.0, [], "recorded")


def test_a_recognizer_of_world_motion_gets_blazepose_body_while_yolo_judges_the_posture(
    tmp_path, assets_dir, pose_estimator
):
    image = cv2.imread(str(assets_dir / "bus.jpg"))
    clip = write_clip(tmp_path / "bus.mp4", [np.roll(image, 3 * i, axis=1) for i in range(20)], fps=10)
    world = MotionRecorder(uses_world_motion=True)
    analysis = analyse_clip(clip, pose_estimator, world, engine="yolo")
    frames = analysis.timing["frames_analysed"]
    assert world.motion.keypoints.shape == (frames, 17, 3) and world.motion.body.shape == (frames, 21, 6)
    hips = world.motion.body[:, KEYPOINT_INDEX["left_hip"]]
    assert (hips[:, 2] > 0.5).sum() >= 15 and np.isfinite(hips[hips[:, 2] > 0.5, 3:]).all()
    np.testing.assert_allclose(world.motion.body_times_s, analysis.timing["frame_times_s"], atol=1e-3)
    assert analysis.timing["pose_engine"] == "yolo" and analysis.timing["motion_body_pose_ms_per_frame"] > 0
    assert analysis.timing["people_frames"] == frames
    image_only = MotionRecorder(uses_world_motion=False)
    plain = analyse_clip(clip, pose_estimator, image_only, engine="yolo")
    assert image_only.motion.body is None and "motion_body_pose_ms_per_frame" not in plain.timing
    np.testing.assert_array_equal(image_only.motion.keypoints, world.motion.keypoints)
