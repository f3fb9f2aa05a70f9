"""A YAML file open for editing as text: each edit rewrites only the characters of the value it
changes, so comments, key order, quoting, column rulers and hand wrapping all survive, and a saved
file differs from the one opened by exactly the edits made.

A YAML round-trip library re-emits the whole file: ruamel.yaml, even set to this project's
indentation, rewrote 46 of Furong's 1,542 lines (hand-wrapped flow lists refilled) and dropped 3
of its 310 comments; with its defaults it rewrote 1,207. So the text itself is the document here:
PyYAML's node marks carry character offsets, and an edit finds the exact characters of the one
value it changes by its data path (keys and list indexes).

This module knows YAML text, not scenarios: values by path, keys set and removed, list items
appended and removed (flow or block), text grids written as `|` blocks, undo and redo, and an
atomic save that will not write over a file someone else changed. The scenario's own edits
(terrain, units, places, works, rivers, marks) are `document.ScenarioDocument`, built on it.
Edits check what they touch and raise `EditError` instead of guessing.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

from ..atomic import write_atomic
from .errors import Problem, ScenarioError
from .yaml_source import FastLoader, dump_text, load_text, parse, read_text

_Loader = FastLoader  # the C composer is ten times faster
MAX_UNDO = 200  # steps kept; a Furong-sized file is 70 KB, so this stays under 15 MB
Cell = tuple[int, int]  # (col, row) of a text grid


class EditError(ValueError):
    """An edit that cannot be made to this file as it is written; the message says why."""


class FileChangedError(EditError):
    """The file on disk is no longer the one the document was read from."""


_Edit = TypeVar("_Edit", bound=Callable[..., Any])


def one_step(method: _Edit) -> _Edit:
    """An edit method that is all or nothing (`YamlText.one_step`): if it raises, the text is
    put back as it was, with no step of undo for it."""

    @functools.wraps(method)
    def run(self: YamlText, *args: Any, **kwargs: Any) -> Any:
        with self.one_step():
            return method(self, *args, **kwargs)

    return run  # type: ignore[return-value]


class YamlText:
    """The text of one YAML file, with edits that rewrite only what they change."""

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
        self._grouping = 0  # inside one_step: the undo stack is trimmed once, at its end

    @classmethod
    def open(cls, path: str | Path):
        """Read a file with the loader's size limits; a file that is not YAML raises
        ScenarioError with its located problems (an editor opens only what it can show)."""
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
    def save(self, path: str | Path | None = None, *, overwrite_changes: bool = False) -> Path:
        """Write the text atomically (a temporary file, then one rename), with the byte-order
        mark and line endings it was read with. A file that someone else changed since it was
        opened is not written over unless `overwrite_changes` (FileChangedError says so)."""
        target = self._save_target(path, overwrite_changes)
        self._write(target)
        return target

    def _save_target(self, path: str | Path | None, overwrite_changes: bool) -> Path:
        """The file to save to, once it is known that no one else changed it meanwhile."""
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
        return target

    def _write(self, target: Path) -> None:
        text = self._text.replace("\n", "\r\n") if self._crlf else self._text
        payload = ("\ufeff" if self._bom else "") + text
        write_atomic(Path(os.path.realpath(target)), payload)  # through a link, to its file
        self._on_disk = payload
        self._saved = self._text
        self.path = target
        self.filename = str(target)

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

    def add_mapping(self, parent: tuple, key: str, fields: list[str]) -> None:
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


def flow_value(value: Any) -> str:
    """A value as one line of flow-style YAML, read back as the same value."""
    text = dump_text(value, default_flow_style=True, width=1_000_000).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def quote_text(text: str) -> str:
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
