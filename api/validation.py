"""Small checks shared by services that take JSON bodies; each adds a readable message to an errors dict."""

from __future__ import annotations

from datetime import date

from api.exceptions import InvalidInput

MAX_FPS = 240
MAX_IMAGE_SIDE = 10_000


def in_range(errors: dict, name: str, value, low: float, high: float, *, whole: bool = False) -> bool:
    """Whether the value is a number (a whole one if `whole`) within [low, high]; None is not."""
    kinds = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        errors[name] = f"must be {'a whole number' if whole else 'a number'} between {low:g} and {high:g}"
        return False
    return True


def number_in(errors: dict, name: str, value, low: float, high: float, *, whole: bool = False, required=False):
    """The value if it is a number within [low, high] (None when absent and optional)."""
    if value is None:
        if required:
            errors[name] = "is required"
        return None
    return value if in_range(errors, name, value, low, high, whole=whole) else None


def one_of(errors: dict, name: str, value, allowed) -> bool:
    """Whether the value is one of `allowed`."""
    if value not in allowed:
        errors[name] = f"must be one of: {', '.join(allowed)}"
        return False
    return True


def all_of(errors: dict, name: str, values, allowed) -> bool:
    """Whether the value is a list of values each one of `allowed`."""
    if not isinstance(values, list | tuple):
        errors[name] = "must be a list"
        return False
    if unknown := [v for v in values if v not in allowed]:
        errors[name] = f"unknown {unknown}; allowed: {', '.join(allowed)}"
        return False
    return True


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


def checked_fps(value) -> float:
    """A frame rate between 1 and `MAX_FPS`; InvalidInput otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= MAX_FPS:
        raise InvalidInput("fps must be a number between 1 and 240", details={"fps": "between 1 and 240"})
    return float(value)


def checked_image_size(value) -> tuple[int, int]:
    """`[width, height]` in whole pixels; InvalidInput otherwise."""
    valid = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_IMAGE_SIDE for v in value)
    )
    if not valid:
        raise InvalidInput(
            "image_size must be [width, height] in pixels", details={"image_size": f"two integers 1-{MAX_IMAGE_SIDE}"}
        )
    return int(value[0]), int(value[1])
