"""Live: a set coached as it happens. Pick the exercise and a target; then the camera preview with the skeleton,
the rep counter (or the seconds held), the cue to fix now in large text and spoken; then the set's summary, which
can be logged as a workout.

The camera is read and the frames sent on worker threads (`mobile.live.LiveStreamer`); what they report comes
back to the UI through `Clock.schedule_once`. On the desktop the camera is a webcam or a clip (OpenCV) and pose
may run here; on Android it is the phone's camera through Kivy (`mobile.phone_camera`, opened on the UI thread once
the CAMERA permission is granted) and the frames go as JPEG, posed on the server.
"""

from __future__ import annotations

import threading
import time
from functools import partial

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, ListProperty, OptionProperty, StringProperty

from mobile.camera import CameraUnavailable, describe_camera, open_camera
from mobile.cues import CueCooldown
from mobile.errors import friendly_error
from mobile.formatting import SEVERITY_COLOURS, issue_markup, nice, rep_line
from mobile.live import LiveStreamer
from mobile.phone_camera import describe_phone_camera_setting, open_phone_camera
from mobile.pose import open_pose
from mobile.screens.base import BaseScreen
from mobile.system import is_android

PER_PAGE = 100
TARGET_LIMITS = {"reps": 1000, "seconds": 3600}
DEFAULT_TARGETS = {"reps": "10", "seconds": "30"}
PHASES = {
    "waiting": "Get into the camera's view, side on",
    "rest": "Ready",
    "in_rep": "In a rep",
    "holding": "Holding with good form",
    "fault": "Fix your form: the clock waits",
}
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
GOOD_FORM = "Good form: keep going"
CAMERA_REFUSED = "Live coaching films you: allow FitCoach to use the camera (Android's settings, Apps, FitCoach)."
CAMERA_HINTS = {
    "desktop": "Film yourself side on, whole body in view. Change the camera in Settings (a webcam, or a clip file).",
    "android": "Film yourself side on, whole body in view. Change the camera in Settings (webcam:1 for the front one).",
}


def live_exercises(client) -> list[dict]:
    """The catalogue's exercises with posture checks (those a live session coaches), by name."""
    found, page = [], 1
    while True:
        data = client.exercises(page=page, per_page=PER_PAGE)
        found += [exercise for exercise in data["items"] if exercise.get("posture_checks")]
        if page >= (data.get("pages") or 1):
            return sorted(found, key=lambda exercise: exercise["name"])
        page += 1


def request_camera_permission(on_granted, on_refused) -> None:
    """Ask Android for the CAMERA permission (once; afterwards it is known) and run `on_granted()` or
    `on_refused()` on the UI thread; where there is no `android.permissions` (the desktop) it is granted."""
    try:
        from android.permissions import Permission, check_permission, request_permissions
    except ImportError:
        on_granted()
        return
    if check_permission(Permission.CAMERA):
        on_granted()
        return

    def answered(_permissions, grants):
        Clock.schedule_once(lambda _dt: on_granted() if grants and all(grants) else on_refused())

    request_permissions([Permission.CAMERA], answered)


def hex_colour(code: str) -> list[float]:
    return [int(code[i : i + 2], 16) / 255 for i in (0, 2, 4)] + [1]


GOOD_COLOUR = hex_colour("2e7d32")


