"""Cache the pose sequences and the voting frames' image features of the real clips, through the API's clip path.

    OMP_NUM_THREADS=2 python scripts/extract_clip_poses.py --data ../shared/data --out /work/cache/clip-poses

Every clip of `exercise-clips/` (label: its folder), `pushup-form/` (label: push_up) and `rep-clips/` (label: its
folder) goes through `analyse_clip` with ONNX pose (the default) and a recognizer that only records what the clip
path hands it: the main track's `(T, 17, 3)` keypoints and frame times, BlazePose's `(T', 21, 6)` body frames of
that person with their world coordinates (`body`, `body_times_s`), and the raw feature blocks
(`raw_blocks`, the photo recognizer's input) of `RECORDED_FRAMES` evenly spaced frames with people in them, of
which `vote_positions` are the frames the API votes on. The blocks depend on no trained model, so the photo
recognizer can be trained on the frames and give the motion recognizer its votes from models that did not see
the clip (`scripts/train_recognizer.py`). One `.npz` per clip (no pickled objects), written once: a rerun skips
clips already cached. A file that does not decode is cached as an empty clip.

Groups, for splits: the source (file-name prefix) for `exercise-clips/` and `rep-clips/`; `pushup-form/` is one
source whose clips are grouped into runs cut from one video (see `pushup_form_groups`); `source_folds` deals them
into the folds both trainers use.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.exceptions import InvalidMedia  # noqa: E402
from api.ml.analysis import ClipSettings, analyse_clip, evenly_spaced  # noqa: E402
from api.ml.keypoints import BODY_KEYPOINT_COUNT, WORLD_CHANNELS  # noqa: E402
from api.ml.recognition import FEATURE_BLOCKS, ClipMotion, FeatureExtractor, Recognition, needed_blocks  # noqa: E402
from api.ml.video import probe_video  # noqa: E402

PUSHUP_FORM_SOURCE = "pushup-form"
VOTES = ClipSettings().recognition_frames
# Frames whose features are kept per clip: a multiple of the API's votes (less one), so the votes are among them.
RECORDED_FRAMES = 3 * (VOTES - 1) + 1
# The raw blocks the shipped features are computed from, as `FeatureExtractor.blocks` gives them.
BLOCK_NAMES = (*sorted(needed_blocks(FEATURE_BLOCKS)), "kp", "size")
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


def vote_positions(recorded: int) -> list[int]:
    """Which of `recorded` evenly spaced frames the API votes on: with fewer frames with people than
    `RECORDED_FRAMES` every one is recorded and the votes are spread over them; otherwise every third."""
    if recorded < RECORDED_FRAMES:
        return evenly_spaced(recorded, VOTES)
    return list(range(0, RECORDED_FRAMES, (RECORDED_FRAMES - 1) // (VOTES - 1)))


def source_folds(sources: np.ndarray, groups: np.ndarray, strict: bool = False) -> np.ndarray:
    """A fold number per clip: one per source; `pushup-form` video groups dealt over them, largest first (or,
    with `strict`, all of `pushup-form` one more fold)."""
    names = sorted(set(sources) - {PUSHUP_FORM_SOURCE})
    folds = np.array([names.index(s) if s != PUSHUP_FORM_SOURCE else -1 for s in sources])
    if strict:
        folds[folds < 0] = len(names)
        return folds
    sizes = Counter(groups[folds < 0])
    for i, (group, _) in enumerate(sorted(sizes.items(), key=lambda item: (-item[1], item[0]))):
        folds[groups == group] = i % len(names)
    return folds


class RecordingRecognizer:
    """A `Recognizer` that names nothing and keeps what the clip path gives it: keypoints, times, BlazePose's body
    frames and the raw feature blocks of the sampled frames."""

    uses_world_motion = True

    def __init__(self, extractor: FeatureExtractor):
        self.extractor = extractor
        self.record: dict = {}

    @staticmethod
    def empty() -> dict:
        return {
            "keypoints": np.zeros((0, 17, 3), np.float32),
            "times_s": np.zeros(0),
            "body": np.zeros((0, BODY_KEYPOINT_COUNT, WORLD_CHANNELS), np.float32),
            "body_times_s": np.zeros(0),
            "vote_positions": [],
        }

    def record_clip(self, path: Path, pose) -> tuple[dict, tuple[int, int]]:
        """What `analyse_clip` hands the recognizer for this clip, and the clip's frame size."""
        self.record = self.empty()
        settings = dataclasses.replace(ClipSettings(), recognition_frames=RECORDED_FRAMES)
        analysis = analyse_clip(path, pose, self, settings=settings)
        return self.record, analysis.image_size

    def recognize(self, image_bgr, pose_frame) -> Recognition:
        return Recognition(None, 0.0, [], "recorded")

    def recognize_clip(self, samples, motion: ClipMotion | None = None) -> Recognition:
        frames = [self.extractor.blocks(image, frame) for image, frame in samples]
        self.record |= {name: np.stack([blocks[name] for blocks in frames]) for name in BLOCK_NAMES}
        self.record["vote_positions"] = vote_positions(len(frames))
        if motion is not None:
            self.record |= {"keypoints": motion.keypoints, "times_s": np.asarray(motion.times_s, dtype=np.float64)}
        if motion is not None and motion.body is not None:
            self.record |= {"body": motion.body.astype(np.float32), "body_times_s": motion.body_times_s}
        return Recognition(None, 0.0, [], "recorded")


def extract(data: Path, out: Path, model_cache: Path | None = None) -> None:
    """Cache every clip of `data` not yet cached in `out` (a clip that does not decode is cached as empty)."""
    from api.ml.pose import PoseConfig, get_pose_estimator
    from api.ml.recognition_network import crop_network_for

    out.mkdir(parents=True, exist_ok=True)
    todo = [entry for entry in list_clips(data) if not (out / entry.cache_name(data)).is_file()]
    if not todo:
        return
    pose = get_pose_estimator(PoseConfig(backend="onnx", cache_dir=str(model_cache or out)))
    recorder = RecordingRecognizer(FeatureExtractor(crop_network_for(pose.config), FEATURE_BLOCKS))
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
