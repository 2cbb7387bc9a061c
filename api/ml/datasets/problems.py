"""What a dataset archive may hold, and the problems found in one: counted by kind, the first few of each listed."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from api.exceptions import InvalidDataset

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
