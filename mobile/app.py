"""The FitCoach Kivy app: one ScreenManager, network calls on worker threads, friendly errors."""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, DictProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from mobile import api_client as api
from mobile.errors import friendly_error
from mobile.system import load_kv, load_tts
from mobile.widgets import AdherenceBar, BarChart, BusyIndicator, LineChart, LivePreview  # noqa: F401  (kv classes)

LB_PER_KG = 2.20462
DEFAULT_SETTINGS = {"server_url": api.DEFAULT_URL, "units": "kg", "spoken_cues": False, "camera": "webcam",
                    "pose_model": "", "pick_dir": ""}  # fmt: skip
# Settings the environment can give, over settings.json: the one place where the app reads its environment.
ENVIRONMENT_SETTINGS = {"FITCOACH_URL": "server_url", "FITCOACH_CAMERA": "camera", "FITCOACH_POSE_MODEL": "pose_model",
                        "FITCOACH_PICK_DIR": "pick_dir"}  # fmt: skip
NAV_SCREENS = ("home", "capture", "plans", "progress", "profile")
NAV_PARENT = {"result": "capture", "plan": "plans", "day": "plans", "training": "profile", "live": "home"}


class RootLayout(BoxLayout):
    title = StringProperty("FitCoach")
    busy = BooleanProperty(False)
    message = StringProperty("")
    message_is_error = BooleanProperty(False)
    show_nav = BooleanProperty(False)


def environment_settings() -> dict:
    """The settings named by FITCOACH_* variables that are set (server address, live camera, pose model...)."""
    return {key: os.environ[name] for name, key in ENVIRONMENT_SETTINGS.items() if os.environ.get(name)}


