"""Train the photo recognizer on every real photo and clip frame of the shared data, cross-validated by source.

    OMP_NUM_THREADS=2 python scripts/train_recognizer.py --data ../shared/data --clips /work/cache/clip-poses \\
        --cache /work/cache/photo-blocks.npz --out models/exercise-recognizer

Samples: the gym photos of `exercise-photos/` (group: the variant, both photos of it), the wild photos of
`exercise-photos-wild/` (group: the stock video a frame comes from, all sit-up frames together, each scraped photo
alone) and the recorded frames of every clip in the pose cache of `scripts/extract_clip_poses.py` (clips missing
from it are extracted first; group: the clip's source, `pushup-form/` videos dealt over the sources). Each clip's
frames together weigh `CLIP_WEIGHT` photos. Every sample is used as it is and mirrored; at test time the two
views' probabilities are averaged, as `FeatureRecognizer` does at run time.

Folds: one per clip source (`source_folds`, the same folds as `scripts/train_motion_recognizer.py`); the gym and
the wild photos are dealt over them by group, stratified by class. A model without fold k gives fold k's figures;
a model without folds k and j gives fold j's answers as seen from inside outer fold k, from which fold k's `C`
(of `C_GRID`, by top-1 with gym photos, wild photos and clip frames weighing the same) and confidence threshold
are chosen (the lowest at which the named gym photos and the named wild photos are each right at least
`TARGET_PRECISION` of the time), and which the motion recognizer's own cross-validation takes as its image
votes (`--votes`), so no clip is ever judged by an image model that saw its source. The wild photos are also
judged with each of their sources held out whole. The shipped model is fit on everything, its threshold
chosen the same way on the out-of-fold answers. Writes `linear.npz`, `labels.json`, `settings.json` and
`metrics.json` to --out.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.ml.pose import PoseConfig, get_pose_estimator  # noqa: E402
from api.ml.recognition import (  # noqa: E402
    FEATURE_BLOCKS,
    FeatureExtractor,
    LinearModel,
    block_vectors,
    recognition_from_probabilities,
)
from api.ml.recognition_network import crop_network_for  # noqa: E402
from scripts import extract_clip_poses  # noqa: E402

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
C_GRID = (3.0, 10.0)
CLIP_WEIGHT = 2.0  # what all of one clip's frames weigh together, in photos
THRESHOLDS = tuple(round(0.1 + 0.05 * i, 2) for i in range(18)) + (0.97, 0.99)
TARGET_PRECISION = 0.9
WILD_CLASSES = ("squat", "deadlift", "bench_press")


@dataclass
class Samples:
    """Every training sample: its feature blocks `(N, 2, d)` per block, what it shows and where it comes from."""

    parts: list[np.ndarray]
    labels: np.ndarray
    kinds: np.ndarray  # gym, wild or clip
    groups: np.ndarray
    sources: np.ndarray
    clips: np.ndarray  # the clip a frame comes from ("" for a photo)
    votes: np.ndarray  # whether the API votes on this frame of its clip
    weights: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def gym_group(label: str, path: Path) -> str:
    return f"gym/{label}/{path.stem.split('__')[0]}"


def wild_group(label: str, path: Path) -> str:
    """The stock video a squat frame comes from, one group for the sit-up frames (two videos, not told apart by
    name), each scraped photo on its own."""
    source, _, rest = path.stem.partition("__")
    if source.startswith("joelmarodrigues"):
        return f"wild/{source}/{re.sub(r'_frame_.*', '', rest.partition('__')[2])}"
    if label == "sit_up":
        return f"wild/{source}"
    return f"wild/{path.stem}"


def list_photos(folder: Path, group_of) -> tuple[list[Path], list[str], list[str]]:
    """Photos, their class (sub-folder) and their group."""
    paths, labels, groups = [], [], []
    for class_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for path in sorted(class_dir.iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                paths.append(path)
                labels.append(class_dir.name)
                groups.append(group_of(class_dir.name, path))
    return paths, labels, groups


def photo_blocks(paths: list[Path], cache: Path | None, model_cache: Path) -> dict[str, np.ndarray]:
    """Raw feature blocks `(N, 2, ...)` of every photo, as the API computes them; reused from `cache` when it
    holds these photos."""
    key = [str(p) for p in paths]
    if cache and cache.is_file():
        stored = np.load(cache, allow_pickle=False)
        if stored["paths"].tolist() == key:
            print(f"photo features: from {cache}", flush=True)
            return {name: stored[name] for name in extract_clip_poses.BLOCK_NAMES}
    pose = get_pose_estimator(PoseConfig(backend="onnx", cache_dir=str(model_cache)))
    extractor = FeatureExtractor(crop_network_for(pose.config), FEATURE_BLOCKS)
    rows: dict[str, list] = {name: [] for name in extract_clip_poses.BLOCK_NAMES}
    started = time.perf_counter()
    for n, path in enumerate(paths, 1):
        image = cv2.imread(str(path))
        blocks = extractor.blocks(image, pose.detect(image))
        for name in rows:
            rows[name].append(blocks[name])
        if n % 100 == 0:
            print(f"photo features: {n}/{len(paths)} ({(time.perf_counter() - started) / n * 1000:.0f} ms)", flush=True)
    blocks = {name: np.stack(values) for name, values in rows.items()}
    if cache:
        np.savez(cache, paths=np.array(key), **blocks)
    return blocks


def clip_frames(cache: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The recorded frames of every cached clip with people in it: their raw blocks and, per frame, the clip's
    label, source, group and path and whether the API votes on it."""
    blocks: dict[str, list] = {name: [] for name in extract_clip_poses.BLOCK_NAMES}
    meta: dict[str, list] = {"labels": [], "sources": [], "groups": [], "clips": [], "votes": []}
    for path in sorted(cache.glob("*.npz")):
        row = np.load(path)
        if "kp" not in row.files:
            continue
        count = len(row["kp"])
        for name in blocks:
            blocks[name].extend(row[name])
        for key, field in (("labels", "label"), ("sources", "source"), ("groups", "group"), ("clips", "path")):
            meta[key].extend([str(row[field])] * count)
        meta["votes"].extend(np.isin(np.arange(count), row["vote_positions"]))
    return {name: np.stack(values) for name, values in blocks.items()}, {k: np.array(v) for k, v in meta.items()}


