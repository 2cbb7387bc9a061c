"""Small checks shared by services that take JSON bodies; each adds a readable message to an errors dict."""

from __future__ import annotations

from datetime import date


def number_in(errors: dict, name: str, value, low: float, high: float, *, whole: bool = False, required=False):
    """The value if it is a number within [low, high] (None when absent and optional)."""
    if value is None:
        if required:
            errors[name] = "is required"
        return None
    kinds = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        errors[name] = f"must be {'a whole number' if whole else 'a number'} between {low:g} and {high:g}"
        return None
    return value


def iso_date(errors: dict, name: str, value, default: date | None = None) -> date | None:
    if value is None:
        if default is None:
            errors[name] = "is required (YYYY-MM-DD)"
        return default
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = "must be a date as YYYY-MM-DD"
        return None


def text(errors: dict, name: str, value, max_length: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_length:
        errors[name] = f"must be text of at most {max_length} characters"
        return None
    return value
