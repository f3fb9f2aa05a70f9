"""Events told as short lines for people: the CLI's turn log and the window's scrolling log read
the same sentences. Each event type declares its own sentence and its explained form
(`Event.line` and `Event.explained` in engine/core/events.py, or beside a rule that adds an event
kind); this module only asks for them and sums up a turn's direct fire."""

from __future__ import annotations

from collections import defaultdict

from .core.events import Event, Fired


def describe(event: Event, *, explain: bool = False) -> str | None:
    """One line for an event worth telling, or None for routine ones (moves, single volleys);
    with `explain`, the numbers that produced the result as well."""
    return event.explained() if explain else event.line()


def fire_summary(events: list[Event]) -> str | None:
    """Direct fire of a turn in one line: casualties inflicted per side's target units."""
    by_target: dict[str, int] = defaultdict(int)
    for event in events:
        if isinstance(event, Fired):
            by_target[event.target] += event.killed + event.wounded
    hits = {k: v for k, v in by_target.items() if v}
    if not hits:
        return None
    return "fire: " + ", ".join(f"{k} -{v}" for k, v in sorted(hits.items()))
