"""One game in the window, without the window: who commands each side, the orders given so far
this turn (which can be taken back until the turn ends), the turn's resolution, fog of war, and
saving and loading as a replay log.

The flow of a turn: each side commanded by a person gives its orders in turn (`side_to_order`),
with a hand-over between two people at one machine; then the computer plans for its side and the
rules resolve the turn (`end_turn`). The game itself is an `engine.game.Game`, the loop every
front end drives: each order is checked by it as it is given, and the turn's orders go to it
when the turn ends. Saves are the headless replay log (scenario, seed, every
turn's orders), plus a `ui` block in its header with this turn's orders so far, who commands what,
and the fog memory: a game is never saved by pickling.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.events import Event, TurnEnded
from ..core.orders import Move, Order, Withdraw, parse
from ..core.state import GameState
from ..game import Game
from ..headless import read_log, replay_game
from ..resources import locate_scenario
from ..rules.turn import IllegalOrderError, check_order
from ..scenario import LoadedScenario, load_scenario, load_scenario_text
from .fog import FogMemory, plan_places

SAVE_VERSION = 1
AUTOSAVE_PREFIX = "autosave-"  # the game saved on quitting: `wargame play --load` offers it


class SaveError(ValueError):
    """A save file that cannot be loaded, with the reason for people."""


@dataclass
class Session:
    loaded: LoadedScenario
    seed: int = 1
    humans: tuple[bool, bool] = (True, False)
    fog: bool = True
    overrides: dict[str, float] = field(default_factory=dict)
    game: Game = field(init=False)
    pending: dict[int, Order] = field(default_factory=dict)  # unit -> order, this turn
    given: list[tuple[int, Order | None]] = field(default_factory=list)  # undo stack
    done: set[int] = field(default_factory=set)  # sides whose orders are in this turn
    memory: FogMemory = field(default_factory=FogMemory)
    standing: dict[int, Order] = field(default_factory=dict)  # moves carried to the next turn
    # What each side was told, frozen when it happened (fog of war): event index -> whether its
    # numbers could be read then (every unit they name in sight). The log reads this, so it never
    # rewrites the past with what is visible now.
    told: list[dict[int, bool]] = field(default_factory=lambda: [{}, {}])

    def __post_init__(self) -> None:
        self.game = Game(self.loaded, self.seed, overrides=self.overrides or None)
        self.look()
        self.remember(0)

    @property
    def state(self) -> GameState:
        return self.game.state

    @property
    def events(self) -> list[Event]:
        return self.game.events

    @property
    def orders_log(self) -> list[list[str]]:
        """Every turn's orders, text form (the replay log)."""
        return self.game.orders

    # ------------------------------------------------------------------ who orders
    @property
    def scenario(self):
        return self.loaded.scenario

    def human_sides(self) -> list[int]:
        return [s for s in (0, 1) if self.humans[s]]

    @property
    def hot_seat(self) -> bool:
        return all(self.humans)

    def side_to_order(self) -> int | None:
        """The side whose person gives orders now; None once every person has given theirs."""
        for side in self.human_sides():
            if side not in self.done:
                return side
        return None

    def hidden_places(self) -> frozenset[str]:
        """Place ids the viewer is not shown: under fog, the other side's plan places."""
        if not self.fog:
            return frozenset()
        return plan_places(self.state.scenario, self.state.side_ids[self.viewer()])

    def viewer(self) -> int:
        """Whose eyes the map shows: the side giving orders, else the first person's side."""
        side = self.side_to_order()
        if side is not None:
            return side
        humans = self.human_sides()
        return humans[0] if humans else 0

    # ------------------------------------------------------------------ orders
    def give(self, order: Order) -> None:
        """Give (or replace) a unit's order this turn; raises IllegalOrderError (the game's
        OrderError) if it cannot be given, or if the unit is not of the side giving orders."""
        side = self.side_to_order()
        if side is None:
            raise IllegalOrderError("every side has given its orders this turn")
        self.game.check(side, order)
        self.given.append((order.unit, self.pending.get(order.unit)))
        self.pending[order.unit] = order

    def undo(self) -> Order | None:
        """Take back the last order given this turn (the unit's earlier order, if any, returns)."""
        side = self.side_to_order()
        for k in range(len(self.given) - 1, -1, -1):
            unit, before = self.given[k]
            if int(self.state.units.side[unit]) != side:
                continue
            del self.given[k]
            taken = self.pending.pop(unit, None)
            if before is not None:
                self.pending[unit] = before
            return taken
        return None

    def orders_of(self, side: int) -> dict[int, Order]:
        u = self.state.units
        return {i: o for i, o in self.pending.items() if int(u.side[i]) == side}

    def finish_orders(self) -> bool:
        """The side giving orders is done. Returns True when the turn is ready to resolve."""
        side = self.side_to_order()
        if side is not None:
            self.done.add(side)
        return self.side_to_order() is None

    # ------------------------------------------------------------------ the turn
    def end_turn(self) -> list[Event]:
        """Resolve the turn: the computer's orders for its sides, then the rules."""
        game = self.game
        for side in (0, 1):
            if self.humans[side]:
                # checked as each was given (a standing move as it was given the turn before)
                game.push(side, self.orders_of(side).values())
            else:
                game.apply_orders(side, game.computer_orders(side))
        first = len(game.events)
        events = game.end_turn()
        self._carry_standing_orders()
        self.pending = dict(self.standing)
        self.given = []
        self.done = set()
        self.look()
        self.remember(first)
        return events

    def remember(self, first: int) -> None:
        """Freeze what each side is told of the events from index `first` on, as it sees now,
        right after the turn they happened in."""
        for side in (0, 1):
            shown = shown_filter(self, side)
            known = known_unit_ids(self, side)
            told = self.told[side]
            for k in range(first, len(self.events)):
                event = self.events[k]
                if isinstance(event, TurnEnded) or shown(event):
                    told[k] = names_only(event, known)

    def _carry_standing_orders(self) -> None:
        """A move toward a hex not yet reached stays as next turn's order (until changed)."""
        u = self.state.units
        self.standing = {}
        for i, order in self.pending.items():
            if not isinstance(order, Move | Withdraw):
                continue
            if u.gone[i] or u.hex[i] < 0 or u.routed[i] or int(u.hex[i]) == order.to:
                continue
            self.standing[i] = order

    def look(self) -> None:
        for side in (0, 1):
            self.memory.update(self.state, side)

    @property
    def finished(self) -> bool:
        return self.state.finished

    def visible_units(self, side: int) -> set[int]:
        if not self.fog:
            return set(range(self.state.units.count))
        return self.memory.visible_units(self.state, side)

    # ------------------------------------------------------------------ saving
    def header(self) -> dict:
        u = self.state.units
        return {
            **self.game.header(),
            "saved": datetime.now().isoformat(timespec="seconds"),
            "ui": {
                "version": SAVE_VERSION,
                "humans": list(self.humans),
                "fog": self.fog,
                "turn": self.state.turn,
                "pending": [o.text(u.ids) for o in self.pending.values()],
                "done": sorted(self.done),
                "standing": [o.text(u.ids) for o in self.standing.values()],
                "memory": self.memory.to_dict(self.state),
                "told": [_spans(self.told[side]) for side in (0, 1)],
                "title": self.scenario.title.en,
                "battle_time": self.battle_time().isoformat(timespec="minutes"),
                "total_turns": self.state.total_turns,
            },
        }

    def save(self, path: str | Path) -> Path:
        """Write the game as a replay log with the window's block in its header (atomically)."""
        return self.game.save(path, self.header())

    @classmethod
    def load(cls, path: str | Path, scenario_path: str | Path | None = None) -> Session:
        """A game from a save (or from any `wargame run --events` log, which has no ui block)."""
        from ..rules.coefficients import coefficient_names
        from ..scenario import ScenarioError

        path = Path(path)
        try:
            log = read_log(path)
        except (OSError, ValueError) as error:
            raise SaveError(f"{path}: cannot read the saved game: {error}") from None
        header = log[0]
        name = scenario_path or header.get("scenario")
        text = header.get("scenario_text") if scenario_path is None else None
        if not isinstance(text, str) and (not name or not isinstance(name, str | Path)):
            raise SaveError(f"{path}: the save names no scenario file")
        if not isinstance(text, str):
            # moved: beside the save, in ./scenarios, then among the shipped scenarios
            name = locate_scenario(name, path.parent)
        try:
            if isinstance(text, str):  # a variant's game: the save carries its scenario's text
                loaded = load_scenario_text(
                    text, f"{path} (its scenario)", coefficient_names=coefficient_names()
                )
            else:
                loaded = load_scenario(name, coefficient_names=coefficient_names())
        except ScenarioError as error:
            raise SaveError("; ".join(str(p) for p in error.problems[:3])) from None
        except OSError as error:
            raise SaveError(f"{name}: cannot read the scenario: {error}") from None
        try:
            return cls._restore(path, loaded, log)
        except SaveError:
            raise
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
            # a hand-edited save: its figures are not what the window wrote
            reason = error.args[0] if isinstance(error, KeyError) and error.args else error
            raise SaveError(f"{path}: cannot restore the saved game: {reason}") from None

    @classmethod
    def _restore(cls, path: Path, loaded: LoadedScenario, log: list[dict]) -> Session:
        """The session a checked log describes (raises SaveError, or the errors of data that is
        not what a save holds, which `load` turns into one)."""
        header = log[0]
        ui = header.get("ui") or {}
        humans = tuple(bool(h) for h in ui.get("humans", [True, False]))
        session = cls(
            loaded,
            seed=int(header.get("seed", 1)),
            humans=humans if len(humans) == 2 else (True, False),
            fog=bool(ui.get("fog", True)),
            overrides=dict(header.get("overrides") or {}),
        )
        try:
            game, _, expected = replay_game(loaded, log)
        except ValueError as error:
            raise SaveError(f"{path}: cannot replay the saved orders: {error}") from None
        # The final state decides (a save made before an engine release that only added
        # explanation fields to events still loads); `wargame replay` also compares the events.
        found = game.hash_for(header)
        if found != expected:
            raise SaveError(
                f"{path}: replaying the saved orders gives state {found},"
                f" not the saved {expected} (has the scenario or the rules changed?)"
            )
        game.seed, game.overrides = session.seed, session.overrides
        session.game = game
        index = {unit_id: i for i, unit_id in enumerate(session.state.units.ids)}
        session.given = []
        session.pending, session.standing = {}, {}
        for key, orders in (("pending", session.pending), ("standing", session.standing)):
            for text in ui.get(key, []):
                order = parse(text, index)
                check_order(session.state, order)  # as when it was given: hexes on the map, ...
                orders[order.unit] = order
        session.done = {int(s) for s in ui.get("done", [])}
        if "memory" in ui:
            session.memory = FogMemory.from_dict(ui["memory"], session.state)
        session.look()
        told = ui.get("told")
        if isinstance(told, list) and len(told) == 2:
            session.told = [_unspans(spans) for spans in told]
        else:  # a save from before the log was frozen, or a headless log: as seen now
            session.told = [{}, {}]
            session.remember(0)
        return session

    def battle_time(self) -> datetime:
        """The battle's clock now: the start of the turn to be played, or the end of the last."""
        state = self.state
        return state.time_at(min(state.turn, state.total_turns))

    def autosave(self, folder: Path) -> Path:
        """Save to the scenario's autosave in `folder` (the one file `wargame play --load` and the
        Load menu offer first), replacing the last one."""
        return self.save(Path(folder) / f"{AUTOSAVE_PREFIX}{self.scenario.id}.jsonl")


