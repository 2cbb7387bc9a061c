"""Start the FitCoach app: `python -m mobile.main` (FITCOACH_URL, FITCOACH_CAMERA... : see `mobile.app`).

On Android, buildozer packs this folder as the app's root with this file as its `main.py`; the folder is then
registered as the `mobile` package so that the same imports work there.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path


def _ensure_package() -> None:
    if "mobile" in sys.modules:
        return
    try:
        import mobile  # noqa: F401
    except ImportError:
        package = types.ModuleType("mobile")
        package.__path__ = [str(Path(__file__).resolve().parent)]
        sys.modules["mobile"] = package


def main() -> None:
    _ensure_package()
    from mobile.app import FitCoachApp

    FitCoachApp().run()


if __name__ == "__main__":
    main()
