"""The base of every screen: a title for the top bar and `show()` called each time the screen is opened."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen


class BaseScreen(Screen):
    title_text = "FitCoach"
    error = StringProperty("")

    @property
    def app(self):
        return App.get_running_app()

    def show(self, **kwargs) -> None:
        """Called by `app.go`; load what the screen shows."""

    def fail(self, message: str, _exc=None) -> None:
        self.error = message
