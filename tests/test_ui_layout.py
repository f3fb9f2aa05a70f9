"""Issue 14, problems 8 and 10: the window's layout from 1024 x 640 up, driven with the dummy
video driver. The smallest size is enforced without a window manager; the status line and the
legend never overlap; the help fits its box and the window; a tooltip stands beside the hex it
describes and above the status line, and follows the map when Tab or C moves it under a still
cursor; the header's tag is readable on any fill; the side panel says the battle is over; each
hot-seat side keeps its own camera; the editor keeps roads under a brush of other ground and shows
"Saved." at once."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import shutil
from pathlib import Path

import pygame
import pytest
from window_driver import key, press, step

from engine.rules.coefficients import coefficient_names
from engine.scenario import load_scenario
from engine.scenario.document import ScenarioDocument
from engine.ui import chrome, fonts
from engine.ui.app import MIN_SIZE, App
from engine.ui.editor import EditorScreen
from engine.ui.screens import PlayScreen, start_session
from engine.ui.screens.play import HELP
from engine.ui.session import Session

ROOT = Path(__file__).resolve().parent.parent
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"


@pytest.fixture
def small_app(tmp_path: Path):
    made = App(MIN_SIZE, save_dir=tmp_path / "saves")
    yield made
    made.manager.clear_and_reset()


def play_screen(app: App, loaded, humans=(True, False), fog: bool = True) -> PlayScreen:
    start_session(app, Session(loaded, seed=1, humans=humans, fog=fog))
    step(app, 2)
    if not isinstance(app.screen, PlayScreen):  # the hand-over screen of a hot-seat game
        key(app, pygame.K_RETURN)
    assert isinstance(app.screen, PlayScreen)
    return app.screen


def widgets(app: App) -> list:
    return list(app.manager.get_root_container().elements)


def test_the_window_is_never_smaller_than_1024_by_640(tmp_path: Path) -> None:
    app = App((800, 500), save_dir=tmp_path)
    assert app.size == MIN_SIZE == (1024, 640)
    for asked in [(900, 700), (1500, 600), (1300, 900)]:
        pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=asked[0], h=asked[1]))
        step(app)
        assert app.size == (max(asked[0], 1024), max(asked[1], 640))


@pytest.mark.parametrize("size", [MIN_SIZE, (1920, 1080)])
def test_every_button_of_the_play_screen_is_inside_the_window(tmp_path, battle, size) -> None:
    app = App(size, save_dir=tmp_path)
    play = play_screen(app, battle)
    window = pygame.Rect((0, 0), app.size)
    for element in widgets(app):
        assert window.contains(element.rect), (element, element.rect)
    assert window.contains(play.view.rect) and play.view.rect.width >= 600
    for name in ("Hold", "Undo", "End turn"):
        assert any(getattr(e, "text", "") == name for e in widgets(app))


def test_a_long_status_never_runs_under_the_legend(small_app: App, battle) -> None:
    play = play_screen(small_app, battle)
    play.select(play.state.units.ids.index("red_1"))
    rect = play.view.rect
    surface = small_app.window
    legend = "dots: reach · red: assault · orange: bombard · yellow: fire, breach"
    for message in ["Moved.", "1st Company, 9th Regiment, 3rd Battalion " * 6]:
        status, shown = chrome.status_line(surface, rect, message, legend)
        assert shown is not None and not status.colliderect(shown)
        assert rect.contains(status) and rect.contains(shown)
    # a short one: side by side on one row; a long one: the legend on a row above it
    status, shown = chrome.status_line(surface, rect, "Moved.", legend)
    assert shown.bottom == status.bottom
    status, shown = chrome.status_line(surface, rect, "x" * 300, legend)
    assert shown.bottom <= status.top


def test_the_help_fits_its_box_and_the_window(small_app: App, battle) -> None:
    play = play_screen(small_app, battle)
    key(small_app, pygame.K_F1)
    assert play.help
    box = chrome.help_overlay(small_app.window, "Keys", HELP, width=760, key_w=250)
    assert pygame.Rect((0, 0), small_app.size).contains(box)
    # every row's text is wrapped to the box's right column
    right_w = box.width - min(250, box.width // 3) - 16
    for _, right in HELP:
        for line in fonts.wrap(right, chrome.HELP_SIZE, right_w):
            assert fonts.font(chrome.HELP_SIZE).size(line)[0] <= right_w + 2
    # a help taller than the window shrinks its font to fit
    tall = chrome.help_overlay(small_app.window, "Keys", HELP * 3, width=760, key_w=250)
    assert tall.bottom <= small_app.size[1]


def test_a_tooltip_stands_beside_its_hex_above_the_status_line(small_app: App, battle) -> None:
    rect = pygame.Rect(0, 44, 674, 596)
    bounds = chrome.map_bounds(rect)
    for center in [(300, 300), (660, 300), (10, 300), (300, 620), (330, 60), (650, 610)]:
        hex_box = pygame.Rect(0, 0, 60, 66)
        hex_box.center = center
        tip = chrome.tooltip_at((330, 220), hex_box, bounds)
        assert bounds.contains(tip), (center, tip)
        assert not tip.colliderect(hex_box), (center, tip)
    # counters to the right of the hex: the box goes left, off them; with counters all round
    # it takes the place over the fewest (the first tried of those on a tie)
    bounds = pygame.Rect(0, 44, 1200, 600)
    hex_box = pygame.Rect(0, 0, 60, 66)
    hex_box.center = (600, 300)
    right = [pygame.Rect(700, 280, 50, 40), pygame.Rect(850, 320, 50, 40)]
    left = [pygame.Rect(300, 300, 50, 40)]
    assert chrome.tooltip_at((330, 120), hex_box, bounds).left > hex_box.right
    tip = chrome.tooltip_at((330, 120), hex_box, bounds, counters=right)
    assert tip.right < hex_box.left and tip.collidelist(right) < 0
    tip = chrome.tooltip_at((330, 120), hex_box, bounds, counters=right + left)
    assert tip.top > hex_box.bottom and tip.collidelist(right + left) < 0  # below: over none
    crowded = right + left + [pygame.Rect(600, 400, 50, 40), pygame.Rect(500, 150, 50, 40)]
    tip = chrome.tooltip_at((330, 120), hex_box, bounds, counters=crowded)
    assert tip.right < hex_box.left and len(tip.collidelistall(crowded)) == 1  # fewest: left
    # the selected unit's box is kept off before any counter
    selected = chrome.tooltip_at((330, 120), hex_box, bounds, counters=right)  # left of the hex
    tip = chrome.tooltip_at((330, 120), hex_box, bounds, [selected], counters=right)
    assert not tip.colliderect(selected) and bounds.contains(tip)
    # in the play screen: the odds box of the red platoon over the blue one
    play = play_screen(small_app, battle, fog=False)
    u = play.state.units
    play.select(u.ids.index("red_1"))
    target = int(u.hex[u.ids.index("blue_1")])
    play.view.center_on(target)
    x, y = play.view.hex_center_on_screen(target)
    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=(int(x), int(y)), rel=(0, 0), buttons=(0, 0, 0))
    )
    step(small_app)
    assert play.hover == target and play.hover_odds()


def test_a_small_header_keeps_day_or_night_with_the_short_form(small_app: App) -> None:
    """At 1024x640 the long middle text ("21 May 1945 05:00–06:00 · turn 1 of 61 · day") was
    cut with "…", losing day or night: it takes its short form instead, drawn whole."""
    surface = pygame.Surface((1024, 44))
    title = "Defense of Furong Mountain 芙蓉山战役"
    long_ = "21 May 1945 05:00–06:00  ·  turn 1 of 61  ·  night"
    short = "21 May 05:00–06:00 · turn 1/61 · night"
    title_box, middle = chrome.header_texts(surface, title, long_, 760, short=short)
    assert middle.width == fonts.font(17).size(short)[0]  # whole, not cut
    assert middle.left > title_box.right and middle.right <= 760 - 12
    assert title_box.width == fonts.font(18, True).size(title)[0]  # the title whole as well
    # a wide header keeps the long form
    wide = pygame.Surface((1920, 44))
    _, middle = chrome.header_texts(wide, title, long_, 1600, short=short)
    assert middle.width == fonts.font(17).size(long_)[0]
    # too narrow even for the short form beside the whole title: the title is cut, in the
    # weight it is drawn in (bold), so that the middle stays whole
    title_box, middle = chrome.header_texts(surface, title, long_, 640, short=short)
    assert middle.width == fonts.font(17).size(short)[0] and middle.left > title_box.right


def test_the_hover_follows_the_map_when_tab_moves_it(small_app: App) -> None:
    """Issue 14: after Tab re-centred the map, the tooltip still described the old hex."""
    furong = load_scenario(FURONG, coefficient_names=coefficient_names())
    play = play_screen(small_app, furong)
    mouse = play.view.rect.center
    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=mouse, rel=(0, 0), buttons=(0,) * 3)
    )
    step(small_app)
    seen = set()
    for _ in range(3):
        key(small_app, pygame.K_TAB)  # the next unit, the map centred on it
        step(small_app)
        h = int(play.state.units.hex[play.selected])
        assert play.hover == play.view.hex_at(mouse)
        assert play.state.board.distance(play.hover, h) <= 1  # under the still cursor
        seen.add(play.hover)
    assert len(seen) > 1


def test_the_header_tag_is_readable_on_a_light_fill(small_app: App) -> None:
    surface = pygame.Surface((400, chrome.HEADER_H))
    for fill in [chrome.TEXT, (250, 250, 250), (30, 40, 120), (200, 40, 40)]:
        surface.fill((0, 0, 0))
        chrome.header_tag(surface, "the battle is over", fill)
        colours = {surface.get_at((x, chrome.HEADER_H // 2))[:3] for x in range(250, 390)}
        assert len(colours) > 2, fill  # text drawn in a colour other than the fill


def test_after_the_battle_the_panel_does_not_ask_for_orders(small_app: App, battle) -> None:
    play = play_screen(small_app, battle)
    play.session.state.finished = True
    assert "battle is over" in play.panel.unit_text(None)
    assert "your orders" not in play.panel.unit_text(None)


def test_each_hot_seat_side_keeps_its_own_camera(small_app: App, battle) -> None:
    play = play_screen(small_app, battle, humans=(True, True))
    assert play.session.viewer() == 0
    play.view.zoom(1)
    play.view.pan(-37, 0)
    red_camera = (list(play.view.cam), play.view.zoom_index)
    press(small_app, "End turn")  # the hand-over to Blue
    key(small_app, pygame.K_RETURN)
    assert small_app.screen is play and play.session.viewer() == 1
    step(small_app)
    blue = [i for i in range(play.state.units.count) if play.state.units.side[i] == 1]
    assert play.view.hex_at(play.view.rect.center) >= 0
    # Blue starts looking at its own units, not where Red looked
    assert (list(play.view.cam), play.view.zoom_index) != red_camera
    play.view.pan(25, 10)
    blue_camera = (list(play.view.cam), play.view.zoom_index)
    press(small_app, "End turn")  # the turn is resolved; the hand-over to Red
    key(small_app, pygame.K_RETURN)
    key(small_app, pygame.K_SPACE)  # skip the animations
    assert play.session.viewer() == 0
    assert (list(play.view.cam), play.view.zoom_index) == red_camera
    assert blue  # (Blue has units to look at)
    assert play.view._eyes[1] == (tuple(blue_camera[0]), blue_camera[1])


# ---------------------------------------------------------------------------------- the editor


@pytest.fixture
def furong_copy(tmp_path: Path) -> Path:
    path = tmp_path / "furong_mountain.yaml"
    shutil.copy(FURONG, path)
    return path


def editor_on(app: App, path: Path) -> EditorScreen:
    editor = EditorScreen(app, ScenarioDocument.open(path))
    app.show(editor)
    step(app)
    return editor


def stroke(app: App, editor: EditorScreen, cells) -> None:
    points = []
    for cell in cells:
        x, y = editor.view.hex_center_on_screen(editor.hex_of(cell))
        points.append((int(x), int(y)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=points[0], button=1))
    for point in points[1:]:
        pygame.event.post(
            pygame.event.Event(pygame.MOUSEMOTION, pos=point, rel=(1, 0), buttons=(1, 0, 0))
        )
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=points[-1], button=1))
    step(app, 2)


def test_painting_over_a_road_keeps_it_unless_shift_is_held(small_app: App, furong_copy) -> None:
    editor = editor_on(small_app, furong_copy)
    rows = editor.doc.data()["map"]["terrain"].splitlines()
    road = next((c, r) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == "=")
    editor.view.center_on(editor.hex_of(road))
    step(small_app)
    field = next(
        (c, r)
        for r in range(road[1] - 2, road[1] + 3)
        for c, ch in enumerate(rows[r])
        if ch == "," and abs(c - road[0]) <= 3
    )
    editor.current.brush = "h"  # wooded hill
    stroke(small_app, editor, [road, field])

    def char(cell) -> str:
        return editor.doc.data()["map"]["terrain"].splitlines()[cell[1]][cell[0]]

    assert char(road) == "=" and char(field) == "h"
    assert "Kept the road or track on 1 hex" in editor.message
    assert "Shift" in editor.message
    pygame.key.set_mods(pygame.KMOD_SHIFT)
    try:
        stroke(small_app, editor, [road])
    finally:
        pygame.key.set_mods(0)
    assert char(road) == "h" and "Kept" not in editor.message
    editor.current.brush = ":"  # a track may be painted over a road
    stroke(small_app, editor, [field])
    assert char(field) == ":"


def test_saving_shows_saved_at_once(small_app: App, furong_copy) -> None:
    editor = editor_on(small_app, furong_copy)
    editor.view.center_on(editor.hex_of((5, 5)))
    editor.current.brush = "h"
    stroke(small_app, editor, [(5, 5)])
    assert "Unsaved changes" in editor.problem_box.html_text
    key(small_app, pygame.K_s, pygame.KMOD_CTRL)  # no mouse moves after it
    assert editor.message.startswith("Saved")
    assert "Saved." in editor.problem_box.html_text
    assert "Unsaved" not in editor.problem_box.html_text


def test_the_editor_fits_1024_by_640(small_app: App, furong_copy) -> None:
    """Every tool's panel inside the window, and no widget over another (the problem box was
    pushed under the Save row in a short window)."""
    from pygame_gui.elements import UIButton, UILabel, UISelectionList, UITextBox, UITextEntryLine

    kinds = (UIButton, UILabel, UISelectionList, UITextBox, UITextEntryLine)
    editor = editor_on(small_app, furong_copy)
    window = pygame.Rect((0, 0), small_app.size)
    for name in editor.tools:
        editor.set_tool(name)
        step(small_app)
        shown = [e for e in widgets(small_app) if type(e) in kinds]
        for k, element in enumerate(shown):
            assert window.contains(element.rect), (name, element, element.rect)
            for other in shown[k + 1 :]:
                assert not element.rect.colliderect(other.rect), (name, element, other)


def test_the_triggers_tool_edits_a_phase_s_start_and_end(small_app: App, furong_copy) -> None:
    """The editor keeps the plans' triggers; now it edits them: choose a phase, type, Set."""
    import pygame_gui

    editor = editor_on(small_app, furong_copy)
    key(small_app, pygame.K_g)
    tool = editor.current
    assert tool.name == "triggers" and tool.phase_list is not None
    labels = [str(item["text"]) for item in tool.phase_list.item_list]
    chosen = next(
        text for text in labels if text.split(". ", 1)[1].startswith("ija night_crossing")
    )
    pygame.event.post(
        pygame.event.Event(
            pygame_gui.UI_SELECTION_LIST_NEW_SELECTION, text=chosen, ui_element=tool.phase_list
        )
    )
    step(small_app)
    assert tool.fields["end_when"].get_text() == "{taken: lion_mountain}"
    assert tool.fields["start_when"].get_text() == ""
    tool.fields["start_when"].set_text("after: {phase: cover_the_crossing, hours: 2}")
    tool.fields["end_when"].set_text("")
    press(small_app, "Set")
    phase = editor.doc.data_at(tool.phases[tool.phase][0])
    assert phase["start_when"] == {"after": {"phase": "cover_the_crossing", "hours": 2}}
    assert "end_when" not in phase
    assert not editor.problems and "Set the triggers of ija night_crossing" in editor.message
    key(small_app, pygame.K_z, pygame.KMOD_CTRL)  # both fields were one step
    phase = editor.doc.data_at(tool.phases[tool.phase][0])
    assert phase["end_when"] == {"taken": "lion_mountain"} and "start_when" not in phase
    # a name that is not a place: a problem with its line, and the map keeps the last valid one
    editor.current.choose(tool.phase)
    editor.current.set_triggers({"start_when": "", "end_when": "taken: lion_mountian"})
    assert editor.problems and "lion_mountain" in editor.problems[0].message
    editor.current.set_triggers({"start_when": "", "end_when": "{taken: ["})
    assert editor.message.startswith("Cannot set the trigger")


