"""Probing and sampling clips with OpenCV, on tiny clips the tests write themselves."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from api.exceptions import InvalidMedia
from api.ml.video import iter_frames, probe_video


def write_clip(
    path: Path, frames: int = 90, fps: float = 30.0, size: tuple[int, int] = (64, 48), codec: str = "mp4v"
) -> Path:
    """A clip whose frame i is filled with grey level 20 * i, so frames can be recognised after decoding."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), fps, size)
    for i in range(frames):
        writer.write(np.full((size[1], size[0], 3), (20 * i) % 256, np.uint8))
    writer.release()
    return path


@pytest.fixture
def clip_30fps(tmp_path) -> Path:
    return write_clip(tmp_path / "clip.mp4")


def test_probe_reports_rate_frames_size_and_duration(clip_30fps):
    info = probe_video(clip_30fps)
    assert (info.fps, info.frame_count, info.width, info.height) == (30.0, 90, 64, 48)
    assert info.duration_s == pytest.approx(3.0) and info.to_dict()["duration_s"] == 3.0


def test_a_portrait_clip_reports_its_decoded_size(tmp_path):
    info = probe_video(write_clip(tmp_path / "portrait.mp4", frames=10, size=(48, 96)))
    assert (info.width, info.height) == (48, 96)


def test_a_webm_clip_is_probed_and_sampled(tmp_path):
    clip = write_clip(tmp_path / "clip.webm", frames=60, codec="VP80")
    assert probe_video(clip).duration_s == pytest.approx(2.0)
    assert len(list(iter_frames(clip, target_fps=10))) == 20


def test_sampling_a_30fps_clip_at_10fps_keeps_every_third_frame(clip_30fps):
    frames = list(iter_frames(clip_30fps, target_fps=10))
    assert [frame.index for frame in frames[:4]] == [0, 3, 6, 9] and len(frames) == 30
    assert [frame.time_s for frame in frames[:3]] == pytest.approx([0.0, 0.1, 0.2], abs=1e-3)
    assert abs(float(frames[1].image_bgr.mean()) - 60.0) < 10.0


def test_sampling_at_a_rate_that_does_not_divide_evenly_keeps_that_rate(clip_30fps):
    assert len(list(iter_frames(clip_30fps, target_fps=12))) == 36


def test_without_a_target_rate_every_frame_is_decoded(clip_30fps):
    assert len(list(iter_frames(clip_30fps))) == 90
    assert len(list(iter_frames(clip_30fps, target_fps=60))) == 90


def test_max_frames_caps_the_frames_kept(clip_30fps):
    assert len(list(iter_frames(clip_30fps, target_fps=10, max_frames=4))) == 4


def test_an_empty_file_is_invalid_media(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(InvalidMedia):
        probe_video(empty)


@pytest.mark.parametrize("extension", [".png", ".jpg"])
def test_a_photo_renamed_mp4_is_not_a_clip(tmp_path, extension):
    fake = tmp_path / "photo.mp4"
    ok, encoded = cv2.imencode(extension, np.zeros((32, 32, 3), np.uint8))
    fake.write_bytes(encoded.tobytes())
    with pytest.raises(InvalidMedia) as error:
        probe_video(fake)
    assert error.value.details["reason"] in {"single_frame", "no_video_track"}


def test_text_is_invalid_media(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n" * 50)
    with pytest.raises(InvalidMedia):
        probe_video(text)


def test_a_missing_file_is_invalid_media(tmp_path):
    with pytest.raises(InvalidMedia):
        probe_video(tmp_path / "nowhere.mp4")


def test_a_truncated_clip_is_either_refused_or_read_as_far_as_it_goes(clip_30fps, tmp_path):
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(clip_30fps.read_bytes()[: clip_30fps.stat().st_size // 2])
    try:
        info = probe_video(truncated)
    except InvalidMedia:
        return
    assert info.frame_count >= 1 and len(list(iter_frames(truncated, target_fps=10))) <= 30
