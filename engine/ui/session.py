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

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.events import Event
from ..core.orders import Move, Order, Withdraw, parse
from ..core.state import GameState
from ..game import Game
from ..headless import read_log, replay_game
from ..resources import locate_scenario
from ..rules.turn import IllegalOrderError, check_order
from ..scenario import LoadedScenario, load_scenario, load_scenario_text
from .fog import FogMemory, plan_places

SAVE_VERSION = 1


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

    def __post_init__(self) -> None:
        self.game = Game(self.loaded, self.seed, overrides=self.overrides or None)
        self.look()

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
        events = game.end_turn()
        self._carry_standing_orders()
        self.pending = dict(self.standing)
        self.given = []
        self.done = set()
        self.look()
        return events

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
        return session


def save_name(session: Session, folder: Path | None = None) -> str:
    """A file name for a new save: scenario, turn and time, with a number after it when a save of
    that second is already in `folder` (two saves never share a file)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{session.scenario.id}-turn{session.state.turn + 1:03d}-{stamp}"
    name, n = f"{base}.jsonl", 2
    while folder is not None and (folder / name).exists():
        name, n = f"{base}-{n}.jsonl", n + 1
    return name


def list_saves(folder: Path) -> list[Path]:
    """Saved games in `folder`, newest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("*.jsonl") if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


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
    scenario = Path(scenario).stem if isinstance(scenario, str) else "?"
    turn = ui.get("turn")
    when = str(header.get("saved", ""))
    turn_text = f"turn {turn + 1}" if isinstance(turn, int) else "finished log"
    return f"{scenario}, {turn_text}, saved {when.replace('T', ' ')}"
