"""Cache the main person's body-layout keypoints of labelled clips, with each pose engine, for evaluation.

    OMP_NUM_THREADS=2 python scripts/extract_poses.py --data ../shared/data --out /work/cache/poses

Clips: `<data>/pushup-form/{correct,wrong}/*.mp4` (labelled by folder) and `<data>/rep-clips/` (exercise and true
rep count from `counts.csv`). Each clip is decoded at the API's sampling (`ClipSettings`), YOLO runs on every
frame and each engine's frames come from `clip_poses`, as `POST /analyses` makes them: `yolo` from YOLO's main
track, `blazepose` from BlazePose following that person with YOLO's people on every `people_every`-th frame.

One file per clip and engine, `<out>/<engine>/<dataset>/<path of the clip>.npz`, holding:

- `body` float32 `(T, 21, 6)`: x, y (pixels), confidence, world x, y, z (metres; NaN where unknown, always for
  yolo) of `api.ml.keypoints.BODY_KEYPOINT_NAMES`; confidence 0 where the person was not found
- `times_s` float64 `(T,)`, `fps` (frames per second of clip, as the API computes it), `image_size` int `(2,)`
- `label` ('correct' or 'wrong'; '' for rep-clips), `exercise`, `reps` (true count; -1 when not counted),
  `engine`, `clip` (the clip's path under `--data`)

and `<out>/<engine>/index.csv` lists them. Clips already cached are skipped, so a stopped run resumes.
`--landmark-model lite|heavy --model-dir DIR` runs another BlazePose landmark model from a folder holding it and the
detector (the npm package has all three; give such a run its own `--out`).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.ml.analysis import ClipSettings, clip_poses, decode_clip, find_people, people_indices  # noqa: E402
from api.ml.blazepose import LANDMARK_MODELS, BlazePoseConfig, get_blazepose_estimator  # noqa: E402
from api.ml.keypoints import BODY_KEYPOINT_COUNT, IMAGE_CHANNELS, WORLD_CHANNELS  # noqa: E402
from api.ml.pose import get_pose_estimator  # noqa: E402
from api.ml.video import probe_video  # noqa: E402

ENGINES = ("yolo", "blazepose")
INDEX_FIELDS = ("file", "clip", "label", "exercise", "reps", "frames", "fps")


def labelled_clips(data: Path) -> list[dict]:
    """Every clip with its dataset, label, exercise and true rep count."""
    clips = [
        {"dataset": "pushup-form", "clip": path, "label": path.parent.name, "exercise": "push_up", "reps": -1}
        for label in ("correct", "wrong")
        for path in sorted((data / "pushup-form" / label).glob("*.mp4"))
    ]
    with open(data / "rep-clips" / "counts.csv", newline="") as counts:
        for row in csv.DictReader(counts):
            path = data / "rep-clips" / row["path"]
            clips.append(
                {
                    "dataset": "rep-clips",
                    "clip": path,
                    "label": "",
                    "exercise": row["exercise"],
                    "reps": int(row["reps"]),
                }
            )
    return clips


def as_world_layout(body: np.ndarray) -> np.ndarray:
    """`(T, 21, 3)` frames as `(T, 21, 6)` with NaN world coordinates (6-channel frames unchanged)."""
    if body.shape[-1] == WORLD_CHANNELS:
        return body
    out = np.full(body.shape[:2] + (WORLD_CHANNELS,), np.nan, dtype=np.float32)
    out[..., :IMAGE_CHANNELS] = body
    return out


def extract(
    clip: dict, data: Path, out: Path, engines: tuple[str, ...], settings: ClipSettings, blazepose: BlazePoseConfig
) -> dict[str, float]:
    """Write the clip's caches for `engines` (those not cached yet); returns each engine's seconds."""
    relative = clip["clip"].relative_to(data / clip["dataset"])
    targets = {engine: out / engine / clip["dataset"] / relative.with_suffix(".npz") for engine in engines}
    todo = [engine for engine, target in targets.items() if not target.is_file()]
    if not todo:
        return {}
    info = probe_video(clip["clip"])
    images, times = decode_clip(clip["clip"], settings)
    pose = get_pose_estimator()
    everyone = [None] * len(images)
    yolo_s = find_people(pose, images, everyone, range(len(images))) / 1000
    seconds = {}
    for engine in todo:
        started = time.perf_counter()
        people = [
            everyone[i] if i in people_indices(engine, len(images), settings) else None for i in range(len(images))
        ]
        poses = clip_poses(images, times, pose, engine, settings, get_blazepose_estimator(blazepose), people)
        body = poses.body if poses.body is not None else np.zeros((len(images), BODY_KEYPOINT_COUNT, 3), np.float32)
        fps = len(images) / info.duration_s if info.duration_s > 0 else settings.sample_fps
        targets[engine].parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            targets[engine],
            body=as_world_layout(body).astype(np.float32),
            times_s=np.asarray(times, dtype=np.float64),
            fps=np.float64(fps),
            image_size=np.array([info.width, info.height]),
            label=clip["label"],
            exercise=clip["exercise"],
            reps=np.int64(clip["reps"]),
            engine=engine,
            clip=str(clip["clip"].relative_to(data)),
        )
        seconds[engine] = (
            time.perf_counter() - started + (yolo_s if engine == "yolo" else yolo_s / settings.people_every)
        )
    return seconds


def write_index(out: Path, engine: str) -> int:
    """`<out>/<engine>/index.csv` from the cached files; returns how many it lists."""
    rows = []
    for path in sorted((out / engine).rglob("*.npz")):
        cached = np.load(path)
        rows.append(
            {
                "file": str(path.relative_to(out / engine)),
                "clip": str(cached["clip"]),
                "label": str(cached["label"]),
                "exercise": str(cached["exercise"]),
                "reps": int(cached["reps"]),
                "frames": len(cached["times_s"]),
                "fps": round(float(cached["fps"]), 3),
            }
        )
    with open(out / engine / "index.csv", "w", newline="") as index:
        writer = csv.DictWriter(index, fieldnames=INDEX_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def cached_clips(folder: Path) -> Iterator[tuple[dict, np.lib.npyio.NpzFile]]:
    """Each clip one engine's cache lists in its `index.csv` (`write_index`): the row and the clip's `.npz`."""
    with open(folder / "index.csv") as index:
        rows = list(csv.DictReader(index))
    for row in rows:
        yield row, np.load(folder / row["file"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--out", type=Path, required=True, help="where the caches go (outside any repository)")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--landmark-model", choices=LANDMARK_MODELS, default=BlazePoseConfig.landmark_model)
    parser.add_argument("--model-dir", default="", help="a folder holding BlazePose's files (lite and heavy)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N clips (a quick check)")
    args = parser.parse_args()
    settings = ClipSettings()
    blazepose = BlazePoseConfig(landmark_model=args.landmark_model, model_dir=args.model_dir)
    clips = labelled_clips(args.data)[: args.limit or None]
    totals = dict.fromkeys(args.engines, 0.0)
    for number, clip in enumerate(clips, 1):
        seconds = extract(clip, args.data, args.out, tuple(args.engines), settings, blazepose)
        for engine, value in seconds.items():
            totals[engine] += value
        done = ", ".join(f"{engine} {value:.1f} s" for engine, value in seconds.items()) or "cached"
        print(f"[{number}/{len(clips)}] {clip['clip'].relative_to(args.data)}: {done}", flush=True)
    for engine in args.engines:
        print(
            f"{engine}: {write_index(args.out, engine)} clips in {args.out / engine}, {totals[engine]:.0f} s this run"
        )


if __name__ == "__main__":
    main()