class LiveScreen(BaseScreen):
    title_text = "Live coaching"
    stage = OptionProperty("setup", options=["setup", "live", "summary"])
    exercise_names = ListProperty([])
    checks_text = StringProperty("")
    target_kind = OptionProperty("reps", options=["reps", "seconds"])
    source_text = StringProperty("")
    camera_hint = StringProperty(CAMERA_HINTS["desktop"])
    starting = BooleanProperty(False)
    count_text = StringProperty("0")
    target_text = StringProperty("")
    phase_text = StringProperty("")
    cue_text = StringProperty("")
    cue_detail = StringProperty("")
    cue_colour = ListProperty(GOOD_COLOUR)
    status = StringProperty("")
    summary_title = StringProperty("")
    summary_score = StringProperty("")
    log_text = StringProperty("Log as a workout")
    finished = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.exercises: dict[str, dict] = {}
        self.session: dict | None = None
        self.streamer = None
        self._reset_set()
        self._latest_frame = None
        self._frame_lock = threading.Lock()

    def _reset_set(self) -> None:
        self.reps: list[dict] = []
        self.faults_seen: dict[str, dict] = {}
        self.rep_count = 0
        self.hold_s: float | None = None
        self.shown_cue: str | None = None
        self.cues = CueCooldown()
        self.target_said = False

    def on_stage(self, _screen, stage: str) -> None:
        self.ids.stages.current = stage

    # -- setup --------------------------------------------------------------------------------------------------
    def show(self, **kwargs) -> None:
        self.error = ""
        spec = self.app.settings_data.get("camera", "")
        if is_android():
            self.source_text = describe_phone_camera_setting(spec) + " Pose on the server."
            self.camera_hint = CAMERA_HINTS["android"]
        else:
            self.source_text = describe_camera(spec)
            self.camera_hint = CAMERA_HINTS["desktop"]
        if not self.exercises:
            self.app.call(live_exercises, self.app.client, on_ok=self._got_exercises, on_error=self.fail)

    def _got_exercises(self, exercises: list[dict]) -> None:
        self.exercises = {exercise["name"]: exercise for exercise in exercises}
        self.exercise_names = list(self.exercises)
        push_up = next((e["name"] for e in exercises if e["label"] == "push_up"), None)
        self.ids.exercise.text = push_up or self.exercise_names[0]

    def select_exercise(self, name: str) -> None:
        exercise = self.exercises.get(name)
        if not exercise:
            return
        checks = [check["description"] for check in exercise["posture_checks"]]
        self.checks_text = "Checks: " + "; ".join(checks) + "."
        self.set_target_kind("seconds" if exercise.get("measure") == "seconds" else "reps")

    def set_target_kind(self, kind: str) -> None:
        self.target_kind = kind
        self.ids.target_reps.state = "down" if kind == "reps" else "normal"
        self.ids.target_seconds.state = "down" if kind == "seconds" else "normal"
        self.ids.target.text = DEFAULT_TARGETS[kind]

    @property
    def exercise(self) -> dict | None:
        return self.exercises.get(self.ids.exercise.text)

    def start(self) -> None:
        """Open the camera (and pose on the device), start a session on the server, then stream."""
        exercise = self.exercise
        if exercise is None or self.starting:
            return
        text = self.ids.target.text.strip()
        limit = TARGET_LIMITS[self.target_kind]
        if not text.isdigit() or not 1 <= int(text) <= limit:
            self.error = f"The target is a whole number of {self.target_kind} from 1 to {limit}."
            return
        self.error, self.starting = "", True
        target = {f"target_{self.target_kind}": int(text)}
        settings = self.app.settings_data
        if is_android():
            request_camera_permission(partial(self._start_on_phone, exercise, target), self._camera_refused)
            return

        def prepare():
            camera = open_camera(settings.get("camera", ""))
            try:
                pose = open_pose(camera, settings.get("pose_model", ""))
                session = self.app.client.create_live_session(exercise["label"], **target)
            except BaseException:
                camera.close()
                raise
            return camera, pose, session

        self.app.call(prepare, on_ok=self._began, on_error=self._not_started)

    def _start_on_phone(self, exercise: dict, target: dict) -> None:
        """On the UI thread, where Kivy's camera lives: open the phone's camera, then start a session on the
        server; the frames go as JPEG and the server finds the pose."""
        try:
            camera = open_phone_camera(self.app.settings_data.get("camera", ""))
        except CameraUnavailable as exc:
            self._not_started(str(exc), exc)
            return

        def prepare():
            try:
                session = self.app.client.create_live_session(exercise["label"], **target)
            except BaseException:
                camera.close()
                raise
            return camera, None, session

        self.app.call(prepare, on_ok=self._began, on_error=self._not_started)

    def _camera_refused(self) -> None:
        self._not_started(CAMERA_REFUSED)

    def _not_started(self, message: str, exc=None) -> None:
        self.starting = False
        self.error = str(exc) if isinstance(exc, CameraUnavailable) else message

    def _began(self, prepared) -> None:
        camera, pose, session = prepared
        self.starting = False
        self.session = session
        self._reset_set()
        self.finished = False
        self.status = self.error = ""
        self.source_text = f"{camera.description}. {pose.description if pose else 'Pose on the server'}."
        self.ids.preview.keypoints = []
        self._show_standing(session)
        self._show_cue(None)
        self.stage = "live"
        self.streamer = streamer = LiveStreamer(
            self.app.client, session["id"], camera, pose, on_frame=self._frame_arrived,
            on_update=lambda update: self._post(streamer, self._updated, update),
            on_status=lambda text: self._post(streamer, partial(setattr, self, "status"), text),
            on_end=lambda error: self._post(streamer, self._ended, error),
        )  # fmt: skip
        self.streamer.start()

    # -- during the set -----------------------------------------------------------------------------------------
    def _post(self, streamer, handler, value) -> None:
        """From a worker thread: `handler(value)` on the UI thread, unless that streamer's set was left since."""
        Clock.schedule_once(lambda _dt: handler(value) if streamer is self.streamer else None)

    def _frame_arrived(self, frame) -> None:
        """On the camera thread: keep the latest frame; the UI shows it at its own pace."""
        with self._frame_lock:
            waiting, self._latest_frame = self._latest_frame is not None, frame
        if not waiting:
            Clock.schedule_once(self._show_frame)

    def _show_frame(self, _dt=None) -> None:
        with self._frame_lock:
            frame, self._latest_frame = self._latest_frame, None
        if frame is not None:
            height, width = frame.image.shape[:2]
            self.ids.preview.show_frame(frame.image.tobytes(), width, height)

    def _updated(self, update: dict) -> None:
        # A duplicate answers a batch sent again after its answer was lost: it is that lost answer, so it counts.
        self.reps += update.get("reps") or []
        for fault in update.get("faults_appeared") or []:
            self.faults_seen[fault["code"]] = fault
        active = update.get("active_faults") or []
        self._show_standing(update)
        poses = update.get("pose")
        if poses:
            person = next((p for p in reversed(poses) if p), None)
            self.ids.preview.keypoints_size = update["image_size"]
            self.ids.preview.keypoints = person["keypoints"] if person else []
        if update.get("cue"):
            self._show_cue(update["cue"], speak=True)
        elif self.shown_cue and self.shown_cue not in {fault["code"] for fault in active}:
            worst = min(active, key=lambda f: SEVERITY_RANK.get(f["severity"], 3), default=None)
            self._show_cue(worst)
        if update.get("target_reached") and not self.target_said:
            self.target_said = True
            self.cue_text, self.cue_detail = "Target reached: well done!", "Sending the last frames..."
            self.cue_colour = GOOD_COLOUR
            self.app.speak("Target reached. Well done.")
            self.end_set()

    def _show_standing(self, standing: dict) -> None:
        session = self.session or {}
        self.rep_count = standing.get("rep_count") or 0
        self.hold_s = standing.get("hold_s")
        if self.hold_s is not None:
            self.count_text = f"{self.hold_s:.0f} s"
            target = session.get("target_seconds")
            self.target_text = f"of {target} s, held with good form" if target else "held with good form"
        else:
            self.count_text = str(self.rep_count)
            target = session.get("target_reps")
            self.target_text = f"of {target} reps" if target else "reps"
        self.phase_text = PHASES.get(standing.get("phase") or "", "")

    def _show_cue(self, fault: dict | None, speak: bool = False) -> None:
        """The fault to fix now in large text (its correction first), spoken when the cooldown allows."""
        self.shown_cue = fault["code"] if fault else None
        if fault is None:
            self.cue_text, self.cue_detail = GOOD_FORM, ""
            self.cue_colour = GOOD_COLOUR
            return
        self.cue_text, self.cue_detail = fault["correction"], fault["message"]
        self.cue_colour = hex_colour(SEVERITY_COLOURS.get(fault.get("severity"), SEVERITY_COLOURS["low"]))
        if speak and self.cues.should_say(fault["code"], time.monotonic()):
            self.app.speak(fault["correction"])

    def end_set(self) -> None:
        """Stop the camera; the frames read are still sent, then the summary shows."""
        if self.streamer is not None:
            self.streamer.stop()
            self.status = "Sending the last frames..."

    def on_leave(self, *args):
        self.end_set()

    def _ended(self, error) -> None:
        self.streamer = None
        self.status = ""
        if error is not None:
            self.error = friendly_error(error)
        self._fill_summary(self.reps, list(self.faults_seen.values()), None, self.hold_s)
        self.stage = "summary"

    # -- the summary --------------------------------------------------------------------------------------------
    def _fill_summary(self, reps: list[dict], issues: list[dict], score: float | None, hold_s: float | None) -> None:
        label = (self.session or {}).get("exercise")
        name = next((e["name"] for e in self.exercises.values() if e["label"] == label), nice(label))
        if hold_s is not None:
            self.summary_title = f"{name}: {hold_s:.0f} s held with good form"
        else:
            count = len(reps) if reps else self.rep_count
            self.summary_title = f"{name}: {count} rep{'s' if count != 1 else ''}"
        scores = [rep["score"] for rep in reps if rep.get("score") is not None]
        score = score if score is not None else (sum(scores) / len(scores) if scores else None)
        self.summary_score = f"Form score {score:.0f}/100" if score is not None else "No rep was judged."
        per_rep = self.ids.summary_reps
        per_rep.clear_widgets()
        for number, rep in enumerate(reps, start=1):
            per_rep.add_widget(Factory.Muted(text=rep_line(rep, number)))
        faults = self.ids.summary_faults
        faults.clear_widgets()
        for issue in issues:
            faults.add_widget(Factory.WrapLabel(text=issue_markup(issue), markup=True))
        if not issues:
            faults.add_widget(Factory.Muted(text="No faults seen."))

    def finish(self, log_workout: bool) -> None:
        """Finish the session on the server (stored as an analysis), logged as a workout when asked."""
        if self.session is None or self.finished:
            return
        weight = self.ids.weight.text.strip()
        try:
            weight_kg = round(self.app.to_kg(float(weight)), 2) if weight else None
        except ValueError:
            self.error = f"Type the load in {self.app.units}, e.g. 20, or leave it empty."
            return
        self.error = ""
        self.app.call(self.app.client.finish_live_session, self.session["id"], log_workout=log_workout,
                      weight_kg=weight_kg, on_ok=self._finished, on_error=self.fail)  # fmt: skip

    def _finished(self, answer: dict) -> None:
        self.finished = True
        analysis = answer["analysis"]
        posture = analysis.get("posture") or {}
        reps = (analysis.get("reps") or {}).get("per_rep") or []
        self._fill_summary(reps, posture.get("issues") or [], posture.get("score"), posture.get("hold_s"))
        self.app.last_analysis = analysis
        if answer.get("workout_id"):
            self.log_text = "Logged as a workout"
            self.app.notify("Workout logged.")
        else:
            self.log_text = "Saved to your analyses"
            self.app.notify("Set saved.")

    def discard(self) -> None:
        """Throw the set away: stop streaming and delete the session on the server."""
        if self.streamer is not None:
            self.streamer.abort()
            self.streamer = None
        if self.session is not None and not self.finished:
            self.app.call(self.app.client.delete_live_session, self.session["id"], busy=False,
                          on_error=lambda *_: None)  # fmt: skip
        self.new_set()

    def new_set(self) -> None:
        self.session = None
        self._reset_set()
        self.finished = False
        self.log_text = "Log as a workout"
        self.ids.weight.text = ""
        self.stage = "setup"
