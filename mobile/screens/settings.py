"""Settings: server address, kg or lb, the live camera and on-device pose model, spoken cues (plyer TTS)."""

from __future__ import annotations

from importlib.util import find_spec

from kivy.properties import StringProperty

from mobile.screens.base import BaseScreen
from mobile.system import load_tts


class SettingsScreen(BaseScreen):
    title_text = "Settings"
    tts_note = StringProperty("")
    pose_note = StringProperty("")

    def show(self, **kwargs) -> None:
        self.error = ""
        data = self.app.settings_data
        self.ids.server_url.text = data.get("server_url", "")
        self.ids.units_kg.state = "down" if data.get("units", "kg") == "kg" else "normal"
        self.ids.units_lb.state = "down" if data.get("units") == "lb" else "normal"
        self.ids.spoken_cues.active = bool(data.get("spoken_cues"))
        self.ids.camera.text = data.get("camera", "")
        self.ids.pose_model.text = data.get("pose_model", "")
        self.pose_note = "" if find_spec("onnxruntime") else "ONNX Runtime is not installed: pose runs on the server."
        self.tts_note = "" if load_tts() else "Speech is not available on this device: cues stay silent."

    def save(self) -> None:
        url = self.ids.server_url.text.strip()
        if not url.startswith(("http://", "https://")):
            self.error = "The server address starts with http:// or https://"
            return
        self.error = ""
        units = "lb" if self.ids.units_lb.state == "down" else "kg"
        ids = self.ids
        self.app.save_settings(server_url=url.rstrip("/"), units=units, spoken_cues=ids.spoken_cues.active,
                               camera=ids.camera.text.strip(), pose_model=ids.pose_model.text.strip())  # fmt: skip
        self.app.notify("Settings saved.")
        self.back()

    def back(self) -> None:
        self.app.go("home" if self.app.client.signed_in else "login")