def feature_arrays(blocks: dict[str, np.ndarray]) -> list[np.ndarray]:
    """One `(N, 2, d)` array per feature block, as the recognizer computes them."""
    per_sample = [{key: value[i] for key, value in blocks.items()} for i in range(len(blocks["kp"]))]
    return [
        np.stack([block_vectors(sample, name) for sample in per_sample]).astype(np.float32) for name in FEATURE_BLOCKS
    ]


def load_samples(data: Path, clip_cache: Path, photo_cache: Path | None, model_cache: Path) -> Samples:
    """Gym photos, wild photos and clip frames, in that order."""
    gym = list_photos(data / "exercise-photos", gym_group)
    wild = list_photos(data / "exercise-photos-wild", wild_group)
    photos = photo_blocks(gym[0] + wild[0], photo_cache, model_cache)
    frames, meta = clip_frames(clip_cache)
    blocks = {name: np.concatenate([photos[name], frames[name]]) for name in photos}
    photo_count = len(gym[0]) + len(wild[0])
    names, counts = np.unique(meta["clips"], return_counts=True)
    per_clip = dict(zip(names, counts, strict=True))
    return Samples(
        parts=feature_arrays(blocks),
        labels=np.array(gym[1] + wild[1] + meta["labels"].tolist()),
        kinds=np.array(["gym"] * len(gym[0]) + ["wild"] * len(wild[0]) + ["clip"] * len(meta["labels"])),
        groups=np.array(gym[2] + wild[2] + meta["groups"].tolist()),
        sources=np.array(["gym"] * len(gym[0]) + [p.name.split("__")[0] for p in wild[0]] + meta["sources"].tolist()),
        clips=np.concatenate([np.full(photo_count, ""), meta["clips"]]),
        votes=np.concatenate([np.zeros(photo_count, bool), meta["votes"]]),
        weights=np.concatenate([np.ones(photo_count), [CLIP_WEIGHT / per_clip[c] for c in meta["clips"]]]),
    )


