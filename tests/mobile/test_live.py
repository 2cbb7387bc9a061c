"""Live coaching's parts without Kivy: the cue cooldown, camera sources (the phone's fed by a fake Kivy camera
provider), downscaling and JPEG, pose sources and the frame streamer.

The streamer runs here against a small fake of the client (these tests are about its batching and retrying);
the UI tests drive it against the real API."""

from __future__ import annotations

import io
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
from mobile.pose import RecordedPose, main_person, nobody, open_pose, recorded_keypoints_path
from tests.mobile.fakes import FakeClient, FakeSocket, ListCamera


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
