"""Messages for people for the failures of API calls (no Kivy: the app and its screens share it)."""

from __future__ import annotations

from mobile import api_client as api


def friendly_error(exc: BaseException, context: str = "") -> str:
    """A message for people for any failure of a call."""
    if isinstance(exc, api.NetworkError):
        return "No connection to the server. Check your network, or the server address in Settings."
    if isinstance(exc, api.AuthError):
        if context == "login":
            return "Wrong email or password."
        return "Your session has ended. Please sign in again."
    if isinstance(exc, api.TooLarge):
        return "This file is too large for the server. Try a smaller photo or a shorter clip."
    if isinstance(exc, api.UnsupportedMedia):
        return "This file type is not supported. Use a JPEG or PNG photo, or an MP4, MOV or WebM clip."
    if isinstance(exc, api.Invalid):
        return _with_details(exc.message, exc.details)
    if isinstance(exc, api.Forbidden):
        return "Only admins can do this."
    if isinstance(exc, api.ServerError):
        return f"The server had a problem ({exc.status}). Please try again in a moment."
    if isinstance(exc, api.ApiError):
        return _capital(exc.message)
    return f"Something went wrong: {exc}"


def _capital(text: str) -> str:
    text = (text or "").strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _with_details(message: str, details) -> str:
    """The server's message, plus its per-field details when short (e.g. why a password is too weak)."""
    text = _capital(message)
    if isinstance(details, dict) and details and len(details) <= 4:
        parts = []
        for field, why in details.items():
            if isinstance(why, list):
                why = ", ".join(str(w) for w in why)
            if isinstance(why, str | int | float):
                parts.append(f"{field.replace('_', ' ')}: {why}")
        if parts:
            detail = "; ".join(parts)
            text = f"{text[:-1]}: {detail[:240]}."
    return text
