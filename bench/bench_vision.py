"""Vision speed and memory: prints `name: value` lines.

- photo_api_over_models_p50: p50 of POST /api/v1/analyses over the p50 of the same models called in process
- photo_models_ms_p50, photo_pose_ms_p50: the models' own time per photo
- photo_crop_network_ms_p50, photo_recognizer_rest_ms_p50: the recognizer's parts, its crop network (both views
  in one batch, on ONNX Runtime) and the rest (crop, letterbox, geometry, linear model); photo_crop_network_torch_ms_p50
  the same network on PyTorch, and recognizer_onnx_vs_torch_max_prob_diff / _same_top5: the answers of the two on
  the same photos in this run
- clip_wall_over_duration: wall time of a 30 fps clip's analysis over the clip's duration, with the default
  settings (`POSE_BACKEND` onnx); clip_wall_over_duration_torch_pose: the same with PyTorch pose
- pose_torch_ms_p50, pose_onnx_ms_p50, pose_onnx_speedup: the pose model on each runtime, same photos and size
- worker_rss_mb: resident memory of this process with the models loaded (what one gunicorn worker holds);
  worker_rss_all_models_mb: the same at the end, with PyTorch pose and BlazePose loaded too
- blazepose_detector_ms_p50, blazepose_<lite|full|heavy>_ms_p50: BlazePose's person detector and each landmark
  model found (the vendored one, and those in `--blazepose-dir`, e.g. from `npm pack @mediapipe/pose`), per frame
- clip_wall_over_duration_blazepose(_torch_people): the same clip judged with POSE_ENGINE=blazepose (YOLO on
  ONNX Runtime or PyTorch finding the people); clip_body_pose_ms_per_frame: BlazePose's share per sampled frame

`--clip PATH` times a real clip instead of the generated one.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("FITCOACH_DATA_DIR", tempfile.mkdtemp(prefix="fitcoach-bench-"))

import ultralytics  # noqa: E402

from api.ml.analysis import analyse_clip, analyse_photo  # noqa: E402
from api.ml.blazepose import LANDMARK_MODELS, MODEL_DIR, BlazePoseConfig, BlazePoseEstimator  # noqa: E402
from api.ml.pose import PoseEstimator, get_pose_estimator  # noqa: E402

ROUNDS = 12


def p50(values: list[float]) -> float:
    return statistics.median(values)


def photos() -> list[tuple[str, bytes, np.ndarray]]:
    assets = Path(ultralytics.__file__).parent / "assets"
    out = []
    for name in ("bus.jpg", "zidane.jpg"):
        data = (assets / name).read_bytes()
        out.append((name, data, cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)))
    return out


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def make_clip(path: Path, image: np.ndarray, seconds: float = 4.0, fps: float = 30.0) -> Path:
    frame = cv2.resize(image, (640, 360))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (640, 360))
    for i in range(int(seconds * fps)):
        writer.write(np.roll(frame, int(12 * np.sin(i / 8)), axis=1))
    writer.release()
    return path


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def blazepose_models(extra_dir: Path | None) -> dict[str, BlazePoseEstimator]:
    """An estimator per landmark model found in the vendored folder or `extra_dir` (which needs the detector too)."""
    found = {}
    for folder in (MODEL_DIR, extra_dir):
        for model in LANDMARK_MODELS:
            config = BlazePoseConfig(landmark_model=model, model_dir=str(folder) if folder else "")
            if folder and model not in found and config.landmark_path().is_file() and config.detector_path().is_file():
                found[model] = BlazePoseEstimator(config)
    return found


def blazepose_figures(images, pose: PoseEstimator, extra_dir: Path | None) -> None:
    """Per-frame time of BlazePose's detector and of each landmark model, on crops of the photos' main people."""
    for number, (model, estimator) in enumerate(blazepose_models(extra_dir).items()):
        crops = [(image, estimator.estimate(image, pose.detect(image).main_person()).roi) for _, _, image in images]
        landmark_times, detector_times = [], []
        for _ in range(ROUNDS):
            for image, roi in crops:
                landmark_times.append(timed(partial(estimator.landmarks_in, image, roi)))
                detector_times.append(timed(partial(estimator.detect, image)))
        if number == 0:
            print(f"blazepose_detector_ms_p50: {p50(detector_times):.1f}")
        print(f"blazepose_{model}_ms_p50: {p50(landmark_times):.1f}")


def recognizer_figures(images, pose: PoseEstimator, recognizer, cache: Path) -> None:
    """The recognizer's time by part, and its ONNX answers against the same network on PyTorch."""
    from api.ml.recognition import load_default_recognizer
    from api.ml.recognition_features import mirrored_squares, person_crop, rgb, with_limb_midpoints
    from api.ml.recognition_network import CropFeatureNetwork, CropNetworkConfig

    on_torch = load_default_recognizer(CropFeatureNetwork(CropNetworkConfig(cache_dir=str(cache), backend="torch")))
    inputs, network, reference = [], recognizer.extractor.network, on_torch.extractor.network
    for _, _, image in images:
        frame = pose.detect(image)
        crop, _, kp_views = person_crop(image, frame)
        _, squares, points = mirrored_squares(crop, kp_views)
        inputs.append((image, frame, rgb(squares), with_limb_midpoints(points)))
    whole, onnx_net, torch_net, diffs, same = [], [], [], [], True
    for _ in range(ROUNDS):
        for image, frame, squares, points in inputs:
            whole.append(timed(partial(recognizer.recognize, image, frame)))
            onnx_net.append(timed(partial(network.run, squares, points)))
            torch_net.append(timed(partial(reference.run, squares, points)))
    for image, frame, _, _ in inputs:
        diffs.append(np.abs(recognizer.probabilities(image, frame) - on_torch.probabilities(image, frame)).max())
        same &= recognizer.recognize(image, frame).top5 == on_torch.recognize(image, frame).top5
    print(f"photo_crop_network_ms_p50: {p50(onnx_net):.1f}")
    print(f"photo_recognizer_rest_ms_p50: {p50(whole) - p50(onnx_net):.1f}")
    print(f"photo_crop_network_torch_ms_p50: {p50(torch_net):.1f}")
    print(f"recognizer_onnx_vs_torch_max_prob_diff: {max(diffs):.2e}")
    print(f"recognizer_onnx_vs_torch_same_top5: {same}")