class FitCoachApp(App):
    """The app. `server_url` and `data_dir` override the settings file and Kivy's user data dir (tests)."""

    title = "FitCoach"
    settings_data = DictProperty(dict(DEFAULT_SETTINGS))
    user = DictProperty({})
    busy_count = NumericProperty(0)
    last_analysis = ObjectProperty(None, allownone=True)

    def __init__(self, server_url: str | None = None, data_dir: str | os.PathLike | None = None, **kwargs):
        super().__init__(**kwargs)
        self._data_dir = Path(data_dir) if data_dir else None
        self._server_override = server_url
        self.screens: dict = {}
        self._toast_event = None
        self.speech = None

    # -- storage ---------------------------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        path = self._data_dir or Path(self.user_data_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def settings_path(self) -> Path:
        return self.data_dir / "settings.json"

    def saved_settings(self) -> dict:
        with contextlib.suppress(OSError, ValueError):
            return json.loads(self.settings_path.read_text())
        return {}

    def load_settings(self) -> dict:
        """The defaults, then settings.json, then the environment, then the server given to the constructor."""
        data = dict(DEFAULT_SETTINGS) | self.saved_settings() | environment_settings()
        if self._server_override:
            data["server_url"] = self._server_override
        return data

    def save_settings(self, **changes) -> None:
        """Apply `changes` and write them into settings.json over what it held (only what changed is written, not
        the values that came from the environment)."""
        self.settings_data.update(changes)
        self.settings_path.write_text(json.dumps(self.saved_settings() | changes, indent=1))
        self.client.base_url = self.settings_data["server_url"]

    # -- units ---------------------------------------------------------------------------------------------------
    @property
    def units(self) -> str:
        return self.settings_data.get("units", "kg")

    def weight_text(self, kg: float | None, digits: int = 1) -> str:
        if kg is None:
            return "-"
        value = kg * LB_PER_KG if self.units == "lb" else kg
        return f"{value:.{digits}f} {self.units}"

    def weight_value(self, kg: float | None) -> float | None:
        return None if kg is None else (kg * LB_PER_KG if self.units == "lb" else kg)

    def to_kg(self, value: float) -> float:
        return value / LB_PER_KG if self.units == "lb" else value

    # -- building --------------------------------------------------------------------------------------------
    def build(self):
        from mobile.screens import SCREEN_CLASSES

        self.settings_data = self.load_settings()
        self.client = api.ApiClient(self.settings_data["server_url"], token_path=self.data_dir / "tokens.json")
        load_kv("common")
        root = RootLayout()
        for name, cls in SCREEN_CLASSES.items():
            screen = cls(name=name)
            self.screens[name] = screen
            root.ids.sm.add_widget(screen)
        self.root = root
        self.bind(busy_count=lambda *_: setattr(root, "busy", self.busy_count > 0))
        if self.client.signed_in and self.client.user:
            self.user = dict(self.client.user)
            self.go("home")
            self.call(self.client.me, on_ok=self._got_me, quiet_auth=False)
        else:
            self.go("login")
        return root

    def on_start(self):
        if self.settings_data.get("spoken_cues"):
            self.speech = load_tts()

    # -- navigation ----------------------------------------------------------------------------------------------
    def go(self, name: str, **kwargs) -> None:
        sm = self.root.ids.sm
        screen = self.screens[name]
        sm.current = name
        self.root.title = screen.title_text
        self.root.show_nav = name != "login"
        tab = NAV_PARENT.get(name, name)
        for other in NAV_SCREENS:
            self.root.ids[f"nav_{other}"].state = "down" if other == tab else "normal"
        screen.show(**kwargs)

    @property
    def current(self) -> str:
        return self.root.ids.sm.current

    def _got_me(self, me: dict) -> None:
        self.user = me

    # -- calls ---------------------------------------------------------------------------------------------
    def call(self, fn, *args, on_ok=None, on_error=None, busy: bool = True, context: str = "",
             quiet_auth: bool = False, **kwargs):  # fmt: skip
        """Run `fn(*args, **kwargs)` on a worker thread; `on_ok(result)` or `on_error(message, exc)` run on the
        UI thread afterwards. Errors without `on_error` show as a banner; a 401 outside sign-in returns to it."""
        if busy:
            self.busy_count += 1

        def worker():
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001  (every failure is reported to the UI)
                failure = exc
                Clock.schedule_once(lambda _dt: self._finish_error(failure, on_error, busy, context, quiet_auth), 0)
            else:
                Clock.schedule_once(lambda _dt: self._finish_ok(result, on_ok, busy), 0)

        thread = threading.Thread(target=worker, daemon=True, name=f"fitcoach-{getattr(fn, '__name__', 'call')}")
        thread.start()
        return thread

    def _finish_ok(self, result, on_ok, busy):
        if busy:
            self.busy_count -= 1
        if on_ok:
            on_ok(result)

    def _finish_error(self, exc, on_error, busy, context, quiet_auth):
        if busy:
            self.busy_count -= 1
        message = friendly_error(exc, context)
        session_over = isinstance(exc, api.AuthError) and context != "login"
        if on_error:
            on_error(message, exc)
        elif not (quiet_auth and session_over):
            self.notify(message, error=True)
        if session_over:
            self.client.tokens.clear()
            self.user = {}
            self.go("login")
            self.screens["login"].error = message

    def notify(self, text: str, error: bool = False, seconds: float = 5) -> None:
        self.root.message = text
        self.root.message_is_error = error
        if self._toast_event:
            self._toast_event.cancel()
        self._toast_event = Clock.schedule_once(lambda _dt: setattr(self.root, "message", ""), seconds)

    # -- session -------------------------------------------------------------------------------------------
    def signed_in(self, login: dict) -> None:
        self.user = dict(login.get("user") or {})
        self.go("home")
        self.call(self.client.me, on_ok=self._got_me)

    def sign_out(self) -> None:
        def done(*_):
            self.user = {}
            self.go("login")

        self.call(self.client.logout, on_ok=done, on_error=done)

    @property
    def is_admin(self) -> bool:
        return self.user.get("role") == "admin"

    # -- spoken cues ---------------------------------------------------------------------------------------------
    def speak(self, text: str) -> bool:
        """Say `text` on a worker thread (an engine such as espeak blocks while it talks) when spoken cues are on
        and plyer's TTS is available; otherwise do nothing. Whether it was handed to the engine."""
        if not self.settings_data.get("spoken_cues") or not text:
            return False
        if self.speech is None:
            self.speech = load_tts()
        if not self.speech:
            return False
        threading.Thread(target=self._say, args=(self.speech, text), daemon=True, name="fitcoach-speech").start()
        return True

    @staticmethod
    def _say(speech, text: str) -> None:
        with contextlib.suppress(Exception):  # no speech engine on this device: stay silent
            speech.speak(message=text)
