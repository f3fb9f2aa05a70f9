"""A scenario file open for editing, saved back with everything the user wrote kept.

The map editor changes a few values at a time: a terrain character, a unit's start hex, a hex
added to a minefield. `yaml_text.YamlText` edits a YAML file's text rewriting only the characters
of the value that changes; `ScenarioDocument` adds what a scenario is: the edits the editor
offers (paint terrain and heights, resize the map, move, copy, set and remove units, add, move,
rename and remove places, works, rivers, and the hexes plans and victory conditions name), each
one step of undo, and the check of the result with the ordinary loader (`check`; `save` refuses
an invalid scenario).

Edits check what they touch (the character under a grid cell is the one the data says is there)
and raise `EditError` instead of guessing; whether the result is a valid scenario is a separate
question, answered by `check`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, ScenarioError
from .loader import LoadedScenario, load_scenario_text
from .models import LEVEL_CHARS
from .yaml_source import load_text
from .yaml_text import Cell, EditError, FileChangedError, YamlText, flow_value, one_step, quote_text

__all__ = [
    "Cell",
    "CheckResult",
    "EditError",
    "FileChangedError",
    "ScenarioDocument",
    "flow_hex",
]

UNIT_FIELDS = ("side", "men", "officers", "posture", "quality", "morale")  # set_unit_values
TRIGGER_KEYS = ("start_when", "end_when")  # a plan phase's triggers (set_phase_trigger)


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


class ScenarioDocument(YamlText):
    """The text of one scenario file, with the editor's edits, each rewriting only what it
    changes."""

    def __init__(self, text: str, filename: str = "<string>", path: Path | None = None) -> None:
        self._places: dict[str, Cell] | None = None  # place id -> hex, for this text
        super().__init__(text, filename, path)

    def _set_text(self, text: str) -> None:
        super()._set_text(text)
        self._places = None

    def _edit(self, start: int, end: int, replacement: str) -> None:
        """Every edit, keeping a trailing comment of the edited line where it stood: a hex
        added to a flow list (`[10, 8], [10, 9],   # east`) takes the comment's padding instead
        of pushing it out of its column, and a hex taken out pads it back. Only a one-line
        edit before the comment is realigned; a line grown past the comment keeps two spaces
        (or the one it had) before it."""
        text = self._text
        if "\n" in replacement or "\n" in text[start:end]:
            super()._edit(start, end, replacement)
            return
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        line = text[line_start:line_end]
        column = self._comment_column(line, line_start)
        if column is None or end - line_start > column or len(replacement) == end - start:
            super()._edit(start, end, replacement)
            return
        new = line[: start - line_start] + replacement + line[end - line_start :]
        moved = column + len(replacement) - (end - start)
        code = new[:moved].rstrip(" ")
        gap = 2 if column - len(line[:column].rstrip(" ")) >= 2 else 1
        # The column the comments of the lines around align on (a comment pushed out by an
        # earlier edit comes back to it), else the comment's own.
        at = max(self._neighbour_column(line_start, line_end) or column, len(code) + gap)
        new = code + " " * (at - len(code)) + new[moved:]
        self._set_text(text[:line_start] + new + text[line_end:])

    def _neighbour_column(self, line_start: int, line_end: int) -> int | None:
        """The column of the trailing comment on the line above, else the line below."""
        text = self._text
        if line_start > 0:
            above = text.rfind("\n", 0, line_start - 1) + 1
            column = self._comment_column(text[above : line_start - 1], above)
            if column is not None:
                return column
        if line_end < len(text):
            below_end = text.find("\n", line_end + 1)
            below_end = len(text) if below_end < 0 else below_end
            return self._comment_column(text[line_end + 1 : below_end], line_end + 1)
        return None

    def _comment_column(self, line: str, line_start: int) -> int | None:
        """The column of the YAML comment that ends `line` (which starts at `line_start` in the
        text), if it has one: a '#' after a blank, outside quotes, and outside every token (a
        '#' inside a block scalar's text is text, not a comment)."""
        quote = ""
        found = None
        for k, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "'\"" and (k == 0 or line[k - 1] in " [{,:"):
                quote = ch
            elif ch == "#" and (k == 0 or line[k - 1] in " \t"):
                found = k
                break
        if found is None or not line[:found].strip():
            return None  # no comment, or a line that is all comment
        at = line_start + found
        for token in self._tokens():
            if token.start_mark.index <= at < token.end_mark.index:
                return None
            if token.start_mark.index > at:
                break
        return found

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

    def save(
        self,
        path: str | Path | None = None,
        *,
        coefficient_names: Iterable[str] | None = None,
        allow_invalid: bool = False,
        overwrite_changes: bool = False,
    ) -> Path:
        """Write the text atomically (`YamlText.save`). An invalid scenario is refused with its
        problems unless `allow_invalid`: a file the game cannot load is not written over one it
        can. A file that someone else changed since it was opened is not written over unless
        `overwrite_changes` (FileChangedError says so)."""
        target = self._save_target(path, overwrite_changes)
        if not allow_invalid:
            result = self.check(coefficient_names)
            if not result.ok:
                raise ScenarioError(list(result.problems))
        self._write(target)
        return target

    # ------------------------------------------------------------------ scenario edits
    @one_step
    def paint_terrain(self, cells: Mapping[Cell, str]) -> bool:
        """Set map cells to terrain characters of the legend; one undo step for a stroke."""
        legend = self.data_at(("map", "legend"))
        for char in cells.values():
            if char not in legend:
                raise EditError(f"{char!r} is not in the map's legend")
        before = self._begin()
        self.set_grid_cells(("map", "terrain"), cells)
        return self._commit(before)

    @one_step
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

    @one_step
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

    @one_step
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

    @one_step
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
        self.add_mapping(
            (), "units", [f"{key}: {flow_value(value)}" for key, value in unit.items()]
        )
        self._commit(before)
        return unit["id"]

    @one_step
    def set_unit_values(self, unit_id: str, values: Mapping[str, Any]) -> bool:
        """Set some of a unit's figures (`UNIT_FIELDS`), each where it is written (or added);
        whether the values are allowed is for `check` to say, as for any edit."""
        index = self._index_of(("units",), unit_id)
        before = self._begin()
        for key, value in values.items():
            if key not in UNIT_FIELDS:
                raise EditError(f"{key!r} is not a unit figure the editor sets")
            self.set_key(("units", index), key, flow_value(value))
        return self._commit(before)

    @one_step
    def remove_unit(self, unit_id: str) -> bool:
        """Remove a unit. A plan, reinforcement or metric that names it is then reported by
        `check`, as for a removed place."""
        index = self._index_of(("units",), unit_id)
        if len(self.data_at(("units",))) == 1:
            raise EditError("a scenario needs at least one unit")
        before = self._begin()
        self.remove_item(("units",), index)
        return self._commit(before)

    @one_step
    def move_place(self, place_id: str, cell: Cell) -> bool:
        index = self._index_of(("map", "places"), place_id)
        before = self._begin()
        self.replace_value(("map", "places", index, "hex"), flow_hex(cell))
        return self._commit(before)

    @one_step
    def add_place(self, name_en: str, cell: Cell, name_zh: str | None = None) -> str:
        """A new named place at a hex; returns its id, made from the English name."""
        name_en = " ".join(name_en.split())
        if not name_en:
            raise EditError("a place needs an English name")
        ident = _new_id(name_en, self.data_at(("map",)).get("places"), "place")
        name = f"{{en: {quote_text(name_en)}" + (
            f", zh: {quote_text(name_zh)}}}" if name_zh else "}"
        )
        before = self._begin()
        self.add_mapping(
            ("map",), "places", [f"id: {ident}", f"name: {name}", f"hex: {flow_hex(cell)}"]
        )
        self._commit(before)
        return ident

    @one_step
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

    @one_step
    def rename_place(self, place_id: str, name_en: str, name_zh: str | None = None) -> bool:
        """Set a place's English name and its Chinese one (none given: the Chinese name goes),
        each where it is written, so the rest of the name and its comments stay."""
        index = self._index_of(("map", "places"), place_id)
        before = self._begin()
        self._set_name(("map", "places", index, "name"), name_en, name_zh)
        return self._commit(before)

    @one_step
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
        self.replace_value((*path, "en"), quote_text(name_en))
        if name_zh:
            self.set_key(path, "zh", quote_text(name_zh))
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

    @one_step
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
            self.add_mapping((), "obstacles", fields)
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

    @one_step
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

    def phase_triggers(self) -> list[tuple[tuple, str, str, str]]:
        """Every plan phase, as (data path, label, start_when, end_when): each trigger written
        as one line of flow YAML ("" when the phase has none), for the editor to show and edit."""
        found = []
        for p, plan in enumerate(self.data().get("plans") or []):
            side = plan.get("side")
            for k, phase in enumerate(plan.get("phases") or []):
                texts = [
                    flow_value(phase[which]) if phase.get(which) is not None else ""
                    for which in TRIGGER_KEYS
                ]
                label = f"{side} {phase.get('id')}"
                found.append((("plans", p, "phases", k), label, texts[0], texts[1]))
        return found

    @one_step
    def set_phase_trigger(self, phase_path: tuple, which: str, text: str) -> bool:
        """Set a phase's `start_when` or `end_when` to a trigger typed as YAML (`taken:
        lion_mountain`, `{after: {phase: day_assault, hours: 7}}`, `any: [...]`), written as
        one flow line in place of what was there (a block of several lines too, its comment on
        the key's line kept); empty text takes the trigger out. Whether the trigger names real
        places, phases and units is the loader's to say (`check`), located like any problem."""
        if which not in TRIGGER_KEYS:
            raise EditError(f"a phase's trigger is {' or '.join(TRIGGER_KEYS)}, not {which!r}")
        phase = self.data_at(phase_path)
        if not isinstance(phase, dict):
            raise EditError(f"no phase at {'.'.join(map(str, phase_path))}")
        text = " ".join(text.split())
        before = self._begin()
        if not text:
            if phase.get(which) is None:
                return False
            self.remove_key(phase_path, which)
            return self._commit(before)
        flow = text if text.startswith("{") else f"{{{text}}}"
        try:
            value = load_text(flow)
        except yaml.YAMLError as error:  # the typed text is not YAML
            first = str(error).splitlines()[0]
            raise EditError(f"{which}: not a YAML mapping ({first})") from None
        if not isinstance(value, dict) or not value:
            raise EditError(f"{which}: a trigger is a mapping, e.g. {{taken: a_place_id}}")
        if phase.get(which) == value:
            return False
        self.set_key(phase_path, which, flow_value(value))
        return self._commit(before)

    @one_step
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
            f"name: {{en: {quote_text(name_en)}}}",
            "path: []",
            f"crossing: {{width_m: {width_m:g}}}",
            'source: "assumption: drawn in the map editor; set the width from a source"',
        ]
        before = self._begin()
        self.add_mapping(("map",), "rivers", fields)
        self._commit(before)
        return ident

    @one_step
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
