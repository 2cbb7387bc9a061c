"""Adaptation: double progression, holds, deloads, form regressions and missed sessions, each with its reason.

ACSM 2009 (progression models): when every set reaches the top of the rep range at a manageable effort
(RPE <= 8), add load (2.5% upper body, 5% lower body, within ACSM's 2-10%) or, for body-weight moves, one rep to
the range (five seconds to a hold); after repeated misses of the range's bottom, take 10% off the load. Each
planned exercise learns from the sessions logged on its own plan day (the same slot in earlier weeks), so a
squat done for 3-6 reps on Monday and 5-8 on Friday progresses separately. Deload weeks come with the plan
(every 4-6 weeks) and move with it when sessions are reflowed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta

from api.planner.catalogue import CATALOGUE, easier_chain, is_safe_for, usable_with

PROGRESS_MAX_RPE = 8.0
UPPER_BODY_INCREASE = 0.025
LOWER_BODY_INCREASE = 0.05
DELOAD_FRACTION = 0.10
MISSES_BEFORE_DELOAD = 2
LOWER_BODY_MUSCLES = {"quadriceps", "glutes", "hamstrings", "calves"}
LOAD_STEP_KG = 0.5
HOLD_STEP_S = 5
REFLOW_WINDOW_DAYS = 7


@dataclass
class Adaptation:
    """The new plan, what changed and why, and notes on what was held as it was (not changes)."""

    plan: dict
    changes: list[dict]
    notes: list[dict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def round_load(kg: float) -> float:
    return round(round(kg / LOAD_STEP_KG) * LOAD_STEP_KG, 1)


def _day_number(day_id: str) -> str:
    """'w3d2' -> 'd2': the same slot of the weekly template in every week."""
    return day_id[day_id.index("d") :]


def _sessions(plan: dict, workouts: list[dict]) -> dict[tuple[str, str | None], list[dict]]:
    """Logged sessions per (exercise, template day), oldest first; (exercise, None) for sessions off the plan.

    A workout belongs to a plan day by its `plan_day` id, else by its date."""
    day_by_date = {day["date"]: day["day_id"] for day in _all_days(plan)}
    sessions: dict[tuple[str, str | None], list[dict]] = {}
    for workout in sorted(workouts, key=lambda w: str(w["date"])):
        day_id = workout.get("plan_day") or day_by_date.get(str(workout["date"]))
        slot = _day_number(day_id) if day_id and "d" in day_id else None
        for entry in workout.get("exercises", []):
            if not entry.get("sets"):
                continue
            session = {"date": str(workout["date"]), "sets": entry["sets"]}
            sessions.setdefault((entry["exercise"], slot), []).append(session)
    return sessions


def _top_load(sets: list[dict]) -> float | None:
    loads = [s.get("weight_kg") for s in sets if s.get("weight_kg")]
    return max(loads) if loads else None


def _effort_ok(logged_set: dict) -> bool:
    return logged_set.get("rpe") is None or logged_set["rpe"] <= PROGRESS_MAX_RPE


def _achieved(logged_set: dict, timed: bool) -> float:
    return (logged_set.get("duration_s") or 0) if timed else (logged_set.get("reps") or 0)


def decide(item: dict, history: list[dict]) -> dict | None:
    """The change for one planned exercise from its logged sessions (oldest first), a hold, or None.

    Only sessions after the item's last change (`progressed_on`) count, so the same logs never move it twice."""
    fresh = [s for s in history if s["date"] > (item.get("progressed_on") or "")]
    if not fresh:
        return None
    timed = item.get("hold_s") is not None
    low, high = item["hold_s"] if timed else item["rep_range"]
    unit = " s" if timed else " reps"
    last = fresh[-1]
    exercise = CATALOGUE.get(item["exercise"])
    load = _top_load(last["sets"])
    if all(_achieved(s, timed) >= high and _effort_ok(s) for s in last["sets"]):
        reason = f"every set reached {high}{unit} at RPE <= {PROGRESS_MAX_RPE:g}"
        if load and not timed:
            lower = bool(exercise and set(exercise.primary_muscles) & LOWER_BODY_MUSCLES)
            step = LOWER_BODY_INCREASE if lower else UPPER_BODY_INCREASE
            new_load = round_load(max(load * (1 + step), load + LOAD_STEP_KG))
            why = f"{reason}: +{step:.1%} load ({load:g} -> {new_load:g} kg), double progression (ACSM 2009)"
            return {"change": "increase_load", "load_kg": new_load, "why": why, "on": last["date"]}
        if timed:
            new_range = [low + HOLD_STEP_S, high + HOLD_STEP_S]
            why = f"{reason}: hold {HOLD_STEP_S} s longer ({new_range[0]}-{new_range[1]} s)"
            return {"change": "longer_hold", "hold_s": new_range, "why": why, "on": last["date"]}
        why = f"{reason} with body weight: one more rep per set ({low + 1}-{high + 1})"
        return {"change": "add_rep", "rep_range": [low + 1, high + 1], "why": why, "on": last["date"]}
    recent = fresh[-MISSES_BEFORE_DELOAD:]
    missed = [s for s in recent if any(_achieved(x, timed) < low for x in s["sets"])]
    if len(missed) == MISSES_BEFORE_DELOAD and load and not timed:
        new_load = round_load(load * (1 - DELOAD_FRACTION))
        why = (
            f"below {low}{unit} in {MISSES_BEFORE_DELOAD} sessions running: 10% off ({load:g} -> {new_load:g} kg) "
            "to rebuild"
        )
        return {"change": "deload", "load_kg": new_load, "why": why, "on": last["date"]}
    if load and item.get("load_kg") is None:
        return {"change": "set_load", "load_kg": load, "why": f"start from your logged {load:g} kg", "on": last["date"]}
    return {"change": "hold", "why": f"not every set reached {high}{unit} at RPE <= {PROGRESS_MAX_RPE:g} yet: "
            "same load and range next time"}  # fmt: skip


