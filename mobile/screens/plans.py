"""Plans: the list, one plan's weeks and days, and one day's exercises (mark the day done = log a workout)."""

from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from mobile.formatting import day_workout, focus_name, minutes, nice, reps_text
from mobile.screens.base import BaseScreen


def sets_text(sets) -> str:
    return f"{sets} set" if sets == 1 else f"{sets or '-'} sets"


class PlansScreen(BaseScreen):
    title_text = "Plans"

    def show(self, **kwargs) -> None:
        self.error = ""
        self.app.call(self.app.client.plans, on_ok=self.loaded, on_error=self.fail)

    def loaded(self, page: dict) -> None:
        self.items = page["items"]
        box = self.ids.plans
        box.clear_widgets()
        for plan in self.items:
            text = (
                f"[b]{plan['name']}[/b]\n[size=12sp][color=6b6b75]{plan['weeks']} weeks from {plan['start_date']}"
                f"  |  version {plan['version']}[/color][/size]"
            )
            button = Factory.ListButton(text=text)
            button.bind(on_release=lambda _b, p=plan: self.open(p["id"]))
            box.add_widget(button)
        if not self.items:
            box.add_widget(Factory.Muted(text="No plans yet: fill in your profile, then generate one."))

    def open(self, plan_id: int) -> None:
        self.app.call(self.app.client.plan, plan_id, on_ok=lambda plan: self.app.go("plan", plan=plan),
                      on_error=self.fail)  # fmt: skip

    def generate(self) -> None:
        self.error = ""
        self.app.call(self.app.client.create_plan, weeks=4, on_ok=self._generated, on_error=self.fail)

    def _generated(self, plan: dict) -> None:
        self.app.notify(f"New plan: {plan['name']}")
        self.app.go("plan", plan=plan)


class PlanScreen(BaseScreen):
    title_text = "Plan"
    plan_name = StringProperty("")
    summary = StringProperty("")
    notes = StringProperty("")
    plan: dict | None = None
    week = 1

    def show(self, plan: dict | None = None, **kwargs) -> None:
        if plan is None:
            return
        self.plan = plan
        content = plan["content"]
        self.plan_name = plan["name"]
        self.summary = (
            f"{nice(content.get('goal'))}, {nice(content.get('level'))}: {content.get('days_per_week')} days a week, "
            f"{content.get('session_minutes')} min, {content.get('weeks')} weeks from {content.get('start_date')}."
        )
        notes = [content.get("frequency_why") or "", *(content.get("notes") or [])]
        self.notes = "\n\n".join(n for n in notes if n)
        weeks = self.ids.weeks
        weeks.clear_widgets()
        for week in content.get("schedule", []):
            label = f"W{week['week']}" + (" D" if week.get("deload") else "")
            button = Factory.ChoiceButton(text=label, group="plan_weeks", allow_no_selection=False)
            button.bind(on_release=lambda _b, w=week["week"]: self.select_week(w))
            weeks.add_widget(button)
        self.select_week(1)

    def select_week(self, number: int) -> None:
        self.week = number
        for button, week in zip(reversed(self.ids.weeks.children), self.plan["content"]["schedule"], strict=False):
            button.state = "down" if week["week"] == number else "normal"
        week = next(w for w in self.plan["content"]["schedule"] if w["week"] == number)
        box = self.ids.days
        box.clear_widgets()
        for day in week["days"]:
            names = ", ".join(nice(e.get("name") or e.get("exercise")) for e in day.get("exercises", []))
            text = (
                f"[b]{day['weekday']} {day['date']}: {focus_name(day.get('focus'))}[/b]"
                f"{'  (deload)' if day.get('deload') else ''}\n"
                f"[size=12sp][color=6b6b75]{minutes(day.get('estimated_minutes'))}  |  {names}[/color][/size]"
            )
            button = Factory.ListButton(text=text)
            button.bind(on_release=lambda _b, d=day: self.app.go("day", plan=self.plan, day=d))
            box.add_widget(button)


class DayScreen(BaseScreen):
    title_text = "Session"
    day_title = StringProperty("")
    day_summary = StringProperty("")
    extras = StringProperty("")
    done = BooleanProperty(False)
    done_text = StringProperty("Mark this day done")

    def show(self, plan: dict | None = None, day: dict | None = None, **kwargs) -> None:
        if plan is None or day is None:
            return
        self.plan, self.day = plan, day
        self.error = ""
        self.done = False
        self.done_text = "Mark this day done"
        self.day_title = f"{day['weekday']} {day['date']}: {focus_name(day.get('focus'))}"
        calories = day.get("calories")
        kcal = calories.get("kcal") if isinstance(calories, dict) else calories
        self.day_summary = (
            f"About {minutes(day.get('estimated_minutes'))}"
            + (f", {kcal:.0f} kcal" if isinstance(kcal, int | float) else "")
            + "."
            + ("  Deload week: lighter on purpose." if day.get("deload") else "")
        )
        box = self.ids.exercises
        box.clear_widgets()
        for item in day.get("exercises", []):
            card = Factory.Card()
            card.add_widget(Factory.SubHeading(text=nice(item.get("name") or item.get("exercise"))))
            load = f"  |  {self.app.weight_text(item['load_kg'])}" if item.get("load_kg") else ""
            rpe = f"  |  RPE {item['rpe']:g}" if item.get("rpe") else ""
            card.add_widget(
                Factory.WrapLabel(
                    text=f"{sets_text(item.get('sets'))} x {reps_text(item)}  |  rest {item.get('rest_s', '-')} s"
                    f"{rpe}{load}"
                )  # fmt: skip
            )
            if item.get("why"):
                card.add_widget(Factory.Muted(text=f"Why: {item['why']}"))
            box.add_widget(card)
        warm = ", ".join(nice(w.get("name")) for w in day.get("warm_up", []))
        cool = ", ".join(nice(w.get("name")) for w in day.get("cool_down", []))
        extras = ", ".join(nice(w.get("name")) for w in day.get("extras", []))
        parts = [f"Warm-up: {warm}" if warm else "", f"Also: {extras}" if extras else "",
                 f"Cool-down: {cool}" if cool else ""]  # fmt: skip
        self.extras = "\n".join(p for p in parts if p)

    def mark_done(self) -> None:
        body = day_workout(self.plan["id"], self.day)
        self.app.call(self.app.client.log_workout, **body, on_ok=self._logged, on_error=self.fail)

    def _logged(self, workout: dict) -> None:
        self.done = True
        changes = workout.get("plan_changes") or []
        self.done_text = "Done: logged" + (f" ({len(changes)} plan changes)" if changes else "")
        self.app.notify("Session logged. Your plan adapts to it.")
