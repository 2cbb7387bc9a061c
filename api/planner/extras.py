"""What surrounds a day's main work: warm-up, cool-down, balance drills, correctives and aerobic minutes."""

from __future__ import annotations

from dataclasses import replace

from api.planner import prescription as rx
from api.planner.catalogue import CATALOGUE, Exercise
from api.planner.chooser import Chooser
from api.planner.days import SHORT_SESSION_MIN, Anchor, DayTemplate, Planned
from api.planner.request import PlanRequest
from api.planner.templates import BALANCE_ORDER, COOL_DOWN_STRETCHES, PULSE_RAISER, WARM_UP_MOBILITY

CARDIO_STEP_MIN = 5
CORRECTIVE_RX = rx.Prescription(2, (10, 12), 30, 5, "2-1-2", "light, perfect form", "corrective")
BALANCE_RX = rx.Prescription(2, (20, 30), 15, 4, "hold", "near a wall or counter, each side", "WHO 2020 65+")
BALANCE_HOLD_SIDES = 2
TWO_BALANCE_DRILLS_MIN = 30


def cardio_options(chooser: Chooser, request: PlanRequest) -> list[Exercise]:
    """Steady cardio this person can do, the intensity that suits them first, then the higher MET."""
    steady = [e for e in CATALOGUE.values() if e.pattern == "cardio" and e.measure == "minutes" and chooser.can_do(e)]
    wants_vigorous = request.fitness_level == "advanced" and not request.older and request.goal != "rehabilitation"

    def rank(e: Exercise):
        vigorous = e.met >= rx.VIGOROUS_MET
        return (vigorous != wants_vigorous, -e.met)

    return sorted(steady, key=rank)


def spread_cardio(days: list[DayTemplate], session_minutes: int, need_min: int) -> None:
    """Give aerobic minutes in 5-minute steps, cardio days first, then strength days, until the need is met."""
    capacity = {id(day): int(day.free_minutes(session_minutes)) for day in days}
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


def timed_item(exercise: Exercise, minutes: int, why: str, role: str) -> dict:
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


def warm_up(chooser: Chooser, focus: str, minutes: int) -> list[dict]:
    """A pulse raiser, then a minute or two of mobility for the joints the day loads."""
    mobility = chooser.first(WARM_UP_MOBILITY[_region(focus)])[:2]
    each = 1 if minutes < 6 else 2
    pulse = minutes - each * len(mobility)
    why = "warm-up: raise the pulse, then move the joints you will load"
    items = [timed_item(CATALOGUE[PULSE_RAISER], pulse, why, "warm_up")] if pulse > 0 else []
    return items + [timed_item(e, each, why, "warm_up") for e in mobility]


def cool_down(chooser: Chooser, focus: str, minutes: int) -> list[dict]:
    stretches = chooser.first(COOL_DOWN_STRETCHES[_region(focus)])[: max(1, min(3, minutes // 2))]
    if not stretches:
        return []
    base, extra = divmod(minutes, len(stretches))
    why = "cool-down: easy stretching while the heart rate settles"
    return [timed_item(e, base + (1 if i < extra else 0), why, "cool_down") for i, e in enumerate(stretches)]


def balance_block(chooser: Chooser, request: PlanRequest, day_index: int) -> list[Planned]:
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


def corrective_block(correctives: list[Exercise], anchor: Anchor | None) -> list[Planned]:
    source = anchor.slot_of.name if anchor else "your"
    why = f"corrective work for the faults your {source} analysis showed"
    hold = rx.for_hold(CORRECTIVE_RX, "beginner")
    return [Planned(e, hold if e.measure == "seconds" else CORRECTIVE_RX, "corrective", [why]) for e in correctives]
