"""Reading YAML safely while remembering where every value came from.

PyYAML's safe loader builds plain Python data and forgets positions. Here the file is composed into
nodes (which carry line and column marks), and the nodes become plain data by hand, so that:
- every value's position is kept in a `SourceMap`, keyed by its path in the data, and later errors
  (pydantic's, cross-references, map checks) can point at the exact line and column;
- duplicate keys, which PyYAML silently overwrites, are reported;
- hostile files are refused early and cheaply: size is checked before reading, nesting depth and the
  number of nodes visited are capped (aliases are counted each time they are expanded, so a "billion
  laughs" file stops at the cap instead of eating memory).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, ScenarioError

MAX_FILE_BYTES = 4 * 1024 * 1024  # a 400x400 map with elevation is ~330 KB; 4 MiB leaves room
MAX_NODES = 250_000  # nodes visited, alias expansions included
MAX_ALIAS_NODES = 10_000  # nodes visited again through aliases: enough for sharing, not for bombs
MAX_DEPTH = 40  # the format nests about 6 deep; deeper is a mistake or an attack

Path_ = tuple[str | int, ...]

# YAML 1.1 reads 19:30 as the base-60 integer 1170. Nobody writing a wargame means that.
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
# YAML 1.1 (PyYAML) reads 1e-3 and 1e9, with no dot, as text; YAML 1.2, JSON Schema editors and
# people read numbers. Every reader and writer of scenario YAML here uses the classes below, which
# add that one rule, so that what the editor or a batch writes reads back the same: a plain scalar
# only (quoted or tagged `!!str`, it stays text, and a text like "1e3" is written quoted).
_EXPONENT_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$")
_FLOAT_TAG = "tag:yaml.org,2002:float"
_FIRST_CHARS = list("-+.0123456789")


class Loader(yaml.SafeLoader):
    """PyYAML's safe loader, with numbers like 1e-3 read as numbers."""


class FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same with libyaml's parser (about ten times quicker), where PyYAML has it."""


# Text where libyaml's parser reads otherwise than PyYAML's pure one, found by comparing the two on
# mutated scenarios and random YAML-like text: a tab between tokens (libyaml separates with it, the
# pure scanner refuses it), a byte-order mark after the start (libyaml drops it), a comment right
# after a block scalar's indicator (`|#`, refused by the pure scanner). `parse` reads such text
# with the pure loader only; no shipped scenario has any of them.
_LIBYAML_READS_OTHERWISE = re.compile(r"\t|\ufeff|[|>][-+0-9]*#")


class _PureReaderNeeded(Exception):
    """A text the libyaml fast path leaves to the pure-Python loader (see `CheckedFastLoader`)."""


if yaml.__with_libyaml__:

    class CheckedFastLoader(
        yaml.composer.Composer,
        yaml._yaml.CParser,  # type: ignore[name-defined]
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
    ):
        """libyaml's parser (events, in C) under PyYAML's own composer (nodes, in Python).

        The C parser keeps no recursion of its own (a state machine over heap stacks), and the
        composer, being Python, recurses in Python: a file nested thousands deep ends in a
        RecursionError, never in a blown C stack as libyaml's C composer (`FastLoader`) would. So
        `parse` can read untrusted text with it: a third slower than the C composer, twelve
        times quicker than the pure-Python scanner and parser (Furong: 7 ms against 73 ms CPU)."""

        def __init__(self, stream: str) -> None:
            yaml._yaml.CParser.__init__(self, stream)  # type: ignore[attr-defined]
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
            """The composer's step, refusing the two kinds of node where libyaml's events are
            known to differ from the pure parser's: an explicit tag (`!` alone resolves to ''
            here, to null there) and an empty scalar the parser makes up for a missing value
            (`{a: }`, `?` at the end of a file: its mark stands a column or a line away). Valid
            scenarios have neither; `parse` reads a file that does with the pure loader."""
            event = self.peek_event()
            if not isinstance(event, yaml.AliasEvent) and (
                event.tag is not None
                or (
                    isinstance(event, yaml.ScalarEvent)
                    and (event.start_mark.line, event.start_mark.column)
                    == (event.end_mark.line, event.end_mark.column)
                )
            ):
                raise _PureReaderNeeded
            return super().compose_node(parent, index)

