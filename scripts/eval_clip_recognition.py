"""Exercise recognition on real clips, through the same path as `POST /analyses` (`analyse_clip`).

    OMP_NUM_THREADS=2 python scripts/eval_clip_recognition.py --data ../shared/data/pushup-form --label push_up

Every `*.mp4`, `*.mov` and `*.webm` under --data is analysed with the shipped recognizer (or --model); its
expected label is --label, or else the name of the sub-folder directly under --data. Prints, over all clips, how
often the exercise is named right, named wrong or withheld (`label: null`), and how often the expected label is
the top candidate or among the top five, with or without the confidence threshold.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.ml.analysis import analyse_clip  # noqa: E402
from api.ml.pose import get_pose_estimator  # noqa: E402
from api.ml.recognition import DEFAULT_MODEL_DIR, load_default_recognizer  # noqa: E402
from api.ml.recognition_network import crop_network_for  # noqa: E402

CLIP_SUFFIXES = {".mp4", ".mov", ".webm"}


def labelled_clips(folder: Path, label: str | None) -> list[tuple[Path, str]]:
    """Clips under `folder` with their expected label (`label`, or their top sub-folder's name)."""
    clips = sorted(p for p in folder.rglob("*") if p.suffix.lower() in CLIP_SUFFIXES)
    return [(path, label or path.relative_to(folder).parts[0]) for path in clips]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--label", default=None, help="the exercise every clip shows (default: the sub-folder name)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR, help="a recognizer folder")
    parser.add_argument("--verbose", action="store_true", help="one line per clip")
    args = parser.parse_args()
    clips = labelled_clips(args.data, args.label)
    pose = get_pose_estimator()
    recognizer = load_default_recognizer(crop_network_for(pose.config), args.model)
    outcomes: Counter = Counter()
    top1 = top5 = 0
    started = time.perf_counter()
    for path, expected in clips:
        recognition = analyse_clip(path, pose, recognizer).recognition
        candidates = [entry["label"] for entry in recognition.top5]
        top1 += candidates[:1] == [expected]
        top5 += expected in candidates
        outcome = "withheld" if recognition.label is None else "right" if recognition.label == expected else "wrong"
        outcomes[outcome] += 1
        if args.verbose:
            named = f"{recognition.label} {recognition.confidence:.2f} {candidates[:3]}"
            print(f"{path.relative_to(args.data)}: {outcome} {named}", flush=True)
    count = len(clips)
    print(f"clips: {count}  ({time.perf_counter() - started:.0f} s)")
    for outcome in ("right", "wrong", "withheld"):
        print(f"named_{outcome}: {outcomes[outcome] / count:.3f} ({outcomes[outcome]})")
    print(f"top1_without_threshold: {top1 / count:.3f}")
    print(f"top5: {top5 / count:.3f}")


if __name__ == "__main__":
    main()
