"""Push-up form and rep counting on labelled clips: `<data>/correct/*.mp4` and `<data>/wrong/*.mp4`.

    python scripts/eval_pushup_form.py --data ../shared/data/pushup-form --cache /tmp/pushup-keypoints.npz

Runs the real pose model at the analysis sampling rate, tracks the main person, then the push-up rules and the
rep counter; prints rep counts, form accuracy against the folder labels, a confusion matrix and fault counts.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.ml.analysis import ClipSettings  # noqa: E402
from api.ml.pose import get_pose_estimator  # noqa: E402
from api.ml.posture import assess_sequence  # noqa: E402
from api.ml.tracking import main_track, track_people  # noqa: E402
from api.ml.video import iter_frames, probe_video  # noqa: E402


def clip_keypoints(path: Path, sample_fps: float) -> tuple[np.ndarray, float, tuple[int, int]]:
    pose = get_pose_estimator()
    images = [frame.image_bgr for frame in iter_frames(path, target_fps=sample_fps)]
    frames = []
    for start in range(0, len(images), 8):
        frames += pose.detect_batch(images[start : start + 8])
    info = probe_video(path)
    track = main_track(track_people(frames))
    keypoints = track.keypoint_array(len(frames)) if track else np.zeros((len(frames), 17, 3), np.float32)
    return keypoints, len(frames) / info.duration_s, (info.width, info.height)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    clips = [(p, label) for label in ("correct", "wrong") for p in sorted((args.data / label).glob("*.mp4"))]
    cache = dict(np.load(args.cache, allow_pickle=True)) if args.cache and args.cache.is_file() else {}
    results = []
    for n, (path, label) in enumerate(clips, 1):
        key = f"{label}/{path.name}"
        if key not in cache:
            keypoints, fps, size = clip_keypoints(path, ClipSettings().sample_fps)
            cache[key] = np.array([keypoints, fps, size], dtype=object)
            if n % 10 == 0:
                print(f"pose: {n}/{len(clips)}", flush=True)
        keypoints, fps, size = cache[key]
        assessment = assess_sequence("push_up", keypoints, float(fps), tuple(size)).to_dict()
        results.append((label, assessment))
    if args.cache:
        np.savez(args.cache, **cache)

    reps = Counter(a["reps"]["count"] for _, a in results)
    print("rep counts:", dict(sorted(reps.items())))
    confusion = Counter((label, "ok" if a["form_ok"] else "faulty") for label, a in results)
    correct = confusion[("correct", "ok")] + confusion[("wrong", "faulty")]
    print(f"form_accuracy: {correct / len(results):.3f} over {len(results)} clips")
    print("confusion (label -> verdict):", dict(confusion))
    for label in ("correct", "wrong"):
        codes = Counter(i["code"] for lab, a in results if lab == label for i in a["issues"])
        views = Counter(a["view"] for lab, a in results if lab == label)
        print(f"{label}: faults {dict(codes)}  views {dict(views)}")


if __name__ == "__main__":
    main()
