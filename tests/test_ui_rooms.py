"""The window's rooms: each screen a module of its own, the editor apart, and no import cycle
between them (issue 12, "Split by job"). Read from the source with `ast`, so a lazy import
inside a function counts too; imports under `if TYPE_CHECKING:` (type hints only) do not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "engine" / "ui"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(path: Path) -> set[str]:
    """The modules `path` imports when it runs (absolute names; `from . import x` counts as
    importing the module x when it is one)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking_only(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            for alias in node.names:
                found.add(f"{target}.{alias.name}")
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in UI.rglob("*.py")}
    return {name: runtime_imports(path) & modules.keys() for name, path in modules.items()}


def test_the_window_modules_import_each_other_without_a_cycle(graph) -> None:
    done: set[str] = set()

    def walk(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = [*trail[trail.index(name) :], name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for other in sorted(graph[name]):
            walk(other, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        walk(name, [])


def test_screens_and_the_editor_do_not_import_each_other(graph) -> None:
    screens = {name for name in graph if name.startswith("engine.ui.screens")}
    editor = {name for name in graph if name.startswith("engine.ui.editor")}
    assert "engine.ui.screens.play" in screens and len(screens) >= 8
    assert "engine.ui.editor.screen" in editor and len(editor) >= 8
    for name in editor:
        assert not graph[name] & screens, name
        assert "engine.ui.app" not in graph[name], name
    for name in screens:
        assert not graph[name] & editor, name
        # a screen reaches the app only through the `app` it is given (type hints aside)
        assert "engine.ui.app" not in graph[name], name
        assert "engine.ui.routes" not in graph[name], name


def _opened_names() -> dict[str, str]:
    """Every literal name a window module passes to `app.open(...)`, with where it is."""
    found = {}
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "open"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and isinstance(node.func.value, ast.Attribute | ast.Name)
                and getattr(node.func.value, "attr", getattr(node.func.value, "id", "")) == "app"
            ):
                found[node.args[0].value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_screen_name_opened_has_a_route() -> None:
    from engine.ui.routes import ROUTES

    opened = _opened_names()
    assert {"list", "briefing", "editor", "game", "review"} <= opened.keys()
    missing = {name: where for name, where in opened.items() if name not in ROUTES}
    assert not missing, missing


def test_the_editor_has_one_class_per_tool_each_chosen_by_its_key(tmp_path: Path) -> None:
    import os
    import shutil

    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    import pygame
    from window_driver import key, step

    from engine.scenario.document import ScenarioDocument
    from engine.ui.app import App
    from engine.ui.editor.screen import TOOL_CLASSES, EditorScreen
    from engine.ui.editor.tool import Tool

    names = [cls.name for cls in TOOL_CLASSES]
    assert names == ["terrain", "height", "units", "places", "works", "river", "marks", "triggers"]
    assert len({cls.hotkey for cls in TOOL_CLASSES}) == len(TOOL_CLASSES)
    assert all(issubclass(cls, Tool) and cls is not Tool for cls in TOOL_CLASSES)
    path = tmp_path / "battle.yaml"
    shutil.copy(ROOT / "tests" / "data" / "minimal.yaml", path)
    app = App((1280, 720))
    editor = EditorScreen(app, ScenarioDocument.open(path))
    app.show(editor)
    step(app)
    for cls in reversed(TOOL_CLASSES):
        key(app, cls.hotkey)
        assert editor.tool == cls.name and isinstance(editor.current, cls)
        assert editor.message == f"{cls.label} tool."
    key(app, pygame.K_ESCAPE)  # nothing selected, nothing edited: the editor closes
    assert not app.running
    app.manager.clear_and_reset()
