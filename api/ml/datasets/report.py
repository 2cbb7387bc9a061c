"""What an accepted dataset holds: classes, images and instances per class and split, and how it was split."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from api.ml.datasets.problems import DatasetLimits
from api.ml.datasets.split import GROUP_SEPARATOR


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


def coverage_warnings(report: DatasetReport) -> list[str]:
    """Classes that training or validation will not see: legal, but worth knowing."""
    warnings = []
    for name in report.class_names:
        for split_name, split in report.splits.items():
            if not split.instances[name]:
                warnings.append(f"class {name!r} has no {split_name} instances")
    return warnings


def empty_splits() -> dict[str, SplitSummary]:
    return {"train": SplitSummary(), "val": SplitSummary()}


def accepted_report(
    task: str,
    layout: str,
    class_names: list[str],
    splits: dict[str, SplitSummary],
    split_made: bool,
    limits: DatasetLimits,
    **counts: int,
) -> DatasetReport:
    """The report of a dataset that passed every check: how it was split, what it holds, the coverage warnings."""
    report = DatasetReport(
        task=task,
        layout=layout,
        class_names=class_names,
        splits=splits,
        split_made=split_made,
        split_seed=limits.split_seed if split_made else None,
        val_fraction=limits.val_fraction if split_made else None,
        **counts,
    )
    report.warnings = coverage_warnings(report)
    return report
