"""Cache the pose sequences of the real clips, through the API's own clip path, for the motion recognizer.

    OMP_NUM_THREADS=2 python scripts/extract_clip_poses.py --data ../shared/data --out /work/cache/clip-poses

Every clip of `exercise-clips/` (label: its folder), `pushup-form/` (label: push_up) and `rep-clips/` (label: its
folder) goes through `analyse_clip` with ONNX pose (same keypoints as PyTorch, about twice as fast on a CPU) and a
recognizer that only records what the clip path hands it: the main track's `(T, 17, 3)` keypoints and frame times,
and the shipped image recognizer's probabilities on the voting frames. One `.npz` per clip (no pickled objects),
written once: a rerun skips clips already cached. A file that does not decode is cached as an empty clip.

Groups, for splits: the source (file-name prefix) for `exercise-clips/` and `rep-clips/`; `pushup-form/` is one
source whose clips are grouped into runs cut from one video (see `pushup_form_groups`).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.exceptions import InvalidMedia  # noqa: E402
from api.ml.analysis import analyse_clip  # noqa: E402
from api.ml.recognition import Recognition  # noqa: E402
from api.ml.video import probe_video  # noqa: E402

PUSHUP_FORM_SOURCE = "pushup-form"
# Clips cut from one video carry near numbers (the README's examples: wrong/11-15, correct/25-34, 101-104).
SAME_VIDEO_MAX_NUMBER_GAP = 5


@dataclass(frozen=True)
class ClipEntry:
    path: Path
    label: str
    source: str
    group: str

    def cache_name(self, data: Path) -> str:
        return re.sub(r"[^A-Za-z0-9_.-]", "_", str(self.path.relative_to(data).with_suffix(""))) + ".npz"


def pushup_form_groups(folder: Path) -> dict[Path, str]:
    """`pushup-form` clips grouped by video: within `correct/` or `wrong/`, clips sorted by number stay in one
    group while the numbers are at most `SAME_VIDEO_MAX_NUMBER_GAP` apart and the frame size and rate agree."""
    groups = {}
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        rows = []
        for path in sub.glob("*.mp4"):
            info = probe_video(path)
            rows.append(
                (int(re.search(r"(\d+)$", path.stem).group(1)), (info.width, info.height, round(info.fps)), path)
            )
        rows.sort()
        run_start, previous = None, None
        for number, shape, path in rows:
            if previous is None or number - previous[0] > SAME_VIDEO_MAX_NUMBER_GAP or shape != previous[1]:
                run_start = number
            groups[path] = f"{PUSHUP_FORM_SOURCE}/{sub.name}/{run_start}"
            previous = (number, shape)
    return groups


def list_clips(data: Path) -> list[ClipEntry]:
    """Every clip with its label, source and group."""
    entries = []
    for folder in ("exercise-clips", "rep-clips"):
        for path in sorted((data / folder).glob("*/*.mp4")):
            source = path.name.split("__")[0]
            entries.append(ClipEntry(path, path.parent.name, source, source))
    for path, group in sorted(pushup_form_groups(data / PUSHUP_FORM_SOURCE).items()):
        entries.append(ClipEntry(path, "push_up", PUSHUP_FORM_SOURCE, group))
    return entries


class RecordingRecognizer:
    """A `Recognizer` that names nothing and keeps what the clip path gives it, with the image model's votes."""

    def __init__(self, image_recognizer):
        self.image_recognizer = image_recognizer
        self.record: dict = {}

    def empty(self) -> dict:
        return {
            "keypoints": np.zeros((0, 17, 3), np.float32),
            "times_s": np.zeros(0),
            "image_probabilities": np.zeros((0, len(self.image_recognizer.model.labels)), np.float32),
        }

    def record_clip(self, path: Path, pose) -> tuple[dict, tuple[int, int]]:
        """What `analyse_clip` hands the recognizer for this clip, and the clip's frame size."""
        self.record = self.empty()
        analysis = analyse_clip(path, pose, self)
        return self.record, analysis.image_size

    def recognize(self, image_bgr, pose_frame) -> Recognition:
        return Recognition(None, 0.0, [], "recorded")

    def recognize_clip(self, samples, keypoints=None, times_s=None) -> Recognition:
        votes = [self.image_recognizer.probabilities(image, frame) for image, frame in samples]
        self.record["image_probabilities"] = np.asarray(votes, dtype=np.float32)
        if keypoints is not None:
            self.record |= {"keypoints": keypoints, "times_s": np.asarray(times_s, dtype=np.float64)}
        return Recognition(None, 0.0, [], "recorded")


def extract(data: Path, out: Path, model_cache: Path | None = None) -> None:
    """Cache every clip of `data` not yet cached in `out` (a clip that does not decode is cached as empty)."""
    from api.ml.pose import PoseConfig, get_pose_estimator
    from api.ml.recognition import DEFAULT_MODEL_DIR, FeatureRecognizer
    from api.ml.recognition_network import crop_network_for

    out.mkdir(parents=True, exist_ok=True)
    todo = [entry for entry in list_clips(data) if not (out / entry.cache_name(data)).is_file()]
    if not todo:
        return
    pose = get_pose_estimator(PoseConfig(backend="onnx", cache_dir=str(model_cache or out)))
    image_recognizer = FeatureRecognizer.from_dir(DEFAULT_MODEL_DIR, crop_network_for(pose.config))
    recorder = RecordingRecognizer(image_recognizer)
    for entry in todo:
        started = time.perf_counter()
        name = entry.path.relative_to(data)
        try:
            record, image_size = recorder.record_clip(entry.path, pose)
            status = f"{len(record['times_s'])} frames"
        except InvalidMedia as error:
            record, image_size = recorder.empty(), (0, 0)
            status = f"not decoded ({error}), cached as empty"
        np.savez_compressed(
            out / entry.cache_name(data),
            **record,
            image_labels=np.asarray(image_recognizer.model.labels),
            image_size=np.asarray(image_size),
            label=entry.label,
            source=entry.source,
            group=entry.group,
            path=str(name),
        )
        print(f"{name}: {status}, {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--out", type=Path, required=True, help="a folder for the per-clip .npz files")
    parser.add_argument("--model-cache", type=Path, default=None, help="where the ONNX export is kept")
    args = parser.parse_args()
    extract(args.data, args.out, args.model_cache)


if __name__ == "__main__":
    main()
