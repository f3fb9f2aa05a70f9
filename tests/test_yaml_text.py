"""The generic YAML text editor (engine/scenario/yaml_text.py), on YAML that is no scenario: each
edit rewrites only the characters of the value it changes (comments, quoting and wrapping kept),
undo restores the text exactly, a failed group of edits changes nothing, and saving is atomic,
keeps the byte-order mark and line endings, and does not write over someone else's change.
The scenario's own edits on top of it are tested in tests/test_document.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.scenario import ScenarioError
from engine.scenario.yaml_text import (
    EditError,
    FileChangedError,
    YamlText,
    flow_value,
    quote_text,
)

# A shopping list, written by hand: comments, a flow list wrapped over two lines, a flow
# mapping, a block list of mappings, and a text grid.
TEXT = """\
# what to buy
shop: corner store   # the one by the bridge
budget: 12.5
items: [apples, pears,   # fruit, first
        bread]
hours: {open: "08:00", close: "19:30"}
people:
  - name: Ann
    age: 31
  - name: Bo   # the younger
    age: 7
floor: |
  ..x..
  .....
"""


def doc() -> YamlText:
    return YamlText(TEXT, "shop.yaml")


def test_a_value_is_replaced_where_it_is_written_and_nothing_else_changes() -> None:
    text = doc()
    text.replace_value(("budget",), "13")
    text.replace_value(("people", 1, "age"), "8")
    assert text.text == TEXT.replace("budget: 12.5", "budget: 13").replace("age: 7", "age: 8")
    assert text.data()["people"][1] == {"name": "Bo", "age": 8}
    assert text.dirty


def test_keys_are_set_and_removed_in_block_and_flow_mappings() -> None:
    text = doc()
    text.set_key(("people", 0), "pet", "cat")
    text.set_key(("hours",), "lunch", '"12:00"')
    assert "    age: 31\n    pet: cat\n" in text.text
    assert 'hours: {open: "08:00", close: "19:30", lunch: "12:00"}' in text.text
    text.remove_key(("hours",), "open")
    text.remove_key(("people", 0), "pet")
    assert text.data()["hours"] == {"close": "19:30", "lunch": "12:00"}
    assert text.data()["people"][0] == {"name": "Ann", "age": 31}
    assert "# the younger" in text.text


def test_list_items_are_appended_and_removed_keeping_comments() -> None:
    text = doc()
    text.append_item(("items",), "milk")
    text.append_item(("people",), "name: Cy\nage: 40")
    assert text.data()["items"] == ["apples", "pears", "bread", "milk"]
    assert text.data()["people"][-1] == {"name": "Cy", "age": 40}
    text.remove_item(("items",), 1)  # the comma in the comment after it is no separator
    assert text.data()["items"] == ["apples", "bread", "milk"]
    assert "# fruit, first" in text.text
    text.remove_item(("people",), 0)
    assert [p["name"] for p in text.data()["people"]] == ["Bo", "Cy"]


def test_a_text_grid_is_changed_in_place_and_written_again_row_for_row() -> None:
    text = doc()
    text.set_grid_cells(("floor",), {(0, 0): "x", (4, 1): "x"})
    assert text.data()["floor"] == "x.x..\n....x\n"
    text.set_grid_rows(("floor",), ["xxx", "...", "..."])
    assert text.text.endswith("floor: |\n  xxx\n  ...\n  ...\n")
    with pytest.raises(EditError, match="outside the grid"):
        text.set_grid_cells(("floor",), {(9, 0): "x"})
    with pytest.raises(EditError, match="cannot stand in a text grid"):
        text.set_grid_cells(("floor",), {(0, 0): "#"})  # it would start a comment


def test_undo_redo_and_one_step_all_or_nothing() -> None:
    text = doc()
    with text.one_step():
        text.replace_value(("budget",), "20")
        text.replace_value(("shop",), "market")
    assert text.undo() and text.text == TEXT and not text.can_undo
    assert text.redo() and text.data()["shop"] == "market"
    before = text.text
    with pytest.raises(EditError), text.one_step():
        text.replace_value(("budget",), "1")
        text.replace_value(("nowhere",), "2")
    assert text.text == before
    assert text.undo() and text.text == TEXT  # the failed group left no step of its own


def test_edits_that_cannot_be_made_say_why() -> None:
    text = doc()
    with pytest.raises(EditError, match="not in the file"):
        text.replace_value(("missing",), "1")
    with pytest.raises(EditError, match="not a list"):
        text.append_item(("shop",), "x")
    with pytest.raises(EditError, match="not a '\\|' block"):
        text.set_grid_cells(("shop",), {(0, 0): "x"})
    assert text.text == TEXT


def test_flow_values_and_quoted_text_read_back_as_written() -> None:
    from engine.scenario.yaml_source import load_text

    for value in ({"a": [1, 2], "b": "19:30"}, [1.5, "on", None], "1e3"):
        assert load_text(flow_value(value)) == value
    for name in ("The hill", "On", "1945", 'say "hi"', "a: b", "  padded"):
        assert load_text(quote_text(name)) == name
    assert quote_text("The hill") == "The hill"  # plain where plain reads back the same


def test_save_keeps_the_byte_order_mark_and_line_endings_and_notices_other_writers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.yaml"
    path.write_bytes(("\ufeff" + TEXT.replace("\n", "\r\n")).encode("utf-8"))
    text = YamlText.open(path)
    text.replace_value(("budget",), "13")
    text.save()
    saved = path.read_bytes().decode("utf-8")
    assert saved == "\ufeff" + TEXT.replace("budget: 12.5", "budget: 13").replace("\n", "\r\n")
    assert not text.dirty and [p.name for p in tmp_path.iterdir()] == ["shop.yaml"]
    path.write_text(TEXT.replace("Ann", "Anne"), encoding="utf-8")  # by someone else
    text.replace_value(("budget",), "14")
    with pytest.raises(FileChangedError, match="changed by something else"):
        text.save()
    assert "Anne" in path.read_text(encoding="utf-8")
    text.save(overwrite_changes=True)
    assert "budget: 14" in path.read_text(encoding="utf-8")


def test_saving_through_a_link_writes_the_file_it_points_at(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(TEXT, encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    text = YamlText.open(link)
    text.replace_value(("budget",), "13")
    text.save()
    assert link.is_symlink() and "budget: 13\n" in real.read_text(encoding="utf-8")


def test_mixed_line_endings_are_kept_line_by_line(tmp_path: Path) -> None:
    lines = TEXT.split("\n")
    mixed = "\r\n".join(lines[:3]) + "\r\n" + "\n".join(lines[3:])
    path = tmp_path / "mixed.yaml"
    path.write_bytes(mixed.encode("utf-8"))
    text = YamlText.open(path)
    text.replace_value(("people", 0, "age"), "32")
    text.save()
    assert path.read_bytes().decode("utf-8") == mixed.replace("age: 31", "age: 32")


def test_open_refuses_what_is_not_yaml_and_values_shared_through_anchors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("items: [1, 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        YamlText.open(broken)
    assert error.value.problems[0].line >= 1
    shared = tmp_path / "shared.yaml"
    shared.write_text("a: &x [1, 2]\nb: *x\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        YamlText.open(shared)
    (problem,) = refused.value.problems
    assert (problem.line, problem.column) == (1, 4) and "anchors (&)" in problem.message


PATHS = [("budget",), ("shop",), ("people", 0, "age"), ("people", 1, "name"), ("hours", "close")]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), st.integers(0, 999)), max_size=10))
def test_any_replacements_change_exactly_their_values_and_undo_to_the_original(edits) -> None:
    text = doc()
    expected = text.data()
    for path, number in edits:
        with text.one_step():  # a step of undo (the primitive edits are parts of a step)
            text.replace_value(path, str(number))
        target = expected
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = number
        assert text.data() == expected
        assert "# the one by the bridge" in text.text and "# fruit, first" in text.text
    while text.undo():
        pass
    assert text.text == TEXT
