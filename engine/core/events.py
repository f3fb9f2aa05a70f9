"""Events: what happened, as frozen records. The log, replays, the window's animations, the batch
runner and the tests all read the same events.

Every fire, bombardment and assault event carries the numbers that produced it (base rate, each
modifier by name, the expected value and the roll), so a player can see why a result happened.

Each event type declares, in its own class, how it is told: `line()` is its sentence in the turn
log (None for routine ones: moves, single volleys) and `explained()` that sentence with the numbers
behind it, as `wargame run --explain` and the window's explained log print it. engine/narrative.py
only asks the event. `register_event` adds a kind to EVENT_TYPES (read by replays and logs).
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

    def line(self) -> str | None:
        """The event's sentence in the log, or None for a routine one."""
        return None

    def explained(self) -> str | None:
        """The sentence with the numbers that produced the result (the plain line by default)."""
        return self.line()


def _numbers(values: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in values.items())


# The base rate of each phase of an assault, by the name of its coefficient (docs/rules.md).
_PHASE_BASE = {
    "approach": "close_fire_casualties_per_firepower_hour",
    "grenades": "grenade_casualties_per_throw",
    "melee": "melee_rate",
}

EVENT_TYPES: dict[str, type[Event]] = {}


def register_event(cls: type[Event]) -> type[Event]:
    """Make an event kind known to logs and replays (a class decorator)."""
    if cls.kind in EVENT_TYPES and EVENT_TYPES[cls.kind] is not cls:
        raise ValueError(f"two event kinds say the kind {cls.kind!r}")
    EVENT_TYPES[cls.kind] = cls
    return cls


@register_event
@dataclass(frozen=True, slots=True)
class Arrived(Event):
    unit: str
    hex: str
    men: int
    kind: ClassVar[str] = "arrived"

    def line(self) -> str | None:
        return f"{self.unit} arrives at {self.hex} with {self.men} men"


@register_event
@dataclass(frozen=True, slots=True)
class Moved(Event):
    unit: str
    path: tuple[str, ...]
    kind: ClassVar[str] = "moved"


@register_event
@dataclass(frozen=True, slots=True)
class Crossing(Event):
    """A unit is in a river: `hours_left` to the far bank (0 when it has crossed)."""

    unit: str
    hex: str
    river: str
    hours_left: float
    back: bool = False  # making for the bank it set out from
    kind: ClassVar[str] = "crossing"

    def line(self) -> str | None:
        if self.back:
            if self.hours_left <= 0:
                return f"{self.unit} is back on the bank it set out from, off the {self.river}"
            return None
        if self.hours_left <= 0:
            return f"{self.unit} is across the {self.river} at {self.hex}"
        return None


@register_event
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

    def explained(self) -> str | None:
        """Single volleys are routine: told only with their numbers."""
        return (
            f"{self.unit} fires on {self.target} at {self.hex}: {self.killed} killed,"
            f" {self.wounded} wounded (expected {self.expected:g}; base {self.base:g}/h;"
            f" {_numbers(self.modifiers)})"
        )


@register_event
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
    # The numbers of the saturating linear law (docs/rules.md), each unit of n men in the hex
    # losing on average E = n × (1 - exp(-base × night × exposure / hex_area_m2)).
    # Defaults: logs written before these existed.
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

    def line(self) -> str | None:
        hit = sum(self.casualties.values())
        parts = [f"{self.unit} fires {self.rounds} rounds at {self.hex}"]
        if hit:
            parts.append(f"{hit} men hit")
        if self.works_damage:
            parts.append(f"works -{self.works_damage:g}")
        if self.lane:
            parts.append(f"minefield lane {self.lane:.0%}")
        return "; ".join(parts)

    def explained(self) -> str | None:
        """The linear law's terms: the rounds that landed (the roll), the lethal area they cover
        (the base), the modifiers, then for each unit in the hex its men, its shell exposure
        factors by name, the expected casualties and the men hit."""
        line = self.line()
        if not self.lethal_area_m2:  # a log written before bombardments recorded their numbers
            return f"{line}  [{_numbers(self.modifiers)}]"
        areas = ", ".join(
            f"{self.rounds_by_class.get(cls, 0):g} {cls} × {area:g} m²"
            for cls, area in self.lethal_area_m2.items()
        )
        line += (
            f"  [landed {self.landed} of {self.rounds}; base {self.base:g} m² lethal area"
            f" ({areas}, × on_target); {_numbers(self.modifiers)}]"
        )
        night = f" × night={self.modifiers['night']:g}" if "night" in self.modifiers else ""
        for unit, men in self.men.items():
            line += (
                f"\n      on {unit}: {self.casualties.get(unit, 0)} hit (expected"
                f" {self.expected[unit]:g} = {men} men × (1 - exp(-base{night}"
                f" / {self.hex_area_m2:,.0f} m² × {_numbers(self.exposure[unit])})))"
            )
        return line


