"""Push-up form and rep counting on labelled clips: `<data>/correct/*.mp4` and `<data>/wrong/*.mp4`.

    OMP_NUM_THREADS=2 python scripts/eval_pushup_form.py --data ../shared/data/pushup-form \\
        --cache /tmp/pushup-poses.npz

The first run decodes each clip at the analysis sampling rate (`ClipSettings.sample_fps`) and runs the real pose
model, keeping every person it finds (down to `--detect-conf`) in the cache; later runs only redo the cheap part:
the person filter at the production confidence, the tracker's main person, the push-up assessment and the rep
counter. Prints rep counts, form accuracy against the folder labels, a confusion matrix and per-code fault counts
for the thresholds shipped in `api/ml/posture/rules/`.

`--stream-check` also feeds each clip to the live-session assessor in random batches of 1-20 frames (times in whole
milliseconds, the state saved and restored between batches) and counts the clips whose reps and faults match.

`--tune` also scores a small grid of literature-bounded thresholds from the values each check measured per rep
(no re-run needed), and runs a nested 5-fold cross-validation grouped by video (clips numbered in a row in one
folder count as one video): the best grid point on four folds is scored on the fifth, which is what tuning on these
clips can be expected to give on new people and videos.

`--poses DIR --engine yolo|blazepose` judges the body frames cached by `scripts/extract_poses.py` instead (the
API's clip path, either engine; BlazePose's with world coordinates), so BlazePose's thresholds get the same tuning:

    python scripts/eval_pushup_form.py --data ../shared/data/pushup-form --poses /work/cache/poses \
        --engine blazepose --tune
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.ml.analysis import ClipSettings  # noqa: E402
from api.ml.pose import (  # noqa: E402
    POSE_BACKENDS,
    Person,
    PoseConfig,
    PoseFrame,
    get_pose_estimator,
    split_by_score,
)
from api.ml.posture import SequenceAssessor, assess_sequence  # noqa: E402
from api.ml.posture.assess import FORM_OK_SEVERITIES, rules_for  # noqa: E402
from api.ml.posture.rules import floor  # noqa: E402
from api.ml.tracking import main_track, track_people  # noqa: E402
from api.ml.video import iter_frames, probe_video  # noqa: E402
from scripts.extract_poses import cached_clips  # noqa: E402

LABELS = ("correct", "wrong")
POSE_CACHE_DIR = "/tmp/fitcoach-model-cache"  # where the ONNX export of the pose weights goes
FOLDS = 5
# Each range stays within what the sources cited next to the thresholds allow.
TUNING_GRID = {
    "hip_line_neutral_deg": (-9.0, -13.0, -17.0),
    "hip_line_tolerance_deg": (15.0, 20.0, 25.0),
    "push_up_bottom_elbow_max_deg": (100.0, 110.0, 120.0),
    "head_drop_max_deg": (20.0, 25.0, 30.0),
    "elbow_flare_max_deg": (35.0, 40.0, 45.0),
    # where a good push-up's head line sits, against the shipped neutral (BlazePose's world ear reads far from 0)
    "head_neutral_shift_deg": (-60.0, -45.0, -30.0, -15.0, 0.0, 15.0),
}
SHIPPED = {
    "hip_line_neutral_deg": floor.HIP_LINE_NEUTRAL_DEG,
    "hip_line_tolerance_deg": floor.HIP_LINE_TOLERANCE_DEG,
    "push_up_bottom_elbow_max_deg": floor.PUSH_UP_BOTTOM_ELBOW_MAX_DEG,
    "head_drop_max_deg": floor.HEAD_DROP_MAX_DEG,
    "elbow_flare_max_deg": floor.PUSH_UP_MAX_ELBOW_FLARE_DEG,
    "head_neutral_shift_deg": 0.0,
}
# On frames with world coordinates (BlazePose's) the rules apply their world thresholds.
SHIPPED_WORLD = SHIPPED | {
    "hip_line_tolerance_deg": floor.WORLD_HIP_LINE_TOLERANCE_DEG,
    "elbow_flare_max_deg": floor.WORLD_PUSH_UP_MAX_ELBOW_FLARE_DEG,
}


def extract_clip(path: Path, sample_fps: float, detect_conf: float, imgsz: int, backend: str) -> np.ndarray:
    """Every person the pose model finds in the sampled frames, as an object array for the cache."""
    pose = get_pose_estimator(
        PoseConfig(imgsz=imgsz, conf=detect_conf, track_conf=detect_conf, backend=backend, cache_dir=POSE_CACHE_DIR)
    )
    images = [frame.image_bgr for frame in iter_frames(path, target_fps=sample_fps)]
    frames: list[PoseFrame] = []
    for start in range(0, len(images), 8):
        frames += pose.detect_batch(images[start : start + 8])
    info = probe_video(path)
    detections = [
        (
            np.array([p.box for p in f.persons], np.float32).reshape(-1, 4),
            np.array([p.score for p in f.persons], np.float32),
            np.array([p.keypoints for p in f.persons], np.float32).reshape(-1, 17, 3),
        )
        for f in frames
    ]
    sampled_fps = len(frames) / info.duration_s if info.duration_s > 0 else sample_fps
    return np.array([detections, sampled_fps, (info.width, info.height)], dtype=object)


def main_person_keypoints(
    cached: np.ndarray, min_score: float, track_score: float
) -> tuple[np.ndarray, float, tuple[int, int]]:
    """The tracked main person's keypoints `(T, 17, 3)` from cached detections, as the analysis service does."""
    detections, fps, size = cached
    frames = [
        split_by_score(
            tuple(size),
            [
                Person(box=box.tolist(), score=float(score), keypoints=kp)
                for box, score, kp in zip(boxes, scores, keypoints, strict=True)
                if score >= track_score
            ],
            min_score,
        )
        for boxes, scores, keypoints in detections
    ]
    track = main_track(track_people(frames))
    keypoints = track.keypoint_array(len(frames)) if track else np.zeros((len(frames), 17, 3), np.float32)
    return keypoints, float(fps), tuple(int(v) for v in size)


