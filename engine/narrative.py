"""Events told as short lines for people: the CLI's turn log and the window's scrolling log read
the same sentences. Each event type declares its own sentence and its explained form
(`Event.line` and `Event.explained` in engine/core/events.py, or beside a rule that adds an event
kind); this module only asks for them and sums up a turn's direct fire.

The window tells the same sentences in the player's words (`Words`, `tell`): unit, side, place
and river names instead of their ids, a hex by its place name (else `col,row`), "1 man". The
event's own sentence is asked of a copy whose name fields hold the names, so an event kind added
beside a rule is told in plain words without this module knowing it; the explained detail (the
numbers keyed by unit) keeps the ids, as files do.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, fields, replace

from .core.events import Event, Fired, GameEnded

# Event fields that hold a unit id, a tuple of them, a side id, a place id, a river id, a hex label.
_UNIT_FIELDS = ("unit", "target", "by")
_UNITS_FIELDS = ("attackers", "defenders")
_SIDE_FIELDS = ("side", "attacking_side")
_ONE_MAN = re.compile(r"\b1 men\b")


def describe(event: Event, *, explain: bool = False) -> str | None:
    """One line for an event worth telling, or None for routine ones (moves, single volleys);
    with `explain`, the numbers that produced the result as well."""
    return event.explained() if explain else event.line()


def fire_summary(events: list[Event], words: Words | None = None) -> str | None:
    """Direct fire of a turn in one line: casualties inflicted per side's target units (with
    `words`, by name and as "6 men hit"; without, the ids and "-6" of the CLI's turn log)."""
    by_target: dict[str, int] = defaultdict(int)
    for event in events:
        if isinstance(event, Fired):
            by_target[event.target] += event.killed + event.wounded
    hits = {k: v for k, v in by_target.items() if v}
    if not hits:
        return None
    if words is None:
        return "fire: " + ", ".join(f"{k} -{v}" for k, v in sorted(hits.items()))
    return "fire: " + ", ".join(  # the player's form: "9th Company 6 men hit", never "-6"
        f"{words.unit(k)} {words.men(v)} hit"
        for k, v in sorted(hits.items(), key=lambda kv: words.unit(kv[0]))
    )


@dataclass(frozen=True)
class Words:
    """The names a player reads for a scenario's ids: units, sides, places, rivers, and the hexes
    that carry a place (by their `col,row` label)."""

    units: dict[str, str]
    sides: dict[str, str]
    places: dict[str, str]
    rivers: dict[str, str]
    hexes: dict[str, str]

    @classmethod
    def of(cls, scenario, hidden: frozenset[str] = frozenset()) -> Words:
        """The English names of a scenario's units, sides, places and rivers; the places in
        `hidden` (under fog, those only the other side's plan names) keep their `col,row`."""
        shown = [p for p in scenario.map.places if p.id not in hidden]
        places = {p.id: p.name.en for p in shown}
        hexes = {f"{p.hex[0]},{p.hex[1]}": p.name.en for p in shown}
        return cls(
            units={u.id: u.name.en for u in scenario.units},
            sides={s.id: s.name.en for s in scenario.sides},
            places=places,
            rivers={r.id: r.name.en for r in scenario.map.rivers},
            hexes=hexes,
        )

    def unit(self, unit_id: str) -> str:
        return self.units.get(unit_id, unit_id)

    def side(self, side_id: str) -> str:
        return self.sides.get(side_id, side_id)

    def hex(self, label: str) -> str:
        """A hex for people: its place's name, else `col,row`."""
        return self.hexes.get(label, label)

    def men(self, n: int) -> str:
        return f"{n:,} {'man' if n == 1 else 'men'}"

    def named(self, event: Event) -> Event:
        """A copy of `event` whose name fields hold names (its numbers are untouched)."""
        values = {f.name: getattr(event, f.name) for f in fields(event)}
        changes: dict = {}
        for name in _UNIT_FIELDS:
            if isinstance(value := values.get(name), str):
                changes[name] = self.unit(value)
        for name in _UNITS_FIELDS:
            if isinstance(value := values.get(name), tuple):
                changes[name] = tuple(self.unit(v) for v in value)
        for name in _SIDE_FIELDS:
            if isinstance(value := values.get(name), str):
                changes[name] = self.side(value)
        if isinstance(value := values.get("place"), str):
            # the hex stays `col,row` beside it; a hidden place is told by its hex alone
            changes["place"] = self.places.get(value)
        elif isinstance(value := values.get("hex"), str):
            changes["hex"] = self.hex(value)
        if isinstance(value := values.get("river"), str):
            changes["river"] = self.rivers.get(value, value)
        return replace(event, **changes) if changes else event


def tell(event: Event, words: Words, *, explain: bool = False) -> str | None:
    """The event's line in the player's words (see the module's docstring); with `explain`, its
    numbers after it, the per-unit detail keyed by unit id."""
    if isinstance(event, GameEnded):
        won = "a draw" if event.winner == "draw" else f"won by {words.side(event.winner)}"
        reason = event.reason.removeprefix(f"{event.winner}: ")
        if reason != event.reason:
            reason = f"its victory condition met: {reason}"
        line = f"The battle is over: {won} ({reason})"
        return f"{line}; state {event.state_hash}" if explain else line
    named = words.named(event)
    line = named.explained() if explain else named.line()
    return _ONE_MAN.sub("1 man", line) if line else line
