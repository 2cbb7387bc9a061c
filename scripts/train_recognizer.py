"""Train the exercise recognizer from a folder of labelled photos (one sub-folder per class) and cross-validate it.

    python scripts/train_recognizer.py --data ../shared/data/exercise-photos --out models/exercise-recognizer \\
        --cache /tmp/recognizer-blocks.npz

Photos named `<Group>__<n>.jpg` share a group (the variant): a group is never split across train and test folds.
Every photo is used twice in training, as it is and mirrored (keypoints mirrored with left and right swapped);
at test time the two views' probabilities are averaged, exactly as `FeatureRecognizer` does at run time.
Prints top-1, top-5 and per-class recall from grouped, stratified k-fold cross-validation, chooses `C` and the
confidence threshold from it, then fits on everything and writes `linear.npz`, `labels.json`, `settings.json`
and `metrics.json` to --out.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.ml.pose import get_pose_estimator  # noqa: E402
from api.ml.recognition import (  # noqa: E402
    FEATURE_BLOCKS,
    LinearModel,
    block_vectors,
    needed_blocks,
    recognition_from_probabilities,
)
from scripts.recognition_ablation import ALL_BLOCKS, feature_extractor  # noqa: E402

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
C_GRID = (3.0, 10.0)
THRESHOLDS = tuple(round(0.1 + 0.05 * i, 2) for i in range(15))
TARGET_PRECISION = 0.6


def list_photos(folder: Path) -> tuple[list[Path], list[str], list[str]]:
    """Photos, their class (sub-folder) and their group (file stem before `__`)."""
    paths, labels, groups = [], [], []
    for class_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for path in sorted(class_dir.iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                paths.append(path)
                labels.append(class_dir.name)
                groups.append(f"{class_dir.name}/{path.stem.split('__')[0]}")
    return paths, labels, groups


def extract_blocks(paths: list[Path], names: tuple[str, ...], cache: Path | None) -> dict[str, np.ndarray]:
    """Raw feature blocks `(N, 2, ...)` for every photo; reused from `cache` when it holds these photos."""
    wanted = needed_blocks(names) | {"kp", "size"}
    key = [str(p) for p in paths]
    if cache and cache.is_file():
        stored = np.load(cache, allow_pickle=False)
        if stored["paths"].tolist() == key and wanted <= set(stored.files):
            print(f"features: from {cache}", flush=True)
            return {name: stored[name] for name in wanted}
    pose = get_pose_estimator()
    extractor = feature_extractor(pose, names)
    rows: dict[str, list] = {}
    started = time.perf_counter()
    for n, path in enumerate(paths, 1):
        image = cv2.imread(str(path))
        for name, value in extractor.blocks(image, pose.detect(image)).items():
            rows.setdefault(name, []).append(value)
        if n % 50 == 0:
            print(f"features: {n}/{len(paths)} ({(time.perf_counter() - started) / n * 1000:.0f} ms/photo)", flush=True)
    blocks = {name: np.stack(values) for name, values in rows.items()}
    if cache:
        np.savez(cache, paths=np.array(key), **blocks)
    return blocks


def feature_arrays(blocks: dict[str, np.ndarray], names: tuple[str, ...]) -> list[np.ndarray]:
    """One `(N, 2, d)` array per named block, as the recognizer computes them."""
    count = len(blocks["kp"])
    per_photo = [{key: value[i] for key, value in blocks.items()} for i in range(count)]
    return [np.stack([block_vectors(photo, name) for photo in per_photo]).astype(np.float32) for name in names]


def fit(parts: list[np.ndarray], y: np.ndarray, labels: tuple[str, ...], c: float, seed: int) -> LinearModel:
    """Standardise each block over both views, weigh it by 1/sqrt(its size), fit a multinomial logistic regression.

    The block weight is folded into the stored `scale`, so the model is a plain standardiser plus linear map."""
    from sklearn.linear_model import LogisticRegression

    flat = np.concatenate([part.reshape(-1, part.shape[2]) for part in parts], axis=1)
    mean = flat.mean(axis=0)
    scale = np.concatenate(
        [(part.reshape(-1, part.shape[2]).std(axis=0) + 1e-6) * np.sqrt(part.shape[2]) for part in parts]
    )
    targets = np.repeat(y, 2)
    classifier = LogisticRegression(C=c, max_iter=1000, random_state=seed).fit((flat - mean) / scale, targets)
    coef = np.zeros((len(labels), flat.shape[1]))
    intercept = np.full(len(labels), -50.0)
    coef[classifier.classes_] = classifier.coef_
    intercept[classifier.classes_] = classifier.intercept_
    return LinearModel(labels, mean, scale, coef, intercept)


def predict(model: LinearModel, parts: list[np.ndarray]) -> np.ndarray:
    """Probabilities averaged over each photo and its mirror, as at run time."""
    views = np.concatenate(parts, axis=2)
    return np.mean([model.probabilities(views[:, v]) for v in range(views.shape[1])], axis=0)


def cross_validate(parts, y, groups, labels, c: float, folds: int, seed: int) -> dict:
    """Grouped, stratified k-fold: out-of-fold probabilities for every photo."""
    from sklearn.model_selection import StratifiedGroupKFold

    probabilities = np.zeros((len(y), len(labels)))
    fold_top1 = []
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(parts[0][:, 0], y, groups):
        model = fit([part[train] for part in parts], y[train], labels, c, seed)
        probabilities[test] = predict(model, [part[test] for part in parts])
        fold_top1.append(float((probabilities[test].argmax(1) == y[test]).mean()))
    ranks = np.argsort(-probabilities, axis=1)
    return {
        "probabilities": probabilities,
        "top1": float((ranks[:, 0] == y).mean()),
        "top5": float((ranks[:, :5] == y[:, None]).any(1).mean()),
        "top1_fold_std": float(np.std(fold_top1)),
    }


def threshold_table(probabilities: np.ndarray, y: np.ndarray) -> list[dict]:
    """Coverage and accuracy of the answers given at each confidence threshold."""
    best = probabilities.max(1)
    correct = probabilities.argmax(1) == y
    rows = []
    for threshold in THRESHOLDS:
        kept = best >= threshold
        rows.append(
            {
                "threshold": threshold,
                "coverage": round(float(kept.mean()), 3),
                "accuracy_when_named": round(float(correct[kept].mean()) if kept.any() else 0.0, 3),
            }
        )
    return rows


def choose_threshold(table: list[dict]) -> float:
    """The lowest threshold whose named answers are right at least TARGET_PRECISION of the time (CV)."""
    for row in table:
        if row["accuracy_when_named"] >= TARGET_PRECISION and row["coverage"] > 0:
            return row["threshold"]
    return table[-1]["threshold"]


def time_inference(out: Path, paths: list[Path], count: int = 10) -> dict:
    """Milliseconds per photo of the saved recognizer (after the pose model), on `count` photos."""
    from api.ml.recognition import load_default_recognizer

    pose = get_pose_estimator()
    recognizer = load_default_recognizer(pose, out)
    chosen = paths[:: max(1, len(paths) // count)][:count]
    images = [cv2.imread(str(p)) for p in chosen]
    frames = [pose.detect(image) for image in images]
    recognizer.recognize(images[0], frames[0])
    started = time.perf_counter()
    for image, frame in zip(images, frames, strict=True):
        recognizer.recognize(image, frame)
    recognize_ms = (time.perf_counter() - started) / len(images) * 1000
    started = time.perf_counter()
    for image in images:
        pose.detect(image)
    pose_ms = (time.perf_counter() - started) / len(images) * 1000
    return {"recognize_ms_per_photo": round(recognize_ms, 1), "pose_ms_per_photo": round(pose_ms, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    known = ", ".join(ALL_BLOCKS[2:])
    parser.add_argument(
        "--blocks", default=",".join(FEATURE_BLOCKS), help=f"comma-separated feature blocks: geo, {known}"
    )
    parser.add_argument("--cache", type=Path, default=None, help="an .npz to cache the raw feature blocks in")
    args = parser.parse_args()
    names = tuple(args.blocks.split(","))

    paths, label_names, groups = list_photos(args.data)
    labels = tuple(sorted(set(label_names)))
    y = np.array([labels.index(name) for name in label_names])
    groups = np.array(groups)
    print(f"photos: {len(paths)}  classes: {len(labels)}  groups: {len(set(groups))}  blocks: {names}", flush=True)
    parts = feature_arrays(extract_blocks(paths, names, args.cache), names)

    results = {c: cross_validate(parts, y, groups, labels, c, args.folds, args.seed) for c in C_GRID}
    for c, result in results.items():
        print(f"C={c}: top1 {result['top1']:.3f} (fold std {result['top1_fold_std']:.3f})  top5 {result['top5']:.3f}")
    best_c = max(results, key=lambda c: (results[c]["top1"], results[c]["top5"]))
    best = results[best_c]
    other_seeds = {
        seed: cross_validate(parts, y, groups, labels, best_c, args.folds, seed)
        for seed in (args.seed + 1, args.seed + 2)
    }
    for seed, result in other_seeds.items():
        print(f"C={best_c}, split seed {seed}: top1 {result['top1']:.3f}  top5 {result['top5']:.3f}")
    predicted = best["probabilities"].argmax(1)
    recall = {name: round(float((predicted[y == i] == i).mean()), 3) for i, name in enumerate(labels)}
    table = threshold_table(best["probabilities"], y)
    min_confidence = choose_threshold(table)
    print(
        f"chosen C={best_c}: cv_top1: {best['top1']:.3f}  cv_top5: {best['top5']:.3f}  min_confidence {min_confidence}"
    )
    for row in table:
        print(
            f"  threshold {row['threshold']:.2f}: coverage {row['coverage']:.3f}  accuracy {row['accuracy_when_named']}"
        )
    for name, value in sorted(recall.items(), key=lambda item: item[1]):
        print(f"  recall {name}: {value}")

    model = fit(parts, y, labels, best_c, args.seed)
    model.save(args.out)
    settings = {"min_confidence": min_confidence, "blocks": list(names)}
    (args.out / "settings.json").write_text(json.dumps(settings, indent=1))
    check = recognition_from_probabilities(labels, predict(model, [part[:1] for part in parts])[0], 0.0, True)
    timing = time_inference(args.out, paths)
    print(f"inference: {timing}  (first photo -> {check.label})")
    metrics = {
        "photos": len(paths),
        "classes": len(labels),
        "groups": len(set(groups)),
        "folds": args.folds,
        "seed": args.seed,
        "blocks": list(names),
        "C_grid": list(C_GRID),
        "chosen_C": best_c,
        "cv_top1": round(best["top1"], 4),
        "cv_top1_fold_std": round(best["top1_fold_std"], 4),
        "cv_top5": round(best["top5"], 4),
        "cv_by_C": {str(c): {"top1": round(r["top1"], 4), "top5": round(r["top5"], 4)} for c, r in results.items()},
        "cv_other_split_seeds": {
            str(s): {"top1": round(r["top1"], 4), "top5": round(r["top5"], 4)} for s, r in other_seeds.items()
        },
        "per_class_recall": recall,
        "min_confidence": min_confidence,
        "target_precision": TARGET_PRECISION,
        "thresholds": table,
        "timing": timing,
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
