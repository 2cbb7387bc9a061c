"""The phone's camera (mobile/phone_camera.py) fed by a fake Kivy camera provider: frames as the texture shows them,
turned upright, the newest kept, read back at most max_fps, stopped on the UI thread, streamed as JPEG."""

from __future__ import annotations

import itertools
import threading
import time

import numpy as np
import pytest

from mobile.camera import CameraUnavailable
from mobile.live import LiveStreamer
from mobile.phone_camera import PhoneCamera, describe_phone_camera_setting, rgba_to_bgr
from tests.mobile.fakes import FakeClient, FakeClock, FakeProvider, FakeTexture, quadrants, run_now


def test_the_phone_camera_gives_bgr_frames_as_the_texture_shows_them_timed_from_the_first():
    clock, provider = FakeClock(), FakeProvider()
    camera = PhoneCamera(provider, description="The back camera", clock=clock, schedule=run_now, queue_frames=8)
    assert provider.started and camera.path is None and camera.description == "The back camera"
    images = [quadrants() // (i + 1) for i in range(4)]
    for index, image in enumerate(images):
        clock.now = 100.0 + index * 0.0334
        provider.show(image)
    frames = [camera.read() for _ in images]
    assert [frame.t_ms for frame in frames] == [0, 33, 67, 100]
    for frame, image in zip(frames, images, strict=True):
        assert frame.image.shape == (48, 64, 3) and frame.image.dtype == np.uint8
        assert np.array_equal(frame.image, image) and frame.image.flags.c_contiguous
    camera.close()


def test_the_phone_cameras_image_is_turned_upright_clockwise():
    image = quadrants()
    turned = rgba_to_bgr(FakeTexture(image).pixels, 64, 48, rotation_deg=90)
    assert turned.shape == (64, 48, 3)
    assert np.array_equal(turned, np.rot90(image, -1))
    assert tuple(turned[0, 0]) == (0, 0, 255)  # the bottom left corner comes to the top left
    assert np.array_equal(rgba_to_bgr(FakeTexture(image).pixels, 64, 48, rotation_deg=180), image[::-1, ::-1])
    with pytest.raises(ValueError, match="multiple of 90"):
        PhoneCamera(FakeProvider(), rotation_deg=45)


def test_a_slow_reader_gets_the_newest_frames_and_the_oldest_are_dropped():
    clock, provider = FakeClock(), FakeProvider()
    camera = PhoneCamera(provider, clock=clock, schedule=run_now, queue_frames=2)
    for index in range(5):
        clock.now = 100.0 + index * 0.05
        provider.show(np.full((48, 64, 3), index, np.uint8))
    first, second = camera.read(), camera.read()
    assert (first.t_ms, second.t_ms) == (150, 200) and camera.dropped == 3
    assert first.image[0, 0, 0] == 3 and second.image[0, 0, 0] == 4
    camera.close()


def test_textures_coming_faster_than_max_fps_are_not_read_back():
    clock, provider = FakeClock(), FakeProvider()
    camera = PhoneCamera(provider, clock=clock, schedule=run_now, max_fps=10, queue_frames=10)
    for index in range(10):
        clock.now = 100.0 + index / 30
        provider.show(np.full((4, 4, 3), index, np.uint8))
    assert [camera.read().t_ms for _ in range(4)] == [0, 100, 200, 300]
    camera.close()


def test_closing_the_phone_camera_stops_it_on_the_ui_thread_and_wakes_a_waiting_reader():
    provider, scheduled = FakeProvider(), []
    camera = PhoneCamera(provider, schedule=scheduled.append, stall_s=30)
    provider.show(np.zeros((4, 4, 3), np.uint8))
    assert camera.read() is not None
    got = []
    reader = threading.Thread(target=lambda: got.append(camera.read()))
    reader.start()
    time.sleep(0.1)
    started = time.monotonic()
    camera.close()
    reader.join(5)
    assert got == [None] and time.monotonic() - started < 1
    assert not provider.stopped and len(scheduled) == 1  # the provider is stopped where Kivy runs
    scheduled[0]()
    assert provider.stopped and provider.listeners == []
    provider.show(np.zeros((4, 4, 3), np.uint8))
    assert camera.read() is None
    camera.close()  # twice is harmless
    assert len(scheduled) == 1


def test_a_phone_camera_that_gives_no_frame_ends_after_its_stall_time():
    camera = PhoneCamera(FakeProvider(), schedule=run_now, stall_s=0.05)
    started = time.monotonic()
    assert camera.read() is None and time.monotonic() - started < 1


def test_the_phone_cameras_frames_stream_as_jpeg_at_the_send_rate():
    provider = FakeProvider()
    camera = PhoneCamera(provider, schedule=run_now)
    done = threading.Event()

    def feed():  # a 640 x 480 camera at 30 fps, until the set is over
        for index in itertools.count():
            if done.is_set() or provider.stopped:
                return
            provider.show(np.full((480, 640, 3), index % 256, np.uint8))
            time.sleep(1 / 30)

    feeder = threading.Thread(target=feed)
    feeder.start()
    client = FakeClient()
    seen = {"frames": [], "end": []}
    streamer = LiveStreamer(client, "s1", camera, None, on_frame=seen["frames"].append, on_update=lambda _u: None,
                            on_status=lambda _s: None, on_end=lambda e: (seen["end"].append(e), done.set()),
                            retry_s=(0.01,))  # fmt: skip
    streamer.start()
    time.sleep(1.2)
    streamer.stop()
    assert done.wait(20)
    feeder.join(5)
    sent = [t for _, times in client.calls for t in times]
    assert {kind for kind, _ in client.calls} == {"jpeg"} and seen["end"] == [None]
    assert sent == sorted(set(sent)) and 8 <= len(sent) <= 14  # about 10 a second
    assert all(later - earlier >= 99 for earlier, later in itertools.pairwise(sent))
    assert seen["frames"][0].image.shape == (480, 640, 3) and provider.stopped


def test_the_phone_camera_setting_in_words():
    assert describe_phone_camera_setting("webcam") == "The phone's camera: the back camera."
    assert describe_phone_camera_setting("webcam:1") == "The phone's camera: the front camera."
    assert describe_phone_camera_setting("/sdcard/clip.mp4").startswith("The clip clip.mp4 cannot be played")


def test_a_phone_camera_that_cannot_start_says_so(monkeypatch):
    from mobile import phone_camera

    class BrokenProvider(FakeProvider):
        def start(self):
            raise RuntimeError("Fail to connect to camera service")

    monkeypatch.setattr(phone_camera, "kivy_camera_provider", lambda index: BrokenProvider())
    with pytest.raises(CameraUnavailable, match=r"The camera \(the front camera\) cannot be started: Fail to connect"):
        phone_camera.open_phone_camera("webcam:1")
