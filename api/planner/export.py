"""Plan exports: iCalendar (RFC 5545) and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets are folded with a leading space (RFC 5545 3.1)."""
    out, current = [], line
    while len(current.encode()) > 75:
        cut = 75
        while len(current[:cut].encode()) > 75:
            cut -= 1
        out.append(current[:cut])
        current = " " + current[cut:]
    return [*out, current]


def _day_summary(day: dict) -> str:
    parts = [
        f"{item['name']} {item['sets']}x{item['rep_range'][0]}-{item['rep_range'][1]}" for item in day["exercises"]
    ]
    parts += [f"{item['name']} {item['minutes']} min" for item in day["extras"]]
    return "; ".join(parts)


def plan_to_ics(plan: dict, plan_id: int, stamp: str) -> str:
    """One all-day event per training day."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//FitCoach//Plans//EN", "CALSCALE:GREGORIAN"]
    for week in plan["schedule"]:
        for day in week["days"]:
            start = date.fromisoformat(day["date"])
            lines += [
                "BEGIN:VEVENT",
                f"UID:fitcoach-plan-{plan_id}-{day['day_id']}@fitcoach",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
                f"DTEND;VALUE=DATE:{start + timedelta(days=1):%Y%m%d}",
                f"SUMMARY:{_ics_text('FitCoach: ' + day['focus'].replace('_', ' '))}",
                f"DESCRIPTION:{_ics_text(_day_summary(day))}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"


CSV_COLUMNS = ("week", "day_id", "date", "focus", "exercise", "name", "sets", "reps", "rest_s", "rpe", "tempo",
               "load_kg", "minutes", "why")  # fmt: skip


def plan_to_csv(plan: dict) -> str:
    """One row per planned exercise (and per timed block)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for week in plan["schedule"]:
        for day in week["days"]:
            for item in day["exercises"] + day["extras"]:
                low_high = item.get("rep_range")
                writer.writerow(
                    {
                        "week": week["week"],
                        "day_id": day["day_id"],
                        "date": day["date"],
                        "focus": day["focus"],
                        **item,
                        "reps": f"{low_high[0]}-{low_high[1]}" if low_high else "",
                    }
                )
    return buffer.getvalue()
