"""The real Kivy app under a display (Xvfb), driven against the real API: sign in, capture, result, plans,
log a session, progress, profile, training and errors. Assertions are on widget state, not only "no crash".

One app (and one window) for the whole module, as Kivy allows one window per process; each test signs in
again when it needs to. That is why this module is over 400 lines: splitting it needs the app fixture at session
scope in conftest.py, shared by every UI module, which only a run under a display can check."""

from __future__ import annotations

import pytest

from mobile.formatting import analysis_line, nice
from tests.mobile.conftest import PASSWORD


@pytest.fixture(scope="module")
def demo(live):
    """A seeded admin account (profile, plan, workouts, body weight, analyses, training job)."""
    from mobile.devserver import seed_demo

    return seed_demo(live, email="ui.demo@example.com", password=PASSWORD)


@pytest.fixture(scope="module")
def ui(display, live, demo, tmp_path_factory):
    """The app, started once for the module. Only a missing display skips (the `display` fixture); an app that
    does not start fails every test here."""
    from mobile import uidriver

    app = uidriver.start_app(live.url, tmp_path_factory.mktemp("app-data"), (360, 800))
    uidriver.app = app
    yield uidriver
    uidriver.stop(app)


def sign_in(ui, password=PASSWORD):
    app = ui.app
    if app.client.signed_in and app.current != "login":
        return
    ui.go(app, "login")
    login = app.screens["login"]
    login.register_mode = False
    login.ids.email.text = "ui.demo@example.com"
    login.ids.password.text = password
    login.ids.submit.dispatch("on_release")
    ui.settle(app)


def test_starts_on_sign_in_and_a_wrong_password_says_so(ui):
    app = ui.app
    assert app.current == "login"
    assert not app.root.show_nav
    sign_in(ui, password="not-the-password-1")
    assert app.current == "login"
    assert app.screens["login"].error == "Wrong email or password."


def test_register_shows_the_servers_reason_for_a_weak_password(ui):
    app = ui.app
    ui.go(app, "login")
    login = app.screens["login"]
    login.ids.mode_register.dispatch("on_release")
    assert login.register_mode and login.ids.submit.text == "Create account"
    login.ids.name.text, login.ids.email.text, login.ids.password.text = "Bo", "bo@example.com", "short"
    login.submit()
    ui.settle(app)
    assert login.error.startswith("The password is too weak: password: at least 10 characters")
    login.register_mode = False


def sign_out(ui):
    app = ui.app
    if app.client.signed_in:
        app.sign_out()
        ui.settle(app)
    assert app.current == "login" and not app.client.signed_in


def test_sign_in_lands_on_home_with_plan_adherence_and_analyses(ui, demo):
    app = ui.app
    sign_out(ui)
    sign_in(ui)
    assert app.current == "home" and app.root.show_nav
    home = app.screens["home"]
    ui.settle(app)
    assert home.greeting == "Hello Ada"
    assert home.today_text.startswith(("Today: ", "Next: "))
    assert home.day_id
    latest = app.client.analyses()
    assert len(home.ids.analyses.children) == min(3, latest["total"]) >= 2, "the latest three, the seeded two at least"
    assert home.ids.analyses.children[-1].text.startswith(analysis_line(latest["items"][0]).split("\n")[0])
    assert "planned sessions" in home.adherence_text or "logged this week" in home.adherence_text
    assert app.client.tokens.path.stat().st_mode & 0o777 == 0o600


