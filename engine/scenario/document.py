"""A scenario file open for editing, saved back with everything the user wrote kept.

The map editor changes a few values at a time: a terrain character, a unit's start hex, a hex
added to a minefield. A YAML round-trip library re-emits the whole file: ruamel.yaml, even set to
this project's indentation, rewrote 46 of Furong's 1,542 lines (hand-wrapped flow lists refilled)
and dropped 3 of its 310 comments; with its defaults it rewrote 1,207. So the text itself is the
document here: each edit finds the exact characters of the one value it changes (PyYAML's node
marks carry character offsets) and rewrites only those, so comments, column rulers, key order and
hand wrapping all survive, and a saved file differs from the one opened by exactly the edits
made.

Every public edit is one step of undo. Edits check what they touch (the character under a grid
cell is the one the data says is there) and raise `EditError` instead of guessing; whether the
result is a valid scenario is a separate question, answered by `check` with the ordinary loader.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml

from ..atomic import write_atomic
from .errors import Problem, ScenarioError
from .loader import LoadedScenario, load_scenario_text
from .models import LEVEL_CHARS
from .yaml_source import FastLoader, dump_text, load_text, parse, read_text

_Loader = FastLoader  # the C composer is ten times faster
MAX_UNDO = 200  # steps kept; a Furong-sized file is 70 KB, so this stays under 15 MB
Cell = tuple[int, int]  # (col, row) on the text map
UNIT_FIELDS = ("side", "men", "officers", "posture", "quality", "morale")  # set_unit_values


class EditError(ValueError):
    """An edit that cannot be made to this file as it is written; the message says why."""


class FileChangedError(EditError):
    """The file on disk is no longer the one the document was read from."""


@dataclass(frozen=True)
class CheckResult:
    """The ordinary loader's verdict on the document's current text."""

    loaded: LoadedScenario | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.loaded is not None


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"place_{slug}" if slug else "place"
    return slug[:56]


def _new_id(name: str, items: list | None, kind: str) -> str:
    """An id for a new place or river, made from its English name, not taken by `items`, and
    read back by YAML as text (a name like "On" or "Null" gets `_<kind>` after it)."""
    taken = {item.get("id") for item in items or [] if isinstance(item, dict)}
    base = _slug(name)
    if not isinstance(load_text(base), str):  # on, yes, null, true, 1e3 ... read as others
        base = f"{base}_{kind}"
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}_{n}", n + 1
    return ident


def flow_hex(cell: Cell) -> str:
    return f"[{int(cell[0])}, {int(cell[1])}]"


_Edit = TypeVar("_Edit", bound=Callable[..., Any])


def _one_step(method: _Edit) -> _Edit:
    """A scenario edit is all or nothing (`ScenarioDocument.one_step`): if it raises, the text
    is put back as it was, with no step of undo for it."""

    @functools.wraps(method)
    def run(self: ScenarioDocument, *args: Any, **kwargs: Any) -> Any:
        with self.one_step():
            return method(self, *args, **kwargs)

    return run  # type: ignore[return-value]


class ScenarioDocument:
    """The text of one scenario file, with edits that rewrite only what they change."""

    def __init__(self, text: str, filename: str = "<string>", path: Path | None = None) -> None:
        self._bom = text.startswith("\ufeff")
        text = text.removeprefix("\ufeff")
        # An all-CRLF file is edited as LF and written back as CRLF; a file with mixed line
        # endings is edited as it is, each line keeping its own.
        self._crlf = "\r\n" in text and text.count("\r\n") == text.count("\n")
        self._text = text.replace("\r\n", "\n") if self._crlf else text
        self.filename = filename
        self.path = path
        self._saved = self._text
        self._on_disk = text  # what the file held when read or last written, to notice others
        self._undo: list[str] = []
        self._redo: list[str] = []
        self._root: yaml.Node | None = None
        self._data: Any = None
        self._token_list: list[yaml.Token] | None = None
        self._places: dict[str, Cell] | None = None
        self._grouping = 0  # inside one_step: the undo stack is trimmed once, at its end

    @classmethod
    def open(cls, path: str | Path) -> ScenarioDocument:
        """Read a file with the loader's size limits; a file that is not YAML raises
        ScenarioError with its located problems (the editor opens only what it can show)."""
        path = Path(path)
        text = read_text(path, str(path))
        document = cls(text, str(path), path)
        document._data, _ = parse(document._text, document.filename)  # caps; located errors
        shared = document.shared_values()
        if shared:
            line, column = shared[0]
            raise ScenarioError(
                [
                    Problem(
                        str(path),
                        line,
                        column,
                        "the editor cannot change a file that shares values through YAML"
                        " anchors (&) and aliases (*): an edit of one would change or break"
                        " the other; write the values out, or edit this file by hand",
                    )
                ]
            )
        return document

    def shared_values(self) -> list[tuple[int, int]]:
        """(line, column) of every YAML anchor or alias in the text."""
        return [
            (token.start_mark.line + 1, token.start_mark.column + 1)
            for token in self._tokens()
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken)
        ]

    def _tokens(self) -> list[yaml.Token]:
        if self._token_list is None:
            self._token_list = list(yaml.scan(self._text, Loader=_Loader))
        return self._token_list

    def _entry_marks(self, kind: type) -> list[int]:
        """Character offsets of the '- ' (BlockEntryToken) or ',' (FlowEntryToken) marks."""
        return [t.start_mark.index for t in self._tokens() if isinstance(t, kind)]

    # ------------------------------------------------------------------ reading
    @property
    def text(self) -> str:
        return self._text

    @property
    def dirty(self) -> bool:
        return self._text != self._saved

    def data(self) -> Any:
        """The plain data of the current text, built as the loader builds it (grid characters
        and legend keys stay text, 19:30 stays a time). The file passed the loader's caps when
        it was opened and edits add no nesting, so the fast C composer reads it after that."""
        if self._data is None:
            self._data, _ = parse(self._text, self.filename, fast=True)
        return self._data

    def check(self, coefficient_names: Iterable[str] | None = None) -> CheckResult:
        try:
            loaded = load_scenario_text(
                self._text,
                self.filename,
                coefficient_names=coefficient_names,
                path=self.path,
                fast=True,  # the text passed the capped parse when it was opened
            )
        except ScenarioError as error:
            return CheckResult(None, tuple(error.problems))
        return CheckResult(loaded, ())

    def _tree(self) -> yaml.Node:
        if self._root is None:
            self._root = yaml.compose(self._text, Loader=_Loader)
        return self._root

    def node(self, path: tuple) -> yaml.Node | None:
        """The composed node at a data path (keys and list indexes), or None if absent."""
        node = self._tree()
        for step in path:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                        node = value
                        break
                else:
                    return None
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if not 0 <= step < len(node.value):
                    return None
                node = node.value[step]
            else:
                return None
        return node

    def _need(self, path: tuple) -> yaml.Node:
        node = self.node(path)
        if node is None:
            raise EditError(f"{'.'.join(map(str, path)) or 'the file'} is not in the file")
        return node

    # ------------------------------------------------------------------ undo
    def _begin(self) -> str:
        return self._text

    def _commit(self, before: str) -> bool:
        """Close one edit: push it on the undo stack if it changed anything."""
        if self._text == before:
            return False
        self._undo.append(before)
        if not self._grouping:
            del self._undo[:-MAX_UNDO]
        self._redo.clear()
        return True

    @contextlib.contextmanager
    def one_step(self) -> Iterator[None]:
        """Several edits made as one: one step of undo, and all or nothing."""
        before, depth, redo = self._text, len(self._undo), self._redo[:]
        self._grouping += 1
        try:
            yield
        except BaseException:
            self._set_text(before)
            del self._undo[depth:]
            self._redo[:] = redo
            raise
        finally:
            self._grouping -= 1
        del self._undo[depth:]
        if not self._commit(before):
            self._redo[:] = redo  # nothing changed in the end: what could be redone still can

    def _set_text(self, text: str) -> None:
        self._text = text
        self._root = None
        self._data = None
        self._token_list = None
        self._places = None

    def _edit(self, start: int, end: int, replacement: str) -> None:
        self._set_text(self._text[:start] + replacement + self._text[end:])

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> bool:
        if not self._undo:
            return False
        self._redo.append(self._text)
        self._set_text(self._undo.pop())
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(self._text)
        self._set_text(self._redo.pop())
        return True

    # ------------------------------------------------------------------ saving
    def save(
        self,
        path: str | Path | None = None,
        *,
        coefficient_names: Iterable[str] | None = None,
        allow_invalid: bool = False,
        overwrite_changes: bool = False,
    ) -> Path:
        """Write the text atomically (a temporary file, then one rename). An invalid scenario is
        refused with its problems unless `allow_invalid`: a file the game cannot load is not
        written over one it can. A file that someone else changed since it was opened is not
        written over unless `overwrite_changes` (FileChangedError says so)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise EditError("no file to save to; give a path")
        if target == self.path and not overwrite_changes and target.exists():
            try:
                now = target.read_bytes().decode("utf-8", errors="replace")
            except OSError:
                now = self._on_disk
            if now.removeprefix("\ufeff") != self._on_disk.removeprefix("\ufeff"):
                raise FileChangedError(
                    f"{target} was changed by something else since it was opened"
                )
        if not allow_invalid:
            result = self.check(coefficient_names)
            if not result.ok:
                raise ScenarioError(list(result.problems))
        text = self._text.replace("\n", "\r\n") if self._crlf else self._text
        payload = ("\ufeff" if self._bom else "") + text
        write_atomic(Path(os.path.realpath(target)), payload)  # through a link, to its file
        self._on_disk = payload
        self._saved = self._text
        self.path = target
        self.filename = str(target)
        return target

    # ------------------------------------------------------------------ text geometry
    def _line_start(self, index: int) -> int:
        return self._text.rfind("\n", 0, index) + 1

    def _line_end(self, index: int) -> int:
        end = self._text.find("\n", index)
        return len(self._text) if end < 0 else end

    def _last_char(self, node: yaml.Node) -> int:
        """Index just past the last character of a node's own text (block scalars and block
        collections end where the next token starts, after blank lines and comments)."""
        if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
            return self._last_char(node.value[-1][1])
        if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
            return self._last_char(node.value[-1])
        end = node.end_mark.index
        while end > node.start_mark.index and self._text[end - 1] in " \n":
            end -= 1
        return end

    def _dash_index(self, item: yaml.Node) -> int:
        """Where the '-' that opens a block sequence item stands (on its line, or alone on a
        line above the item)."""
        dashes = [i for i in self._entry_marks(yaml.BlockEntryToken) if i < item.start_mark.index]
        if not dashes:
            raise EditError(f"cannot find the '-' of the item at line {item.start_mark.line + 1}")
        return dashes[-1]

    def _dash_column(self, item: yaml.Node) -> int:
        dash = self._dash_index(item)
        return dash - self._line_start(dash)

    # ------------------------------------------------------------------ generic edits
    def replace_value(self, path: tuple, value_text: str) -> None:
        """Put `value_text` (a one-line YAML value) where the value at `path` is written. A block
        list or mapping is replaced from just after its key's colon to its last character."""
        node = self._need(path)
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            raise EditError("a block scalar is changed with set_grid_cells, not replace_value")
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style:
            parent = self.node(path[:-1]) if path else None
            key = next(
                (
                    k
                    for k, v in getattr(parent, "value", [])
                    if v is node and isinstance(parent, yaml.MappingNode)
                ),
                None,
            )
            if key is None:
                raise EditError("only a block list or mapping under a key can be replaced")
            rest = self._text[key.end_mark.index : self._line_end(key.end_mark.index)]
            comment = rest[rest.index("#") :] if "#" in rest else ""
            keep = f"  {comment}" if comment else ""
            self._edit(key.end_mark.index, self._last_char(node), ": " + value_text + keep)
            return
        self._edit(node.start_mark.index, node.end_mark.index, value_text)

    def set_key(self, path: tuple, key: str, value_text: str) -> None:
        """Set `key` in the mapping at `path` to a YAML value. `value_text` is one line, or a
        block (several lines, indented relative to the key) for a nested mapping or list."""
        mapping = self._need(path)
        if not isinstance(mapping, yaml.MappingNode):
            raise EditError(f"{'.'.join(map(str, path))} is not a mapping")
        if self.node((*path, key)) is not None and "\n" not in value_text:
            self.replace_value((*path, key), value_text)
            return
        if self.node((*path, key)) is not None:
            raise EditError(f"{key} is already set; remove it before writing a block")
        if mapping.flow_style:
            if "\n" in value_text:
                raise EditError("a block value cannot go into a flow mapping")
            close = mapping.end_mark.index - 1
            last = self._text[:close].rstrip()
            sep = " " if last.endswith(",") else (", " if mapping.value else "")
            self._edit(len(last), close, f"{sep}{key}: {value_text}{self._text[len(last) : close]}")
            return
        if not mapping.value:
            raise EditError("an empty block mapping cannot be extended")
        column = mapping.value[0][0].start_mark.column
        at = self._line_end(self._last_char(mapping))
        self._edit(at, at, "\n" + _indent_entry(f"{key}:", value_text, column))

    def append_item(self, path: tuple, item_text: str) -> None:
        """Append an item to the list at `path`: one line (a scalar or flow value) to a flow or a
        block list; several lines (a mapping, written without its leading '- ') to a block list."""
        seq = self._need(path)
        if not isinstance(seq, yaml.SequenceNode):
            raise EditError(f"{'.'.join(map(str, path))} is not a list")
        if seq.flow_style:
            if "\n" in item_text:
                raise EditError("a block item cannot go into a flow list")
            if seq.value:
                at = seq.value[-1].end_mark.index
                self._edit(at, at, f", {item_text}")
            else:
                close = seq.end_mark.index - 1
                self._edit(close, close, item_text)
            return
        dash = self._dash_column(seq.value[0])
        at = self._line_end(self._last_char(seq))
        lines = item_text.split("\n")
        text = "\n" + " " * dash + "- " + lines[0]
        text += "".join("\n" + (" " * (dash + 2) + line if line else "") for line in lines[1:])
        self._edit(at, at, text)

    def remove_item(self, path: tuple, index: int) -> None:
        """Remove item `index` of the list at `path`, with its comma (flow) or its lines
        (block); a line left empty by the removal goes too."""
        seq = self._need(path)
        if not isinstance(seq, yaml.SequenceNode) or not 0 <= index < len(seq.value):
            raise EditError(f"no item {index} in {'.'.join(map(str, path))}")
        item = seq.value[index]
        text = self._text
        if not seq.flow_style:
            if len(seq.value) == 1:
                raise EditError("removing the only item would leave the key without a value")
            start = self._line_start(self._dash_index(item))
            end = self._line_end(self._last_char(item))
            self._edit(start, min(end + 1, len(text)), "")
            return
        spans = [(v.start_mark.index, v.end_mark.index) for v in seq.value]
        self._cut_flow_entry(spans, index)

    def _cut_flow_entry(self, spans: list[tuple[int, int]], index: int) -> None:
        """Take entry `index` (of the spans of a flow list's items, or of a flow mapping's
        key-value pairs) out with its comma; a line left empty goes too."""
        text = self._text
        commas = self._entry_marks(yaml.FlowEntryToken)
        start, end = spans[index]
        limit = spans[index + 1][0] if index + 1 < len(spans) else None
        after = [c for c in commas if end <= c and (limit is None or c < limit)]
        if limit is not None:  # an entry with another after it: take it and its comma
            if not after:
                raise EditError("cannot find the comma after the entry")
            cut_end = after[0] + 1
            while cut_end < len(text) and text[cut_end] == " ":
                cut_end += 1
            cut = (start, cut_end)
        elif index > 0:  # the last entry: take the comma before it (a trailing one stays)
            before = [c for c in commas if spans[index - 1][1] <= c < start]
            if not before:
                raise EditError("cannot find the comma before the entry")
            if "\n" in text[before[0] : start]:  # a comment may lie between: keep it
                self._edit(start, end, "")
                self._edit(before[0], before[0] + 1, "")
                return
            cut = (before[0], end)
        else:  # the only entry, and its trailing comma if it has one
            cut = (start, after[0] + 1 if after else end)
        start, end = cut
        if end >= len(text) or text[end] == "\n":  # the line now ends here: no trailing blanks
            while start > 0 and text[start - 1] == " ":
                start -= 1
        self._edit(start, end, "")
        line_start = self._line_start(start)
        line_end = self._line_end(start)
        if not self._text[line_start:line_end].strip():
            self._edit(line_start, min(line_end + 1, len(self._text)), "")

    def remove_key(self, path: tuple, key: str) -> None:
        """Take `key` and its value out of the mapping at `path` (its lines, or its entry)."""
        mapping = self._need(path)
        if not isinstance(mapping, yaml.MappingNode):
            raise EditError(f"{'.'.join(map(str, path))} is not a mapping")
        keys = [k.value for k, _ in mapping.value]
        if key not in keys:
            return
        index = keys.index(key)
        key_node, value = mapping.value[index]
        if mapping.flow_style:
            spans = [(k.start_mark.index, self._last_char(v)) for k, v in mapping.value]
            self._cut_flow_entry(spans, index)
            return
        if len(mapping.value) == 1:
            raise EditError("removing the only key would leave the mapping empty")
        start = self._line_start(key_node.start_mark.index)
        end = self._line_end(self._last_char(value))
        self._edit(start, min(end + 1, len(self._text)), "")

    # ------------------------------------------------------------------ grids
    def _grid_start(self, path: tuple) -> int:
        """Where the first row of a text grid written as a block scalar (`|`) begins."""
        node = self._need(path)
        if not (isinstance(node, yaml.ScalarNode) and node.style == "|"):
            raise EditError(f"{'.'.join(map(str, path))} is not a '|' block of text rows")
        return self._line_end(node.start_mark.index) + 1  # the row after the '|' line

    def set_grid_cells(self, path: tuple, cells: Mapping[Cell, str]) -> None:
        """Change characters of a text grid written as a block scalar (`|`), each in place."""
        first = self._grid_start(path)
        rows = str(self.data_at(path)).split("\n")
        starts = [first]
        for _ in range(len(rows)):
            starts.append(self._line_end(starts[-1]) + 1)
        text = list(self._text)
        for (col, row), char in cells.items():
            if len(char) != 1 or char in " \n#":
                raise EditError(f"{char!r} cannot stand in a text grid")
            if not (0 <= row < len(rows) and 0 <= col < len(rows[row])):
                raise EditError(f"[{col}, {row}] is outside the grid")
            line = starts[row]
            raw = self._text[line : self._line_end(line)]
            indent = len(raw) - len(raw.lstrip(" "))
            at = line + indent + col
            if self._text[at] != rows[row][col]:
                raise EditError(f"row {row} of the grid is not written as one plain line")
            text[at] = char
        self._set_text("".join(text))

    def set_grid_rows(self, path: tuple, rows: list[str]) -> None:
        """Write a '|' text grid again, row for row, at its own indentation (for a new size)."""
        first = self._grid_start(path)
        old_rows = str(self.data_at(path)).rstrip("\n").split("\n")
        raw = self._text[first : self._line_end(first)]
        indent = " " * (len(raw) - len(raw.lstrip(" ")))
        end = first
        for _ in old_rows:
            end = self._line_end(end) + 1
        self._edit(first, min(end, len(self._text)), "".join(f"{indent}{r}\n" for r in rows))

    def data_at(self, path: tuple) -> Any:
        value = self.data()
        for step in path:
            value = value[step]
        return value

    # ------------------------------------------------------------------ scenario edits
    @_one_step
    def paint_terrain(self, cells: Mapping[Cell, str]) -> bool:
        """Set map cells to terrain characters of the legend; one undo step for a stroke."""
        legend = self.data_at(("map", "legend"))
        for char in cells.values():
            if char not in legend:
                raise EditError(f"{char!r} is not in the map's legend")
        before = self._begin()
        self.set_grid_cells(("map", "terrain"), cells)
        return self._commit(before)

    @_one_step
    def set_levels(self, cells: Mapping[Cell, int]) -> bool:
        """Set elevation levels (0-35); a map without an elevation grid gets one (base 0 m,
        10 m a level), which the user can then adjust in the file."""
        for level in cells.values():
            if not 0 <= level < len(LEVEL_CHARS):
                raise EditError(f"level {level} is outside 0..{len(LEVEL_CHARS) - 1}")
        before = self._begin()
        if self.node(("map", "elevation")) is None:
            width, height = self.data_at(("map", "width")), self.data_at(("map", "height"))
            grid = "\n".join("0" * width for _ in range(height))
            block = "base_m: 0    # set by the map editor: metres at level 0\n"
            block += "step_m: 10   # set by the map editor: metres per level\n"
            block += "grid: |\n" + "\n".join("  " + row for row in grid.split("\n"))
            self.set_key(("map",), "elevation", block)
        chars = {cell: LEVEL_CHARS[level] for cell, level in cells.items()}
        self.set_grid_cells(("map", "elevation", "grid"), chars)
        return self._commit(before)

    @_one_step
    def resize_map(self, width: int, height: int) -> bool:
        """A new map size. New columns repeat the last column and new rows the last row, in
        the terrain and the heights; what lies outside a smaller map (a unit, a place, a work)
        is then reported by `check` until it is moved or undone."""
        if not (1 <= width <= 400 and 1 <= height <= 400):
            raise EditError("the map must be 1 to 400 hexes wide and high")
        before = self._begin()
        for path in (("map", "terrain"), ("map", "elevation", "grid")):
            if self.node(path) is None:
                continue
            rows = str(self.data_at(path)).rstrip("\n").split("\n")
            rows = [(row + row[-1:] * width)[:width] for row in rows]
            rows = (rows + rows[-1:] * height)[:height]
            self.set_grid_rows(path, rows)
        self.replace_value(("map", "width"), str(width))
        self.replace_value(("map", "height"), str(height))
        return self._commit(before)

    def _index_of(self, section: tuple, ident: str) -> int:
        for index, item in enumerate(self.data_at(section) or []):
            if isinstance(item, dict) and item.get("id") == ident:
                return index
        raise EditError(f"no {section[-1][:-1]} with id {ident!r}")

    @_one_step
    def move_unit(self, unit_id: str, cell: Cell) -> bool:
        """Set a unit's start hex. A unit that arrives as a reinforcement has no start hex and
        is placed by its reinforcement entry instead."""
        index = self._index_of(("units",), unit_id)
        if self.node(("units", index, "at")) is None:
            raise EditError(f"{unit_id} arrives as a reinforcement; it has no start hex")
        before = self._begin()
        if self.cell_of(self.data_at(("units", index, "at"))) != tuple(cell):
            self.replace_value(("units", index, "at"), self._hex_text(cell))
        return self._commit(before)

    def cell_of(self, ref: Any) -> Cell | None:
        """The hex a reference names: [col, row] as written, or the hex of the place named."""
        if isinstance(ref, str):
            return self._place_cells().get(ref)
        if isinstance(ref, list) and len(ref) == 2:
            return int(ref[0]), int(ref[1])
        return None

    def _hex_text(self, cell: Cell) -> str:
        """A hex as a file writes it: the id of the place standing there, else [col, row]."""
        places = [ident for ident, at in self._place_cells().items() if at == tuple(cell)]
        return places[0] if places else flow_hex(cell)

    @_one_step
    def copy_unit(self, unit_id: str, cell: Cell) -> str:
        """A copy of a unit (all its fields, a new id) starting at `cell`; returns the new id.
        Comments of the original are not copied; the copy's fields are written in flow style."""
        index = self._index_of(("units",), unit_id)
        unit = dict(self.data_at(("units", index)))
        taken = {u.get("id") for u in self.data_at(("units",))}
        base = re.sub(r"_\d+$", "", unit_id)
        n = 2
        while f"{base}_{n}" in taken:
            n += 1
        unit["id"] = f"{base}_{n}"
        unit["at"] = [int(cell[0]), int(cell[1])]
        before = self._begin()
        self._add_entry((), "units", [f"{key}: {_flow(value)}" for key, value in unit.items()])
        self._commit(before)
        return unit["id"]

    @_one_step
    def set_unit_values(self, unit_id: str, values: Mapping[str, Any]) -> bool:
        """Set some of a unit's figures (`UNIT_FIELDS`), each where it is written (or added);
        whether the values are allowed is for `check` to say, as for any edit."""
        index = self._index_of(("units",), unit_id)
        before = self._begin()
        for key, value in values.items():
            if key not in UNIT_FIELDS:
                raise EditError(f"{key!r} is not a unit figure the editor sets")
            self.set_key(("units", index), key, _flow(value))
        return self._commit(before)

    @_one_step
    def remove_unit(self, unit_id: str) -> bool:
        """Remove a unit. A plan, reinforcement or metric that names it is then reported by
        `check`, as for a removed place."""
        index = self._index_of(("units",), unit_id)
        if len(self.data_at(("units",))) == 1:
            raise EditError("a scenario needs at least one unit")
        before = self._begin()
        self.remove_item(("units",), index)
        return self._commit(before)

    @_one_step
    def move_place(self, place_id: str, cell: Cell) -> bool:
        index = self._index_of(("map", "places"), place_id)
        before = self._begin()
        self.replace_value(("map", "places", index, "hex"), flow_hex(cell))
        return self._commit(before)

    @_one_step
    def add_place(self, name_en: str, cell: Cell, name_zh: str | None = None) -> str:
        """A new named place at a hex; returns its id, made from the English name."""
        name_en = " ".join(name_en.split())
        if not name_en:
            raise EditError("a place needs an English name")
        ident = _new_id(name_en, self.data_at(("map",)).get("places"), "place")
        name = f"{{en: {_quote(name_en)}" + (f", zh: {_quote(name_zh)}}}" if name_zh else "}")
        before = self._begin()
        self._add_entry(
            ("map",), "places", [f"id: {ident}", f"name: {name}", f"hex: {flow_hex(cell)}"]
        )
        self._commit(before)
        return ident

    def _add_entry(self, parent: tuple, key: str, fields: list[str]) -> None:
        """Append a mapping, given as `key: value` lines, to the list `key` of the mapping at
        `parent`: as a block item to a block list, as a flow mapping to a flow list (`[]`), and
        as a new block list when the key is absent."""
        seq = self.node((*parent, key))
        if seq is None:
            self.set_key(parent, key, "- " + "\n  ".join(fields))
        elif isinstance(seq, yaml.SequenceNode) and seq.flow_style:
            self.append_item((*parent, key), "{" + ", ".join(fields) + "}")
        else:
            self.append_item((*parent, key), "\n".join(fields))

    @_one_step
    def remove_place(self, place_id: str) -> bool:
        """Remove a place. Anything that names it (a unit's start, a plan objective) is then
        reported by `check`, and the editor keeps the file unsaved until it is fixed."""
        index = self._index_of(("map", "places"), place_id)
        before = self._begin()
        places = self.data_at(("map", "places"))
        if len(places) == 1:
            self.replace_value(("map", "places"), "[]")
        else:
            self.remove_item(("map", "places"), index)
        return self._commit(before)

    @_one_step
    def rename_place(self, place_id: str, name_en: str, name_zh: str | None = None) -> bool:
        """Set a place's English name and its Chinese one (none given: the Chinese name goes),
        each where it is written, so the rest of the name and its comments stay."""
        index = self._index_of(("map", "places"), place_id)
        before = self._begin()
        self._set_name(("map", "places", index, "name"), name_en, name_zh)
        return self._commit(before)

    @_one_step
    def rename_unit(self, unit_id: str, name_en: str, name_zh: str | None = None) -> bool:
        """As `rename_place`, for a unit (a copied unit starts with its original's name)."""
        index = self._index_of(("units",), unit_id)
        before = self._begin()
        self._set_name(("units", index, "name"), name_en, name_zh)
        return self._commit(before)

    def _set_name(self, path: tuple, name_en: str, name_zh: str | None) -> None:
        name_en = " ".join(name_en.split())
        if not name_en:
            raise EditError("a name needs its English form")
        self.replace_value((*path, "en"), _quote(name_en))
        if name_zh:
            self.set_key(path, "zh", _quote(name_zh))
        else:
            self.remove_key(path, "zh")

    def obstacles_at(self, cell: Cell, kind: str | None = None) -> list[int]:
        """Indexes of the obstacles (of `kind`, if given) that list this hex."""
        found = []
        for index, obstacle in enumerate(self.data().get("obstacles") or []):
            if kind is not None and obstacle.get("kind") != kind:
                continue
            if self._hex_index(obstacle.get("hexes") or [], cell) is not None:
                found.append(index)
        return found

    def _place_cells(self) -> dict[str, Cell]:
        """Each place's hex, worked out once for the current text."""
        if self._places is None:
            places = self.data_at(("map",)).get("places") or []
            self._places = {
                p["id"]: (int(p["hex"][0]), int(p["hex"][1]))
                for p in places
                if isinstance(p, dict) and isinstance(p.get("hex"), list) and len(p["hex"]) == 2
            }
        return self._places

    def _hex_index(self, hexes: list, cell: Cell) -> int | None:
        places = self._place_cells()
        for k, ref in enumerate(hexes):
            if isinstance(ref, list) and len(ref) == 2 and (ref[0], ref[1]) == tuple(cell):
                return k
            if isinstance(ref, str) and places.get(ref) == tuple(cell):
                return k
        return None

    @_one_step
    def toggle_obstacle(self, kind: str, cell: Cell, defaults: Mapping[str, str]) -> str:
        """Take the hex out of every obstacle of `kind` that lists it, or else add it to the
        first obstacle of that kind (creating one from `defaults`, YAML values by key, if there
        is none). An obstacle left with no hex is removed. Returns 'added' or 'removed'."""
        before = self._begin()
        holding = self.obstacles_at(cell, kind)
        if holding:
            for index in reversed(holding):
                hexes = self.data()["obstacles"][index]["hexes"]
                if len(hexes) == 1:
                    self._remove_obstacle(index)
                else:
                    k = self._hex_index(hexes, cell)
                    assert k is not None
                    self.remove_item(("obstacles", index, "hexes"), k)
            self._commit(before)
            return "removed"
        same = [
            i for i, o in enumerate(self.data().get("obstacles") or []) if o.get("kind") == kind
        ]
        if same:
            self.append_item(("obstacles", same[0], "hexes"), flow_hex(cell))
        else:
            fields = [f"kind: {kind}", f"hexes: [{flow_hex(cell)}]"]
            fields += [f"{key}: {value}" for key, value in defaults.items()]
            self._add_entry((), "obstacles", fields)
        self._commit(before)
        return "added"

    def _remove_obstacle(self, index: int) -> None:
        if len(self.data()["obstacles"]) == 1:
            self.replace_value(("obstacles",), "[]")
        else:
            self.remove_item(("obstacles",), index)

    def hex_refs(self) -> list[tuple[tuple, str]]:
        """Every hex the scenario names outside the map block (reinforcement entries, air-strike
        targets, plan objectives, fall-back points and rears, victory places), as (data path,
        label); optional ones not yet set are listed too, so that they can be set."""
        data = self.data()
        found: list[tuple[tuple, str]] = []

        def when(value: Any) -> str:
            try:
                value = datetime.fromisoformat(str(value))
            except ValueError:
                return str(value)
            return value.strftime("%d %b %H:%M")

        for k, entry in enumerate(data.get("reinforcements") or []):
            units = ", ".join(entry.get("units") or [])
            found.append(
                (("reinforcements", k, "at"), f"arrival {when(entry.get('time'))}: {units}")
            )
        for k, strike in enumerate(data.get("air_strikes") or []):
            label = f"air strike {when(strike.get('time'))}: target"
            found.append((("air_strikes", k, "target"), label))
        for p, plan in enumerate(data.get("plans") or []):
            side = plan.get("side")
            found.append((("plans", p, "rear"), f"{side} plan: rear"))
            for k, phase in enumerate(plan.get("phases") or []):
                ident = phase.get("id")
                found.append((("plans", p, "phases", k, "objective"), f"{side} {ident}: objective"))
                if phase.get("fall_back_to") is not None:
                    label = f"{side} {ident}: fall back to"
                    found.append((("plans", p, "phases", k, "fall_back_to"), label))
        for k, condition in enumerate(data.get("victory") or []):
            if condition.get("kind") in ("hold", "capture", "exit"):
                label = f"victory: {condition.get('side')} {condition.get('kind')}"
                found.append((("victory", k, "place"), label))
        return found

    @_one_step
    def set_hex_ref(self, path: tuple, cell: Cell) -> str:
        """Point a hex reference (one of `hex_refs`) at a hex: the id of the place that stands
        there, if one does, else [col, row]. Returns what was written."""
        value = self._hex_text(cell)
        before = self._begin()
        if self.node(path) is not None:
            self.replace_value(path, value)
        else:
            self.set_key(path[:-1], str(path[-1]), value)
        self._commit(before)
        return value

    @_one_step
    def add_river(self, name_en: str, width_m: float = 50.0) -> str:
        """A new river with no path yet (its hexes are painted as water with the terrain brush,
        its path drawn with `river_waypoint`); returns its id. Its width is a placeholder the
        author sets from a source, as its `source` says."""
        name_en = " ".join(name_en.split())
        if not name_en:
            raise EditError("a river needs an English name")
        ident = _new_id(name_en, self.data_at(("map",)).get("rivers"), "river")
        fields = [
            f"id: {ident}",
            f"name: {{en: {_quote(name_en)}}}",
            "path: []",
            f"crossing: {{width_m: {width_m:g}}}",
            'source: "assumption: drawn in the map editor; set the width from a source"',
        ]
        before = self._begin()
        self._add_entry(("map",), "rivers", fields)
        self._commit(before)
        return ident

    @_one_step
    def river_waypoint(self, river_id: str, cell: Cell) -> str:
        """Add a hex to the end of a river's path, or take it out if it is a waypoint already.
        Returns 'added' or 'removed'."""
        index = self._index_of(("map", "rivers"), river_id)
        path = self.data_at(("map", "rivers", index)).get("path") or []
        before = self._begin()
        k = self._hex_index(path, cell)
        route = ("map", "rivers", index, "path")
        if k is not None:
            if len(path) == 1:
                self.replace_value(route, "[]")
            else:
                self.remove_item(route, k)
            result = "removed"
        elif self.node(route) is None:
            self.set_key(("map", "rivers", index), "path", f"[{flow_hex(cell)}]")
            result = "added"
        else:
            self.append_item(route, flow_hex(cell))
            result = "added"
        self._commit(before)
        return result


def _flow(value: Any) -> str:
    """A value as one line of flow-style YAML, read back as the same value."""
    text = dump_text(value, default_flow_style=True, width=1_000_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _quote(text: str) -> str:
    """A YAML scalar for a name: plain when that reads back as the same text, else quoted."""
    plain_ok = re.fullmatch(r"[^\s:#,\[\]{}&*!|>'\"%@`\-?][^:#,\[\]{}]*", text) is not None
    if plain_ok and text == text.strip():
        try:
            if load_text(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _indent_entry(key: str, value_text: str, column: int) -> str:
    pad = " " * column
    if "\n" not in value_text and not value_text.startswith("- "):
        return f"{pad}{key} {value_text}"
    lines = value_text.split("\n")
    return f"{pad}{key}\n" + "\n".join((pad + "  " + line) if line else "" for line in lines)
