"""A day's template: the planned exercises of a strength day in slot order, fitted to the minutes, weekly hard sets
capped, and the anchor exercise and correctives that an analysis asks for."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from api.planner import prescription as rx
from api.planner.catalogue import CATALOGUE, Exercise
from api.planner.chooser import Chooser
from api.planner.request import PlanRequest
from api.planner.templates import (
    CORRECTIVES,
    DEFAULT_CORRECTIVES,
    PATTERN_CORRECTIVES,
    SLOT_FALLBACK,
    TEMPLATE_MUSCLES,
    TEMPLATES,
    counts_as_hard_sets,
    fits_slot,
    is_heavy,
    worked_muscles,
)

SHORT_SESSION_MIN = 20
SHORT_SESSION_MAX_REST_S = 90
OLDER_BEGINNER_STEPS_DOWN = 2
MAX_CORRECTIVES = 2
MAIN_LIFTS_PER_DAY = 2


@dataclass
class Planned:
    """One exercise of a day's template: its prescription, role and the reasons behind it."""

    exercise: Exercise
    prescription: rx.Prescription
    role: str
    reasons: list[str] = field(default_factory=list)
    sides: int = 1

    @property
    def work_s(self) -> int:
        low_high = self.prescription.rep_range
        if self.exercise.measure == "seconds" or self.prescription.tempo == "hold":
            return low_high[1] * self.sides
        return low_high[1] * self.prescription.seconds_per_rep

    def minutes(self, sets: int | None = None) -> float:
        return (sets or self.prescription.sets) * (self.work_s + self.prescription.rest_s) / 60

    def with_sets(self, sets: int) -> Planned:
        return replace(self, prescription=replace(self.prescription, sets=sets), reasons=list(self.reasons))

    def to_item(self, goal: str, level: str, sets: int, rpe: float, week_reasons: tuple[str, ...] = ()) -> dict:
        p = replace(self.prescription, sets=sets, rpe=rpe)
        timed = self.exercise.measure == "seconds" or p.tempo == "hold"
        low, high = p.rep_range
        why = p.why(goal, level, " s" if timed else "") if self.role == "main" else self.reasons[0]
        reasons = self.reasons if self.role == "main" else self.reasons[1:]
        return {
            "exercise": self.exercise.label,
            "name": self.exercise.name,
            "role": self.role,
            "pattern": self.exercise.pattern,
            "sets": sets,
            "rep_range": None if timed else [low, high],
            "hold_s": [low, high] if timed else None,
            "rest_s": p.rest_s,
            "rpe": rpe,
            "rir": p.reps_in_reserve,
            "tempo": p.tempo,
            "intensity": p.intensity,
            "load_kg": None,
            "primary_muscles": list(self.exercise.primary_muscles),
            "heavy": self.role == "main" and is_heavy(self.exercise),
            "work_s": self.work_s,
            "minutes": round(self.minutes(sets), 1),
            "met": self.exercise.met,
            "why": "; ".join([why, *reasons, *week_reasons]),
        }


@dataclass
class DayTemplate:
    """One training day of the weekly template, before dates, deloads and week-by-week effort."""

    offset: int
    kind: str
    focus: str
    warm_up_min: int
    cool_down_min: int
    main: list[Planned] = field(default_factory=list)
    correctives: list[Planned] = field(default_factory=list)
    balance: list[Planned] = field(default_factory=list)
    cardio_min: int = 0

    def fixed_minutes(self) -> float:
        return (
            self.warm_up_min
            + self.cool_down_min
            + sum(p.minutes() for p in self.main + self.correctives + self.balance)
        )

    def free_minutes(self, session_minutes: int) -> float:
        """The session's minutes left after the warm-up, cool-down and exercises planned so far."""
        return session_minutes - self.fixed_minutes()

    def heavy_muscles(self) -> frozenset[str]:
        return frozenset(m for p in self.main if is_heavy(p.exercise) for m in p.exercise.primary_muscles)