@register_event
@dataclass(frozen=True, slots=True)
class AirStrike(Event):
    side: str
    hex: str
    sorties: int
    casualties: dict[str, int]
    modifiers: dict[str, float]
    kind: ClassVar[str] = "air_strike"

    def line(self) -> str | None:
        hit = sum(self.casualties.values())
        return f"{self.sorties} {self.side} aircraft strike {self.hex}: {hit} men hit"

    def explained(self) -> str | None:
        return f"{self.line()}  [exposure {_numbers(self.modifiers)}]"


@register_event
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
    # each step of the assault: hours fought, attackers, defenders, attackers at grips
    melee: tuple[dict[str, float], ...] = ()
    kind: ClassVar[str] = "assault"

    def line(self) -> str | None:
        lost = sum(self.attacker_losses.values())
        defended = sum(self.defender_losses.values())
        who = ", ".join(self.attackers)
        return (
            f"ASSAULT on {self.hex} by {who}: {self.outcome}"
            f" (attackers lost {lost}, defenders {defended})"
        )

    def explained(self) -> str | None:
        """Each phase's base rate, expected losses (the mean of its draw) and losses, then the
        close fire's terms by defender, the rounds of hand-to-hand and the modifiers."""
        line = self.line()
        if not self.base:  # a log written before assaults recorded their numbers
            return (
                f"{line}\n      attacker losses {self.attacker_losses}; defender losses"
                f" {self.defender_losses}\n      [{_numbers(self.modifiers)}]"
            )
        phases = []
        for phase, lost in self.attacker_losses.items():
            text = f"{phase} {lost} (expected {self.expected.get(phase, 0.0):g}"
            if (name := _PHASE_BASE.get(phase)) in self.base:
                text += f"; base {name}={self.base[name]:g}"
            phases.append(text + ")")
        defended = []
        for phase, lost in self.defender_losses.items():
            expected = self.defender_expected.get(phase)
            defended.append(f"{phase} {lost}" + (f" (expected {expected:g})" if expected else ""))
        line += (
            f"\n      attackers lost: {', '.join(phases)}"
            f"\n      defenders lost: {', '.join(defended)}"
        )
        for unit, factors in self.close_fire_factors.items():
            line += f"\n      close fire of {unit}: {_numbers(factors)}"
        for number, fight in enumerate(self.melee, start=1):
            line += f"\n      hand to hand, step {number}: {_numbers(fight)}"
        terms = {k: v for k, v in self.base.items() if k not in _PHASE_BASE.values()}
        return line + f"\n      [{_numbers(terms | self.modifiers)}]"


@register_event
@dataclass(frozen=True, slots=True)
class Routed(Event):
    unit: str
    morale: float
    kind: ClassVar[str] = "routed"

    def line(self) -> str | None:
        return f"{self.unit} ROUTS (morale {self.morale:.2f})"


@register_event
@dataclass(frozen=True, slots=True)
class Rallied(Event):
    unit: str
    kind: ClassVar[str] = "rallied"

    def line(self) -> str | None:
        return f"{self.unit} rallies"


@register_event
@dataclass(frozen=True, slots=True)
class Surrendered(Event):
    unit: str
    men: int
    kind: ClassVar[str] = "surrendered"

    def line(self) -> str | None:
        return f"{self.men} men of {self.unit} surrender"


@register_event
@dataclass(frozen=True, slots=True)
class Drowned(Event):
    unit: str
    men: int
    kind: ClassVar[str] = "drowned"

    def line(self) -> str | None:
        return f"{self.men} men of {self.unit} are lost in the river"


@register_event
@dataclass(frozen=True, slots=True)
class LeaderKilled(Event):
    unit: str
    leader: str
    kind: ClassVar[str] = "leader_killed"

    def line(self) -> str | None:
        return f"{self.leader} of {self.unit} is killed"


@register_event
@dataclass(frozen=True, slots=True)
class Escaped(Event):
    unit: str
    men: int
    kind: ClassVar[str] = "escaped"

    def line(self) -> str | None:
        return f"{self.men} men of {self.unit} get away off the map"


@register_event
@dataclass(frozen=True, slots=True)
class HexTaken(Event):
    hex: str
    side: str
    place: str | None
    kind: ClassVar[str] = "hex_taken"

    def line(self) -> str | None:
        where = f"{self.place} ({self.hex})" if self.place else self.hex
        return f"{self.side} takes {where}"


@register_event
@dataclass(frozen=True, slots=True)
class TurnEnded(Event):
    time: str
    night: bool
    men: dict[str, int]  # side id -> men present (arrived, on the map)
    kind: ClassVar[str] = "turn_ended"


@register_event
@dataclass(frozen=True, slots=True)
class GameEnded(Event):
    winner: str  # a side id or "draw"
    reason: str
    state_hash: str
    kind: ClassVar[str] = "game_ended"

    def line(self) -> str | None:
        return f"game over: {self.winner} ({self.reason}); state {self.state_hash}"


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


__all__ = ["EVENT_TYPES", "Event", "event_from_dict", "field", "register_event"]
