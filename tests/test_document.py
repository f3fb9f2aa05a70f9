"""The editor's scenario document: each scenario edit rewrites only the characters of the value it
changes, so a saved file differs from the opened one by exactly the edits (comments, rulers and
hand wrapping kept), undo restores the text exactly, and saving is atomic and refuses an invalid
scenario. The generic YAML text editor under it (values by path, lists, grids, undo, saving
through links and in any line endings, files it refuses to open) is tested on YAML that is no
scenario in tests/test_yaml_text.py."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.rules.coefficients import coefficient_names
from engine.scenario import ScenarioError
from engine.scenario.document import EditError, FileChangedError, ScenarioDocument

ROOT = Path(__file__).resolve().parent.parent
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"
NAMES = coefficient_names()


def changed_lines(before: str, after: str) -> list[str]:
    """The -/+ lines of a diff, without headers: what an edit did to the text."""
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.fixture
def furong() -> ScenarioDocument:
    return ScenarioDocument.open(FURONG)


@pytest.fixture
def minimal() -> ScenarioDocument:
    return ScenarioDocument.open(MINIMAL)


def test_painting_terrain_changes_one_character_of_one_line(furong) -> None:
    before = furong.text
    assert furong.paint_terrain({(0, 0): "v", (35, 27): "~"})
    assert changed_lines(before, furong.text) == [
        "-    ,,,,,,,,,,,,,,,,,,,,,,,,,,,~,,,,,,,,",
        "+    v,,,,,,,,,,,,,,,,,,,,,,,,,,~,,,,,,,,",
        "-    ,,,,,,,,,,,,,,,,,,,,,,,,,,,~,,,,,,,,",
        "+    ,,,,,,,,,,,,,,,,,,,,,,,,,,,~,,,,,,,~",
    ]
    rows = furong.data()["map"]["terrain"].splitlines()
    assert rows[0][0] == "v" and rows[27][35] == "~"
    loaded = furong.check(NAMES).loaded
    assert loaded is not None
    assert loaded.scenario.map.terrain.splitlines()[0][0] == "v"


def test_painting_what_is_there_already_is_not_an_edit(furong) -> None:
    assert not furong.paint_terrain({(0, 0): ","})
    assert not furong.can_undo and not furong.dirty


def test_undo_and_redo_restore_the_text_exactly(furong) -> None:
    original = furong.text
    furong.paint_terrain({(3, 3): "h"})
    painted = furong.text
    furong.move_unit(furong.data()["units"][0]["id"], (3, 4))
    assert furong.undo() and furong.text == painted
    assert furong.undo() and furong.text == original and not furong.dirty
    assert not furong.undo()
    assert furong.redo() and furong.text == painted
    furong.paint_terrain({(4, 4): "h"})  # a new edit drops what could be redone
    assert not furong.can_redo


def test_moving_a_unit_that_starts_at_a_place_writes_its_hex(furong) -> None:
    before = furong.text
    unit = furong.data()["units"][0]
    assert unit["at"] == "furong_summit"
    furong.move_unit(unit["id"], (3, 4))
    assert changed_lines(before, furong.text) == ["-    at: furong_summit", "+    at: [3, 4]"]
    assert furong.data()["units"][0]["at"] == [3, 4]


def test_a_unit_is_copied_with_a_new_id_and_removed_again(furong) -> None:
    before = furong.text
    original = furong.data()["units"][3]
    ident = furong.copy_unit(original["id"], (20, 20))
    assert ident == f"{original['id']}_2"
    copy = furong.data()["units"][-1]
    assert copy == {**original, "id": ident, "at": [20, 20]}
    assert furong.check(NAMES).ok
    furong.remove_unit(ident)
    assert furong.text == before


def test_a_units_figures_are_set_where_they_are_written(minimal) -> None:
    before = minimal.text
    minimal.set_unit_values("red_1", {"men": 35, "posture": "hasty", "morale": 0.6})
    assert changed_lines(before, minimal.text) == [
        "-    men: 40",
        "+    men: 35",
        "+    posture: hasty",
        "+    morale: 0.6",
    ]
    unit = minimal.data()["units"][0]
    assert (unit["men"], unit["posture"], unit["morale"]) == (35, "hasty", 0.6)
    assert minimal.check(NAMES).ok
    minimal.set_unit_values("red_1", {"men": -5})  # the loader says what is wrong with it
    assert any("men" in p.message for p in minimal.check(NAMES).problems)
    with pytest.raises(EditError, match="not a unit figure"):
        minimal.set_unit_values("red_1", {"weapons": []})


def test_several_edits_in_one_step_undo_together_or_not_at_all(minimal) -> None:
    before = minimal.text
    with minimal.one_step():
        minimal.set_unit_values("red_1", {"side": "blue", "men": 30})
        minimal.rename_unit("red_1", "Blue copy", "蓝")
    unit = minimal.data()["units"][0]
    assert (unit["side"], unit["men"], unit["name"]) == (
        "blue",
        30,
        {"en": "Blue copy", "zh": "蓝"},
    )
    assert minimal.undo() and minimal.text == before and not minimal.can_undo
    with pytest.raises(EditError), minimal.one_step():
        minimal.paint_terrain({(0, 0): "^"})
        minimal.paint_terrain({(9, 9): "^"})  # off the grid: the whole step is taken back
    assert minimal.text == before and not minimal.can_undo


def test_a_group_that_fails_or_changes_nothing_keeps_what_could_be_redone(minimal) -> None:
    minimal.paint_terrain({(0, 0): "^"})
    minimal.undo()
    with pytest.raises(EditError), minimal.one_step():
        minimal.paint_terrain({(1, 0): "^"})
        minimal.paint_terrain({(9, 9): "^"})
    assert minimal.can_redo
    with minimal.one_step():
        minimal.paint_terrain({(1, 0): "^"})
        minimal.paint_terrain({(1, 0): "."})  # and back: no change in the end
    assert minimal.can_redo and minimal.redo()
    assert minimal.data()["map"]["terrain"].splitlines()[0] == "^.~^^"


def test_moving_a_unit_to_its_own_hex_changes_nothing_and_a_place_is_written_by_id(
    minimal,
) -> None:
    before = minimal.text
    assert not minimal.move_unit("blue_1", (3, 1))  # `at: hill`, which is [3, 1]
    assert minimal.text == before
    minimal.move_unit("red_1", (3, 1))
    assert minimal.data()["units"][0]["at"] == "hill"


def test_a_reinforcement_has_no_start_hex_to_move(furong) -> None:
    arriving = next(u for u in furong.data()["units"] if "at" not in u)
    with pytest.raises(EditError, match="reinforcement"):
        furong.move_unit(arriving["id"], (1, 1))


def test_taking_a_hex_out_of_a_wrapped_commented_list_keeps_its_comment(furong) -> None:
    """The comment stays, and in its column (issue 14: aligned trailing comments)."""
    before = furong.text
    assert furong.toggle_obstacle("minefield", (10, 8), {}) == "removed"
    assert changed_lines(before, furong.text) == [
        "-      furong_north_height, [10, 8], [10, 9], [11, 10], [10, 11], [11, 12], [11, 13],"
        "  # north, east",
        "+      furong_north_height, [10, 9], [11, 10], [10, 11], [11, 12], [11, 13],"
        "           # north, east",
    ]
    assert [10, 8] not in furong.data()["obstacles"][0]["hexes"]


def test_adding_a_hex_keeps_the_aligned_trailing_comments_in_their_column(furong) -> None:
    """Issue 14: adding a minefield hex pushed the line's aligned comment out of its column.
    The comment takes the padding; a line grown past the column keeps two spaces; taking the
    hex out again gives back the text as it was."""
    before = furong.text
    assert furong.toggle_obstacle("minefield", (12, 3), {}) == "added"
    assert changed_lines(before, furong.text) == [
        "-      [11, 15], [11, 16], [10, 17], [10, 18], furong_south_height,"
        "                    # east, south",
        "+      [11, 15], [11, 16], [10, 17], [10, 18], furong_south_height, [12, 3],"
        "           # east, south",
    ]
    column = before.splitlines()[930].index("#")
    for cell in [(12, 4), (12, 5)]:  # past the column: two spaces before the comment
        furong.toggle_obstacle("minefield", cell, {})
    grown = next(line for line in furong.text.splitlines() if "[12, 5]" in line)
    assert grown.endswith("[12, 3], [12, 4], [12, 5],  # east, south") and grown.index("#") > column
    for cell in [(12, 5), (12, 4), (12, 3)]:
        assert furong.toggle_obstacle("minefield", cell, {}) == "removed"
    assert furong.text == before


def test_a_hash_inside_a_block_text_is_not_a_comment_to_align() -> None:
    text = "a: [1, 2]  # two\nb: |\n  x, y  # not a comment\nc: 'a # b'  # real\n"
    doc = ScenarioDocument(text)
    assert doc._comment_column("a: [1, 2]  # two", 0) == 11
    line = "  x, y  # not a comment"
    assert doc._comment_column(line, text.index(line)) is None
    assert doc._comment_column("c: 'a # b'  # real", text.index("c:")) == 12
    doc.append_item(("a",), "3")
    assert doc.text.splitlines()[0] == "a: [1, 2, 3]  # two"  # grown past: two spaces kept


def test_a_hex_named_by_a_place_is_taken_out_by_its_place_id(furong) -> None:
    # The summit's blockhouse lists only `furong_summit`: taking that hex out removes the work.
    before_count = len(furong.data()["obstacles"])
    assert furong.toggle_obstacle("blockhouse", (6, 13), {}) == "removed"
    obstacles = furong.data()["obstacles"]
    assert len(obstacles) == before_count - 1
    assert all(o["hexes"] != ["furong_summit"] for o in obstacles if o["kind"] == "blockhouse")
    assert furong.check(NAMES).ok


def test_adding_a_hex_goes_after_the_last_one_of_the_first_work_of_that_kind(furong) -> None:
    assert furong.toggle_obstacle("minefield", (20, 20), {}) == "added"
    assert furong.data()["obstacles"][0]["hexes"][-1] == [20, 20]
    line = next(x for x in furong.text.splitlines() if "[20, 20]" in x)
    assert line.startswith("      [11, 15], [11, 16], [10, 17], [10, 18], furong_south_height,")
    assert line.rstrip().endswith("# east, south")


def test_a_new_kind_of_work_is_added_with_the_given_fields(minimal) -> None:
    result = minimal.toggle_obstacle(
        "minefield", (1, 1), {"depth_m": "30", "density_per_m": "1.0", "source": '"editor"'}
    )
    assert result == "added"
    assert (
        "  - {kind: wire, hexes: [[3, 0], [3, 2]], lines: 1}\n"
        "  - kind: minefield\n"
        "    hexes: [[1, 1]]\n"
        "    depth_m: 30\n"
        "    density_per_m: 1.0\n"
        '    source: "editor"\n'
        "victory:\n"
    ) in minimal.text
    assert minimal.check(NAMES).ok


def test_a_flow_list_item_goes_into_the_brackets(minimal) -> None:
    before = minimal.text
    assert minimal.toggle_obstacle("wire", (1, 0), {}) == "added"
    assert changed_lines(before, minimal.text) == [
        "-  - {kind: wire, hexes: [[3, 0], [3, 2]], lines: 1}",
        "+  - {kind: wire, hexes: [[3, 0], [3, 2], [1, 0]], lines: 1}",
    ]
    assert minimal.toggle_obstacle("wire", (3, 0), {}) == "removed"
    assert minimal.data()["obstacles"][0]["hexes"] == [[3, 2], [1, 0]]
    assert minimal.toggle_obstacle("wire", (1, 0), {}) == "removed"
    assert minimal.data()["obstacles"][0]["hexes"] == [[3, 2]]
    assert "hexes: [[3, 2]], lines: 1}" in minimal.text


def test_the_last_hex_of_the_only_work_leaves_an_empty_list(minimal) -> None:
    minimal.toggle_obstacle("wire", (3, 0), {})
    minimal.toggle_obstacle("wire", (3, 2), {})
    assert minimal.data()["obstacles"] == []
    assert "obstacles: []" in minimal.text
    assert minimal.check(NAMES).ok
    assert minimal.toggle_obstacle("wire", (0, 0), {"lines": "2"}) == "added"
    assert minimal.data()["obstacles"] == [{"kind": "wire", "hexes": [[0, 0]], "lines": 2}]


def test_places_are_added_moved_renamed_and_removed(minimal) -> None:
    before = minimal.text
    ident = minimal.add_place("Old Ford", (1, 2), "旧渡口")
    assert ident == "old_ford"
    assert changed_lines(before, minimal.text) == [
        "+    - id: old_ford",
        "+      name: {en: Old Ford, zh: 旧渡口}",
        "+      hex: [1, 2]",
    ]
    assert minimal.add_place("Old Ford", (0, 2)) == "old_ford_2"
    minimal.move_place("old_ford", (0, 0))
    minimal.rename_place("old_ford", "Ferry: the old one", None)
    place = minimal.data()["map"]["places"][1]
    assert place == {"id": "old_ford", "name": {"en": "Ferry: the old one"}, "hex": [0, 0]}
    assert minimal.check(NAMES).ok
    minimal.remove_place("old_ford_2")
    minimal.remove_place("old_ford")
    assert minimal.data()["map"]["places"] == [
        {"id": "hill", "name": {"en": "The hill", "zh": "小山"}, "hex": [3, 1]}
    ]


def test_a_name_that_looks_like_a_number_is_written_quoted(minimal) -> None:
    """The loader reads a plain 1e3 as a number (as YAML 1.2 does): a name "1e3" must be quoted,
    or the file the editor saves no longer loads."""
    minimal.rename_place("hill", "1e3", "2E5")
    assert "name: {en: '1e3', zh: '2E5'}" in minimal.text or 'name: {en: "1e3", zh: "2E5"}' in (
        minimal.text
    )
    assert minimal.data()["map"]["places"][0]["name"] == {"en": "1e3", "zh": "2E5"}
    assert minimal.check(NAMES).ok
    assert minimal.add_place("1e3", (0, 0)) != "1e3"  # an id must read as text too


def test_removing_a_place_that_is_named_elsewhere_is_reported_by_check(minimal) -> None:
    minimal.remove_place("hill")
    result = minimal.check(NAMES)
    assert not result.ok
    assert any("hill" in p.message for p in result.problems)
    assert all(p.line > 0 for p in result.problems)


def test_a_new_river_starts_without_a_path_and_takes_waypoints(minimal) -> None:
    before = minimal.text
    ident = minimal.add_river("Little Brook")
    assert changed_lines(before, minimal.text) == [
        "+    - id: little_brook",
        "+      name: {en: Little Brook}",
        "+      path: []",
        "+      crossing: {width_m: 50}",
        '+      source: "assumption: drawn in the map editor; set the width from a source"',
    ]
    assert not minimal.check(NAMES).ok  # a river needs its hexes
    minimal.river_waypoint(ident, (2, 0))
    assert minimal.check(NAMES).ok
    assert minimal.add_river("Little Brook") == "little_brook_2"


def test_river_waypoints_are_added_at_the_end_and_taken_out(minimal) -> None:
    assert minimal.river_waypoint("stream", (2, 1)) == "added"
    assert minimal.data()["map"]["rivers"][0]["path"] == [[2, 0], [2, 2], [2, 1]]
    assert minimal.river_waypoint("stream", (2, 0)) == "removed"
    assert minimal.data()["map"]["rivers"][0]["path"] == [[2, 2], [2, 1]]


def test_removing_the_last_item_of_a_wrapped_list_leaves_no_trailing_space(furong) -> None:
    furong.river_waypoint("chen_river", (27, 27))
    line = next(x for x in furong.text.splitlines() if "[27, 26]" in x)
    assert line == "        [27, 22], [27, 23], [26, 23], [26, 24], [26, 25], [27, 26],"


def test_heights_are_set_and_a_map_without_them_gets_a_grid(minimal) -> None:
    minimal.set_levels({(0, 0): 12})
    assert minimal.data()["map"]["elevation"]["grid"].splitlines()[0] == "c0035"
    flat = ScenarioDocument(
        MINIMAL.read_text(encoding="utf-8").replace(
            "  elevation:\n    base_m: 100\n    step_m: 10\n    grid: |\n"
            "      00035\n      00036\n      00035\n",
            "",
        ),
        "flat.yaml",
    )
    assert "elevation" not in flat.data()["map"]
    flat.set_levels({(4, 2): 3})
    elevation = flat.data()["map"]["elevation"]
    assert elevation["base_m"] == 0 and elevation["step_m"] == 10
    assert elevation["grid"] == "00000\n00000\n00003\n"
    loaded = flat.check(NAMES).loaded
    assert loaded is not None and loaded.scenario.map.elevation is not None
    flat.undo()
    assert "elevation" not in flat.data()["map"]


def test_a_larger_map_repeats_its_last_column_and_row(minimal) -> None:
    before = minimal.text
    minimal.resize_map(7, 4)
    assert changed_lines(before, minimal.text) == [
        "-  width: 5",
        "-  height: 3",
        "+  width: 7",
        "+  height: 4",
        "-    ..~^^",
        "-    ..~^X",
        "-    ..~^^",
        "+    ..~^^^^",
        "+    ..~^XXX",
        "+    ..~^^^^",
        "+    ..~^^^^",
        "-      00035",
        "-      00036",
        "-      00035",
        "+      0003555",
        "+      0003666",
        "+      0003555",
        "+      0003555",
    ]
    assert minimal.check(NAMES).ok


def test_a_smaller_map_reports_what_is_left_off_it(minimal) -> None:
    minimal.resize_map(3, 2)
    result = minimal.check(NAMES)
    assert not result.ok
    assert any("off the map" in p.message for p in result.problems)
    minimal.undo()
    assert minimal.check(NAMES).ok and not minimal.dirty


def test_hex_references_list_what_the_map_marks_and_point_them_at_a_hex(furong) -> None:
    refs = dict(furong.hex_refs())
    assert refs[("reinforcements", 0, "at")].startswith("arrival 23 May 06:00: roc_t6_1st_bn")
    assert refs[("victory", 0, "place")] == "victory: roc hold"
    assert ("plans", 0, "rear") in refs and ("air_strikes", 0, "target") in refs
    before = furong.text
    assert furong.set_hex_ref(("reinforcements", 0, "at"), (0, 14)) == "[0, 14]"
    assert furong.set_hex_ref(("air_strikes", 0, "target"), (25, 12)) == "lion_mountain"
    assert changed_lines(before, furong.text) == [
        "-    at: relief_entry_north",
        "+    at: [0, 14]",
        "-    target: crossing_site",
        "+    target: lion_mountain",
    ]
    assert furong.check(NAMES).ok


def test_an_optional_hex_reference_not_yet_set_is_added(minimal) -> None:
    text = minimal.text.replace("victory:", "plans:\n  - side: red\n    phases: []\nvictory:", 1)
    document = ScenarioDocument(text, "plans.yaml")
    assert (("plans", 0, "rear"), "red plan: rear") in document.hex_refs()
    assert document.set_hex_ref(("plans", 0, "rear"), (0, 1)) == "[0, 1]"
    assert document.data()["plans"][0] == {"side": "red", "phases": [], "rear": [0, 1]}
    assert document.check(NAMES).ok


def test_bad_edits_are_refused_with_a_reason(minimal) -> None:
    with pytest.raises(EditError, match="not in the map's legend"):
        minimal.paint_terrain({(0, 0): "Q"})
    with pytest.raises(EditError, match="outside the grid"):
        minimal.paint_terrain({(5, 0): "."})
    with pytest.raises(EditError, match=r"outside 0\.\.35"):
        minimal.set_levels({(0, 0): 36})
    with pytest.raises(EditError, match="no place"):
        minimal.move_place("nowhere", (0, 0))
    with pytest.raises(EditError, match="1 to 400"):
        minimal.resize_map(0, 3)
    with pytest.raises(EditError, match="English name"):
        minimal.add_place("  ", (0, 0))
    assert not minimal.dirty and not minimal.can_undo


def test_save_is_atomic_keeps_line_endings_and_refuses_an_invalid_scenario(tmp_path) -> None:
    path = tmp_path / "battle.yaml"
    original = "\ufeff" + MINIMAL.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(original.encode("utf-8"))
    document = ScenarioDocument.open(path)
    document.paint_terrain({(0, 0): "^"})
    document.save(coefficient_names=NAMES)
    saved = path.read_bytes().decode("utf-8")
    assert saved.startswith("\ufeff") and "\r\n" in saved and "\n" not in saved.replace("\r\n", "")
    assert changed_lines(original, saved) == ["-    ..~^^", "+    ^.~^^"]
    assert not document.dirty
    assert [p.name for p in tmp_path.iterdir()] == ["battle.yaml"]  # no temporary file left

    document.remove_place("hill")  # units, works and victory name it: no longer valid
    with pytest.raises(ScenarioError) as refused:
        document.save(coefficient_names=NAMES)
    assert refused.value.problems
    assert path.read_bytes().decode("utf-8") == saved  # the file on disk is untouched
    assert document.dirty


def test_a_file_changed_by_someone_else_is_not_written_over_unasked(tmp_path) -> None:
    path = tmp_path / "battle.yaml"
    path.write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    document = ScenarioDocument.open(path)
    document.paint_terrain({(0, 0): "^"})
    by_hand = path.read_text(encoding="utf-8").replace("Minimal test battle", "Hand edited")
    path.write_text(by_hand, encoding="utf-8")
    with pytest.raises(FileChangedError, match="changed by something else"):
        document.save(coefficient_names=NAMES)
    assert path.read_text(encoding="utf-8") == by_hand
    document.save(coefficient_names=NAMES, overwrite_changes=True)
    assert "Minimal test battle" in path.read_text(encoding="utf-8")
    document.paint_terrain({(1, 0): "^"})
    document.save(coefficient_names=NAMES)  # its own last save is not someone else's change


EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("paint"), st.integers(0, 4), st.integers(0, 2), st.sampled_from(".^~X")),
        st.tuples(st.just("level"), st.integers(0, 4), st.integers(0, 2), st.integers(0, 35)),
        st.tuples(
            st.just("unit"),
            st.sampled_from(["red_1", "blue_1"]),
            st.integers(0, 4),
            st.integers(0, 2),
        ),
        st.tuples(st.just("wire"), st.integers(0, 4), st.integers(0, 2)),
        st.tuples(st.just("river"), st.integers(0, 4), st.integers(0, 2)),
        st.tuples(st.just("place"), st.integers(0, 4), st.integers(0, 2)),
    ),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS)
def test_any_edits_change_exactly_what_they_say_and_undo_to_the_original(edits) -> None:
    document = ScenarioDocument.open(MINIMAL)
    original_text = document.text
    original = document.data()
    terrain = [list(row) for row in original["map"]["terrain"].splitlines()]
    levels = [list(row) for row in original["map"]["elevation"]["grid"].splitlines()]
    starts = {u["id"]: u["at"] for u in original["units"]}
    wire = {tuple(h) for h in original["obstacles"][0]["hexes"]}
    path = [tuple(h) for h in original["map"]["rivers"][0]["path"]]
    places = 0
    named = {"hill": (3, 1)}  # place id -> cell, in the file's order
    for edit in edits:
        kind = edit[0]
        if kind == "paint":
            _, col, row, char = edit
            document.paint_terrain({(col, row): char})
            terrain[row][col] = char
        elif kind == "level":
            _, col, row, level = edit
            document.set_levels({(col, row): level})
            levels[row][col] = "0123456789abcdefghijklmnopqrstuvwxyz"[level]
        elif kind == "unit":
            _, unit, col, row = edit
            document.move_unit(unit, (col, row))
            now = starts[unit]
            here = named.get(now) if isinstance(now, str) else tuple(now)
            if here != (col, row):  # onto its own hex: nothing; onto a place: by its id
                there = [ident for ident, cell in named.items() if cell == (col, row)]
                starts[unit] = there[0] if there else [col, row]
        elif kind == "wire":
            _, col, row = edit
            document.toggle_obstacle("wire", (col, row), {"lines": "1"})
            wire ^= {(col, row)}
        elif kind == "river":
            _, col, row = edit
            document.river_waypoint("stream", (col, row))
            path = (
                [p for p in path if p != (col, row)] if (col, row) in path else [*path, (col, row)]
            )
        else:
            _, col, row = edit
            ident = document.add_place(f"Spot {places}", (col, row))
            named[ident] = (col, row)
            places += 1
        data = document.data()
        assert data["map"]["terrain"].splitlines() == ["".join(r) for r in terrain]
        assert data["map"]["elevation"]["grid"].splitlines() == ["".join(r) for r in levels]
        assert {u["id"]: u["at"] for u in data["units"]} == starts
        assert {tuple(h) for o in data["obstacles"] for h in o["hexes"]} == wire
        assert [tuple(h) for h in data["map"]["rivers"][0]["path"]] == path
        assert len(data["map"]["places"]) == 1 + places
        for section in ("clock", "sides", "weapons", "victory", "history", "terrain"):
            assert data[section] == original[section]
    while document.undo():
        pass
    assert document.text == original_text


# ------------------------------------------------------------------ files written in other styles
# (each found in a review: the edit must change exactly its value and keep the file loadable)


def styled(old: str, new: str, count: int = 1) -> ScenarioDocument:
    text = MINIMAL.read_text(encoding="utf-8")
    assert old in text, old
    return ScenarioDocument(text.replace(old, new, count), "styled.yaml")


def test_a_failed_edit_changes_nothing_and_leaves_no_undo_step() -> None:
    document = styled(
        "    grid: |\n      00035\n      00036\n      00035\n",
        '    grid: "00035\\n00036\\n00035\\n"\n',
    )
    document.paint_terrain({(0, 0): "^"})
    painted = document.text
    with pytest.raises(EditError, match="not a '\\|' block"):
        document.resize_map(7, 4)  # the terrain would be resized, the quoted heights cannot
    assert document.text == painted
    assert document.undo() and not document.can_undo  # only the paint was a step


def test_a_comma_in_a_comment_inside_a_flow_list_is_not_taken_for_a_separator() -> None:
    document = styled(
        "hexes: [[3, 0], [3, 2]], lines: 1}",
        "hexes: [[3, 0],   # first, north\n      [3, 2]], lines: 1}",
    )
    assert document.toggle_obstacle("wire", (3, 2), {}) == "removed"
    assert document.data()["obstacles"][0]["hexes"] == [[3, 0]]
    assert "# first, north" in document.text
    assert document.check(NAMES).ok


def test_an_item_whose_dash_stands_alone_on_its_line() -> None:
    document = styled("  - id: red_1\n", "  -\n    id: red_1\n")
    ident = document.copy_unit("red_1", (1, 1))
    assert document.data()["units"][-1]["id"] == ident
    document.remove_unit("red_1")
    assert [u["id"] for u in document.data()["units"]] == ["blue_1", ident]
    assert document.check(NAMES).ok


def test_emptying_a_block_list_keeps_the_comment_on_its_key() -> None:
    document = styled("obstacles:\n  - {kind: wire", "obstacles:   # the works\n  - {kind: wire")
    document.toggle_obstacle("wire", (3, 0), {})
    document.toggle_obstacle("wire", (3, 2), {})
    assert "obstacles: []  # the works\n" in document.text


def test_legend_keys_that_yaml_would_read_as_numbers_or_null_can_be_painted() -> None:
    document = styled(
        'legend: {".": open, "^": hill, "~": water, "X": cliff}',
        'legend: {".": open, 1: hill, ~: water, "X": cliff}',
    )
    document.paint_terrain({(0, 0): "1", (1, 0): "~"})
    assert document.data()["map"]["terrain"].splitlines()[0] == "1~~^^"


def test_a_copied_unit_keeps_a_time_of_day_as_text() -> None:
    document = styled("    posture: prepared\n", "    posture: prepared\n    note: 19:30\n")
    ident = document.copy_unit("blue_1", (1, 1))
    copy = next(u for u in document.data()["units"] if u["id"] == ident)
    assert copy["note"] == "19:30"
    assert document.check(NAMES).ok


def test_a_place_named_like_a_yaml_word_gets_an_id_that_stays_text(minimal) -> None:
    for name in ("On", "True", "Null", "NO", "1945"):
        ident = minimal.add_place(name, (0, 0))
        assert isinstance(ident, str) and ident in {
            p["id"] for p in minimal.data()["map"]["places"]
        }
    assert minimal.check(NAMES).ok


def test_a_key_goes_into_a_flow_mapping_with_a_trailing_comma() -> None:
    document = styled(
        "    - id: stream\n      name: {en: The stream, zh: 小溪}\n"
        "      path: [[2, 0], [2, 2]]\n      crossing: {width_m: 20, fordable: true}",
        "    - {id: stream, name: {en: The stream}, crossing: {width_m: 20},}",
    )
    document.river_waypoint("stream", (2, 0))
    document.river_waypoint("stream", (2, 1))
    document.river_waypoint("stream", (2, 2))
    assert document.data()["map"]["rivers"][0]["path"] == [[2, 0], [2, 1], [2, 2]]
    assert document.check(NAMES).ok


@pytest.mark.parametrize(
    "name", ["name: {en: The hill, zh: 小山}", "name:\n        en: The hill\n        zh: 小山"]
)
def test_renaming_without_a_chinese_name_removes_it_in_either_style(name: str) -> None:
    document = styled(
        "    - {id: hill, name: {en: The hill, zh: 小山}, hex: [3, 1]}",
        f"    - id: hill\n      {name}\n      hex: [3, 1]",
    )
    document.rename_place("hill", "Hill 203")
    assert document.data()["map"]["places"][0]["name"] == {"en": "Hill 203"}
    document.rename_place("hill", "Hill 203", "二〇三高地")
    assert document.data()["map"]["places"][0]["name"] == {"en": "Hill 203", "zh": "二〇三高地"}
    assert document.check(NAMES).ok


def test_each_plan_phase_lists_its_triggers_as_one_line_of_yaml(furong) -> None:
    phases = {label: (path, start, end) for path, label, start, end in furong.phase_triggers()}
    assert phases["ija night_crossing"][2] == "{taken: lion_mountain}"
    assert phases["ija form_up_north"][1] == (
        "{all: [{after: {phase: day_assault, hours: 7}}, {lost: furong_summit}]}"
    )
    assert phases["ija cover_the_crossing"][1:] == ("", "")


def test_a_trigger_typed_as_yaml_replaces_one_value_and_undoes_in_one_step(furong) -> None:
    """The editor's Triggers tool: a block trigger of two lines becomes one flow line, a new
    trigger is added as a key of the phase, an empty text takes it out; the loader then checks
    the names it gives."""
    phases = {label: path for path, label, _, _ in furong.phase_triggers()}
    before = furong.text
    north = phases["ija form_up_north"]
    assert furong.set_phase_trigger(north, "start_when", "lost: furong_summit")
    assert changed_lines(before, furong.text) == [
        "-        start_when:",
        "-          all: [{after: {phase: day_assault, hours: 7}}, {lost: furong_summit}]",
        "+        start_when: {lost: furong_summit}",
    ]
    assert furong.data_at(north)["start_when"] == {"lost": "furong_summit"}
    assert furong.check(coefficient_names()).ok
    # the same again changes nothing; an end trigger is a new key
    assert not furong.set_phase_trigger(north, "start_when", "{lost: furong_summit}")
    assert furong.set_phase_trigger(north, "end_when", "{after: {phase: form_up_north, hours: 4}}")
    assert furong.data_at(north)["end_when"] == {"after": {"phase": "form_up_north", "hours": 4}}
    assert furong.check(coefficient_names()).ok
    assert furong.set_phase_trigger(north, "end_when", "  ")  # empty: taken out
    assert "end_when" not in furong.data_at(north)
    for _ in range(3):
        assert furong.undo()
    assert furong.text == before


def test_a_bad_trigger_is_refused_or_reported_with_its_line(furong) -> None:
    phases = {label: path for path, label, _, _ in furong.phase_triggers()}
    path = phases["ija guard_lion_mountain"]
    before = furong.text
    with pytest.raises(EditError, match="not a YAML mapping"):
        furong.set_phase_trigger(path, "start_when", "{taken: [")
    with pytest.raises(EditError, match="a trigger is a mapping"):
        furong.set_phase_trigger(path, "start_when", "{}")
    with pytest.raises(EditError, match="start_when or end_when"):
        furong.set_phase_trigger(path, "begin_when", "taken: x")
    assert furong.text == before
    furong.set_phase_trigger(path, "start_when", "taken: lion_mountian")
    result = furong.check(coefficient_names())
    assert not result.ok
    line = next(k for k, text in enumerate(furong.text.splitlines(), 1) if "lion_mountian" in text)
    assert any(p.line == line and "lion_mountain" in p.message for p in result.problems)