@dataclass(frozen=True)
class Anchor:
    """The exercise a plan is built around after an analysis, and why."""

    exercise: Exercise
    slot_of: Exercise
    why: str


def main_prescription(
    base: rx.Prescription, exercise: Exercise, request: PlanRequest, assistance: bool
) -> rx.Prescription:
    """ACSM 2009: the day's first lifts get the full prescription, assistance work more reps and 1-2 min rest."""
    if exercise.measure == "seconds":
        chosen = rx.for_hold(base, request.fitness_level)
    elif assistance:
        chosen = rx.for_isolation(base)
    else:
        chosen = base
    if request.session_minutes < SHORT_SESSION_MIN and chosen.rest_s > SHORT_SESSION_MAX_REST_S:
        chosen = replace(chosen, rest_s=SHORT_SESSION_MAX_REST_S)
    return chosen


def analysis_plan(chooser: Chooser, analysis: dict | None) -> tuple[Anchor | None, list[Exercise], list[str]]:
    """What a plan built around an analysis gets: an anchor exercise, correctives and notes."""
    if not analysis:
        return None, [], []
    exercise = CATALOGUE[analysis["exercise"]]
    if exercise.pattern in ("mobility", "balance", "cardio"):
        return None, [], []
    codes = list(analysis.get("issues") or [])
    if analysis.get("form_ok") is False:
        easier = chooser.easier_variant(exercise)
        rows = [CORRECTIVES.get(code, ()) for code in codes]
        rows.append(PATTERN_CORRECTIVES.get(exercise.pattern, DEFAULT_CORRECTIVES))
        skip = {exercise.label, easier.label if easier else ""}
        correctives = [e for e in chooser.first(_round_robin(rows)) if e.label not in skip][:MAX_CORRECTIVES]
        faults = ", ".join(codes) or "form not ok"
        if easier:
            why = f"{easier.name} instead of {exercise.name}: your analysis showed {faults}; fix the form first"
            return Anchor(easier, exercise, why), correctives, []
        note = f"Your {exercise.name} analysis showed {faults}: keep the load light while the correctives help"
        if chooser.can_do(exercise, any_level=True):
            return Anchor(exercise, exercise, note), correctives, [note]
        return None, correctives, [note]
    if chooser.can_do(exercise, any_level=True):
        return Anchor(exercise, exercise, f"built around {exercise.name}: your analysis showed good form"), [], []
    return None, [], [f"{exercise.name} from your analysis needs equipment or a body region you asked to spare"]


def _round_robin(rows: list[tuple[str, ...]]) -> list[str]:
    """First choices of every row, then second choices, without repeats."""
    ordered = [row[i] for i in range(max(map(len, rows), default=0)) for row in rows if i < len(row)]
    return list(dict.fromkeys(ordered))


