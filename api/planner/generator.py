"""Plan generation: a deterministic, explained plan of weeks and days from a profile and a request."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from api.exceptions import InvalidInput
from api.planner import prescription as rx
from api.planner.catalogue import CATALOGUE, LEVELS, Exercise, is_safe_for, usable_with
from api.vocabulary import BODY_REGIONS, EQUIPMENT, FITNESS_LEVELS, PROFILE_RANGES, SEXES

PLAN_GOALS = ("strength", "hypertrophy", "endurance", "power", "weight_loss", "general_fitness", "rehabilitation")
CARDIO_GOALS = ("weight_loss", "general_fitness", "endurance")
CALORIE_GOALS = ("weight_loss", "general_fitness")
MAX_WEEKS = 52
DELOAD_EVERY_WEEKS = 5
DELOAD_RPE_DROP = 1.5
MIN_CARDIO_BLOCK_MIN = 10
SHORT_SESSION_MIN = 25
# Strength days spread over the week (offsets from the start date) so that the same muscles never train on
# consecutive days in full-body plans, and splits alternate muscle groups.
STRENGTH_OFFSETS = {1: [0], 2: [0, 3], 3: [0, 2, 4], 4: [0, 1, 3, 4], 5: [0, 1, 2, 4, 5], 6: [0, 1, 2, 3, 4, 5]}
OTHER_DAY_PREFERENCE = (5, 1, 3, 6, 2, 4, 0)

# Day templates: each slot is a movement pattern, or `isolation:<muscle>`.
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
SPLITS = {
    1: ("full_body", ["full_body_a"]),
    2: ("full_body", ["full_body_a", "full_body_b"]),
    3: ("full_body", ["full_body_a", "full_body_b", "full_body_a"]),
    4: ("upper_lower", ["upper", "lower", "upper", "lower"]),
    5: ("upper_lower_push_pull_legs", ["upper", "lower", "push", "pull", "legs"]),
    6: ("push_pull_legs", ["push", "pull", "legs", "push", "pull", "legs"]),
}
WARM_UP = ("march_in_place", "arm_circles", "leg_swings", "cat_cow")
COOL_DOWN = ("hamstring_stretch", "hip_flexor_stretch", "thoracic_rotation")
CARDIO_CHOICES = ("brisk_walking", "cycling", "rowing_machine", "jogging", "walking", "march_in_place")
BALANCE_CHOICES = ("single_leg_stance", "tandem_walk")
CORRECTIVES = {
    "hips_sagging": ("plank", "dead_bug"),
    "hips_too_high": ("plank", "dead_bug"),
    "knees_caving_in": ("glute_bridge", "lateral_lunge"),
    "excessive_forward_lean": ("goblet_squat", "thoracic_rotation"),
    "elbows_drifting_forward": ("band_curl",),
    "excessive_back_arch": ("dead_bug", "plank"),
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


def build_request(profile: dict, overrides: dict, today: date) -> PlanRequest:
    """Merge the profile with the request's overrides and validate everything; `InvalidInput` lists each problem."""
    from api.planner.catalogue import MUSCLE_GROUPS

    allowed = {
        "goal", "fitness_level", "days_per_week", "session_minutes", "weeks", "start_date", "weight_kg", "age",
        "sex", "height_cm", "equipment", "limitations", "focus_muscles", "analysis", "analysis_id", "name",
    }  # fmt: skip
    errors: dict[str, str] = {f: "unknown field" for f in overrides if f not in allowed}
    merged = {k: v for k, v in profile.items() if v is not None}
    merged.update({k: v for k, v in overrides.items() if k in allowed})
    merged.setdefault("goal", "general_fitness")
    merged.setdefault("fitness_level", "beginner")
    merged.setdefault("days_per_week", 3)
    merged.setdefault("session_minutes", 45)
    merged.setdefault("weeks", 4)
    merged.setdefault("weight_kg", 70.0)
    merged["equipment"] = list(merged.get("equipment") or ["body_only"])
    merged["limitations"] = list(merged.get("limitations") or [])
    merged["focus_muscles"] = list(merged.get("focus_muscles") or [])
    _check_choice(errors, "goal", merged["goal"], PLAN_GOALS)
    _check_choice(errors, "fitness_level", merged["fitness_level"], FITNESS_LEVELS)
    for name in ("days_per_week", "session_minutes", "age"):
        if name in merged:
            low, high, _ = PROFILE_RANGES[name]
            _check_range(errors, name, merged[name], low, high)
    _check_range(errors, "weeks", merged["weeks"], 1, MAX_WEEKS)
    low, high, _ = PROFILE_RANGES["weight_kg"]
    _check_range(errors, "weight_kg", merged["weight_kg"], low, high, whole=False)
    if merged.get("sex") is not None:
        _check_choice(errors, "sex", merged["sex"], SEXES)
    _check_list(errors, "equipment", merged["equipment"], EQUIPMENT)
    _check_list(errors, "limitations", merged["limitations"], BODY_REGIONS)
    _check_list(errors, "focus_muscles", merged["focus_muscles"], MUSCLE_GROUPS)
    start = merged.get("start_date", today)
    if isinstance(start, str):
        try:
            start = date.fromisoformat(start)
        except ValueError:
            errors["start_date"] = "must be a date as YYYY-MM-DD"
    if isinstance(start, date) and not errors.get("start_date") and abs((start - today).days) > 366:
        errors["start_date"] = "must be within a year of today"
    analysis = merged.get("analysis")
    if analysis is not None and not (isinstance(analysis, dict) and analysis.get("exercise") in CATALOGUE):
        errors["analysis"] = "must be an analysis of a known exercise"
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
        equipment=tuple(merged["equipment"]),
        limitations=tuple(merged["limitations"]),
        focus_muscles=tuple(merged["focus_muscles"]),
        analysis=analysis,
    )


