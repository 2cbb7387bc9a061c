"""Progress: weekly volume, body weight and form score drawn with Kivy canvas; body-weight entry."""

from __future__ import annotations

from datetime import date, timedelta

from kivy.properties import NumericProperty, StringProperty

from mobile.screens.base import BaseScreen


def short_date(iso: str) -> str:
    return iso[5:10] if iso else ""


class ProgressScreen(BaseScreen):
    title_text = "Progress"
    days = NumericProperty(84)
    summary = StringProperty("")
    data: dict | None = None

    def show(self, **kwargs) -> None:
        self.load()

    def set_range(self, days: int) -> None:
        self.days = days
        for key, value in (("range_4", 28), ("range_12", 84), ("range_52", 365)):
            self.ids[key].state = "down" if value == days else "normal"
        self.load()

    def load(self) -> None:
        self.error = ""
        today = date.today()
        start = today - timedelta(days=int(self.days) - 1)
        self.app.call(self.app.client.progress, start.isoformat(), today.isoformat(), on_ok=self.loaded,
                      on_error=self.fail)  # fmt: skip

    def loaded(self, data: dict) -> None:
        self.data = data
        app = self.app
        units = app.units
        volume = data.get("weekly_volume") or []
        self.ids.volume.unit = f"{units} x reps"
        self.ids.volume.labels = [short_date(w["week"]) for w in volume]
        self.ids.volume.values = [app.weight_value(w.get("total") or 0) for w in volume]
        weights = data.get("body_weight") or []
        self.ids.weight.unit = units
        self.ids.weight.labels = [short_date(w["date"]) for w in weights]
        self.ids.weight.values = [app.weight_value(w.get("weight_kg")) for w in weights]
        points = sorted(
            (p["date"], p["score"])
            for series in (data.get("form_score") or {}).values()
            for p in series
            if p.get("score") is not None
        )
        self.ids.form.labels = [short_date(d) for d, _ in points]
        self.ids.form.values = [s for _, s in points]
        adherence = data.get("adherence") or {}
        ratio = adherence.get("ratio")
        parts = [f"{data.get('sessions', 0)} sessions from {data.get('from')} to {data.get('to')}"]
        if adherence.get("planned"):
            parts.append(f"{adherence.get('done', 0)} of {adherence['planned']} planned ({(ratio or 0) * 100:.0f}%)")
        if weights:
            parts.append(f"latest weight {app.weight_text(weights[-1].get('weight_kg'))}")
        self.summary = "; ".join(parts) + "."

    def save_weight(self) -> None:
        text = self.ids.weight_input.text.strip().replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            self.error = f"Type your weight in {self.app.units}, e.g. 70.5."
            return
        kg = round(self.app.to_kg(value), 2)
        self.app.call(self.app.client.add_body_metric, weight_kg=kg, on_ok=self._saved, on_error=self.fail)

    def _saved(self, metric: dict) -> None:
        self.ids.weight_input.text = ""
        self.app.notify(f"Saved {self.app.weight_text(metric.get('weight_kg'))}.")
        self.load()