def test_capture_a_photo_then_result_then_log_it(ui, photo):
    app = ui.app
    sign_in(ui)
    ui.go(app, "capture")
    capture = app.screens["capture"]
    assert capture.chooser is not None  # the desktop path: a file chooser
    assert capture.ids.analyse.disabled
    capture.chooser.path = str(photo.parent)
    ui.pump(0.3)
    capture.chooser.selection = [str(photo)]
    ui.pump(0.1)
    assert capture.selected == str(photo) and capture.selected_name == "zidane.jpg"
    assert not capture.ids.analyse.disabled
    capture.ids.exercise.text = "push up"
    seen = []
    capture.bind(progress=lambda _w, value: seen.append(value))
    capture.ids.analyse.dispatch("on_release")
    assert capture.uploading
    ui.settle(app, timeout=90)
    assert seen and seen[-1] == 1
    assert app.current == "result"
    result = app.screens["result"]
    answer = app.client.analyses()["items"][0]["exercise"]
    if answer["label"]:
        assert result.exercise_text.endswith("%") and result.runners_up.startswith("Also possible: ")
    else:  # below the recognizer's confidence threshold: said plainly, with the reason and the best guesses
        assert result.exercise_text == "Exercise not recognised"
        assert answer["reason"][1:] in result.runners_up and "Best guesses: " in result.runners_up
    assert result.score_text.startswith("Form score 85/100")
    assert "Judged as push up" in result.score_detail
    issues = [w.text for w in result.ids.issues.children]
    assert len(issues) == 1 and "Elbows flaring" in issues[0] and "Fix: " in issues[0]
    assert result.ids.annotated.texture is not None and result.ids.annotated.texture.width == 1280
    assert result.reps_text == ""  # a photo has no reps
    workouts_before = app.client.workouts()["total"]
    result.ids.log_button.dispatch("on_release")
    ui.settle(app)
    assert result.logged and result.log_text.startswith("Logged as a workout on ")
    assert result.ids.log_button.disabled
    assert app.client.workouts()["total"] == workouts_before + 1


def test_an_unsure_result_is_judged_again_as_the_users_pick_and_replaced(ui, photo):
    app = ui.app
    sign_in(ui)
    first = app.client.analyse(photo)  # no exercise given: recognition alone
    recognised = first["exercise"]
    guesses = [t["label"] for t in recognised["top5"] if t["label"] != recognised["label"]][:3]
    ui.go(app, "result", analysis=first, source=str(photo))
    result = app.screens["result"]
    assert result.ids.choices_card.opacity == 1 and not result.ids.choices_card.disabled
    expected_title = f"Not {nice(recognised['label']).lower()}?" if recognised["label"] else "Which exercise is it?"
    assert result.choice_title.startswith(expected_title)
    buttons = list(reversed(result.ids.choices.children))
    assert [button.text for button in buttons] == [nice(guess) for guess in guesses]

    buttons[0].dispatch("on_release")
    ui.settle(app, timeout=90)
    assert app.current == "result"
    again = result.analysis
    assert again["id"] != first["id"] and again["posture"]["exercise"] == guesses[0]

    def listed():
        return [a["id"] for a in app.client.analyses(per_page=100)["items"]]

    ui.wait_until(lambda: first["id"] not in listed(), 10, "the replaced analysis to be deleted")
    assert again["id"] in listed()

    result.ids.other_exercise.text = "Squat"
    result.ids.judge_other.dispatch("on_release")
    ui.settle(app, timeout=90)
    assert app.current == "result" and result.analysis["posture"]["exercise"] == "squat"
    ui.wait_until(lambda: again["id"] not in listed(), 10, "the replaced analysis to be deleted")

    kept = result.analysis["id"]
    result.ids.other_exercise.text = "flying"
    result.ids.judge_other.dispatch("on_release")
    ui.settle(app, timeout=90)
    capture = app.screens["capture"]
    assert app.current == "capture" and "flying" in capture.error
    assert kept in listed()  # a failed re-analysis loses nothing


def test_a_result_without_its_file_offers_no_re_judging(ui, demo):
    app = ui.app
    ui.go(app, "result", analysis=demo["analysis"])
    result = app.screens["result"]
    assert result.source == "" and result.ids.choices_card.opacity == 0 and result.ids.choices_card.disabled


def test_an_unsupported_file_shows_a_friendly_message(ui, tmp_path):
    app = ui.app
    sign_in(ui)
    fake = tmp_path / "notes.jpg"
    fake.write_bytes(b"plain text, not a photo" * 20)
    ui.go(app, "capture")
    capture = app.screens["capture"]
    capture.choose(str(fake))
    capture.ids.exercise.text = ""
    capture.analyse()
    ui.settle(app)
    assert app.current == "capture" and not capture.uploading
    assert capture.error.startswith("This file type is not supported.")