@dataclass
class Chooser:
    """Picks exercises a person can do: equipment at hand, nothing contraindicated, not above their level."""

    request: PlanRequest
    swapped: dict[str, str] = field(default_factory=dict)

    @property
    def equipment(self) -> set[str]:
        return set(self.request.equipment) | {"body_only"}

    def allowed(self, exercise: Exercise) -> bool:
        level_ok = LEVELS.index(exercise.level) <= LEVELS.index(self.request.fitness_level)
        return (
            level_ok and usable_with(exercise, self.equipment) and is_safe_for(exercise, set(self.request.limitations))
        )

    def for_slot(self, slot: str, used: set[str], rested: set[str]) -> tuple[Exercise | None, str | None]:
        """The best exercise for a slot, and which exercise it replaces because of a limitation, if any.

        Exercises loading a muscle in `rested` (trained hard the day before) are left out."""
        if slot.startswith("isolation:"):
            muscle = slot.split(":")[1]
            candidates = [e for e in CATALOGUE.values() if e.pattern == "isolation" and muscle in e.primary_muscles]
        else:
            candidates = [e for e in CATALOGUE.values() if e.pattern == slot]
        # The catalogue lists each pattern's staples first, so its order is the order of preference.
        candidates = [e for e in candidates if not set(e.primary_muscles) & rested]
        preferred = next((e for e in candidates if usable_with(e, self.equipment) and e.label not in used), None)
        chosen = next((e for e in candidates if self.allowed(e) and e.label not in used), None)
        replaced = None
        if (
            preferred
            and chosen
            and preferred.label != chosen.label
            and not is_safe_for(preferred, set(self.request.limitations))
        ):
            replaced = preferred.label
        return chosen, replaced

    def first_allowed(self, labels: tuple[str, ...]) -> Exercise | None:
        return next((CATALOGUE[label] for label in labels if self.allowed(CATALOGUE[label])), None)

    def safe_variant(self, label: str) -> Exercise | None:
        """The exercise itself if allowed, else the nearest easier variant that is."""
        current: str | None = label
        while current:
            exercise = CATALOGUE[current]
            if self.allowed(exercise):
                return exercise
            current = exercise.easier
        return None


