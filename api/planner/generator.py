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

Modules, in that order: `request` (parsing), `templates` (splits, slots), `chooser` (who can do what), `days` (a
strength day), `extras` (warm-up, cool-down, balance, correctives, cardio), `weeks` (the weekly template, effort
week by week), `notes` (weekly summary and guideline notes); this module puts the weeks together.
"""

from __future__ import annotations

import math
from datetime import timedelta

from api.planner import prescription as rx
from api.planner.catalogue import Exercise
from api.planner.chooser import Chooser
from api.planner.days import DayTemplate
from api.planner.extras import CARDIO_STEP_MIN, cardio_options, cool_down, spread_cardio, timed_item, warm_up
from api.planner.notes import frequency_why, guideline_notes, week_summary
from api.planner.request import PlanRequest
from api.planner.weeks import gentle_weeks, week_effort, weekly_template

CALORIE_GOALS = ("weight_loss", "general_fitness")


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
    split_name, strength_days, template, substitutions, notes = weekly_template(request, chooser, base)
    target = rx.aerobic_target_minutes(request.goal, request.age)
    options = cardio_options(chooser, request)
    cardio = options[0] if options else None
    if cardio:
        factor = 2 if cardio.met >= rx.VIGOROUS_MET else 1
        need = CARDIO_STEP_MIN * math.ceil(target / factor / CARDIO_STEP_MIN)
        spread_cardio(template, request.session_minutes, need)
    day_shapes = [_day_shape(request, chooser, day, cardio, target) for day in template]
    every = rx.DELOAD_EVERY_WEEKS[request.fitness_level]
    weeks = []
    for week in range(1, request.weeks + 1):
        deload = request.weeks >= every and week % every == 0
        effort = week_effort(request, week, deload)
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
    typical = next((w for w in weeks if not w["deload"] and w["week"] > gentle_weeks(request)), weeks[0])
    notes += guideline_notes(request, typical["summary"], strength_days, substitutions, template, cardio)
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
        "frequency_why": frequency_why(request, strength_days, split_name),
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
        after.append(timed_item(cardio, day.cardio_min, why, "cardio"))
    return {
        "warm_up": warm_up(chooser, day.focus, day.warm_up_min),
        "before": before,
        "after": after,
        "cool_down": cool_down(chooser, day.focus, day.cool_down_min),
    }
