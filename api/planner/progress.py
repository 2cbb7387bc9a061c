"""Progress from logs: weekly volume per muscle, estimated 1RM, body-weight trend, form, adherence, calories."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from api.planner.catalogue import CATALOGUE

EPLEY_MAX_REPS = 12
BODYWEIGHT_LOAD_FRACTION = 0.6
MOVING_AVERAGE_DAYS = 7
MINUTES_PER_SET = 2.0


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def epley_one_rm(weight_kg: float, reps: int) -> float:
    """Estimated one-repetition maximum (Epley 1985): w x (1 + reps / 30)."""
    return weight_kg * (1 + reps / 30)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _set_load(exercise_label: str, weight_kg: float | None, body_kg: float) -> float:
    exercise = CATALOGUE.get(exercise_label)
    if weight_kg:
        return float(weight_kg)
    if exercise and exercise.is_bodyweight and exercise.pattern != "cardio":
        return BODYWEIGHT_LOAD_FRACTION * body_kg
    return 0.0


def _workout_calories(workout: dict, body_kg: float) -> float:
    """MET x 3.5 x kg / 200 per minute, over the logged duration (or 2 minutes a set when none is logged)."""
    entries = [e for e in workout.get("exercises", []) if e.get("exercise") in CATALOGUE]
    if not entries:
        return 0.0
    sets = sum(len(e.get("sets") or []) for e in entries)
    minutes = workout.get("duration_min") or sets * MINUTES_PER_SET
    met = sum(CATALOGUE[e["exercise"]].met for e in entries) / len(entries)
    return met * 3.5 * body_kg / 200 * minutes


def compute_progress(
    workouts: list[dict],
    body_metrics: list[dict],
    analyses: list[dict],
    planned_dates: list[date],
    date_from: date,
    date_to: date,
    weight_kg: float,
    today: date | None = None,
) -> dict:
    """Every progress series between two dates (inclusive), in one pass over each input; planned days count
    towards adherence up to `today`."""
    volume: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    one_rm: dict[str, dict[str, float]] = defaultdict(dict)
    calories: dict[str, float] = defaultdict(float)
    done_dates: set[date] = set()
    for workout in workouts:
        day = _as_date(workout["date"])
        if not date_from <= day <= date_to:
            continue
        done_dates.add(day)
        week = week_start(day).isoformat()
        calories[week] += _workout_calories(workout, weight_kg)
        for entry in workout.get("exercises", []):
            label = entry.get("exercise")
            exercise = CATALOGUE.get(label)
            best = 0.0
            for s in entry.get("sets") or []:
                reps = s.get("reps") or 0
                load = _set_load(label, s.get("weight_kg"), weight_kg)
                if exercise:
                    for muscle in exercise.primary_muscles:
                        volume[week][muscle] += reps * load
                if s.get("weight_kg") and 0 < reps <= EPLEY_MAX_REPS:
                    best = max(best, epley_one_rm(s["weight_kg"], reps))
            if best:
                key = day.isoformat()
                one_rm[label][key] = max(one_rm[label].get(key, 0.0), round(best, 1))

    weights = sorted(
        (_as_date(m["date"]), float(m["weight_kg"]))
        for m in body_metrics
        if m.get("weight_kg") is not None and date_from - timedelta(days=7) <= _as_date(m["date"]) <= date_to
    )
    body_weight, window = [], []
    for day, kg in weights:
        window = [(d, w) for d, w in window if (day - d).days < MOVING_AVERAGE_DAYS] + [(day, kg)]
        if day >= date_from:
            average = sum(w for _, w in window) / len(window)
            body_weight.append({"date": day.isoformat(), "weight_kg": kg, "moving_average_kg": round(average, 2)})

    form: dict[str, list[dict]] = defaultdict(list)
    for analysis in sorted(analyses, key=lambda a: str(a["date"])):
        day = _as_date(analysis["date"])
        if date_from <= day <= date_to and analysis.get("exercise") and analysis.get("score") is not None:
            form[analysis["exercise"]].append({"date": day.isoformat(), "score": analysis["score"]})

    last_due = min(date_to, today) if today else date_to
    planned = sorted({d for d in planned_dates if date_from <= d <= last_due})
    done_planned = sum(1 for d in planned if d in done_dates)
    adherence_weeks: dict[str, dict[str, int]] = defaultdict(lambda: {"planned": 0, "done": 0})
    for d in planned:
        key = week_start(d).isoformat()
        adherence_weeks[key]["planned"] += 1
        adherence_weeks[key]["done"] += int(d in done_dates)

    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "sessions": len(done_dates),
        "weekly_volume": [
            {
                "week": week,
                "by_muscle": {m: round(v, 1) for m, v in sorted(muscles.items())},
                "total": round(sum(muscles.values()), 1),
            }
            for week, muscles in sorted(volume.items())
        ],  # fmt: skip
        "one_rm": {
            label: [{"date": d, "e1rm_kg": v} for d, v in sorted(series.items())] for label, series in one_rm.items()
        },
        "body_weight": body_weight,
        "form_score": dict(form),
        "adherence": {
            "planned": len(planned),
            "done": done_planned,
            "ratio": round(done_planned / len(planned), 3) if planned else None,
            "weekly": [{"week": w, **v} for w, v in sorted(adherence_weeks.items())],
        },
        "calories": {
            "weekly": [{"week": w, "kcal": round(v)} for w, v in sorted(calories.items())],
            "total": round(sum(calories.values())),
        },
    }