def test_result_of_a_clip_lists_each_rep(ui, demo):
    app = ui.app
    clip = dict(demo["analysis"], media_type="video")
    clip["reps"] = {"count": 2, "per_rep": [
        {"index": 0, "duration_s": 2.1, "range_of_motion_deg": 85, "score": 90, "issues": []},
        {"index": 1, "duration_s": 2.4, "range_of_motion_deg": 70, "score": 70, "issues": [{"code": "hips_sagging"}]},
    ]}  # fmt: skip
    ui.go(app, "result", analysis=clip)
    result = app.screens["result"]
    assert result.reps_text == "2 reps"
    lines = [w.text for w in reversed(result.ids.per_rep.children)]
    assert lines[0].startswith("Rep 1  |  form 90  |  2.1 s") and lines[1].endswith("Hips sagging")


def test_a_clip_named_one_of_the_new_classes_shows_it_and_its_runners_up(ui, demo):
    app = ui.app
    clip = dict(demo["analysis"], media_type="video")
    clip["exercise"] = {"label": "plank", "confidence": 0.97, "top5": [
        {"label": "plank", "confidence": 0.97}, {"label": "t_bar_row", "confidence": 0.02},
        {"label": "jumping_jack", "confidence": 0.01},
    ]}  # fmt: skip
    ui.go(app, "result", analysis=clip)
    result = app.screens["result"]
    assert result.exercise_text == "Plank  97%"
    assert result.runners_up.startswith("Also possible: T bar row 2%, Jumping jack 1%")


def test_plans_list_plan_weeks_day_and_mark_done(ui, demo):
    app = ui.app
    sign_in(ui)
    ui.go(app, "plans")
    plans = app.screens["plans"]
    assert len(plans.ids.plans.children) == 1
    plans.ids.plans.children[0].dispatch("on_release")
    ui.settle(app)
    assert app.current == "plan"
    plan_screen = app.screens["plan"]
    assert len(plan_screen.ids.weeks.children) == 4
    assert len(plan_screen.ids.days.children) == 3
    assert plan_screen.notes
    list(reversed(plan_screen.ids.weeks.children))[1].dispatch("on_release")
    assert plan_screen.week == 2
    week2 = demo["plan"]["content"]["schedule"][1]["days"]
    assert plan_screen.ids.days.children[-1].text.startswith(f"[b]{week2[0]['weekday']} {week2[0]['date']}")
    plan_screen.select_week(1)
    plan_screen.ids.days.children[-1].dispatch("on_release")
    ui.settle(app)
    assert app.current == "day"
    day = app.screens["day"]
    first_day = demo["plan"]["content"]["schedule"][0]["days"][0]
    assert len(day.ids.exercises.children) == len(first_day["exercises"])
    card = day.ids.exercises.children[-1]
    texts = [w.text for w in reversed(card.children)]
    assert "sets x" in texts[1] or "set x" in texts[1]
    assert "rest 180 s" in texts[1] and texts[2].startswith("Why: ")
    day.ids.done_button.dispatch("on_release")
    ui.settle(app)
    assert day.done and day.done_text.startswith("Done: logged")
    logged = app.client.workouts()["items"][0]
    assert logged["plan_day"] == first_day["day_id"]


@pytest.fixture
def kg(ui):
    """The app shows kilograms during the test and after it, whatever a test before or this one changed."""
    ui.app.save_settings(units="kg")
    yield
    ui.app.save_settings(units="kg")


@pytest.fixture
def body_weights_kept(ui, demo):
    """The demo account's body weights after the test are those from before it."""
    client = demo["client"]
    before = {metric["id"] for metric in client.body_metrics()["items"]}
    yield
    for metric in client.body_metrics()["items"]:
        if metric["id"] not in before:
            client.request("DELETE", f"/body-metrics/{metric['id']}")


@pytest.fixture
def profile_kept(ui, demo):
    """The demo account's profile as it was before the test, given back afterwards."""
    client = demo["client"]
    before = client.me()
    yield before
    client.update_profile(**{field: before[field] for field in ("age", "weight_kg", "goal", "limitations")})


