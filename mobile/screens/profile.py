"""Profile: age, sex, height, weight, level, goal, days, minutes, equipment and limitations (PATCH /users/me)."""

from __future__ import annotations

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from mobile.formatting import nice
from mobile.screens.base import BaseScreen
from mobile.vocabulary import BODY_REGIONS, EQUIPMENT, FITNESS_LEVELS, GOALS, SEXES

SINGLE = {"sex": SEXES, "fitness_level": FITNESS_LEVELS, "goal": GOALS, "days_per_week": tuple("1234567")}
MULTI = {"equipment": EQUIPMENT, "limitations": BODY_REGIONS}


class ProfileScreen(BaseScreen):
    title_text = "Profile"
    account = StringProperty("")
    is_admin = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.buttons: dict[str, dict[str, object]] = {}
        self._built = False

    def _build_choices(self) -> None:
        for field, values in {**SINGLE, **MULTI}.items():
            grid = self.ids[field]
            self.buttons[field] = {}
            for value in values:
                kwargs = {"group": f"profile_{field}", "allow_no_selection": True} if field in SINGLE else {}
                button = Factory.ChoiceButton(text=nice(value), **kwargs)
                grid.add_widget(button)
                self.buttons[field][value] = button
        self._built = True

    def show(self, **kwargs) -> None:
        if not self._built:
            self._build_choices()
        self.error = ""
        self.app.call(self.app.client.me, on_ok=self.loaded, on_error=self.fail)

    def loaded(self, me: dict) -> None:
        self.app.user = me
        self.is_admin = me.get("role") == "admin"
        self.account = f"{me.get('name', '')}  ({me.get('email', '')})"
        for field in ("age", "height_cm", "session_minutes"):
            value = me.get(field)
            self.ids[field].text = "" if value is None else f"{value:g}"
        weight = self.app.weight_value(me.get("weight_kg"))
        self.ids.weight.text = "" if weight is None else f"{weight:.1f}"
        for field in SINGLE:
            current = str(me.get(field)) if me.get(field) is not None else None
            for value, button in self.buttons[field].items():
                button.state = "down" if value == current else "normal"
        for field in MULTI:
            chosen = set(me.get(field) or [])
            for value, button in self.buttons[field].items():
                button.state = "down" if value in chosen else "normal"

    def values(self) -> dict:
        """The profile as the form shows it (only fields that are filled in)."""
        changes: dict = {}
        for field, cast in (("age", int), ("height_cm", float), ("session_minutes", int)):
            text = self.ids[field].text.strip()
            if text:
                changes[field] = cast(float(text))
        weight = self.ids.weight.text.strip()
        if weight:
            changes["weight_kg"] = round(self.app.to_kg(float(weight)), 2)
        for field in SINGLE:
            chosen = [v for v, b in self.buttons[field].items() if b.state == "down"]
            if chosen:
                changes[field] = int(chosen[0]) if field == "days_per_week" else chosen[0]
        for field in MULTI:
            changes[field] = [v for v, b in self.buttons[field].items() if b.state == "down"]
        return changes

    def save(self) -> None:
        self.error = ""
        try:
            changes = self.values()
        except ValueError:
            self.error = "Numbers only in age, height, weight and minutes."
            return
        self.app.call(self.app.client.update_profile, **changes, on_ok=self._saved, on_error=self.fail)

    def _saved(self, me: dict) -> None:
        self.loaded(me)
        self.app.notify("Profile saved.")
