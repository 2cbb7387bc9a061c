"""The ONNX Runtime pose backend finds the same people and keypoints as PyTorch, exported once and cached."""

from dataclasses import replace

import cv2
import numpy as np
import pytest

from api.ml.pose import PoseConfig, PoseEstimator

pytestmark = pytest.mark.slow


def iou(a, b) -> float:
    x1, y1, x2, y2 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
    area = lambda box: (box[2] - box[0]) * (box[3] - box[1])  # noqa: E731
    return inter / (area(a) + area(b) - inter)


@pytest.fixture(scope="module")
def estimators(tmp_path_factory):
    cache = tmp_path_factory.mktemp("model-cache")
    return (
        PoseEstimator(PoseConfig(backend="torch")),
        PoseEstimator(PoseConfig(backend="onnx", cache_dir=str(cache))),
        cache,
    )


@pytest.mark.parametrize("name", ["bus.jpg", "zidane.jpg"])
def test_onnx_matches_torch_on_real_photos(estimators, assets_dir, name):
    torch_pose, onnx_pose, _ = estimators
    image = cv2.imread(str(assets_dir / name))
    expected, found = torch_pose.detect(image), onnx_pose.detect(image)
    assert found.image_size == expected.image_size
    confident = [person for person in expected.persons if person.score > 0.4]
    assert confident
    for person in confident:
        match = max(found.persons, key=lambda other: iou(person.box, other.box))
        assert iou(person.box, match.box) > 0.9
        assert match.score == pytest.approx(person.score, abs=0.05)
        visible = person.keypoints[:, 2] > 0.5
        error = np.linalg.norm(person.keypoints[visible, :2] - match.keypoints[visible, :2], axis=1)
        assert not visible.any() or error.mean() < 4.0
        assert np.abs(person.keypoints[:, 2] - match.keypoints[:, 2]).max() < 0.1


def test_export_happens_once_and_batches_of_mixed_shapes_work(estimators, assets_dir):
    _, onnx_pose, cache = estimators
    exported = onnx_pose.config.onnx_path()
    stamp = exported.stat().st_mtime_ns
    again = PoseEstimator(PoseConfig(backend="onnx", cache_dir=str(cache)))
    bus, zidane = (cv2.imread(str(assets_dir / name)) for name in ("bus.jpg", "zidane.jpg"))
    batch = again.detect_batch([bus, zidane, bus])
    assert exported.stat().st_mtime_ns == stamp
    one_by_one = [onnx_pose.detect(image) for image in (bus, zidane, bus)]
    assert [len(frame.persons) for frame in batch] == [len(frame.persons) for frame in one_by_one]
    assert again.detect(np.zeros((200, 300, 3), np.uint8)).persons == []


def test_recognition_works_when_pose_runs_on_onnx(estimators, assets_dir):
    from api.ml.analysis import analyse_photo
    from api.ml.recognition import LABELS, load_default_recognizer
    from api.ml.recognition_network import crop_network_for

    _, onnx_pose, _ = estimators
    recognizer = load_default_recognizer(crop_network_for(onnx_pose.config))
    result = analyse_photo(cv2.imread(str(assets_dir / "zidane.jpg")), onnx_pose, recognizer).to_dict()
    assert result["persons"] and {row["label"] for row in result["exercise"]["top5"]} <= set(LABELS)


@pytest.mark.parametrize("backend", [0, 1])
def test_faint_people_are_kept_apart_and_the_reported_ones_do_not_change(estimators, assets_dir, backend):
    estimator = estimators[backend]
    strict = PoseEstimator(replace(estimator.config, track_conf=estimator.config.conf))
    image = cv2.imread(str(assets_dir / "bus.jpg"))
    frame, reported_only = estimator.detect(image), strict.detect(image)
    assert all(person.score >= estimator.config.conf for person in frame.persons)
    assert all(estimator.config.track_conf <= person.score < estimator.config.conf for person in frame.faint)
    assert frame.faint and reported_only.faint == []  # bus.jpg has one person at about 0.13
    assert len(frame.persons) == len(reported_only.persons)
    np.testing.assert_allclose([p.box for p in frame.persons], [p.box for p in reported_only.persons], atol=1.0)