def _issue_codes(analysis: dict) -> list[str]:
    return [i["code"] if isinstance(i, dict) else str(i) for i in analysis.get("issues") or []]


def _analysis_day(analysis: dict) -> str:
    return str(analysis.get("date") or analysis.get("created_at") or "")[:10]


def _latest_form(analyses: list[dict], today: date) -> dict[str, dict]:
    """The latest analysis of each exercise up to today: the one that says whether its form is ok now."""
    latest: dict[str, dict] = {}
    for analysis in sorted(analyses, key=_analysis_day):
        if analysis.get("exercise") in CATALOGUE and _analysis_day(analysis) <= today.isoformat():
            latest[analysis["exercise"]] = analysis
    return latest


def _all_days(plan: dict):
    for week in plan["schedule"]:
        yield from week["days"]


def _can_do(plan: dict, label: str) -> bool:
    exercise = CATALOGUE[label]
    equipment = set(plan.get("equipment") or ["body_only"]) | {"body_only"}
    return usable_with(exercise, equipment) and is_safe_for(exercise, set(plan.get("limitations") or []))


def _easier_for(plan: dict, label: str) -> str | None:
    return next((e.label for e in easier_chain(CATALOGUE[label]) if _can_do(plan, e.label)), None)


def _form_change(plan: dict, item: dict, latest: dict[str, dict]) -> dict | None:
    """Regress an exercise whose latest analysis showed faults; restore it once a later analysis is clean."""
    label = item["exercise"]
    original = item.get("regressed_from")
    if original:
        checks = [latest[x] for x in (original, label) if x in latest]
        newest = max(checks, key=_analysis_day, default=None)
        if newest and newest.get("form_ok") is True and _analysis_day(newest) > (item.get("progressed_on") or ""):
            why = f"your {_analysis_day(newest)} analysis showed good form: back to {CATALOGUE[original].name}"
            return {"change": "restore", "exercise": original, "why": why, "on": _analysis_day(newest)}
        return None
    analysis = latest.get(label)
    if not analysis or analysis.get("form_ok") is not False:
        return None
    easier = _easier_for(plan, label)
    if easier is None:
        return None
    faults = ", ".join(_issue_codes(analysis)) or "form not ok"
    why = f"form faults on {CATALOGUE[label].name} ({faults}): regress to {CATALOGUE[easier].name} until it is solid"
    return {"change": "regression", "exercise": easier, "why": why, "on": _analysis_day(analysis)}


def _apply(item: dict, change: dict) -> dict:
    new = {**item, "progressed_on": change["on"]}
    if change["change"] in ("regression", "restore"):
        label = change["exercise"]
        new.update(exercise=label, name=CATALOGUE[label].name, load_kg=None)
        if change["change"] == "regression":
            new["regressed_from"] = item["exercise"]
        else:
            new.pop("regressed_from", None)
    for key in ("load_kg", "rep_range", "hold_s"):
        if key in change:
            new[key] = change[key]
    new["why"] = f"{item['why'].split('; progression:')[0]}; progression: {change['why']}"
    return new


