"""Fixtures for the app's tests: a real API served on a free local port (temporary SQLite), users signed in
through the API client, and a display for the Kivy UI tests (an Xvfb started here when DISPLAY is unset).

Without a display (no DISPLAY and no Xvfb) the UI tests are skipped, except where the environment variable CI
is set (true, 1, yes): there the UI tests must run, so a missing display fails them. Nothing else skips them:
an app that does not start (a broken kv file, a failing import) fails every UI test. The terminal summary says
how many UI tests ran and how many were skipped."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

# Kivy reads these when it is first imported (by the UI tests only, after the display fixture).
os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")
os.environ["KIVY_HOME"] = tempfile.mkdtemp(prefix="fitcoach-kivy-home-")

PASSWORD = "correct-horse-42"
_emails = itertools.count()


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The real FitCoach API on a temporary SQLite database, served over HTTP."""
    from mobile.devserver import start_api

    server = start_api(tmp_path_factory.mktemp("mobile-api"))
    yield server
    server.stop()


@pytest.fixture
def new_client(live, tmp_path):
    """Make an API client (not signed in) whose token file lives in this test's folder."""
    from mobile.api_client import ApiClient

    made = itertools.count()

    def make():
        return ApiClient(live.url, token_path=tmp_path / f"tokens-{next(made)}.json")

    return make


@pytest.fixture
def signed_in(live, new_client):
    """A fresh user registered and signed in through the client."""
    client = new_client()
    email = f"mobile{next(_emails)}-{time.monotonic_ns()}@example.com"
    client.register(email, PASSWORD, "Test")
    client.login(email, PASSWORD)
    client.test_email = email
    return client


@pytest.fixture(scope="session")
def photo(tmp_path_factory) -> Path:
    from mobile.devserver import sample_photo

    folder = tmp_path_factory.mktemp("pick")
    target = folder / "zidane.jpg"
    shutil.copy(sample_photo(), target)
    return target


@pytest.fixture(scope="session")
def push_up_clip(tmp_path_factory) -> Path:
    """Three push-ups with sagging hips, drawn as a stick figure, with the keypoints drawn beside it."""
    from mobile.devserver import write_push_up_clip

    return write_push_up_clip(tmp_path_factory.mktemp("live-clip"), reps=3, hip_sag_px=40)


@pytest.fixture(scope="session")
def plank_clip(tmp_path_factory) -> Path:
    """Six seconds of a plank, held well for 3.5 s and then with sagging hips, with its keypoints beside it."""
    from mobile.devserver import write_plank_clip

    return write_plank_clip(tmp_path_factory.mktemp("plank-clip"), seconds=6.0, sag_from_s=3.5)


@pytest.fixture(scope="session")
def person_clip(tmp_path_factory) -> Path:
    """One second of a real person (zidane.jpg) moving a little, with no keypoints beside it."""
    import cv2
    import numpy as np

    from mobile.devserver import sample_photo

    image = cv2.resize(cv2.imread(str(sample_photo())), (640, 360))
    path = tmp_path_factory.mktemp("person-clip") / "person.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (640, 360))
    for index in range(30):
        writer.write(np.roll(image, int(10 * np.sin(index / 6)), axis=1))
    writer.release()
    return path


UI_TESTS = "tests/mobile/test_ui.py"


def ci_requires_the_ui_tests() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def no_display(reason: str):
    """Skip the UI tests for want of a display; in CI, fail them instead."""
    if ci_requires_the_ui_tests():
        pytest.fail(f"no display: {reason}; CI is set, and in CI the UI tests must run (install xvfb)", pytrace=False)
    pytest.skip(f"no display: {reason}")


def pytest_terminal_summary(terminalreporter):
    """One line saying whether the UI tests really ran, so that a CI log shows it."""
    counts = Counter()
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "nodeid", "").startswith(UI_TESTS) and (report.when == "call" or outcome != "passed"):
                counts["ran" if outcome in ("passed", "failed") else outcome] += 1
    if counts:
        terminalreporter.write_line(
            f"UI tests ({UI_TESTS}): {counts['ran']} ran, {counts['error']} errors, {counts['skipped']} skipped"
        )


def _free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture(scope="session")
def display():
    """A usable X display: $DISPLAY when set, else an Xvfb started for the session; when neither, skip (fail in
    CI)."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    xvfb = shutil.which("Xvfb")
    if not xvfb:
        no_display("DISPLAY is unset and Xvfb is not installed")
    number = _free_display()
    process = subprocess.Popen(
        [xvfb, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket_path = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 10
    while not socket_path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not socket_path.exists():
        process.kill()
        no_display("Xvfb did not start")
    os.environ["DISPLAY"] = f":{number}"
    yield os.environ["DISPLAY"]
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
    os.environ.pop("DISPLAY", None)
