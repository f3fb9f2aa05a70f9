"""Orders: what a side tells one unit to do this turn, as small frozen records with a text form.

The text form (`assault ija_1bn 12,7`) is what logs, replays and tests read and write; `parse`
turns it back into the record, so a game can be replayed from its orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Order:
    unit: int
    verb: ClassVar[str] = ""

    def text(self, unit_ids: tuple[str, ...]) -> str:
        return f"{self.verb} {unit_ids[self.unit]}"


@dataclass(frozen=True, slots=True)
class Hold(Order):
    """Stay, fire at what comes into range, defend the hex."""

    verb: ClassVar[str] = "hold"


@dataclass(frozen=True, slots=True)
class Move(Order):
    """Move toward `to` (hex number) along the quickest path."""

    to: int
    verb: ClassVar[str] = "move"

    def text(self, unit_ids: tuple[str, ...]) -> str:
        return f"{self.verb} {unit_ids[self.unit]} {self.to}"


@dataclass(frozen=True, slots=True)
class Assault(Order):
    """Close with and take the adjacent hex `target`."""

    target: int
    verb: ClassVar[str] = "assault"

    def text(self, unit_ids: tuple[str, ...]) -> str:
        return f"{self.verb} {unit_ids[self.unit]} {self.target}"


@dataclass(frozen=True, slots=True)
class Bombard(Order):
    """Fire indirect weapons at hex `target`, at most `rounds` rounds this turn (-1: as fast as
    the tubes can fire)."""

    target: int
    rounds: int = -1
    verb: ClassVar[str] = "bombard"

    def text(self, unit_ids: tuple[str, ...]) -> str:
        cap = f" {self.rounds}" if self.rounds >= 0 else ""
        return f"{self.verb} {unit_ids[self.unit]} {self.target}{cap}"


@dataclass(frozen=True, slots=True)
class Fire(Order):
    """Stay and aim this turn's direct fire at the enemy in hex `target` (the largest unit there),
    if it is in reach and sight; otherwise the unit fires at the nearest enemy as usual."""

    target: int
    verb: ClassVar[str] = "fire"

    def text(self, unit_ids: tuple[str, ...]) -> str:
        return f"{self.verb} {unit_ids[self.unit]} {self.target}"


@dataclass(frozen=True, slots=True)
class Withdraw(Order):
    """Fall back toward `to`, moving away from the enemy; off the map if `to` is on its edge."""

    to: int
    verb: ClassVar[str] = "withdraw"

    def text(self, unit_ids: tuple[str, ...]) -> str:
        return f"{self.verb} {unit_ids[self.unit]} {self.to}"


ORDER_TYPES: dict[str, type[Order]] = {
    cls.verb: cls for cls in (Hold, Move, Assault, Bombard, Fire, Withdraw)
}


def order_hex(order: Order) -> int | None:
    """The hex an order names (where to move, what to assault, bombard or fire at), or None for
    one that names none (hold)."""
    return getattr(order, "to", getattr(order, "target", None))


class OrderParseError(ValueError):
    pass


def parse(text: str, unit_index: dict[str, int]) -> Order:
    """An order from its text form; raises OrderParseError with the reason."""
    parts = text.split()
    if not parts or parts[0] not in ORDER_TYPES:
        raise OrderParseError(f"unknown order {text!r}; expected one of {sorted(ORDER_TYPES)}")
    cls = ORDER_TYPES[parts[0]]
    if len(parts) < 2 or parts[1] not in unit_index:
        raise OrderParseError(f"order {text!r} names no known unit")
    unit = unit_index[parts[1]]
    if cls is Hold:
        return Hold(unit)
    numbers = parts[2:]
    # hexes and rounds: ASCII digits (never < 0; str.isdigit alone also takes '²')
    if not numbers or not all(p.isascii() and p.isdigit() for p in numbers):
        raise OrderParseError(f"order {text!r} needs a hex number")
    if cls is Bombard and len(numbers) == 2:
        return Bombard(unit, int(numbers[0]), int(numbers[1]))
    if len(numbers) != 1:
        raise OrderParseError(f"order {text!r} has too many numbers")
    return cls(unit, int(numbers[0]))  # type: ignore[call-arg]
