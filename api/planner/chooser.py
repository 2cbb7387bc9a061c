"""Choosing exercises for one person: equipment at hand, nothing contraindicated, not above their level."""

from __future__ import annotations

from dataclasses import dataclass

from api.planner.catalogue import CATALOGUE, LEVELS, Exercise, easier_chain, is_safe_for, usable_with
from api.planner.request import PlanRequest
from api.planner.templates import is_heavy, slot_candidates, worked_muscles


@dataclass
class Chooser:
    """Picks exercises a person can do: equipment at hand, nothing contraindicated, not above their level.

    Rehabilitation keeps to beginner exercises and 65+ to intermediate ones at most."""

    request: PlanRequest

    def __post_init__(self):
        self.equipment = set(self.request.equipment)
        self.limitations = set(self.request.limitations)
        top = LEVELS.index(self.request.fitness_level)
        if self.request.goal == "rehabilitation":
            top = 0
        elif self.request.older:
            top = min(top, 1)
        self.top_level = top

    def can_do(self, exercise: Exercise, any_level: bool = False) -> bool:
        level_ok = any_level or LEVELS.index(exercise.level) <= self.top_level
        return level_ok and usable_with(exercise, self.equipment) and is_safe_for(exercise, self.limitations)

    def first(self, labels) -> list[Exercise]:
        return [CATALOGUE[label] for label in labels if self.can_do(CATALOGUE[label], any_level=True)]

    def easier_variant(self, exercise: Exercise) -> Exercise | None:
        """The first variant down the `easier` chain that this person can do."""
        return next((e for e in easier_chain(exercise) if self.can_do(e, any_level=True)), None)

    def step_down(self, exercise: Exercise, steps: int) -> Exercise:
        """Up to `steps` easier variants down the chain, counting only those this person can do."""
        doable = [e for e in easier_chain(exercise) if self.can_do(e, any_level=True)]
        return doable[min(steps, len(doable)) - 1] if doable else exercise

    def pick(
        self, slot: str, used: set[str], rested: frozenset[str], earlier: Exercise | None = None
    ) -> tuple[Exercise | None, Exercise | None]:
        """The best exercise for a slot, and the one it replaces because of a limitation, if any.

        The catalogue lists each pattern's staples first, so its order is the order of preference. Heavy moves on
        a muscle in `rested` (worked hard the day before) are left out. When the slot was `earlier` filled this
        week, another exercise is taken for variety if there is one that is neither a regression of it nor a
        body-weight move standing in for a loaded one."""
        candidates = [
            e for e in slot_candidates(slot) if e.label not in used and not (is_heavy(e) and rested & worked_muscles(e))
        ]
        allowed = [e for e in candidates if self.can_do(e)]
        if earlier is not None:
            regressions = {e.label for e in easier_chain(earlier)}
            other = next(
                (
                    e
                    for e in allowed
                    if e is not earlier and e.label not in regressions and e.is_bodyweight <= earlier.is_bodyweight
                ),
                None,
            )
            return other or next((e for e in allowed if e is earlier), None) or next(iter(allowed), None), None
        chosen = next(iter(allowed), None)
        preferred = next(
            (e for e in candidates if usable_with(e, self.equipment) and LEVELS.index(e.level) <= self.top_level),
            None,
        )
        if preferred and chosen and preferred is not chosen and not is_safe_for(preferred, self.limitations):
            return chosen, preferred
        return chosen, None
