"""YOLO detection datasets: `data.yaml` with the class names, `images/` and `labels/` mirroring each other, flat or
with `train/` and `val/` sub-folders; every label line checked; an empty label file marks a background image."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path, PurePosixPath

import yaml

from api.ml.datasets.files import check_class_name, check_image_file, is_image, list_files, move, split_of
from api.ml.datasets.problems import DatasetLimits, Problems
from api.ml.datasets.report import DatasetReport, accepted_report, empty_splits
from api.ml.datasets.split import SplitItem, choose_validation, group_of

MAX_LABEL_FILE_BYTES = 1 << 20
BACKGROUND = "(background)"


def _parse_label(path: Path, relative: PurePosixPath, class_count: int, problems: Problems) -> list[int] | None:
    """Class ids of one YOLO label file, or None when it has problems (each added to `problems`)."""
    if path.stat().st_size > MAX_LABEL_FILE_BYTES:
        problems.add("bad_label_line", f"{relative}: the label file is over {MAX_LABEL_FILE_BYTES // 1024} KiB")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.add("bad_label_line", f"{relative}: not UTF-8 text")
        return None
    class_ids: list[int] = []
    valid = True
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        where = f"{relative}:{number}"
        try:
            values = [float(part) for part in parts]
        except ValueError:
            problems.add("bad_label_line", f"{where}: {line.strip()[:60]!r} is not numbers")
            valid = False
            continue
        if len(values) != 5 and (len(values) < 7 or len(values) % 2 == 0):
            problems.add("bad_label_line", f"{where}: {len(values)} values; expected 5 (a box) or 7+ odd (a polygon)")
            valid = False
            continue
        class_value, coordinates = values[0], values[1:]
        if not class_value.is_integer() or not 0 <= class_value < class_count:
            problems.add("bad_class_id", f"{where}: class {parts[0]} is not one of 0..{class_count - 1}")
            valid = False
        if any(not math.isfinite(v) or not 0.0 <= v <= 1.0 for v in coordinates):
            problems.add("coordinates_out_of_range", f"{where}: coordinates must be within [0, 1]")
            valid = False
        elif len(values) == 5 and (coordinates[2] <= 0 or coordinates[3] <= 0):
            problems.add("coordinates_out_of_range", f"{where}: the box has no width or height")
            valid = False
        if valid:
            class_ids.append(int(class_value))
    return class_ids if valid else None


def _read_class_names(yaml_path: Path, problems: Problems) -> list[str]:
    try:
        content = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.add("bad_data_yaml", f"{yaml_path.name} does not parse: {exc.__class__.__name__}")
        return []
    names = content.get("names") if isinstance(content, dict) else None
    if isinstance(names, dict) and all(isinstance(k, int) for k in names) and sorted(names) == list(range(len(names))):
        names = [names[i] for i in range(len(names))]
    if not isinstance(names, list) or not names:
        problems.add("bad_data_yaml", f"{yaml_path.name} needs 'names': a list, or a mapping 0..n-1 to names")
        return []
    names = [str(name) for name in names]
    declared = content.get("nc")
    if declared is not None and declared != len(names):
        problems.add("bad_data_yaml", f"{yaml_path.name} says nc: {declared} but names {len(names)} classes")
    for name in names:
        check_class_name(name, problems)
    return names


def import_detection(raw: Path, dest: Path, yaml_path: Path, limits: DatasetLimits) -> DatasetReport:
    problems = Problems(limits.max_listed_problems)
    class_names = _read_class_names(yaml_path, problems)
    problems.raise_if_any("the detection dataset is refused")
    files = list_files(raw)
    images = [p for p in files if p.parts[0] == "images" and len(p.parts) > 1 and is_image(p)]
    labels = {p for p in files if p.parts[0] == "labels" and p.suffix == ".txt"}
    ignored = len(files) - len(images) - len(labels) - 1
    placed: dict[PurePosixPath, tuple[str | None, PurePosixPath]] = {}
    class_ids: dict[PurePosixPath, list[int]] = {}
    targets: set[tuple[str, PurePosixPath]] = set()
    for image in images:
        split, rest = split_of(PurePosixPath(*image.parts[1:]))
        label = PurePosixPath("labels", *image.parts[1:]).with_suffix(".txt")
        labels.discard(label)
        if split == "ignored":
            ignored += 1
            continue
        if not check_image_file(raw, image, limits, problems):
            continue
        if not (raw / label).is_file():
            problems.add("image_without_label", f"{image}: expected {label} (an empty file marks a background image)")
            continue
        ids = _parse_label(raw / label, label, len(class_names), problems)
        if ids is None:
            continue
        key = ("val" if split == "val" else "train", rest)
        if key in targets:
            problems.add("duplicate_name", f"{image}: another image is also {key[0]}/{rest}")
        targets.add(key)
        placed[image] = (split, rest)
        class_ids[image] = ids
    for label in sorted(labels):
        if split_of(PurePosixPath(*label.parts[1:]))[0] != "ignored":
            problems.add("label_without_image", f"{label}: no image of the same name under images/")
    if not images:
        problems.add("no_images", "no images under images/ next to data.yaml")
    problems.raise_if_any("the detection dataset is refused")

    frequency = Counter(cid for ids in class_ids.values() for cid in ids)
    given_val = any(split == "val" for split, _ in placed.values())
    if given_val:
        val_images = {image for image, (split, _) in placed.items() if split == "val"}
    else:
        items = [
            SplitItem(image, class_names[min(set(ids), key=lambda c: (frequency[c], c))] if ids else BACKGROUND,
                      group_of(image))
            for image, ids in class_ids.items()
        ]  # fmt: skip
        val_images = choose_validation(items, limits.val_fraction, limits.split_seed)
        if not val_images:
            problems.add("too_few_images", "at least two images (or groups of images) are needed to validate")
            problems.raise_if_any("the detection dataset is refused")
    splits = empty_splits()
    for image, (_split, rest) in placed.items():
        split = "val" if image in val_images else "train"
        label = PurePosixPath("labels", *image.parts[1:]).with_suffix(".txt")
        move(raw / image, dest / "images" / split / rest)
        move(raw / label, dest / "labels" / split / rest.with_suffix(".txt"))
        splits[split].images += 1
        splits[split].instances.update(class_names[cid] for cid in class_ids[image])
    return accepted_report(
        "detect",
        "yolo",
        class_names,
        splits,
        split_made=not given_val,
        limits=limits,
        groups=len({group_of(image) for image in placed}),
        background_images=sum(1 for ids in class_ids.values() if not ids),
        ignored_files=ignored,
    )
