"""Events: what happened, as frozen records. The log, replays, the window's animations, the batch
runner and the tests all read the same events.

Every fire, bombardment and assault event carries the numbers that produced it (base rate, each
modifier by name, the expected value and the roll), so a player can see why a result happened.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Event:
    turn: int
    kind: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True, slots=True)
class Arrived(Event):
    unit: str
    hex: str
    men: int
    kind: ClassVar[str] = "arrived"


@dataclass(frozen=True, slots=True)
class Moved(Event):
    unit: str
    path: tuple[str, ...]
    kind: ClassVar[str] = "moved"


@dataclass(frozen=True, slots=True)
class Crossing(Event):
    """A unit is in a river: `hours_left` to the far bank (0 when it has crossed)."""

    unit: str
    hex: str
    river: str
    hours_left: float
    back: bool = False  # making for the bank it set out from
    kind: ClassVar[str] = "crossing"


@dataclass(frozen=True, slots=True)
class Fired(Event):
    unit: str
    target: str
    hex: str
    base: float  # casualties per hour before modifiers
    modifiers: dict[str, float]
    expected: float
    killed: int
    wounded: int
    kind: ClassVar[str] = "fired"


@dataclass(frozen=True, slots=True)
class Bombarded(Event):
    unit: str
    hex: str
    rounds: int
    casualties: dict[str, int]  # unit id -> men disabled
    modifiers: dict[str, float]
    works_damage: float
    lane: float  # minefield lane progress after the fire, 0..1
    wire_lines_left: float
    # The numbers of the linear law (docs/rules.md), each unit of n men in the hex losing on average
    # E = base × night × n / hex_area_m2 × exposure. Defaults: logs written before these existed.
    landed: int = (
        0  # the roll: rounds landing in the hex, Binomial(rounds, rounds_on_target_fraction)
    )
    rounds_by_class: dict[str, float] = field(default_factory=dict)  # class -> rounds fired
    lethal_area_m2: dict[str, float] = field(default_factory=dict)  # class -> m² per round
    base: float = 0.0  # Σ landed × lethal area (m²) by class, before night
    hex_area_m2: float = 0.0
    men: dict[str, int] = field(default_factory=dict)  # target unit id -> men there when hit
    exposure: dict[str, dict[str, float]] = field(default_factory=dict)  # unit id -> shell factors
    expected: dict[str, float] = field(default_factory=dict)  # unit id -> expected men disabled
    kind: ClassVar[str] = "bombarded"


@dataclass(frozen=True, slots=True)
class AirStrike(Event):
    side: str
    hex: str
    sorties: int
    casualties: dict[str, int]
    modifiers: dict[str, float]
    kind: ClassVar[str] = "air_strike"


@dataclass(frozen=True, slots=True)
class Assaulted(Event):
    attackers: tuple[str, ...]
    defenders: tuple[str, ...]
    hex: str
    attacking_side: str
    outcome: str  # "repelled", "taken", "abandoned" (no defenders left to fight)
    attacker_losses: dict[str, int]  # by phase: mines, approach, grenades, melee
    defender_losses: dict[str, int]
    modifiers: dict[str, float]
    # The numbers behind each phase (docs/rules.md). Defaults: logs written before these existed.
    # the phases' base rates and constant terms, by coefficient name: close_fire_casualties_per_
    # firepower, vulnerability_attack, grenade_casualties_per_throw, melee_rate, melee_defender_...
    base: dict[str, float] = field(default_factory=dict)
    # engaged defender id -> its close-fire terms: firepower and the firer factors by name
    close_fire_factors: dict[str, dict[str, float]] = field(default_factory=dict)
    # mean of each phase's draw (after saturation, n(1 - exp(-E/n))), keyed as the losses
    expected: dict[str, float] = field(default_factory=dict)
    defender_expected: dict[str, float] = field(default_factory=dict)
    # each round of hand-to-hand: defenders, reaching attackers, qualities, defender advantage
    melee: tuple[dict[str, float], ...] = ()
    kind: ClassVar[str] = "assault"


@dataclass(frozen=True, slots=True)
class Routed(Event):
    unit: str
    morale: float
    kind: ClassVar[str] = "routed"


@dataclass(frozen=True, slots=True)
class Rallied(Event):
    unit: str
    kind: ClassVar[str] = "rallied"


@dataclass(frozen=True, slots=True)
class Surrendered(Event):
    unit: str
    men: int
    kind: ClassVar[str] = "surrendered"


@dataclass(frozen=True, slots=True)
class Drowned(Event):
    unit: str
    men: int
    kind: ClassVar[str] = "drowned"


@dataclass(frozen=True, slots=True)
class LeaderKilled(Event):
    unit: str
    leader: str
    kind: ClassVar[str] = "leader_killed"


@dataclass(frozen=True, slots=True)
class Escaped(Event):
    unit: str
    men: int
    kind: ClassVar[str] = "escaped"


@dataclass(frozen=True, slots=True)
class HexTaken(Event):
    hex: str
    side: str
    place: str | None
    kind: ClassVar[str] = "hex_taken"


@dataclass(frozen=True, slots=True)
class TurnEnded(Event):
    time: str
    night: bool
    men: dict[str, int]  # side id -> men present (arrived, on the map)
    kind: ClassVar[str] = "turn_ended"


@dataclass(frozen=True, slots=True)
class GameEnded(Event):
    winner: str  # a side id or "draw"
    reason: str
    state_hash: str
    kind: ClassVar[str] = "game_ended"


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        Arrived,
        Moved,
        Crossing,
        Fired,
        Bombarded,
        AirStrike,
        Assaulted,
        Routed,
        Rallied,
        Surrendered,
        Drowned,
        LeaderKilled,
        Escaped,
        HexTaken,
        TurnEnded,
        GameEnded,
    )
}


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from its dictionary form (a line of a .jsonl log)."""
    cls = EVENT_TYPES[data["kind"]]
    values = {}
    for item in fields(cls):
        if item.name not in data and (
            item.default is not MISSING or item.default_factory is not MISSING
        ):
            continue  # a field added since the log was written
        value = data[item.name]
        if isinstance(value, list):
            value = tuple(value)
        values[item.name] = value
    return cls(**values)


__all__ = ["EVENT_TYPES", "Event", "event_from_dict", "field"]
