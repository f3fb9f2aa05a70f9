"""What a side is told of the battle: which events it hears of under fog of war (for the log and
the animations), and the log's text, plain or with the numbers behind each result (X)."""

from __future__ import annotations

from ...core.events import Event, TurnEnded
from ...narrative import describe, fire_summary
from .. import anim
from ..session import Session
from .labels import esc

EXPLAINED_TURNS = 6  # turns the log shows with every result's numbers (X)
PLAIN_TURNS = 30  # turns the plain log shows


def names_only(event: Event, known: tuple[frozenset[str], frozenset[str]] | None) -> bool:
    """Whether every unit the event's fields name (keys and values, at any depth) is among the
    known ones; `known` is (the known ids, every unit id), or None when all are known."""
    if known is None:
        return True
    allowed, units = known
    named: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            if value in units:
                named.add(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(event.to_dict())
    return named <= allowed


def shown_filter(session: Session, side: int):
    """Which events a side is told of: all without fog; with fog, those about its own units
    or in hexes it sees now."""
    if not session.fog:
        return lambda event: True
    u, board = session.state.units, session.state.board
    own = {u.ids[i] for i in range(u.count) if int(u.side[i]) == side}
    seen = session.memory.visible_hexes[side]

    def visible(label: str) -> bool:
        return bool(seen is not None and seen[anim.parse_label(board, label)])

    def shown(event: Event) -> bool:
        names = set()
        for name in ("unit", "target"):
            value = getattr(event, name, None)
            if isinstance(value, str):
                names.add(value)
        names |= set(getattr(event, "attackers", ()) or ()) | set(
            getattr(event, "defenders", ()) or ()
        )
        if names & own:
            return True
        if event.kind == "moved":
            return visible(event.path[-1])
        label = getattr(event, "hex", None)
        return isinstance(label, str) and "," in label and visible(label)

    return shown


def known_unit_ids(session: Session, side: int) -> tuple[frozenset[str], frozenset[str]] | None:
    """The units whose numbers `side` may read in the explained log: all without fog (None),
    else its own and the enemy units it sees now. An event's numbers name every unit it
    touched (a bombardment's targets and their men, an assault's defenders, the firer), so
    under fog an event naming any other unit is told in the plain words only."""
    if not session.fog:
        return None
    u = session.state.units
    seen = session.visible_units(side)
    known = frozenset(u.ids[i] for i in range(u.count) if int(u.side[i]) == side or i in seen)
    return known, frozenset(u.ids)


def log_html(session: Session, side: int, upto: int, explain: bool) -> str:
    """The log of the first `upto` events as `side` is told them, newest turn last."""
    shown = shown_filter(session, side)
    events = [e for e in session.events[:upto] if shown(e) or isinstance(e, TurnEnded)]
    by_turn: dict[int, list[Event]] = {}
    for event in events:
        by_turn.setdefault(event.turn, []).append(event)
    parts = []
    known = known_unit_ids(session, side) if explain else None
    # Explained, every volley has a line of its own: fewer turns keep the box quick to draw.
    for turn in sorted(by_turn)[-(EXPLAINED_TURNS if explain else PLAIN_TURNS) :]:
        lines = []
        plain = []  # the events told without their numbers, whose fire is summed up
        for event in by_turn[turn]:
            numbers = explain and names_only(event, known)
            if line := describe(event, explain=numbers):
                lines.append(line)
            if not numbers:
                plain.append(event)
        if summary := fire_summary(plain):
            lines.append(summary)
        if not lines:
            continue
        parts.append(f"<b>Turn {turn + 1}</b> <i>{session.state.time_at(turn):%d %b %H:%M}</i><br>")
        for line in lines:
            color = "#f08070" if "ASSAULT" in line or "ROUTS" in line else "#e8e4da"
            parts.append(f"<font color={color}>{esc(line)}</font><br>")
    if not parts:
        parts = ["<i>The log of the battle appears here as turns end.</i>"]
    return "".join(parts)