def streams_like_batch(keypoints: np.ndarray, fps: float, batch: dict, rng) -> bool:
    """Whether the clip's keypoints fed as a live session feeds them (times in whole milliseconds, batches of 1-20
    frames, the assessor saved and restored between batches) give the batch assessment's reps and faults."""
    assessor, start = SequenceAssessor("push_up"), 0
    times_s = np.round(np.arange(len(keypoints)) * 1000 / fps) / 1000
    while start < len(keypoints):
        stop = start + int(rng.integers(1, 21))
        assessor.feed(keypoints[start:stop], times_s[start:stop])
        assessor = SequenceAssessor.restore("push_up", assessor.state(), assessor.rows.tobytes())
        start = stop
    live = assessor.finish().to_dict()
    same_reps = [(r["index"], sorted(i["code"] for i in r["issues"])) for r in live["reps"]["per_rep"]] == [
        (r["index"], sorted(i["code"] for i in r["issues"])) for r in batch["reps"]["per_rep"]
    ]
    return same_reps and live["issues"] == batch["issues"] and live["form_ok"] == batch["form_ok"]


def cached_bodies(folder: Path) -> dict[str, tuple[np.ndarray, float, tuple[int, int]]]:
    """`{label/clip name: (body frames, fps, image size)}` of the push-up clips in an `extract_poses.py` cache."""
    return {
        f"{row['label']}/{Path(row['clip']).name}": (
            clip["body"],
            float(clip["fps"]),
            tuple(int(v) for v in clip["image_size"]),
        )
        for row, clip in cached_clips(folder)
        if row["clip"].startswith("pushup-form/")
    }


def load_cache(path: Path | None) -> dict:
    return dict(np.load(path, allow_pickle=True)) if path and path.is_file() else {}


