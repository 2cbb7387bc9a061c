"""Dataset archives: check a zip before anything is unpacked, unpack it safely, validate every image and label,
make a seeded, stratified, grouped validation split when there is none, and report what is inside.

Two layouts are accepted (optionally wrapped in one top folder):
- YOLO detection: `data.yaml` with the class `names`, `images/` and `labels/` mirroring each other, either flat
  or with `train/` and `val/` sub-folders. An empty label file marks a background image; a missing one is a problem.
- Classification: one folder per class, optionally under `train/` and `val/`.

The result is written into a new folder in the form Ultralytics reads: detection `images/{train,val}/...` and
`labels/{train,val}/...` (plus `data.yaml` written at training time); classification `{train,val}/<class>/...`.
Any problem refuses the whole archive with `InvalidDataset`, listing the first problems of each kind, and leaves
nothing on disk.
"""

from __future__ import annotations

import math
import random
import re
import shutil
import stat
import zipfile
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from api.exceptions import InvalidDataset, InvalidMedia, PayloadTooLarge
from api.storage import check_image

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
DATA_YAML_NAMES = ("data.yaml", "data.yml", "dataset.yaml")
TRAIN_SPLIT = "train"
VAL_SPLIT_NAMES = ("val", "valid", "validation")
IGNORED_SPLIT_NAMES = ("test",)
IGNORED_NAMES = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})
GROUP_SEPARATOR = "__"
RATIO_CHECK_MIN_BYTES = 1 << 20  # small entries may compress well without being a bomb
MAX_LABEL_FILE_BYTES = 1 << 20
MAX_CLASS_NAME_LENGTH = 100
COPY_CHUNK_BYTES = 1 << 20
BACKGROUND = "(background)"

PROBLEM_KINDS = {
    "path_escapes": "an entry's path leaves the archive's folder (zip-slip)",
    "link": "an entry is a symbolic link",
    "encrypted": "an entry is encrypted",
    "compression_ratio": "an entry expands far more than real images and labels do (zip bomb)",
    "too_large": "the unpacked archive would be too large",
    "too_many_files": "the archive holds too many files",
    "corrupt_archive": "the archive or one of its entries is damaged",
    "bad_data_yaml": "data.yaml is missing its class names or does not parse",
    "undecodable_image": "an image does not decode",
    "image_too_large": "an image has too many pixels",
    "bad_label_line": "a label line is not 'class x_center y_center width height' (or a polygon)",
    "bad_class_id": "a label uses a class id that data.yaml does not name",
    "coordinates_out_of_range": "a label coordinate is outside [0, 1] or a box has no size",
    "image_without_label": "an image has no label file (detection) or no class folder (classification)",
    "label_without_image": "a label file has no image",
    "duplicate_name": "two images end up at the same place",
    "bad_class_name": "a class name is empty, too long or has control characters",
    "class_not_in_train": "a validation class has no training images",
    "class_missing_from_val": "a class has no validation images",
    "too_few_images": "too few images (or groups of images) to make a validation split",
    "too_few_classes": "fewer than two classes",
    "no_images": "no images were found in the expected layout",
}


@dataclass(frozen=True)
class DatasetLimits:
    """What an archive may hold and how a missing validation split is made."""

    max_files: int = 20_000
    max_unpacked_bytes: int = 2 << 30
    max_compression_ratio: float = 100.0
    max_image_pixels: int = 40_000_000
    max_listed_problems: int = 10
    val_fraction: float = 0.2
    split_seed: int = 0


class Problems:
    """Problems by kind: the first few messages of each kind are kept, all are counted."""

    def __init__(self, max_listed: int):
        self.max_listed = max_listed
        self.listed: dict[str, list[str]] = defaultdict(list)
        self.counts: Counter = Counter()

    def add(self, kind: str, message: str) -> None:
        self.counts[kind] += 1
        if len(self.listed[kind]) < self.max_listed:
            self.listed[kind].append(message)

    def raise_if_any(self, summary: str) -> None:
        if not self.counts:
            return
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(self.counts.items()))
        raise InvalidDataset(
            f"{summary}: {kinds}",
            details={
                "problems": dict(self.listed),
                "counts": dict(self.counts),
                "explanations": {kind: PROBLEM_KINDS[kind] for kind in self.counts},
                "listed_per_kind": self.max_listed,
            },
        )


@dataclass
class SplitSummary:
    images: int = 0
    instances: Counter = field(default_factory=Counter)


