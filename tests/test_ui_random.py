"""Random clicks, drags, keys, wheel turns and window sizes in the window, from the scenario list
through briefings, battles, results and the editor: nothing may raise. (Such a run found the
battle log's scroll bar dividing by zero in a small window.) The run is seeded, and save names
never collide, so a failure replays; it works on copies of the scenarios, and checks that the
repository's own are untouched.
"""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import pygame
import pytest
from pygame_gui.elements import UIButton

from engine.ui.app import App, scenario_files
from engine.ui.screens import ScenarioListScreen

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"

KEYS = [
    pygame.K_RETURN, pygame.K_ESCAPE, pygame.K_BACKSPACE, pygame.K_SPACE, pygame.K_TAB,
    pygame.K_LEFT, pygame.K_RIGHT, pygame.K_UP, pygame.K_DOWN, pygame.K_PLUS, pygame.K_MINUS,
    pygame.K_F1, pygame.K_DELETE, pygame.K_1, pygame.K_2,
    *(getattr(pygame, f"K_{c}") for c in "abcefhmnpqrstuwxyz"),
]  # fmt: skip
MODIFIERS = [0, 0, 0, pygame.KMOD_SHIFT, pygame.KMOD_CTRL]


def _buttons(app: App) -> list[UIButton]:
    found: list[UIButton] = []

    def walk(container) -> None:
        for element in container.elements:
            if isinstance(element, UIButton) and element.visible and element.is_enabled:
                found.append(element)
            if hasattr(element, "get_container"):
                walk(element.get_container())

    walk(app.manager.get_root_container())
    return found


def _post(kind: int, **fields) -> None:
    pygame.event.post(pygame.event.Event(kind, **fields))


def _random_input(app: App, rng: random.Random, size: tuple[int, int]) -> str:
    """Post one random input; returns what it was (for the failure message)."""
    w, h = size
    roll = rng.random()
    if roll < 0.35 and (buttons := _buttons(app)):
        button = rng.choice(buttons)
        _post(pygame.MOUSEMOTION, pos=button.rect.center, rel=(0, 0), buttons=(0, 0, 0))
        _post(pygame.MOUSEBUTTONDOWN, pos=button.rect.center, button=1)
        _post(pygame.MOUSEBUTTONUP, pos=button.rect.center, button=1)
        return f"button {button.text!r}"
    if roll < 0.7:
        pos, button = (rng.randrange(w), rng.randrange(h)), rng.choice([1, 1, 1, 3])
        _post(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0))
        _post(pygame.MOUSEBUTTONDOWN, pos=pos, button=button)
        if rng.random() < 0.3:
            pos = (rng.randrange(w), rng.randrange(h))
            _post(pygame.MOUSEMOTION, pos=pos, rel=(1, 1), buttons=(1, 0, 0))
        _post(pygame.MOUSEBUTTONUP, pos=pos, button=button)
        return f"click {pos} button {button}"
    if roll < 0.75:
        _post(pygame.MOUSEWHEEL, x=0, y=rng.choice([-1, 1]), flipped=False)
        return "wheel"
    if roll < 0.97:
        code, mod = rng.choice(KEYS), rng.choice(MODIFIERS)
        name = pygame.key.name(code)
        char = name if len(name) == 1 else ""
        _post(pygame.KEYDOWN, key=code, mod=mod, unicode=char, scancode=0)
        _post(pygame.KEYUP, key=code, mod=mod, unicode=char, scancode=0)
        if char:
            _post(pygame.TEXTINPUT, text=char)
        return f"key {name} mod {mod}"
    new = (rng.randrange(640, 1600), rng.randrange(480, 1000))
    _post(pygame.VIDEORESIZE, w=new[0], h=new[1], size=new)
    return f"window {new[0]}x{new[1]}"


def _digest(folder: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.yaml")}


@pytest.mark.parametrize("seed", [1, 2])
def test_random_input_never_raises(seed: int, tmp_path: Path) -> None:
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    # the small battles, so that games reach their end and the result and review screens
    for source in (DATA / "minimal.yaml", ROOT / "scenarios" / "lion_mountain.yaml"):
        shutil.copy(source, scenarios / source.name)
    ours = _digest(ROOT / "scenarios")
    rng = random.Random(seed)
    history: list[str] = []

    def new_app() -> App:
        app = App((1280, 720), save_dir=tmp_path / "saves", scenario_dir=scenarios)
        app.show(ScenarioListScreen(app, scenario_files(scenarios)))
        app.step(1 / 30)
        return app

    app = new_app()
    seen = set()
    try:
        for _ in range(500):
            seen.add(type(app.screen).__name__)
            history.append(f"{type(app.screen).__name__}: {_random_input(app, rng, app.size)}")
            for _ in range(rng.choice([1, 1, 2, 5])):
                app.step(1 / 30)
            if not app.running:  # quit from a menu: start again
                app.manager.clear_and_reset()
                app = new_app()
    except Exception as error:  # pragma: no cover - the failure report
        raise AssertionError(f"seed {seed}, after:\n" + "\n".join(history[-12:])) from error
    finally:
        app.manager.clear_and_reset()
    assert _digest(ROOT / "scenarios") == ours, "the repository's scenarios were changed"
    assert {"ScenarioListScreen", "BriefingScreen", "PlayScreen"} <= seen, seen
