"""`wargame list`: every scenario in a folder with its dates, scale, size and one-line summary.

    wargame list                     # ./scenarios (when there is one) and the shipped scenarios
    wargame list my_battles/ x.yaml  # other folders, or single files

Each scenario is loaded and checked exactly as `wargame validate` does; a file that does not load
is still listed, with its first located problem (file:line:col: message) and how many more there
are, so one broken file never hides the others. Only the `*.yaml` files directly in a folder are
scenarios: subfolders such as scenarios/variants/ hold what-if overlays, which are not.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from . import hexgrid, resources
from .exit_codes import EXIT_INPUT, EXIT_OK
from .scenario import ScenarioError, load_scenario
from .scenario.models import Name, Scenario

ROW_FACTOR = hexgrid.ROW_SPACING  # pointy-topped rows are sqrt(3)/2 of the hex spacing apart


@dataclass(frozen=True)
class SideSize:
    name: str
    units: int
    men: int
    arriving: int  # men of those units that come on later as reinforcements


@dataclass(frozen=True)
class Entry:
    """One line-up of a scenario file: what `list` shows of it."""

    path: Path
    scenario_id: str | None = None
    title: str = ""
    start: datetime | None = None
    end: datetime | None = None
    turns: int = 0
    turn_minutes: int = 0
    scale: str = ""
    map_hexes: tuple[int, int] = (0, 0)
    hex_size_m: float = 0.0
    sides: tuple[SideSize, ...] = ()
    summary: str = ""
    problem: str | None = None  # the first located problem of a file that does not load
    more_problems: int = 0
    metrics: int = 0

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class Listing:
    entries: list[Entry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # arguments that are neither file nor folder

    @property
    def broken(self) -> int:
        return sum(1 for e in self.entries if not e.ok)


def default_folders() -> list[Path]:
    """What `list` shows when given nothing: scenarios/ in the current folder when there is one,
    and the shipped scenarios (the repository's, or the installed package's copy), each once."""
    return resources.scenario_folders()


def default_folder() -> Path:
    """The first of default_folders(): ./scenarios, else the shipped ones (or ./scenarios, to be
    reported missing, when this installation has none)."""
    folders = default_folders()
    return folders[0] if folders else Path.cwd() / "scenarios"


def scenario_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """The scenario files named by `paths` (folders give their *.yaml files, sorted), and the
    arguments that name nothing."""
    files: list[Path] = []
    missing: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.yaml") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(str(raw))
    return files, missing


def _name(name: Name) -> str:
    return f"{name.en} ({name.zh})" if name.zh else name.en


def entry_for(scenario: Scenario, path: Path) -> Entry:
    clock, grid = scenario.clock, scenario.map
    arriving = {u for r in scenario.reinforcements for u in r.units}
    sides = []
    for side in scenario.sides:
        units = [u for u in scenario.units if u.side == side.id]
        sides.append(
            SideSize(
                name=_name(side.name),
                units=len(units),
                men=sum(u.men for u in units),
                arriving=sum(u.men for u in units if u.id in arriving),
            )
        )
    return Entry(
        path=path,
        scenario_id=scenario.id,
        title=_name(scenario.title),
        start=clock.start,
        end=clock.start + timedelta(minutes=clock.turn_minutes * clock.turns),
        turns=clock.turns,
        turn_minutes=clock.turn_minutes,
        scale=scenario.scale,
        map_hexes=(grid.width, grid.height),
        hex_size_m=grid.hex_size_m,
        sides=tuple(sides),
        summary=" ".join(scenario.briefing.summary.split()),
        metrics=len(scenario.history),
    )


def describe(path: Path, coefficient_names: Iterable[str] | None = None) -> Entry:
    """Load and check one file; a file that does not load gives an entry with its problem."""
    try:
        loaded = load_scenario(path, coefficient_names=coefficient_names)
    except ScenarioError as error:
        problems = error.problems
        first = str(problems[0]) if problems else f"{path}: cannot be loaded"
        return Entry(path=path, problem=first, more_problems=max(len(problems) - 1, 0))
    except (OSError, UnicodeDecodeError) as error:  # unreadable: say so and go on
        return Entry(path=path, problem=f"{path}: cannot be read: {error}")
    return entry_for(loaded.scenario, path)


def collect(paths: Sequence[str | Path], coefficient_names: Iterable[str] | None = None) -> Listing:
    files, missing = scenario_files(paths or default_folders() or [Path.cwd() / "scenarios"])
    names = list(coefficient_names) if coefficient_names is not None else None
    return Listing([describe(f, names) for f in files], missing)


def _dates(start: datetime, end: datetime) -> str:
    """'21 May 05:00 – 22 May 1945 06:00' (the year once when both ends share it)."""
    first = f"{start.day} {start:%b}" + (f" {start.year}" if start.year != end.year else "")
    return f"{first} {start:%H:%M} – {end.day} {end:%b %Y %H:%M}"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g} h" if minutes % 60 == 0 or minutes > 60 else f"{minutes} min"


def _size_m(metres: float) -> str:
    return f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"


def _shown(path: Path) -> str:
    """The path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def format_entry(entry: Entry, columns: int = 100) -> str:
    """The block `list` prints for one file."""
    if not entry.ok:
        more = f" (and {entry.more_problems} more)" if entry.more_problems else ""
        return f"{_shown(entry.path)}: NOT LOADED\n  {entry.problem}{more}"
    assert entry.start is not None and entry.end is not None
    width, height = entry.map_hexes
    km_w = width * entry.hex_size_m / 1000
    km_h = height * entry.hex_size_m * ROW_FACTOR / 1000
    metric_word = "metric" if entry.metrics == 1 else "metrics"
    lines = [
        f"{_shown(entry.path)}: {entry.title}",
        f"  {_dates(entry.start, entry.end)}, {entry.turns} turns of {_hours(entry.turn_minutes)}"
        f" · {entry.scale}",
        f"  map {width} x {height} hexes of {_size_m(entry.hex_size_m)}"
        f" (about {km_w:.1f} x {km_h:.1f} km) · {entry.metrics} historical {metric_word}",
    ]
    for side in entry.sides:
        later = f" ({side.arriving:,} arriving later)" if side.arriving else ""
        unit_word = "unit" if side.units == 1 else "units"
        lines.append(f"  {side.name}: {side.units} {unit_word}, {side.men:,} men{later}")
    lines.extend(textwrap.wrap(entry.summary, columns, initial_indent="  ", subsequent_indent="  "))
    return "\n".join(lines)