def _item(exercise: Exercise, plan_rx: rx.Prescription, goal: str, level: str, why: str | None = None) -> dict:
    item_rx = rx.for_isolation(plan_rx) if exercise.pattern == "isolation" else plan_rx
    reps_low, reps_high = item_rx.rep_range
    minutes = item_rx.sets * (reps_high * rx.SECONDS_PER_REP + item_rx.rest_s) / 60
    return {
        "exercise": exercise.label,
        "name": exercise.name,
        "sets": item_rx.sets,
        "rep_range": [reps_low, reps_high],
        "rest_s": item_rx.rest_s,
        "rpe": item_rx.rpe,
        "rir": item_rx.reps_in_reserve,
        "tempo": item_rx.tempo,
        "intensity": item_rx.intensity,
        "load_kg": None,
        "primary_muscles": list(exercise.primary_muscles),
        "minutes": round(minutes, 1),
        "met": exercise.met,
        "why": why or item_rx.why(goal, level),
    }


def _timed_item(exercise: Exercise, minutes: int, why: str) -> dict:
    return {
        "exercise": exercise.label,
        "name": exercise.name,
        "minutes": minutes,
        "met": exercise.met,
        "primary_muscles": list(exercise.primary_muscles),
        "why": why,
    }


def _warm_up(chooser: Chooser, minutes: int) -> list[dict]:
    picks = [CATALOGUE[label] for label in WARM_UP if chooser.allowed(CATALOGUE[label])][:3]
    each = max(1, minutes // max(len(picks), 1))
    return [_timed_item(e, each, "warm-up: raise the pulse and move the joints you will load") for e in picks]


def _cool_down(chooser: Chooser, minutes: int) -> list[dict]:
    picks = [CATALOGUE[label] for label in COOL_DOWN if chooser.allowed(CATALOGUE[label])][:2]
    each = max(1, minutes // max(len(picks), 1))
    return [_timed_item(e, each, "cool-down: easy stretching while the heart rate settles") for e in picks]


def _session_overhead(session_minutes: int) -> tuple[int, int]:
    if session_minutes < SHORT_SESSION_MIN:
        return 3, 2
    return rx.WARM_UP_MINUTES, rx.COOL_DOWN_MINUTES


def _fit_strength(items: list[dict], budget_min: float) -> list[dict]:
    """Keep exercises in priority order while they fit the minutes, dropping to fewer sets before dropping one."""
    kept, used = [], 0.0
    for item in items:
        per_set = item["minutes"] / item["sets"]
        sets = item["sets"]
        while sets > 1 and used + per_set * sets > budget_min:
            sets -= 1
        if used + per_set * sets <= budget_min:
            kept.append({**item, "sets": sets, "minutes": round(per_set * sets, 1)})
            used += per_set * sets
    return kept


def _cardio_choice(chooser: Chooser) -> Exercise | None:
    return chooser.first_allowed(CARDIO_CHOICES)


def _cardio_why() -> str:
    return "aerobic work towards WHO 2020's 150-300 moderate minutes a week"


def _strength_day(
    request, chooser, template, plan_rx, budget_min, analysis_swaps, rested: set[str]
) -> tuple[list[dict], list[str]]:
    used: set[str] = set()
    items, notes = [], []
    for slot in TEMPLATES[template]:
        exercise, replaced = chooser.for_slot(slot, used, rested)
        if exercise is None:
            continue
        why = None
        if exercise.label in analysis_swaps:
            easier = analysis_swaps[exercise.label]
            why = f"{easier.name} instead of {exercise.name}: your analysis showed form faults to fix first"
            exercise = easier
        if exercise.label in used:
            continue
        used.add(exercise.label)
        item = _item(exercise, plan_rx, request.goal, request.fitness_level, why)
        if replaced:
            regions = sorted(set(CATALOGUE[replaced].contraindications) & set(request.limitations))
            item["why"] += f"; replaces {CATALOGUE[replaced].name} (not advised with a {', '.join(regions)} limitation)"
            notes.append(f"{CATALOGUE[replaced].name} replaced by {exercise.name} because of {', '.join(regions)}")
        if set(exercise.primary_muscles) & set(request.focus_muscles):
            item["sets"] += 1
            item["minutes"] = round(item["minutes"] * item["sets"] / (item["sets"] - 1), 1)
            item["why"] += "; one extra set for your focus muscles"
        items.append(item)
    return _fit_strength(items, budget_min), notes


def _correctives(chooser: Chooser, analysis: dict | None) -> list[Exercise]:
    if not analysis or analysis.get("form_ok", True):
        return []
    labels: list[str] = []
    for code in analysis.get("issues") or []:
        labels += [label for label in CORRECTIVES.get(code, ()) if label not in labels]
    labels = labels or list(DEFAULT_CORRECTIVES)
    return [CATALOGUE[label] for label in labels if chooser.allowed(CATALOGUE[label])][:2]


def _analysis_swaps(chooser: Chooser, analysis: dict | None) -> dict[str, Exercise]:
    if not analysis or analysis.get("form_ok", True):
        return {}
    exercise = CATALOGUE[analysis["exercise"]]
    easier = chooser.safe_variant(exercise.easier) if exercise.easier else None
    return {exercise.label: easier} if easier else {}


def _day_schedule(days_per_week: int, strength_days: int) -> list[tuple[int, str]]:
    """(offset in the week, 'strength' or 'other') for each training day."""
    strength = STRENGTH_OFFSETS[strength_days] if strength_days else []
    others = [o for o in OTHER_DAY_PREFERENCE if o not in strength][: days_per_week - strength_days]
    return sorted([(o, "strength") for o in strength] + [(o, "other") for o in others])


def _calories(items: list[dict], weight_kg: float) -> float:
    """MET x 3.5 x kg / 200 per minute (ACSM metabolic equation)."""
    return sum(item["met"] * 3.5 * weight_kg / 200 * item["minutes"] for item in items)


def _week_prescription(base: rx.Prescription, week: int, deload: bool, older: bool) -> rx.Prescription:
    if deload:
        return replace(base, sets=max(1, base.sets - 1), rpe=max(5.0, base.rpe - DELOAD_RPE_DROP))
    if week == 1 or (older and week == 2):
        return replace(base, rpe=max(5.0, base.rpe - 1))
    return base


def generate_plan(request: PlanRequest) -> dict:
    """The whole plan as a JSON-ready dict: weeks of days, each with warm-up, exercises and cool-down."""
    chooser = Chooser(request)
    base_rx = rx.prescribe(request.goal, request.fitness_level, request.age)
    strength_days = rx.strength_days_for(request.fitness_level, request.days_per_week)
    split_name, templates = SPLITS[strength_days]
    schedule = _day_schedule(request.days_per_week, strength_days)
    warm_min, cool_min = _session_overhead(request.session_minutes)
    budget = request.session_minutes - warm_min - cool_min
    older = request.age is not None and request.age >= rx.OLDER_ADULT_AGE
    balance = chooser.first_allowed(BALANCE_CHOICES) if older else None
    cardio = _cardio_choice(chooser)
    wants_cardio = request.goal in CARDIO_GOALS or request.days_per_week > strength_days
    swaps = _analysis_swaps(chooser, request.analysis)
    correctives = _correctives(chooser, request.analysis)
    notes: list[str] = []
    weeks = []
    for week in range(1, request.weeks + 1):
        deload = request.weeks >= DELOAD_EVERY_WEEKS and week % DELOAD_EVERY_WEEKS == 0
        week_rx = _week_prescription(base_rx, week, deload, older)
        days, template_index = [], 0
        previous_offset, yesterday_muscles = -7, set()
        for day_number, (offset, kind) in enumerate(schedule, 1):
            day_date = request.start_date + timedelta(days=(week - 1) * 7 + offset)
            main: list[dict] = []
            extras: list[dict] = []
            if kind == "strength":
                template = templates[template_index]
                template_index += 1
                reserve = 4 if balance else 0
                reserve += 4 * len(correctives)
                rested = yesterday_muscles if offset - previous_offset == 1 else set()
                main, day_notes = _strength_day(request, chooser, template, week_rx, budget - reserve, swaps, rested)
                if week == 1:
                    notes += [n for n in day_notes if n not in notes]
                for exercise in correctives:
                    extras.append(_timed_item(exercise, 4, "corrective work for the faults your analysis found"))
                focus = template
            else:
                focus = "cardio" if wants_cardio and cardio else "mobility"
            if balance:
                extras.append(_timed_item(balance, 4, "balance work: WHO 2020 advises it on 3+ days from 65"))
            used = sum(item["minutes"] for item in main + extras)
            left = int(budget - used)
            if cardio and wants_cardio and left >= MIN_CARDIO_BLOCK_MIN:
                extras.append(_timed_item(cardio, left, _cardio_why()))
            elif kind != "strength" and left > 0:
                mobility = [CATALOGUE[label] for label in COOL_DOWN + WARM_UP if chooser.allowed(CATALOGUE[label])]
                mobility = mobility[:left]
                each = max(1, left // max(len(mobility), 1))
                extras += [_timed_item(e, each, "mobility: move every joint through its range") for e in mobility]
            previous_offset, yesterday_muscles = offset, {m for item in main for m in item["primary_muscles"]}
            warm_up, cool_down = _warm_up(chooser, warm_min), _cool_down(chooser, cool_min)
            all_items = warm_up + main + extras + cool_down
            estimated = sum(item["minutes"] for item in all_items)
            days.append(
                {
                    "day_id": f"w{week}d{day_number}",
                    "date": day_date.isoformat(),
                    "weekday": day_date.strftime("%A"),
                    "kind": kind if kind == "strength" else focus,
                    "focus": focus,
                    "deload": deload,
                    "warm_up": warm_up,
                    "exercises": main,
                    "extras": extras,
                    "cool_down": cool_down,
                    "estimated_minutes": round(estimated, 1),
                    "calories": round(_calories(all_items, request.weight_kg))
                    if request.goal in CALORIE_GOALS
                    else None,
                }
            )
        _cap_weekly_sets(days)
        weeks.append({"week": week, "deload": deload, "days": days, "summary": week_summary(days, request)})
    summary = weeks[0]["summary"]
    notes += _guideline_notes(request, summary, strength_days)
    return {
        "name": f"{request.goal.replace('_', ' ').title()} plan, {request.days_per_week} days a week",
        "goal": request.goal,
        "level": request.fitness_level,
        "weeks": request.weeks,
        "days_per_week": request.days_per_week,
        "session_minutes": request.session_minutes,
        "start_date": request.start_date.isoformat(),
        "split": split_name,
        "strength_days_per_week": strength_days,
        "prescription": {
            "sets": base_rx.sets,
            "rep_range": list(base_rx.rep_range),
            "rest_s": base_rx.rest_s,
            "rpe": base_rx.rpe,
            "tempo": base_rx.tempo,
            "intensity": base_rx.intensity,
            "why": base_rx.why(request.goal, request.fitness_level),
        },
        "frequency_why": _frequency_why(request, strength_days, split_name),
        "notes": notes,
        "schedule": weeks,
    }


def _cap_weekly_sets(days: list[dict]) -> None:
    """Trim sets, later exercises first, so that no muscle group gets more hard sets a week than the cap."""
    cap = rx.WEEKLY_SETS_PER_MUSCLE[1]
    counts: dict[str, int] = {}
    for day in days:
        kept = []
        for item in day["exercises"]:
            room = min(cap - counts.get(muscle, 0) for muscle in item["primary_muscles"])
            sets = min(item["sets"], room)
            if sets <= 0:
                continue
            if sets < item["sets"]:
                item = {**item, "minutes": round(item["minutes"] * sets / item["sets"], 1), "sets": sets}
                item["why"] += f"; {sets} set(s) to stay within {cap} weekly sets per muscle"
            for muscle in item["primary_muscles"]:
                counts[muscle] = counts.get(muscle, 0) + sets
            kept.append(item)
        if len(kept) != len(day["exercises"]) or kept != day["exercises"]:
            day["exercises"] = kept
            all_items = day["warm_up"] + kept + day["extras"] + day["cool_down"]
            day["estimated_minutes"] = round(sum(item["minutes"] for item in all_items), 1)


def week_summary(days: list[dict], request: PlanRequest) -> dict:
    """Weekly sets per muscle, aerobic minutes against WHO 2020 and calories."""
    sets_per_muscle: dict[str, int] = {}
    moderate = vigorous = 0.0
    for day in days:
        for item in day["exercises"]:
            for muscle in item["primary_muscles"]:
                sets_per_muscle[muscle] = sets_per_muscle.get(muscle, 0) + item["sets"]
        for item in day["extras"]:
            if "aerobic" in item["why"]:
                if item["met"] >= 6.0:
                    vigorous += item["minutes"]
                else:
                    moderate += item["minutes"]
    equivalent = moderate + 2 * vigorous
    calories = [day["calories"] for day in days if day["calories"] is not None]
    return {
        "sets_per_muscle": dict(sorted(sets_per_muscle.items())),
        "cardio_moderate_minutes": round(moderate),
        "cardio_vigorous_minutes": round(vigorous),
        "cardio_moderate_equivalent_minutes": round(equivalent),
        "who_aerobic_target_met": equivalent >= rx.WHO_MODERATE_MINUTES[0],
        "strength_days": sum(1 for day in days if day["kind"] == "strength"),
        "calories": sum(calories) if calories else None,
    }


def _frequency_why(request: PlanRequest, strength_days: int, split: str) -> str:
    low, high = rx.LEVEL_DAYS[request.fitness_level]
    return (
        f"{strength_days} strength day(s) as a {split.replace('_', ' ')} split: ACSM 2009 advises {low}-{high} days "
        f"for {request.fitness_level} lifters; WHO 2020 asks for muscle strengthening on 2+ days"
    )


def _guideline_notes(request: PlanRequest, summary: dict, strength_days: int) -> list[str]:
    notes = []
    if not summary["who_aerobic_target_met"]:
        notes.append(
            f"Aerobic work here is {summary['cardio_moderate_equivalent_minutes']} moderate-equivalent minutes a "
            "week; WHO 2020 advises 150-300: add brisk walks or cycling on other days"
        )
    if strength_days < rx.WHO_MIN_STRENGTH_DAYS:
        notes.append("WHO 2020 advises muscle strengthening on at least 2 days a week")
    low, high = rx.WEEKLY_SETS_PER_MUSCLE
    few = [m for m, s in summary["sets_per_muscle"].items() if s < low]
    if few:
        notes.append(f"Under {low} weekly sets for {', '.join(few)}: more days or minutes would help")
    if request.age is not None and request.age < rx.MINOR_AGE:
        notes.append("Under 18: technique first, no near-maximal loads (WHO 2020)")
    if request.age is not None and request.age >= rx.OLDER_ADULT_AGE:
        notes.append("65+: balance work on every training day and a gentler first two weeks (WHO 2020)")
    return notes