@pytest.mark.parametrize("name", ["shigehiro_pocket", "division_47_relief", "furong_mountain"])
def test_place_labels_keep_off_each_other_the_markers_and_the_counters(name: str) -> None:
    """Issue 14: on the operational maps the place labels piled onto each other and onto the
    counters. Every plate drawn stays clear of the other plates, of every other place's marker
    and of every counter's box, at a small and a large zoom; the places of the victory
    conditions are labelled."""
    from engine.rules.turn import new_game
    from engine.ui import drawing

    pygame.display.init()
    loaded = load_scenario(
        ROOT / "scenarios" / f"{name}.yaml", coefficient_names=coefficient_names()
    )
    state = new_game(loaded.scenario, 1)
    u = state.units
    stacks: dict[int, int] = {}
    for i in range(u.count):
        if state.active()[i] and u.hex[i] >= 0:
            stacks[int(u.hex[i])] = stacks.get(int(u.hex[i]), 0) + 1
    for size in (18, 33):
        geo = drawing.Geometry(state, size)
        layer = pygame.Surface((geo.width, geo.height))
        drawn = drawing.draw_places(layer, state, geo, frozenset(), stacks)
        plates = list(drawn.values())
        counters = [drawing.counter_box(geo, h, n) for h, n in stacks.items()]
        for k, plate in enumerate(plates):
            assert plate.collidelist(plates[:k] + plates[k + 1 :]) < 0
            assert plate.collidelist(counters) < 0
        victory = {getattr(c, "place", None) for c in loaded.scenario.victory} - {None}
        assert victory <= set(drawn), (size, victory - set(drawn))
        assert len(drawn) >= len(loaded.scenario.map.places) // 2


