"""Screenshots of every screen at phone (360x800) and desktop (1280x800) size, against a real API.

    xvfb-run -a -s "-screen 0 1280x800x24" python -m mobile.screenshots --out docs/screens

Starts the API in-process on a temporary SQLite database, fills it with realistic data (a profile, a plan,
eight weeks of workouts and body weight, analyses of a real photo, a training job), signs in through the
sign-in screen, opens each screen and writes `<screen>-phone.png` and `<screen>-desktop.png`; the Live screen
plays a generated push-up clip as its camera.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

SIZES = {"phone": (360, 800), "desktop": (1280, 800)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screens", help="folder for the PNGs")
    parser.add_argument("--sizes", default="phone,desktop", help="comma-separated: phone, desktop")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fitcoach-shots-"))
    try:
        return run(out, work, [s.strip() for s in args.sizes.split(",") if s.strip()])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(out: Path, work: Path, sizes: list[str]) -> int:
    from mobile.uidriver import quiet_kivy

    quiet_kivy(work / "kivy")
    from mobile.devserver import DEMO_EMAIL, DEMO_PASSWORD, sample_photo, seed_demo, start_api, write_push_up_clip

    live = start_api(work / "api")
    try:
        print("seeding the API with demo data (runs the pose model)...", flush=True)
        seed = seed_demo(live)
        from mobile import uidriver as ui

        app = ui.start_app(live.url, work / "app", SIZES[sizes[0]])
        capture_dir = work / "pick"
        capture_dir.mkdir()
        shutil.copy(sample_photo(), capture_dir / "zidane.jpg")
        clip = write_push_up_clip(work, reps=3, hip_sag_px=40)
        written = []
        for size in sizes:
            ui.resize(SIZES[size])
            written += shoot_all(app, ui, out, size, seed, capture_dir, clip, DEMO_EMAIL, DEMO_PASSWORD)
        ui.stop(app)
    finally:
        live.stop()
    for path in written:
        print(path)
    return 0


def shoot_all(app, ui, out: Path, size: str, seed: dict, capture_dir: Path, clip: Path, email: str,
              password: str) -> list:  # fmt: skip
    written = []

    def shot(name: str) -> None:
        written.append(ui.save_png(app, out / f"{name}-{size}.png"))

    # sign in through the form
    if app.client.signed_in:
        app.client.logout()
    ui.go(app, "login")
    login = app.screens["login"]
    login.ids.email.text = email
    login.ids.password.text = password
    ui.pump(0.1)
    shot("login")
    login.submit()
    ui.settle(app)
    assert app.current == "home", app.current
    ui.settle(app)
    shot("home")

    ui.go(app, "profile")
    shot("profile")

    capture = app.screens["capture"]
    ui.go(app, "capture")
    capture.chooser.path = str(capture_dir)
    ui.pump(0.3)
    capture.choose(str(capture_dir / "zidane.jpg"))
    capture.ids.exercise.text = "push up"
    ui.pump(0.2)
    shot("capture")

    ui.go(app, "result", analysis=seed["analysis"], source=str(capture_dir / "zidane.jpg"))
    shot("result")

    shoot_live(app, ui, shot, clip)

    ui.go(app, "plans")
    shot("plans")
    ui.go(app, "plan", plan=seed["plan"])
    shot("plan")
    day = seed["plan"]["content"]["schedule"][0]["days"][0]
    ui.go(app, "day", plan=seed["plan"], day=day)
    shot("day")

    ui.go(app, "progress")
    shot("progress")

    ui.go(app, "training")
    ui.settle(app)
    shot("training")

    ui.go(app, "settings")
    shot("settings")
    ui.go(app, "home")
    return written


def shoot_live(app, ui, shot, clip: Path) -> None:
    """The Live screen's setup, the set under way (`clip` played as the camera) and its summary."""
    app.save_settings(camera=str(clip))
    ui.go(app, "live")
    live = app.screens["live"]
    ui.wait_until(lambda: live.exercise_names, 30, "the exercises")
    live.ids.exercise.text, live.ids.target.text = "Push-up", "10"
    shot("live-setup")
    live.start()
    ui.wait_until(lambda: live.stage == "live" and live.rep_count >= 2, 60, "two reps")
    ui.pump(0.3)
    shot("live")
    ui.wait_until(lambda: live.stage == "summary", 60, "the end of the clip")
    shot("live-summary")
    live.discard()
    app.save_settings(camera="webcam")
    ui.settle(app)


if __name__ == "__main__":
    sys.exit(main())