def _spans(told: dict[int, bool]) -> list[list[int]]:
    """`told` for a save, as runs [first index, last index, numbers shown 0/1]."""
    runs: list[list[int]] = []
    for k in sorted(told):
        flag = int(told[k])
        if runs and runs[-1][1] == k - 1 and runs[-1][2] == flag:
            runs[-1][1] = k
        else:
            runs.append([k, k, flag])
    return runs


def _unspans(runs) -> dict[int, bool]:
    return {k: bool(flag) for first, last, flag in runs for k in range(int(first), int(last) + 1)}


def shown_filter(session: Session, side: int):
    """Which events a side is told of: all without fog; with fog, those about its own units
    (and its own air strikes) or in hexes it sees now."""
    if not session.fog:
        return lambda event: True
    u, board = session.state.units, session.state.board
    own = {u.ids[i] for i in range(u.count) if int(u.side[i]) == side}
    own_side = session.state.side_ids[side]
    seen = session.memory.visible_hexes[side]

    def visible(label: str) -> bool:
        col, row = (int(x) for x in label.split(","))
        return bool(seen is not None and seen[board.index(col, row)])

    def shown(event: Event) -> bool:
        names = set()
        for name in ("unit", "target"):
            value = getattr(event, name, None)
            if isinstance(value, str):
                names.add(value)
        names |= set(getattr(event, "attackers", ()) or ()) | set(
            getattr(event, "defenders", ()) or ()
        )
        if names & own or getattr(event, "side", None) == own_side:  # its own air strike too
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


