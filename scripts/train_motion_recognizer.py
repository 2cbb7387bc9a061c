"""Train the clip motion recognizer on the real clips, cross-validated by source, every choice inside the folds.

    OMP_NUM_THREADS=2 python scripts/train_motion_recognizer.py --data ../shared/data \\
        --cache /work/cache/clip-poses --votes /work/cache/image-votes.npz --out models/motion-recognizer

Clips come from the pose cache of `scripts/extract_clip_poses.py`; their image votes (the photo recognizer's mean
probabilities on the API's voting frames) come from `scripts/train_recognizer.py --votes`, which trains on these
clips' frames too, so every vote is from a model that did not see the clip's fold: inside outer fold k, a training
clip of fold j is voted on by a model without folds j and k, a held-out clip by the model without fold k, and the
shipped model learns from each clip's out-of-fold votes.

The gym photos of `exercise-photos/` join the training side of every split as clips too: each variant's start and
end photo become a clip swinging between the two poses (`photo_pair_motion`), so the motion model also learns the
exercises that few clips show. No clip comes from that gym.

Splits: one fold per source (file-name prefix) of `exercise-clips/` and `rep-clips/`; the video groups of
`pushup-form/` are dealt over those folds, so no source and no video is ever on both sides. Inside each outer
fold the same split of the training part chooses the regularisation `C`, the weighting of the training clips
(none or sources balanced), the weight of a photo pair against a clip, the fusion weight of the image model (by
top-1 of the best guess) and then the
naming threshold (the lowest at which the inner held-out answers that are named, after the motion check, are right
at least `TARGET_PRECISION` of the time); every source weighs the same in both. The held-out
fold is then judged once. The shipped model makes the same choices by the same procedure on all the clips.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.ml.blazepose import get_blazepose_estimator  # noqa: E402
from api.ml.pose import get_pose_estimator  # noqa: E402
from api.ml.recognition import ClipMotion, LinearModel  # noqa: E402
from api.ml.recognition_motion import (  # noqa: E402
    FEATURE_NAMES,
    KEYPOINT_FEATURE_NAMES,
    MotionModel,
    check_motion,
    motion_features,
    photo_pair_motion,
)
from scripts.extract_clip_poses import source_folds  # noqa: E402

C_GRID = (0.1, 0.3, 1.0, 3.0)
# How training clips are weighted: all alike, or sources balanced (pushup-form counts as one). Balancing the classes
# gives each one-clip class the weight of 95 push-ups, and a generated push-up then reads as a shoulder press.
WEIGHTINGS = ("none", "sources")
IMAGE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)
# A photo pair's weight against a clip's (0: the clips alone).
PHOTO_PAIR_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)
TARGET_PRECISION = 0.90
# Each training clip is also learnt without its world coordinates (as if BlazePose had lost the person), at this
# weight, so that such a clip is judged from its image keypoints rather than from the training average.
WITHOUT_WORLD_WEIGHT = 0.5
FOUR = ("push_up", "plank", "squat", "pull_up")


@dataclass
class PhotoPairs:
    """The gym photos' start and end pairs as clips (`photo_pair_motion`): their motion features and labels."""

    features: np.ndarray
    labels: np.ndarray


def photo_pairs(data: Path) -> PhotoPairs:
    """Every variant of `exercise-photos/` with its start (`__0`) and end (`__1`) photo, YOLO's main person seen in
    both, as the clip swinging between them; BlazePose's body of that person gives the world coordinates."""
    pose, blazepose = get_pose_estimator(), get_blazepose_estimator()
    poses = {}
    for path in sorted((data / "exercise-photos").glob("*/*.jpg")):
        image = cv2.imread(str(path))
        person = pose.detect(image).main_person()
        if person is not None:
            found = blazepose.estimate(image, person)
            poses[path] = (person.keypoints, None if found is None else found.body_frame())
    features, labels = [], []
    for start, (keypoints, body) in poses.items():
        end = start.with_name(start.name.replace("__0.", "__1."))
        if start.stem.endswith("__0") and end in poses:
            features.append(motion_features(photo_pair_motion(keypoints, poses[end][0], body, poses[end][1])))
            labels.append(start.parent.name)
    return PhotoPairs(np.array(features), np.array(labels))


