"""Plan generation: a deterministic, explained plan of weeks and days from a profile and a request.

How a plan is built (same request, same plan, no randomness):
1. the prescription for the goal, level and age (`prescription.prescribe`);
2. the week: strength days capped by level (ACSM 2009) and spread so that the same muscles never work hard on
   consecutive days, a split that fits them (full body, upper/lower, push/pull/legs), the other days for cardio;
3. each strength day fills its template's slots, in order, with the first catalogue exercise the person can do
   (equipment at hand, no contraindicated region, not above their level), then fits the session's minutes;
4. weekly hard sets per muscle capped at 20; aerobic minutes spread over the week towards the WHO target where
   time allows; balance on every day from 65; correctives and an easier variant after a faulty analysis;
5. weeks: an easier first week (two from 65) and a deload week every 4-6 weeks by level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from api.exceptions import InvalidInput
from api.planner import prescription as rx
from api.planner.catalogue import (
    CATALOGUE,
    LEVELS,
    MUSCLE_GROUPS,
    Exercise,
    easier_chain,
    is_safe_for,
    usable_with,
)
from api.vocabulary import BODY_REGIONS, EQUIPMENT, FITNESS_LEVELS, PROFILE_RANGES, SEXES

PLAN_GOALS = rx.GOALS
CALORIE_GOALS = ("weight_loss", "general_fitness")
# Share of a strength day's free minutes given to resistance work; the rest can go to aerobic work.
RESISTANCE_SHARE = {"weight_loss": 0.6, "endurance": 0.6, "general_fitness": 0.75}
MAX_WEEKS = 52
CARDIO_STEP_MIN = 5
SHORT_SESSION_MIN = 20
SHORT_SESSION_MAX_REST_S = 90
NON_HEAVY_PATTERNS = frozenset({"core", "carry", "mobility", "balance", "cardio"})
HARD_SET_PATTERNS_EXCLUDED = frozenset({"mobility", "balance", "cardio"})
OLDER_BEGINNER_STEPS_DOWN = 2
DELOAD_RPE_DROP = 1.5
FIRST_WEEK_RPE_DROP = 1.0
MIN_RPE = 4.0
MAX_CORRECTIVES = 2
MAIN_LIFTS_PER_DAY = 2
CORRECTIVE_RX = rx.Prescription(2, (10, 12), 30, 5, "2-1-2", "light, perfect form", "corrective")
BALANCE_RX = rx.Prescription(2, (20, 30), 15, 4, "hold", "near a wall or counter, each side", "WHO 2020 65+")
BALANCE_HOLD_SIDES = 2
TWO_BALANCE_DRILLS_MIN = 30

# Strength days spread over the week (offsets from the start date): full-body days never follow each other and
# consecutive split days train different muscles.
STRENGTH_OFFSETS = {1: [0], 2: [0, 3], 3: [0, 2, 4], 4: [0, 1, 3, 4], 5: [0, 1, 2, 4, 5], 6: [0, 1, 2, 3, 4, 5]}
OTHER_DAY_PREFERENCE = (5, 1, 3, 6, 2, 4, 0)

# Day templates, most important slot first: a movement pattern, or `isolation:<muscle>`.
TEMPLATES = {
    "full_body_a": ("squat", "push_horizontal", "pull_horizontal", "hinge", "push_vertical", "core"),
    "full_body_b": ("hinge", "pull_vertical", "lunge", "push_horizontal", "isolation:biceps", "core"),
    "upper": ("push_horizontal", "pull_horizontal", "push_vertical", "pull_vertical", "isolation:biceps",
              "isolation:triceps"),
    "lower": ("squat", "hinge", "lunge", "isolation:hamstrings", "isolation:calves", "core"),
    "push": ("push_horizontal", "push_vertical", "isolation:chest", "isolation:shoulders", "isolation:triceps"),
    "pull": ("pull_vertical", "pull_horizontal", "isolation:back", "isolation:biceps", "core"),
    "legs": ("squat", "hinge", "lunge", "isolation:hamstrings", "isolation:calves"),
}  # fmt: skip
# ACSM 2009: power training puts explosive multi-joint lifts first, while fresh.
POWER_EXERCISES = ("clean_snatch", "box_jump", "kettlebell_swing", "medicine_ball_slam", "jump_squat",
                   "medicine_ball_chest_pass")  # fmt: skip
# When nothing fits a slot (equipment, limitations), the nearest pattern stands in.
SLOT_FALLBACK = {
    "lunge": "squat",
    "squat": "lunge",
    "pull_vertical": "pull_horizontal",
    "pull_horizontal": "pull_vertical",
    "push_vertical": "push_horizontal",
}
UPPER_MUSCLES = frozenset({"chest", "back", "shoulders", "biceps", "triceps", "forearms"})
LOWER_MUSCLES = frozenset({"glutes", "quadriceps", "hamstrings", "calves", "hips", "lower_back"})
TEMPLATE_MUSCLES = {
    "full_body_a": UPPER_MUSCLES | LOWER_MUSCLES,
    "full_body_b": UPPER_MUSCLES | LOWER_MUSCLES,
    "upper": UPPER_MUSCLES,
    "lower": LOWER_MUSCLES,
    "push": frozenset({"chest", "shoulders", "triceps"}),
    "pull": frozenset({"back", "biceps", "forearms"}),
    "legs": LOWER_MUSCLES,
}
SPLITS = {
    1: ("full_body", ["full_body_a"]),
    2: ("full_body", ["full_body_a", "full_body_b"]),
    3: ("full_body", ["full_body_a", "full_body_b", "full_body_a"]),
    4: ("upper_lower", ["upper", "lower", "upper", "lower"]),
    5: ("upper_lower_push_pull_legs", ["upper", "lower", "push", "pull", "legs"]),
    6: ("push_pull_legs", ["push", "pull", "legs", "push", "pull", "legs"]),
}
PULSE_RAISER = "march_in_place"
WARM_UP_MOBILITY = {
    "upper": ("arm_circles", "thoracic_rotation", "cat_cow"),
    "lower": ("leg_swings", "hip_circles", "ankle_mobility"),
    "full": ("leg_swings", "arm_circles", "cat_cow"),
}
COOL_DOWN_STRETCHES = {
    "upper": ("chest_stretch", "thoracic_rotation", "cat_cow"),
    "lower": ("hamstring_stretch", "hip_flexor_stretch", "quad_stretch"),
    "full": ("hamstring_stretch", "chest_stretch", "hip_flexor_stretch"),
}
BALANCE_ORDER = ("single_leg_stance", "tandem_stance", "tandem_walk", "sideways_walk", "backward_walk")
# Corrective work for the posture codes of `api.ml.posture`, then by movement pattern when no code is known.
CORRECTIVES = {
    "hips_sagging": ("dead_bug", "glute_bridge"),
    "hips_too_high": ("dead_bug", "knee_plank"),
    "head_dropping": ("bird_dog",),
    "insufficient_depth": ("ankle_mobility", "box_squat"),
    "knees_caving_in": ("glute_bridge", "clamshell"),
    "excessive_forward_lean": ("thoracic_rotation", "ankle_mobility"),
    "torso_leaning": ("dead_bug", "hip_flexor_stretch"),
    "incomplete_lockout": ("glute_bridge", "thoracic_rotation"),
    "excessive_back_arch": ("dead_bug", "plank"),
    "bar_drifting_forward": ("hip_hinge", "bird_dog"),
    "knees_too_bent": ("hip_hinge", "hamstring_stretch"),
    "insufficient_hinge": ("hip_hinge", "hamstring_stretch"),
    "incomplete_hip_extension": ("glute_bridge", "hip_flexor_stretch"),
    "elbows_drifting_forward": ("band_curl",),
    "chin_below_bar": ("dead_hang", "band_pulldown"),
}
PATTERN_CORRECTIVES = {
    "squat": ("glute_bridge", "ankle_mobility"),
    "lunge": ("single_leg_stance", "glute_bridge"),
    "hinge": ("hip_hinge", "bird_dog"),
    "push_horizontal": ("plank", "prone_y_raise"),
    "push_vertical": ("thoracic_rotation", "prone_y_raise"),
    "pull_horizontal": ("prone_y_raise", "bird_dog"),
    "pull_vertical": ("dead_hang", "prone_y_raise"),
    "core": ("dead_bug", "bird_dog"),
}
DEFAULT_CORRECTIVES = ("bird_dog", "dead_bug")


@dataclass(frozen=True)
class PlanRequest:
    goal: str
    fitness_level: str
    days_per_week: int
    session_minutes: int
    weeks: int
    start_date: date
    weight_kg: float = 70.0
    age: int | None = None
    sex: str | None = None
    height_cm: float | None = None
    equipment: tuple[str, ...] = ("body_only",)
    limitations: tuple[str, ...] = ()
    focus_muscles: tuple[str, ...] = ()
    analysis: dict | None = None

    @property
    def older(self) -> bool:
        return self.age is not None and self.age >= rx.OLDER_ADULT_AGE

    @property
    def minor(self) -> bool:
        return self.age is not None and self.age < rx.MINOR_AGE


REQUEST_FIELDS = {
    "goal", "fitness_level", "days_per_week", "session_minutes", "weeks", "start_date", "weight_kg", "age", "sex",
    "height_cm", "equipment", "limitations", "focus_muscles", "analysis", "analysis_id", "name",
}  # fmt: skip


def _check_choice(errors, field_name, value, allowed):
    if value not in allowed:
        errors[field_name] = f"must be one of: {', '.join(allowed)}"


def _check_range(errors, field_name, value, low, high, whole=True):
    number_type = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, number_type) or not low <= value <= high:
        errors[field_name] = f"must be {'a whole number' if whole else 'a number'} between {low} and {high}"


def _check_list(errors, field_name, value, allowed):
    if not isinstance(value, list | tuple):
        errors[field_name] = "must be a list"
    elif unknown := [v for v in value if v not in allowed]:
        errors[field_name] = f"unknown {unknown}; allowed: {', '.join(allowed)}"


def _check_analysis(errors, analysis):
    if analysis is None:
        return
    if not isinstance(analysis, dict) or analysis.get("exercise") not in CATALOGUE:
        errors["analysis"] = "must be an analysis of a known exercise"
    elif analysis.get("form_ok") not in (True, False, None):
        errors["analysis"] = "form_ok must be true, false or null"
    elif not isinstance(analysis.get("issues") or [], list) or not all(
        isinstance(code, str) for code in analysis.get("issues") or []
    ):
        errors["analysis"] = "issues must be a list of posture codes"


def build_request(profile: dict, overrides: dict, today: date) -> PlanRequest:
    """Merge the profile with the request's overrides and validate everything; `InvalidInput` lists each problem."""
    errors: dict[str, str] = {f: "unknown field" for f in overrides if f not in REQUEST_FIELDS}
    merged = {k: v for k, v in profile.items() if v is not None}
    merged.update({k: v for k, v in overrides.items() if k in REQUEST_FIELDS})
    merged.setdefault("goal", "general_fitness")
    merged.setdefault("fitness_level", "beginner")
    merged.setdefault("days_per_week", 3)
    merged.setdefault("session_minutes", 45)
    merged.setdefault("weeks", 4)
    merged.setdefault("weight_kg", 70.0)
    for name in ("equipment", "limitations", "focus_muscles"):
        merged[name] = merged.get(name) or []
    _check_choice(errors, "goal", merged["goal"], PLAN_GOALS)
    _check_choice(errors, "fitness_level", merged["fitness_level"], FITNESS_LEVELS)
    for name in ("days_per_week", "session_minutes", "age"):
        if name in merged:
            low, high, _ = PROFILE_RANGES[name]
            _check_range(errors, name, merged[name], low, high)
    _check_range(errors, "weeks", merged["weeks"], 1, MAX_WEEKS)
    for name in ("weight_kg", "height_cm"):
        if name in merged:
            low, high, _ = PROFILE_RANGES[name]
            _check_range(errors, name, merged[name], low, high, whole=False)
    if merged.get("sex") is not None:
        _check_choice(errors, "sex", merged["sex"], SEXES)
    _check_list(errors, "equipment", merged["equipment"], EQUIPMENT)
    _check_list(errors, "limitations", merged["limitations"], BODY_REGIONS)
    _check_list(errors, "focus_muscles", merged["focus_muscles"], MUSCLE_GROUPS)
    start = today if merged.get("start_date") is None else merged["start_date"]
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            errors["start_date"] = "must be a date as YYYY-MM-DD"
    elif not isinstance(start, date):
        errors["start_date"] = "must be a date as YYYY-MM-DD"
    if isinstance(start, date) and "start_date" not in errors and abs((start - today).days) > 366:
        errors["start_date"] = "must be within a year of today"
    _check_analysis(errors, merged.get("analysis"))
    if errors:
        raise InvalidInput("the plan request has invalid values", details=errors)
    return PlanRequest(
        goal=merged["goal"],
        fitness_level=merged["fitness_level"],
        days_per_week=merged["days_per_week"],
        session_minutes=merged["session_minutes"],
        weeks=merged["weeks"],
        start_date=start,
        weight_kg=float(merged["weight_kg"]),
        age=merged.get("age"),
        sex=merged.get("sex"),
        height_cm=merged.get("height_cm"),
        equipment=tuple(dict.fromkeys(["body_only", *merged["equipment"]])),
        limitations=tuple(dict.fromkeys(merged["limitations"])),
        focus_muscles=tuple(dict.fromkeys(merged["focus_muscles"])),
        analysis=merged.get("analysis"),
    )


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
            e for e in _slot_candidates(slot) if e.label not in used and not (_is_heavy(e) and rested & _muscles(e))
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


