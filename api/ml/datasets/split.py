"""The validation split made when an archive has none: seeded, stratified by class, whole name groups kept together."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath

GROUP_SEPARATOR = "__"


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