def test_progress_charts_range_and_body_weight_entry(ui, kg, body_weights_kept):
    app = ui.app
    sign_in(ui)
    ui.go(app, "progress")
    progress = app.screens["progress"]
    logged = progress.data["body_weight"]
    assert len(progress.ids.volume.values) >= 8
    assert len(logged) >= 9, "the seeded body weights"
    assert progress.ids.weight.values == [pytest.approx(w["weight_kg"]) for w in logged]
    progress.ids.range_4.dispatch("on_release")
    ui.settle(app)
    assert progress.days == 28 and 0 < len(progress.ids.weight.values) < len(logged)
    progress.ids.weight_input.text = "65.4"
    progress.ids.save_weight.dispatch("on_release")
    ui.settle(app)
    assert progress.ids.weight.values[-1] == pytest.approx(65.4)
    assert progress.ids.weight_input.text == ""
    progress.ids.weight_input.text = "abc"
    progress.save_weight()
    assert progress.error.startswith("Type your weight in kg")


def test_pounds_setting_converts_weights(ui, kg):
    app = ui.app
    sign_in(ui)
    ui.go(app, "settings")
    settings = app.screens["settings"]
    settings.ids.units_lb.state, settings.ids.units_kg.state = "down", "normal"
    settings.ids.save.dispatch("on_release")
    ui.settle(app)
    assert app.units == "lb" and app.current == "home"
    ui.go(app, "progress")
    progress = app.screens["progress"]
    kilograms = [w["weight_kg"] for w in progress.data["body_weight"]]
    volume_kg = [w["total"] for w in progress.data["weekly_volume"]]
    assert kilograms and volume_kg, "the seeded body weights and workouts"
    assert progress.ids.weight.unit == "lb" and progress.ids.volume.unit == "lb x reps"
    assert progress.ids.weight.values == [pytest.approx(kg * 2.20462, abs=0.01) for kg in kilograms]
    assert progress.ids.volume.values == [pytest.approx(kg * 2.20462, abs=0.01) for kg in volume_kg]


def test_profile_shows_server_validation_message(ui, kg, profile_kept):
    app = ui.app
    sign_in(ui)
    ui.go(app, "profile")
    profile = app.screens["profile"]
    before = profile_kept
    assert profile.ids.age.text == f"{before['age']:g}" and profile.ids.weight.text == f"{before['weight_kg']:.1f}"
    assert profile.buttons["goal"][before["goal"]].state == "down"
    assert profile.is_admin and profile.ids.training.opacity == 1
    profile.ids.age.text = "7"
    profile.ids.save.dispatch("on_release")
    ui.settle(app)
    assert profile.error == "The profile has invalid values: age: must be between 13 and 100."
    assert app.client.me()["age"] == before["age"], "nothing saved"
    profile.ids.age.text = "35" if before["age"] != 35 else "36"
    knee = "knee" not in before["limitations"]
    profile.buttons["limitations"]["knee"].state = "down" if knee else "normal"
    profile.save()
    ui.settle(app)
    assert profile.error == "" and app.user["age"] == int(profile.ids.age.text)
    saved = app.client.me()
    assert (saved["age"], "knee" in saved["limitations"]) == (int(profile.ids.age.text), knee)


def test_training_jobs_metric_chart_and_activate(ui):
    app = ui.app
    sign_in(ui)
    ui.go(app, "training")
    ui.settle(app)
    training = app.screens["training"]
    assert len(training.ids.jobs.children) == 2
    assert training.metric == "map50_95" and len(training.ids.chart.values) == 12
    recall = next(b for b in training.ids.metric_choices.children if b.text == "recall")
    recall.dispatch("on_release")
    assert training.metric == "recall" and training.ids.chart.values[-1] > training.ids.chart.values[0]
    card = training.ids.models.children[0]
    button = card.children[0]
    assert button.text == "Activate"
    button.dispatch("on_release")
    ui.settle(app)
    assert training.ids.models.children[0].children[0].text == "Active"


def test_no_network_shows_a_friendly_banner(ui):
    from mobile.devserver import free_port

    app = ui.app
    sign_in(ui)
    real = app.client.base_url
    app.client.base_url = f"http://127.0.0.1:{free_port()}"
    try:
        ui.go(app, "plans")
        assert app.screens["plans"].error.startswith("No connection to the server.")
    finally:
        app.client.base_url = real


