"""The progress charts, by name."""

from __future__ import annotations

from datetime import date

from api.charts import bar_chart, line_chart
from api.exceptions import InvalidInput

PROGRESS_CHARTS = ("volume", "one_rm", "body_weight", "form_score", "adherence", "calories")


def _dates(values: list[str]) -> list[date]:
    return [date.fromisoformat(v) for v in values]


def _week_labels(values: list[str]) -> list[str]:
    """Short week labels ('31 Aug') so that a dozen bars stay readable on a phone."""
    return [date.fromisoformat(v).strftime("%d %b") for v in values]


def render_progress_chart(name: str, progress: dict) -> bytes:
    """One progress chart as PNG bytes."""
    if name == "volume":
        rows = progress["weekly_volume"]
        return line_chart("Weekly volume", "week", "kg lifted (sets x reps x load)",
                          {"total": (_dates([r["week"] for r in rows]), [r["total"] for r in rows])})  # fmt: skip
    if name == "one_rm":
        series = {
            label.replace("_", " "): (_dates([p["date"] for p in points]), [p["e1rm_kg"] for p in points])
            for label, points in sorted(progress["one_rm"].items(), key=lambda kv: -len(kv[1]))[:4]
        }
        return line_chart("Estimated 1RM (Epley)", "date", "kg", series)
    if name == "body_weight":
        rows = progress["body_weight"]
        xs = _dates([r["date"] for r in rows])
        series = {
            "weight": (xs, [r["weight_kg"] for r in rows]),
            "7-day average": (xs, [r["moving_average_kg"] for r in rows]),
        }
        return line_chart("Body weight", "date", "kg", series)
    if name == "form_score":
        series = {
            label.replace("_", " "): (_dates([p["date"] for p in points]), [p["score"] for p in points])
            for label, points in sorted(progress["form_score"].items(), key=lambda kv: -len(kv[1]))[:4]
        }
        return line_chart("Form score", "date", "score (0-100)", series)
    if name == "adherence":
        weeks = progress["adherence"]["weekly"]
        return bar_chart("Sessions done / planned", "week", "%", _week_labels([w["week"] for w in weeks]),
                         [100 * w["done"] / w["planned"] if w["planned"] else 0 for w in weeks])  # fmt: skip
    if name == "calories":
        weeks = progress["calories"]["weekly"]
        return bar_chart("Calories from training", "week", "kcal", _week_labels([w["week"] for w in weeks]),
                         [w["kcal"] for w in weeks])  # fmt: skip
    raise InvalidInput(f"unknown chart {name!r}", code="unknown_chart", details={"charts": list(PROGRESS_CHARTS)})
