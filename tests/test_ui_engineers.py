"""The window offers the engineers' breach order from its declaration (engine/rules/engineering.py):
the E key and the Breach button, obstacle hexes lit, an exact forecast, the order given by a click,
the breach told in the log; and the order modes built from the order kinds' declarations."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from pathlib import Path

import pygame
import pytest
from conftest import load_text_battle
from test_ui import BATTLE, hex_pos
from window_driver import click, key, press, step

from engine.core.orders import window_orders
from engine.rules.engineering import Breach
from engine.ui import order_modes
from engine.ui.app import App
from engine.ui.screens import BriefingScreen, HandoverScreen, PlayScreen
from engine.ui.screens.play import HELP

# The window test battle with a Red engineer squad next to the minefield and wire at [5, 2].
WITH_ENGINEERS = BATTLE.replace(
    "  - id: blue_1\n",
    "  - id: red_eng\n"
    "    name: {en: Red engineers}\n"
    "    side: red\n"
    "    type: engineers\n"
    "    men: 10\n"
    "    weapons: [{weapon: rifle, count: 8, ammo: 800}]\n"
    "    at: [4, 2]\n"
    "  - id: blue_1\n",
)
SHOTS = Path(os.environ.get("UI_SHOTS", "/tmp"))


@pytest.fixture
def battle(tmp_path: Path):
    return load_text_battle(tmp_path, WITH_ENGINEERS, "ui_engineers.yaml")


def test_modes_keys_buttons_and_help_come_from_the_declarations() -> None:
    modes = order_modes.order_modes()
    assert [m.name for m in modes] == [k.verb for k in window_orders()]
    assert order_modes.mode_for_key(pygame.K_e) == "breach"
    assert order_modes.mode_for_key(pygame.K_m) == "move"
    assert order_modes.mode_for_key(pygame.K_h) is None  # hold is a button of its own
    assert ("M  A  B  F  W  E", order_modes.help_line()[1]) in HELP
    assert "breach (engineers)" in order_modes.help_line()[1]


def test_engineers_breach_in_the_window(app: App, battle) -> None:
    app.show(BriefingScreen(app, battle))
    step(app)
    press(app, "H.")  # hot seat: both sides by hand
    press(app, "Start")
    key(app, pygame.K_RETURN)
    play = app.screen
    assert isinstance(play, PlayScreen)
    board = play.state.board
    eng = play.state.units.ids.index("red_eng")
    field = board.index(5, 2)

    # the infantry may not breach: E says why and stays out of the mode
    click(app, hex_pos(play, 4, 1))
    key(app, pygame.K_e)
    assert play.mode is None and "red_1 is not engineers" in play.message

    click(app, hex_pos(play, 4, 2))
    assert play.selected == eng
    press(app, "Breach")  # the button the declaration labels
    assert play.mode == "breach"
    lit = play.highlights().fire_targets
    assert lit == {field}  # the obstacle hex next to the squad
    pygame.event.post(
        pygame.event.Event(
            pygame.MOUSEMOTION,
            pos=tuple(map(int, hex_pos(play, 5, 2))),
            rel=(0, 0),
            buttons=(0, 0, 0),
        )
    )
    step(app)
    forecast = play.hover_odds()[0]
    # one hour of a full party: 20 of the 30 m lane, nothing left for the two lines of wire
    assert forecast.title == "Breach 5,2"
    assert forecast.headline == "1.0 h of work: lane 0% → 67%, wire 2 → 2 lines"
    step(app)
    pygame.image.save(app.window, str(SHOTS / "ui_breach_mode.png"))
    click(app, hex_pos(play, 5, 2))
    assert play.session.pending[eng] == Breach(eng, field)
    assert play.message == "Order: Red engineers — breach 5,2"  # names and col,row (issue 14)
    press(app, "End turn")
    assert isinstance(app.screen, HandoverScreen)
    key(app, pygame.K_RETURN)
    key(app, pygame.K_RETURN)  # Blue gives no orders
    assert play.state.turn == 1
    lines = [e.line() for e in play.session.events if e.kind == "breached"]
    assert lines == ["red_eng breaches at 5,2; minefield lane 67%; wire 2 lines left"]
    assert float(play.state.works.lane[field]) == pytest.approx(2 / 3)