@dataclass
class DatasetReport:
    """What an accepted dataset holds: classes, images and instances per class and split, and how it was split."""

    task: str
    layout: str
    class_names: list[str]
    splits: dict[str, SplitSummary]
    split_made: bool
    split_seed: int | None = None
    val_fraction: float | None = None
    groups: int = 0
    background_images: int = 0
    ignored_files: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def image_count(self) -> int:
        return sum(split.images for split in self.splits.values())

    def to_dict(self) -> dict:
        totals = {name: sum(split.instances[name] for split in self.splits.values()) for name in self.class_names}
        all_instances = sum(totals.values()) or 1
        counts = [n for n in totals.values() if n]
        return {
            "task": self.task,
            "layout": self.layout,
            "class_names": self.class_names,
            "image_count": self.image_count,
            "splits": {
                name: {"images": split.images, "instances": {c: split.instances[c] for c in self.class_names}}
                for name, split in self.splits.items()
            },
            "class_balance": [
                {
                    "class": name,
                    **{split_name: split.instances[name] for split_name, split in self.splits.items()},
                    "share": round(totals[name] / all_instances, 4),
                }
                for name in self.class_names
            ],
            "imbalance_ratio": round(max(counts) / min(counts), 2) if counts else None,
            "split": {
                "made": self.split_made,
                "seed": self.split_seed,
                "val_fraction": self.val_fraction,
                "groups": self.groups,
                "grouped_by": f"file name before '{GROUP_SEPARATOR}'",
            },
            "background_images": self.background_images,
            "ignored_files": self.ignored_files,
            "warnings": self.warnings,
        }


def import_dataset(archive: Path, dest: Path, limits: DatasetLimits) -> DatasetReport:
    """Check `archive`, unpack it into the new folder `dest` in normal form and return its report.

    Raises `InvalidDataset` (listing the problems) and leaves no `dest` behind when anything is wrong.
    """
    dest.mkdir(parents=True)
    try:
        raw = dest / ".unpacked"
        try:
            with zipfile.ZipFile(archive) as archive_file:
                entries = check_archive(archive_file, limits)
                unpack(archive_file, entries, raw, limits)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
            problems = Problems(limits.max_listed_problems)
            problems.add("corrupt_archive", f"the zip cannot be read: {exc}")
            problems.raise_if_any("the archive is not a readable zip")
        yaml_path = next((raw / name for name in DATA_YAML_NAMES if (raw / name).is_file()), None)
        if yaml_path is not None:
            report = _import_detection(raw, dest, yaml_path, limits)
        else:
            report = _import_classification(raw, dest, limits)
        shutil.rmtree(raw)
        return report
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def _archive_path(name: str) -> PurePosixPath:
    return PurePosixPath(name.replace("\\", "/"))


def _escapes(name: str) -> bool:
    path = _archive_path(name)
    return path.is_absolute() or bool(re.match(r"^[A-Za-z]:", str(path))) or ".." in path.parts


def _ignored(path: PurePosixPath) -> bool:
    return any(part in IGNORED_NAMES or part.startswith(".") for part in path.parts)