def evaluate(results: list[tuple[str, str, dict]]) -> None:
    """Print the figures for `(label, clip, assessment)` triples."""
    reps = Counter(a["reps"]["count"] for _, _, a in results)
    print("clips:", len(results), dict(Counter(label for label, _, _ in results)))
    print("rep counts:", dict(sorted(reps.items())), f"exactly one: {reps[1]}/{len(results)}")
    confusion = Counter((label, "ok" if a["form_ok"] else "faulty") for label, _, a in results)
    right = confusion[("correct", "ok")] + confusion[("wrong", "faulty")]
    print(f"form_accuracy: {right / len(results):.3f} ({right}/{len(results)})")
    print("confusion (rows: folder, columns: verdict)")
    print(f"  {'':8} {'ok':>6} {'faulty':>7}")
    for label in LABELS:
        print(f"  {label:8} {confusion[(label, 'ok')]:6d} {confusion[(label, 'faulty')]:7d}")
    for label in LABELS:
        codes = Counter(i["code"] for lab, _, a in results if lab == label for i in a["issues"])
        views = Counter(a["view"] for lab, _, a in results if lab == label)
        print(f"{label}: faults {dict(codes.most_common())}  views {dict(views)}")


def is_fault(code: str, value: float, params: dict) -> bool:
    """A push-up check's verdict on a value measured with the shipped thresholds, under other `params`."""
    shift = params["hip_line_neutral_deg"] - SHIPPED["hip_line_neutral_deg"]
    if code == "hips_sagging":
        return value - shift > params["hip_line_tolerance_deg"]
    if code == "hips_too_high":
        return value + shift > params["hip_line_tolerance_deg"]
    if code == "head_dropping":
        return value - params["head_neutral_shift_deg"] > params["head_drop_max_deg"]
    limits = {
        "partial_range_of_motion": params["push_up_bottom_elbow_max_deg"],
        "head_dropping": params["head_drop_max_deg"],
        "elbows_flared": params["elbow_flare_max_deg"],
    }
    return value > limits[code]


def form_ok_under(assessment: dict, params: dict) -> bool:
    """Whether a clip passes with other thresholds: no rep (or, without reps, the clip) shows a real fault."""
    severity = {rule.code: rule.severity for rule in rules_for("push_up")}
    windows = [rep["measured"] for rep in assessment["reps"]["per_rep"]] or [assessment["measured"]]
    return not any(
        severity[code] not in FORM_OK_SEVERITIES and is_fault(code, value, params)
        for measured in windows
        for code, value in measured.items()
    )


def same_video_groups(names: list[str], labels: list[str]) -> list[int]:
    """A group id per clip: clips of one folder with consecutive numbers (`wrong11` to `wrong15`) are taken to be
    cut from one video, as the data's README warns, and stay on one side of every split (over-grouping only makes
    the figure stricter)."""
    numbered = sorted(
        ((label, int("".join(filter(str.isdigit, Path(name).stem)) or -1), index)
         for index, (label, name) in enumerate(zip(labels, names, strict=True)))
    )  # fmt: skip
    groups, group, previous = [0] * len(names), -1, None
    for label, number, index in numbered:
        if previous is None or previous[0] != label or number - previous[1] > 1:
            group += 1
        groups[index], previous = group, (label, number)
    return groups


def grouped_folds(names: list[str], labels: list[str]) -> np.ndarray:
    """`FOLDS` folds of whole groups, the largest groups first into the emptiest fold, in a shuffled order."""
    groups = np.array(same_video_groups(names, labels))
    ids = np.random.default_rng(0).permutation(np.unique(groups))
    sizes = {g: int((groups == g).sum()) for g in ids}
    fold_of, load = {}, [0] * FOLDS
    for g in sorted(ids, key=lambda g: -sizes[g]):
        fold_of[g] = int(np.argmin(load))
        load[fold_of[g]] += sizes[g]
    print(f"{len(ids)} same-video groups over {len(names)} clips; fold sizes {load}")
    return np.array([fold_of[g] for g in groups])