def test_an_ended_session_returns_to_sign_in(ui):
    app = ui.app
    sign_in(ui)
    app.client.tokens.update(access_token="not-a-token", refresh_token="not-a-token-either")
    ui.go(app, "progress")
    assert app.current == "login"
    assert app.screens["login"].error == "Your session has ended. Please sign in again."
    sign_in(ui)
    assert app.current == "home"
    ui.go(app, "profile")
    app.screens["profile"].ids.sign_out.dispatch("on_release")
    ui.settle(app)
    assert app.current == "login" and not app.client.signed_in


# -- live coaching: clips played as the camera into the real API ------------------------------------------------


def open_live(ui, camera: str):
    app = ui.app
    sign_in(ui)
    app.save_settings(camera=camera)
    ui.go(app, "live")
    live = app.screens["live"]
    if live.stage == "summary":
        live.ids.next_button.dispatch("on_release")
    ui.wait_until(lambda: live.exercise_names, 30, "the exercises")
    return live


def start_set(ui, live, exercise: str = "Push-up", target: str = "10"):
    live.ids.exercise.text = exercise
    live.ids.target.text = target
    live.ids.start.dispatch("on_release")
    ui.wait_until(lambda: live.stage == "live" or live.error, 30, "the set to start")
    assert live.stage == "live", live.error


@pytest.fixture
def spoken(ui, monkeypatch):
    said = []
    monkeypatch.setattr(ui.app, "speak", said.append)
    return said


def test_live_is_reached_from_home_and_offers_the_coached_exercises_with_their_targets(ui):
    app = ui.app
    sign_in(ui)
    ui.go(app, "home")
    app.screens["home"].ids.live_button.dispatch("on_release")
    ui.settle(app)
    live = app.screens["live"]
    assert app.current == "live" and live.stage == "setup"
    coached = {e["name"] for e in app.client.exercises(per_page=100)["items"] if e["posture_checks"]}
    coached |= {e["name"] for e in app.client.exercises(page=2, per_page=100)["items"] if e["posture_checks"]}
    assert set(live.exercise_names) == coached and len(coached) >= 20
    assert live.ids.exercise.text == "Push-up" and live.target_kind == "reps" and live.ids.target.text == "10"
    assert "hips stay on the shoulder-ankle line" in live.checks_text
    live.ids.exercise.text = "Plank"
    assert live.target_kind == "seconds" and live.ids.target.text == "30"
    assert live.ids.target_seconds.state == "down" and live.ids.target_reps.state == "normal"
    live.ids.target.text = "0"
    live.start()
    assert live.error == "The target is a whole number of seconds from 1 to 3600." and live.stage == "setup"


def test_a_missing_camera_says_so_and_starts_nothing(ui):
    live = open_live(ui, "webcam:7")
    before = ui.app.client.request("GET", "/live-sessions")["total"]
    live.ids.exercise.text, live.ids.target.text = "Push-up", "10"
    live.ids.start.dispatch("on_release")
    ui.settle(ui.app)
    assert live.stage == "setup" and live.error.startswith("No camera found (webcam 7).")
    assert ui.app.client.request("GET", "/live-sessions")["total"] == before


