"""Formatting and plan helpers shared by the screens (no Kivy import: tested on its own)."""

from __future__ import annotations

SEVERITY_COLOURS = {"high": "c62828", "medium": "d9822b", "low": "5f6b7a"}


def nice(code: str | None) -> str:
    """`chest_fly` -> `Chest fly`."""
    if not code:
        return "-"
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]


def focus_name(code: str | None) -> str:
    """`full_body_a` -> `Full body A` (a plan day's focus)."""
    text = nice(code)
    if len(text) > 2 and text[-2] == " " and text[-1].islower():
        text = text[:-1] + text[-1].upper()
    return text


def minutes(value) -> str:
    return f"{value:.0f} min" if isinstance(value, int | float) else "? min"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def analysis_line(item: dict) -> str:
    exercise = item.get("exercise") or {}
    posture = item.get("posture") or {}
    parts = [nice(exercise.get("label")) if exercise.get("label") else "Exercise not recognised"]
    if exercise.get("confidence") is not None and exercise.get("label"):
        parts[0] += f" ({percent(exercise['confidence'])})"
    if posture.get("score") is not None:
        judged = posture.get("exercise")
        as_what = f" as {nice(judged).lower()}" if judged and judged != exercise.get("label") else ""
        parts.append(f"form{as_what} {posture['score']:.0f}/100")
    reps = item.get("reps") or {}
    if reps.get("count") is not None:
        parts.append(f"{reps['count']} reps")
    date = (item.get("created_at") or "")[:10]
    return "  |  ".join(parts) + (f"\n[size=12sp][color=6b6b75]{date}[/color][/size]" if date else "")


def issue_markup(issue: dict) -> str:
    """A fault in Kivy markup: its severity in colour and its message in bold, then the correction."""
    colour = SEVERITY_COLOURS.get(issue.get("severity"), SEVERITY_COLOURS["low"])
    return (
        f"[b][color={colour}]{nice(issue.get('severity'))}[/color]  {issue.get('message', '')}[/b]\n"
        f"Fix: {issue.get('correction', '')}"
    )


def rep_line(rep: dict, number: int) -> str:
    """`Rep 2  |  form 70  |  2.4 s  |  range 70 deg  |  Hips sagging`."""
    parts = [f"Rep {number}"]
    if rep.get("score") is not None:
        parts.append(f"form {rep['score']:.0f}")
    if rep.get("duration_s") is not None:
        parts.append(f"{rep['duration_s']:.1f} s")
    if rep.get("range_of_motion_deg") is not None:
        parts.append(f"range {rep['range_of_motion_deg']:.0f} deg")
    faults = [nice(i.get("code")) for i in rep.get("issues") or []]
    if faults:
        parts.append(", ".join(faults))
    return "  |  ".join(parts)


def _low_high(value) -> tuple:
    if isinstance(value, list | tuple):
        return (value + [None, None])[:2] if isinstance(value, list) else (tuple(value) + (None, None))[:2]
    return value, value


def reps_text(exercise: dict) -> str:
    if exercise.get("hold_s"):
        low, high = _low_high(exercise["hold_s"])
        return f"{low}-{high} s hold" if high and high != low else f"{low} s hold"
    low, high = (exercise.get("rep_range") or [None, None])[:2]
    if low is None:
        return f"{exercise.get('minutes', '-')} min" if exercise.get("minutes") else "-"
    return f"{low}-{high} reps" if high and high != low else f"{low} reps"


def day_workout(plan_id: int, day: dict) -> dict:
    """The workout body that logs a plan's day as done, with each exercise's prescribed sets."""
    exercises = []
    for item in day.get("exercises") or []:
        sets = int(item.get("sets") or 1)
        if item.get("hold_s"):
            one = {"reps": 1, "duration_s": float(_low_high(item["hold_s"])[0])}
        else:
            low = (item.get("rep_range") or [1])[0] or 1
            one = {"reps": int(low)}
            if item.get("load_kg"):
                one["weight_kg"] = float(item["load_kg"])
        exercises.append({"exercise": item["exercise"], "sets": [dict(one) for _ in range(sets)]})
    body = {"plan_id": plan_id, "plan_day": day["day_id"], "exercises": exercises}
    if day.get("estimated_minutes"):
        body["duration_min"] = float(day["estimated_minutes"])
    return body
