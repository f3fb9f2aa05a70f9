"""What a side is told of the battle, and the log's text, plain or with the numbers behind each
result (X).

Under fog of war a side is told what it could see when it happened: `Session.told` freezes, right
after each turn, which events the side heard of and whether it could read their numbers then
(`session.shown_filter`, `session.names_only`). The log reads that record, so a line once shown
never vanishes because the hex is out of sight now. Lines are in the player's words (unit, side
and place names, `narrative.tell`); every turn has a line, a quiet one too.
"""

from __future__ import annotations

from ...core.events import Event, TurnEnded
from ...narrative import Words, fire_summary, tell
from ..labels import esc
from ..session import Session, known_unit_ids, names_only, shown_filter

__all__ = [
    "EXPLAINED_TURNS",
    "PLAIN_TURNS",
    "known_unit_ids",
    "log_html",
    "log_lines",
    "names_only",
    "shown_filter",
    "told_events",
    "words_for",
]

EXPLAINED_TURNS = 6  # turns the log shows with every result's numbers (X)
PLAIN_TURNS = 30  # turns the plain log shows


def words_for(session: Session, side: int) -> Words:
    """The names `side` reads: every unit, side and river, and the places it is shown."""
    hidden = session.hidden_places() if session.viewer() == side else frozenset()
    return Words.of(session.scenario, hidden)


def told_events(session: Session, side: int, upto: int) -> list[tuple[Event, bool]]:
    """The first `upto` events as `side` was told them: (event, whether its numbers are
    shown), in order."""
    told = session.told[side]
    events = session.events
    return [(events[k], told[k]) for k in sorted(told) if k < upto]


def log_lines(session: Session, side: int, upto: int, explain: bool) -> list[tuple[int, list[str]]]:
    """The log's lines per turn (turn, lines), newest turn last: every turn ended has at least
    one line (a quiet turn says so, with the side's men)."""
    words = words_for(session, side)
    by_turn: dict[int, list[tuple[Event, bool]]] = {}
    for event, numbers in told_events(session, side, upto):
        by_turn.setdefault(event.turn, []).append((event, numbers))
    own = session.state.side_ids[side]
    found = []
    # Explained, every volley has a line of its own: fewer turns keep the box quick to draw.
    for turn in sorted(by_turn)[-(EXPLAINED_TURNS if explain else PLAIN_TURNS) :]:
        lines = []
        plain = []  # the events told without their numbers, whose fire is summed up
        ended = None
        for event, numbers in by_turn[turn]:
            if isinstance(event, TurnEnded):
                ended = event
                continue
            detail = explain and numbers
            if line := tell(event, words, explain=detail):
                lines.append(line)
            if not detail:
                plain.append(event)
        if summary := fire_summary(plain, words):
            lines.append(summary)
        if not lines and ended is not None:
            men = ended.men.get(own)
            count = f": {words.side(own)} {words.men(men)}" if men is not None else ""
            lines.append(f"a quiet turn, nothing seen happened{count}")
        if lines:
            found.append((turn, lines))
    return found


def log_html(session: Session, side: int, upto: int, explain: bool) -> str:
    """The log of the first `upto` events as `side` was told them, newest turn first (each
    turn's lines in the order they happened): the box opens on the latest turn, with no need to
    scroll (pygame_gui's scroll bar cannot reach the end of a long text: its handle has a least
    height)."""
    parts = []
    for turn, lines in reversed(log_lines(session, side, upto, explain)):
        parts.append(f"<b>Turn {turn + 1}</b> <i>{session.state.time_at(turn):%d %b %H:%M}</i><br>")
        for line in lines:
            color = "#f08070" if "ASSAULT" in line or "ROUTS" in line else "#e8e4da"
            if line.startswith("a quiet turn"):
                color = "#a0a096"
            parts.append(f"<font color={color}>{esc(line)}</font><br>")
    if not parts:
        parts = ["<i>The log of the battle appears here as turns end.</i>"]
    return "".join(parts)
