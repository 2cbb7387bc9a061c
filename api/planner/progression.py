"""Adaptation: double progression, holds, deloads, form regressions and missed sessions, each with its reason.

ACSM 2009 (progression models) and NSCA: when every set reaches the top of the rep range at a manageable
effort (RPE <= 8), add 2-5% load (2.5% upper body, 5% lower body) or, for body-weight moves, one rep to the
range; after repeated misses of the range's bottom, take 10% off the load.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, timedelta

from api.planner.catalogue import CATALOGUE

PROGRESS_MAX_RPE = 8.0
UPPER_BODY_INCREASE = 0.025
LOWER_BODY_INCREASE = 0.05
DELOAD_FRACTION = 0.10
MISSES_BEFORE_DELOAD = 2
LOWER_BODY_MUSCLES = {"quadriceps", "glutes", "hamstrings", "calves"}
LOAD_STEP_KG = 0.5


@dataclass
class Adaptation:
    plan: dict
    changes: list[dict]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def round_load(kg: float) -> float:
    return round(round(kg / LOAD_STEP_KG) * LOAD_STEP_KG, 1)


def _sessions_by_exercise(workouts: list[dict]) -> dict[str, list[dict]]:
    """Each exercise's logged sessions, oldest first: `{date, sets}`."""
    sessions: dict[str, list[dict]] = {}
    for workout in sorted(workouts, key=lambda w: str(w["date"])):
        for entry in workout.get("exercises", []):
            if entry.get("sets"):
                sessions.setdefault(entry["exercise"], []).append({"date": str(workout["date"]), "sets": entry["sets"]})
    return sessions


def _top_load(sets: list[dict]) -> float | None:
    loads = [s.get("weight_kg") for s in sets if s.get("weight_kg")]
    return max(loads) if loads else None


def _hit_top(session: dict, high: int) -> bool:
    return all(s.get("reps", 0) >= high and (s.get("rpe") or 0) <= PROGRESS_MAX_RPE for s in session["sets"])


def _missed_bottom(session: dict, low: int) -> bool:
    return any(s.get("reps", 0) < low for s in session["sets"])


def decide(item: dict, history: list[dict]) -> dict | None:
    """The change for one planned exercise from its logged history, or None to hold as is."""
    if not history:
        return None
    low, high = item["rep_range"]
    last = history[-1]
    exercise = CATALOGUE.get(item["exercise"])
    load = _top_load(last["sets"])
    if _hit_top(last, high):
        if load and exercise and not exercise.is_bodyweight:
            lower = bool(set(exercise.primary_muscles) & LOWER_BODY_MUSCLES)
            step = LOWER_BODY_INCREASE if lower else UPPER_BODY_INCREASE
            new_load = round_load(max(load * (1 + step), load + LOAD_STEP_KG))
            return {
                "change": "increase_load",
                "load_kg": new_load,
                "why": f"all sets reached {high} reps at RPE <= {PROGRESS_MAX_RPE:g}: +{step:.1%} load "
                f"({load:g} -> {new_load:g} kg), double progression (ACSM 2009)",
            }
        return {
            "change": "add_rep",
            "rep_range": [low + 1, high + 1],
            "why": f"all sets reached {high} reps at RPE <= {PROGRESS_MAX_RPE:g}: one more rep per set",
        }
    recent = history[-MISSES_BEFORE_DELOAD:]
    if len(recent) == MISSES_BEFORE_DELOAD and all(_missed_bottom(s, low) for s in recent) and load:
        new_load = round_load(load * (1 - DELOAD_FRACTION))
        return {
            "change": "deload",
            "load_kg": new_load,
            "why": f"missed {low} reps in {MISSES_BEFORE_DELOAD} sessions running: 10% off "
            f"({load:g} -> {new_load:g} kg) to rebuild",
        }
    if load and item.get("load_kg") is None:
        return {"change": "set_load", "load_kg": load, "why": f"start from your logged {load:g} kg"}
    return None