_CANDIDATES: dict[str, list[Exercise]] = {}


def _slot_candidates(slot: str) -> list[Exercise]:
    if slot not in _CANDIDATES:
        if slot.startswith("power:"):
            muscles = TEMPLATE_MUSCLES[slot.split(":")[1]]
            rows = [CATALOGUE[label] for label in POWER_EXERCISES if muscles & set(CATALOGUE[label].primary_muscles)]
        elif slot.startswith("isolation:"):
            muscle = slot.split(":")[1]
            rows = [e for e in CATALOGUE.values() if e.pattern == "isolation" and muscle in e.primary_muscles]
        else:
            rows = [e for e in CATALOGUE.values() if e.pattern == slot]
        _CANDIDATES[slot] = rows
    return _CANDIDATES[slot]


def _fits_slot(slot: str, exercise: Exercise) -> bool:
    return exercise in _slot_candidates(slot)


def _muscles(exercise: Exercise) -> frozenset[str]:
    return frozenset(exercise.primary_muscles)


def _is_heavy(exercise: Exercise) -> bool:
    return exercise.pattern not in NON_HEAVY_PATTERNS


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
            "heavy": self.role == "main" and _is_heavy(self.exercise),
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

    def heavy_muscles(self) -> frozenset[str]:
        return frozenset(m for p in self.main if _is_heavy(p.exercise) for m in p.exercise.primary_muscles)