def print_listing(listing: Listing, out: TextIO, err: TextIO) -> int:
    for name in listing.missing:
        print(f"{name}: no such file or folder", file=err)
    blocks = [format_entry(e) for e in listing.entries]
    if blocks:
        print("\n\n".join(blocks), file=out)
    count = len(listing.entries)
    broken = listing.broken
    tail = f"{count} scenario{'s' if count != 1 else ''}"
    if broken:
        tail += f", {broken} not loaded"
    print(("\n" if blocks else "") + tail, file=out)
    return EXIT_INPUT if broken or listing.missing else EXIT_OK


def run_list(
    paths: Sequence[str | Path], out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """The `list` subcommand: exit 0 when every file loads, 1 when any does not (or a path is
    missing); the listing is printed either way."""
    from .rules.coefficients import coefficient_names

    listing = collect(paths, coefficient_names())
    return print_listing(listing, out or sys.stdout, err or sys.stderr)


def add_list_command(commands) -> None:
    """Register `wargame list` on the CLI's subcommands (called from engine/cli/listing.py)."""
    listing = commands.add_parser(
        "list",
        help="list the scenarios with their dates, scale, size and summary",
        description="List every scenario (*.yaml) in ./scenarios and the shipped ones, or in"
        " the folders and files given, with its dates, scale, size and one-line summary. A file"
        " that does not load is listed with its first problem; the exit code is then 1.",
    )
    listing.add_argument("paths", nargs="*", metavar="FOLDER|SCENARIO.yaml")
    listing.set_defaults(handler=lambda args: run_list(args.paths))
