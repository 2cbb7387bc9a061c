"""The tree's layers hold: each package imports only the layers below it."""

import ast
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[2] / "api"

FLASK = (
    "flask",
    "flask_restx",
    "flask_jwt_extended",
    "flask_sqlalchemy",
    "flask_migrate",
    "flask_limiter",
    "flask_sock",
)
PURE = (*FLASK, "api.services", "api.resources", "api.models", "api.extensions", "api.jobs")
# what each package must never import (a module, or a package and everything in it)
FORBIDDEN = {
    "ml": PURE,
    "planner": PURE,
    "charts": PURE,
    "models": ("api.services", "api.resources"),
    "services": (*FLASK, "api.resources"),
}


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(package):
    found = [
        f"{path.relative_to(API.parent)} imports {name}"
        for path in sorted((API / package).rglob("*.py"))
        for name in sorted(imported_modules(path))
        if any(name == banned or name.startswith(f"{banned}.") for banned in FORBIDDEN[package])
    ]
    assert found == []


def test_resources_do_not_import_one_another():
    shared = {"api.resources", "api.resources.common", "api.resources.schemas"}
    found = [
        f"{path.name} imports {name}"
        for path in sorted((API / "resources").glob("*.py"))
        for name in sorted(imported_modules(path))
        if name.startswith("api.resources") and name not in shared
    ]
    assert found == []