def assign_folds(samples: Samples, seed: int) -> np.ndarray:
    """A fold per sample: clip frames by their clip's source (`source_folds`), gym and wild photos dealt over the
    same number of folds by group, stratified by class."""
    from sklearn.model_selection import StratifiedGroupKFold

    folds = np.full(len(samples), -1)
    names, first = np.unique(samples.clips, return_index=True)
    clips = names != ""
    clip_folds = extract_clip_poses.source_folds(samples.sources[first[clips]], samples.groups[first[clips]])
    for name, fold in zip(names[clips], clip_folds, strict=True):
        folds[samples.clips == name] = fold
    count = folds.max() + 1
    for kind in ("gym", "wild"):
        index = np.flatnonzero(samples.kinds == kind)
        splitter = StratifiedGroupKFold(n_splits=count, shuffle=True, random_state=seed)
        for fold, (_, test) in enumerate(splitter.split(index, samples.labels[index], samples.groups[index])):
            folds[index[test]] = fold
    return folds


def fit(samples: Samples, index: np.ndarray, labels: tuple[str, ...], c: float) -> LinearModel:
    """Standardise each block over both views, weigh it by 1/sqrt(its size), fit a weighted multinomial logistic
    regression on the samples of `index` and their mirrors. The block weight is folded into the stored `scale`."""
    from sklearn.linear_model import LogisticRegression

    parts = [part[index] for part in samples.parts]
    flat = np.concatenate([part.reshape(-1, part.shape[2]) for part in parts], axis=1)
    mean = flat.mean(axis=0)
    scale = np.concatenate(
        [(part.reshape(-1, part.shape[2]).std(axis=0) + 1e-6) * np.sqrt(part.shape[2]) for part in parts]
    )
    y = np.repeat([labels.index(label) for label in samples.labels[index]], 2)
    classifier = LogisticRegression(C=c, max_iter=1000).fit(
        (flat - mean) / scale, y, sample_weight=np.repeat(samples.weights[index], 2)
    )
    coef = np.zeros((len(labels), flat.shape[1]))
    intercept = np.full(len(labels), -50.0)
    coef[classifier.classes_] = classifier.coef_
    intercept[classifier.classes_] = classifier.intercept_
    return LinearModel(labels, mean, scale, coef, intercept)


def predict(model: LinearModel, samples: Samples, index: np.ndarray) -> np.ndarray:
    """Probabilities averaged over each sample and its mirror, as at run time."""
    views = np.concatenate([part[index] for part in samples.parts], axis=2)
    return np.mean([model.probabilities(views[:, v]) for v in range(views.shape[1])], axis=0)