def test_a_zoom_step_shows_the_scaled_map_until_the_zooming_stops(small_app: App) -> None:
    """The zoom step of benchmarks/bench_render.py: a size not drawn yet is shown scaled from the
    last whole layer for SETTLE_FRAMES frames, then drawn whole over four frames (the terrain
    in three steps, the same pixels as in one, then the rest), the same when zoomed back to;
    a size drawn this turn is shown whole at once."""
    from engine.ui import drawing
    from engine.ui.mapview import SETTLE_FRAMES, ZOOMS

    furong = load_scenario(FURONG, coefficient_names=coefficient_names())
    play = play_screen(small_app, furong)
    view = play.view
    step(small_app)
    assert view.settled
    start = view.zoom_index
    view.zoom(1)
    step(small_app)
    assert not view.settled and view.size not in view._terrain  # not drawn yet: scaled
    step(small_app, SETTLE_FRAMES + 2)  # the zooming stopped: the terrain, in three frames
    assert not view.settled and view.size in view._terrain
    step(small_app)  # then the works, names, fog and night over it
    assert view.settled
    whole = pygame.image.tobytes(drawing.render_terrain(view.state, view.geo), "RGB")
    assert pygame.image.tobytes(view._terrain[view.size], "RGB") == whole  # drawn in steps
    map_pixels = pygame.image.tobytes(small_app.window.subsurface(view.rect), "RGB")
    view.zoom(-1)
    step(small_app)
    assert view.settled and view.zoom_index == start  # kept: whole at once
    view.zoom(1)
    step(small_app)
    assert view.settled
    assert pygame.image.tobytes(small_app.window.subsurface(view.rect), "RGB") == map_pixels
    view.zoom(1)  # a quick run of steps draws only the size it ends on
    step(small_app)
    view.zoom(1)
    step(small_app)
    assert ZOOMS[start + 2] not in view._terrain and not view.settled
    step(small_app, SETTLE_FRAMES + 3)
    assert ZOOMS[start + 3] in view._terrain and view.settled


def test_the_list_and_the_briefing_fit_1024_by_640(small_app: App, battle) -> None:
    from pygame_gui.elements import UIButton, UILabel, UITextBox

    from engine.ui.screens import BriefingScreen

    kinds = (UIButton, UILabel, UITextBox)
    window = pygame.Rect((0, 0), small_app.size)
    for show in (
        lambda: small_app.open("list"),
        lambda: small_app.show(BriefingScreen(small_app, battle)),
    ):
        show()
        step(small_app)
        shown = [e for e in widgets(small_app) if type(e) in kinds]
        assert shown
        for k, element in enumerate(shown):
            assert window.contains(element.rect), (element, element.rect)
            for other in shown[k + 1 :]:
                assert not element.rect.colliderect(other.rect), (element, other)
