"""Home: today's session from the latest plan, this week's adherence and the latest analyses."""

from __future__ import annotations

from datetime import date

from kivy.factory import Factory
from kivy.properties import StringProperty

from mobile.formatting import analysis_line, focus_name, minutes, nice
from mobile.screens.base import BaseScreen


def load_home(client) -> dict:
    plans = client.plans(per_page=1)["items"]
    plan = client.plan(plans[0]["id"]) if plans else None
    analyses = client.analyses(per_page=3)["items"]
    progress = client.progress()
    return {"plan": plan, "analyses": analyses, "progress": progress}


def today_in_plan(plan: dict | None, today: date) -> tuple[dict | None, bool]:
    """The plan's day for today, else its next day (and whether it is today)."""
    if not plan:
        return None, False
    days = [day for week in plan["content"].get("schedule", []) for day in week.get("days", [])]
    for day in days:
        if day.get("date") == today.isoformat():
            return day, True
    upcoming = [day for day in days if (day.get("date") or "") > today.isoformat()]
    return (upcoming[0] if upcoming else None), False


class HomeScreen(BaseScreen):
    title_text = "Home"
    greeting = StringProperty("Hello")
    today_text = StringProperty("Loading...")
    today_detail = StringProperty("")
    adherence_text = StringProperty("")
    day_id = StringProperty("")

    def show(self, **kwargs) -> None:
        self.error = ""
        name = self.app.user.get("name") or ""
        self.greeting = f"Hello {name}".strip()
        self.app.call(load_home, self.app.client, on_ok=self.loaded, on_error=self.fail)

    def loaded(self, data: dict) -> None:
        self.data = data
        name = self.app.user.get("name") or ""
        self.greeting = f"Hello {name}".strip()
        plan = data["plan"]
        day, is_today = today_in_plan(plan, date.today())
        self.day_id = day["day_id"] if day else ""
        if not plan:
            self.today_text = "No plan yet."
            self.today_detail = "Generate one in Plans from your profile."
        elif day is None:
            self.today_text = "Your plan has no more sessions."
            self.today_detail = "Generate a new plan in Plans."
        else:
            when = "Today" if is_today else f"Next: {day.get('weekday', '')} {day.get('date', '')}"
            names = ", ".join(nice(e.get("name") or e.get("exercise")) for e in day.get("exercises", [])[:4])
            self.today_text = f"{when}: {focus_name(day.get('focus'))} ({minutes(day.get('estimated_minutes'))})"
            self.today_detail = names
        adherence = (data["progress"] or {}).get("adherence") or {}
        weekly = adherence.get("weekly") or []
        this_week = weekly[-1] if weekly else {"planned": 0, "done": 0}
        self.ids.adherence.planned = this_week.get("planned") or 0
        self.ids.adherence.done = this_week.get("done") or 0
        if this_week.get("planned"):
            self.adherence_text = f"{this_week['done']} of {this_week['planned']} planned sessions done this week"
        else:
            self.adherence_text = f"{this_week.get('done', 0)} sessions logged this week (none planned)"
        box = self.ids.analyses
        box.clear_widgets()
        for item in data["analyses"]:
            button = Factory.ListButton(text=analysis_line(item))
            button.bind(on_release=lambda _b, a=item: self.app.go("result", analysis=a))
            box.add_widget(button)
        if not data["analyses"]:
            box.add_widget(Factory.Muted(text="Nothing analysed yet."))

    def open_day(self) -> None:
        plan = self.data.get("plan") if hasattr(self, "data") else None
        if plan and self.day_id:
            day, _ = today_in_plan(plan, date.today())
            self.app.go("day", plan=plan, day=day)