@dataclass
class Clips:
    """The cached clips as arrays: motion features, image votes and what each clip is. `image` holds each clip's
    votes from the image model without its fold, `image_inner[:, k]` those seen from inside outer fold k; `pairs`
    join every training side."""

    features: np.ndarray
    image: np.ndarray
    image_inner: np.ndarray
    image_labels: tuple[str, ...]
    labels: np.ndarray
    sources: np.ndarray
    groups: np.ndarray
    paths: np.ndarray
    keypoints: list[np.ndarray]
    pairs: PhotoPairs

    def __len__(self) -> int:
        return len(self.labels)


def load_clips(cache: Path, votes_file: Path, pairs: PhotoPairs) -> Clips:
    rows = [np.load(path) for path in sorted(cache.glob("*.npz"))]
    rows = [row for row in rows if len(row["times_s"])]
    if any("body" not in row for row in rows):
        raise SystemExit(f"{cache} has clips without BlazePose's body frames: run extract_clip_poses.py again")
    votes = np.load(votes_file)
    order = {str(name): i for i, name in enumerate(votes["clips"])}
    if sorted(order) != sorted(str(row["path"]) for row in rows):
        raise SystemExit(f"{votes_file} votes on other clips than {cache}: run train_recognizer.py --votes again")
    index = [order[str(row["path"])] for row in rows]
    return Clips(
        features=np.stack(
            [
                motion_features(ClipMotion(row["keypoints"], row["times_s"], row["body"], row["body_times_s"]))
                for row in rows
            ]
        ),
        image=votes["held_out"][index],
        image_inner=votes["inner"][index],
        image_labels=tuple(str(label) for label in votes["labels"]),
        labels=np.array([str(row["label"]) for row in rows]),
        sources=np.array([str(row["source"]) for row in rows]),
        groups=np.array([str(row["group"]) for row in rows]),
        paths=np.array([str(row["path"]) for row in rows]),
        keypoints=[row["keypoints"] for row in rows],
        pairs=pairs,
    )


def source_weights(sources: np.ndarray) -> np.ndarray:
    """One weight per clip so that every source weighs the same in all (mean 1)."""
    counts = Counter(sources)
    weights = np.array([1.0 / counts[source] for source in sources])
    return weights / weights.mean()


def fit(clips: Clips, index: np.ndarray, c: float, weighting: str, pair_weight: float) -> LinearModel:
    """Standardised multinomial logistic regression on the clips of `index` and the photo pairs (each
    `pair_weight`, none at 0), and again on them without their world coordinates (`WITHOUT_WORLD_WEIGHT`); NaN
    features read as the training mean."""
    from sklearn.linear_model import LogisticRegression

    weights = source_weights(clips.sources[index]) if weighting == "sources" else np.ones(len(index))
    features, labels = clips.features[index], clips.labels[index]
    if pair_weight > 0:
        features = np.vstack([features, clips.pairs.features])
        labels = np.concatenate([labels, clips.pairs.labels])
        weights = np.concatenate([weights, np.full(len(clips.pairs.labels), pair_weight)])
    mean = np.nanmean(features, axis=0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    filled = np.where(np.isfinite(features), features, mean)
    scale = filled.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)
    without_world = filled.copy()
    without_world[:, len(KEYPOINT_FEATURE_NAMES) :] = mean[len(KEYPOINT_FEATURE_NAMES) :]
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit(
        (np.vstack([filled, without_world]) - mean) / scale,
        np.concatenate([labels, labels]),
        sample_weight=np.concatenate([weights, WITHOUT_WORLD_WEIGHT * weights]),
    )
    return LinearModel(tuple(model.classes_), mean, scale, model.coef_, model.intercept_)


