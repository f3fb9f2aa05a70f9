"""The map editor in the window, driven with the dummy video driver: paint terrain and heights,
move a unit, add, rename and delete places, draw wire, undo, save, refuse to save a broken
scenario, quit only after a second warning; `wargame edit` without a display or on a broken file;
and a screenshot of the editor on the Furong map (docs/img/editor.png with
WARGAME_SCREENSHOTS=docs) with a pixel check that a painted hex is drawn in its new colour."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import shutil
from pathlib import Path

import pygame
import pygame_gui
import pytest
from window_driver import click, key, near, press, step

from engine.cli import main
from engine.rules.coefficients import coefficient_names
from engine.scenario import load_scenario
from engine.scenario.document import ScenarioDocument
from engine.ui import drawing
from engine.ui.app import App
from engine.ui.editor import EditorScreen

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"


@pytest.fixture
def app():
    made = App((1280, 720))
    yield made
    made.manager.clear_and_reset()


@pytest.fixture
def battle(tmp_path: Path) -> Path:
    path = tmp_path / "battle.yaml"
    shutil.copy(MINIMAL, path)
    return path


def open_editor(app: App, path: Path) -> EditorScreen:
    editor = EditorScreen(app, ScenarioDocument.open(path))
    app.show(editor)
    step(app)
    return editor


def edited(app: App, path: Path) -> EditorScreen:
    """The editor on `path` with one hex painted hill: a valid change, not yet saved."""
    editor = open_editor(app, path)
    editor.current.brush = "^"
    drag(app, [at(editor, 0, 0)])
    return editor


def at(editor: EditorScreen, col: int, row: int) -> tuple[int, int]:
    x, y = editor.view.hex_center_on_screen(editor.hex_of((col, row)))
    return int(x), int(y)


def drag(app: App, points: list[tuple[int, int]], button: int = 1) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=points[0], button=button))
    held = tuple(int(b == button) for b in (1, 2, 3))
    for point in points[1:]:
        pygame.event.post(
            pygame.event.Event(pygame.MOUSEMOTION, pos=point, rel=(1, 0), buttons=held)
        )
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=points[-1], button=button))
    step(app, 2)


CTRL = pygame.KMOD_CTRL


def test_a_whole_editing_session_by_clicks_and_keys(app: App, battle: Path) -> None:
    original = battle.read_text(encoding="utf-8")
    editor = open_editor(app, battle)
    assert editor.tool == "terrain" and not editor.problems

    # paint two hexes of hill with one stroke; the map is drawn again from the new text
    press(app, "     ^")
    assert editor.current.brush == "^"
    drag(app, [at(editor, 0, 0), at(editor, 1, 0)])
    assert editor.doc.data()["map"]["terrain"].splitlines()[0] == "^^~^^"
    board = editor.state.board
    assert board.terrain_ids[int(board.terrain[editor.hex_of((1, 0))])] == "hill"
    # right click picks up the ground under the cursor; one Ctrl+Z takes the whole stroke back
    click(app, at(editor, 2, 1), button=3)
    assert editor.current.brush == "~"
    key(app, pygame.K_z, CTRL)
    assert editor.doc.data()["map"]["terrain"].splitlines()[0] == "..~^^"
    key(app, pygame.K_y, CTRL)
    assert editor.doc.data()["map"]["terrain"].splitlines()[0] == "^^~^^"

    # a larger map, from the panel
    editor.current.size_w.set_text("6")
    press(app, "Resize")
    assert editor.loaded.scenario.map.width == 6 and editor.state.board.width == 6
    assert editor.doc.data()["map"]["terrain"].splitlines()[0] == "^^~^^^"

    # heights: the level brush, then a stroke
    key(app, pygame.K_e)
    assert editor.tool == "height"
    for _ in range(3):
        press(app, "+")
    drag(app, [at(editor, 0, 2)])
    assert editor.doc.data()["map"]["elevation"]["grid"].splitlines()[2] == "300355"

    # a unit's start hex
    key(app, pygame.K_u)
    click(app, at(editor, 0, 1))
    assert editor.selected == ("unit", "red_1")
    click(app, at(editor, 1, 1))
    assert editor.doc.data()["units"][0]["at"] == [1, 1]
    assert int(editor.state.units.hex[0]) == editor.hex_of((1, 1))

    # Shift+click stacks it even where the blue platoon stands (a problem: two sides in one
    # hex); a plain click there selects that one
    click(app, at(editor, 3, 1))
    assert editor.selected == ("unit", "blue_1")
    click(app, at(editor, 1, 1))
    assert editor.selected == ("unit", "red_1")
    pygame.key.set_mods(pygame.KMOD_SHIFT)
    click(app, at(editor, 3, 1))
    pygame.key.set_mods(0)
    assert editor.doc.data()["units"][0]["at"] == "hill"  # by the place there, with blue_1
    assert any("a hex holds one side's units" in p.message for p in editor.problems)
    key(app, pygame.K_z, CTRL)
    assert editor.doc.data()["units"][0]["at"] == [1, 1]
    click(app, at(editor, 1, 1))  # undo clears the selection
    assert editor.selected == ("unit", "red_1")

    # its figures, from the panel
    editor.current.fields["men"].set_text("36")
    press(app, "Set")
    assert editor.doc.data()["units"][0]["men"] == 36 and not editor.problems
    assert int(editor.state.units.men[0]) == 36

    # the form shows the file, not the last valid version: a bad figure, then put right
    editor.current.fields["men"].set_text("-5")
    press(app, "Set")
    assert editor.problems and editor.current.fields["men"].get_text() == "-5"
    editor.current.fields["men"].set_text("36")
    press(app, "Set")
    assert not editor.problems and editor.doc.data()["units"][0]["men"] == 36

    # a copy of the unit, then deleted again
    press(app, "Copy")
    click(app, at(editor, 0, 0))
    assert editor.selected == ("unit", "red_2")
    copy = editor.doc.data()["units"][-1]
    assert copy["at"] == [0, 0] and copy["men"] == 36 and copy["side"] == "red"
    assert not editor.problems and editor.state.units.count == 3
    # made into a blue unit of its own: names, side and men in one step of undo
    editor.current.fields["name_en"].set_text("Blue scouts")
    editor.current.fields["name_zh"].set_text("蓝军侦察")
    editor.current.fields["men"].set_text("12")
    editor.current.side_menu.selected_option = ("blue", "blue")
    press(app, "Set")
    copy = editor.doc.data()["units"][-1]
    assert copy["name"] == {"en": "Blue scouts", "zh": "蓝军侦察"}
    assert (copy["side"], copy["men"]) == ("blue", 12) and not editor.problems
    key(app, pygame.K_z, CTRL)
    assert editor.doc.data()["units"][-1]["side"] == "red"
    key(app, pygame.K_y, CTRL)
    click(app, at(editor, 0, 0))
    assert editor.selected == ("unit", "red_2")
    key(app, pygame.K_DELETE)
    assert [u["id"] for u in editor.doc.data()["units"]] == ["red_1", "blue_1"]

    # places: add one named in the panel, rename it, move it
    key(app, pygame.K_p)
    editor.current.name_en.set_text("Old ford")
    editor.current.name_zh.set_text("旧渡口")
    click(app, at(editor, 1, 2))
    assert editor.selected == ("place", "old_ford")
    place = editor.doc.data()["map"]["places"][-1]
    assert place == {"id": "old_ford", "name": {"en": "Old ford", "zh": "旧渡口"}, "hex": [1, 2]}
    editor.current.name_en.set_text("Lower ford")
    press(app, "Rename")
    click(app, at(editor, 0, 2))
    place = editor.doc.data()["map"]["places"][-1]
    assert place["name"]["en"] == "Lower ford" and place["hex"] == [0, 2]

    # wire on a new hex
    key(app, pygame.K_o)
    press(app, "wire")
    click(app, at(editor, 1, 0))
    assert [1, 0] in editor.doc.data()["obstacles"][0]["hexes"]
    assert "added to wire" in editor.message
    assert editor.work_hexes("wire") == {editor.hex_of(c) for c in ((3, 0), (3, 2), (1, 0))}
    assert "works: wire" in editor.hex_text(editor.hex_of((1, 0)))

    # marks: the red side's capture place, moved onto the new place by clicking it
    key(app, pygame.K_k)
    assert editor.tool == "marks"
    wanted = next(
        k for k, (path, _) in enumerate(editor.current.refs) if path == ("victory", 1, "place")
    )
    label = editor.current.ref_list.item_list[wanted]["text"]
    pygame.event.post(
        pygame.event.Event(
            pygame_gui.UI_SELECTION_LIST_NEW_SELECTION,
            {"text": label, "ui_element": editor.current.ref_list},
        )
    )
    step(app)
    assert editor.current.ref == wanted
    click(app, at(editor, 0, 2))  # where the new place, old_ford, now stands
    assert editor.doc.data()["victory"][1]["place"] == "old_ford"

    # save: the file has the edits and everything else as it was
    assert "battle.yaml *" not in editor.message
    key(app, pygame.K_s, CTRL)
    assert editor.message == "Saved battle.yaml."
    saved = battle.read_text(encoding="utf-8")
    assert saved.splitlines()[:2] == original.splitlines()[:2]  # the comments at the top
    loaded = load_scenario(battle, coefficient_names=coefficient_names())
    assert loaded.scenario.map.terrain.splitlines()[0] == "^^~^^^"
    assert [p.id for p in loaded.scenario.map.places] == ["hill", "old_ford"]


def test_a_broken_scenario_is_shown_and_never_saved(app: App, battle: Path) -> None:
    editor = open_editor(app, battle)
    before = battle.read_text(encoding="utf-8")
    key(app, pygame.K_p)
    click(app, at(editor, 3, 1))
    assert editor.selected == ("place", "hill")
    key(app, pygame.K_DELETE)
    assert editor.problems  # units, works and victory still name the hill
    assert "problem" in editor.problem_box.html_text
    key(app, pygame.K_s, CTRL)
    assert editor.message.startswith("Not saved")
    assert battle.read_text(encoding="utf-8") == before
    press(app, "Play")
    assert isinstance(app.screen, EditorScreen) and "Fix the problems" in editor.message
    key(app, pygame.K_z, CTRL)
    assert not editor.problems


def test_a_file_changed_on_disk_is_written_over_only_on_a_second_save(
    app: App, battle: Path
) -> None:
    editor = edited(app, battle)
    assert editor.doc.dirty and not editor.problems
    battle.write_text(battle.read_text(encoding="utf-8") + "# a hand edit\n", encoding="utf-8")
    key(app, pygame.K_s, CTRL)
    assert "changed by something else" in editor.message
    assert battle.read_text(encoding="utf-8").endswith("# a hand edit\n")
    key(app, pygame.K_s, CTRL)
    assert editor.message == "Saved battle.yaml."
    assert not battle.read_text(encoding="utf-8").endswith("# a hand edit\n")


def test_quitting_with_unsaved_changes_asks_once_more(app: App, battle: Path) -> None:
    editor = open_editor(app, battle)
    drag(app, [at(editor, 2, 0)])  # the brush is open ground; that hex is the stream
    assert editor.doc.dirty
    assert "Now 1 problem(s)" in editor.message  # the river no longer runs through water
    key(app, pygame.K_ESCAPE)
    assert app.running and "Unsaved changes" in editor.message
    key(app, pygame.K_ESCAPE)
    assert not app.running


def test_closing_the_window_with_unsaved_changes_asks_once_more(app: App, battle: Path) -> None:
    editor = edited(app, battle)
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    step(app)
    assert app.running and "Unsaved changes" in editor.message
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    step(app)
    assert not app.running


def test_typing_keeps_tool_keys_out_but_saves_and_keeps_the_name_over_a_resize(
    app: App, battle: Path
) -> None:
    editor = edited(app, battle)
    key(app, pygame.K_p)
    click(app, editor.current.name_en.rect.center)  # focus the English name
    assert editor.typing()
    pygame.event.post(
        pygame.event.Event(pygame.KEYDOWN, key=pygame.K_t, mod=0, unicode="t", scancode=0)
    )
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text="t"))
    step(app)
    assert editor.tool == "places"  # a tool key typed into the field is text, not a tool
    assert editor.current.name_en.get_text() == "t"
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, w=1400, h=800, size=(1400, 800)))
    step(app)
    assert app.screen is editor and editor.current.name_en.get_text() == "t"
    click(app, editor.current.name_en.rect.center)
    key(app, pygame.K_s, CTRL)  # Ctrl+S saves even while typing
    assert editor.message == "Saved battle.yaml."


def test_play_opens_the_briefing_of_the_saved_scenario(app: App, battle: Path) -> None:
    from engine.ui.screens import BriefingScreen

    editor = edited(app, battle)
    press(app, "Play")
    assert app.screen is editor and "Save first" in editor.message
    key(app, pygame.K_s, CTRL)
    press(app, "Play")
    assert isinstance(app.screen, BriefingScreen)
    assert app.screen.loaded.scenario.map.terrain.splitlines()[0] == "^.~^^"


def test_a_stroke_that_changes_nothing_says_so(app: App, battle: Path) -> None:
    editor = open_editor(app, battle)
    drag(app, [at(editor, 0, 0)])  # open ground painted on open ground
    assert editor.message.startswith("Nothing changed") and not editor.doc.dirty


def test_edit_without_a_display_or_on_a_broken_file_says_so(
    monkeypatch, capsys, tmp_path: Path, battle: Path
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert main(["edit", str(battle)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no display" in err[0] and "wargame validate" in err[0]

    broken = tmp_path / "broken.yaml"
    broken.write_text(
        battle.read_text(encoding="utf-8").replace("at: hill", "at: hil"), encoding="utf-8"
    )
    assert main(["edit", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "broken.yaml:" in err and "hil" in err and "fix these in the file first" in err

    shared = tmp_path / "shared.yaml"
    shared.write_text(
        battle.read_text(encoding="utf-8")
        .replace("at: [0, 1]", "at: &start [0, 1]", 1)
        .replace("at: hill", "at: *start", 1),
        encoding="utf-8",
    )
    assert main(["edit", str(shared)]) == 1
    err = capsys.readouterr().err
    assert "anchors (&)" in err and "the editor cannot open" in err

    assert main(["edit", str(tmp_path / "nothing.yaml")]) == 1
    err = capsys.readouterr().err
    assert "no such file" in err and "wargame new" in err


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    if os.environ.get("WARGAME_SCREENSHOTS") == "docs":
        return ROOT / "docs" / "img"
    return tmp_path


def test_screenshot_of_the_editor_on_furong(app: App, tmp_path: Path, shots: Path) -> None:
    path = tmp_path / "furong.yaml"
    shutil.copy(FURONG, path)
    editor = open_editor(app, path)
    # paint a river hex into the paddies east of the heights, where it shows
    water = next(c for c, t in editor.loaded.scenario.map.legend.items() if t == "water")
    editor.current.brush = water
    editor.rebuild()
    cell = (19, 10)
    drag(app, [at(editor, *cell)])
    pygame.event.post(
        pygame.event.Event(
            pygame.MOUSEMOTION, pos=at(editor, 12, 14), rel=(0, 0), buttons=(0, 0, 0)
        )
    )
    step(app, 2)
    shots.mkdir(parents=True, exist_ok=True)
    pygame.image.save(app.window, str(shots / "editor.png"))
    rgb = drawing.hex_rgb(editor.loaded.scenario.terrain["water"].color)
    x, y = at(editor, *cell)
    s = editor.view.size
    around = [(x + dx * s * 0.4, y + dy * s * 0.4) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    hits = [p for p in around if near(app.window, p, rgb, tolerance=30)]
    assert len(hits) >= 3, hits  # the hex is drawn in the water's colour (shaded), not paddy
    before = drawing.hex_rgb(editor.loaded.scenario.terrain["paddy"].color)
    assert not any(near(app.window, p, before, tolerance=6) for p in around)
    assert editor.doc.dirty and not editor.problems

    # the Marks tool, with the Japanese crossing's objective chosen: its hex outlined in yellow
    key(app, pygame.K_k)
    wanted = next(
        k for k, (_, label) in enumerate(editor.current.refs) if "cover_the_crossing" in label
    )
    pygame.event.post(
        pygame.event.Event(
            pygame_gui.UI_SELECTION_LIST_NEW_SELECTION,
            {
                "text": editor.current.ref_list.item_list[wanted]["text"],
                "ui_element": editor.current.ref_list,
            },
        )
    )
    step(app, 2)
    pygame.image.save(app.window, str(shots / "editor_marks.png"))
    (cell,) = [c for k, c in editor.current.mark_cells() if k == wanted]
    corner = editor.view.to_screen(*editor.view.geo.corners(editor.hex_of(cell), 0.98)[0])
    assert near(app.window, corner, (255, 220, 60), radius=3, tolerance=40)


def test_new_writes_a_valid_scenario_the_editor_opens(app: App, tmp_path: Path, capsys) -> None:
    path = tmp_path / "Hill 203.yaml"
    assert main(["new", str(path), "--width", "12", "--height", "8"]) == 0
    assert "wargame edit" in capsys.readouterr().out
    loaded = load_scenario(path, coefficient_names=coefficient_names())
    scenario = loaded.scenario
    assert scenario.id == "hill_203" and (scenario.map.width, scenario.map.height) == (12, 8)
    assert scenario.map.terrain == ("." * 12 + "\n") * 8
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")
    assert main(["new", str(path)]) == 1  # never over an existing file without --force
    assert "already exists" in capsys.readouterr().err
    assert main(["new", str(tmp_path / "big.yaml"), "--width", "401"]) == 2
    assert "400" in capsys.readouterr().err
    editor = open_editor(app, path)
    press(app, "     h")
    drag(app, [at(editor, 3, 3), at(editor, 4, 3)])
    key(app, pygame.K_s, pygame.KMOD_CTRL)
    terrain = load_scenario(path, coefficient_names=coefficient_names()).scenario.map.terrain
    assert terrain.splitlines()[3] == "...hh......."


def test_the_scenario_list_opens_a_battle_in_the_editor(app: App) -> None:
    from engine.ui.screens import ScenarioListScreen

    app.show(ScenarioListScreen(app, [MINIMAL]))
    step(app)
    press(app, "Edit map")
    assert isinstance(app.screen, EditorScreen)
    assert app.screen.doc.path == MINIMAL and not app.screen.doc.dirty


@pytest.mark.parametrize("size", [10, 18, 33])
def test_redrawing_around_a_stroke_gives_the_pixels_of_a_whole_new_layer(size: int) -> None:
    from engine.rules.turn import new_game

    pygame.display.init()
    names = coefficient_names()
    document = ScenarioDocument.open(FURONG)
    before = new_game(document.check(names).loaded.scenario, 1)
    layer = drawing.render_terrain(before, drawing.Geometry(before, size))
    strokes = {(14, 20): "h", (15, 20): "=", (20, 14): "v"}  # a road joining one, hills
    document.paint_terrain(strokes)
    document.set_levels({(15, 20): 9, (14, 20): 3})  # shading and contours move too
    after = new_game(document.check(names).loaded.scenario, 1)
    assert after.board.elevation_m.max() == before.board.elevation_m.max()
    hexes = {row * after.board.width + col for col, row in strokes}
    drawing.redraw_region(after, drawing.Geometry(after, size), layer, hexes)
    whole = drawing.render_terrain(after, drawing.Geometry(after, size))
    assert pygame.image.tobytes(layer, "RGB") == pygame.image.tobytes(whole, "RGB")
    assert pygame.image.tobytes(layer, "RGB") != pygame.image.tobytes(
        drawing.render_terrain(before, drawing.Geometry(before, size)), "RGB"
    )


def test_the_whole_layer_is_drawn_again_a_second_after_a_stroke(app: App, tmp_path: Path) -> None:
    from engine.ui.mapview import ZOOMS

    path = tmp_path / "lion.yaml"
    shutil.copy(ROOT / "scenarios" / "lion_mountain.yaml", path)
    editor = open_editor(app, path)
    editor.view.zoom(ZOOMS.index(33) - editor.view.zoom_index)
    step(app)
    editor.view.terrain_layer()  # drawn at this zoom before the stroke
    editor.current.brush = ","
    drag(app, [at(editor, 5, 6)])  # a case where the part redrawn at once is a pixel off
    assert editor._settle is not None and not editor.problems
    step(app, 40)  # 40 frames of 1/30 s
    assert editor._settle is None
    whole = drawing.render_terrain(editor.state, editor.view.geo)
    assert pygame.image.tobytes(editor.view.terrain_layer(), "RGB") == pygame.image.tobytes(
        whole, "RGB"
    )


def test_a_new_river_is_added_and_drawn_hex_by_hex(app: App, battle: Path) -> None:
    editor = open_editor(app, battle)
    key(app, pygame.K_r)
    editor.current.name_en.set_text("Little brook")
    editor.typed["name_en"] = "Little brook"
    press(app, "New river")
    assert editor.current.river == "little_brook"
    assert any("needs a `path`" in p.message for p in editor.problems)  # until it has hexes
    for cell in ((2, 0), (2, 1)):
        click(app, at(editor, *cell))
    river = editor.doc.data()["map"]["rivers"][-1]
    assert river["id"] == "little_brook" and river["path"] == [[2, 0], [2, 1]]
    assert not editor.problems
    assert [r.id for r in editor.loaded.scenario.map.rivers] == ["stream", "little_brook"]