def test_a_clip_played_as_the_camera_counts_reps_cues_the_fault_and_logs_the_set(ui, push_up_clip, spoken):
    app = ui.app
    sign_in(ui)
    ui.go(app, "settings")
    settings = app.screens["settings"]
    settings.ids.camera.text = str(push_up_clip)
    settings.ids.save.dispatch("on_release")
    ui.settle(app)
    assert app.settings_data["camera"] == str(push_up_clip)
    live = open_live(ui, str(push_up_clip))
    assert live.source_text == "The clip push-ups.mp4, played as a camera."
    start_set(ui, live)
    assert live.source_text == "Clip push-ups.mp4. Pose recorded with the clip."
    ui.wait_until(lambda: live.rep_count >= 1, 60, "the first rep")
    correction = "Brace your abs and squeeze your glutes to keep one straight line from shoulders to ankles"
    assert live.cue_text == correction and live.cue_detail == "Hips sagging: your lower back is arching"
    assert live.count_text == str(live.rep_count) and live.target_text == "of 10 reps"
    assert live.ids.preview.texture is not None and len(live.ids.preview.keypoints) == 17
    ui.wait_until(lambda: live.stage == "summary", 60, "the clip to end")
    assert live.rep_count == 3 and live.count_text == "3"
    assert spoken == [correction]  # said once, not with every batch while the fault lasts
    assert live.summary_title == "Push-up: 3 reps" and live.summary_score == "Form score 75/100"
    lines = [w.text for w in reversed(live.ids.summary_reps.children)]
    assert len(lines) == 3 and lines[0].startswith("Rep 1  |  form 75") and lines[2].endswith("Hips sagging")
    assert "Hips sagging" in live.ids.summary_faults.children[0].text

    workouts_before = app.client.workouts()["total"]
    live.ids.weight.text = "10"
    live.ids.log_button.dispatch("on_release")
    ui.settle(app)
    assert live.finished and live.log_text == "Logged as a workout" and live.ids.log_button.disabled
    assert app.client.workouts()["total"] == workouts_before + 1
    workout = app.client.workouts()["items"][0]
    assert workout["analysis_id"] == app.last_analysis["id"] and app.last_analysis["media_type"] == "live"
    assert workout["exercises"][0]["sets"][0] == {**workout["exercises"][0]["sets"][0], "reps": 3, "weight_kg": 10.0}
    session = app.client.live_session(live.session["id"])
    assert session["status"] == "finished" and session["analysis_id"] == app.last_analysis["id"]
    app.save_settings(camera="webcam")


def test_reaching_the_target_ends_the_set_which_can_be_saved_without_logging(ui, push_up_clip, spoken):
    app = ui.app
    live = open_live(ui, str(push_up_clip))
    start_set(ui, live, target="2")
    ui.wait_until(lambda: live.stage == "summary", 60, "the target to end the set")
    assert live.rep_count >= 2 and live.cue_text == "Target reached: well done!"
    assert "Target reached. Well done." in spoken
    workouts_before = app.client.workouts()["total"]
    live.ids.save_button.dispatch("on_release")
    ui.settle(app)
    assert live.finished and live.log_text == "Saved to your analyses"
    assert app.client.workouts()["total"] == workouts_before
    assert app.client.analysis(app.last_analysis["id"])["reps"]["count"] == live.rep_count
    app.save_settings(camera="webcam")


def test_a_plank_is_timed_only_while_the_hips_hold_and_the_sag_is_cued(ui, plank_clip, spoken):
    app = ui.app
    live = open_live(ui, str(plank_clip))
    start_set(ui, live, exercise="Plank", target="60")
    ui.wait_until(lambda: live.hold_s and live.hold_s >= 2.0, 30, "seconds held with good form")
    ui.wait_until(lambda: live.cue_detail.startswith("Hips sagging"), 30, "the sagging hips cued")
    held_at_cue, correction = live.hold_s, live.cue_text
    ui.wait_until(lambda: live.stage == "summary", 60, "the clip to end the set")
    assert 2.5 <= live.hold_s <= 4.0 and live.hold_s - held_at_cue < 0.5  # the sagging seconds are not counted
    assert live.target_text == "of 60 s, held with good form"
    assert live.summary_title.startswith("Plank:") and "held with good form" in live.summary_title
    assert correction in spoken
    app.save_settings(camera="webcam")


def test_a_lost_connection_shows_a_message_and_the_set_carries_on_without_losing_frames(ui, push_up_clip):
    from mobile.devserver import free_port

    app = ui.app
    live = open_live(ui, str(push_up_clip))
    start_set(ui, live)
    real = app.client.base_url
    ui.wait_until(lambda: live.streamer._socket is not None, 30, "the live socket to open")
    socket = live.streamer._socket  # the network goes: the open socket dies and the server is out of reach
    app.client.base_url = f"http://127.0.0.1:{free_port()}"
    socket.ws.sock.shutdown(2)
    try:
        ui.wait_until(lambda: live.status.startswith("Connection to the server lost."), 30, "the lost connection")
        assert live.stage == "live"
    finally:
        app.client.base_url = real
    ui.wait_until(lambda: live.stage == "summary", 90, "the set to end")
    assert live.rep_count == 3 and live.status == "" and live.error == ""
    session_id = live.session["id"]
    live.ids.next_button.dispatch("on_release")  # discard this set
    ui.settle(app)
    assert live.stage == "setup"
    ui.wait_until(lambda: session_gone(app.client, session_id), 10, "the discarded session to be deleted")
    app.save_settings(camera="webcam")


