"""Hypothesis profiles: the suite draws the same examples on every run, so CI passes or fails on
the code, not on the day's luck. `HYPOTHESIS_PROFILE=explore` draws fresh examples (and more of
them) to hunt for new failures; a failure it finds goes into the test as an `@example`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def _undo_dice_stubs():
    """Undo the dice stubs `test_rules_exact.stubbed` patched into the rule modules whose
    kernels draw, whichever test module called it: that module's own autouse fixture serves
    only its own tests, and a stub left behind draws for every test after (imported as
    `test_rules_exact` and as `tests.test_rules_exact`, it is two modules)."""
    yield
    for name in ("test_rules_exact", "tests.test_rules_exact"):
        module = sys.modules.get(name)
        while module is not None and module._PATCHES:
            module._PATCHES.pop().undo()


# ---------------------------------------------------------------- the window tests' fixtures
# Shared by the test_ui*.py files (a module that needs another battle defines its own `battle`).


def load_text_battle(folder: Path, text: str, name: str):
    """A scenario from YAML text, loaded from a file as the window loads one."""
    from engine.rules.coefficients import coefficient_names
    from engine.scenario import load_scenario

    path = folder / name
    path.write_text(text, encoding="utf-8")
    return load_scenario(path, coefficient_names=coefficient_names())


@pytest.fixture
def battle(tmp_path: Path):
    """The small test battle of test_ui.py (BATTLE), loaded from a file."""
    from test_ui import BATTLE

    return load_text_battle(tmp_path, BATTLE, "ui_test.yaml")


@pytest.fixture
def app(tmp_path: Path):
    """A window at 1280x720 (the dummy video driver) saving into the test's own folder."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    from engine.ui.app import App

    made = App((1280, 720), save_dir=tmp_path / "saves")
    yield made
    made.manager.clear_and_reset()