def save_name(session: Session, folder: Path | None = None) -> str:
    """A file name for a new save: scenario, the battle's date and hour, its turn (`end` once the
    battle is over) and the time of saving, with a number after it when a save of that second is
    already in `folder` (two saves never share a file)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    state = session.state
    turn = "end" if state.finished else f"turn{min(state.turn + 1, state.total_turns):03d}"
    when = session.battle_time().strftime("%Y-%m-%d-%H%M")
    base = f"{session.scenario.id}-{when}-{turn}-{stamp}"
    name, n = f"{base}.jsonl", 2
    while folder is not None and (folder / name).exists():
        name, n = f"{base}-{n}.jsonl", n + 1
    return name


def list_saves(folder: Path) -> list[Path]:
    """Saved games in `folder`: the autosaves first, then the others, each newest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("*.jsonl") if p.is_file()]
    return sorted(found, key=lambda p: (not p.name.startswith(AUTOSAVE_PREFIX), -p.stat().st_mtime))


def latest_autosave(folder: Path) -> Path | None:
    """The newest autosave in `folder` (what `wargame play --load` with no file goes on with)."""
    found = [p for p in list_saves(folder) if p.name.startswith(AUTOSAVE_PREFIX)]
    return found[0] if found else None


def describe_save(path: Path) -> str:
    """One line for a save: scenario id, turn, when."""
    try:
        with path.open(encoding="utf-8") as handle:
            header = json.loads(handle.readline())
    except (OSError, ValueError):
        return f"{path.name} (unreadable)"
    if not isinstance(header, dict):
        return f"{path.name} (unreadable)"
    ui = header.get("ui") if isinstance(header.get("ui"), dict) else {}
    scenario = header.get("scenario")
    title = ui.get("title")
    if not isinstance(title, str):
        title = Path(scenario).stem if isinstance(scenario, str) else "?"
    turn, total = ui.get("turn"), ui.get("total_turns")
    when = str(header.get("saved", ""))[:16].replace("T", " ")
    with contextlib.suppress(TypeError, ValueError):
        when = f"{datetime.fromisoformat(header.get('saved')):%d %b %H:%M}"
    if isinstance(turn, int) and isinstance(total, int):
        turn_text = "over" if turn >= total else f"turn {turn + 1} of {total}"
    else:
        turn_text = f"turn {turn + 1}" if isinstance(turn, int) else "finished log"
    battle = ui.get("battle_time")
    with contextlib.suppress(TypeError, ValueError):
        turn_text = f"{datetime.fromisoformat(battle):%d %b %Y %H:%M}, {turn_text}"
    auto = "Autosave: " if path.name.startswith(AUTOSAVE_PREFIX) else ""
    return f"{auto}{title}, {turn_text} (saved {when})"