else:  # PyYAML built without libyaml: the pure loader is the only one
    CheckedFastLoader = None  # type: ignore[assignment,misc]


class Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting text that `Loader` would read as a number."""


_READERS = tuple(cls for cls in (Loader, FastLoader, CheckedFastLoader) if cls is not None)
for _cls in (*_READERS, Dumper):
    _cls.add_implicit_resolver(_FLOAT_TAG, _EXPONENT_FLOAT, _FIRST_CHARS)

# YAML 1.1 (PyYAML) reads yes/no/on/off as booleans; YAML 1.2 and so every editor's language server
# read them as text, so `water: yes` passed `wargame validate` and failed in the editor. The loaders
# read booleans as YAML 1.2 does (true/false only); the models take only real booleans where one
# belongs, so `yes` is an error in both places, with a hint. (The dumper keeps quoting yes/no, which
# every YAML reader then reads as text.)
_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOL_1_2 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
for _cls in _READERS:
    _cls.add_implicit_resolver(_BOOL_TAG, _BOOL_1_2, list("tTfF"))  # copies the class's table
    _cls.yaml_implicit_resolvers = {
        first: [
            (tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG or regexp is _BOOL_1_2
        ]
        for first, resolvers in _cls.yaml_implicit_resolvers.items()
    }


def dump_text(value: Any, *, dumper: type[Dumper] = Dumper, **options: Any) -> str:
    """`value` as YAML that `parse` reads back the same (keys in their order, Chinese as is)."""
    return yaml.dump(value, Dumper=dumper, sort_keys=False, allow_unicode=True, **options)


def load_text(text: str) -> Any:
    """A small YAML text (a --set value, a name) as `parse` would read it, without its marks."""
    return yaml.load(text, Loader=Loader)  # a SafeLoader: safe


@dataclass(frozen=True, slots=True)
class Mark:
    line: int  # 1-based
    column: int  # 1-based


@dataclass
class SourceMap:
    """Where each value of a loaded file stands. `key_marks` holds the position of a mapping key,
    `value_marks` the start of the value; both are keyed by the value's path."""

    file: str
    lines: list[str] = field(default_factory=list)
    key_marks: dict[Path_, Mark] = field(default_factory=dict)
    value_marks: dict[Path_, Mark] = field(default_factory=dict)
    block_scalars: set[Path_] = field(default_factory=set)

    def locate(self, path: Path_, *, key: bool = False) -> Mark:
        """The mark of `path`, or of its nearest ancestor present in the file."""
        path = tuple(path)
        while True:
            if key and path in self.key_marks:
                return self.key_marks[path]
            if path in self.value_marks:
                return self.value_marks[path]
            if path in self.key_marks:
                return self.key_marks[path]
            if not path:
                return Mark(1, 1)
            path = path[:-1]

    def problem(self, path: Path_, message: str, *, key: bool = False) -> Problem:
        mark = self.locate(path, key=key)
        return Problem(self.file, mark.line, mark.column, message)

    def grid_cell(self, path: Path_, row: int, col: int) -> Mark:
        """The position of character `col` on line `row` of a block-scalar text grid."""
        start = self.value_marks.get(path)
        if start is None:
            return Mark(1, 1)
        if path not in self.block_scalars:
            return start
        line_index = start.line + row  # the grid's first line follows the '|' indicator line
        if 0 <= line_index < len(self.lines):
            raw = self.lines[line_index]
            indent = len(raw) - len(raw.lstrip(" "))
            return Mark(line_index + 1, indent + col + 1)
        return start


def _mark(yaml_mark: yaml.Mark) -> Mark:
    return Mark(yaml_mark.line + 1, yaml_mark.column + 1)


def _position(text: str, index: int) -> Mark:
    """Line and column (in characters) of the character at `index` of `text`."""
    return Mark(text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1)


