"""A model's `settings.json` read into a frozen dataclass: unknown keys and values of the wrong type are refused
with an error naming the key, like the other ML configs."""

from __future__ import annotations

import json
import types
import typing
from dataclasses import MISSING, fields
from pathlib import Path

_JSON_KINDS = {float: (int, float), int: (int,), str: (str,), bool: (bool,), type(None): (type(None),)}


class InvalidSettings(ValueError):
    """A settings file with an unknown key, a missing one or a value of the wrong type."""


def _matches(value, hint) -> bool:
    origin = typing.get_origin(hint)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    if origin in (types.UnionType, typing.Union):
        return any(_matches(value, arg) for arg in typing.get_args(hint))
    return isinstance(value, _JSON_KINDS[hint]) and (hint is bool or not isinstance(value, bool))


def _described(hint) -> str:
    if typing.get_origin(hint) is tuple:
        return f"a list of {_described(typing.get_args(hint)[0])}"
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        return " or ".join(_described(arg) for arg in typing.get_args(hint))
    return {float: "a number", int: "a whole number", str: "text", bool: "true or false", type(None): "null"}[hint]


def settings_from_dict(cls, data, source: str = "settings"):
    """`cls(**data)` once every key is one of its fields and every value has the field's type (lists become
    tuples); `InvalidSettings` naming the key otherwise."""
    if not isinstance(data, dict):
        raise InvalidSettings(f"{source} must be a JSON object")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    for key in data:
        if key not in known:
            raise InvalidSettings(f"{source}: unknown key {key!r}; allowed: {', '.join(known)}")
        if not _matches(data[key], hints[key]):
            raise InvalidSettings(f"{source}: {key!r} must be {_described(hints[key])}, not {data[key]!r}")
    for name, spec in known.items():
        if name not in data and spec.default is MISSING and spec.default_factory is MISSING:
            raise InvalidSettings(f"{source}: {name!r} is missing")
    return cls(**{key: tuple(value) if isinstance(value, list) else value for key, value in data.items()})


def read_settings(cls, path: Path, *, optional: bool = False):
    """The dataclass `cls` from the JSON file at `path` (its defaults when the file is absent and `optional`)."""
    if optional and not path.is_file():
        return cls()
    return settings_from_dict(cls, json.loads(path.read_text()), str(path))
