"""Plan exports parse back: iCalendar with a real parser, CSV with the csv module."""

import csv
import io
from datetime import date, timedelta

import icalendar
import pytest

from api.planner.export import CSV_COLUMNS, plan_to_csv, plan_to_ics
from api.planner.progression import adapt_plan
from tests.unit.planner.plans import START, all_days, all_items


@pytest.fixture
def profile():
    """Intermediate, losing weight, four days a week with dumbbells and a bench."""
    return {
        "fitness_level": "intermediate",
        "goal": "weight_loss",
        "days_per_week": 4,
        "session_minutes": 60,
        "equipment": ["dumbbell", "bench"],
        "weight_kg": 80,
    }


def test_ics_has_one_valid_event_per_training_day(make_plan):
    plan = make_plan(2)
    text = plan_to_ics(plan, 7, "20260101T000000Z")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", ""), "every line ends with CRLF"
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    calendar = icalendar.Calendar.from_ical(text)
    events = calendar.walk("VEVENT")
    assert len(events) == len(all_days(plan)) == 8
    assert len({str(e["UID"]) for e in events}) == 8
    first, day = events[0], all_days(plan)[0]
    assert first.decoded("DTSTART") == date.fromisoformat(day["date"])
    assert first.decoded("DTEND") == date.fromisoformat(day["date"]) + timedelta(days=1)
    description = str(first["DESCRIPTION"])
    assert day["exercises"][0]["name"] in description and "Warm-up" in description and "\n" in description
    assert str(first["SUMMARY"]) == "FitCoach: Upper (week 1)"


def test_ics_escapes_text_and_folds_long_lines_without_breaking_characters(make_plan):
    plan = make_plan(1)
    day = all_days(plan)[0]
    day["exercises"][0]["name"] = "Squat; heavy, slow \\ Überkniebeuge " * 4
    text = plan_to_ics(plan, 1, "20260101T000000Z")
    assert "Squat\\; heavy\\, slow \\\\ " in text.replace("\r\n ", "")
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert day["exercises"][0]["name"] in str(event["DESCRIPTION"])


def test_skipped_days_are_left_out_and_reflowed_dates_are_used(make_plan):
    plan = make_plan(2)
    adapted = adapt_plan(plan, [], [], START + timedelta(days=2)).plan
    moved = all_days(adapted)[0]
    events = icalendar.Calendar.from_ical(plan_to_ics(adapted, 1, "20260101T000000Z")).walk("VEVENT")
    assert events[0].decoded("DTSTART").isoformat() == moved["date"] != all_days(plan)[0]["date"]


def test_csv_has_a_row_per_item_with_the_dose(make_plan):
    plan = make_plan(2)
    rows = list(csv.DictReader(io.StringIO(plan_to_csv(plan))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == sum(len(all_items(day)) for day in all_days(plan))
    main = [r for r in rows if r["block"] == "exercises"]
    first = all_days(plan)[0]["exercises"][0]
    assert main[0]["exercise"] == first["exercise"] and main[0]["reps"] == "{}-{}".format(*first["rep_range"])
    assert main[0]["sets"] == str(first["sets"]) and main[0]["why"] == first["why"]
    holds = [r for r in rows if r["hold_s"]]
    assert holds and all(r["reps"] == "" for r in holds)
    assert {r["block"] for r in rows} == {"warm_up", "exercises", "extras", "cool_down"}