def read_text(path: Path, display: str) -> str:
    """The file's text, refusing what is not a readable, reasonably sized UTF-8 file."""

    def fail(message: str, line: int = 0, column: int = 0) -> ScenarioError:
        return ScenarioError([Problem(display, line, column, message)])

    if not path.exists():
        raise fail("no such file; expected the path of a scenario YAML file")
    if path.is_dir():
        raise fail("is a directory; expected a scenario YAML file (e.g. scenarios/<name>.yaml)")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise fail(f"file is {size:,} bytes; scenario files are limited to {MAX_FILE_BYTES:,}")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise fail(f"cannot read file: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise fail(f"file is larger than the limit of {MAX_FILE_BYTES:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        # Columns count characters, as everywhere else (and as editors do), not bytes: the line's
        # text up to the bad byte is valid UTF-8, since decoding stopped at the first error.
        line_start = before[before.rfind(b"\n") + 1 :]
        column = len(line_start.decode("utf-8", errors="replace")) + 1
        raise fail(
            f"byte 0x{data[error.start]:02x} is not valid UTF-8; save the file as UTF-8",
            line,
            column,
        ) from None


def parse(text: str, display: str, *, fast: bool = False) -> tuple[Any, SourceMap]:
    """Plain data and its source map from YAML text, or a ScenarioError with located problems.

    Where PyYAML has libyaml, the text is first read with libyaml's parser under the Python
    composer (`CheckedFastLoader`, ten times quicker than the pure-Python reader, with the same
    nodes, marks and guards); anything it or the guards refuse is read again by the pure-Python
    loader, whose problems are the ones reported, so a broken file gets the same messages at the
    same lines and columns either way.

    `fast` composes with libyaml's C composer (`FastLoader`, quicker still) and no second reading:
    only for text already known to pass the caps, such as the map editor's after an edit, since
    a C composer recurses on the C stack, which the nesting guards below cannot protect."""
    if text.startswith("\ufeff"):
        text = text[1:]
    source = SourceMap(display, text.splitlines())
    if len(text) > MAX_FILE_BYTES:
        raise ScenarioError([Problem(display, 0, 0, "text is larger than the scenario limit")])
    tabs = [
        Problem(
            display, number, raw.index("\t") + 1, "tab in indentation; YAML indents with spaces"
        )
        for number, raw in enumerate(source.lines, start=1)
        if "\t" in raw[: len(raw) - len(raw.lstrip(" \t"))]
    ]
    if tabs:
        raise ScenarioError(tabs)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in source.lines
    ):
        raise ScenarioError(
            [Problem(display, 0, 0, "file is empty; expected a scenario (see `wargame schema`)")]
        )
    unreadable = _unreadable_characters(text, display)
    if unreadable:
        raise ScenarioError(unreadable)
    too_deep = _flow_too_deep(text)
    if too_deep is not None:
        raise ScenarioError(
            [
                Problem(
                    display,
                    too_deep.line,
                    too_deep.column,
                    f"nested deeper than {MAX_DEPTH} levels; refusing to load",
                )
            ]
        )
    if not fast and CheckedFastLoader is not None and not _LIBYAML_READS_OTHERWISE.search(text):
        try:
            return _compose_and_build(CheckedFastLoader, text, source)
        except Exception:
            # The pure-Python reader is the reference for a file libyaml's parser or the checks
            # below refuse: its problems (a syntax error's wording and place, the caps' messages)
            # are the ones reported, exactly as before there was a fast path.
            source = SourceMap(display, source.lines)
    return _compose_and_build(FastLoader if fast else Loader, text, source)


def _compose_and_build(
    loader_class: type[yaml.SafeLoader], text: str, source: SourceMap
) -> tuple[Any, SourceMap]:
    """`text` composed into nodes by `loader_class`, then built into plain data with its marks
    in `source`; a ScenarioError with located problems for what cannot be read or is refused."""
    display = source.file
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
    except RecursionError:  # block nesting deep enough to exhaust PyYAML's recursive composer
        raise ScenarioError(
            [Problem(display, 0, 0, f"nested deeper than {MAX_DEPTH} levels; refusing to load")]
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = _mark(mark) if mark else Mark(1, 1)
        message = (
            " ".join(part for part in (error.context, error.problem) if part) or "invalid YAML"
        )
        raise ScenarioError(
            [Problem(display, where.line, where.column, f"YAML syntax error: {message}")]
        ) from None
    except yaml.reader.ReaderError as error:  # refused above; kept for PyYAML's own view
        where = _position(text, error.position)
        raise ScenarioError(
            [Problem(display, where.line, where.column, f"YAML error: {error.reason}")]
        ) from None
    except yaml.YAMLError as error:
        raise ScenarioError([Problem(display, 1, 1, f"YAML error: {error}")]) from None
    finally:
        loader.dispose()
    if root is None:
        raise ScenarioError([Problem(display, 0, 0, "file is empty; expected a scenario")])
    builder = _Builder(source)
    data = builder.build(root, (), 0)
    if builder.problems:
        raise ScenarioError(builder.problems)
    return data, source


# What YAML allows in a file (its "printable" set), less the line breaks that YAML counts and most
# editors do not (NEL, LINE and PARAGRAPH SEPARATOR, a CR alone), which would shift every later
# line number of the messages.
_UNREADABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|\r(?!\n)"
)
_CHARACTER_NAMES = {
    "\x00": "NUL",
    "\x07": "BEL",
    "\x08": "BACKSPACE",
    "\x0b": "VERTICAL TAB",
    "\x0c": "FORM FEED",
    "\x0d": "CARRIAGE RETURN without a line feed",
    "\x1b": "ESCAPE",
    "\x7f": "DEL",
    "\x85": "NEXT LINE",
    "\u2028": "LINE SEPARATOR",
    "\u2029": "PARAGRAPH SEPARATOR",
    "\ufffe": "a noncharacter",
    "\uffff": "a noncharacter",
}
MAX_CHARACTER_PROBLEMS = 20


def _unreadable_characters(text: str, display: str) -> list[Problem]:
    """A located problem for each character YAML refuses (PyYAML would raise with a position in
    characters from the start of the file) or counts as a line break where editors do not."""
    problems: list[Problem] = []
    for match in _UNREADABLE.finditer(text):
        char = match.group()
        start = match.start()
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        name = _CHARACTER_NAMES.get(char, "a control character")
        problems.append(
            Problem(
                display,
                line,
                column,
                f"character U+{ord(char):04X} ({name}) is not allowed in a scenario file;"
                " remove it (write line breaks as plain new lines)",
            )
        )
        if len(problems) >= MAX_CHARACTER_PROBLEMS:
            break
    return problems


# The only characters `_flow_too_deep` acts on; every other one just goes by.
_FLOW_SIGNIFICANT = re.compile(r"""[\[\]{}'"#\n]""")


def _flow_too_deep(text: str) -> Mark | None:
    """Where flow brackets first nest deeper than MAX_DEPTH, found before PyYAML parses the text:
    its parser recurses once per level, so `[[[[...` thousands deep would exhaust the stack.

    A rough reading, line by line: a quote opens a quoted scalar (which may span lines) inside
    brackets or after a space, colon, bracket or comma, and runs to the next same quote; `#` after
    a space or a tab ends the line. It visits only the characters that matter (a third of the time
    of a walk over every character); tests/test_yaml_fast_path.py checks it against that walk."""
    depth = 0
    quote = ""
    line_number, line_start = 1, 0
    in_comment = False
    for match in _FLOW_SIGNIFICANT.finditer(text):
        char, index = match.group(), match.start()
        if char == "\n":
            line_number, line_start = line_number + 1, index + 1
            in_comment = False
        elif in_comment:
            continue
        elif quote:
            if char == quote:
                quote = ""
        else:
            previous = text[index - 1] if index > line_start else " "
            if char in "'\"":
                if depth or previous in " :[{,":
                    quote = char
            elif char == "#":
                in_comment = previous in " \t"
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return Mark(line_number, index - line_start + 1)
            else:
                depth = max(0, depth - 1)
    return None


class _Builder:
    """Turns composed nodes into plain data, recording marks and refusing abuse."""

    def __init__(self, source: SourceMap):
        self.source = source
        self.constructor = yaml.constructor.SafeConstructor()
        self.nodes = 0
        self.seen: set[int] = set()
        self.alias_nodes = 0
        self.problems: list[Problem] = []

    def _abort(self, node: yaml.Node, message: str) -> None:
        where = _mark(node.start_mark)
        self.problems.append(Problem(self.source.file, where.line, where.column, message))
        raise ScenarioError(self.problems)

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.nodes += 1
        if id(node) in self.seen:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                self._abort(
                    node,
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} values; refusing to load"
                    " (a file that multiplies itself through aliases)",
                )
        else:
            self.seen.add(id(node))
        if self.nodes > MAX_NODES:
            self._abort(
                node,
                f"more than {MAX_NODES:,} values (aliases expanded); refusing to load a file"
                " this large",
            )
        if depth > MAX_DEPTH:
            self._abort(node, f"nested deeper than {MAX_DEPTH} levels; refusing to load")
        self.source.value_marks.setdefault(path, _mark(node.start_mark))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, (*path, index), depth + 1) for index, item in enumerate(node.value)
            ]
        return self._scalar(node, path)

    def _scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        if node.style in ("|", ">"):
            self.source.block_scalars.add(path)
        if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and _SEXAGESIMAL.match(
            node.value
        ):
            return node.value
        if node.tag == "tag:yaml.org,2002:binary":
            where = _mark(node.start_mark)
            message = "binary data (!!binary) has no place in a scenario; write text"
            self.problems.append(Problem(self.source.file, where.line, where.column, message))
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except Exception as error:  # PyYAML raises ValueError, KeyError ... for a bad tag's value
            where = _mark(node.start_mark)
            self.problems.append(
                Problem(self.source.file, where.line, where.column, _bad_scalar(node, error))
            )
            return None

    def _mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_seen: dict[Any, Mark] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                where = _mark(key_node.start_mark)
                self.problems.append(
                    Problem(self.source.file, where.line, where.column, "keys must be plain text")
                )
                continue
            key = self._scalar(key_node, (*path, "<key>"))
            if isinstance(key, int | float | bool) or key is None:
                key = key_node.value  # a legend key like 1 or a grid character stays text
            where = _mark(key_node.start_mark)
            if key in first_seen:
                self.problems.append(
                    Problem(
                        self.source.file,
                        where.line,
                        where.column,
                        f"duplicate key '{key}' (first given at line {first_seen[key].line});"
                        " the later value would silently replace the earlier one",
                    )
                )
                continue
            first_seen[key] = where
            child = (*path, key)
            self.source.key_marks[child] = where
            result[key] = self.build(value_node, child, depth + 1)
        return result


_TAG_MEANINGS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "null": "null",
    "timestamp": "a date and time",
    "binary": "base64 data",
}


def _bad_scalar(node: yaml.ScalarNode, error: Exception) -> str:
    """Why a scalar could not be read: a tag its text does not fit (`!!int x`), a number longer
    than Python converts (4,300 digits), or a tag this format does not know."""
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    if isinstance(error, ValueError) and "digits" in str(error):
        digits = sum(c.isdigit() for c in node.value)
        return (
            f"a number of {digits:,} digits; no value in a scenario needs more than a few"
            " (Python reads at most 4,300)"
        )
    short = node.tag.removeprefix("tag:yaml.org,2002:")
    meaning = _TAG_MEANINGS.get(short)
    if meaning is not None:
        return (
            f"'{value}' is not {meaning}, as its tag !!{short} says; fix the value or drop the tag"
        )
    if isinstance(error, yaml.YAMLError):
        problem = getattr(error, "problem", None) or str(error)
        return f"bad value: {problem}"
    return f"'{value}' cannot be read as {node.tag}"
