"""Train the exercise recognizer from a folder of labelled photos (one sub-folder per class) and cross-validate it.

    python scripts/train_recognizer.py --data ../shared/data/exercise-photos --out models/exercise-recognizer

Photos named `<Group>__<n>.jpg` share a group (the variant): a group is never split across train and test folds.
Prints top-1, top-5 and per-class recall from grouped, stratified k-fold cross-validation, then fits on everything
and writes `linear.npz`, `labels.json`, `settings.json` and `metrics.json` to --out.
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
from api.ml.recognition import MIN_CONFIDENCE, FeatureExtractor, LinearModel, photo_features  # noqa: E402

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}
C_GRID = (0.05, 0.2, 1.0)


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


def extract_features(paths: list[Path], cache: Path | None) -> np.ndarray:
    """Feature vectors for every photo, cached by path list."""
    key = [str(p) for p in paths]
    if cache and cache.is_file():
        stored = np.load(cache, allow_pickle=False)
        if stored["paths"].tolist() == key:
            return stored["features"]
    pose = get_pose_estimator()
    extractor = FeatureExtractor(pose)
    rows = []
    started = time.perf_counter()
    for n, path in enumerate(paths, 1):
        image = cv2.imread(str(path))
        rows.append(photo_features(extractor, image, pose.detect(image)))
        if n % 50 == 0:
            print(f"features: {n}/{len(paths)} ({(time.perf_counter() - started) / n * 1000:.0f} ms/photo)", flush=True)
    features = np.stack(rows)
    if cache:
        np.savez(cache, paths=np.array(key), features=features)
    return features


def fit_linear(features: np.ndarray, y: np.ndarray, c: float, seed: int):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(features)
    classifier = LogisticRegression(C=c, max_iter=3000, random_state=seed).fit(scaler.transform(features), y)
    return scaler, classifier


def cross_validate(features, y, groups, class_count: int, c: float, folds: int, seed: int) -> dict:
    """Grouped, stratified k-fold: out-of-fold probabilities for every photo."""
    from sklearn.model_selection import StratifiedGroupKFold

    probabilities = np.zeros((len(y), class_count))
    fold_top1 = []
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(features, y, groups):
        scaler, classifier = fit_linear(features[train], y[train], c, seed)
        fold_probabilities = np.zeros((len(test), class_count))
        fold_probabilities[:, classifier.classes_] = classifier.predict_proba(scaler.transform(features[test]))
        probabilities[test] = fold_probabilities
        fold_top1.append(float((fold_probabilities.argmax(1) == y[test]).mean()))
    ranks = np.argsort(-probabilities, axis=1)
    return {
        "probabilities": probabilities,
        "top1": float((ranks[:, 0] == y).mean()),
        "top5": float((ranks[:, :5] == y[:, None]).any(1).mean()),
        "top1_fold_std": float(np.std(fold_top1)),
        "fold_top1": fold_top1,
    }


def threshold_table(probabilities: np.ndarray, y: np.ndarray) -> list[dict]:
    """Coverage and accuracy of the answers given at each confidence threshold."""
    best = probabilities.max(1)
    correct = probabilities.argmax(1) == y
    rows = []
    for threshold in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6):
        kept = best >= threshold
        rows.append(
            {
                "threshold": threshold,
                "coverage": round(float(kept.mean()), 3),
                "accuracy_when_named": round(float(correct[kept].mean()) if kept.any() else 0.0, 3),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=None, help="an .npz to cache the features in")
    args = parser.parse_args()

    paths, label_names, groups = list_photos(args.data)
    labels = tuple(sorted(set(label_names)))
    y = np.array([labels.index(name) for name in label_names])
    print(f"photos: {len(paths)}  classes: {len(labels)}  groups: {len(set(groups))}", flush=True)
    features = extract_features(paths, args.cache)

    results = {c: cross_validate(features, y, groups, len(labels), c, args.folds, args.seed) for c in C_GRID}
    for c, result in results.items():
        print(f"C={c}: top1 {result['top1']:.3f} (fold std {result['top1_fold_std']:.3f})  top5 {result['top5']:.3f}")
    best_c = max(results, key=lambda c: results[c]["top1"])
    best = results[best_c]
    predicted = best["probabilities"].argmax(1)
    recall = {name: round(float((predicted[y == i] == i).mean()), 3) for i, name in enumerate(labels)}
    print(f"chosen C={best_c}: cv_top1: {best['top1']:.3f}  cv_top5: {best['top5']:.3f}")
    for name, value in sorted(recall.items(), key=lambda item: item[1]):
        print(f"  recall {name}: {value}")

    scaler, classifier = fit_linear(features, y, best_c, args.seed)
    model = LinearModel(labels, scaler.mean_, scaler.scale_, classifier.coef_, classifier.intercept_)
    model.save(args.out)
    (args.out / "settings.json").write_text(json.dumps({"min_confidence": MIN_CONFIDENCE}, indent=1))
    metrics = {
        "photos": len(paths),
        "classes": len(labels),
        "groups": len(set(groups)),
        "folds": args.folds,
        "seed": args.seed,
        "C_grid": list(C_GRID),
        "chosen_C": best_c,
        "cv_top1": round(best["top1"], 4),
        "cv_top1_fold_std": round(best["top1_fold_std"], 4),
        "cv_top5": round(best["top5"], 4),
        "cv_by_C": {str(c): {"top1": round(r["top1"], 4), "top5": round(r["top5"], 4)} for c, r in results.items()},
        "per_class_recall": recall,
        "thresholds": threshold_table(best["probabilities"], y),
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
