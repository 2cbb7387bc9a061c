"""Classification datasets: one folder per class, optionally under `train/` and `val/`."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath

from api.ml.datasets.files import check_class_name, check_image_file, is_image, list_files, move, split_of
from api.ml.datasets.problems import DatasetLimits, Problems
from api.ml.datasets.report import DatasetReport, accepted_report, empty_splits
from api.ml.datasets.split import SplitItem, choose_validation, group_of


def import_classification(raw: Path, dest: Path, limits: DatasetLimits) -> DatasetReport:
    problems = Problems(limits.max_listed_problems)
    files = list_files(raw)
    has_split_folders = any(split_of(p)[0] == "train" and len(p.parts) > 2 for p in files)
    by_class: dict[str, dict[str, list[PurePosixPath]]] = {"train": defaultdict(list), "val": defaultdict(list)}
    ignored = 0
    for path in files:
        split, rest = split_of(path) if has_split_folders else ("train", path)
        if split == "ignored" or not is_image(path):
            ignored += 1
            continue
        if split is None or len(rest.parts) < 2:
            problems.add("image_without_label", f"{path}: images must sit in a folder named after their class")
            continue
        if check_image_file(raw, path, limits, problems):
            by_class[split][rest.parts[0]].append(path)
    class_names = sorted(by_class["train"])
    for name in class_names:
        check_class_name(name, problems)
    for name in sorted(set(by_class["val"]) - set(by_class["train"])):
        problems.add("class_not_in_train", f"{name!r} has validation images but no training images")
    given_val = bool(by_class["val"])
    if given_val:
        for name in sorted(set(class_names) - set(by_class["val"])):
            problems.add("class_missing_from_val", f"{name!r} has no images under val/")
    else:
        for name in class_names:
            if len({group_of(p) for p in by_class["train"][name]}) < 2:
                problems.add("too_few_images", f"{name!r} needs two images (of two name groups) to validate it")
    if not class_names:
        problems.add("no_images", "no class folders with images (folder-per-class, optionally under train/, val/)")
    elif len(class_names) < 2:
        problems.add("too_few_classes", f"only the class {class_names[0]!r}; a classifier needs two or more")
    problems.raise_if_any("the classification dataset is refused")

    if given_val:
        val_images = {path for paths in by_class["val"].values() for path in paths}
    else:
        items = [SplitItem(p, name, f"{name}/{group_of(p)}") for name in class_names for p in by_class["train"][name]]
        val_images = choose_validation(items, limits.val_fraction, limits.split_seed)
    splits = empty_splits()
    for paths_by_class in by_class.values():
        for name, paths in paths_by_class.items():
            for path in paths:
                split = "val" if path in val_images else "train"
                rest = split_of(path)[1] if has_split_folders else path
                move(raw / path, dest / split / rest)
                splits[split].images += 1
                splits[split].instances[name] += 1
    groups = {f"{name}/{group_of(p)}" for split in by_class.values() for name, paths in split.items() for p in paths}
    return accepted_report(
        "classify",
        "split-folders" if has_split_folders else "class-folders",
        class_names,
        splits,
        split_made=not given_val,
        limits=limits,
        groups=len(groups),
        ignored_files=ignored,
    )
