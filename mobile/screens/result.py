"""Result: the annotated image, exercise with runners-up, form score, faults with corrections, reps; log it."""

from __future__ import annotations

import io
from pathlib import Path

from kivy.core.image import Image as CoreImage
from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty

from mobile.formatting import issue_markup, nice, percent, rep_line
from mobile.screens.base import BaseScreen


class ResultScreen(BaseScreen):
    title_text = "Result"
    exercise_text = StringProperty("")
    runners_up = StringProperty("")
    score_text = StringProperty("")
    score_detail = StringProperty("")
    reps_text = StringProperty("")
    log_text = StringProperty("Log this as a workout")
    logged = BooleanProperty(False)
    can_log = BooleanProperty(False)
    source = StringProperty("")
    choice_title = StringProperty("")

    analysis: dict | None = None

    def show(self, analysis: dict | None = None, source: str = "", **kwargs) -> None:
        if analysis is None:
            return
        self.analysis = analysis
        self.source = source if source and Path(source).is_file() else ""
        self.app.last_analysis = analysis
        self.error = ""
        self.logged = False
        self.log_text = "Log this as a workout"
        self.fill(analysis)
        self.ids.annotated.texture = None
        self.app.call(self.app.client.annotated, analysis["id"], on_ok=self._got_image, on_error=self._no_image)

    def fill(self, analysis: dict) -> None:
        exercise = analysis.get("exercise") or {}
        label = exercise.get("label")
        self.can_log = bool(label or (analysis.get("posture") or {}).get("exercise"))
        guesses = [t for t in exercise.get("top5") or [] if t.get("label") != label][:3]
        guess_text = ", ".join(f"{nice(t['label'])} {percent(t.get('confidence'))}" for t in guesses)
        if label:
            self.exercise_text = f"{nice(label)}  {percent(exercise.get('confidence'))}"
            self.runners_up = f"Also possible: {guess_text}" if guesses else ""
        else:
            self.exercise_text = "Exercise not recognised"
            reason = exercise.get("reason") or "no confident answer"
            self.runners_up = f"{reason[:1].upper()}{reason[1:]}." + (
                f"\nBest guesses: {guess_text}" if guesses else ""
            )
        self._fill_choices(label, [t["label"] for t in guesses])
        persons = len(analysis.get("persons") or [])
        if persons > 1:
            self.runners_up += f"\n{persons} people in view: the most central one was judged."
        posture = analysis.get("posture") or {}
        issues = posture.get("issues") or []
        if posture.get("score") is not None:
            verdict = "good form" if posture.get("form_ok") else "needs work"
            self.score_text = f"Form score {posture['score']:.0f}/100: {verdict}"
            view = posture.get("view")
            judged = posture.get("exercise")
            self.score_detail = f"Judged as {nice(judged).lower()}. " if judged and judged != label else ""
            self.score_detail += f"Seen from the {view}." if view and view != "unclear" else ""
            if not issues:
                self.score_detail += " No faults found."
        else:
            self.score_text = "Form not assessed"
            self.score_detail = nice(posture.get("reason")) if posture.get("reason") else ""
        box = self.ids.issues
        box.clear_widgets()
        for issue in issues:
            box.add_widget(Factory.WrapLabel(text=issue_markup(issue), markup=True))
        reps = analysis.get("reps") or {}
        per_rep_box = self.ids.per_rep
        per_rep_box.clear_widgets()
        if reps.get("count") is not None and analysis.get("media_type") == "video":
            self.reps_text = f"{reps['count']} reps"
            for number, rep in enumerate(reps.get("per_rep") or [], start=1):
                per_rep_box.add_widget(Factory.Muted(text=rep_line(rep, number)))
        else:
            self.reps_text = ""
        first = issues[0].get("correction") if issues else None
        if first:
            self.app.speak(first)

    def _fill_choices(self, label: str | None, guesses: list[str]) -> None:
        """Buttons to judge the same file as one of the best guesses (or any exercise typed in)."""
        self.choice_title = f"Not {nice(label).lower()}? Judge it as:" if label else "Which exercise is it?"
        box = self.ids.choices
        box.clear_widgets()
        for guess in guesses:
            button = Factory.FlatButton(text=nice(guess))
            button.bind(on_release=lambda _button, guess=guess: self.judge_as(guess))
            box.add_widget(button)

    def judge_as(self, exercise: str) -> None:
        """Analyse the same file again, judged as `exercise`; the unsure answer it replaces is deleted, unless it
        was logged as a workout."""
        exercise = exercise.strip()
        if not exercise or not self.source or not self.analysis:
            return
        replaces = None if self.logged else self.analysis["id"]
        self.app.go("capture")
        self.app.screens["capture"].reanalyse(self.source, exercise, replaces)

    def _got_image(self, data: bytes) -> None:
        image = CoreImage(io.BytesIO(data), ext="jpg")
        self.ids.annotated.texture = image.texture

    def _no_image(self, message: str, _exc=None) -> None:
        self.ids.annotated.texture = None

    def log_workout(self) -> None:
        if not self.analysis or self.logged:
            return
        self.app.call(self.app.client.log_workout, analysis_id=self.analysis["id"], on_ok=self._logged,
                      on_error=self.fail)  # fmt: skip

    def _logged(self, workout: dict) -> None:
        self.logged = True
        self.log_text = f"Logged as a workout on {workout.get('date', 'today')}"
        self.app.notify("Workout logged.")