def check_archive(archive: zipfile.ZipFile, limits: DatasetLimits) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Refuse unsafe archives from their directory alone; return the files to unpack and where, relative."""
    problems = Problems(limits.max_listed_problems)
    infos = archive.infolist()
    files = [info for info in infos if not info.is_dir()]
    if len(files) > limits.max_files:
        problems.add("too_many_files", f"{len(files)} files; the limit is {limits.max_files}")
    total_bytes = 0
    for info in infos:
        if _escapes(info.filename):
            problems.add("path_escapes", f"{info.filename!r} points outside the archive's folder")
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.add("link", f"{info.filename!r} is a symbolic link")
        if info.flag_bits & 0x1:
            problems.add("encrypted", f"{info.filename!r} is encrypted")
        if info.is_dir():
            continue
        total_bytes += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_CHECK_MIN_BYTES and ratio > limits.max_compression_ratio:
            problems.add(
                "compression_ratio",
                f"{info.filename!r} expands {ratio:,.0f} times; the limit is {limits.max_compression_ratio:g}",
            )
    if total_bytes > limits.max_unpacked_bytes:
        problems.add(
            "too_large",
            f"{total_bytes / 2**20:,.1f} MiB unpacked; the limit is {limits.max_unpacked_bytes / 2**20:,.0f} MiB",
        )
    problems.raise_if_any("the archive is refused before unpacking")
    kept = [(info, _archive_path(info.filename)) for info in files if not _ignored(_archive_path(info.filename))]
    return _strip_wrapper_folder(kept)


def _strip_wrapper_folder(entries: list[tuple[zipfile.ZipInfo, PurePosixPath]]):
    """Drop one top folder that wraps everything (an archive made by zipping a folder), unless it holds files only
    (then it is a class folder)."""
    tops = {path.parts[0] for _, path in entries}
    if len(tops) == 1 and all(len(path.parts) > 1 for _, path in entries):
        stripped = [(info, PurePosixPath(*path.parts[1:])) for info, path in entries]
        if any(len(path.parts) > 1 for _, path in stripped):
            return stripped
    return entries


def unpack(
    archive: zipfile.ZipFile, entries: list[tuple[zipfile.ZipInfo, PurePosixPath]], raw: Path, limits: DatasetLimits
) -> None:
    """Write each entry under `raw`, never outside it, counting the bytes really written."""
    problems = Problems(limits.max_listed_problems)
    raw.mkdir()
    root = raw.resolve()
    written = 0
    for info, relative in entries:
        target = raw / relative
        if root not in target.resolve().parents:
            problems.add("path_escapes", f"{info.filename!r} points outside the archive's folder")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(info) as source, open(target, "wb") as out:
                while chunk := source.read(COPY_CHUNK_BYTES):
                    written += len(chunk)
                    if written > limits.max_unpacked_bytes:
                        problems.add("too_large", "the archive unpacks to more than it declares")
                        problems.raise_if_any("the archive is refused while unpacking")
                    out.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            problems.add("corrupt_archive", f"{info.filename!r}: {exc}")
    problems.raise_if_any("the archive is damaged")


def _files(root: Path) -> list[PurePosixPath]:
    return sorted(PurePosixPath(path.relative_to(root).as_posix()) for path in root.rglob("*") if path.is_file())


def _is_image(path: PurePosixPath) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


def _check_image(raw: Path, relative: PurePosixPath, limits: DatasetLimits, problems: Problems) -> bool:
    try:
        check_image(raw / relative, limits.max_image_pixels)
    except PayloadTooLarge as exc:
        problems.add("image_too_large", f"{relative}: {exc.message}")
        return False
    except (InvalidMedia, ImportError):  # Ultralytics patches PIL to try pi-heif on unknown files: absent here
        problems.add("undecodable_image", f"{relative}: not a decodable image")
        return False
    return True


def group_of(path: PurePosixPath) -> str:
    """Images whose names share the part before `__` (`Name__0.jpg`, `Name__1.jpg`) stay on one side of a split."""
    stem = path.stem
    return stem.split(GROUP_SEPARATOR)[0] if GROUP_SEPARATOR in stem else stem


@dataclass(frozen=True)
class SplitItem:
    key: PurePosixPath
    stratum: str
    group: str


def choose_validation(items: list[SplitItem], fraction: float, seed: int) -> set[PurePosixPath]:
    """Keys chosen for validation: whole groups, about `fraction` of the groups of each stratum, seeded."""
    members: dict[str, list[SplitItem]] = defaultdict(list)
    for item in items:
        members[item.group].append(item)
    by_stratum: dict[str, list[str]] = defaultdict(list)
    for group, group_items in sorted(members.items()):
        strata = Counter(item.stratum for item in group_items)
        by_stratum[min(strata, key=lambda s: (-strata[s], s))].append(group)

    def take(groups: list[str], salt: str) -> list[str]:
        shuffled = sorted(groups)
        random.Random(f"{seed}/{salt}").shuffle(shuffled)
        return shuffled[: min(len(shuffled) - 1, max(1, round(len(shuffled) * fraction)))]

    chosen = [g for stratum, groups in sorted(by_stratum.items()) if len(groups) > 1 for g in take(groups, stratum)]
    if not chosen and len(members) > 1:
        chosen = take(list(members), "all")
    return {item.key for group in chosen for item in members[group]}


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
        _check_class_name(name, problems)
    return names


def _check_class_name(name: str, problems: Problems) -> None:
    if not name.strip() or len(name) > MAX_CLASS_NAME_LENGTH or any(ord(ch) < 32 for ch in name):
        problems.add("bad_class_name", f"{name[:40]!r}: 1-{MAX_CLASS_NAME_LENGTH} printable characters")


def _split_of(relative: PurePosixPath) -> tuple[str | None, PurePosixPath]:
    """The split a path under images/ or the archive root names ('train', 'val', None, or 'ignored') and the rest."""
    first = relative.parts[0].lower() if len(relative.parts) > 1 else ""
    rest = PurePosixPath(*relative.parts[1:]) if len(relative.parts) > 1 else relative
    if first == TRAIN_SPLIT:
        return "train", rest
    if first in VAL_SPLIT_NAMES:
        return "val", rest
    if first in IGNORED_SPLIT_NAMES:
        return "ignored", rest
    return None, relative


def _move(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    source.replace(target)


def _import_detection(raw: Path, dest: Path, yaml_path: Path, limits: DatasetLimits) -> DatasetReport:
    problems = Problems(limits.max_listed_problems)
    class_names = _read_class_names(yaml_path, problems)
    problems.raise_if_any("the detection dataset is refused")
    files = _files(raw)
    images = [p for p in files if p.parts[0] == "images" and len(p.parts) > 1 and _is_image(p)]
    labels = {p for p in files if p.parts[0] == "labels" and p.suffix == ".txt"}
    ignored = len(files) - len(images) - len(labels) - 1
    placed: dict[PurePosixPath, tuple[str | None, PurePosixPath]] = {}
    class_ids: dict[PurePosixPath, list[int]] = {}
    targets: set[tuple[str, PurePosixPath]] = set()
    for image in images:
        split, rest = _split_of(PurePosixPath(*image.parts[1:]))
        label = PurePosixPath("labels", *image.parts[1:]).with_suffix(".txt")
        labels.discard(label)
        if split == "ignored":
            ignored += 1
            continue
        if not _check_image(raw, image, limits, problems):
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
        if _split_of(PurePosixPath(*label.parts[1:]))[0] != "ignored":
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
    splits = {"train": SplitSummary(), "val": SplitSummary()}
    for image, (_split, rest) in placed.items():
        split = "val" if image in val_images else "train"
        label = PurePosixPath("labels", *image.parts[1:]).with_suffix(".txt")
        _move(raw / image, dest / "images" / split / rest)
        _move(raw / label, dest / "labels" / split / rest.with_suffix(".txt"))
        splits[split].images += 1
        splits[split].instances.update(class_names[cid] for cid in class_ids[image])
    report = DatasetReport(
        task="detect",
        layout="yolo",
        class_names=class_names,
        splits=splits,
        split_made=not given_val,
        split_seed=None if given_val else limits.split_seed,
        val_fraction=None if given_val else limits.val_fraction,
        groups=len({group_of(image) for image in placed}),
        background_images=sum(1 for ids in class_ids.values() if not ids),
        ignored_files=ignored,
    )
    report.warnings = _coverage_warnings(report)
    return report


def _import_classification(raw: Path, dest: Path, limits: DatasetLimits) -> DatasetReport:
    problems = Problems(limits.max_listed_problems)
    files = _files(raw)
    has_split_folders = any(_split_of(p)[0] == "train" and len(p.parts) > 2 for p in files)
    by_class: dict[str, dict[str, list[PurePosixPath]]] = {"train": defaultdict(list), "val": defaultdict(list)}
    ignored = 0
    for path in files:
        split, rest = _split_of(path) if has_split_folders else ("train", path)
        if split == "ignored" or not _is_image(path):
            ignored += 1
            continue
        if split is None or len(rest.parts) < 2:
            problems.add("image_without_label", f"{path}: images must sit in a folder named after their class")
            continue
        if _check_image(raw, path, limits, problems):
            by_class[split][rest.parts[0]].append(path)
    class_names = sorted(by_class["train"])
    for name in class_names:
        _check_class_name(name, problems)
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
    splits = {"train": SplitSummary(), "val": SplitSummary()}
    for paths_by_class in by_class.values():
        for name, paths in paths_by_class.items():
            for path in paths:
                split = "val" if path in val_images else "train"
                rest = _split_of(path)[1] if has_split_folders else path
                _move(raw / path, dest / split / rest)
                splits[split].images += 1
                splits[split].instances[name] += 1
    groups = {f"{name}/{group_of(p)}" for split in by_class.values() for name, paths in split.items() for p in paths}
    report = DatasetReport(
        task="classify",
        layout="split-folders" if has_split_folders else "class-folders",
        class_names=class_names,
        splits=splits,
        split_made=not given_val,
        split_seed=None if given_val else limits.split_seed,
        val_fraction=None if given_val else limits.val_fraction,
        groups=len(groups),
        ignored_files=ignored,
    )
    report.warnings = _coverage_warnings(report)
    return report


def _coverage_warnings(report: DatasetReport) -> list[str]:
    """Classes that training or validation will not see: legal, but worth knowing."""
    warnings = []
    for name in report.class_names:
        for split_name, split in report.splits.items():
            if not split.instances[name]:
                warnings.append(f"class {name!r} has no {split_name} instances")
    return warnings
