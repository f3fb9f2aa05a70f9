"""The scenario format as typed, immutable models.

These models are the single definition of the YAML format: the loader validates against them, the
JSON Schema that editors use is generated from them, and the rest of the engine reads a validated
`Scenario` instead of raw dictionaries. Everything specific to one battle is expressed here as data;
the models themselves know no battle.

Conventions kept throughout, so that a hand-written file reads the same everywhere:
- Hexes in a file are offset coordinates `[col, row]` of the text map (odd-r: pointy-topped hexes,
  odd rows shoved half a hex right), counted from 0 at the top-left. A place id may stand wherever a
  hex is expected.
- Times are local wall-clock times, `YYYY-MM-DDTHH:MM`.
- Rates are per hour and distances in metres, so that the same rules serve any hex size and turn.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

FORMAT_VERSION = 1
# Elevation grid characters: level 0-9, then a-z for 10-35.
LEVEL_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(description="Lower-case id: letters, digits and underscores, starting with a letter."),
]
OffsetHex = Annotated[
    tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]],
    Field(description="A hex as [col, row] on the text map (odd-r offset, 0-based)."),
]
HexRef = Annotated[
    OffsetHex | Identifier,
    Field(description="A hex as [col, row], or the id of a named place."),
]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
# A real boolean only: pydantic would take "yes", "on" or 1 as true, which YAML 1.2 and the editor's
# schema read as text or a number; `water: yes` is an error everywhere alike.
Flag = Annotated[bool, Field(strict=True)]


def _no_number(expected: str):
    """Pydantic reads a number as seconds (since 1970, UTC, for a date): in a scenario a number
    where a time belongs is a slip, never a time."""

    def check(value: object) -> object:
        if isinstance(value, int | float):  # bool too
            raise ValueError(expected)
        return value

    return check


# What a time looks like as text, in the loader and (as patterns) in the editor's JSON Schema alike:
# month 01-12, day 01-31, hour 00-23, minute and second 00-59.
MOMENT_PATTERN = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d"
    r"(:[0-5]\d(\.\d+)?)?$"
)
TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"


def _moment_text(value: object) -> object:
    """A time as the format writes it, or an error saying what is expected: not a number (pydantic
    would read seconds since 1970), not a date alone (pydantic would take midnight, which the
    editor's schema refuses), a time zone refused by `_local` with its own message."""
    expected = "expected a date and time like 1945-05-21T05:00"
    if isinstance(value, int | float):  # bool too
        raise ValueError(expected)
    if isinstance(value, date) and not isinstance(value, datetime):
        raise ValueError(f"{expected} (a date alone lacks the time of day)")
    if isinstance(value, str) and not re.match(MOMENT_PATTERN, value):
        zone = re.match(MOMENT_PATTERN.rstrip("$") + r"(Z|[+-]\d{2}:?\d{2})$", value)
        if zone is None:
            raise ValueError(expected)
    return value


def _local(value: datetime | time) -> datetime | time:
    """Every time in a scenario is the battle's local time, compared with every other."""
    if value.tzinfo is not None:
        raise ValueError("expected the battle's local time without a time zone")
    return value


Moment = Annotated[
    datetime,
    BeforeValidator(_moment_text),
    AfterValidator(_local),
    Field(description="Local date and time of the battle, like 1945-05-21T05:00 (no time zone)."),
]
TimeOfDay = Annotated[
    time,
    BeforeValidator(_no_number('expected a time of day like "19:30"')),
    AfterValidator(_local),
    Field(description='Local time of day, like "19:30" (no time zone).'),
]
Citation = Annotated[
    str,
    Field(
        max_length=500,
        description="Where a figure comes from, e.g. 'seed ¶12', or 'assumption: <reasoning>'.",
    ),
]


class Strict(BaseModel):
    """Base for every model: unknown keys are errors (with "did you mean"), values are frozen."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, allow_inf_nan=False
    )


class Name(Strict):
    """A display name in English and, for Chinese places and units, in Chinese beside it."""

    en: str = Field(min_length=1, max_length=200)
    zh: str | None = Field(default=None, max_length=200)
    ja: str | None = Field(default=None, max_length=200, description="Japanese name, if useful.")


class Source(Strict):
    id: Identifier
    title: str = Field(max_length=500)
    path: str | None = Field(default=None, max_length=500, description="Path in the repository.")
    note: str | None = Field(default=None, max_length=2000)


class Briefing(Strict):
    """What a player reads before the battle; plain text, shown in the window and by `list`."""

    summary: str = Field(max_length=300, description="One line for scenario lists.")
    situation: str = Field(max_length=10_000)
    aims: dict[Identifier, str] = Field(description="Each side's aim, keyed by side id.")
    historical_note: str = Field(max_length=10_000)


# --------------------------------------------------------------------------------------------- map


class TerrainType(Strict):
    """How a kind of ground affects movement, fire and sight. Multipliers are relative to open
    ground (1.0), so the rules' base rates stay terrain-free."""

    name: Name
    color: str = Field(default="#9c9c6a", pattern=r"^#[0-9a-fA-F]{6}$")
    passable: Flag = True
    water: Flag = Field(default=False, description="Rivers and lakes: crossing rules apply.")
    speed_factor: float = Field(
        default=1.0, gt=0.0, le=2.0, description="Foot speed on this ground / speed on open ground."
    )
    cover: float = Field(
        default=1.0,
        gt=0.0,
        le=2.0,
        description="Multiplier on casualties suffered by men in this hex (lower is better cover).",
    )
    concealment: Fraction = Field(
        default=0.0, description="Chance-like reduction of being seen at range."
    )
    sight_block_m: float = Field(
        default=0.0, ge=0.0, le=100.0, description="Height added to ground for line of sight."
    )


class Layout(StrEnum):
    odd_r = "odd-r"


class ElevationGrid(Strict):
    """Elevation as a text grid of level characters, so it can be edited beside the terrain grid.

    Each character 0-9 then a-z stands for a level 0-35; elevation = base_m + level * step_m.
    """

    base_m: float = Field(ge=-500.0, le=9000.0)
    step_m: float = Field(gt=0.0, le=1000.0)
    grid: str = Field(max_length=1_000_000)


class RiverCrossing(Strict):
    """How hard a river is to cross where there is no bridge."""

    fordable: Flag = Field(
        default=False, description="Waded on foot; otherwise boats or swimming are needed."
    )
    width_m: float = Field(gt=0.0, le=5000.0)
    current: Literal["slow", "moderate", "fast"] = "moderate"


class River(Strict):
    """A named river. River hexes are the hex lines through `path`'s waypoints; small streams can
    instead run along hex edges, given as [col, row, direction] with direction one of
    E, NE, NW, W, SW, SE (pointy-topped hexes)."""

    id: Identifier
    name: Name
    path: list[HexRef] = Field(default_factory=list, max_length=1000)
    edges: list[tuple[int, int, Literal["E", "NE", "NW", "W", "SW", "SE"]]] = Field(
        default_factory=list, max_length=10_000
    )
    crossing: RiverCrossing
    bridges: list[HexRef] = Field(default_factory=list, max_length=1000)
    source: Citation | None = None


class Place(Strict):
    id: Identifier
    name: Name
    hex: OffsetHex
    elevation_m: float | None = Field(
        default=None, description="Known height, e.g. a summit; for display and notes."
    )
    note: str | None = Field(default=None, max_length=2000)
    source: Citation | None = None


class MapSpec(Strict):
    """The map: a text grid of terrain characters, one line per hex row, with a legend."""

    hex_size_m: float = Field(gt=0.0, le=50_000.0, description="Centre-to-centre distance, metres.")
    orientation: Literal["pointy"] = "pointy"
    layout: Layout = Layout.odd_r
    width: int = Field(ge=1, le=400, description="Hexes per row.")
    height: int = Field(ge=1, le=400, description="Rows.")
    legend: dict[Annotated[str, StringConstraints(min_length=1, max_length=1)], Identifier] = Field(
        description="Terrain grid character -> terrain type id."
    )
    terrain: str = Field(max_length=1_000_000, description="`height` lines of `width` characters.")
    elevation: ElevationGrid | None = None
    rivers: list[River] = Field(default_factory=list, max_length=100)
    places: list[Place] = Field(default_factory=list, max_length=1000)


# ----------------------------------------------------------------------------------- clock, sides


class Darkness(Strict):
    """Hours of darkness each day, local time: night from `starts` to `ends` the next morning."""

    starts: TimeOfDay
    ends: TimeOfDay


class Clock(Strict):
    start: Moment
    turn_minutes: int = Field(ge=5, le=24 * 60)
    turns: int = Field(ge=1, le=10_000)
    darkness: Darkness
    source: Citation | None = None


class Side(Strict):
    id: Identifier
    name: Name
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    note: str | None = Field(default=None, max_length=2000)


# -------------------------------------------------------------------------------- weapons, units


class WeaponClass(StrEnum):
    """What a weapon is, for the rules: each class has its own documented coefficients."""

    small_arms = "small_arms"
    machine_gun = "machine_gun"
    grenade = "grenade"
    grenade_discharger = "grenade_discharger"
    mortar = "mortar"
    infantry_gun = "infantry_gun"
    mountain_gun = "mountain_gun"
    field_gun = "field_gun"
    howitzer = "howitzer"
    aircraft_guns = "aircraft_guns"
    aircraft_bombs = "aircraft_bombs"


class Weapon(Strict):
    """A weapon type. Lethality and effect on works come from the rules, per class; a scenario
    only says what the weapon is, how far it reaches and how fast it uses ammunition."""

    name: Name
    kind: WeaponClass
    range_m: float = Field(gt=0.0, le=50_000.0, description="Effective range.")
    min_range_m: float = Field(default=0.0, ge=0.0, le=50_000.0)
    indirect: Flag = Field(default=False, description="Fires over obstacles at unseen targets.")
    rounds_per_hour: float = Field(
        ge=0.0, le=10_000.0, description="Sustained rounds per weapon per hour of firing."
    )
    crew: int = Field(default=1, ge=1, le=100)
    source: Citation | None = None


class UnitType(StrEnum):
    infantry = "infantry"
    machine_gun = "machine_gun"
    artillery = "artillery"
    mortar = "mortar"
    engineers = "engineers"
    headquarters = "headquarters"


class Posture(StrEnum):
    """Dupuy's defensive postures, plus the moving/attacking states."""

    attack = "attack"
    hasty = "hasty"
    prepared = "prepared"
    fortified = "fortified"
    withdrawal = "withdrawal"


class UnitWeapon(Strict):
    weapon: Identifier
    count: int = Field(ge=0, le=100_000)
    ammo: int | None = Field(
        default=None, ge=0, le=10_000_000, description="Rounds carried; none means unlimited."
    )
    source: Citation | None = None


class Leader(Strict):
    name: Name
    rank: str | None = Field(default=None, max_length=100)
    quality: Fraction = Field(default=0.5, description="0 poor .. 1 exceptional.")
    source: Citation | None = None


class Unit(Strict):
    id: Identifier
    name: Name
    side: Identifier
    type: UnitType
    men: int = Field(ge=0, le=1_000_000, description="All ranks, officers included.")
    officers: int = Field(default=0, ge=0, le=100_000)
    wounded_among: int = Field(
        default=0, ge=0, le=1_000_000, description="Walking wounded already in `men`."
    )
    weapons: list[UnitWeapon] = Field(default_factory=list, max_length=50)
    at: HexRef | None = Field(
        default=None, description="Start hex; leave out for a unit that arrives as reinforcement."
    )
    quality: Fraction = Field(default=0.5, description="Training and experience, 0 .. 1.")
    morale: Fraction = Field(default=0.7, description="Will to fight at the start, 0 .. 1.")
    posture: Posture = Posture.hasty
    leader: Leader | None = None
    parent: Identifier | None = Field(default=None, description="Id of the higher unit, if any.")
    source: Citation | None = None
    note: str | None = Field(default=None, max_length=2000)


# ---------------------------------------------------------------------------------- obstacles


class Minefield(Strict):
    kind: Literal["minefield"]
    hexes: list[HexRef] = Field(min_length=1, max_length=10_000)
    depth_m: float = Field(gt=0.0, le=2000.0)
    density_per_m: float = Field(
        gt=0.0, le=20.0, description="Mines per metre of front (Dupuy counts mines per km)."
    )
    source: Citation | None = None


class Wire(Strict):
    kind: Literal["wire"]
    hexes: list[HexRef] = Field(min_length=1, max_length=10_000)
    lines: int = Field(ge=1, le=10, description="Belts of wire one behind another.")
    source: Citation | None = None


class Fortification(Strict):
    """Trenches and dug-in works: protection that bombardment wears down."""

    kind: Literal["fortification"]
    hexes: list[HexRef] = Field(min_length=1, max_length=10_000)
    level: Literal["hasty", "prepared", "fortified"]
    strength: float = Field(gt=0.0, le=10_000.0, description="Work points before destroyed.")
    source: Citation | None = None


class Blockhouse(Strict):
    """A strong point (碉堡): the best protection on a hex, until its strength is gone."""

    kind: Literal["blockhouse"]
    hexes: list[HexRef] = Field(min_length=1, max_length=10_000)
    count: int = Field(default=1, ge=1, le=100, description="Blockhouses per hex.")
    strength: float = Field(gt=0.0, le=10_000.0, description="Work points per blockhouse.")
    source: Citation | None = None


Obstacle = Annotated[Minefield | Wire | Fortification | Blockhouse, Field(discriminator="kind")]


# ------------------------------------------------------------------- ammunition, arrivals, air


class AmmunitionBudget(Strict):
    """A side's whole stock of rounds for some weapons, shared by every unit that fires them."""

    side: Identifier
    weapons: list[Identifier] = Field(min_length=1, max_length=50)
    rounds: int = Field(ge=0, le=100_000_000)
    source: Citation | None = None


class Reinforcement(Strict):
    time: Moment
    at: HexRef
    units: list[Identifier] = Field(min_length=1, max_length=1000)
    source: Citation | None = None


class AirStrike(Strict):
    side: Identifier
    time: Moment
    target: HexRef
    radius_hexes: int = Field(default=1, ge=0, le=50)
    sorties: int = Field(ge=1, le=10_000)
    weapon: Identifier
    aircraft: Name | None = None
    source: Citation | None = None


# --------------------------------------------------------------------------------------- plans


class Task(StrEnum):
    """What a phase asks of its units; the computer player turns it into orders."""

    move = "move"
    attack = "attack"
    assault = "assault"
    bombard = "bombard"
    hold = "hold"
    counterattack = "counterattack"
    fall_back = "fall_back"
    withdraw = "withdraw"
    pursue = "pursue"
    break_out = "break_out"


class PlanPhase(Strict):
    id: Identifier
    name: str = Field(max_length=200, description="What it means, e.g. 'cross at dawn'.")
    start: Moment
    end: Moment | None = None
    units: list[Identifier] | Literal["all"] = "all"
    task: Task
    objective: HexRef | None = None
    fall_back_to: HexRef | None = Field(
        default=None, description="Where to go if the task fails (hold / fall_back)."
    )
    axes: int = Field(default=1, ge=1, le=6, description="Directions an assault comes from.")
    only_when: Literal["any", "day", "night"] = "any"
    rounds: int | None = Field(
        default=None,
        ge=0,
        le=10_000_000,
        description="Bombard: rounds allotted to this phase from the side's budget (a fire plan);"
        " phases without an allotment share what is left evenly.",
    )
    source: Citation | None = None


class Plan(Strict):
    side: Identifier
    mode: Literal["plan", "adaptive"] = "plan"
    rear: HexRef | None = Field(
        default=None,
        description="Where this side's routed units run, and leave the map if it is on the edge.",
    )
    phases: list[PlanPhase] = Field(default_factory=list, max_length=200)


# ------------------------------------------------------------------------------------- victory


class VictoryCondition(Strict):
    """One way for a side to win. `hold`: the side controls `place` at the end; `capture`: it
    controls `place` at `by` (default: the end); `destroy`: the enemy (or the listed `units`) has
    lost `fraction` of its men; `exit`: at least `men` of its men (or of the listed `units`) have
    left the map at `place`. A side wins when one of its conditions is met and none of the other
    side's is; otherwise the game is a draw."""

    side: Identifier
    kind: Literal["hold", "capture", "destroy", "exit"]
    place: HexRef | None = None
    by: Moment | None = None
    fraction: Fraction | None = None
    men: int | None = Field(default=None, ge=1)
    units: list[Identifier] | None = Field(
        default=None,
        description="For destroy and exit: only these units count (default: the whole side).",
    )
    note: str | None = Field(default=None, max_length=2000)


# ------------------------------------------------------------------------------------- history


class Range(Strict):
    min: float
    max: float


class TimeRange(Strict):
    earliest: Moment
    latest: Moment


class Metric(StrEnum):
    """What the engine can measure in a finished game, to set beside the historical record."""

    position_held = "position_held"
    men_lost = "men_lost"
    killed = "killed"
    wounded = "wounded"
    captured = "captured"
    drowned = "drowned"
    lost_in_water = "lost_in_water"
    escaped = "escaped"
    got_back_across = "got_back_across"
    men_remaining = "men_remaining"
    officers_killed = "officers_killed"
    assaults_repelled = "assaults_repelled"
    crossed_by = "crossed_by"
    place_fell_at = "place_fell_at"
    rounds_fired = "rounds_fired"
    works_destroyed_fraction = "works_destroyed_fraction"
    winner = "winner"


class HistoryEntry(Strict):
    """One historical fact as a measurable metric.

    `side` is the side whose men/positions are measured; `units` narrows it; `place` names the
    position (position_held, place_fell_at) or river (crossed_by, got_back_across); counts are
    taken over the window from `since` (default: the start) to `at` (default: the end). The
    value is exact (`value`), a `range`, or a `time_range`.
    """

    id: Identifier
    metric: Metric
    side: Identifier | None = None
    units: list[Identifier] | None = None
    place: Identifier | None = None
    since: Moment | None = None
    at: Moment | None = None
    value: float | bool | Identifier | None = None
    range: Range | None = None
    time_range: TimeRange | None = None
    whose: str = Field(max_length=200, description="Whose figure: e.g. 'Japanese', 'Chinese'.")
    source: Citation
    note: str | None = Field(default=None, max_length=2000)


# ------------------------------------------------------------------------------------ scenario


class Scenario(Strict):
    """A whole battle: everything the engine needs to play it and to compare it with history."""

    format_version: Literal[1] = Field(description="Version of this format.")
    id: Identifier
    title: Name
    scale: Literal["tactical", "operational"]
    sources: list[Source] = Field(min_length=1, max_length=100)
    briefing: Briefing
    clock: Clock
    map: MapSpec
    terrain: dict[Identifier, TerrainType] = Field(min_length=1, max_length=64)
    sides: list[Side] = Field(min_length=2, max_length=2)
    weapons: dict[Identifier, Weapon] = Field(min_length=1, max_length=500)
    units: list[Unit] = Field(min_length=1, max_length=5000)
    obstacles: list[Obstacle] = Field(default_factory=list, max_length=5000)
    ammunition: list[AmmunitionBudget] = Field(default_factory=list, max_length=100)
    reinforcements: list[Reinforcement] = Field(default_factory=list, max_length=1000)
    air_strikes: list[AirStrike] = Field(default_factory=list, max_length=1000)
    plans: list[Plan] = Field(default_factory=list, max_length=2)
    victory: list[VictoryCondition] = Field(min_length=1, max_length=50)
    # inf and NaN pass here so that the rules' own check of each value names its allowed range
    rules: dict[Identifier, Annotated[float, Field(allow_inf_nan=True)]] = Field(
        default_factory=dict, description="Overrides of rule coefficients, by name."
    )
    history: list[HistoryEntry] = Field(default_factory=list, max_length=200)

    model_config = ConfigDict(
        json_schema_extra={"title": "Wargame scenario", "$id": "scenario.schema.json"}
    )
