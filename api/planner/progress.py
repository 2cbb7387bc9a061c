"""Progress from logs: weekly volume per muscle, estimated 1RM, body-weight trend, form, adherence, calories.

One pass over each input (linear in the number of logged sets), so two years of daily logs take milliseconds.
"""

from __future__ import annotations

import bisect
from collections import defaultdict, deque
from datetime import date, timedelta

from api.planner.catalogue import CATALOGUE

EPLEY_MAX_REPS = 12
MOVING_AVERAGE_DAYS = 7
MINUTES_PER_SET = 2.0
# Approximate share of body weight moved in body-weight exercises, by pattern (push-up 64%: Ebben et al. 2011,
# J Strength Cond Res 25:2891); the others are rough biomechanical shares, good enough for trends.
BODYWEIGHT_SHARE = {
    "push_horizontal": 0.64,
    "push_vertical": 0.9,
    "pull_vertical": 1.0,
    "pull_horizontal": 0.6,
    "squat": 0.8,
    "lunge": 0.8,
    "hinge": 0.5,
    "core": 0.3,
    "isolation": 0.3,
    "carry": 0.0,
}


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def epley_one_rm(weight_kg: float, reps: int) -> float:
    """Estimated one-repetition maximum (Epley 1985): w x (1 + reps / 30); a single is itself."""
    return weight_kg if reps == 1 else weight_kg * (1 + reps / 30)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class _BodyWeight:
    """Body weight on any day: the latest logged weight on or before it, else the profile's."""

    def __init__(self, metrics: list[tuple[date, float]], default_kg: float):
        self.days = [day for day, _ in metrics]
        self.weights = [kg for _, kg in metrics]
        self.default_kg = default_kg

    def on(self, day: date) -> float:
        index = bisect.bisect_right(self.days, day)
        return self.weights[index - 1] if index else self.default_kg


def _body_load(exercise, body_kg: float) -> float:
    """The share of body weight moved in each rep of a body-weight exercise (0 for loaded ones)."""
    if exercise is None or not exercise.is_bodyweight:
        return 0.0
    return BODYWEIGHT_SHARE.get(exercise.pattern, 0.0) * body_kg


def _entry_minutes(entry: dict) -> float:
    sets = entry.get("sets") or []
    timed = sum(s.get("duration_s") or 0 for s in sets)
    return timed / 60 if timed else len(sets) * MINUTES_PER_SET


def _workout_calories(workout: dict, body_kg: float) -> float:
    """MET x 3.5 x kg / 200 per minute; set durations when logged, else 2 minutes a set, scaled to the session's
    logged duration when there is one."""
    entries = [(CATALOGUE[e["exercise"]].met, _entry_minutes(e)) for e in workout.get("exercises", [])
               if e.get("exercise") in CATALOGUE]  # fmt: skip
    minutes = sum(m for _, m in entries)
    if not minutes:
        return 0.0
    scale = (workout.get("duration_min") or minutes) / minutes
    return sum(met * 3.5 * body_kg / 200 * m * scale for met, m in entries)


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
    """Every progress series between two dates (inclusive); planned days count towards adherence up to `today`.

    Analyses are `{date or created_at, exercise, score}`; body metrics `{date, weight_kg}`."""
    metrics = sorted((_as_date(m["date"]), float(m["weight_kg"])) for m in body_metrics if m.get("weight_kg"))
    body = _BodyWeight(metrics, weight_kg)
    volume: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    hard_sets: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    one_rm: dict[str, dict[str, float]] = defaultdict(dict)
    calories: dict[str, float] = defaultdict(float)
    done_dates: set[date] = set()
    for workout in workouts:
        day = _as_date(workout["date"])
        if not date_from <= day <= date_to:
            continue
        done_dates.add(day)
        week = week_start(day).isoformat()
        body_kg = body.on(day)
        calories[week] += _workout_calories(workout, body_kg)
        week_volume, week_sets = volume[week], hard_sets[week]
        for entry in workout.get("exercises", []):
            label = entry.get("exercise")
            exercise = CATALOGUE.get(label)
            muscles = exercise.primary_muscles if exercise and exercise.pattern != "cardio" else ()
            body_load = _body_load(exercise, body_kg)
            best = 0.0
            for logged in entry.get("sets") or []:
                reps = logged.get("reps") or 0
                weight = logged.get("weight_kg") or 0.0
                moved = reps * (weight + body_load)
                for muscle in muscles:
                    week_volume[muscle] += moved
                    week_sets[muscle] += 1
                if weight and 0 < reps <= EPLEY_MAX_REPS:
                    best = max(best, epley_one_rm(weight, reps))
            if best:
                key = day.isoformat()
                one_rm[label][key] = max(one_rm[label].get(key, 0.0), round(best, 1))

    body_weight = []
    window: deque[tuple[date, float]] = deque()
    total = 0.0
    for day, kg in metrics:
        if day > date_to:
            break
        window.append((day, kg))
        total += kg
        while (day - window[0][0]).days >= MOVING_AVERAGE_DAYS:
            total -= window.popleft()[1]
        if day >= date_from:
            body_weight.append(
                {"date": day.isoformat(), "weight_kg": kg, "moving_average_kg": round(total / len(window), 2)}
            )

    form: dict[str, list[dict]] = defaultdict(list)
    for analysis in analyses:
        when = analysis.get("date") or analysis.get("created_at")
        if when is None or not analysis.get("exercise") or analysis.get("score") is None:
            continue
        day = _as_date(when)
        if date_from <= day <= date_to:
            form[analysis["exercise"]].append({"date": day.isoformat(), "score": analysis["score"]})

    last_due = min(date_to, today) if today else date_to
    planned = sorted({d for d in planned_dates if date_from <= d <= last_due})
    weeks: dict[str, dict[str, int]] = defaultdict(lambda: {"planned": 0, "done": 0})
    for d in planned:
        weeks[week_start(d).isoformat()]["planned"] += 1
    trained: dict[str, int] = defaultdict(int)
    for d in done_dates:
        if d <= last_due:
            trained[week_start(d).isoformat()] += 1
    for key, counts in weeks.items():
        counts["done"] = min(counts["planned"], trained.get(key, 0))
    done = sum(counts["done"] for counts in weeks.values())

    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "sessions": len(done_dates),
        "weekly_volume": [
            {
                "week": week,
                "by_muscle": {m: round(v, 1) for m, v in sorted(muscles.items())},
                "sets_by_muscle": dict(sorted(hard_sets[week].items())),
                "total": round(sum(muscles.values()), 1),
            }
            for week, muscles in sorted(volume.items())
        ],
        "one_rm": {
            label: [{"date": d, "e1rm_kg": v} for d, v in sorted(series.items())] for label, series in one_rm.items()
        },
        "body_weight": body_weight,
        "form_score": {label: sorted(points, key=lambda p: p["date"]) for label, points in form.items()},
        "adherence": {
            "planned": len(planned),
            "done": done,
            "ratio": round(done / len(planned), 3) if planned else None,
            "weekly": [{"week": w, **v} for w, v in sorted(weeks.items())],
        },
        "calories": {
            "weekly": [{"week": w, "kcal": round(v)} for w, v in sorted(calories.items())],
            "total": round(sum(calories.values())),
        },
    }
