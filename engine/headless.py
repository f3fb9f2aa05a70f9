"""One whole game without a screen: the computer gives both sides' orders, the rules resolve the
turns. The CLI's `run` and `replay`, the batch runner and the tests all play games through here.

A game's log is JSON Lines: a header (scenario hash, seed, overrides), then for each turn the
orders given and the events that followed, and last the final state hash. Replaying feeds the
recorded orders back through the rules with the same seed, and must end in the same state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ai.planner import plan_orders
from .core.events import Event
from .core.orders import Order, parse
from .core.state import GameState
from .rules.turn import end_turn, new_game
from .scenario.models import Scenario

LOG_VERSION = 1


def scenario_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class GameRecord:
    state: GameState
    events: list[Event] = field(default_factory=list)
    orders: list[list[str]] = field(default_factory=list)  # per turn, text form


def play(
    scenario: Scenario,
    seed: int,
    *,
    overrides: dict[str, float] | None = None,
    ai_modes: dict[int, str] | None = None,
    keep_events: bool = True,
    on_turn: Callable[[GameState, list[Event]], None] | None = None,
) -> GameRecord:
    """Play a whole game, the computer commanding both sides."""
    state = new_game(scenario, seed, overrides)
    if ai_modes:
        state.ai_modes = dict(ai_modes)
    record = GameRecord(state)
    ids = state.units.ids
    while not state.finished:
        orders: list[Order] = [*plan_orders(state, 0), *plan_orders(state, 1)]
        if keep_events:
            record.orders.append([o.text(ids) for o in orders])
        events = end_turn(state, orders)
        if keep_events:
            record.events.extend(events)
        if on_turn is not None:
            on_turn(state, events)
    return record


def write_log(path: Path, record: GameRecord, header: dict[str, Any]) -> None:
    """The game as JSON Lines, written atomically."""
    from .atomic import write_atomic

    lines = [json.dumps({"kind": "header", "version": LOG_VERSION, **header}, ensure_ascii=False)]
    by_turn: dict[int, list[Event]] = {}
    for event in record.events:
        by_turn.setdefault(event.turn, []).append(event)
    last = len(record.orders) - 1
    for turn, orders in enumerate(record.orders):
        lines.append(json.dumps({"kind": "orders", "turn": turn, "orders": orders}))
        # the last turn's orders are followed by every event left, those the game's end stamps
        # with the turn after it included
        shown = [turn] if turn < last else sorted(t for t in by_turn if t >= turn)
        lines.extend(event_line(e) for t in shown for e in by_turn.get(t, []))
    lines.append(
        json.dumps(
            {
                "kind": "final",
                "state_hash": record.state.state_hash(),
                "winner": record.state.winner,
            }
        )
    )
    write_atomic(path, "\n".join(lines) + "\n")


def read_log(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{path}:{number}: not a JSON line ({error.msg})") from None


@dataclass
class ReplayResult:
    state: GameState
    expected_hash: str
    turns: int
    first_difference: str | None = None  # the first event the replay did not reproduce

    @property
    def matches(self) -> bool:
        return self.first_difference is None and self.state.state_hash() == self.expected_hash


def event_line(event: Event) -> str:
    """An event as a line of the log (times as text)."""
    return json.dumps(event.to_dict(), ensure_ascii=False, default=str)


def _plain(event: Event) -> dict[str, Any]:
    """An event as it reads back from a log line (tuples as lists, times as text)."""
    return json.loads(event_line(event))


def replay(scenario: Scenario, log: list[dict[str, Any]]) -> ReplayResult:
    """Feed a log's orders back through the rules with its seed. When the log holds the events,
    each one the rules produce again is compared with the logged one, so a log whose events were
    changed is caught even where the final state is not."""
    header = next(item for item in log if item.get("kind") == "header")
    final = next(item for item in log if item.get("kind") == "final")
    state = new_game(scenario, int(header["seed"]), header.get("overrides") or None)
    index = {unit_id: i for i, unit_id in enumerate(state.units.ids)}
    logged = [item for item in log if item.get("kind") not in ("header", "orders", "final")]
    turns = 0
    again: list[Event] = []
    for item in log:
        if item.get("kind") != "orders":
            continue
        orders = [parse(text, index) for text in item["orders"]]
        again.extend(end_turn(state, orders))
        turns += 1
    difference = _first_difference(logged, again) if logged else None
    return ReplayResult(state, final["state_hash"], turns, difference)


def _first_difference(logged: list[dict[str, Any]], events: list[Event]) -> str | None:
    """Where the replayed events first differ from the logged ones, in the log's order (events
    grouped by turn, as `write_log` writes them)."""
    again = [_plain(e) for e in sorted(events, key=lambda e: e.turn)]
    for k, (was, now) in enumerate(zip(logged, again, strict=False)):
        if was != now:
            keys = sorted(key for key in set(was) | set(now) if was.get(key) != now.get(key))
            return (
                f"event {k + 1}, turn {int(now.get('turn', 0)) + 1} ({now.get('kind', '?')}):"
                f" the log has {', '.join(f'{key}={was.get(key)!r}' for key in keys[:3])},"
                f" the replay {', '.join(f'{key}={now.get(key)!r}' for key in keys[:3])}"
            )
    if len(logged) != len(again):
        return f"the end: the log has {len(logged)} events, the replay {len(again)}"
    return None
