"""What a plan says about itself: each week's summary against the guidelines, and notes on what falls short."""

from __future__ import annotations

from api.planner import prescription as rx
from api.planner.catalogue import CATALOGUE, Exercise
from api.planner.days import DayTemplate
from api.planner.request import PlanRequest
from api.planner.templates import HARD_SET_PATTERNS_EXCLUDED


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


def frequency_why(request: PlanRequest, strength_days: int, split: str) -> str:
    low, high = rx.LEVEL_DAYS[request.fitness_level]
    return (
        f"{strength_days} strength day(s) as a {split.replace('_', ' ')} split: ACSM 2009 advises {low}-{high} days "
        f"for {request.fitness_level} lifters; WHO 2020 asks for muscle strengthening on 2+ days"
    )


def guideline_notes(
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
    spare = [d.free_minutes(request.session_minutes) - d.cardio_min for d in template]
    if cardio and done >= target and max(spare) >= 10:
        notes.append("Some sessions finish early: the weekly aerobic target is met, so extra minutes are optional")
    return notes