def cross_validate(
    samples: Samples, folds: np.ndarray, labels: tuple[str, ...], c: float
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities `(N, L)` (model without the sample's fold) and `(N, F, L)`: `[i, k]` from the
    model without fold k and the sample's fold (the sample's own fold: the out-of-fold answer)."""
    count = folds.max() + 1
    held_out = np.zeros((len(samples), len(labels)))
    inner = np.zeros((len(samples), count, len(labels)))
    for left_out in [(k,) for k in range(count)] + list(itertools.combinations(range(count), 2)):
        started = time.perf_counter()
        model = fit(samples, np.flatnonzero(~np.isin(folds, left_out)), labels, c)
        for fold in left_out:
            test = np.flatnonzero(folds == fold)
            probabilities = predict(model, samples, test)
            if len(left_out) == 1:
                held_out[test] = probabilities
                inner[test, fold] = probabilities
            else:
                other = left_out[0] if fold == left_out[1] else left_out[1]
                inner[test, other] = probabilities
        print(f"C={c}, fit without folds {left_out}: {time.perf_counter() - started:.0f} s", flush=True)
    return held_out, inner


def balanced_top1(probabilities: np.ndarray, samples: Samples, index: np.ndarray, labels: tuple[str, ...]) -> float:
    """Top-1 over the samples of `index`, each kind of data (gym, wild, clip frames) weighing the same."""
    right = np.array(labels)[probabilities[index].argmax(axis=1)] == samples.labels[index]
    kinds = samples.kinds[index]
    return float(np.mean([right[kinds == kind].mean() for kind in np.unique(kinds)]))


def choose_c(samples: Samples, folds: np.ndarray, labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, list]:
    """Cross-validation with `C` chosen inside each outer fold (by the inner answers' balanced top-1): the
    held-out and inner probabilities of `cross_validate` under each fold's choice, and the choices."""
    results = {c: cross_validate(samples, folds, labels, c) for c in C_GRID}
    held_out, inner = np.zeros_like(results[C_GRID[0]][0]), np.zeros_like(results[C_GRID[0]][1])
    chosen = []
    for fold in range(folds.max() + 1):
        train = np.flatnonzero(folds != fold)
        c = max(C_GRID, key=lambda c: balanced_top1(results[c][1][:, fold], samples, train, labels))
        chosen.append(c)
        held_out[folds == fold] = results[c][0][folds == fold]
        inner[:, fold] = results[c][1][:, fold]
    everything = np.arange(len(samples))
    final = max(C_GRID, key=lambda c: balanced_top1(results[c][0], samples, everything, labels))
    return held_out, inner, chosen + [final]


def choose_threshold(probabilities: np.ndarray, samples: Samples, index: np.ndarray, labels: tuple[str, ...]) -> float:
    """The lowest threshold at which the named answers on the gym photos and on the wild photos of `index` are
    each right at least `TARGET_PRECISION` of the time."""
    best, right = probabilities.max(axis=1), np.array(labels)[probabilities.argmax(axis=1)] == samples.labels
    for threshold in THRESHOLDS:
        precisions = []
        for kind in ("gym", "wild"):
            kept = index[(samples.kinds[index] == kind) & (best[index] >= threshold)]
            precisions.append(right[kept].mean() if len(kept) else 1.0)
        if min(precisions) >= TARGET_PRECISION:
            return threshold
    return THRESHOLDS[-1]


def naming(probabilities: np.ndarray, truth: np.ndarray, labels: tuple[str, ...], thresholds) -> dict:
    """Share of answers named at the (per-sample) thresholds and how often those are right."""
    kept = probabilities.max(axis=1) >= thresholds
    right = np.array(labels)[probabilities.argmax(axis=1)] == truth
    return {
        "named_share": round(float(kept.mean()), 3),
        "named_precision": round(float(right[kept].mean()), 3) if kept.any() else None,
    }


def topk(probabilities: np.ndarray, truth: np.ndarray, labels: tuple[str, ...]) -> dict:
    ranks = np.array(labels)[np.argsort(-probabilities, axis=1)]
    return {
        "count": len(truth),
        "top1": round(float(np.mean(ranks[:, 0] == truth)), 3),
        "top5": round(float(np.mean((ranks[:, :5] == truth[:, None]).any(axis=1))), 3),
    }


def clip_votes(samples: Samples, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each clip's mean probabilities over the frames the API votes on: the clip paths and `(clips, ...)`."""
    names = np.unique(samples.clips[samples.votes])
    return names, np.stack([probabilities[(samples.clips == name) & samples.votes].mean(axis=0) for name in names])


def report(samples: Samples, folds, held_out, inner, labels) -> dict:
    """Top-1 / top-5 per kind of data, per class, naming at thresholds chosen inside the folds."""
    thresholds = np.zeros(len(samples))
    chosen = []
    for fold in range(folds.max() + 1):
        chosen.append(choose_threshold(inner[:, fold], samples, np.flatnonzero(folds != fold), labels))
        thresholds[folds == fold] = chosen[-1]
    figures: dict = {"thresholds_chosen_per_fold": chosen}
    for kind in ("gym", "wild", "clip"):
        mask = samples.kinds == kind
        truth = samples.labels[mask]
        figures[kind] = topk(held_out[mask], truth, labels) | naming(held_out[mask], truth, labels, thresholds[mask])
        guess = np.array(labels)[held_out[mask].argmax(axis=1)]
        figures[kind]["per_class_top1"] = {
            label: round(float(np.mean(guess[truth == label] == label)), 2) for label in sorted(set(truth))
        }
    wild = samples.kinds == "wild"
    three = wild & np.isin(samples.labels, WILD_CLASSES)
    figures["wild_three_classes"] = topk(held_out[three], samples.labels[three], labels)
    names, votes = clip_votes(samples, held_out)
    truth = np.array([samples.labels[samples.clips == name][0] for name in names])
    datasets = np.array([name.split("/")[0] for name in names])
    for dataset in sorted(set(datasets)):
        figures[f"clip_votes/{dataset}"] = topk(votes[datasets == dataset], truth[datasets == dataset], labels)
    return figures


def wild_source_held_out(samples: Samples, labels: tuple[str, ...], c: float) -> dict:
    """Wild-photo top-1 with each of their sources held out whole (everything else in training)."""
    figures = {}
    wild = samples.kinds == "wild"
    for source in sorted(set(samples.sources[wild])):
        test = wild & (samples.sources == source)
        model = fit(samples, np.flatnonzero(~test), labels, c)
        test_index = np.flatnonzero(test)
        figures[source] = topk(predict(model, samples, test_index), samples.labels[test_index], labels)
        print(f"wild source {source} held out: {figures[source]}", flush=True)
    return figures


def time_inference(out: Path, paths: list[Path], model_cache: Path, count: int = 10) -> dict:
    """Milliseconds per photo of the saved recognizer (after the pose model), on `count` photos."""
    from api.ml.recognition import FeatureRecognizer

    pose = get_pose_estimator(PoseConfig(backend="onnx", cache_dir=str(model_cache)))
    recognizer = FeatureRecognizer.from_dir(out, crop_network_for(pose.config))
    images = [cv2.imread(str(p)) for p in paths[:: max(1, len(paths) // count)][:count]]
    frames = [pose.detect(image) for image in images]
    recognizer.recognize(images[0], frames[0])
    started = time.perf_counter()
    for image, frame in zip(images, frames, strict=True):
        recognizer.recognize(image, frame)
    return {"recognize_ms_per_photo": round((time.perf_counter() - started) / len(images) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--clips", type=Path, required=True, help="the clip cache of extract_clip_poses.py")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=None, help="an .npz to cache the photos' feature blocks in")
    parser.add_argument("--votes", type=Path, default=None, help="where to write the clips' cross-validated votes")
    parser.add_argument("--model-cache", type=Path, default=Path("/tmp/fitcoach-model-cache"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    extract_clip_poses.extract(args.data, args.clips, args.model_cache)
    samples = load_samples(args.data, args.clips, args.cache, args.model_cache)
    labels = tuple(sorted(set(samples.labels)))
    folds = assign_folds(samples, args.seed)
    kinds = {kind: int((samples.kinds == kind).sum()) for kind in ("gym", "wild", "clip")}
    print(f"samples: {kinds}, clips: {len(set(samples.clips)) - 1}, classes: {len(labels)}, folds: {folds.max() + 1}")
    held_out, inner, c_chosen = choose_c(samples, folds, labels)
    final_c = c_chosen.pop()
    figures = report(samples, folds, held_out, inner, labels) | {"C_chosen_per_fold": c_chosen}
    figures["wild_source_held_out"] = wild_source_held_out(samples, labels, final_c)
    if args.votes:
        names, votes = clip_votes(samples, held_out)
        inner_votes = np.stack([clip_votes(samples, inner[:, k])[1] for k in range(folds.max() + 1)], axis=1)
        np.savez(args.votes, clips=names, held_out=votes, inner=inner_votes, labels=np.array(labels))
    min_confidence = choose_threshold(held_out, samples, np.arange(len(samples)), labels)
    model = fit(samples, np.arange(len(samples)), labels, final_c)
    model.save(args.out)
    (args.out / "settings.json").write_text(
        json.dumps({"min_confidence": min_confidence, "blocks": list(FEATURE_BLOCKS)}, indent=1) + "\n"
    )
    check = recognition_from_probabilities(labels, predict(model, samples, np.arange(1))[0], 0.0, True)
    gym_paths = list_photos(args.data / "exercise-photos", gym_group)[0]
    timing = time_inference(args.out, gym_paths, args.model_cache)
    metrics = {
        "samples": kinds,
        "classes": len(labels),
        "folds": int(folds.max() + 1),
        "seed": args.seed,
        "C_grid": list(C_GRID),
        "C": final_c,
        "clip_weight": CLIP_WEIGHT,
        "target_precision": TARGET_PRECISION,
        "min_confidence": min_confidence,
        "cross_validation": figures,
        "timing": timing,
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    for key, value in figures.items():
        shown = {k: v for k, v in value.items() if k != "per_class_top1"} if isinstance(value, dict) else value
        print(f"{key}: {shown}")
    print(f"min_confidence {min_confidence}, inference {timing}, first sample -> {check.label}; wrote {args.out}")


if __name__ == "__main__":
    main()