def _form_regressions(analyses: list[dict], today: date) -> dict[str, dict]:
    """Exercises whose recent analyses (14 days) showed faulty form, with their faults."""
    since = (today - timedelta(days=14)).isoformat()
    faulty: dict[str, dict] = {}
    for analysis in analyses:
        label = analysis.get("exercise")
        if label in CATALOGUE and analysis.get("form_ok") is False and str(analysis.get("date", "")) >= since:
            faulty[label] = analysis
    return faulty


def _all_days(plan: dict):
    for week in plan["schedule"]:
        yield from week["days"]


def _reflow_missed(plan: dict, logged_dates: set[str], today: date) -> list[dict]:
    """Planned strength days in the past week with no log are moved to the next free day."""
    changes = []
    planned = {day["date"] for day in _all_days(plan)}
    for day in _all_days(plan):
        day_date = date.fromisoformat(day["date"])
        if day["kind"] != "strength" or day.get("done") or day.get("missed"):
            continue
        if today - timedelta(days=7) <= day_date < today and day["date"] not in logged_dates:
            new_date = today
            while new_date.isoformat() in planned:
                new_date += timedelta(days=1)
            planned.add(new_date.isoformat())
            changes.append(
                {"day_id": day["day_id"], "change": "reflowed", "why": f"missed on {day['date']}: moved to "
                 f"{new_date.isoformat()}"}
            )  # fmt: skip
            day["missed"] = day["date"]
            day["date"] = new_date.isoformat()
            day["weekday"] = new_date.strftime("%A")
    return changes


def adapt_plan(
    plan: dict, workouts: list[dict], analyses: list[dict], today: date, since: date | None = None
) -> Adaptation:
    """A new version of the plan from the logs and analyses, and the list of what changed and why.

    Only sessions logged on or after `since` (the current version's date) can move loads, so adapting twice
    on the same logs changes nothing the second time.
    """
    new_plan = copy.deepcopy(plan)
    history = _sessions_by_exercise(workouts)
    faulty = _form_regressions(analyses, today)
    logged_dates = {str(w["date"]) for w in workouts}
    for day in _all_days(new_plan):
        if day["date"] in logged_dates:
            day["done"] = True
    changes: list[dict] = _reflow_missed(new_plan, logged_dates, today)
    decided: dict[str, dict | None] = {}
    for day in _all_days(new_plan):
        if date.fromisoformat(day["date"]) < today:
            continue
        for index, item in enumerate(day["exercises"]):
            label = item["exercise"]
            if label in faulty and CATALOGUE[label].easier:
                easier = CATALOGUE[CATALOGUE[label].easier]
                codes = [i["code"] for i in faulty[label].get("issues", [])] if faulty[label].get("issues") else []
                why = f"form faults on {CATALOGUE[label].name} ({', '.join(codes) or 'form not ok'}): regress to "
                why += f"{easier.name} until the form is solid"
                day["exercises"][index] = {**item, "exercise": easier.label, "name": easier.name, "load_kg": None,
                                           "why": why}  # fmt: skip
                changes.append({"day_id": day["day_id"], "exercise": label, "change": "regression", "why": why})
                continue
            if label not in decided:
                sessions = history.get(label, [])
                fresh = sessions and (since is None or sessions[-1]["date"] >= since.isoformat())
                decided[label] = decide(item, sessions) if fresh else None
            change = decided[label]
            if change:
                day["exercises"][index] = {**item, **{k: v for k, v in change.items() if k in ("load_kg", "rep_range")}}
                day["exercises"][index]["why"] = (
                    f"{item['why'].split('; progression:')[0]}; progression: {change['why']}"
                )
    for label, change in decided.items():
        if change:
            changes.append({"exercise": label, "change": change["change"], "why": change["why"]})
    return Adaptation(new_plan, changes)