def best_guesses(labels, probabilities: np.ndarray, keypoints: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The top candidate of each clip and whether its main joint angle moves like it (`check_motion`)."""
    best = np.array(labels)[probabilities.argmax(axis=1)]
    return best, np.array([check_motion(label, kp).moves for label, kp in zip(best, keypoints, strict=True)])


@dataclass
class Choice:
    """What the folds choose: regularisation, how clips are weighted, a photo pair's weight, the image model's
    weight, the threshold."""

    C: float
    weighting: str
    photo_pair_weight: float
    image_weight: float
    min_confidence: float


def held_out_probabilities(clips: Clips, index: np.ndarray, folds: np.ndarray, c, weighting, pair_weight, weights):
    """Per image weight, the fused probabilities of each clip in `index` from a model fit without its fold, as
    `{weight: (n, len(labels))}` over all the labels of `index` and of the photo pairs (0 for those its fold's
    model never saw)."""
    all_labels = sorted(set(clips.labels[index]) | (set(clips.pairs.labels) if pair_weight > 0 else set()))
    out = {w: np.zeros((len(index), len(all_labels))) for w in weights}
    for fold in np.unique(folds):
        test, train = index[folds == fold], index[folds != fold]
        linear = fit(clips, train, c, weighting, pair_weight)
        columns = [all_labels.index(label) for label in linear.labels]
        for w in weights:
            fused = MotionModel(linear, w, 1.0).probabilities(
                clips.features[test], clips.image[test], clips.image_labels
            )
            out[w][np.ix_(folds == fold, columns)] = fused
    return all_labels, out


def choose(clips: Clips, index: np.ndarray) -> Choice:
    """Every choice from the clips in `index` alone, by a source split of them; each source weighs the same in the
    top-1 that picks `C`, the weighting and the image weight, and in the precision that sets the threshold."""
    folds = source_folds(clips.sources[index], clips.groups[index])
    truth, weights = clips.labels[index], source_weights(clips.sources[index])
    best = None
    for c, weighting, pair_weight in itertools.product(C_GRID, WEIGHTINGS, PHOTO_PAIR_WEIGHTS):
        labels, fused = held_out_probabilities(clips, index, folds, c, weighting, pair_weight, IMAGE_WEIGHTS)
        for w, p in fused.items():
            top1 = float(np.average(np.array(labels)[p.argmax(axis=1)] == truth, weights=weights))
            if best is None or top1 > best[0]:
                best = (top1, c, weighting, pair_weight, w, labels, p)
    _, c, weighting, pair_weight, w, labels, p = best
    guesses, moves = best_guesses(labels, p, [clips.keypoints[i] for i in index])
    threshold = max(THRESHOLDS)
    for t in THRESHOLDS:
        shown = moves & (p.max(axis=1) >= t)
        if shown.any() and np.average(guesses[shown] == truth[shown], weights=weights[shown]) >= TARGET_PRECISION:
            threshold = t
            break
    return Choice(c, weighting, pair_weight, w, float(threshold))


def train(clips: Clips, index: np.ndarray, choice: Choice) -> MotionModel:
    """The model of `choice` fit on every clip of `index`."""
    linear = fit(clips, index, choice.C, choice.weighting, choice.photo_pair_weight)
    return MotionModel(linear, choice.image_weight, choice.min_confidence)


@dataclass
class Outcome:
    """Cross-validated answers per clip: the best guess and its fused confidence, whether its main joint angle moves
    like it, what was named (or None), and the best guess from motion alone (over all classes, and over `FOUR`)."""

    best: np.ndarray
    confidence: np.ndarray
    moves: np.ndarray
    named: np.ndarray
    motion_only: np.ndarray
    motion_only_four: np.ndarray
    choices: list[dict]


def cross_validate(clips: Clips, folds: np.ndarray) -> Outcome:
    """Each fold judged once by a model whose every choice was made without it."""
    n = len(clips)
    outcome = Outcome(*(np.empty(n, dtype=object) for _ in range(6)), choices=[])
    if clips.image_inner.shape[1] != len(np.unique(folds)):
        raise SystemExit("the image votes were cross-validated over other folds")
    every_clip = clips
    for fold in np.unique(folds):
        clips = replace(every_clip, image=every_clip.image_inner[:, fold])
        train_index, test = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        choice = choose(clips, train_index)
        model = train(clips, train_index, choice)
        outcome.choices.append(
            {"fold": int(fold), "held_out": sorted({str(s) for s in clips.sources[test]}), **asdict(choice)}
        )
        print(f"fold {fold}: {outcome.choices[-1]}", flush=True)
        motion = model.motion_probabilities(clips.features[test])
        fused = model.fuse(motion, clips.image[test], clips.image_labels)
        labels = np.array(model.labels)
        outcome.best[test], outcome.moves[test] = best_guesses(labels, fused, [clips.keypoints[i] for i in test])
        outcome.confidence[test] = fused.max(axis=1)
        outcome.named[test] = [model.decide(p, clips.keypoints[i]).label for p, i in zip(fused, test, strict=True)]
        outcome.motion_only[test] = labels[motion.argmax(axis=1)]
        four = [model.labels.index(label) for label in FOUR if label in model.labels]
        outcome.motion_only_four[test] = labels[four][motion[:, four].argmax(axis=1)]
    return outcome


def naming_figures(named: np.ndarray, truth: np.ndarray) -> dict:
    """How many clips get a name, how often the name is right, and the share of clips named right."""
    shown = np.array([answer is not None for answer in named], dtype=bool)
    right = named[shown] == truth[shown]
    return {
        "named_share": round(float(shown.mean()), 3),
        "named_precision": round(float(right.mean()), 3) if shown.any() else None,
        "named_right_share": round(float(right.sum() / len(truth)), 3),
    }


def report(clips: Clips, outcome: Outcome) -> dict:
    """Per data set: best-guess top-1 (fused, motion alone, image alone), naming at the chosen thresholds and at
    each fixed threshold; motion alone on push-ups, planks, squats and pull-ups; per-class top-1; the choices."""
    figures = {}
    dataset = np.array([p.split("/")[0] for p in clips.paths])
    image_only = np.array(clips.image_labels)[clips.image.argmax(axis=1)]
    for name in ("exercise-clips", "pushup-form", "rep-clips"):
        mask, truth = dataset == name, clips.labels[dataset == name]
        figures[name] = {
            "clips": int(mask.sum()),
            "top1": round(float(np.mean(outcome.best[mask] == truth)), 3),
            "motion_only_top1": round(float(np.mean(outcome.motion_only[mask] == truth)), 3),
            "image_only_top1": round(float(np.mean(image_only[mask] == truth)), 3),
            **naming_figures(outcome.named[mask], truth),
            "by_threshold": {
                str(t): naming_figures(
                    np.where(outcome.moves[mask] & (outcome.confidence[mask] >= t), outcome.best[mask], None), truth
                )
                for t in THRESHOLDS
            },
        }
    figures["all"] = {"clips": len(clips), **naming_figures(outcome.named, clips.labels)}
    four = np.isin(clips.labels, FOUR)
    figures["four_motion_only"] = {
        truth: dict(Counter(str(p) if p in FOUR else "other" for p in outcome.motion_only[clips.labels == truth]))
        for truth in FOUR
    }
    figures["four_motion_only_among_four"] = {
        truth: dict(Counter(str(p) for p in outcome.motion_only_four[clips.labels == truth])) for truth in FOUR
    }
    figures["four_motion_only_accuracy_among_four"] = round(
        float(np.mean(outcome.motion_only_four[four] == clips.labels[four])), 3
    )
    figures["per_class_top1"] = {
        label: round(float(np.mean(outcome.best[clips.labels == label] == label)), 2)
        for label in sorted(set(clips.labels))
    }
    figures["choices"] = outcome.choices
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--cache", type=Path, required=True, help="the pose cache of extract_clip_poses.py")
    parser.add_argument("--votes", type=Path, required=True, help="the image votes of train_recognizer.py --votes")
    parser.add_argument("--out", type=Path, required=True, help="where to write the model")
    parser.add_argument("--verbose", action="store_true", help="one line per clip")
    args = parser.parse_args()
    clips = load_clips(args.cache, args.votes, photo_pairs(args.data))
    print(f"clips: {len(clips)}, photo pairs: {len(clips.pairs.labels)}, features: {len(FEATURE_NAMES)}", flush=True)
    metrics = {"split": "source folds, pushup-form videos dealt over them"}
    outcome = cross_validate(clips, source_folds(clips.sources, clips.groups))
    metrics["cross_validation"] = report(clips, outcome)
    if args.verbose:
        for i in np.argsort(clips.paths):
            print(f"{clips.paths[i]}: best {outcome.best[i]} ({outcome.confidence[i]:.2f}), named {outcome.named[i]}")
    everything = np.arange(len(clips))
    choice = choose(clips, everything)
    model = train(clips, everything, choice)
    model.save(
        args.out,
        {
            "C": choice.C,
            "weighting": choice.weighting,
            "trained_on_clips": len(clips),
            "photo_pair_weight": choice.photo_pair_weight,
            "trained_on_photo_pairs": len(clips.pairs.labels) if choice.photo_pair_weight > 0 else 0,
        },
    )
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    for name in ("exercise-clips", "pushup-form", "rep-clips", "all"):
        figures = metrics["cross_validation"][name]
        print(name, {key: value for key, value in figures.items() if key != "by_threshold"})
    print("four, motion only:", metrics["cross_validation"]["four_motion_only"])
    print(f"shipped: {asdict(choice)}, {len(model.labels)} labels")


if __name__ == "__main__":
    main()