def clip_figures(clip: Path, pose: PoseEstimator, torch_pose: PoseEstimator, recognizer) -> None:
    """Wall time over duration of one clip with each engine, the second run of each (models warm)."""
    for name, people, engine in (
        ("clip_wall_over_duration", pose, "yolo"),
        ("clip_wall_over_duration_torch_pose", torch_pose, "yolo"),
        ("clip_wall_over_duration_blazepose", pose, "blazepose"),
        ("clip_wall_over_duration_blazepose_torch_people", torch_pose, "blazepose"),
    ):
        analyse_clip(clip, people, recognizer, "squat", engine=engine)
        result = analyse_clip(clip, people, recognizer, "squat", engine=engine)
        print(f"{name}: {result.timing['realtime_factor']:.3f}")
        if engine == "blazepose" and people is pose:
            print(f"clip_body_pose_ms_per_frame: {result.timing['body_pose_ms_per_frame']:.1f}")
        if engine == "yolo" and people is pose:  # BlazePose follows the person for the motion recognizer
            print(f"clip_motion_body_pose_ms_per_frame: {result.timing['motion_body_pose_ms_per_frame']:.1f}")
    print(f"clip_frames_analysed: {result.timing['frames_analysed']}")


def main() -> None:
    parser = argparse.ArgumentParser(description="vision speed and memory")
    parser.add_argument("--blazepose-dir", type=Path, help="a folder with more BlazePose landmark models to time")
    parser.add_argument("--clip", type=Path, help="a real clip to time instead of the generated one")
    args = parser.parse_args()
    from api import create_app
    from api.config import TestingConfig
    from api.extensions import db
    from api.ml import runtime

    app = create_app(TestingConfig())
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    client = app.test_client()
    account = {"email": "bench@example.com", "password": "correct-horse-42"}
    client.post("/api/v1/auth/register", json={**account, "name": "Bench"})
    token = client.post("/api/v1/auth/login", json=account)
    headers = {"Authorization": f"Bearer {token.get_json()['access_token']}"}

    pose = runtime.pose_estimator()
    recognizer = runtime.default_recognizer()
    images = photos()
    for _, _, image in images:
        analyse_photo(image, pose, recognizer)

    direct, api, pose_only = [], [], []
    for _ in range(ROUNDS):
        for name, data, image in images:
            direct.append(timed(lambda image=image: analyse_photo(image, pose, recognizer)))
            pose_only.append(timed(lambda image=image: pose.detect(image)))
            api.append(
                timed(
                    lambda data=data, name=name: client.post(
                        "/api/v1/analyses", headers=headers, data={"file": (io.BytesIO(data), name)}
                    )
                )
            )
    print(f"photo_models_ms_p50: {p50(direct):.1f}")
    print(f"photo_pose_ms_p50: {p50(pose_only):.1f}")
    print(f"photo_api_ms_p50: {p50(api):.1f}")
    print(f"photo_api_over_models_p50: {p50(api) / p50(direct):.3f}")
    recognizer_figures(images, pose, recognizer, app.config["DATA_DIR"] / "model-cache")

    print(f"worker_rss_mb: {rss_mb():.0f}")

    # the process's own estimator for its backend, one more for the other
    onnx, torch_pose = (get_pose_estimator(replace(pose.config, backend=backend)) for backend in ("onnx", "torch"))
    torch_times, onnx_times = [], []
    for _ in range(ROUNDS):
        for _, _, image in images:
            onnx.detect(image)
            torch_pose.detect(image)
            torch_times.append(timed(lambda image=image: torch_pose.detect(image)))
            onnx_times.append(timed(lambda image=image: onnx.detect(image)))
    print(f"pose_torch_ms_p50: {p50(torch_times):.1f}")
    print(f"pose_onnx_ms_p50: {p50(onnx_times):.1f}")
    print(f"pose_onnx_speedup: {p50(torch_times) / p50(onnx_times):.2f}")
    blazepose_figures(images, pose, args.blazepose_dir)
    with tempfile.TemporaryDirectory() as folder:
        clip = args.clip or make_clip(Path(folder) / "clip.mp4", images[1][2])
        clip_figures(clip, pose, torch_pose, recognizer)
    print(f"worker_rss_all_models_mb: {rss_mb():.0f}")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