@dataclass(frozen=True)
class Anchor:
    """The exercise a plan is built around after an analysis, and why."""

    exercise: Exercise
    slot_of: Exercise
    why: str


def _main_prescription(
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


def _analysis_plan(chooser: Chooser, analysis: dict | None) -> tuple[Anchor | None, list[Exercise], list[str]]:
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


def _strength_day(
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
    anchor_slot = next((s for s in slots if anchor and _fits_slot(s, anchor.slot_of)), None)
    if anchor and anchor_slot is None and first_strength_day:
        anchor_slot = "anchor"
        slots.insert(0, anchor_slot)
    used: set[str] = {anchor.slot_of.label} if anchor and anchor.exercise is not anchor.slot_of else set()
    planned, substitutions = [], []
    patterns: set[str] = set()
    main_lifts = 0
    for slot in slots:
        reasons: list[str] = []
        if slot == anchor_slot and not (_is_heavy(anchor.exercise) and rested & _muscles(anchor.exercise)):
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
        item_rx = _main_prescription(base, exercise, request, assistance)
        if set(exercise.primary_muscles) & set(request.focus_muscles):
            item_rx = replace(item_rx, sets=item_rx.sets + 1)
            reasons.append("one extra set for your focus muscles")
        planned.append(Planned(exercise, item_rx, "main", reasons))
    return planned, substitutions


def _core_fallback(request: PlanRequest, chooser: Chooser, base: rx.Prescription) -> list[Planned]:
    """When nothing heavy can go in a strength day (short session, rested muscles), core work keeps it one."""
    exercise, _ = chooser.pick("core", set(), frozenset())
    if exercise is None:
        return []
    why = "core work: nothing heavier fits this day without training yesterday's muscles or overrunning the time"
    return [Planned(exercise, _main_prescription(base, exercise, request, assistance=True), "main", [why])]


def _fit(planned: list[Planned], budget_min: float) -> list[Planned]:
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


def _cap_weekly_sets(days: list[DayTemplate]) -> None:
    """Trim sets, later days and exercises first, so that no muscle gets more weekly hard sets than the cap."""
    cap = rx.WEEKLY_SETS_PER_MUSCLE[1]
    counts: dict[str, int] = {}
    for day in days:
        kept = []
        for item in day.main:
            counted = _counts_as_hard_sets(item.exercise)
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


def _counts_as_hard_sets(exercise: Exercise) -> bool:
    return exercise.pattern not in HARD_SET_PATTERNS_EXCLUDED


def _day_schedule(days_per_week: int, strength_days: int) -> list[tuple[int, str]]:
    """(offset in the week, 'strength' or 'cardio') for each training day."""
    strength = STRENGTH_OFFSETS[strength_days]
    others = [o for o in OTHER_DAY_PREFERENCE if o not in strength][: days_per_week - strength_days]
    return sorted([(o, "strength") for o in strength] + [(o, "cardio") for o in others])


def _cardio_options(chooser: Chooser, request: PlanRequest) -> list[Exercise]:
    """Steady cardio this person can do, the intensity that suits them first, then the higher MET."""
    steady = [e for e in CATALOGUE.values() if e.pattern == "cardio" and e.measure == "minutes" and chooser.can_do(e)]
    wants_vigorous = request.fitness_level == "advanced" and not request.older and request.goal != "rehabilitation"

    def rank(e: Exercise):
        vigorous = e.met >= rx.VIGOROUS_MET
        return (vigorous != wants_vigorous, -e.met)

    return sorted(steady, key=rank)


def _spread_cardio(days: list[DayTemplate], session_minutes: int, need_min: int) -> None:
    """Give aerobic minutes in 5-minute steps, cardio days first, then strength days, until the need is met."""
    capacity = {id(day): int(session_minutes - day.fixed_minutes()) for day in days}
    remaining = need_min
    for group in ([d for d in days if d.kind == "cardio"], [d for d in days if d.kind == "strength"]):
        while remaining > 0:
            open_days = [d for d in group if capacity[id(d)] - d.cardio_min >= CARDIO_STEP_MIN]
            if not open_days:
                break
            for day in open_days:
                if remaining <= 0:
                    break
                day.cardio_min += CARDIO_STEP_MIN
                remaining -= CARDIO_STEP_MIN
        for day in group:
            top_up = min(remaining, capacity[id(day)] - day.cardio_min)
            if top_up > 0 and (day.cardio_min or day.kind == "cardio"):
                day.cardio_min += top_up
                remaining -= top_up
    for day in days:
        if day.kind == "cardio" and day.cardio_min == 0:
            day.cardio_min = max(0, capacity[id(day)])


def _timed_item(exercise: Exercise, minutes: int, why: str, role: str) -> dict:
    intensity = (
        "vigorous" if exercise.met >= rx.VIGOROUS_MET else "moderate" if exercise.met >= rx.MODERATE_MET else "light"
    )
    return {
        "exercise": exercise.label,
        "name": exercise.name,
        "role": role,
        "minutes": minutes,
        "met": exercise.met,
        "intensity": intensity,
        "primary_muscles": list(exercise.primary_muscles),
        "why": why,
    }


def _region(focus: str) -> str:
    if focus in ("upper", "push", "pull"):
        return "upper"
    if focus in ("lower", "legs"):
        return "lower"
    return "full"


def _warm_up(chooser: Chooser, focus: str, minutes: int) -> list[dict]:
    """A pulse raiser, then a minute or two of mobility for the joints the day loads."""
    mobility = chooser.first(WARM_UP_MOBILITY[_region(focus)])[:2]
    each = 1 if minutes < 6 else 2
    pulse = minutes - each * len(mobility)
    why = "warm-up: raise the pulse, then move the joints you will load"
    items = [_timed_item(CATALOGUE[PULSE_RAISER], pulse, why, "warm_up")] if pulse > 0 else []
    return items + [_timed_item(e, each, why, "warm_up") for e in mobility]


def _cool_down(chooser: Chooser, focus: str, minutes: int) -> list[dict]:
    stretches = chooser.first(COOL_DOWN_STRETCHES[_region(focus)])[: max(1, min(3, minutes // 2))]
    if not stretches:
        return []
    base, extra = divmod(minutes, len(stretches))
    why = "cool-down: easy stretching while the heart rate settles"
    return [_timed_item(e, base + (1 if i < extra else 0), why, "cool_down") for i, e in enumerate(stretches)]


def _balance_block(chooser: Chooser, request: PlanRequest, day_index: int) -> list[Planned]:
    """WHO 2020: from 65, balance work on 3+ days; one drill on short sessions, two otherwise."""
    drills = chooser.first(BALANCE_ORDER)
    count = 1 if request.session_minutes < TWO_BALANCE_DRILLS_MIN else 2
    sets = 1 if request.session_minutes < SHORT_SESSION_MIN else BALANCE_RX.sets
    why = "balance work: WHO 2020 advises it on 3+ days a week from 65"
    picks = [drills[(day_index + i) % len(drills)] for i in range(min(count, len(drills)))]
    return [
        Planned(e, replace(BALANCE_RX, sets=sets), "balance", [why], sides=BALANCE_HOLD_SIDES)
        for e in dict.fromkeys(picks)
    ]


def _corrective_block(correctives: list[Exercise], anchor: Anchor | None) -> list[Planned]:
    source = anchor.slot_of.name if anchor else "your"
    why = f"corrective work for the faults your {source} analysis showed"
    hold = rx.for_hold(CORRECTIVE_RX, "beginner")
    return [Planned(e, hold if e.measure == "seconds" else CORRECTIVE_RX, "corrective", [why]) for e in correctives]


def _weekly_template(request: PlanRequest, chooser: Chooser, base: rx.Prescription):
    """The days of one week, fitted to the minutes, with the substitutions and notes that came up."""
    strength_days = rx.strength_days_for(request.fitness_level, request.days_per_week)
    split_name, templates = SPLITS[strength_days]
    warm_min, cool_min = rx.warm_up_and_cool_down_minutes(request.session_minutes)
    anchor, correctives, notes = _analysis_plan(chooser, request.analysis)
    if correctives and request.session_minutes < SHORT_SESSION_MIN:
        notes.append(f"Corrective work left out: sessions under {SHORT_SESSION_MIN} minutes have no room for it")
        correctives = []
    share = RESISTANCE_SHARE.get(request.goal, 1.0)
    days: list[DayTemplate] = []
    substitutions: list[dict] = []
    template_index = 0
    week_picks: dict[str, Exercise] = {}
    previous: DayTemplate | None = None
    for index, (offset, kind) in enumerate(_day_schedule(request.days_per_week, strength_days)):
        focus = templates[template_index] if kind == "strength" else "cardio"
        day = DayTemplate(offset, kind, focus, warm_min, cool_min)
        if request.older:
            day.balance = _balance_block(chooser, request, index)
        if kind == "strength":
            rested = previous.heavy_muscles() if previous and offset - previous.offset == 1 else frozenset()
            planned, swaps = _strength_day(
                request, chooser, base, focus, rested, anchor, template_index == 0, week_picks
            )
            substitutions += [s for s in swaps if s not in substitutions]
            day.correctives = _corrective_block(correctives, anchor)
            budget = (request.session_minutes - day.fixed_minutes()) * share
            fitted = _fit(planned, budget)
            if not fitted and day.correctives:
                day.correctives = []
                fitted = _fit(planned, (request.session_minutes - day.fixed_minutes()) * share)
            if not fitted:
                fitted = _fit(_core_fallback(request, chooser, base), request.session_minutes - day.fixed_minutes())
            day.main = fitted
            template_index += 1
        days.append(day)
        previous = day
    _cap_weekly_sets(days)
    return split_name, strength_days, days, substitutions, notes


@dataclass(frozen=True)
class WeekEffort:
    """How one week departs from the template: the first week(s) easier, deload weeks lighter."""

    rpe_drop: float = 0.0
    halve_sets: bool = False
    sets_dropped: int = 0
    reasons: tuple[str, ...] = ()

    def sets(self, sets: int) -> int:
        return max(1, math.ceil(sets / 2) if self.halve_sets else sets - self.sets_dropped)

    def rpe(self, rpe: float) -> float:
        return max(MIN_RPE, rpe - self.rpe_drop)


def _week_effort(request: PlanRequest, week: int, deload: bool) -> WeekEffort:
    if deload:
        reason = "deload week: half the sets, easier effort (periodised recovery, ACSM 2009)"
        return WeekEffort(DELOAD_RPE_DROP, halve_sets=True, reasons=(reason,))
    if week <= _gentle_weeks(request):
        reason = f"week {week}: a gentler start to learn the movements"
        return WeekEffort(FIRST_WEEK_RPE_DROP, sets_dropped=1 if request.older else 0, reasons=(reason,))
    return WeekEffort()


def _gentle_weeks(request: PlanRequest) -> int:
    return rx.OLDER_ADULT_GENTLE_WEEKS if request.older else 1


def _calories(items: list[dict], weight_kg: float) -> float:
    """MET x 3.5 x kg / 200 per minute (ACSM metabolic equation)."""
    return sum(item["met"] * 3.5 * weight_kg / 200 * item["minutes"] for item in items)


def _exact_minutes(item: dict) -> float:
    if "sets" in item:
        return item["sets"] * (item["work_s"] + item["rest_s"]) / 60
    return item["minutes"]


def generate_plan(request: PlanRequest) -> dict:
    """The whole plan as a JSON-ready dict: weeks of days, each with warm-up, exercises, extras and cool-down."""
    chooser = Chooser(request)
    base = rx.prescribe(request.goal, request.fitness_level, request.age)
    split_name, strength_days, template, substitutions, notes = _weekly_template(request, chooser, base)
    target = rx.aerobic_target_minutes(request.goal, request.age)
    options = _cardio_options(chooser, request)
    cardio = options[0] if options else None
    if cardio:
        factor = 2 if cardio.met >= rx.VIGOROUS_MET else 1
        need = CARDIO_STEP_MIN * math.ceil(target / factor / CARDIO_STEP_MIN)
        _spread_cardio(template, request.session_minutes, need)
    day_shapes = [_day_shape(request, chooser, day, cardio, target) for day in template]
    every = rx.DELOAD_EVERY_WEEKS[request.fitness_level]
    weeks = []
    for week in range(1, request.weeks + 1):
        deload = request.weeks >= every and week % every == 0
        effort = _week_effort(request, week, deload)
        days = []
        for number, (day, shape) in enumerate(zip(template, day_shapes, strict=True), 1):
            day_date = request.start_date + timedelta(days=(week - 1) * 7 + day.offset)
            main = [
                p.to_item(
                    request.goal,
                    request.fitness_level,
                    effort.sets(p.prescription.sets),
                    effort.rpe(p.prescription.rpe),
                    effort.reasons,
                )
                for p in day.main
            ]
            extras = shape["before"] + shape["after"]
            items = shape["warm_up"] + main + extras + shape["cool_down"]
            days.append(
                {
                    "day_id": f"w{week}d{number}",
                    "date": day_date.isoformat(),
                    "weekday": day_date.strftime("%A"),
                    "kind": day.kind,
                    "focus": day.focus,
                    "deload": deload,
                    "warm_up": shape["warm_up"],
                    "exercises": main,
                    "extras": extras,
                    "cool_down": shape["cool_down"],
                    "estimated_minutes": round(sum(_exact_minutes(item) for item in items), 1),
                    "calories": round(_calories(items, request.weight_kg)) if request.goal in CALORIE_GOALS else None,
                }
            )
        weeks.append({"week": week, "deload": deload, "days": days, "summary": week_summary(days, request)})
    typical = next((w for w in weeks if not w["deload"] and w["week"] > _gentle_weeks(request)), weeks[0])
    notes += _guideline_notes(request, typical["summary"], strength_days, substitutions, template, cardio)
    return {
        "name": f"{request.goal.replace('_', ' ').title()} plan, {request.days_per_week} days a week",
        "goal": request.goal,
        "level": request.fitness_level,
        "age": request.age,
        "weight_kg": request.weight_kg,
        "equipment": list(request.equipment),
        "limitations": list(request.limitations),
        "focus_muscles": list(request.focus_muscles),
        "weeks": request.weeks,
        "days_per_week": request.days_per_week,
        "session_minutes": request.session_minutes,
        "start_date": request.start_date.isoformat(),
        "split": split_name,
        "strength_days_per_week": strength_days,
        "deload_every_weeks": every,
        "aerobic_target_minutes": target,
        "prescription": {
            "sets": base.sets,
            "rep_range": list(base.rep_range),
            "rest_s": base.rest_s,
            "rpe": base.rpe,
            "rir": base.reps_in_reserve,
            "tempo": base.tempo,
            "intensity": base.intensity,
            "why": base.why(request.goal, request.fitness_level),
        },
        "frequency_why": _frequency_why(request, strength_days, split_name),
        "substitutions": substitutions,
        "notes": list(dict.fromkeys(notes)),
        "schedule": weeks,
    }


def _day_shape(request: PlanRequest, chooser: Chooser, day: DayTemplate, cardio: Exercise | None, target: int):
    """Everything of a day that stays the same week to week: warm-up, correctives, balance, cardio, cool-down."""
    level = request.fitness_level
    before = [p.to_item(request.goal, level, p.prescription.sets, p.prescription.rpe) for p in day.correctives]
    after = [p.to_item(request.goal, level, p.prescription.sets, p.prescription.rpe) for p in day.balance]
    if cardio and day.cardio_min > 0:
        why = f"{day.cardio_min} min of {cardio.name.lower()}: towards {target} moderate-equivalent minutes a week"
        why += " (WHO 2020; vigorous minutes count double)"
        after.append(_timed_item(cardio, day.cardio_min, why, "cardio"))
    return {
        "warm_up": _warm_up(chooser, day.focus, day.warm_up_min),
        "before": before,
        "after": after,
        "cool_down": _cool_down(chooser, day.focus, day.cool_down_min),
    }


def week_summary(days: list[dict], request: PlanRequest) -> dict:
    """Weekly hard sets per muscle, aerobic minutes against WHO 2020, strength and balance days, calories."""
    sets_per_muscle: dict[str, int] = {}
    moderate = vigorous = 0.0
    for day in days:
        for item in day["exercises"]:
            if item["pattern"] not in HARD_SET_PATTERNS_EXCLUDED:
                for muscle in item["primary_muscles"]:
                    sets_per_muscle[muscle] = sets_per_muscle.get(muscle, 0) + item["sets"]
        for item in day["extras"]:
            if item["role"] == "cardio":
                if item["intensity"] == "vigorous":
                    vigorous += item["minutes"]
                else:
                    moderate += item["minutes"]
    equivalent = moderate + 2 * vigorous
    calories = [day["calories"] for day in days if day["calories"] is not None]
    who_minimum = rx.aerobic_target_minutes("general_fitness", request.age)
    return {
        "sets_per_muscle": dict(sorted(sets_per_muscle.items())),
        "cardio_moderate_minutes": round(moderate),
        "cardio_vigorous_minutes": round(vigorous),
        "cardio_moderate_equivalent_minutes": round(equivalent),
        "who_aerobic_target_met": equivalent >= who_minimum,
        "strength_days": sum(1 for day in days if day["exercises"]),
        "balance_days": sum(1 for day in days if any(i["role"] == "balance" for i in day["extras"])),
        "calories": sum(calories) if calories else None,
    }


def _frequency_why(request: PlanRequest, strength_days: int, split: str) -> str:
    low, high = rx.LEVEL_DAYS[request.fitness_level]
    return (
        f"{strength_days} strength day(s) as a {split.replace('_', ' ')} split: ACSM 2009 advises {low}-{high} days "
        f"for {request.fitness_level} lifters; WHO 2020 asks for muscle strengthening on 2+ days"
    )


def _guideline_notes(
    request: PlanRequest,
    summary: dict,
    strength_days: int,
    substitutions: list[dict],
    template: list[DayTemplate],
    cardio: Exercise | None,
) -> list[str]:
    notes = [
        f"{CATALOGUE[s['by']].name} replaces {CATALOGUE[s['replaced']].name}: {s['reason']}" for s in substitutions
    ]
    target = rx.aerobic_target_minutes(request.goal, request.age)
    done = summary["cardio_moderate_equivalent_minutes"]
    if done < target:
        activity = cardio.name.lower() if cardio else "walking"
        notes.append(
            f"Aerobic work here is {done} moderate-equivalent minutes a week, short of the {target} aimed for "
            f"(WHO 2020: 150-300): the sessions have no more room; add {target - done} min of {activity} on other days"
        )
    if request.minor:
        notes.append(
            "Under 18: WHO 2020 advises an average of 60 min of activity a day; technique first and no "
            "near-maximal loads (NSCA 2009)"
        )
    if strength_days < rx.WHO_MIN_STRENGTH_DAYS:
        notes.append("WHO 2020 advises muscle strengthening on at least 2 days a week: one session cannot cover it")
    low, _ = rx.WEEKLY_SETS_PER_MUSCLE
    few = [m for m, s in summary["sets_per_muscle"].items() if s < low]
    if few:
        notes.append(f"Under {low} weekly sets for {', '.join(few)}: more days or minutes would help")
    if request.older:
        notes.append("65+: balance work on every training day and a gentler first two weeks (WHO 2020)")
        if summary["balance_days"] < rx.OLDER_ADULT_BALANCE_DAYS:
            notes.append(
                f"Do the balance drills on {rx.OLDER_ADULT_BALANCE_DAYS}+ days a week (WHO 2020): add them on "
                "days without a session"
            )
    spare = [request.session_minutes - d.fixed_minutes() - d.cardio_min for d in template]
    if cardio and done >= target and max(spare) >= 10:
        notes.append("Some sessions finish early: the weekly aerobic target is met, so extra minutes are optional")
    return notes
