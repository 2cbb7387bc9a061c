"""Capture: a camera on Android, a file chooser on the desktop; preview, then upload with progress."""

from __future__ import annotations

import time
from pathlib import Path

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.utils import platform

from mobile.screens.base import BaseScreen

POLL_SECONDS = 3
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
MEDIA_FILTERS = ["*.jpg", "*.jpeg", "*.png", "*.JPG", "*.JPEG", "*.PNG", "*.mp4", "*.mov", "*.webm", "*.MP4", "*.MOV"]


class CaptureScreen(BaseScreen):
    title_text = "Analyse"
    selected = StringProperty("")
    selected_name = StringProperty("")
    uploading = BooleanProperty(False)
    progress = NumericProperty(0)
    status = StringProperty("")
    hint = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.replaces: int | None = None
        self.camera = None
        self.chooser = None
        Clock.schedule_once(self._build_source, 0)

    def _build_source(self, _dt) -> None:
        box = self.ids.source
        if platform == "android":
            self._build_camera(box)
        else:
            self._build_chooser(box)

    def _build_camera(self, box) -> None:
        from kivy.factory import Factory
        from kivy.uix.camera import Camera

        try:
            from android.permissions import Permission, request_permissions

            request_permissions([Permission.CAMERA, Permission.READ_EXTERNAL_STORAGE])
        except ImportError:
            pass
        self.hint = "Frame your whole body from the side, then take a photo or record a short clip."
        self.camera = Camera(play=False, resolution=(1280, 720))
        box.add_widget(self.camera)
        button = Factory.PrimaryButton(text="Take photo")
        button.bind(on_release=lambda *_: self.take_photo())
        box.add_widget(button)
        record = Factory.FlatButton(text="Record a clip")
        record.bind(on_release=lambda *_: self.record_clip())
        box.add_widget(record)

    def _build_chooser(self, box) -> None:
        from kivy.uix.filechooser import FileChooserListView

        self.hint = "Pick a photo (JPEG, PNG) or a clip (MP4, MOV, WebM) of yourself training."
        start = self.app.settings_data.get("pick_dir") or str(Path.home())
        self.chooser = FileChooserListView(path=start, filters=MEDIA_FILTERS, font_name="Roboto")
        self.chooser.bind(selection=lambda _c, sel: self.choose(sel[0]) if sel else None)
        box.add_widget(self.chooser)

    def show(self, **kwargs) -> None:
        self.error = ""
        if self.camera is not None:
            self.camera.play = True

    def on_leave(self, *args):
        if self.camera is not None:
            self.camera.play = False

    def take_photo(self) -> None:
        path = self.app.data_dir / f"capture-{int(time.time())}.png"
        self.camera.export_to_png(str(path))
        self.choose(str(path))

    def record_clip(self) -> None:
        """Record a clip with the phone's camera app (plyer); the clip comes back to `choose`."""
        try:
            from plyer import camera
        except ImportError:
            self.error = "Recording needs the plyer package, which this build does not include."
            return
        if self.camera is not None:
            self.camera.play = False  # free the camera for the recorder
        path = str(self.app.data_dir / f"clip-{int(time.time())}.mp4")
        camera.take_video(filename=path, on_complete=lambda done: Clock.schedule_once(lambda _dt: self._recorded(done)))

    def _recorded(self, path: str) -> bool:
        if self.camera is not None:
            self.camera.play = True
        if path and Path(path).is_file():
            self.choose(path)
        else:
            self.error = "No clip was recorded."
        return False

    def choose(self, path: str) -> None:
        """Select a file to analyse and preview it."""
        self.selected = str(path)
        self.selected_name = Path(path).name
        self.replaces = None
        self.error = self.status = ""
        self.progress = 0
        if Path(path).suffix.lower() in IMAGE_EXTENSIONS:
            self.ids.preview.source = str(path)
            self.ids.preview.opacity = 1
        else:
            self.ids.preview.source = ""
            self.ids.preview.opacity = 0
            self.selected_name += "\n(clip: reps are counted and each is judged)"

    def reanalyse(self, path: str, exercise: str, replaces: int | None) -> None:
        """Analyse `path` again, judged as `exercise`; the analysis it `replaces` is deleted once the new one is in."""
        self.choose(path)
        self.ids.exercise.text = exercise.replace("_", " ")
        self.replaces = replaces
        self.analyse()

    def analyse(self) -> None:
        if not self.selected or self.uploading:
            return
        self.uploading, self.progress, self.error = True, 0, ""
        self.status = "Uploading..."
        exercise = self.ids.exercise.text.strip().lower().replace(" ", "_") or None
        self.app.call(self.app.client.analyse, self.selected, exercise, progress=self._on_progress,
                      on_ok=self._done, on_error=self._failed)  # fmt: skip

    def _on_progress(self, sent: int, total: int) -> None:
        Clock.schedule_once(lambda _dt: self._set_progress(sent, total), 0)

    def _set_progress(self, sent: int, total: int) -> None:
        if not self.uploading:
            return
        self.progress = sent / total if total else 1
        self.status = (
            f"Uploading {sent / 1e6:.1f} of {total / 1e6:.1f} MB" if sent < total else "Analysing on the server..."
        )

    def _done(self, analysis: dict) -> None:
        self.uploading = False
        self.progress = 1
        if analysis.get("status") in ("queued", "running"):
            self.status = "This clip is long: it is being analysed on the server..."
            Clock.schedule_once(lambda _dt: self._poll(analysis["id"]), POLL_SECONDS)
            return
        if analysis.get("status") == "failed":
            self.replaces = None
            self.error = f"The analysis failed: {analysis.get('error') or 'unknown reason'}"
            return
        self.status = ""
        if self.replaces is not None:
            self.app.call(self.app.client.delete_analysis, self.replaces, busy=False, on_error=lambda *_: None)
            self.replaces = None
        self.app.go("result", analysis=analysis, source=self.selected)

    def _poll(self, analysis_id: int) -> None:
        """Follow a queued clip (202 + Location) until it has succeeded or failed."""
        self.app.call(self.app.client.analysis, analysis_id, on_ok=self._done, on_error=self._failed, busy=False)

    def _failed(self, message: str, _exc=None) -> None:
        self.replaces = None
        self.uploading = False
        self.status = ""
        self.error = message
