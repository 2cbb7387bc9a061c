"""Live coaching's parts without Kivy: the cue cooldown, camera sources (the phone's fed by a fake Kivy camera
provider), downscaling and JPEG, pose sources and the frame streamer.

The streamer runs here against a small fake of the client (these tests are about its batching and retrying);
the UI tests drive it against the real API."""

from __future__ import annotations

import io
import itertools
import json
import subprocess
import sys
import threading
import time
from collections import deque

import cv2
import numpy as np
import pytest

from mobile import api_client as api
from mobile.camera import (
    CameraUnavailable,
    ClipCamera,
    Frame,
    Webcam,
    clip_time_ms,
    describe_camera,
    downscale,
    encode_jpeg,
    open_camera,
)
from mobile.cues import CueCooldown
from mobile.live import MAX_JPEG_FRAMES, LiveStreamer, frames_ready, keep_every, retryable
from mobile.phone_camera import PhoneCamera, describe_phone_camera_setting, rgba_to_bgr
from mobile.pose import RecordedPose, main_person, nobody, open_pose, recorded_keypoints_path


def test_a_cue_is_said_once_then_only_after_its_cooldown():
    cues = CueCooldown(repeat_s=15, gap_s=4)
    said = [t for t in range(0, 40) if cues.should_say("hips_sagging", float(t))]
    assert said == [0, 15, 30]


def test_two_cues_are_never_said_within_the_gap_and_each_fault_keeps_its_own_cooldown():
    cues = CueCooldown(repeat_s=15, gap_s=4)
    assert cues.should_say("hips_sagging", 0.0)
    assert not cues.should_say("head_dropping", 2.0)  # too soon after the last cue
    assert cues.should_say("head_dropping", 4.0)
    assert not cues.should_say("hips_sagging", 9.0)  # another fault spoken since does not reset it
    assert cues.should_say("hips_sagging", 15.0)


def test_keep_every_keeps_frames_an_interval_apart_despite_rounded_times():
    keep = keep_every(100)
    times = [clip_time_ms(i, 30.0) for i in range(31)]
    assert [t for t in times if keep(Frame(None, t))] == [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]


def test_a_batch_is_ready_at_its_size_or_span_a_backlog_goes_in_capped_requests_and_the_rest_at_the_end():
    def waiting(*times):
        return deque(Frame(None, t) for t in times)

    assert frames_ready(waiting(), False, 4, 400, 16) == 0
    assert frames_ready(waiting(0, 100, 200), False, 4, 400, 16) == 0
    assert frames_ready(waiting(0, 100, 200, 300), False, 4, 400, 16) == 4
    assert frames_ready(waiting(0, 450), False, 4, 400, 16) == 2  # a slow camera: the time span decides
    assert frames_ready(waiting(*range(0, 9000, 100)), False, 4, 400, 16) == 16
    assert frames_ready(waiting(0, 100), True, 4, 400, 16) == 2