def strength_day(
    request: PlanRequest,
    chooser: Chooser,
    base: rx.Prescription,
    template: str,
    rested: frozenset[str],
    anchor: Anchor | None,
    first_strength_day: bool,
    week_picks: dict[str, Exercise],
) -> tuple[list[Planned], list[dict]]:
    """The day's main exercises in slot order (not yet fitted to the minutes), and substitutions made."""
    slots = ([f"power:{template}"] if request.goal == "power" else []) + list(TEMPLATES[template])
    slots += [f"isolation:{m}" for m in request.focus_muscles if m in TEMPLATE_MUSCLES[template]]
    anchor_slot = next((s for s in slots if anchor and fits_slot(s, anchor.slot_of)), None)
    if anchor and anchor_slot is None and first_strength_day:
        anchor_slot = "anchor"
        slots.insert(0, anchor_slot)
    used: set[str] = {anchor.slot_of.label} if anchor and anchor.exercise is not anchor.slot_of else set()
    planned, substitutions = [], []
    patterns: set[str] = set()
    main_lifts = 0
    for slot in slots:
        reasons: list[str] = []
        if slot == anchor_slot and not (is_heavy(anchor.exercise) and rested & worked_muscles(anchor.exercise)):
            exercise, replaced = anchor.exercise, None
            reasons.append(anchor.why)
        else:
            if slot == "anchor":
                continue
            exercise, replaced = chooser.pick(slot, used, rested, week_picks.get(slot))
            if exercise is None and slot in SLOT_FALLBACK and SLOT_FALLBACK[slot] not in patterns:
                exercise, replaced = chooser.pick(SLOT_FALLBACK[slot], used, rested, week_picks.get(slot))
            if exercise is not None:
                week_picks.setdefault(slot, exercise)
        if exercise is None or exercise.label in used:
            continue
        if anchor and exercise is anchor.exercise and anchor.why not in reasons:
            reasons.append(anchor.why)
        if replaced:
            regions = sorted(set(replaced.contraindications) & chooser.limitations)
            reason = f"not advised with a {', '.join(regions)} limitation"
            reasons.append(f"replaces {replaced.name}: {reason}")
            substitutions.append({"replaced": replaced.label, "by": exercise.label, "reason": reason})
        if request.older and request.fitness_level == "beginner" and exercise.is_bodyweight and not reasons:
            easier = chooser.step_down(exercise, OLDER_BEGINNER_STEPS_DOWN)
            if easier is not exercise:
                reasons.append(f"an easier start than {exercise.name}; move up when the top of the range is easy")
                exercise = easier
        if exercise.label in used:
            continue
        used.add(exercise.label)
        patterns.add(exercise.pattern)
        # Barbell lifts always get the full prescription: too technical for high-rep fatigue work.
        extra_lift = main_lifts >= MAIN_LIFTS_PER_DAY and "barbell" not in exercise.equipment
        assistance = exercise.pattern in ("isolation", "core") or extra_lift
        main_lifts += not assistance
        item_rx = main_prescription(base, exercise, request, assistance)
        if set(exercise.primary_muscles) & set(request.focus_muscles):
            item_rx = replace(item_rx, sets=item_rx.sets + 1)
            reasons.append("one extra set for your focus muscles")
        planned.append(Planned(exercise, item_rx, "main", reasons))
    return planned, substitutions


def core_fallback(request: PlanRequest, chooser: Chooser, base: rx.Prescription) -> list[Planned]:
    """When nothing heavy can go in a strength day (short session, rested muscles), core work keeps it one."""
    exercise, _ = chooser.pick("core", set(), frozenset())
    if exercise is None:
        return []
    why = "core work: nothing heavier fits this day without training yesterday's muscles or overrunning the time"
    return [Planned(exercise, main_prescription(base, exercise, request, assistance=True), "main", [why])]


def fit_to_minutes(planned: list[Planned], budget_min: float) -> list[Planned]:
    """Keep exercises in priority order while they fit the minutes, dropping to fewer sets before dropping one."""
    kept, used = [], 0.0
    for item in planned:
        sets = item.prescription.sets
        while sets > 1 and used + item.minutes(sets) > budget_min:
            sets -= 1
        if used + item.minutes(sets) <= budget_min:
            kept.append(item.with_sets(sets) if sets != item.prescription.sets else item)
            used += item.minutes(sets)
    return kept


def cap_weekly_sets(days: list[DayTemplate]) -> None:
    """Trim sets, later days and exercises first, so that no muscle gets more weekly hard sets than the cap."""
    cap = rx.WEEKLY_SETS_PER_MUSCLE[1]
    counts: dict[str, int] = {}
    for day in days:
        kept = []
        for item in day.main:
            counted = counts_as_hard_sets(item.exercise)
            room = min(cap - counts.get(m, 0) for m in item.exercise.primary_muscles) if counted else cap
            sets = min(item.prescription.sets, room)
            if sets <= 0:
                continue
            if sets < item.prescription.sets:
                item = item.with_sets(sets)
                item.reasons.append(f"{sets} set(s) to stay within {cap} weekly sets per muscle")
            if counted:
                for muscle in item.exercise.primary_muscles:
                    counts[muscle] = counts.get(muscle, 0) + sets
            kept.append(item)
        day.main = kept
