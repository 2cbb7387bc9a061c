"""What the app and its screens need from the platform: the kv files, plyer's speech, whether this is Android.

A leaf module (no Kivy App), so that the screens never import `mobile.app`.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.utils import platform

KV_DIR = Path(__file__).parent / "kv"


def load_kv(name: str) -> None:
    path = str(KV_DIR / f"{name}.kv")
    if path not in Builder.files:
        Builder.load_file(path)


def load_tts():
    """plyer's text-to-speech facade, or False when plyer is not installed."""
    try:
        from plyer import tts
    except Exception:  # noqa: BLE001  (plyer is optional)
        return False
    return tts


def is_android() -> bool:
    return platform == "android"