def _heavy_muscles(day: dict) -> set[str]:
    return {m for item in day["exercises"] if item.get("heavy", True) for m in item["primary_muscles"]}


def _reflow_missed(plan: dict, done: set[str], today: date) -> list[dict]:
    """The plan resumes where it was left: a strength day missed in the last week moves to today (or the first
    day after that does not put the same muscles on consecutive days) and every later session moves with it,
    keeping the week's spacing. A missed day followed by sessions that were done is not made up."""
    days = sorted(_all_days(plan), key=lambda d: d["date"])
    window_start = (today - timedelta(days=REFLOW_WINDOW_DAYS)).isoformat()
    open_days = [d for d in days if not d.get("missed") and not d.get("skipped") and d["day_id"] not in done]
    missed = [d for d in open_days if window_start <= d["date"] < today.isoformat() and d["kind"] == "strength"]
    if not missed:
        return []
    first = missed[0]
    changes = []
    later_done = [d for d in days if d["day_id"] in done and d["date"] > first["date"]]
    if later_done:
        for day in [d for d in missed if d["date"] < later_done[-1]["date"]]:
            day["missed"], day["skipped"] = day["date"], True
            why = f"missed on {day['date']}; later sessions were done, so it is not made up"
            changes.append({"exercise": None, "day_id": day["day_id"], "change": "skipped", "why": why})
        return changes + _reflow_missed(plan, done, today)
    moving = [d for d in open_days if d["date"] >= first["date"]]
    staying = {d["date"]: d for d in days if d not in moving and not d.get("skipped")}
    shift = (today - date.fromisoformat(first["date"])).days
    for _ in range(REFLOW_WINDOW_DAYS):
        before = (date.fromisoformat(first["date"]) + timedelta(days=shift - 1)).isoformat()
        if before not in staying or not _heavy_muscles(staying[before]) & _heavy_muscles(first):
            break
        shift += 1
    for day in missed:
        day["missed"] = day["date"]
    for day in moving:
        new_date = date.fromisoformat(day["date"]) + timedelta(days=shift)
        day["date"], day["weekday"] = new_date.isoformat(), new_date.strftime("%A")
    for day in missed:
        why = f"missed on {day['missed']}: moved to {day['date']}; later sessions move {shift} day(s) with it"
        changes.append({"exercise": None, "day_id": day["day_id"], "change": "reflowed", "why": why})
    return changes


def adapt_plan(
    plan: dict, workouts: list[dict], analyses: list[dict], today: date, since: date | None = None
) -> Adaptation:
    """A new version of the plan from the logs and analyses, the list of what changed and why, and holds.

    Only future days change; past days stay as they were planned. Sessions before `since` (the current version's
    date, when the caller has one) are left out; each exercise also remembers the session that last moved it,
    so adapting twice on the same logs changes nothing the second time."""
    new_plan = copy.deepcopy(plan)
    logged = {str(w["date"]) for w in workouts} | {w["plan_day"] for w in workouts if w.get("plan_day")}
    if since is not None:
        workouts = [w for w in workouts if str(w["date"]) >= since.isoformat()]
    sessions = _sessions(new_plan, workouts)
    done = {day["day_id"] for day in _all_days(new_plan) if day["date"] in logged or day["day_id"] in logged}
    changes: list[dict] = _reflow_missed(new_plan, done, today)
    latest = _latest_form(analyses, today)
    decided: dict[tuple, dict | None] = {}
    notes: dict[str, dict] = {}
    for day in _all_days(new_plan):
        if date.fromisoformat(day["date"]) < today or day.get("skipped"):
            continue
        slot = _day_number(day["day_id"])
        for index, item in enumerate(day["exercises"]):
            key = (item["exercise"], slot, str(item.get("rep_range") or item.get("hold_s")), item.get("progressed_on"))
            if key not in decided:
                history = sessions.get((item["exercise"], slot)) or sessions.get((item["exercise"], None), [])
                decided[key] = _form_change(new_plan, item, latest) or decide(item, history)
                change = decided[key]
                if change and change["change"] == "hold":
                    notes.setdefault(item["exercise"], {"exercise": item["exercise"], **change})
                elif change:
                    entry = {
                        "exercise": item["exercise"],
                        "day": slot,
                        "change": change["change"],
                        "why": change["why"],
                    }
                    changes.append(entry)
            change = decided[key]
            if change and change["change"] != "hold":
                day["exercises"][index] = _apply(item, change)
    return Adaptation(new_plan, changes, list(notes.values()))
