"""The app's modules form no import cycle: the screens and helpers never import `mobile.app`."""

import ast
from pathlib import Path

MOBILE = Path(__file__).resolve().parents[2] / "mobile"
ENTRY_POINTS = {"app.py", "main.py", "uidriver.py"}  # what starts the app may import it


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_no_module_but_the_entry_points_imports_mobile_app():
    importers = [
        str(path.relative_to(MOBILE))
        for path in MOBILE.rglob("*.py")
        if path.name not in ENTRY_POINTS or path.parent != MOBILE
        if "mobile.app" in imported_modules(path)
    ]
    assert importers == []
