"""Drive the real app without `App.run()`: start it, pump its event loop, wait for calls, save PNGs.

Used by the UI tests and by `mobile.screenshots`; set KIVY_NO_ARGS, KIVY_HOME... before importing it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def quiet_kivy(home: str | os.PathLike) -> None:
    """Environment for Kivy in tests and scripts: no argv parsing, no console log, a private KIVY_HOME."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_NO_FILELOG", "1")
    os.environ["KIVY_HOME"] = str(home)
    Path(home).mkdir(parents=True, exist_ok=True)


def start_app(server_url: str, data_dir: str | os.PathLike, size: tuple[int, int] = (360, 800)):
    """Build the app with a window of `size` and return it (its window stays open for the process)."""
    from kivy.config import Config

    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "resizable", "1")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("kivy", "exit_on_escape", "0")
    from mobile.app import FitCoachApp

    app = FitCoachApp(server_url=server_url, data_dir=data_dir)
    app._run_prepare()  # what App.run() does before its loop: build, window, on_start
    resize(size)
    pump(0.2)
    return app


def resize(size: tuple[int, int]) -> None:
    from kivy.core.window import Window

    Window.size = size
    pump(0.15)


def pump(seconds: float = 0.05) -> None:
    """Run the event loop for a while (layout, Clock callbacks, drawing)."""
    from kivy.base import EventLoop

    end = time.monotonic() + seconds
    EventLoop.idle()
    while time.monotonic() < end:
        EventLoop.idle()


def wait_until(condition, timeout: float = 30, what: str = "the condition") -> None:
    from kivy.base import EventLoop

    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        EventLoop.idle()


def settle(app, timeout: float = 60) -> None:
    """Wait until no call is in flight, then let layouts and triggers run."""
    pump(0.05)
    wait_until(lambda: app.busy_count == 0, timeout, "the app's calls")
    pump(0.25)


def go(app, name: str, timeout: float = 60, **kwargs) -> None:
    app.go(name, **kwargs)
    settle(app, timeout)


def save_png(app, path: str | os.PathLike) -> Path:
    """The whole window (root widget) as a PNG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pump(0.1)
    app.root.export_to_png(str(path))
    return path


def stop(app) -> None:
    from kivy.base import EventLoop

    app.stop()
    EventLoop.idle()
