"""One whole game without a screen, the computer giving both sides' orders, and the game log:
writing, reading and replaying it. The game loop itself is `engine.game.Game`; `play` and
`replay` here drive it for the CLI's `run` and `replay`, the batch runner and calibration.

A game's log is JSON Lines: a header (scenario hash, seed, overrides), then for each turn the
orders given and the events that followed, and last the final state hash. Replaying feeds the
recorded orders back through the rules with the same seed, and must end in the same state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core.dice import DICE
from .core.events import Event
from .core.state import GameState
from .rules.coefficients import coefficients
from .scenario import LoadedScenario
from .scenario.models import Scenario

if TYPE_CHECKING:
    from .game import Game

# 2: the final state hash (and the game-over event's) is `GameState.state_hash`, made from every
# field of the state; logs of version 1 carry `state_hash_v1` and still replay.
LOG_VERSION = 2


def scenario_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class GameRecord:
    state: GameState
    events: list[Event] = field(default_factory=list)
    orders: list[list[str]] = field(default_factory=list)  # per turn, text form
    game: Game | None = None  # the game played (to save it, or go on reading it)


def play(
    scenario: Scenario | LoadedScenario,
    seed: int,
    *,
    overrides: dict[str, float] | None = None,
    ai_modes: dict[int, str] | None = None,
    keep_events: bool = True,
    detail_events: bool = True,
    on_turn: Callable[[GameState, list[Event]], None] | None = None,
) -> GameRecord:
    """Play a whole game, the computer commanding both sides (in `ai_modes`' mode for a side
    named there, else its plan's), through the one game loop. `on_turn` is told the state and
    the events after each turn; a game that keeps and reports nothing and whose sides both play
    their plans is played out in as few compiled calls as may be (`Game.play_out_quietly`), and
    `on_turn` is told once, at its end, with the events of all its turns."""
    from .game import Game

    game = Game(
        scenario,
        seed,
        overrides=overrides,
        keep_events=keep_events,
        detail_events=detail_events,
    )
    return _played(game, _modes(ai_modes), on_turn)


def _modes(ai_modes: dict[int, str] | None) -> tuple[str | None, str | None]:
    modes = (ai_modes or {}).get
    return (modes(0), modes(1))


def _played(
    game: Game,
    mode_of: tuple[str | None, str | None],
    on_turn: Callable[[GameState, list[Event]], None] | None,
) -> GameRecord:
    """`game` played to its end by the computer, `on_turn` told after each turn (after all of
    them for a game played out at once)."""
    while not game.over:
        played = game.play_out_quietly(mode_of)  # a batch's game: the rest of it at once
        if played is None:
            game.give_all_computer_orders(mode_of)
            played = game.end_turn()
        if on_turn is not None:
            on_turn(game.state, played)
    return GameRecord(game.state, game.events, game.orders, game)


class Battles:
    """Battle after battle played headless, quietly (`play` with `keep_events=False,
    detail_events=False`): a batch worker's way. Each battle's game is the one before it
    started again with the new seed (engine/restart.py `GameStart`) where the scenario,
    overrides and AI modes are the last battle's and that game could be kept; else a new game.
    The battles are the ones `play` plays (tests/test_restart.py).

    Why: a new game's setup (its state copied from the scenario's start, its compiled turn's
    kits made and typed) cost a Furong battle about a third of its time.

    A battle's `GameRecord.state` is that game's state: read it before the next battle, which
    plays in the same arrays."""

    def __init__(self) -> None:
        self._start = None  # the last battle's GameStart, while it can be started again
        self._key: tuple | None = None

    def play(
        self,
        scenario: Scenario | LoadedScenario,
        seed: int,
        *,
        overrides: dict[str, float] | None = None,
        ai_modes: dict[int, str] | None = None,
        on_turn: Callable[[GameState, list[Event]], None] | None = None,
    ) -> GameRecord:
        from .game import Game
        from .restart import GameStart

        if isinstance(scenario, LoadedScenario):
            scenario = scenario.scenario
        mode_of = _modes(ai_modes)
        # (the scenario by identity: the kept game holds it, so its id is no other's)
        key = (id(scenario), sorted((overrides or {}).items()), mode_of)
        if self._start is not None and self._key == key:
            game = self._start.again(seed)
        else:
            game = Game(scenario, seed, overrides=overrides, keep_events=False, detail_events=False)
            start = GameStart(game, mode_of)
            self._start, self._key = (start, key) if start.usable else (None, None)
        try:
            played = game.play_out_quietly(mode_of) if self._start is not None else None
        except BaseException:  # (a battle stopped half-way: the next one is a new game)
            self._start = self._key = None
            raise
        if played is None:  # played turn by turn: not a game to start again
            self._start = self._key = None
            return _played(game, mode_of, on_turn)
        if on_turn is not None:
            on_turn(game.state, played)
        return GameRecord(game.state, game.events, game.orders, game)


def write_log(path: Path, record: GameRecord, header: dict[str, Any]) -> None:
    """The game as JSON Lines, written atomically."""
    from .atomic import write_atomic

    header = {"kind": "header", "version": LOG_VERSION, "dice": DICE, **header}
    lines = [json.dumps(header, ensure_ascii=False)]
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


# A Furong log with every event is about 140 KB; a hand-edited or hostile file far past any game's
# size is refused before it is read.
MAX_LOG_BYTES = 64 * 1024 * 1024


def read_log(path: Path) -> list[dict[str, Any]]:
    """A game log's lines, checked for the shape replay and the window rely on (a header first,
    a final line with the state hash); raises ValueError naming the file and line
    (`path:line: ...`) for anything else."""
    size = path.stat().st_size
    if size > MAX_LOG_BYTES:
        raise ValueError(f"{path}: {size:,} bytes, more than a game log's {MAX_LOG_BYTES:,}")
    items: list[dict[str, Any]] = []
    # read as bytes and decoded line by line, so that bad UTF-8 is named by its line
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(
                f"{path}:{number}: not UTF-8 text (byte 0x{raw[error.start]:02x} at byte"
                f" {error.start + 1} of the line)"
            ) from None
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not a JSON line ({error.msg})") from None
        except RecursionError:
            raise ValueError(f"{path}:{number}: a JSON value nested too deep") from None
        except ValueError as error:  # a number of more digits than Python converts
            raise ValueError(f"{path}:{number}: not a JSON line ({error})") from None
        problem = _log_line_problem(item, first=not items)
        if problem:
            raise ValueError(f"{path}:{number}: {problem}")
        items.append(item)
    if not items:
        raise ValueError(f"{path}: empty; a game log starts with its header line")
    if not any(item["kind"] == "final" for item in items):
        raise ValueError(f"{path}: the log has no final line (was the game cut short?)")
    return items


def _log_line_problem(item: Any, *, first: bool) -> str | None:
    """What is wrong with one parsed log line, or None."""
    if not isinstance(item, dict) or not isinstance(item.get("kind"), str):
        return 'expected a JSON object with a "kind"'
    kind = item["kind"]
    if first != (kind == "header"):
        return (
            "a game log has one header line, its first"
            if not first
            else (f'expected the header line first, found "{kind}"')
        )
    if kind == "header":
        seed = item.get("seed")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            return f"the header's seed must be a whole number from 0, not {seed!r}"
        version = item.get("version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or not version >= 1:
            return f"the header's version must be a whole number from 1, not {version!r}"
        if version > LOG_VERSION:
            return (
                f"a log of version {version}, newer than this engine reads ({LOG_VERSION});"
                " update the engine"
            )
        if item.get("dice") is not None and not isinstance(item["dice"], str):
            return f"the header's dice must be a name, not {item['dice']!r}"
        for key in ("overrides", "ui"):
            if item.get(key) is not None and not isinstance(item[key], dict):
                return f"the header's {key} must be an object"
    elif kind == "orders":
        orders = item.get("orders")
        if not isinstance(orders, list) or not all(isinstance(o, str) for o in orders):
            return 'an orders line needs "orders", a list of order texts'
    elif kind == "final" and not isinstance(item.get("state_hash"), str):
        return 'the final line needs its "state_hash"'
    return None


@dataclass
class ReplayResult:
    state: GameState
    expected_hash: str
    turns: int
    first_difference: str | None = None  # the first event the replay did not reproduce
    found_hash: str = ""  # the replayed state's hash, as the log's version writes it

    @property
    def matches(self) -> bool:
        return self.first_difference is None and self.found_hash == self.expected_hash


def event_line(event: Event) -> str:
    """An event as a line of the log (times as text)."""
    return json.dumps(event.to_dict(), ensure_ascii=False, default=str)


def _plain(event: Event) -> dict[str, Any]:
    """An event as it reads back from a log line (tuples as lists, times as text)."""
    return json.loads(event_line(event))


def replay(scenario: Scenario | LoadedScenario, log: list[dict[str, Any]]) -> ReplayResult:
    """Feed a log's orders back through the rules with its seed. When the log holds the events,
    each one the rules produce again is compared with the logged one, so a log whose events were
    changed is caught even where the final state is not."""
    game, difference, expected = replay_game(scenario, log)
    return ReplayResult(game.state, expected, len(game.orders), difference, game.hash_for(log[0]))


def replay_game(
    scenario: Scenario | LoadedScenario, log: list[dict[str, Any]]
) -> tuple[Game, str | None, str]:
    """(the replayed game, the first event that differs from the log's or None, the log's final
    state hash). Raises ValueError for overrides or orders the rules refuse."""
    from .game import Game

    header = log[0]  # read_log checked that it is the header, and that a final line follows
    if header.get("dice") != DICE:
        made_with = header.get("dice") or "a generator drawn in turn order (before issue 15)"
        raise ValueError(
            f"the log was made with other dice ({made_with}); this engine draws with {DICE},"
            " so the same orders would play another battle. Replay it with the engine that"
            " made it, or play the scenario again"
        )
    final = next(item for item in log if item.get("kind") == "final")
    overrides = header.get("overrides") or None
    try:
        coefficients(overrides)  # the log's own overrides, before the scenario's are added
    except (KeyError, TypeError, ValueError) as error:  # a rule name or value the rules refuse
        reason = error.args[0] if error.args else error
        raise ValueError(f"the header's overrides: {reason}") from None
    game = Game(scenario, int(header["seed"]), overrides=overrides)
    logged = [item for item in log if item.get("kind") not in ("header", "orders", "final")]
    for item in log:
        if item.get("kind") != "orders":
            continue
        try:
            game._play_logged(item["orders"])
        except ValueError as error:  # an order the scenario's units cannot carry out
            raise ValueError(f"turn {len(game.orders) + 1}: {error}") from None
    again = game.events
    if int(header.get("version", 1)) < 2:  # its game-over event carries the old hash
        old = game.state.state_hash_v1()
        again = [
            replace(e, state_hash=old) if getattr(e, "kind", "") == "game_ended" else e
            for e in again
        ]
    difference = _first_difference(logged, again) if logged else None
    return game, difference, final["state_hash"]


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
