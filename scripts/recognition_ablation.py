"""The feature blocks the exercise recognizer's ablations tried (see its model card), for `train_recognizer.py`.

The shipped recognizer computes only its own blocks (`api/ml/recognition_features.py`); this adds, for the
whole photo and for the main person's crop and their mirror images,
- `eff224_*`, `eff320_*`: EfficientNet-Lite0's pooled head at 224 and 320 px; `effmid_*`: stages 5 and 6 pooled;
  `effmax_*`: the head max-pooled; `effkp`: stage 5 sampled at the keypoints of the crop;
- `yolo_*`: the pose network's layers `YOLO_LAYERS` pooled.
For the shipped blocks it gives exactly what the product gives (the same crop network).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.ml.pose import PoseEstimator, PoseFrame  # noqa: E402
from api.ml.recognition import FeatureExtractor, needed_blocks  # noqa: E402
from api.ml.recognition_backbone import get_image_backbone  # noqa: E402
from api.ml.recognition_features import (  # noqa: E402
    BLOCKS,
    VIEW_SIZE,
    letterbox,
    mirrored_squares,
    person_crop,
    raw_blocks,
    rgb,
)
from api.ml.recognition_network import CropFeatureNetwork, crop_network_for  # noqa: E402

EFF_SIZE = 224
YOLO_LAYERS = (6, 10, 16, 19, 22)
ALL_BLOCKS = (
    "kp", "size", "eff224_whole", "eff320_whole", "effmid_whole", "effmax_whole", "yolo_whole",
    "eff224_crop", "eff320_crop", "effmid_crop", "effmax_crop", "effkp", "yolo_crop", "yolokp", "yolomid",
)  # fmt: skip


def sample_points(feature_map, points: np.ndarray, size: int) -> np.ndarray:
    """Bilinear samples of `feature_map` (N, C, h, w) at `points` (N, K, 2) in pixels of the `size` square input."""
    import torch
    from torch.nn import functional

    grid = torch.from_numpy(np.clip(points / size * 2 - 1, -1, 1).astype(np.float32))[:, :, None, :]
    sampled = functional.grid_sample(feature_map.float(), grid, mode="bilinear", align_corners=False)
    return sampled[..., 0].permute(0, 2, 1).numpy()


def yolo_maps(pose: PoseEstimator, squares_bgr: list[np.ndarray], layers: tuple[int, ...]) -> dict:
    """Feature maps of the PyTorch pose network's `layers` for equally sized BGR squares (one forward pass)."""
    import torch

    model = pose.model
    network = pose.network_layers()
    captured: dict[int, object] = {}
    batch = np.stack([square[:, :, ::-1] for square in squares_bgr]).astype(np.float32) / 255
    tensor = torch.from_numpy(batch).permute(0, 3, 1, 2).contiguous()
    with pose.lock:  # hooks live only while this thread holds the model, so no other forward pass feeds them
        handles = [
            network[i].register_forward_hook(lambda _m, _in, out, i=i: captured.__setitem__(i, out)) for i in layers
        ]
        try:
            with torch.inference_mode():
                model.predictor.model(tensor)
        finally:
            for handle in handles:
                handle.remove()
    return {i: captured[i].float() for i in layers}


def ablation_blocks(
    extractor: AblationExtractor,
    image_bgr: np.ndarray,
    pose_frame: PoseFrame,
    wanted: tuple[str, ...] | set[str] = ALL_BLOCKS,
) -> dict[str, np.ndarray]:
    """The `wanted` blocks of `ALL_BLOCKS` of one photo; each has a leading axis of 2: the photo, then its mirror."""
    wanted = set(wanted)
    if unknown := wanted - set(ALL_BLOCKS):
        raise ValueError(f"unknown feature blocks {sorted(unknown)}: known are {', '.join(ALL_BLOCKS)}")
    blocks = raw_blocks(extractor.network, image_bgr, pose_frame, wanted & set(BLOCKS))
    crop, _keypoints, kp_views = person_crop(image_bgr, pose_frame)
    backbone = extractor.backbone
    for name, image in (("whole", image_bgr), ("crop", crop)):
        names = {f"eff224_{name}", f"eff320_{name}", f"effmid_{name}", f"effmax_{name}", f"yolo_{name}"}
        if name == "crop":
            names = (names - {"eff320_crop"}) | {"effkp"}
        if not names & wanted:
            continue
        views, squares, points = mirrored_squares(image, kp_views)
        if f"eff224_{name}" in wanted:
            small_rgb = [np.ascontiguousarray(letterbox(view, EFF_SIZE)[0][:, :, ::-1]) for view in views]
            blocks[f"eff224_{name}"] = backbone.feature_maps(small_rgb)["head"].mean(dim=(2, 3)).numpy()
        if names & {f"eff320_{name}", f"effmid_{name}", f"effmax_{name}", "effkp"} & wanted:
            eff = backbone.feature_maps(rgb(squares))
            if name == "whole":
                blocks["eff320_whole"] = eff["head"].mean(dim=(2, 3)).numpy()
            blocks[f"effmid_{name}"] = np.concatenate(
                [eff["s5"].mean(dim=(2, 3)).numpy(), eff["s6"].mean(dim=(2, 3)).numpy()], axis=1
            )
            blocks[f"effmax_{name}"] = eff["head"].amax(dim=(2, 3)).numpy()
            if name == "crop":
                blocks["effkp"] = sample_points(eff["s5"], points, VIEW_SIZE).astype(np.float16)
        if f"yolo_{name}" in wanted:
            maps = yolo_maps(extractor.pose, squares, YOLO_LAYERS)
            blocks[f"yolo_{name}"] = np.concatenate([maps[i].mean(dim=(2, 3)).numpy() for i in YOLO_LAYERS], axis=1)
    return {key: value for key, value in blocks.items() if key in wanted or key in ("kp", "size")}


class AblationExtractor(FeatureExtractor):
    """`FeatureExtractor` over every block of `ALL_BLOCKS`: the product's crop network for the shipped blocks, the
    PyTorch pose network's hooks and the image backbone for the rest."""

    def __init__(self, network: CropFeatureNetwork, names: tuple[str, ...], pose: PoseEstimator):
        super().__init__(network, names)
        self.pose = pose
        self.backbone = get_image_backbone()

    def blocks(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> dict[str, np.ndarray]:
        return ablation_blocks(self, image_bgr, pose_frame, needed_blocks(self.names))


def feature_extractor(pose: PoseEstimator, names: tuple[str, ...]) -> FeatureExtractor:
    """The product's extractor (reading `pose`'s weights) when `names` are all shipped blocks (and `geo`), else the
    ablation one."""
    network = crop_network_for(pose.config)
    if needed_blocks(names) <= set(BLOCKS):
        return FeatureExtractor(network, names)
    return AblationExtractor(network, names, pose)
