"""Tiny labelled datasets drawn by the tests: coloured circles, squares and triangles, zipped in either layout."""

from __future__ import annotations

import io
import zipfile

import cv2
import numpy as np

SHAPES = ("circle", "square", "triangle")
COLOURS_BGR = ((40, 40, 220), (40, 180, 40), (220, 90, 30))
BACKGROUND_GREY = 235


def shape_image(shape: str, index: int, size: int = 64) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A filled shape on a light background, placed by `index`, and its YOLO box (cx, cy, w, h in 0-1)."""
    rng = np.random.default_rng(index * 31 + SHAPES.index(shape))
    image = np.full((size, size, 3), BACKGROUND_GREY, np.uint8)
    radius = int(rng.integers(size // 6, size // 4))
    cx, cy = (int(v) for v in rng.integers(radius + 2, size - radius - 2, 2))
    colour = COLOURS_BGR[index % len(COLOURS_BGR)]
    if shape == "circle":
        cv2.circle(image, (cx, cy), radius, colour, -1)
    elif shape == "square":
        cv2.rectangle(image, (cx - radius, cy - radius), (cx + radius, cy + radius), colour, -1)
    else:
        points = np.array([[cx, cy - radius], [cx - radius, cy + radius], [cx + radius, cy + radius]], np.int32)
        cv2.fillPoly(image, [points], colour)
    return image, (cx / size, cy / size, 2 * radius / size, 2 * radius / size)


def jpeg(image: np.ndarray) -> bytes:
    return cv2.imencode(".jpg", image)[1].tobytes()


def classification_files(per_class: int = 8, size: int = 64, split: bool = False, pairs: bool = False) -> dict:
    """Archive paths -> bytes: one folder per class (under train/ and val/ when `split`); `pairs` names files
    `<Variant>__0.jpg`, `<Variant>__1.jpg` so that each pair must stay on one side of a split."""
    files = {}
    for shape in SHAPES:
        for i in range(per_class):
            name = f"{shape}_v{i // 2}__{i % 2}.jpg" if pairs else f"{shape}_{i}.jpg"
            folder = ("val" if i >= per_class - 2 else "train") + f"/{shape}" if split else shape
            files[f"{folder}/{name}"] = jpeg(shape_image(shape, i, size)[0])
    return files


def detection_files(per_class: int = 8, size: int = 64, split: bool = False) -> dict:
    """Archive paths -> bytes: data.yaml, images/ and labels/ (with train/ and val/ when `split`)."""
    files = {"data.yaml": ("names: [" + ", ".join(SHAPES) + "]\n").encode()}
    for class_id, shape in enumerate(SHAPES):
        for i in range(per_class):
            image, (cx, cy, w, h) = shape_image(shape, i, size)
            folder = ("val/" if i >= per_class - 2 else "train/") if split else ""
            files[f"images/{folder}{shape}_{i}.jpg"] = jpeg(image)
            files[f"labels/{folder}{shape}_{i}.txt"] = f"{class_id} {cx:.5f} {cy:.5f} {w:.5f} {h:.5f}\n".encode()
    return files


def zip_bytes(files: dict, links: dict | None = None) -> bytes:
    """A zip of `files` (path -> bytes), plus symbolic links (path -> target) when asked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(path, content)
        for path, target in (links or {}).items():
            info = zipfile.ZipInfo(path)
            info.external_attr = 0o120777 << 16
            archive.writestr(info, target)
    return buffer.getvalue()
