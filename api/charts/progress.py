"""The progress charts, by name, drawn from `compute_progress`'s result."""

from __future__ import annotations

from datetime import date

from api.charts.draw import bar_chart, line_chart
from api.exceptions import InvalidInput

PROGRESS_CHARTS = ("volume", "one_rm", "body_weight", "form_score", "adherence", "calories")
MAX_LINES = 4


def _dates(values: list[str]) -> list[date]:
    return [date.fromisoformat(v) for v in values]


def _week_labels(values: list[str]) -> list[str]:
    """Short week labels ('31 Aug') so that a dozen bars stay readable on a phone."""
    return [date.fromisoformat(v).strftime("%d %b") for v in values]


def _busiest(series: dict[str, list[dict]]) -> list[tuple[str, list[dict]]]:
    """The series with the most points, at most four, so that a small screen shows distinct lines."""
    return sorted(series.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:MAX_LINES]


def _volume(progress: dict) -> bytes:
    rows = progress["weekly_volume"]
    totals: dict[str, float] = {}
    for row in rows:
        for muscle, kg in row["by_muscle"].items():
            totals[muscle] = totals.get(muscle, 0.0) + kg
    top = sorted(totals, key=lambda m: (-totals[m], m))[:MAX_LINES]
    weeks = _dates([r["week"] for r in rows])
    series = {m.replace("_", " "): (weeks, [r["by_muscle"].get(m, 0.0) for r in rows]) for m in top}
    return line_chart("Weekly volume by muscle", "week", "kg (sets x reps x load)", series)


def _per_exercise(progress: dict, key: str, value: str, title: str, y_label: str) -> bytes:
    series = {
        label.replace("_", " "): (_dates([p["date"] for p in points]), [p[value] for p in points])
        for label, points in _busiest(progress[key])
    }
    return line_chart(title, "date", y_label, series)


def _body_weight(progress: dict) -> bytes:
    rows = progress["body_weight"]
    xs = _dates([r["date"] for r in rows])
    series = {
        "weight": (xs, [r["weight_kg"] for r in rows]),
        "7-day average": (xs, [r["moving_average_kg"] for r in rows]),
    }
    return line_chart("Body weight", "date", "kg", series)


def _adherence(progress: dict) -> bytes:
    weeks = progress["adherence"]["weekly"]
    values = [100 * w["done"] / w["planned"] if w["planned"] else 0 for w in weeks]
    return bar_chart("Sessions done / planned", "week", "%", _week_labels([w["week"] for w in weeks]), values)


def _calories(progress: dict) -> bytes:
    weeks = progress["calories"]["weekly"]
    labels = _week_labels([w["week"] for w in weeks])
    return bar_chart("Calories from training", "week", "kcal", labels, [w["kcal"] for w in weeks])


def render_progress_chart(name: str, progress: dict) -> bytes:
    """One progress chart as PNG bytes; `InvalidInput` (code unknown_chart) names the charts there are."""
    if name == "volume":
        return _volume(progress)
    if name == "one_rm":
        return _per_exercise(progress, "one_rm", "e1rm_kg", "Estimated 1RM (Epley)", "kg")
    if name == "body_weight":
        return _body_weight(progress)
    if name == "form_score":
        return _per_exercise(progress, "form_score", "score", "Form score", "score (0-100)")
    if name == "adherence":
        return _adherence(progress)
    if name == "calories":
        return _calories(progress)
    raise InvalidInput(
        f"unknown chart {name!r}; charts: {', '.join(PROGRESS_CHARTS)}",
        code="unknown_chart",
        details={"charts": list(PROGRESS_CHARTS)},
    )
