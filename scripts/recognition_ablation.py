"""The feature blocks the exercise recognizer's ablations tried (see its model card), for `train_recognizer.py`.

The shipped recognizer computes only its own blocks (`api/ml/recognition_features.py`); this adds, for the
whole photo and for the main person's crop and their mirror images,
- `eff224_*`, `eff320_*`: EfficientNet-Lite0's pooled head at 224 and 320 px; `effmid_*`: stages 5 and 6 pooled;
  `effmax_*`: the head max-pooled; `effkp`: stage 5 sampled at the keypoints of the crop;
- `yolo_*`: the pose network's layers `YOLO_LAYERS` pooled.
For the shipped blocks it gives exactly what the product gives (the same helpers).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.ml.pose import PoseEstimator, PoseFrame  # noqa: E402
from api.ml.recognition import FeatureExtractor, needed_blocks  # noqa: E402
from api.ml.recognition_features import (  # noqa: E402
    BLOCKS,
    VIEW_SIZE,
    YOLO_KP_LAYERS,
    keypoint_blocks,
    letterbox,
    mirrored_squares,
    person_crop,
    point_samples,
    rgb,
    sample_points,
    yolo_maps,
)

EFF_SIZE = 224
YOLO_LAYERS = (6, 10, 16, 19, 22)
ALL_BLOCKS = (
    "kp", "size", "eff224_whole", "eff320_whole", "effmid_whole", "effmax_whole", "yolo_whole",
    "eff224_crop", "eff320_crop", "effmid_crop", "effmax_crop", "effkp", "yolo_crop", "yolokp", "yolomid",
)  # fmt: skip


def ablation_blocks(
    pose: PoseEstimator,
    backbone,
    image_bgr: np.ndarray,
    pose_frame: PoseFrame,
    wanted: tuple[str, ...] | set[str] = ALL_BLOCKS,
) -> dict[str, np.ndarray]:
    """The `wanted` blocks of `ALL_BLOCKS` of one photo; each has a leading axis of 2: the photo, then its mirror."""
    wanted = set(wanted)
    if unknown := wanted - set(ALL_BLOCKS):
        raise ValueError(f"unknown feature blocks {sorted(unknown)}: known are {', '.join(ALL_BLOCKS)}")
    crop, keypoints, kp_views = person_crop(image_bgr, pose_frame)
    blocks = keypoint_blocks(keypoints, (image_bgr.shape[1], image_bgr.shape[0]))
    for name, image in (("whole", image_bgr), ("crop", crop)):
        names = {f"eff224_{name}", f"eff320_{name}", f"effmid_{name}", f"effmax_{name}", f"yolo_{name}"}
        if name == "crop":
            names |= {"effkp", "yolokp", "yolomid"}
        if not names & wanted:
            continue
        views, squares, points = mirrored_squares(image, kp_views)
        if f"eff224_{name}" in wanted:
            small_rgb = [np.ascontiguousarray(letterbox(view, EFF_SIZE)[0][:, :, ::-1]) for view in views]
            blocks[f"eff224_{name}"] = backbone.feature_maps(small_rgb)["head"].mean(dim=(2, 3)).numpy()
        if {f"eff320_{name}", f"effmid_{name}", f"effmax_{name}", "effkp"} & wanted:
            eff = backbone.feature_maps(rgb(squares))
            blocks[f"eff320_{name}"] = eff["head"].mean(dim=(2, 3)).numpy()
            blocks[f"effmid_{name}"] = np.concatenate(
                [eff["s5"].mean(dim=(2, 3)).numpy(), eff["s6"].mean(dim=(2, 3)).numpy()], axis=1
            )
            blocks[f"effmax_{name}"] = eff["head"].amax(dim=(2, 3)).numpy()
            if name == "crop":
                blocks["effkp"] = sample_points(eff["s5"], points, VIEW_SIZE).astype(np.float16)
        if {f"yolo_{name}", "yolokp", "yolomid"} & wanted:
            kp_layers = set(YOLO_KP_LAYERS) if name == "crop" and {"yolokp", "yolomid"} & wanted else set()
            layers = tuple(sorted(set(YOLO_LAYERS) | kp_layers))
            maps = yolo_maps(pose, squares, layers)
            blocks[f"yolo_{name}"] = np.concatenate([maps[i].mean(dim=(2, 3)).numpy() for i in YOLO_LAYERS], axis=1)
            if kp_layers:
                blocks |= point_samples(maps, points)
    return {key: value for key, value in blocks.items() if key in wanted or key in ("kp", "size")}


class AblationExtractor(FeatureExtractor):
    """`FeatureExtractor` over every block of `ALL_BLOCKS`."""

    def blocks(self, image_bgr: np.ndarray, pose_frame: PoseFrame) -> dict[str, np.ndarray]:
        return ablation_blocks(self.pose, self.backbone, image_bgr, pose_frame, needed_blocks(self.names))


def feature_extractor(pose: PoseEstimator, names: tuple[str, ...]) -> FeatureExtractor:
    """The product's extractor when `names` are all shipped blocks (and `geo`), else the ablation one."""
    if needed_blocks(names) <= set(BLOCKS):
        return FeatureExtractor(pose, names)
    return AblationExtractor(pose, names)
