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
    """Base for every model: unknown keys are errors (with "did you mean"), values are frozen.

    `defer_build`: a model's validator is built when first used, not at import. Importing the
    scenario package built all of them, then rebuilt them to carry the descriptions (about 60 ms
    at the start of every command); validating a scenario builds only Scenario's validator (its
    nested models inline, about 30 ms); a model used alone (the editor's Unit) builds its own."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_enum_values=False, allow_inf_nan=False, defer_build=True
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


class TerrainSymbol(StrEnum):
    """The symbol the map draws on a kind of ground; road and track are drawn as lines joining
    their hexes, over the colour of the ground around them."""

    wood = "wood"
    village = "village"
    paddy = "paddy"
    steep = "steep"
    crest = "crest"
    hill = "hill"
    water = "water"
    road = "road"
    track = "track"


class TerrainType(Strict):
    """How a kind of ground affects movement, fire and sight. Multipliers are relative to open
    ground (1.0), so the rules' base rates stay terrain-free."""

    name: Name
    color: str = Field(default="#9c9c6a", pattern=r"^#[0-9a-fA-F]{6}$")
    symbol: TerrainSymbol | None = Field(
        default=None,
        description="The map's symbol for this ground (road and track: lines joining their"
        " hexes); none: plain colour. Only the picture, never a rule.",
    )
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
    source: Citation | None = Field(
        default=None,
        description="Where the multipliers come from (e.g. QJM's terrain factors, NPW p. 228),"
        " or 'assumption: ...'.",
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
    closed_edges: list[Literal["north", "south", "east", "west"]] = Field(
        default_factory=list,
        max_length=4,
        description="Borders of the map nobody can leave across (a sea, a mountain wall):"
        " a unit that withdraws or flees to a hex on such a border stays on the map.",
    )


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


class Resolve(StrEnum):
    """How long men hold on under losses and whether, trapped, they surrender (rules/morale.py)."""

    to_the_last = "to_the_last"
    normal = "normal"
    surrenders_readily = "surrenders_readily"


# A word, or a number: the factor on the unit's drawn breaking point (1 is `normal`).
ResolveSetting = Resolve | Annotated[float, Field(gt=0.0, le=10.0)]


class Side(Strict):
    id: Identifier
    name: Name
    color: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    resolve: ResolveSetting = Resolve.normal
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
    resolve: ResolveSetting | None = None
    posture: Posture = Posture.hasty
    bangalores: bool = Field(
        default=False,
        description="Engineers carrying Bangalore torpedoes: their breach blows gaps in wire at"
        " bangalore_wire_lines_per_hour instead of cutting it by hand"
        " (engineer_wire_lines_per_hour).",
    )
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
    """Units that enter the map at `time`, or, with `latest`, at some time in the window from
    `time` to `latest`: one time drawn for the whole group in each game (`arrival: drawn`, from
    the game's seed, so the same seed brings them at the same turn) or the units one after
    another, evenly over the window (`arrival: spread`)."""

    time: Moment
    latest: Moment | None = None
    arrival: Literal["drawn", "spread"] = "drawn"
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
    on_call_until: Moment | None = None
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


class PhaseHours(Strict):
    """`hours` after another phase of the same plan began (that phase's task has run so long)."""

    phase: Identifier
    hours: float = Field(ge=0.0, le=100_000.0)


class SideShare(Strict):
    """A side's men (or the listed units' men) on the map and still to come, as a share of
    their men at the start, below `share`."""

    side: Identifier | None = None
    units: list[Identifier] | None = Field(default=None, max_length=1000)
    share: Fraction


class Trigger(Strict):
    """What must have happened for a phase to begin (or end): exactly one of the fields below.
    It is judged at the end of each turn from what the game recorded; the phase begins (or ends)
    at the first turn end at which it holds, for good: a phase that began because a place was
    taken goes on if the place is lost. `any` holds when one of its parts does, `all` when all
    of them do at the same turn end."""

    taken: Identifier | None = None
    lost: Identifier | None = None
    arrived: Identifier | None = None
    routed: Identifier | None = None
    strength_below: SideShare | None = None
    after: PhaseHours | None = None
    any: list[Trigger] | None = Field(default=None, min_length=1, max_length=20)
    all: list[Trigger] | None = Field(default=None, min_length=1, max_length=20)

    def kinds(self) -> list[str]:
        """The fields this trigger sets (a valid trigger sets exactly one)."""
        return [name for name in TRIGGER_KINDS if getattr(self, name) is not None]


TRIGGER_KINDS = ("taken", "lost", "arrived", "routed", "strength_below", "after", "any", "all")


class PlanPhase(Strict):
    id: Identifier
    name: str = Field(max_length=200, description="What it means, e.g. 'cross at dawn'.")
    start: Moment | None = None
    start_when: Trigger | None = None
    end: Moment | None = None
    end_when: Trigger | None = None
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
    men_surrounded = "men_surrounded"
    fell_back = "fell_back"
    men_remaining = "men_remaining"
    officers_killed = "officers_killed"
    assaults_repelled = "assaults_repelled"
    crossed_by = "crossed_by"
    place_fell_at = "place_fell_at"
    position_lost = "position_lost"
    attack_repelled = "attack_repelled"
    rounds_fired = "rounds_fired"
    works_destroyed_fraction = "works_destroyed_fraction"
    winner = "winner"


class HistoryEntry(Strict):
    """One historical fact as a measurable metric.

    `side` is the side whose men/positions are measured; `units` narrows it; `place` names the
    position (position_held, position_lost, place_fell_at) or river (crossed_by,
    got_back_across); counts are taken over the window from `since` (default: the start) to
    `at` (default: the end). The value is exact (`value`), a `range`, or a `time_range`.
    `echo` marks a metric that only repeats an input (reports never count it as agreement).
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
    echo: Flag = False
    # What `wargame fit` may do with it: `holdout` (the default) keeps it out of every fit, to
    # judge the fitted rules on; `fit` puts it in the fit set (docs/fit.md).
    use: Literal["holdout", "fit"] = "holdout"
    whose: str = Field(max_length=200, description="Whose figure: e.g. 'Japanese', 'Chinese'.")
    source: Citation
    note: str | None = Field(default=None, max_length=2000)


# ------------------------------------------------------------------------------------ scenario


# inf and NaN pass here so that the rules' own check of each value names its allowed range
CoefficientValue = Annotated[float, Field(allow_inf_nan=True)]


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
    side_rules: dict[Identifier, dict[Identifier, CoefficientValue]] = Field(default_factory=dict)
    history: list[HistoryEntry] = Field(default_factory=list, max_length=200)

    model_config = ConfigDict(
        json_schema_extra={"title": "Wargame scenario", "$id": "scenario.schema.json"}
    )


# ------------------------------------------------------------------------ editor descriptions

# What each property means, with its unit, for the JSON Schema an editor shows on hover. Kept in one
# table rather than on each field so that the models above stay readable; a field's own
# description stays where the table has no entry; references have one, since the generic id text
# ("Lower-case id ...") would not say what the id refers to. tests/test_schema.py checks that every
# property of the schema has a description.
_HEX_OR_PLACE = "a hex as [col, row], or the id of a place in map.places"
DESCRIPTIONS: dict[str, str] = {
    # the whole scenario
    "Scenario.id": "Id of the scenario (lower-case), used in file names, logs and batch results.",
    "Scenario.title": "The battle's name as shown in lists and the window.",
    "Scenario.scale": "tactical (about 100 m hexes, 1-2 h turns, companies) or operational"
    " (about 1 km hexes, 4-6 h turns, battalions).",
    "Scenario.sources": "The documents the scenario's figures come from; `source` fields cite"
    " them.",
    "Scenario.briefing": "What a player reads before the battle.",
    "Scenario.clock": "When the battle starts, how long a turn is, how many turns, and night.",
    "Scenario.map": "The hex map: terrain grid, legend, elevation, rivers and named places.",
    "Scenario.terrain": "Terrain types by id, as the map's legend names them.",
    "Scenario.sides": "The two sides, each with an id that units, plans and victory name.",
    "Scenario.weapons": "Weapon types by id, as units' `weapons` and air strikes name them.",
    "Scenario.units": "Every unit of both sides at the start, or arriving as reinforcement.",
    "Scenario.obstacles": "Minefields, wire, fortifications and blockhouses, by hex.",
    "Scenario.ammunition": "Shared stocks of rounds per side for some weapons.",
    "Scenario.reinforcements": "Units that enter the map at a given time and hex.",
    "Scenario.air_strikes": "Air attacks at given times on given hexes.",
    "Scenario.plans": "Each side's plan for the computer player: phases with tasks and objectives.",
    "Scenario.victory": "How each side wins; a game where neither or both do is a draw.",
    "Scenario.history": "What really happened, as metrics the engine measures in a game.",
    "Scenario.side_rules": "Per-side overrides of rule coefficients: side id -> {name: value}."
    " A side's value is read where a rule acts on that side's units one at a time (their"
    " movement and river crossings, flight and surrender when routed or trapped, air strikes"
    " on them); rules between two sides (fire, bombardment, assault) and the morale phase"
    " read the common value (docs/scenarios.md).",
    # names and sources
    "Name.en": "English name (required, 1-200 characters).",
    "Name.zh": "Chinese name, for Chinese places and units.",
    "Source.id": "Id of this source, for citations.",
    "Source.title": "Title of the document.",
    "Source.note": "What the source is and how far it can be trusted.",
    "Briefing.situation": "The situation at the start, as the player's briefing tells it.",
    "Briefing.historical_note": "What happened in history, shown after the game.",
    # map
    "TerrainType.name": "The terrain's name, shown in the window.",
    "TerrainType.color": 'Colour on the map, "#rrggbb".',
    "TerrainType.passable": "Whether units may enter this terrain at all (false: cliffs).",
    "ElevationGrid.base_m": "Height of level 0 above sea level, metres.",
    "ElevationGrid.step_m": "Height of one level, metres (level characters 0-9 then a-z).",
    "ElevationGrid.grid": "`height` lines of `width` level characters (0-9, a-z), like the"
    " terrain grid.",
    "RiverCrossing.width_m": "Width of the river where it is crossed, metres.",
    "RiverCrossing.current": "How fast the water flows: slow, moderate or fast (drownings).",
    "River.id": "Id of this river, for history metrics (crossed_by, got_back_across).",
    "River.name": "The river's name.",
    "River.path": "Waypoints of the river, each " + _HEX_OR_PLACE + "; the river runs along"
    " the hex lines between them, drawn as water in map.terrain.",
    "River.edges": "Streams along hex edges: [col, row, direction], direction one of E, NE, NW,"
    " W, SW, SE.",
    "River.crossing": "How hard the river is to cross where there is no bridge.",
    "River.bridges": "Hexes of the river with a bridge, each " + _HEX_OR_PLACE + ".",
    "River.source": "Where the river's course or width comes from.",
    "Place.id": "Id of this place, usable wherever a hex is expected.",
    "Place.name": "The place's name, shown on the map.",
    "Place.hex": "The place's hex as [col, row] on the text map (odd-r offset, from 0).",
    "Place.note": "What the place is, for the reader.",
    "Place.source": "Where the place's position comes from.",
    "MapSpec.orientation": "Hex orientation: pointy-topped only.",
    "MapSpec.layout": "Offset layout of the text grids: odd-r (odd rows shoved half a hex right).",
    "MapSpec.elevation": "Heights as a text grid beside the terrain grid; flat when left out.",
    "MapSpec.rivers": "Named rivers and streams, for crossings and history metrics.",
    "MapSpec.places": "Named hexes: objectives, positions, assembly areas.",
    "MapSpec.closed_edges": "Borders of the map nobody can leave across (a sea, a mountain"
    " wall): north (row 0), south (the last row), west (column 0), east (the last column). A"
    " unit withdrawing or fleeing to a hex on such a border stays on the map; a corner on an"
    " open border too is still a way out.",
    # clock and sides
    "Clock.start": "Local date and time of the first turn, like 1945-05-21T05:00.",
    "Clock.turn_minutes": "Length of a turn, minutes (5 to 1440).",
    "Clock.turns": "Number of turns in the game (1 to 10,000).",
    "Clock.darkness": "Hours of darkness each day, local time.",
    "Clock.source": "Where the dates and the hours of darkness come from.",
    "Darkness.starts": 'Local time of day night begins, like "19:30".',
    "Darkness.ends": 'Local time of day night ends the next morning, like "05:30".',
    "Side.id": "Id of this side, named by units, plans, victory and history.",
    "Side.name": "The side's name.",
    "Side.color": 'Colour of the side\'s counters, "#rrggbb".',
    "Side.note": "Anything the reader should know about the side.",
    "Side.resolve": "How the side's units hold on under losses (docs/rules.md, Breaking and"
    " surrender): to_the_last (never break on losses, never surrender), normal,"
    " surrenders_readily (break at half the losses, trapped men mostly surrender), or a number"
    " > 0 that multiplies each unit's drawn breaking point (1 is normal). A unit's own"
    " `resolve` overrides it.",
    # weapons and units
    "Weapon.name": "The weapon's name.",
    "Weapon.kind": "What the weapon is, for the rules: each class has its own coefficients"
    " (docs/rules.md).",
    "Weapon.min_range_m": "Shortest range it can fire at, metres (mortars, guns).",
    "Weapon.crew": "Men needed to serve one weapon.",
    "Weapon.source": "Where the weapon's figures come from.",
    "UnitWeapon.weapon": "Id of a weapon type in `weapons`.",
    "UnitWeapon.count": "How many of this weapon the unit has.",
    "UnitWeapon.source": "Where the count and ammunition come from.",
    "Leader.name": "The commander's name.",
    "Leader.rank": "The commander's rank, as text.",
    "Leader.source": "Where the commander's name and quality come from.",
    "Unit.id": "Id of this unit, named by plans, reinforcements, victory and history.",
    "Unit.name": "The unit's name.",
    "Unit.side": "Id of the side (in `sides`) this unit fights for.",
    "Unit.type": "What the unit is: infantry, machine_gun, artillery, mortar, engineers or"
    " headquarters.",
    "Unit.officers": "Officers among `men`, for the officers_killed metric and leadership.",
    "Unit.weapons": "The unit's weapons: type, count and rounds carried.",
    "Unit.at": "Start hex, " + _HEX_OR_PLACE + "; leave out for a unit that arrives as a"
    " reinforcement.",
    "Unit.resolve": "This unit's resolve, overriding its side's: to_the_last, normal,"
    " surrenders_readily or a number > 0 (the factor on its drawn breaking point).",
    "Unit.posture": "Posture at the start (Dupuy): attack, hasty, prepared, fortified or"
    " withdrawal.",
    "Unit.leader": "The unit's commander, whose quality helps morale.",
    "Unit.parent": "Id of the higher unit (in `units`), if any.",
    "Unit.source": "Where the unit's strength and position come from.",
    "Unit.note": "Anything the reader should know about the unit.",
    # obstacles
    "Minefield.kind": "minefield",
    "Minefield.hexes": "Hexes of the minefield, each " + _HEX_OR_PLACE + ".",
    "Minefield.depth_m": "Depth of the minefield in the direction of attack, metres.",
    "Minefield.source": "Where the minefield's size and density come from.",
    "Wire.kind": "wire",
    "Wire.hexes": "Hexes of the wire, each " + _HEX_OR_PLACE + ".",
    "Wire.source": "Where the wire comes from.",
    "Fortification.kind": "fortification",
    "Fortification.hexes": "Hexes of the works, each " + _HEX_OR_PLACE + ".",
    "Fortification.level": "How strong the works are: hasty, prepared or fortified (Dupuy).",
    "Fortification.source": "Where the works come from.",
    "Blockhouse.kind": "blockhouse",
    "Blockhouse.hexes": "Hexes with blockhouses, each " + _HEX_OR_PLACE + ".",
    "Blockhouse.source": "Where the blockhouses come from.",
    # ammunition, arrivals, air
    "AmmunitionBudget.side": "Id of the side (in `sides`) whose stock this is.",
    "AmmunitionBudget.weapons": "Ids of the weapons (in `weapons`) that draw on this stock.",
    "AmmunitionBudget.rounds": "Rounds in the stock at the start.",
    "AmmunitionBudget.source": "Where the size of the stock comes from.",
    "Reinforcement.time": "Local date and time the units arrive, like 1945-05-22T06:00; with"
    " `latest`, the earliest time of the window they arrive in.",
    "Reinforcement.latest": "Latest local date and time of an arrival window (leave out for one"
    " fixed time); must fall inside the game.",
    "Reinforcement.arrival": "In a window: drawn (one time for the group, drawn per game from"
    " the game's seed) or spread (the units one after another, evenly over the window).",
    "Reinforcement.at": "Hex where they enter, " + _HEX_OR_PLACE + ".",
    "Reinforcement.units": "Ids of the arriving units (in `units`, without `at`).",
    "Reinforcement.source": "Where the time and place of arrival come from.",
    "AirStrike.side": "Id of the side (in `sides`) whose aircraft strike.",
    "AirStrike.time": "Local date and time of the strike; with `on_call_until`, when the aircraft"
    " go on call.",
    "AirStrike.on_call_until": "The strike is on call from `time` to this local date and time: it"
    " comes in the first turn in that window that begins with enemy units in the target area, and"
    " not at all if none come (default: it comes at `time` whatever is there).",
    "AirStrike.target": "Hex at the centre of the strike, " + _HEX_OR_PLACE + ".",
    "AirStrike.radius_hexes": "Hexes around the target also struck, in hexes (0: the target only).",
    "AirStrike.sorties": "Number of aircraft sorties in the strike.",
    "AirStrike.weapon": "Id of the weapon (in `weapons`) each sortie delivers.",
    "AirStrike.aircraft": "The aircraft's name, for the log.",
    "AirStrike.source": "Where the strike comes from.",
    # plans
    "PlanPhase.id": "Id of this phase, unique in its plan.",
    "PlanPhase.start": "Local date and time the phase begins; with `start_when`, the earliest"
    " it may begin (default: the start of the game). A phase needs `start`, `start_when` or both.",
    "PlanPhase.start_when": "What must have happened for the phase to begin: it begins at the end"
    " of the first turn at which its trigger holds (and not before `start`).",
    "PlanPhase.end": "Local date and time the phase ends (default: the end of the game).",
    "PlanPhase.end_when": "What ends the phase: it ends at the end of the first turn at which its"
    " trigger holds (or at `end`, whichever comes first).",
    "Trigger.taken": "Id of a place (in map.places): held by this plan's side at a turn's end.",
    "Trigger.lost": "Id of a place (in map.places): held by the other side at a turn's end.",
    "Trigger.arrived": "Id of a unit (in `units`, either side): on the map at a turn's end.",
    "Trigger.routed": 'Id of a unit (in `units`) of the other side, or "enemy" for any of'
    " them: routed at a turn's end, then or at an earlier one.",
    "Trigger.strength_below": "A side's strength at a turn's end below a share of its start.",
    "Trigger.after": "Hours after another phase of this plan began (how long its task has run).",
    "Trigger.any": "Holds when any one of these triggers holds.",
    "Trigger.all": "Holds when every one of these triggers holds at the same turn end.",
    "SideShare.side": "Id of the side (in `sides`) measured (default: the other side).",
    "SideShare.units": "Ids of the units (in `units`) measured, narrowing `side`.",
    "SideShare.share": "The share of the men at the start, 0 to 1, below which it fires.",
    "PhaseHours.phase": "Id of a phase of the same plan.",
    "PhaseHours.hours": "Hours after that phase began, in hours (0: as it begins).",
    "PlanPhase.units": "Ids of the units (in `units`, of this plan's side) the phase commands,"
    ' or "all".',
    "PlanPhase.task": "What the units are to do: move, attack, assault, bombard, hold,"
    " counterattack, fall_back, withdraw, pursue or break_out.",
    "PlanPhase.objective": "Where the task aims, " + _HEX_OR_PLACE + ".",
    "PlanPhase.fall_back_to": "Where to go if the task fails (hold / fall_back), "
    + _HEX_OR_PLACE
    + ".",
    "PlanPhase.only_when": "When the phase acts: any time, by day only, or by night only.",
    "PlanPhase.source": "Where this part of the plan comes from.",
    "Plan.side": "Id of the side (in `sides`) whose plan this is.",
    "Plan.mode": "How the computer player follows it: plan (as written) or adaptive (it may"
    " depart from the plan when the situation changes).",
    "Plan.rear": "Where this side's routed units run, " + _HEX_OR_PLACE + "; they leave the"
    " map there when it is on the edge.",
    "Plan.phases": "The plan's phases, in time order.",
    # victory
    "VictoryCondition.side": "Id of the side (in `sides`) this condition lets win.",
    "VictoryCondition.kind": "hold, capture, destroy or exit (see the description above).",
    "VictoryCondition.place": "For hold, capture and exit: " + _HEX_OR_PLACE + ".",
    "VictoryCondition.by": "For capture: the local date and time by which the place must be"
    " held (default: the end).",
    "VictoryCondition.fraction": "For destroy: the share of the enemy's men (or of `units`) lost,"
    " 0 to 1.",
    "VictoryCondition.men": "For exit: how many men must leave the map at `place`.",
    "VictoryCondition.units": "For destroy and exit: ids of the units (in `units`) that count"
    " (default: the whole side).",
    "VictoryCondition.note": "What the condition stands for, for the reader.",
    # history
    "Range.min": "Lowest value history allows (inclusive), in the metric's unit.",
    "Range.max": "Highest value history allows (inclusive), in the metric's unit.",
    "TimeRange.earliest": "Earliest local date and time history allows.",
    "TimeRange.latest": "Latest local date and time history allows.",
    "HistoryEntry.id": "Id of this entry, the column name in batch results.",
    "HistoryEntry.metric": "What is measured: men_lost, killed, position_held, crossed_by ..."
    " (docs/scenarios.md lists each with its unit).",
    "HistoryEntry.side": "Id of the side (in `sides`) whose men or positions are measured.",
    "HistoryEntry.units": "Ids of the units (in `units`) measured, narrowing `side`.",
    "HistoryEntry.place": "Id of the place (in map.places) for position_held, position_lost,"
    " place_fell_at and fell_back,"
    " or of the river (in map.rivers) for crossed_by and got_back_across.",
    "HistoryEntry.since": "Local date and time counts start from (default: the start);"
    " best on a turn boundary.",
    "HistoryEntry.at": "Local date and time the metric is measured (default: the end); the game"
    " measures at turn boundaries, so give one.",
    "HistoryEntry.value": "The historical value, exact: a number (men, fraction), true/false, or"
    " a side id for winner.",
    "HistoryEntry.range": "The historical value as a range, when sources disagree.",
    "HistoryEntry.time_range": "The historical time as a range, for time metrics.",
    "HistoryEntry.note": "How the figure was read from the source.",
    "HistoryEntry.echo": "true when the metric only repeats an input (a plan's allotment of"
    " rounds, a unit's strength): reports show it as 'input, not a test' and never count it"
    " as agreement with history.",
    "HistoryEntry.use": "holdout (the default): never fitted, kept to judge fitted rules on;"
    " fit: `wargame fit` may fit the rules' coefficients to it.",
}


def _describe_fields() -> None:
    """Give each field its entry of DESCRIPTIONS (a citation's or a note's generic text where it
    has none). No model is built yet (`defer_build`), so each one's validator and JSON Schema,
    built when first used, carry them; `wargame schema` is the same as when every model was built
    at import and then rebuilt after this."""
    models = [
        m
        for m in list(globals().values())
        if isinstance(m, type) and issubclass(m, Strict) and m is not Strict
    ]
    for model in models:
        for name, info in model.model_fields.items():
            key = f"{model.__name__}.{name}"
            if key in DESCRIPTIONS:
                info.description = DESCRIPTIONS[key]
            elif info.description is None and name == "source":
                info.description = "Where this comes from, e.g. 'seed ¶12', or 'assumption: ...'."
            elif info.description is None and name == "note":
                info.description = "Anything the reader should know."


_describe_fields()