def tune(results: list[tuple[str, str, dict]], shipped: dict) -> None:
    """Score the grid on all clips (`shipped`: the thresholds the rules applied), then a nested cross-validation
    of choosing from it."""
    labels = np.array([label == "correct" for label, _, _ in results])
    combos = [dict(zip(TUNING_GRID, values, strict=True)) for values in itertools.product(*TUNING_GRID.values())]
    combos.sort(key=lambda params: params != shipped)
    verdicts = np.array([[form_ok_under(a, params) for _, _, a in results] for params in combos])
    assert combos[0] == shipped, "the grid holds the shipped thresholds"
    assert (verdicts[0] == np.array([a["form_ok"] for _, _, a in results])).all(), "replayed verdicts differ"
    accuracy = (verdicts == labels).mean(axis=1)
    best = int(np.argmax(accuracy))
    print(f"tuning grid: {len(combos)} points; shipped {accuracy[0]:.3f}; best in-sample {accuracy[best]:.3f}")
    print("  best in-sample:", combos[best])
    folds = grouped_folds([name for _, name, _ in results], [label for label, _, _ in results])
    held_out = []
    for fold in range(FOLDS):
        train = folds != fold
        chosen = int(np.argmax((verdicts[:, train] == labels[train]).mean(axis=1)))
        held_out.append(float((verdicts[chosen, ~train] == labels[~train]).mean()))
        print(f"  fold {fold}: chose {combos[chosen]}, held-out accuracy {held_out[-1]:.3f}")
    print(f"nested {FOLDS}-fold cross-validated accuracy: {np.mean(held_out):.3f} (std {np.std(held_out):.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=None, help="an .npz of raw detections, made on the first run")
    parser.add_argument("--imgsz", type=int, default=PoseConfig().imgsz, help="pose input size (a new cache each)")
    parser.add_argument(
        "--backend", choices=POSE_BACKENDS, default=PoseConfig().backend, help="pose runtime (a new cache each)"
    )
    parser.add_argument("--detect-conf", type=float, default=0.1, help="lowest person score kept in the cache")
    parser.add_argument("--person-conf", type=float, default=PoseConfig().conf, help="person score the service uses")
    parser.add_argument(
        "--track-conf", type=float, default=PoseConfig().track_conf, help="score from which a person extends a track"
    )
    parser.add_argument("--poses", type=Path, default=None, help="an extract_poses.py cache to judge instead")
    parser.add_argument("--engine", choices=("yolo", "blazepose"), default="yolo", help="whose frames in --poses")
    parser.add_argument("--verbose", action="store_true", help="one line per clip")
    parser.add_argument("--tune", action="store_true", help="score a threshold grid and cross-validate choosing")
    parser.add_argument(
        "--stream-check", action="store_true", help="also feed each clip as a live session would, in random batches"
    )
    args = parser.parse_args()
    clips = [(label, p) for label in LABELS for p in sorted((args.data / label).glob("*.mp4"))]
    bodies = cached_bodies(args.poses / args.engine) if args.poses else {}
    cache = {} if args.poses else load_cache(args.cache)
    started = time.perf_counter()
    missing = [] if args.poses else [(label, p) for label, p in clips if f"{label}/{p.name}" not in cache]
    for n, (label, path) in enumerate(missing, 1):
        cache[f"{label}/{path.name}"] = extract_clip(
            path, ClipSettings().sample_fps, args.detect_conf, args.imgsz, args.backend
        )
        if n % 10 == 0 or n == len(missing):
            print(f"pose: {n}/{len(missing)} clips, {time.perf_counter() - started:.0f} s", flush=True)
            if args.cache:
                np.savez(args.cache, **cache)
    results, mismatches, rng = [], 0, np.random.default_rng(0)
    for label, path in clips:
        name = f"{label}/{path.name}"
        if args.poses:
            keypoints, fps, size = bodies[name]
        else:
            keypoints, fps, size = main_person_keypoints(cache[name], args.person_conf, args.track_conf)
        assessment = assess_sequence("push_up", keypoints, fps, size).to_dict()
        results.append((label, path.name, assessment))
        if args.stream_check:
            mismatches += not streams_like_batch(keypoints, fps, assessment, rng)
        if args.verbose:
            codes = sorted({i["code"] for i in assessment["issues"]})
            print(
                f"{label}/{path.name}: reps {assessment['reps']['count']} view {assessment['view']} "
                f"ok {assessment['form_ok']} score {assessment['score']} {codes}"
            )
    evaluate(results)
    if args.stream_check:
        print(f"live_stream_equals_batch: {len(results) - mismatches}/{len(results)} clips")
    if args.tune:
        tune(results, SHIPPED_WORLD if args.poses and args.engine == "blazepose" else SHIPPED)


if __name__ == "__main__":
    main()