def session_gone(client, session_id: int) -> bool:
    from mobile.api_client import NotFound

    try:
        client.live_session(session_id)
    except NotFound:
        return True
    return False


def test_jpeg_frames_are_posed_on_the_server_and_the_skeleton_is_drawn(ui, person_clip):
    app = ui.app
    live = open_live(ui, str(person_clip))
    start_set(ui, live, exercise="Barbell back squat")
    assert live.source_text == "Clip person.mp4. Pose on the server."
    ui.wait_until(lambda: live.stage == "summary", 60, "the clip to end")
    keypoints = live.ids.preview.keypoints
    assert live.ids.preview.keypoints_size == [480, 270]  # in the pixels of the frames sent
    sure = [(x, y) for x, y, conf in keypoints if conf > 0.5]
    assert len(keypoints) == 17 and len(sure) >= 7  # a real upper body (the photo cuts the legs off)
    assert all(0 <= x <= 480 and 0 <= y <= 270 for x, y in sure)
    assert live.rep_count == 0 and live.summary_score == "No rep was judged."
    live.discard()
    ui.settle(app)
    app.save_settings(camera="webcam")


def test_the_cue_shown_follows_the_faults_and_a_fault_back_soon_is_not_said_again(ui, spoken):
    live = open_live(ui, "webcam")
    live.session = {"exercise": "push_up", "target_reps": 5}
    live._reset_set()
    sag = {"code": "hips_sagging", "severity": "high", "message": "Hips sagging", "correction": "Brace"}
    head = {"code": "head_dropping", "severity": "low", "message": "Head dropping", "correction": "Neck long"}

    def update(active, cue=None):
        appeared = [cue] if cue else []
        live._updated({"rep_count": 1, "phase": "rest", "hold_s": None, "active_faults": active, "cue": cue,
                       "reps": [], "faults_appeared": appeared, "target_reached": False})  # fmt: skip

    update([sag], cue=sag)
    assert live.cue_text == "Brace" and live.cue_detail == "Hips sagging" and live.count_text == "1"
    update([sag, head])
    assert live.cue_text == "Brace"  # still there: it stays until it clears
    update([head])
    assert live.cue_text == "Neck long"  # the one left is shown, not said
    update([])
    assert live.cue_text == "Good form: keep going" and live.cue_detail == ""
    update([sag], cue=sag)
    assert live.cue_text == "Brace" and spoken == ["Brace"]  # back within the cooldown: shown, not said again
    live.new_set()


# -- live coaching on Android: the platform faked, the phone's camera fed by a fake Kivy camera provider ----------


class FakeAndroidPermissions:
    """`android.permissions` (python-for-android) as the screen uses it; Android answers on its own thread."""

    class Permission:
        CAMERA = "android.permission.CAMERA"

    def __init__(self, grant: bool):
        self.grant, self.asked = grant, []

    def check_permission(self, permission: str) -> bool:
        return False

    def request_permissions(self, permissions: list, callback) -> None:
        import threading

        self.asked.append(list(permissions))
        threading.Thread(target=callback, args=(permissions, [self.grant] * len(permissions))).start()


class FakeKivyCamera:
    """Kivy's camera provider on a phone: a 30 fps texture, updated on the UI thread, showing `image` (BGR) as the
    sensor gives it (turned a quarter counter-clockwise: the sensor lies on its side in a phone held upright)."""

    def __init__(self, image):
        import numpy as np

        from tests.mobile.fakes import FakeTexture

        self.texture = FakeTexture(np.rot90(image, 1))
        self.listeners, self.event = [], None
        self.started = self.stopped = 0

    def bind(self, on_texture):
        self.listeners.append(on_texture)

    def unbind(self, on_texture):
        self.listeners.remove(on_texture)

    def start(self):
        from kivy.clock import Clock

        self.started += 1
        self.event = Clock.schedule_interval(lambda _dt: [listener(self) for listener in list(self.listeners)], 1 / 30)

    def stop(self):
        self.stopped += 1
        if self.event is not None:
            self.event.cancel()


