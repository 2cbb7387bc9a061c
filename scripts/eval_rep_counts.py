"""Rep counting on real multi-rep clips, from the pose caches `scripts/extract_poses.py` writes: exact-count
accuracy, off-by-one accuracy (OBO) and mean absolute error over the true count (as in RepCount / PoseRAC), per
exercise and per engine.

    python scripts/eval_rep_counts.py --cache /work/cache/poses [--engines yolo blazepose]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.ml.posture import assess_sequence  # noqa: E402
from api.ml.posture.measures import elbow_angle_deg  # noqa: E402
from api.ml.reps import count_reps  # noqa: E402
from scripts.extract_poses import cached_clips  # noqa: E402

# Dips have no posture rules yet: their reps are counted on the elbow as a row's are (straight arms at rest).
COUNTED_AS = {"dips": "row"}


def counted(exercise: str, body: np.ndarray, fps: float, image_size: tuple[int, int]) -> int:
    if exercise in COUNTED_AS:
        angles = [np.nan if (value := elbow_angle_deg(kp)) is None else value for kp in body[..., :3]]
        return len(count_reps(angles, fps, COUNTED_AS[exercise]))
    return assess_sequence(exercise, body, fps, image_size).to_dict()["reps"]["count"]


def figures(pairs: list[tuple[int, int]]) -> str:
    true, got = (np.array(values) for values in zip(*pairs, strict=True))
    error = np.abs(true - got)
    return f"exact {np.mean(error == 0):.2f}  OBO {np.mean(error <= 1):.2f}  MAE {np.mean(error / true):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--engines", nargs="+", default=["yolo", "blazepose"])
    args = parser.parse_args()
    for engine in args.engines:
        per_exercise: dict[str, list[tuple[int, int]]] = {}
        for row, clip in cached_clips(args.cache / engine):
            if int(row["reps"]) < 1:
                continue
            exercise = str(clip["exercise"])
            size = tuple(int(v) for v in clip["image_size"])
            got = counted(exercise, clip["body"], float(clip["fps"]), size)
            per_exercise.setdefault(exercise, []).append((int(clip["reps"]), got))
        everything = [pair for pairs in per_exercise.values() for pair in pairs]
        for exercise, pairs in [*sorted(per_exercise.items()), ("all", everything)]:
            print(f"{engine} {exercise} ({len(pairs)} clips): {figures(pairs)}  (true, counted) {pairs}")


if __name__ == "__main__":
    main()
