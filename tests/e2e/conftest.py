"""Real media for end-to-end tests: the photos Ultralytics ships and clips made here."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest


@pytest.fixture(scope="session")
def assets_dir() -> Path:
    import ultralytics

    return Path(ultralytics.__file__).parent / "assets"


@pytest.fixture(scope="session")
def bus_jpg(assets_dir) -> bytes:
    return (assets_dir / "bus.jpg").read_bytes()


@pytest.fixture(scope="session")
def zidane_jpg(assets_dir) -> bytes:
    return (assets_dir / "zidane.jpg").read_bytes()


def write_clip(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture(scope="session")
def person_clip(tmp_path_factory, assets_dir) -> bytes:
    """A 2 s, 30 fps clip of a real person (zidane.jpg) moving slightly, so pose and tracking run for real."""
    image = cv2.imread(str(assets_dir / "zidane.jpg"))
    image = cv2.resize(image, (640, 360))
    frames = []
    for i in range(60):
        shift = int(10 * np.sin(i / 6))
        frames.append(np.roll(image, shift, axis=1))
    return write_clip(tmp_path_factory.mktemp("clips") / "person.mp4", frames).read_bytes()


@pytest.fixture(scope="session")
def blank_clip(tmp_path_factory) -> bytes:
    frames = [np.full((240, 320, 3), 40, dtype=np.uint8) for _ in range(20)]
    return write_clip(tmp_path_factory.mktemp("clips") / "blank.mp4", frames, fps=10).read_bytes()