@pytest.fixture
def android(ui, monkeypatch):
    """The Live screen believes it runs on Android, with a phone camera showing a real person."""
    import sys
    import types

    import cv2

    from mobile import phone_camera
    from mobile.devserver import sample_photo
    from mobile.screens import live as live_screen

    monkeypatch.setattr(live_screen, "is_android", lambda: True)
    provider = FakeKivyCamera(cv2.resize(cv2.imread(str(sample_photo())), (640, 360)))
    monkeypatch.setattr(phone_camera, "kivy_camera_provider", lambda index: provider)
    monkeypatch.setattr(phone_camera, "android_sensor_rotation_deg", lambda index: 90)

    def permissions(grant: bool) -> FakeAndroidPermissions:
        fake = FakeAndroidPermissions(grant)
        module = types.ModuleType("android.permissions")
        module.Permission = fake.Permission
        module.check_permission, module.request_permissions = fake.check_permission, fake.request_permissions
        monkeypatch.setitem(sys.modules, "android", types.ModuleType("android"))
        monkeypatch.setitem(sys.modules, "android.permissions", module)
        return fake

    yield types.SimpleNamespace(provider=provider, permissions=permissions)
    live = ui.app.screens["live"]
    if live.streamer is not None:
        live.discard()
        ui.settle(ui.app)


def test_on_android_the_phone_camera_is_asked_for_and_its_jpeg_frames_are_posed_on_the_server(ui, android):
    from mobile.phone_camera import PhoneCamera
    from mobile.screens.live import CAMERA_HINTS

    app = ui.app
    granted = android.permissions(grant=True)
    live = open_live(ui, "webcam")
    assert live.source_text == "The phone's camera: the back camera. Pose on the server."
    assert live.ids.camera_hint.text == CAMERA_HINTS["android"] and live.error == ""
    start_set(ui, live, exercise="Barbell back squat")
    assert granted.asked == [["android.permission.CAMERA"]]
    assert live.source_text == "The back camera. Pose on the server."
    streamer = live.streamer
    assert isinstance(streamer.camera, PhoneCamera) and streamer.pose is None  # JPEG frames, posed on the server
    assert android.provider.started == 1 and streamer.camera.rotation_deg == 90
    ui.wait_until(lambda: len(live.ids.preview.keypoints) == 17, 60, "the server's pose of the phone's frames")
    assert tuple(live.ids.preview.texture.size) == (640, 360)  # the sensor's image, turned upright
    assert live.ids.preview.keypoints_size == [480, 270]
    sure = [(x, y) for x, y, conf in live.ids.preview.keypoints if conf > 0.5]
    assert len(sure) >= 7 and all(0 <= x <= 480 and 0 <= y <= 270 for x, y in sure)  # a person standing upright
    live.end_set()
    ui.wait_until(lambda: live.stage == "summary", 60, "the set to end")
    assert android.provider.stopped == 1 and android.provider.listeners == [] and live.error == ""
    session = app.client.live_session(live.session["id"])
    assert streamer.sent_frames >= 2 and session["exercise"] == live.exercises["Barbell back squat"]["label"]
    live.discard()
    ui.settle(app)
    ui.wait_until(lambda: session_gone(app.client, session["id"]), 10, "the discarded session to be deleted")


def test_on_android_a_refused_camera_says_why_and_starts_nothing(ui, android):
    from mobile.screens.live import CAMERA_REFUSED

    app = ui.app
    refused = android.permissions(grant=False)
    live = open_live(ui, "webcam")
    sessions_before = live_session_ids(app.client)
    live.ids.exercise.text, live.ids.target.text = "Push-up", "10"
    live.ids.start.dispatch("on_release")
    ui.wait_until(lambda: live.error, 10, "the refusal")
    ui.settle(app)
    assert refused.asked == [["android.permission.CAMERA"]]
    assert live.error == CAMERA_REFUSED and live.stage == "setup" and not live.starting
    assert android.provider.started == 0 and live_session_ids(app.client) <= sessions_before


def live_session_ids(client) -> set[int]:
    return {session["id"] for session in client.request("GET", "/live-sessions", params={"per_page": 100})["items"]}
