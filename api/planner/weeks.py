"""Weeks: the weekly template of days (strength and cardio days, fitted to the session's minutes) and how each
week's effort departs from it (a gentler start, deload weeks)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from api.planner import prescription as rx
from api.planner.catalogue import Exercise
from api.planner.chooser import Chooser
from api.planner.days import (
    SHORT_SESSION_MIN,
    DayTemplate,
    analysis_plan,
    cap_weekly_sets,
    core_fallback,
    fit_to_minutes,
    strength_day,
)
from api.planner.extras import balance_block, corrective_block
from api.planner.request import PlanRequest
from api.planner.templates import OTHER_DAY_PREFERENCE, SPLITS, STRENGTH_OFFSETS

# Share of a strength day's free minutes given to resistance work; the rest can go to aerobic work.
RESISTANCE_SHARE = {"weight_loss": 0.6, "endurance": 0.6, "general_fitness": 0.75}
DELOAD_RPE_DROP = 1.5
FIRST_WEEK_RPE_DROP = 1.0
MIN_RPE = 4.0


def _day_schedule(days_per_week: int, strength_days: int) -> list[tuple[int, str]]:
    """(offset in the week, 'strength' or 'cardio') for each training day."""
    strength = STRENGTH_OFFSETS[strength_days]
    others = [o for o in OTHER_DAY_PREFERENCE if o not in strength][: days_per_week - strength_days]
    return sorted([(o, "strength") for o in strength] + [(o, "cardio") for o in others])


def weekly_template(request: PlanRequest, chooser: Chooser, base: rx.Prescription):
    """The days of one week, fitted to the minutes, with the substitutions and notes that came up."""
    strength_days = rx.strength_days_for(request.fitness_level, request.days_per_week)
    split_name, templates = SPLITS[strength_days]
    warm_min, cool_min = rx.warm_up_and_cool_down_minutes(request.session_minutes)
    anchor, correctives, notes = analysis_plan(chooser, request.analysis)
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
            day.balance = balance_block(chooser, request, index)
        if kind == "strength":
            rested = previous.heavy_muscles() if previous and offset - previous.offset == 1 else frozenset()
            planned, swaps = strength_day(
                request, chooser, base, focus, rested, anchor, template_index == 0, week_picks
            )
            substitutions += [s for s in swaps if s not in substitutions]
            day.correctives = corrective_block(correctives, anchor)
            fitted = fit_to_minutes(planned, day.free_minutes(request.session_minutes) * share)
            if not fitted and day.correctives:
                day.correctives = []
                fitted = fit_to_minutes(planned, day.free_minutes(request.session_minutes) * share)
            if not fitted:
                fitted = fit_to_minutes(
                    core_fallback(request, chooser, base), day.free_minutes(request.session_minutes)
                )
            day.main = fitted
            template_index += 1
        days.append(day)
        previous = day
    cap_weekly_sets(days)
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


def week_effort(request: PlanRequest, week: int, deload: bool) -> WeekEffort:
    if deload:
        reason = "deload week: half the sets, easier effort (periodised recovery, ACSM 2009)"
        return WeekEffort(DELOAD_RPE_DROP, halve_sets=True, reasons=(reason,))
    if week <= gentle_weeks(request):
        reason = f"week {week}: a gentler start to learn the movements"
        return WeekEffort(FIRST_WEEK_RPE_DROP, sets_dropped=1 if request.older else 0, reasons=(reason,))
    return WeekEffort()


def gentle_weeks(request: PlanRequest) -> int:
    return rx.OLDER_ADULT_GENTLE_WEEKS if request.older else 1
