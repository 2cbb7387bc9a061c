"""Does a learned push-up form classifier beat the rules on new videos? Nested cross-validation grouped by video.

    OMP_NUM_THREADS=2 python scripts/extract_poses.py --data ../shared/data --out /work/cache/poses
    python scripts/eval_learned_form.py --cache /work/cache/poses [--seeds 3]

Each clip of `pushup-form/` becomes one row of features from the measures the rules use, frame by frame as the
`SequenceAssessor` reads them (near side, far side dropped): the 10th, 50th and 90th percentile of every push-up
check's value over the clip, the elbow's least angle and swing, and the view. A clip has one label (the folder),
so the model judges clips, not reps. Outer folds: 5, grouped by video (`same_video_groups`, clips numbered in a
row in one folder are one video) and stratified; inside each training part a 4-fold grouped search picks the
feature set (yolo, BlazePose or both engines) and the model (random forests, logistic regression), which is then
scored on the held-out fold. The rules' accuracy on the same folds is printed beside it, and which measures the
forests lean on, by check.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_pushup_form import same_video_groups  # noqa: E402

from api.ml.posture import SequenceAssessor  # noqa: E402
from api.ml.posture.assess import rules_for  # noqa: E402
from scripts.extract_poses import cached_clips  # noqa: E402

CODES = tuple(rule.code for rule in rules_for("push_up"))
PERCENTILES = (10, 50, 90)
ENGINES = ("yolo", "blazepose")


def clip_features(body: np.ndarray, times_s: np.ndarray) -> tuple[dict[str, float], bool]:
    """The clip's features, and the rules' verdict (form OK) on it."""
    assessor = SequenceAssessor("push_up")
    assessor.feed(body, times_s)
    verdict = assessor.finish()
    rows, columns = assessor.rows, assessor.columns
    features: dict[str, float] = {}
    for code in CODES:
        values = rows[:, columns.index(code)]
        values = values[np.isfinite(values)]
        for q in PERCENTILES:
            features[f"{code}_p{q}"] = float(np.percentile(values, q)) if len(values) >= 3 else np.nan
    elbow = rows[:, columns.index("main")]
    elbow = elbow[np.isfinite(elbow)]
    features["elbow_min"] = float(elbow.min()) if len(elbow) else np.nan
    features["elbow_swing"] = float(elbow.max() - elbow.min()) if len(elbow) else np.nan
    features["side_view"] = float(verdict.view == "side")
    features["front_view"] = float(verdict.view == "front")
    return features, bool(verdict.form_ok)


def load(cache: Path) -> tuple:
    """Clip names, labels (1 = faulty), features and the rules' verdicts (1 = faulty) per engine, folder labels,
    feature names."""
    names, labels, features, verdicts = [], [], {e: [] for e in ENGINES}, {e: [] for e in ENGINES}
    for engine in ENGINES:
        for row, clip in cached_clips(cache / engine):
            if row["label"] not in ("correct", "wrong"):
                continue
            values, form_ok = clip_features(clip["body"], clip["times_s"])
            features[engine].append(list(values.values()))
            verdicts[engine].append(not form_ok)
            if engine == ENGINES[0]:
                names.append(Path(row["clip"]).name)
                labels.append(row["label"])
    matrices = {engine: np.array(rows, float) for engine, rows in features.items()}
    matrices["both"] = np.hstack([matrices[e] for e in ENGINES])
    y = np.array([label == "wrong" for label in labels], int)
    return names, y, matrices, {e: np.array(v) for e, v in verdicts.items()}, labels, list(values)


def forest(depth, leaf):
    imputer = SimpleImputer(strategy="median", add_indicator=True)
    return make_pipeline(imputer, RandomForestClassifier(300, max_depth=depth, min_samples_leaf=leaf, random_state=0))


def logistic(c):
    imputer = SimpleImputer(strategy="median", add_indicator=True)
    return make_pipeline(imputer, StandardScaler(), LogisticRegression(C=c, max_iter=2000))


CANDIDATES = [(f"forest depth {d} leaf {leaf}", lambda d=d, leaf=leaf: forest(d, leaf)) for d in (2, 4, None)
              for leaf in (1, 3)] + [(f"logistic C {c}", lambda c=c: logistic(c)) for c in (0.1, 1.0)]  # fmt: skip


def accuracy(make, x, y, train, test) -> float:
    return float((make().fit(x[train], y[train]).predict(x[test]) == y[test]).mean())


def nested(y, matrices, groups, seed: int, rules: dict[str, np.ndarray]) -> None:
    outer = StratifiedGroupKFold(5, shuffle=True, random_state=seed)
    inner = StratifiedGroupKFold(4, shuffle=True, random_state=seed)
    learned, by_rules, chosen = [], {e: [] for e in rules}, Counter()
    for train, test in outer.split(matrices["both"], y, groups):
        scores = {}
        for engine, x in matrices.items():
            for name, make in CANDIDATES:
                splits = inner.split(x[train], y[train], groups[train])
                scores[engine, name] = np.mean([accuracy(make, x[train], y[train], a, b) for a, b in splits])
        engine, name = max(scores, key=scores.get)
        chosen[f"{engine}: {name}"] += 1
        learned.append(accuracy(dict(CANDIDATES)[name], matrices[engine], y, train, test))
        for rule_engine, faulty in rules.items():
            by_rules[rule_engine].append(float((faulty[test] == y[test]).mean()))
    rules_text = "  ".join(f"rules ({e}) {np.mean(v):.3f}" for e, v in by_rules.items())
    print(f"seed {seed}: learned {np.mean(learned):.3f} (folds {np.round(learned, 2).tolist()})  {rules_text}")
    print(f"  chosen: {dict(chosen)}")


def leaned_on(y, x, names: list[str]) -> None:
    """The forest's impurity importance on all clips, summed by check: which measures it uses (not a figure)."""
    pipeline = forest(4, 3).fit(x, y)
    # the imputer's output names: the features it kept, then `missingindicator_<feature>` for those with gaps
    columns = pipeline[:-1].get_feature_names_out([f"{e}:{n}" for e in ENGINES for n in names])
    importance = Counter()
    for column, value in zip(columns, pipeline[-1].feature_importances_, strict=True):
        engine, feature = column.removeprefix("missingindicator_").split(":")
        importance[f"{engine} {next((c for c in CODES if feature.startswith(c)), feature)}"] += value
    print("importance by measure:", {k: round(float(v), 3) for k, v in importance.most_common()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--seeds", type=int, default=3, help="outer fold shuffles to report")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    names, y, matrices, rules, labels, feature_names = load(args.cache)
    groups = np.array(same_video_groups(names, labels))
    print(f"{len(y)} clips, {y.sum()} faulty, {len(np.unique(groups))} video groups, {len(feature_names)} features")
    for seed in range(args.seeds):
        nested(y, matrices, groups, seed, rules)
    leaned_on(y, matrices["both"], feature_names)


if __name__ == "__main__":
    main()
