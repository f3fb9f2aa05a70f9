"""Checks a schema cannot express: cross-references, the text maps, and sense about time and place.

When the file passes the schema they read the validated models' values (`Scenario.model_dump()`),
which is what the game will use: pydantic turns `2.0` into the hex column 2 and `"1e3"` into a
number, and a check of the raw YAML would pass over what the game then trips on. When some part of
the file fails the schema, they read the raw loaded data instead, so that they still run and still
find every problem at once. Either way each check tolerates malformed pieces (the schema reports
those) and only speaks about what it can judge; the data has the same shape and paths in both.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from typing import Any

from .. import hexgrid
from .errors import Problem, did_you_mean, one_of
from .models import LEVEL_CHARS, TRIGGER_KINDS, Metric
from .yaml_source import SourceMap

# Metrics that measure a place, and what kind of thing `place` must name for them.
PLACE_METRICS = {
    Metric.position_held: "place",
    Metric.position_lost: "place",
    Metric.place_fell_at: "place",
    Metric.fell_back: "place",
}
# Metrics that may name a place, and need not: attack_repelled also asks that it be held.
OPTIONAL_PLACE_METRICS = {Metric.attack_repelled}
RIVER_METRICS = {Metric.crossed_by: "river", Metric.got_back_across: "river"}
EDGE_DIRECTIONS = {"E": 0, "NE": 1, "NW": 2, "W": 3, "SW": 4, "SE": 5}


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _items(value: Any) -> Iterator[tuple[int, Any]]:
    """(index, item) of a list, nothing for anything else: the checks run on the raw data even
    where the schema found a wrong type (the schema's problem names it), so no check may assume
    the type the schema wants."""
    return enumerate(value) if isinstance(value, list) else iter(())


def _number(value: Any) -> float | None:
    """A value as the schema reads a number, or None where it reports it. PyYAML gives `1e-3`
    and `1e400` (no dot) as text, which pydantic turns into numbers, so text counts too."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


# The last moment a game may reach: a day before the calendar ends, so that a darkness span running
# to the next morning, or a turn's end, is still a date Python can hold.
LAST_MOMENT = datetime.max - timedelta(days=2)


def _hex_pair(value: Any) -> tuple[int, int] | None:
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        return value[0], value[1]
    return None


def _time(value: Any) -> datetime | None:
    """A local time, or None where the schema reports the value (a time zone among them: an aware
    time cannot be compared with the others)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime) and value.tzinfo is None:
        return value
    return None


class _Checker:
    def __init__(
        self, data: dict[str, Any], source: SourceMap, coefficient_names: AbstractSet[str] | None
    ):
        self.data = data
        self.source = source
        self.coefficient_names = coefficient_names
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # what loads and plays, but not as the writer may think
        mapping = data.get("map") if isinstance(data.get("map"), dict) else {}
        self.map: dict[str, Any] = mapping
        self.width = mapping.get("width") if isinstance(mapping.get("width"), int) else None
        self.height = mapping.get("height") if isinstance(mapping.get("height"), int) else None
        self.terrain_rows: list[str] | None = None
        self.terrain_types = data.get("terrain") if isinstance(data.get("terrain"), dict) else {}
        self.places = self._ids(mapping.get("places"), ("map", "places"), "place")
        self.rivers = self._ids(mapping.get("rivers"), ("map", "rivers"), "river")
        self.sides = self._ids(data.get("sides"), ("sides",), "side")
        self.units = self._ids(data.get("units"), ("units",), "unit")
        self.weapons = data.get("weapons") if isinstance(data.get("weapons"), dict) else {}
        self.start, self.end = self._window()
        self.river_cells: set[tuple[int, int]] = set()

    # ------------------------------------------------------------------ helpers

    def report(self, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        self.problems.append(self.source.problem(path, message, key=key))

    def _ids(self, items: Any, path: tuple[Any, ...], what: str) -> dict[str, dict[str, Any]]:
        """Items by id, reporting duplicate ids (a later one would shadow the first)."""
        found: dict[str, dict[str, Any]] = {}
        first_index: dict[str, int] = {}
        for index, item in _dicts(items):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in found:
                first = self.source.locate((*path, first_index[ident], "id"))
                self.report(
                    (*path, index, "id"),
                    f"duplicate {what} id '{ident}' (first used at line {first.line})",
                )
                continue
            found[ident] = item
            first_index[ident] = index
        return found

    def ref(self, path: tuple[Any, ...], value: Any, known: Iterable[str], what: str) -> bool:
        """Report `value` if it does not name one of `known`; True when it does."""
        known = list(known)
        if not isinstance(value, str) or value in known:
            return isinstance(value, str)
        expected = f"; known {what}s: {one_of(known)}" if known else f"; no {what}s are defined"
        hint = did_you_mean(value, known)
        self.report(path, f"unknown {what} '{value}'{hint or expected}")
        return False

    def hex_at(self, path: tuple[Any, ...], value: Any) -> tuple[int, int] | None:
        """The [col, row] a hex reference names, reporting unknown places and off-map hexes."""
        if isinstance(value, str):
            if not self.ref(path, value, self.places, "place"):
                return None
            value = self.places[value].get("hex")
            cell = _hex_pair(value)
            return cell if cell and self.on_map(cell) else None
        cell = _hex_pair(value)
        if cell is None:
            return None
        if not self.on_map(cell):
            self.report(
                path,
                f"hex [{cell[0]}, {cell[1]}] is off the map; columns run 0..{(self.width or 1) - 1}"
                f" and rows 0..{(self.height or 1) - 1}",
            )
            return None
        return cell

    def on_map(self, cell: tuple[int, int]) -> bool:
        if self.width is None or self.height is None:
            return True
        return 0 <= cell[0] < self.width and 0 <= cell[1] < self.height

    def on_edge(self, cell: tuple[int, int]) -> bool:
        if self.width is None or self.height is None:
            return True
        return cell[0] in (0, self.width - 1) or cell[1] in (0, self.height - 1)

    def borders_of(self, cell: tuple[int, int]) -> list[str]:
        """The map's borders (north, south, west, east) hex `cell` lies on."""
        if self.width is None or self.height is None:
            return []
        found = [("north", cell[1] == 0), ("south", cell[1] == self.height - 1)]
        found += [("west", cell[0] == 0), ("east", cell[0] == self.width - 1)]
        return [name for name, on in found if on]

    def closed_edges(self) -> list[str]:
        closed = self.map.get("closed_edges")
        return [c for c in closed if isinstance(c, str)] if isinstance(closed, list) else []

    def terrain_of(self, cell: tuple[int, int]) -> dict[str, Any] | None:
        if self.terrain_rows is None:
            return None
        col, row = cell
        if row >= len(self.terrain_rows) or col >= len(self.terrain_rows[row]):
            return None
        legend = self.map.get("legend") if isinstance(self.map.get("legend"), dict) else {}
        kind = legend.get(self.terrain_rows[row][col])
        terrain = self.terrain_types.get(kind) if isinstance(kind, str) else None
        return terrain if isinstance(terrain, dict) else None

    def is_water(self, cell: tuple[int, int]) -> bool:
        terrain = self.terrain_of(cell)
        return bool(terrain and terrain.get("water")) or cell in self.river_cells

    def in_time(self, path: tuple[Any, ...], value: Any, what: str) -> None:
        moment = _time(value)
        if moment is None or self.start is None or self.end is None:
            return
        if moment < self.start or moment >= self.end:
            self.report(
                path,
                f"{what} at {moment:%Y-%m-%d %H:%M} is outside the game, which runs from"
                f" {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M}",
            )

    def _window(self) -> tuple[datetime | None, datetime | None]:
        clock = self.data.get("clock")
        if not isinstance(clock, dict):
            return None, None
        start = _time(clock.get("start"))
        minutes, turns = clock.get("turn_minutes"), clock.get("turns")
        if start is None or not isinstance(minutes, int) or not isinstance(turns, int):
            return start, None
        if not (5 <= minutes <= 24 * 60 and 1 <= turns <= 10_000):
            return start, None  # the schema reports it
        end = None
        if start <= LAST_MOMENT:
            try:
                end = start + timedelta(minutes=minutes * turns)
            except OverflowError:
                end = None
        if end is None or end > LAST_MOMENT:
            self.report(
                ("clock", "turns"),
                f"the game would end after {LAST_MOMENT:%Y-%m-%d}, the last day the engine can"
                f" count to: {turns} turns of {minutes} minutes from {start:%Y-%m-%d %H:%M};"
                " start earlier or play fewer turns",
            )
            return start, None
        return start, end

    # ------------------------------------------------------------------ checks

    def run(self) -> list[Problem]:
        self.check_grids()
        self.river_cells = self.check_rivers()
        self.check_places()
        self.check_sides_and_briefing()
        self.check_units()
        self.check_obstacles()
        self.check_ammunition()
        self.check_reinforcements()
        self.check_air_strikes()
        self.check_plans()
        self.check_victory()
        self.check_history()
        self.check_rules()
        self._ids(self.data.get("sources"), ("sources",), "source")
        return self.problems

    def _grid(self, path: tuple[Any, ...], text: Any, what: str) -> list[str] | None:
        """The rows of a text grid, reporting rows of the wrong length and a wrong row count."""
        if not isinstance(text, str) or self.width is None or self.height is None:
            return None
        rows = text.rstrip("\n").split("\n")
        ok = True
        if len(rows) != self.height:
            self.report(path, f"{what} has {len(rows)} rows; map.height says {self.height}")
            ok = False
        for index, row in enumerate(rows[: self.height]):
            if len(row) != self.width:
                mark = self.source.grid_cell(path, index, 0)
                self.problems.append(
                    Problem(
                        self.source.file,
                        mark.line,
                        mark.column,
                        f"{what} row {index} has {len(row)} characters; map.width says"
                        f" {self.width}",
                    )
                )
                ok = False
        return rows if ok else None

    def _bad_chars(
        self, path: tuple[Any, ...], rows: list[str], allowed: set[str], describe: str
    ) -> bool:
        seen: set[str] = set()
        for row_index, row in enumerate(rows):
            for col_index, char in enumerate(row):
                if char in allowed or char in seen:
                    continue
                seen.add(char)
                mark = self.source.grid_cell(path, row_index, col_index)
                self.problems.append(
                    Problem(
                        self.source.file,
                        mark.line,
                        mark.column,
                        f"'{char}' at [col {col_index}, row {row_index}] is not {describe}",
                    )
                )
        return not seen

    def check_grids(self) -> None:
        legend = self.map.get("legend")
        if isinstance(legend, dict):
            for char, kind in legend.items():
                self.ref(("map", "legend", char), kind, self.terrain_types, "terrain type")
        rows = self._grid(("map", "terrain"), self.map.get("terrain"), "map.terrain")
        if rows is not None and isinstance(legend, dict):
            allowed = set(legend)
            if self._bad_chars(
                ("map", "terrain"), rows, allowed, f"in map.legend ({one_of(allowed)})"
            ):
                self.terrain_rows = rows
        elevation = self.map.get("elevation")
        if isinstance(elevation, dict):
            path = ("map", "elevation", "grid")
            elevation_rows = self._grid(path, elevation.get("grid"), "map.elevation.grid")
            if elevation_rows is not None:
                self._bad_chars(path, elevation_rows, set(LEVEL_CHARS), "an elevation level 0-9a-z")

    def check_rivers(self) -> set[tuple[int, int]]:
        cells: set[tuple[int, int]] = set()
        for index, river in _dicts(self.map.get("rivers")):
            base = ("map", "rivers", index)
            waypoints = []
            for point_index, point in _items(river.get("path")):
                cell = self.hex_at((*base, "path", point_index), point)
                if cell is not None:
                    waypoints.append(hexgrid.offset_to_axial(*cell))
            river_cells = [
                hexgrid.axial_to_offset(h)
                for a, b in itertools.pairwise(waypoints)
                for h in hexgrid.line(a, b)
            ]
            dry = [c for c in river_cells if (t := self.terrain_of(c)) and not t.get("water")]
            if dry:
                hexes = f"{len(dry)} hex{'es' if len(dry) != 1 else ''}"
                self.report(
                    (*base, "path"),
                    f"river '{river.get('id')}' runs through {hexes} that map.terrain does"
                    f" not mark as water, first [{dry[0][0]}, {dry[0][1]}]; draw the river in"
                    " map.terrain with a water terrain character",
                )
            cells.update(river_cells)
            for edge_index, edge in _items(river.get("edges")):
                if isinstance(edge, list | tuple) and len(edge) == 3 and _hex_pair(edge[:2]):
                    self.hex_at((*base, "edges", edge_index), edge[:2])
            for bridge_index, bridge in _items(river.get("bridges")):
                cell = self.hex_at((*base, "bridges", bridge_index), bridge)
                if cell is not None and waypoints and cell not in cells:
                    self.report(
                        (*base, "bridges", bridge_index),
                        f"bridge at [{cell[0]}, {cell[1]}] is not on river '{river.get('id')}'",
                    )
            if not river.get("path") and not river.get("edges"):
                self.report(base, f"river '{river.get('id')}' needs a `path` of hexes or `edges`")
        return cells

    def check_places(self) -> None:
        for index, place in _dicts(self.map.get("places")):
            self.hex_at(("map", "places", index, "hex"), place.get("hex"))

    def check_sides_and_briefing(self) -> None:
        briefing = self.data.get("briefing")
        aims = briefing.get("aims") if isinstance(briefing, dict) else None
        if isinstance(aims, dict):
            for side in aims:
                self.ref(("briefing", "aims", side), side, self.sides, "side")
            for side in self.sides:
                if side not in aims:
                    self.report(("briefing", "aims"), f"briefing.aims has no aim for side '{side}'")

    def check_units(self) -> None:
        sides_at: dict[tuple[int, int], str] = {}  # start hex -> the side first found there
        for index, unit in _dicts(self.data.get("units")):
            base = ("units", index)
            self.ref((*base, "side"), unit.get("side"), self.sides, "side")
            for weapon_index, entry in _dicts(unit.get("weapons")):
                self.ref(
                    (*base, "weapons", weapon_index, "weapon"),
                    entry.get("weapon"),
                    self.weapons,
                    "weapon",
                )
            if unit.get("parent") is not None:
                self.ref((*base, "parent"), unit.get("parent"), self.units, "unit")
            men, officers = unit.get("men"), unit.get("officers", 0)
            men = men if isinstance(men, int) and men >= 0 else None
            if men is not None and isinstance(officers, int) and officers > men:
                self.report((*base, "officers"), f"{officers} officers but only {men} men in all")
            wounded = unit.get("wounded_among", 0)
            if men is not None and isinstance(wounded, int) and wounded > men:
                self.report((*base, "wounded_among"), f"{wounded} wounded but only {men} men")
            if "at" in unit and unit["at"] is not None:
                cell = self.hex_at((*base, "at"), unit["at"])
                terrain = self.terrain_of(cell) if cell else None
                if cell and terrain is not None and terrain.get("passable") is False:
                    self.report(
                        (*base, "at"),
                        f"unit '{unit.get('id')}' stands on impassable terrain at"
                        f" [{cell[0]}, {cell[1]}]",
                    )
                side = unit.get("side")
                if cell and isinstance(side, str):
                    first = sides_at.setdefault(cell, side)
                    if first != side:  # the rules never let two sides share a hex
                        self.report(
                            (*base, "at"),
                            f"unit '{unit.get('id')}' of side '{side}' starts at"
                            f" [{cell[0]}, {cell[1]}], where side '{first}' stands;"
                            " a hex holds one side's units",
                        )
        arriving = {
            u
            for _, r in _dicts(self.data.get("reinforcements"))
            for _, u in _items(r.get("units"))
            if isinstance(u, str)
        }
        for index, unit in _dicts(self.data.get("units")):
            ident = unit.get("id")
            placed = unit.get("at") is not None
            if not isinstance(ident, str):
                continue  # the schema reports it
            if placed and ident in arriving:
                self.report(
                    ("units", index, "at"),
                    f"unit '{ident}' has a start hex and also arrives as a reinforcement;"
                    " remove one",
                )
            elif not placed and ident not in arriving:
                self.report(
                    ("units", index),
                    f"unit '{ident}' has no start hex (`at`) and no reinforcement brings it",
                )

    def check_obstacles(self) -> None:
        for index, obstacle in _dicts(self.data.get("obstacles")):
            kind = obstacle.get("kind")
            for hex_index, ref in _items(obstacle.get("hexes")):
                path = ("obstacles", index, "hexes", hex_index)
                cell = self.hex_at(path, ref)
                if cell and kind in ("minefield", "wire", "fortification", "blockhouse"):
                    if self.is_water(cell):
                        self.report(path, f"{kind} on water at [{cell[0]}, {cell[1]}]")
                    else:
                        terrain = self.terrain_of(cell)
                        if terrain is not None and terrain.get("passable") is False:
                            self.report(
                                path, f"{kind} on impassable terrain at [{cell[0]}, {cell[1]}]"
                            )

    def check_ammunition(self) -> None:
        for index, budget in _dicts(self.data.get("ammunition")):
            self.ref(("ammunition", index, "side"), budget.get("side"), self.sides, "side")
            for weapon_index, weapon in _items(budget.get("weapons")):
                self.ref(
                    ("ammunition", index, "weapons", weapon_index), weapon, self.weapons, "weapon"
                )

    def check_reinforcements(self) -> None:
        seen: dict[str, int] = {}
        for index, arrival in _dicts(self.data.get("reinforcements")):
            base = ("reinforcements", index)
            self.in_time((*base, "time"), arrival.get("time"), "reinforcement")
            self.check_window(base, arrival)
            cell = self.hex_at((*base, "at"), arrival.get("at"))
            terrain = self.terrain_of(cell) if cell else None
            if cell and terrain is not None and terrain.get("passable") is False:
                near = self.nearest_passable(cell)
                hint = f"; did you mean [{near[0]}, {near[1]}]?" if near else ""
                self.report(
                    (*base, "at"),
                    f"reinforcements enter on impassable terrain at [{cell[0]}, {cell[1]}]:"
                    f" expected a hex units can enter{hint}",
                )
            for unit_index, ident in _items(arrival.get("units")):
                if not self.ref((*base, "units", unit_index), ident, self.units, "unit"):
                    continue
                if ident in seen:
                    self.report(
                        (*base, "units", unit_index),
                        f"unit '{ident}' already arrives in reinforcements[{seen[ident]}]",
                    )
                seen[ident] = index

    def check_window(self, base: tuple[Any, ...], arrival: dict[str, Any]) -> None:
        """An arrival window runs from `time` to `latest`, inside the game."""
        latest = arrival.get("latest")
        if latest is None:
            if arrival.get("arrival") == "spread":
                self.report(
                    (*base, "arrival"),
                    "`arrival: spread` spreads units over a window: give its end as `latest`",
                )
            return
        self.in_time((*base, "latest"), latest, "reinforcement window's end")
        earliest, end = _time(arrival.get("time")), _time(latest)
        if earliest and end and end < earliest:
            self.report(
                (*base, "latest"),
                f"the window ends ({end:%Y-%m-%d %H:%M}) before it begins"
                f" ({earliest:%Y-%m-%d %H:%M}): `latest` must not come before `time`",
            )

    def nearest_passable(self, cell: tuple[int, int]) -> tuple[int, int] | None:
        """The passable, dry hex nearest `cell` (then the lowest row and column), for a hint."""
        if self.terrain_rows is None or self.width is None or self.height is None:
            return None
        origin = hexgrid.offset_to_axial(*cell)
        best: tuple[int, int, int] | None = None
        for row in range(min(self.height, len(self.terrain_rows))):
            for col in range(min(self.width, len(self.terrain_rows[row]))):
                terrain = self.terrain_of((col, row))
                if terrain is None or terrain.get("passable") is False:
                    continue
                if self.is_water((col, row)):
                    continue
                far = hexgrid.distance(origin, hexgrid.offset_to_axial(col, row))
                if best is None or (far, row, col) < best:
                    best = (far, row, col)
        return (best[2], best[1]) if best else None

    def check_air_strikes(self) -> None:
        for index, strike in _dicts(self.data.get("air_strikes")):
            base = ("air_strikes", index)
            self.ref((*base, "side"), strike.get("side"), self.sides, "side")
            self.ref((*base, "weapon"), strike.get("weapon"), self.weapons, "weapon")
            self.in_time((*base, "time"), strike.get("time"), "air strike")
            start, until = _time(strike.get("time")), _time(strike.get("on_call_until"))
            if start and until and until <= start:
                self.report((*base, "on_call_until"), "the air strike's window ends as it opens")
            if until and self.end and until > self.end:
                self.report(
                    (*base, "on_call_until"),
                    f"the air strike's window ends at {until:%Y-%m-%d %H:%M}, after the game's last"
                    f" turn, which ends at {self.end:%Y-%m-%d %H:%M}",
                )
            self.hex_at((*base, "target"), strike.get("target"))

    def check_plans(self) -> None:
        sides_with_plans: dict[str, int] = {}
        for index, plan in _dicts(self.data.get("plans")):
            base = ("plans", index)
            side = plan.get("side")
            if not self.ref((*base, "side"), side, self.sides, "side"):
                continue
            if side in sides_with_plans:
                self.report((*base, "side"), f"side '{side}' already has a plan (plans[{index}])")
            sides_with_plans[side] = index
            if plan.get("rear") is not None:
                self.hex_at((*base, "rear"), plan.get("rear"))
            phase_ids: set[str] = set()
            all_ids = {
                p.get("id") for _, p in _dicts(plan.get("phases")) if isinstance(p.get("id"), str)
            }
            waits_for: dict[str, tuple[tuple[Any, ...], list[str]]] = {}
            for phase_index, phase in _dicts(plan.get("phases")):
                where = (*base, "phases", phase_index)
                ident = phase.get("id")
                if isinstance(ident, str):
                    if ident in phase_ids:
                        self.report((*where, "id"), f"duplicate phase id '{ident}'")
                    phase_ids.add(ident)
                if phase.get("start") is None and phase.get("start_when") is None:
                    self.report(
                        where, "a phase needs a `start` time, a `start_when` trigger, or both"
                    )
                self.in_time((*where, "start"), phase.get("start"), "phase start")
                start, end = _time(phase.get("start")), _time(phase.get("end"))
                if start and end and end <= start:
                    self.report((*where, "end"), "phase ends before it starts")
                if end and self.end and end > self.end:
                    self.report(
                        (*where, "end"),
                        f"phase ends at {end:%Y-%m-%d %H:%M}, after the game's last turn, which"
                        f" ends at {self.end:%Y-%m-%d %H:%M}; leave `end` out to run to the end",
                    )
                for key in ("start_when", "end_when"):
                    if phase.get(key) is not None:
                        after = self.check_trigger((*where, key), phase.get(key), side, all_ids)
                        if key == "start_when" and isinstance(ident, str):
                            waits_for[ident] = ((*where, key), after)
                units = phase.get("units")
                if isinstance(units, list):
                    for unit_index, ident in enumerate(units):
                        path = (*where, "units", unit_index)
                        if not self.ref(path, ident, self.units, "unit"):
                            continue
                        owner = self.units[ident].get("side")
                        if owner != side:
                            self.report(
                                path,
                                f"unit '{ident}' belongs to side '{owner}', not to '{side}' whose"
                                " plan this is",
                            )
                for field in ("objective", "fall_back_to"):
                    if phase.get(field) is not None:
                        self.hex_at((*where, field), phase.get(field))
            self.report_trigger_cycle(waits_for)

    def check_trigger(
        self, path: tuple[Any, ...], trigger: Any, side: str, phase_ids: AbstractSet[str]
    ) -> list[str]:
        """Report what is wrong in one trigger (and those inside it); the ids of the phases it
        waits for (`after`), to find cycles."""
        if not isinstance(trigger, dict):
            return []
        kinds = [k for k in TRIGGER_KINDS if trigger.get(k) is not None]
        if len(kinds) != 1:
            found = f"it has {one_of(kinds)}" if kinds else "it has none"
            self.report(path, f"a trigger needs exactly one of {one_of(TRIGGER_KINDS)}; {found}")
        waits: list[str] = []
        for kind in kinds:
            value = trigger[kind]
            here = (*path, kind)
            if kind in ("taken", "lost"):
                self.ref(here, value, self.places, "place")
            elif kind == "arrived":
                self.ref(here, value, self.units, "unit")
            elif kind == "routed":
                if value != "enemy" and self.ref(here, value, [*self.units, "enemy"], "unit"):
                    owner = self.units[value].get("side")
                    if owner == side:
                        self.report(
                            here,
                            f"unit '{value}' is of side '{side}', whose plan this is: `routed`"
                            ' names a unit of the other side (or "enemy")',
                        )
            elif kind == "strength_below" and isinstance(value, dict):
                if value.get("side") is not None:
                    self.ref((*here, "side"), value.get("side"), self.sides, "side")
                for index, unit in _items(value.get("units")):
                    self.ref((*here, "units", index), unit, self.units, "unit")
            elif kind == "after" and isinstance(value, dict):
                if self.ref((*here, "phase"), value.get("phase"), phase_ids, "phase"):
                    waits.append(value["phase"])
            elif kind in ("any", "all"):
                for index, inner in _items(value):
                    waits += self.check_trigger((*here, index), inner, side, phase_ids)
        return waits

    def report_trigger_cycle(self, waits_for: dict[str, tuple[tuple[Any, ...], list[str]]]) -> None:
        """A phase that can begin only after itself (through `after` triggers) never begins:
        report the first such cycle, at the trigger of its first phase."""
        done: set[str] = set()
        for first in waits_for:
            if first in done:
                continue
            chain = [first]
            stack = [(first, iter(waits_for[first][1]))]
            on_path = {first}
            while stack:
                node, nexts = stack[-1]
                nxt = next(nexts, None)
                if nxt is None:
                    stack.pop()
                    on_path.discard(node)
                    chain.pop()
                    done.add(node)
                    continue
                if nxt in on_path:
                    loop = [*chain[chain.index(nxt) :], nxt]
                    self.report(
                        waits_for[nxt][0],
                        "trigger cycle: "
                        + " -> ".join(f"'{p}'" for p in loop)
                        + " each begin only after the next, so none ever begins",
                    )
                    return
                if nxt in waits_for and nxt not in done:
                    chain.append(nxt)
                    on_path.add(nxt)
                    stack.append((nxt, iter(waits_for[nxt][1])))

    def check_victory(self) -> None:
        for index, condition in _dicts(self.data.get("victory")):
            base = ("victory", index)
            self.ref((*base, "side"), condition.get("side"), self.sides, "side")
            kind = condition.get("kind")
            if kind in ("hold", "capture", "exit") and condition.get("place") is None:
                self.report(base, f"a '{kind}' condition needs a `place`")
            elif condition.get("place") is not None:
                cell = self.hex_at((*base, "place"), condition.get("place"))
                if kind == "exit" and cell is not None and not self.on_edge(cell):
                    self.report(
                        (*base, "place"),
                        f"an 'exit' place must be on the map's edge, where units leave the map;"
                        f" [{cell[0]}, {cell[1]}] is not",
                    )
                elif kind == "exit" and cell is not None and self.closed_edges():
                    borders = self.borders_of(cell)
                    if borders and all(b in self.closed_edges() for b in borders):
                        self.report(
                            (*base, "place"),
                            f"an 'exit' place must be on an open edge of the map; [{cell[0]},"
                            f" {cell[1]}] is on the closed {' and '.join(borders)} edge"
                            " (map.closed_edges), where nobody leaves the map",
                        )
            for unit_index, ident in _items(condition.get("units")):
                self.ref((*base, "units", unit_index), ident, self.units, "unit")
            if kind == "destroy" and condition.get("fraction") is None:
                self.report(base, "a 'destroy' condition needs a `fraction` of the enemy's men")
            if kind == "exit" and condition.get("men") is None:
                self.report(base, "an 'exit' condition needs the number of `men` who must leave")
            if condition.get("by") is not None:
                self.in_time((*base, "by"), condition.get("by"), "deadline")

    def check_history(self) -> None:
        self._ids(self.data.get("history"), ("history",), "history entry")
        for index, entry in _dicts(self.data.get("history")):
            base = ("history", index)
            try:
                metric = Metric(entry.get("metric"))
            except ValueError:
                continue  # the schema reports an unknown metric, with "did you mean"
            if entry.get("side") is not None:
                self.ref((*base, "side"), entry.get("side"), self.sides, "side")
            for unit_index, ident in _items(entry.get("units")):
                self.ref((*base, "units", unit_index), ident, self.units, "unit")
            place = entry.get("place")
            if metric in PLACE_METRICS:
                if place is None:
                    self.report(base, f"metric '{metric}' needs a `place` to measure")
                else:
                    self.ref((*base, "place"), place, self.places, "place")
            elif metric in RIVER_METRICS:
                if place is None:
                    self.report(base, f"metric '{metric}' needs the river as `place`")
                else:
                    self.ref((*base, "place"), place, self.rivers, "river")
            elif metric in OPTIONAL_PLACE_METRICS:
                if place is not None:
                    self.ref((*base, "place"), place, self.places, "place")
            elif place is not None:
                self.report(
                    (*base, "place"),
                    f"metric '{metric}' does not measure a place; remove `place`",
                )
            if metric not in (Metric.winner,) and entry.get("side") is None:
                self.report(base, f"metric '{metric}' needs the `side` it measures")
            if metric == Metric.winner:
                value = entry.get("value")
                if value != "draw":
                    self.ref((*base, "value"), value, [*self.sides, "draw"], "side")
            given = [k for k in ("value", "range", "time_range") if entry.get(k) is not None]
            if len(given) != 1:
                self.report(
                    base,
                    "a history entry needs exactly one of `value`, `range` or `time_range`"
                    f" (has {', '.join(given) or 'none'})",
                )
            expects_time = metric in (Metric.place_fell_at, Metric.crossed_by)
            if given and expects_time and given[0] == "range":
                self.report(
                    (*base, "range"), f"metric '{metric}' is a time; give `time_range` or `value`"
                )
            if given and not expects_time and given[0] == "time_range":
                self.report(
                    (*base, "time_range"), f"metric '{metric}' is not a time; give `value`/`range`"
                )
            for bound in ("since", "at"):
                moment = _time(entry.get(bound))
                if moment and self.end and self.start and not self.start <= moment <= self.end:
                    self.in_time((*base, bound), entry.get(bound), "measurement")
            since, until = _time(entry.get("since")), _time(entry.get("at"))
            if since and until and until <= since:
                self.report((*base, "at"), "`at` must come after `since`")
            for bound in ("since", "at"):
                self.warn_inside_turn((*base, bound), _time(entry.get(bound)), entry.get("id"))

    def warn_inside_turn(self, path: tuple[Any, ...], moment: datetime | None, ident: Any) -> None:
        """The game keeps its tallies at turn boundaries, and measures a metric at the boundary at
        or before the time given: a time inside a turn is read earlier than it says."""
        clock = self.data.get("clock")
        minutes = clock.get("turn_minutes") if isinstance(clock, dict) else None
        if moment is None or self.start is None or self.end is None or not isinstance(minutes, int):
            return
        if not self.start <= moment <= self.end:
            return  # reported as outside the game
        turn, offset = divmod(moment - self.start, timedelta(minutes=minutes))
        if not offset:
            return
        begins = self.start + turn * timedelta(minutes=minutes)
        ends = begins + timedelta(minutes=minutes)
        mark = self.source.locate(path)
        self.warnings.append(
            Problem(
                self.source.file,
                mark.line,
                mark.column,
                f"warning: history entry '{ident}' is measured at {moment:%Y-%m-%d %H:%M}, inside"
                f" turn {turn + 1} ({begins:%H:%M} to {ends:%H:%M}); the game keeps its tallies"
                f" at turn boundaries and reads this one at {begins:%Y-%m-%d %H:%M}: give a time"
                " on a turn boundary",
            )
        )

    def check_rules(self) -> None:
        rules = self.data.get("rules")
        if isinstance(rules, dict):
            self.check_coefficients(("rules",), rules)
        per_side = self.data.get("side_rules")
        if not isinstance(per_side, dict):
            return
        for side, values in per_side.items():
            if side not in self.sides:
                hint = did_you_mean(str(side), self.sides)
                self.report(
                    ("side_rules", side),
                    f"unknown side '{side}'{hint or '; known sides: ' + one_of(self.sides)}",
                    key=True,
                )
            elif isinstance(values, dict):
                self.check_coefficients(("side_rules", side), values)

    def check_coefficients(self, path: tuple[Any, ...], rules: dict[str, Any]) -> None:
        """Names and values of coefficient overrides (`rules`, or one side's `side_rules`)."""
        if self.coefficient_names is None:
            return
        judge = getattr(self.coefficient_names, "problem", None)  # see load_scenario
        for name, value in rules.items():
            if name not in self.coefficient_names:
                hint = did_you_mean(str(name), self.coefficient_names)
                self.report(
                    (*path, name),
                    f"unknown rule coefficient '{name}'{hint or ' (see docs/rules.md)'}",
                    key=True,
                )
            elif judge and (number := _number(value)) is not None:
                problem = judge(name, number)
                if problem:
                    self.report((*path, name), f"rule coefficient '{name}': {problem}")


def check(
    data: dict[str, Any], source: SourceMap, *, coefficient_names: AbstractSet[str] | None = None
) -> list[Problem]:
    """Every cross-reference and map problem in a loaded file."""
    return _Checker(data, source, coefficient_names).run()


def check_with_warnings(
    data: dict[str, Any], source: SourceMap, *, coefficient_names: AbstractSet[str] | None = None
) -> tuple[list[Problem], list[Problem]]:
    """The problems, and the warnings: what plays, but not as the file seems to say."""
    checker = _Checker(data, source, coefficient_names)
    return checker.run(), sorted(checker.warnings)
