"""The recognizer's crop network on ONNX Runtime gives what PyTorch gives, and what the pose network's own forward
pass gives at its layers; exported once and cached; the answers on real photos do not change beyond rounding."""

import cv2
import numpy as np
import pytest

from api.ml.pose import PoseConfig, get_pose_estimator
from api.ml.recognition import FEATURE_BLOCKS, load_default_recognizer
from api.ml.recognition_features import mirrored_squares, person_crop, rgb, with_limb_midpoints
from api.ml.recognition_network import YOLO_KP_LAYERS, CropFeatureNetwork, CropNetworkConfig

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def networks(tmp_path_factory):
    cache = str(tmp_path_factory.mktemp("model-cache"))
    return (
        CropFeatureNetwork(CropNetworkConfig(cache_dir=cache, backend="onnx")),
        CropFeatureNetwork(CropNetworkConfig(cache_dir=cache, backend="torch")),
    )


@pytest.fixture(scope="module", params=["bus.jpg", "zidane.jpg"])
def photo(request, assets_dir, pose_estimator):
    image = cv2.imread(str(assets_dir / request.param))
    frame = pose_estimator.detect(image)
    crop, _, kp_views = person_crop(image, frame)
    _, squares, points = mirrored_squares(crop, kp_views)
    return image, frame, rgb(squares), with_limb_midpoints(points)


def test_onnx_gives_the_pytorch_features(networks, photo):
    onnx, torch_network = networks
    _, _, squares, points = photo
    (head, samples), (expected_head, expected_samples) = onnx.run(squares, points), torch_network.run(squares, points)
    assert head.shape == (2, 1280) and samples.shape == (2, 25, expected_samples.shape[2])
    np.testing.assert_allclose(head, expected_head, atol=1e-4 * np.abs(expected_head).max())
    np.testing.assert_allclose(samples, expected_samples, atol=1e-4 * np.abs(expected_samples).max())


def test_the_pose_layers_are_those_ultralytics_runs(networks, photo):
    """Layer outputs hooked in Ultralytics' own forward pass, sampled at the points, equal the graph's samples."""
    import torch
    from torch.nn import functional

    _, torch_network = networks
    _, _, squares, points = photo
    pose = get_pose_estimator(PoseConfig(backend="torch"))
    layers, captured = pose.network_layers(), {}
    handles = [
        layers[i].register_forward_hook(lambda _m, _i, out, i=i: captured.update({i: out})) for i in YOLO_KP_LAYERS
    ]
    try:
        batch = torch.from_numpy(np.stack(squares).astype(np.float32) / 255).permute(0, 3, 1, 2).contiguous()
        with pose.lock, torch.inference_mode():
            pose.model.predictor.model(batch)
    finally:
        for handle in handles:
            handle.remove()
    grid = torch.from_numpy(np.clip(points / squares[0].shape[0] * 2 - 1, -1, 1).astype(np.float32))[:, :, None]
    hooked = torch.cat(
        [functional.grid_sample(captured[i], grid, align_corners=False)[..., 0] for i in YOLO_KP_LAYERS], 1
    )
    _, samples = torch_network.run(squares, points)
    np.testing.assert_allclose(samples, hooked.permute(0, 2, 1).numpy(), atol=1e-4)


def test_the_export_is_made_once_and_reused(networks, photo):
    onnx, _ = networks
    onnx.run(photo[2], photo[3])
    exported = onnx.config.onnx_path()
    stamp = exported.stat().st_mtime_ns
    again = CropFeatureNetwork(onnx.config)
    again.run(photo[2], photo[3])
    assert exported.stat().st_mtime_ns == stamp and len(list(exported.parent.glob("recognition-crop-*.onnx"))) == 1


def test_recognition_on_onnx_answers_as_on_pytorch(networks, photo):
    image, frame, _, _ = photo
    on_onnx, on_torch = (load_default_recognizer(network) for network in networks)
    assert on_onnx.extractor.names == FEATURE_BLOCKS
    p, q = on_onnx.probabilities(image, frame), on_torch.probabilities(image, frame)
    assert np.abs(p - q).max() < 1e-3
    assert on_onnx.recognize(image, frame).top5[0]["label"] == on_torch.recognize(image, frame).top5[0]["label"]
