"""Screenshots of the window on the Furong Mountain scenario (dummy video driver): the briefing,
the map by day and by night, and the result screen; with pixel checks where a unit counter and a
minefield must be drawn.

The PNGs go to a temporary folder; with WARGAME_SCREENSHOTS=docs they are written to docs/img/
(what docs/play.md shows):  WARGAME_SCREENSHOTS=docs python -m pytest tests/test_ui_screenshots.py
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from pathlib import Path

import pygame
import pytest
from window_driver import near, show_result

from engine.rules.coefficients import coefficient_names
from engine.scenario import load_scenario
from engine.ui import drawing
from engine.ui.app import App
from engine.ui.screens import BriefingScreen, PlayScreen
from engine.ui.session import Session

ROOT = Path(__file__).resolve().parent.parent
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"


@pytest.fixture(scope="module")
def furong():
    return load_scenario(FURONG, coefficient_names=coefficient_names())


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    if os.environ.get("WARGAME_SCREENSHOTS") == "docs":
        return ROOT / "docs" / "img"
    return tmp_path


def frame(app: App, name: str, folder: Path) -> pygame.Surface:
    app.step(1 / 30)
    folder.mkdir(parents=True, exist_ok=True)
    pygame.image.save(app.window, str(folder / f"{name}.png"))
    return app.window


def counter_point(play: PlayScreen, unit: int):
    x, y = play.view.hex_center_on_screen(int(play.state.units.hex[unit]))
    s = play.view.size
    return x - 0.36 * s, y - 0.08 * s


def mine_point(play: PlayScreen, col: int, row: int):
    h = play.state.board.index(col, row)
    return play.view.to_screen(*drawing.mine_point(play.view.geo, h))


def test_screenshots_of_briefing_day_night_and_result(furong, shots: Path, tmp_path) -> None:
    app = App((1280, 720))
    app.show(BriefingScreen(app, furong))
    frame(app, "briefing", shots)

    session = Session(furong, seed=1, humans=(True, False), fog=True)
    play = PlayScreen(app, session)
    app.show(play)
    play.begin_orders()
    u = session.state.units
    company = u.ids.index("roc_1st_company")
    play.view.center_on(session.state.board.index(14, 13))
    plain = frame(app, "map_day_plain", tmp_path)
    roc = drawing.hex_rgb(furong.scenario.sides[0].color)
    assert near(plain, counter_point(play, company), roc), "no Chinese counter on the East Height"
    assert near(plain, mine_point(play, 10, 9), drawing.MINE_RED), "no minefield at 10,9"
    by_day = plain.get_at(tuple(map(int, mine_point(play, 10, 9))))
    play.select(company)
    target = play.view.hex_center_on_screen(session.state.board.index(14, 12))
    pygame.event.post(
        pygame.event.Event(
            pygame.MOUSEMOTION, pos=(int(target[0]), int(target[1])), rel=(0, 0), buttons=(0, 0, 0)
        )
    )
    day = frame(app, "map_day", shots)
    assert near(day, counter_point(play, company), roc), "the selected counter is drawn"

    while not session.state.is_night():
        session.finish_orders()
        session.end_turn()
    play.begin_orders()
    play.player.skip()
    play.view.center_on(session.state.board.index(14, 13))
    ninth = u.ids.index("roc_9th_company")
    play.select(None)
    dark = frame(app, "map_night_plain", tmp_path)
    if u.hex[company] >= 0:
        assert near(dark, counter_point(play, company), roc), "counters stay bright at night"
    at_night = dark.get_at(tuple(map(int, mine_point(play, 10, 9))))
    assert sum(at_night[:3]) < sum(by_day[:3]) - 60, "the night tint darkens the map"
    assert at_night[2] / sum(at_night[:3]) > by_day[2] / sum(by_day[:3]), "the tint is blue"
    play.view.center_on(session.state.board.index(24, 13))
    play.select(ninth if session.state.active()[ninth] else company)
    board = session.state.board
    here = int(u.hex[play.selected])
    seen = [int(u.hex[i]) for i in session.visible_units(0) if u.side[i] == 1]
    seen += [s.hex for _, s, _ in session.memory.ghosts(session.state, 0)]
    if seen:
        x, y = play.view.hex_center_on_screen(min(seen, key=lambda h: board.distance(here, h)))
        pygame.event.post(
            pygame.event.Event(
                pygame.MOUSEMOTION, pos=(int(x), int(y)), rel=(0, 0), buttons=(0, 0, 0)
            )
        )
    frame(app, "map_night", shots)

    show_result(app, session, play)
    result = frame(app, "result", shots)
    assert result.get_at((40, 30))[:3] != (0, 0, 0)
    app.manager.clear_and_reset()