def write_clip(path, count=12, fps=30.0, size=(64, 48)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for index in range(count):
        writer.write(np.full((size[1], size[0], 3), index * 20, np.uint8))
    writer.release()
    return path


def test_a_clip_plays_every_frame_at_its_own_time_then_ends(tmp_path):
    import time

    camera = ClipCamera(write_clip(tmp_path / "clip.mp4", count=12, fps=30.0))
    started = time.monotonic()
    frames = []
    while (frame := camera.read()) is not None:
        frames.append(frame)
    elapsed = time.monotonic() - started
    camera.close()
    assert [f.t_ms for f in frames] == [clip_time_ms(i, 30.0) for i in range(12)]
    assert frames[0].image.shape == (48, 64, 3)
    assert elapsed >= frames[-1].t_ms / 1000  # paced like a camera, never faster than the clip
    assert camera.description == "Clip clip.mp4"


def test_open_camera_reads_the_setting(tmp_path):
    assert isinstance(open_camera(str(write_clip(tmp_path / "a.mp4"))), ClipCamera)
    assert describe_camera("") == "Webcam 0." and describe_camera("webcam:2") == "Webcam 2."
    assert describe_camera(str(tmp_path / "a.mp4")) == "The clip a.mp4, played as a camera."
    with pytest.raises(CameraUnavailable, match="no such video file"):
        open_camera(str(tmp_path / "missing.mp4"))
    with pytest.raises(CameraUnavailable, match="Unknown camera"):
        open_camera("webcam:front")
    with pytest.raises(CameraUnavailable, match="No camera found"):
        Webcam(97)  # no such device here


def test_downscale_keeps_the_aspect_and_never_enlarges():
    assert downscale(np.zeros((720, 1280, 3), np.uint8)).shape == (270, 480, 3)
    assert downscale(np.zeros((300, 200, 3), np.uint8)).shape == (300, 200, 3)
    assert downscale(np.zeros((1920, 1080, 3), np.uint8)).shape == (480, 270, 3)  # a phone held upright
    assert downscale(np.zeros((333, 1000, 3), np.uint8)).shape == (160, 480, 3)


def sample_bgr(size=(1280, 720)) -> np.ndarray:
    from mobile.devserver import sample_photo

    return cv2.resize(cv2.imread(str(sample_photo())), size)


def test_downscale_by_pillow_averages_like_opencvs_area_filter():
    photo = sample_bgr()
    ours = downscale(photo)
    opencv = cv2.resize(photo, (480, 270), interpolation=cv2.INTER_AREA)
    assert ours.dtype == np.uint8 and ours.flags.writeable
    assert np.abs(ours.astype(int) - opencv).mean() < 1.0


def test_a_jpeg_frame_decodes_back_to_its_size_with_its_colours_in_place():
    from PIL import Image

    image = np.zeros((270, 480, 3), np.uint8)
    image[:, :160] = (255, 0, 0)  # BGR: blue on the left, red on the right
    image[:, 320:] = (0, 0, 255)
    data = encode_jpeg(image)
    assert data[:2] == b"\xff\xd8"
    decoded = Image.open(io.BytesIO(data))
    assert decoded.format == "JPEG" and decoded.size == (480, 270)
    red, green, blue = decoded.getpixel((80, 135))
    assert blue > 200 and red < 60 and green < 60
    red, green, blue = decoded.getpixel((400, 135))
    assert red > 200 and blue < 60 and green < 60
    photo = downscale(sample_bgr())
    back = cv2.imdecode(np.frombuffer(encode_jpeg(photo), np.uint8), cv2.IMREAD_COLOR)
    assert back.shape == photo.shape and np.abs(back.astype(int) - photo).mean() < 5  # what OpenCV reads too


def test_the_android_path_imports_and_encodes_without_opencv():
    script = (
        "import sys; sys.modules['cv2'] = None\n"
        "import numpy as np\n"
        "import mobile.live, mobile.phone_camera, mobile.pose\n"
        "from mobile.camera import CameraUnavailable, Webcam, downscale, encode_jpeg\n"
        "small = downscale(np.zeros((480, 640, 3), np.uint8))\n"
        "assert small.shape == (360, 480, 3) and encode_jpeg(small)[:2] == b'\\xff\\xd8'\n"
        "try:\n    Webcam(0)\nexcept CameraUnavailable as exc:\n    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "A webcam needs OpenCV, which this build of the app does not have."


# -- the phone's camera: Kivy's camera provider, faked -----------------------------------------------------------


class FakeTexture:
    def __init__(self, image: np.ndarray):
        """A texture showing a BGR image: RGBA pixels, rows bottom to top, as `Texture.pixels` gives them."""
        height, width = image.shape[:2]
        rgba = np.dstack([image[..., ::-1], np.full((height, width), 255, np.uint8)])
        self.size = (width, height)
        self.pixels = rgba[::-1].tobytes()


class FakeProvider:
    """What PhoneCamera uses of `kivy.core.camera.CameraBase`: texture, on_texture, start, stop."""

    def __init__(self):
        self.texture = None
        self.listeners = []
        self.started = self.stopped = False

    def bind(self, on_texture):
        self.listeners.append(on_texture)

    def unbind(self, on_texture):
        self.listeners.remove(on_texture)

    def start(self):
        self.started, self.stopped = True, False

    def stop(self):
        self.stopped = True

    def show(self, image: np.ndarray):
        self.texture = FakeTexture(image)
        for listener in list(self.listeners):
            listener(self)  # as Kivy dispatches on_texture


class FakeClock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def run_now(fn):
    fn()


def quadrants(height=48, width=64) -> np.ndarray:
    """A BGR image whose four corners differ (to see flips and turns)."""
    image = np.zeros((height, width, 3), np.uint8)
    image[: height // 2, : width // 2] = (255, 0, 0)
    image[: height // 2, width // 2 :] = (0, 255, 0)
    image[height // 2 :, : width // 2] = (0, 0, 255)
    image[height // 2 :, width // 2 :] = (255, 255, 255)
    return image


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


def test_the_main_person_is_the_largest_and_nobody_is_all_zero():
    boxes = np.array([[0, 0, 10, 10], [0, 0, 50, 80]], np.float32)
    keypoints = np.stack([np.full((17, 3), 1.0), np.full((17, 3), 2.0)]).astype(np.float32)
    assert main_person(boxes, keypoints)[0] == [2.0, 2.0, 2.0]
    assert main_person(np.zeros((0, 4)), np.zeros((0, 17, 3))) == nobody()


def test_recorded_keypoints_follow_the_clip_and_scale_to_the_frame_sent(tmp_path):
    clip = write_clip(tmp_path / "rec.mp4")
    frames = [np.full((17, 3), i, np.float32) * [10, 10, 0.1] for i in range(1, 4)]
    sidecar = {"frames": [f.tolist() for f in frames], "t_ms": [0, 33, 67], "image_size": [640, 480]}
    recorded_keypoints_path(clip).write_text(json.dumps(sidecar))
    pose = open_pose(ClipCamera(clip))
    assert isinstance(pose, RecordedPose)
    half = np.zeros((240, 320, 3), np.uint8)
    points = pose.keypoints([Frame(half, 0), Frame(half, 40), Frame(half, 70)])
    assert [p[0] for p in points] == [[5.0, 5.0, 0.1], [10.0, 10.0, 0.2], [15.0, 15.0, 0.3]]
    assert open_pose(ClipCamera(write_clip(tmp_path / "plain.mp4")), model_path="") is None
    assert open_pose(ClipCamera(write_clip(tmp_path / "plain.mp4")), model_path=str(tmp_path / "none.onnx")) is None


class ListCamera:
    description, path = "frames", None

    def __init__(self, count: int, step_ms: int = 33):
        self.frames = [Frame(np.full((600, 800, 3), i, np.uint8), i * step_ms) for i in range(count)]
        self.closed = False

    def read(self):
        return self.frames.pop(0) if self.frames else None

    def close(self):
        self.closed = True


class FakeClient:
    """Answers frames like the server would (rep_count grows), failing the first `failures` calls."""

    def __init__(self, failures: int = 0, error=api.NetworkError, sockets: list | None = None):
        self.failures, self.error = failures, error
        self.calls: list[tuple[str, list[int]]] = []
        self.sockets = sockets or []  # what each open_live_socket gives, in turn; then no socket
        self.opened = 0

    def _answer(self, kind, t_ms):
        self.calls.append((kind, list(t_ms)))
        if self.failures:
            self.failures -= 1
            raise self.error("no answer")
        return {"rep_count": len(self.calls), "duplicate": False}

    def send_live_jpegs(self, session_id, jpegs, t_ms):
        assert all(data[:2] == b"\xff\xd8" for data in jpegs)
        return self._answer("jpeg", t_ms)

    def send_live_keypoints(self, session_id, frames, t_ms, image_size):
        assert image_size == (480, 360) and len(frames) == len(t_ms)
        return self._answer("keypoints", t_ms)

    def open_live_socket(self, session_id):
        self.opened += 1
        socket = self.sockets.pop(0) if self.sockets else None
        if isinstance(socket, Exception):
            raise socket
        return socket


class FakeSocket:
    """A live socket answering through the client's counter, failing its first `failures` batches."""

    def __init__(self, client: FakeClient, failures: int = 0):
        self.client, self.failures, self.closed = client, failures, False

    def send_live_keypoints(self, frames, t_ms, image_size):
        assert not self.closed
        if self.failures:
            self.failures -= 1
            self.client.calls.append(("lost socket", list(t_ms)))
            raise api.NetworkError("the live connection to the server was lost")
        return self.client._answer("socket", t_ms)

    def close(self):
        self.closed = True


def stream(client, camera, pose=None, **options):
    seen = {"frames": 0, "updates": [], "status": [], "end": []}
    done = threading.Event()

    def on_frame(_frame):
        seen["frames"] += 1

    def on_end(error):
        seen["end"].append(error)
        done.set()

    streamer = LiveStreamer(client, "s1", camera, pose, on_frame=on_frame, on_update=seen["updates"].append,
                            on_status=seen["status"].append, on_end=on_end, retry_s=(0.01,), **options)  # fmt: skip
    streamer.start()
    assert done.wait(20), "the streamer did not end"
    streamer.join(5)
    return seen


def test_frames_go_as_jpeg_at_the_send_rate_in_order_once_and_every_frame_is_previewed():
    camera = ListCamera(31)  # 0..990 ms at 30 fps
    client = FakeClient()
    seen = stream(client, camera, send_fps=10, batch_s=0.4)
    sent = [t for _, times in client.calls for t in times]
    assert seen["frames"] == 31 and camera.closed
    assert sent == [0, 99, 198, 297, 396, 495, 594, 693, 792, 891, 990]
    assert {kind for kind, _ in client.calls} == {"jpeg"}
    assert seen["end"] == [None] and [u["rep_count"] for u in seen["updates"]] == list(range(1, len(client.calls) + 1))


def test_a_lost_connection_sends_the_same_batch_again_and_loses_no_frame():
    client = FakeClient(failures=3)
    seen = stream(client, ListCamera(31 * 3), send_fps=10, batch_s=0.4)
    first = client.calls[0][1]
    assert [times for _, times in client.calls[:4]] == [first] * 4  # three failures, then the same frames
    sent = [t for _, times in client.calls[3:] for t in times]
    assert sent == sorted(set(sent)) and len(sent) == 31
    assert max(len(times) for _, times in client.calls) <= MAX_JPEG_FRAMES  # the backlog in requests the server takes
    assert seen["status"][0].startswith("Connection to the server lost. Trying again")
    assert seen["status"][-1] == "" and seen["end"] == [None]


def test_only_failures_that_sending_again_can_solve_are_retried():
    assert retryable(api.NetworkError("down")) and retryable(api.ServerError("oops", status=503))
    assert retryable(api.RateLimited("slow")) and retryable(api.Conflict("another write at the same time"))
    assert not retryable(api.Conflict("the live session has expired", details={"status": "expired"}))
    assert not retryable(api.NotFound("gone")) and not retryable(api.Invalid("frames out of order"))
    assert not retryable(api.AuthError("signed out"))


def test_a_session_that_is_gone_ends_the_stream_with_the_error():
    seen = stream(FakeClient(failures=1, error=api.NotFound), ListCamera(31))
    assert isinstance(seen["end"][0], api.NotFound) and seen["updates"] == []


def test_with_a_pose_source_keypoints_are_sent_and_drawn_from_the_device():
    client = FakeClient()
    seen = stream(client, ListCamera(10), pose=StillPose(), send_fps=10, batch_s=0.2)
    assert {kind for kind, _ in client.calls} == {"keypoints"}
    update = seen["updates"][0]
    assert update["image_size"] == [480, 360]
    assert [p["t_ms"] for p in update["pose"]] == client.calls[0][1]
    assert update["pose"][1]["keypoints"][0] == [float(client.calls[0][1][1]), 1.0, 0.9]


class StillPose:
    description = "still"

    def keypoints(self, frames):
        return [[[float(f.t_ms), 1.0, 0.9]] * 17 for f in frames]


def test_keypoints_go_over_the_socket_and_a_lost_socket_is_opened_again_for_the_same_batch():
    client = FakeClient()
    broken, working = FakeSocket(client, failures=1), FakeSocket(client)
    client.sockets = [broken, api.NetworkError("the server is out of reach"), working]
    seen = stream(client, ListCamera(30), pose=StillPose(), send_fps=10, batch_s=0.2)
    kinds = [kind for kind, _ in client.calls]
    assert kinds[0] == "lost socket" and set(kinds[1:]) == {"socket"} and client.opened == 3
    assert seen["status"][0].startswith("Connection to the server lost. Trying again")
    assert client.calls[1][1] == client.calls[0][1]  # the same frames again, over the new socket
    sent = [t for _, times in client.calls[1:] for t in times]
    assert sent == sorted(set(sent)) and len(sent) == 10
    assert broken.closed and working.closed and seen["end"] == [None]


def test_keypoints_go_by_http_when_the_server_offers_no_socket():
    client = FakeClient()
    seen = stream(client, ListCamera(10), pose=StillPose(), send_fps=10, batch_s=0.2)
    assert {kind for kind, _ in client.calls} == {"keypoints"} and client.opened == 1 and seen["end"] == [None]


@pytest.mark.slow
def test_onnx_pose_on_the_device_finds_the_main_person_as_the_server_does(tmp_path):
    from api.ml.pose import PoseConfig, PoseEstimator, default_pose_weights, export_onnx_once
    from mobile.devserver import sample_photo
    from mobile.pose import OnnxPose

    model = export_onnx_once(default_pose_weights(), tmp_path / "yolo11n-pose-dynamic.onnx")
    clip = write_clip(tmp_path / "plain.mp4")
    pose = open_pose(ClipCamera(clip), model_path=str(model))
    assert isinstance(pose, OnnxPose) and pose.description == "Pose on this device"
    photo = downscale(cv2.imread(str(sample_photo())))  # 480 x 270, two people
    found, empty = pose.keypoints([Frame(photo, 0), Frame(np.zeros((270, 480, 3), np.uint8), 100)])
    persons = PoseEstimator(PoseConfig(imgsz=480)).detect(photo).persons  # the server's PyTorch pose
    largest = max(persons, key=lambda p: (p.box[2] - p.box[0]) * (p.box[3] - p.box[1]))
    found = np.array(found)
    sure = largest.keypoints[:, 2] > 0.5
    assert sure.sum() >= 7 and (found[:, 2] > 0.5).sum() >= 7
    assert np.linalg.norm(found[sure, :2] - largest.keypoints[sure, :2], axis=1).mean() < 4.0
    assert empty == nobody()


def test_a_phone_camera_that_cannot_start_says_so(monkeypatch):
    from mobile import phone_camera

    class BrokenProvider(FakeProvider):
        def start(self):
            raise RuntimeError("Fail to connect to camera service")

    monkeypatch.setattr(phone_camera, "kivy_camera_provider", lambda index: BrokenProvider())
    with pytest.raises(CameraUnavailable, match=r"The camera \(the front camera\) cannot be started: Fail to connect"):
        phone_camera.open_phone_camera("webcam:1")
