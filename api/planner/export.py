"""Plan exports: iCalendar (RFC 5545) with one all-day event per training day, and CSV with one row per item."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta

BLOCKS = ("warm_up", "exercises", "extras", "cool_down")


def _ics_text(value: str) -> str:
    """RFC 5545 3.3.11: backslash, semicolon, comma and newline escaped."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets are folded with a leading space (RFC 5545 3.1), never inside a character."""
    out, current = [], line
    while len(current.encode()) > 75:
        cut = 75
        while len(current[:cut].encode()) > 75:
            cut -= 1
        out.append(current[:cut])
        current = " " + current[cut:]
    return [*out, current]


def _dose(item: dict) -> str:
    """'3 x 8-12, 90 s rest, RPE 7.5' for sets, '30 min' for timed blocks."""
    if "sets" not in item:
        return f"{item['minutes']} min"
    low, high = item["rep_range"] or item["hold_s"]
    unit = " s" if item["rep_range"] is None else ""
    load = f" @ {item['load_kg']:g} kg" if item.get("load_kg") else ""
    return f"{item['sets']} x {low}-{high}{unit}{load}, {item['rest_s']} s rest, RPE {item['rpe']:g}"


def _description(day: dict) -> str:
    lines = [f"Warm-up: {sum(i['minutes'] for i in day['warm_up'])} min"]
    lines += [f"{item['name']}: {_dose(item)}" for item in day["exercises"] + day["extras"]]
    lines.append(f"Cool-down: {sum(i['minutes'] for i in day['cool_down'])} min")
    lines.append(f"About {day['estimated_minutes']:g} min in all")
    return "\n".join(lines)


def _title(week: dict, day: dict) -> str:
    words = day["focus"].split("_")
    focus = " ".join(word.upper() if len(word) == 1 else word for word in words)
    focus = focus[:1].upper() + focus[1:]
    return f"FitCoach: {focus} (week {week['week']}{', deload' if week['deload'] else ''})"


def _training_days(plan: dict) -> Iterator[tuple[dict, dict]]:
    """(week, day) for every day of the schedule that was not skipped."""
    for week in plan["schedule"]:
        for day in week["days"]:
            if not day.get("skipped"):
                yield week, day


def plan_to_ics(plan: dict, plan_id: int, stamp: str) -> str:
    """One all-day event per training day (skipped days left out); `stamp` is the DTSTAMP, UTC `YYYYMMDDTHHMMSSZ`."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//FitCoach//Plans//EN", "CALSCALE:GREGORIAN"]
    for week, day in _training_days(plan):
        start = date.fromisoformat(day["date"])
        lines += [
            "BEGIN:VEVENT",
            f"UID:fitcoach-plan-{plan_id}-{day['day_id']}@fitcoach",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{start + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_ics_text(_title(week, day))}",
            f"DESCRIPTION:{_ics_text(_description(day))}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"


CSV_COLUMNS = ("week", "day_id", "date", "focus", "block", "exercise", "name", "sets", "reps", "hold_s", "rest_s",
               "rpe", "rir", "tempo", "load_kg", "minutes", "why")  # fmt: skip


def _range(values: list[int] | None) -> str:
    return f"{values[0]}-{values[1]}" if values else ""


def plan_to_csv(plan: dict) -> str:
    """One row per planned item: warm-up, exercises, extras (correctives, balance, cardio) and cool-down."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for week, day in _training_days(plan):
        for block in BLOCKS:
            for item in day[block]:
                writer.writerow(
                    {
                        **item,
                        "week": week["week"],
                        "day_id": day["day_id"],
                        "date": day["date"],
                        "focus": day["focus"],
                        "block": block,
                        "reps": _range(item.get("rep_range")),
                        "hold_s": _range(item.get("hold_s")),
                    }
                )
    return buffer.getvalue()
