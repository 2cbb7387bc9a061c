"""The recognizer's two frozen networks on the person crop as one graph, run on ONNX Runtime.

One forward pass of a batch of letterboxed crops (a photo and its mirror, or several clip frames) gives
- EfficientNet-Lite0's head, average-pooled (`eff320_crop`), and
- the YOLO11 pose network's layers `YOLO_KP_LAYERS` sampled bilinearly at given points (keypoints and limb
  midpoints: `yolokp`, `yolomid`); the pose network's detection head after those layers is never run.
The graph is built in PyTorch from the two installed checkpoints (`CropFeatureModule`) and exported once to ONNX
in the model cache, where ONNX Runtime runs it about twice as fast as PyTorch on a CPU. The PyTorch module is the
reference the export is tested against, and the `torch` backend runs it directly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from api.ml.pose import LazyModel, PoseConfig, default_pose_weights, export_once, shared_model

YOLO_KP_LAYERS = (4, 6, 19)
VIEW_SIZE = 320  # the side of the letterboxed crop both networks see
NETWORK_BACKENDS = ("onnx", "torch")
ONNX_OPSET = 17
FORMAT_VERSION = 1  # bump when the graph's inputs or outputs change


def build_module(pose_weights: Path):
    """`CropFeatureModule` in PyTorch: the ImageNet EfficientNet-Lite0 and the pose network's first layers."""
    import torch
    from torch import nn
    from torch.nn import functional
    from ultralytics import YOLO

    from api.ml.recognition_backbone import build_backbone

    class CropFeatureModule(nn.Module):
        """`(images, grid)` to `(pooled head, point samples)`: RGB 0-255 images `(N, 3, S, S)`, sampling points
        `(N, K, 1, 2)` in [-1, 1]; the head is `(N, 1280)`, the samples `(N, K, C)` (the layers side by side)."""

        def __init__(self):
            super().__init__()
            self.backbone = build_backbone()
            pose_network = YOLO(str(pose_weights), task="pose").model.float().eval()
            self.pose_layers = nn.ModuleList(list(pose_network.model)[: max(YOLO_KP_LAYERS) + 1])

        def forward(self, images, grid):
            head = self.backbone((images - 127.0) / 128.0)["head"].mean(dim=(2, 3))
            x, outputs = images / 255.0, []
            for layer in self.pose_layers:  # Ultralytics' routing: `f` names the earlier outputs a layer reads
                if isinstance(layer.f, int) and layer.f != -1:
                    x = outputs[layer.f]
                elif not isinstance(layer.f, int):
                    x = [x if j == -1 else outputs[j] for j in layer.f]
                x = layer(x)
                outputs.append(x)
            samples = [
                functional.grid_sample(outputs[i], grid, mode="bilinear", align_corners=False)[..., 0]
                for i in YOLO_KP_LAYERS
            ]
            return head, torch.cat(samples, dim=1).permute(0, 2, 1)

    return CropFeatureModule().eval()


def export(pose_weights: Path, target: Path) -> None:
    """Write the ONNX graph of `build_module(pose_weights)` for `VIEW_SIZE` squares to `target`, the batch and the
    point count dynamic. The "same" padding of the image backbone is traced as constants for that size."""
    import warnings

    import torch

    module = build_module(pose_weights)
    example = (torch.zeros(2, 3, VIEW_SIZE, VIEW_SIZE), torch.zeros(2, 3, 1, 2))
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(
            module,
            example,
            str(target),
            input_names=["images", "grid"],
            output_names=["head", "samples"],
            dynamic_axes={"images": {0: "n"}, "grid": {0: "n", 1: "k"}, "samples": {0: "n", 1: "k"}},
            opset_version=ONNX_OPSET,
            dynamo=False,
        )


@dataclass(frozen=True)
class CropNetworkConfig:
    """Which pose weights give the keypoint features, where the export is cached, and which runtime runs it."""

    pose_weights: str = ""
    cache_dir: str = ""
    backend: str = "onnx"

    def __post_init__(self):
        if self.backend not in NETWORK_BACKENDS:
            raise ValueError(f"backend must be one of {NETWORK_BACKENDS}")

    def weights_path(self) -> Path:
        return Path(self.pose_weights) if self.pose_weights else default_pose_weights()

    def onnx_path(self) -> Path:
        """The cached export, named after both checkpoints' contents so that new weights give a new export."""
        from api.ml.recognition_backbone import backbone_weights

        digest = hashlib.sha256(str(FORMAT_VERSION).encode())
        for weights in (self.weights_path(), backbone_weights()):
            digest.update(weights.read_bytes())
        folder = Path(self.cache_dir) if self.cache_dir else self.weights_path().parent
        return folder / f"recognition-crop-{self.weights_path().stem}-{digest.hexdigest()[:12]}.onnx"


class CropFeatureNetwork(LazyModel):
    """The crop graph, loaded (and on ONNX exported) once on first use; one inference at a time."""

    def __init__(self, config: CropNetworkConfig | None = None):
        super().__init__()
        self.config = config or CropNetworkConfig()

    def _load(self):
        if self.config.backend == "torch":
            return build_module(self.config.weights_path())
        import onnxruntime

        path = export_once(self.config.onnx_path(), lambda target: export(self.config.weights_path(), target))
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # workers share the cores
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def run(self, squares_rgb: list[np.ndarray], points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pooled head `(N, 1280)` and point samples `(N, K, C)` for N RGB uint8 squares of `VIEW_SIZE` and pixel
        `points` `(N, K, 2)` in them."""
        if any(square.shape != (VIEW_SIZE, VIEW_SIZE, 3) for square in squares_rgb):
            raise ValueError(f"the crop network takes {VIEW_SIZE} px RGB squares")
        images = np.ascontiguousarray(np.stack(squares_rgb).transpose(0, 3, 1, 2), dtype=np.float32)
        grid = np.clip(points / VIEW_SIZE * 2 - 1, -1, 1).astype(np.float32)[:, :, None, :]
        model = self.model
        with self.lock:
            if self.config.backend == "onnx":
                head, samples = model.run(None, {"images": images, "grid": grid})
                return head, samples
            import torch

            with torch.inference_mode():
                head, samples = model(torch.from_numpy(images), torch.from_numpy(grid))
            return head.numpy(), samples.numpy()


def get_crop_network(config: CropNetworkConfig | None = None) -> CropFeatureNetwork:
    """One crop network per configuration per process."""
    return shared_model(CropFeatureNetwork, config or CropNetworkConfig())


def crop_network_for(pose_config: PoseConfig, backend: str = "onnx") -> CropFeatureNetwork:
    """The crop network reading the layers of `pose_config`'s weights, cached beside its pose export."""
    return get_crop_network(CropNetworkConfig(pose_config.weights, pose_config.cache_dir, backend))
