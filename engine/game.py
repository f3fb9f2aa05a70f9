"""The one game loop every front end drives: load a scenario, give each side's orders, end the
turn, read the outcome; save and replay.

    from engine import Game
    game = Game.load("scenarios/furong_mountain.yaml", seed=7)
    while not game.over:
        for side in game.sides_to_order():
            game.apply_orders(side, game.computer_orders(side))
        game.end_turn()
    result = game.outcome()

People's orders are checked (`apply_orders` raises `OrderError` and changes nothing); the
computer's orders, handed back unchanged from `computer_orders`, take a trusted path with no
check, as python-chess's `push` does beside `push_san`. `wargame run`, `wargame replay`, the
batch workers, calibration and the window all play through this class.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np

from .ai.planner import default_mode, plan_order_rows, plan_turn_rows
from .core.events import Event
from .core.orders import (
    ROW_WIDTH,
    Assault,
    Bombard,
    Fire,
    Hold,
    Move,
    Order,
    OrderParseError,
    Withdraw,
    order_hex,
    parse,
    rows_to_orders,
)
from .core.state import GameState
from .history import Comparison, compare
from .quiet_game import play_quiet_turns
from .resources import locate_scenario
from .rules.bombardment import in_range, rounds_available
from .rules.movement import enemy_zone, time_field
from .rules.turn import IllegalOrderError, check_order, new_game
from .rules.turn import end_turn as resolve_turn
from .rules.whole_turn import whole_turn_plays
from .scenario import LoadedScenario, load_scenario, load_scenario_text
from .scenario.models import Scenario

AI_MODES = ("plan", "adaptive")
_UNIT = attrgetter("unit")


class OrderError(IllegalOrderError):
    """An order refused by `Game.apply_orders`: which unit, which order (text form) and why.
    A ValueError (through IllegalOrderError, which the window already catches)."""

    def __init__(self, unit: str, order: str, reason: str) -> None:
        super().__init__(f"{order!r} for {unit}: {reason}")
        self.unit, self.order, self.reason = unit, order, reason


@dataclass(frozen=True)
class Outcome:
    """How a game ended (or stands, if it is not over): a named record, not a tuple."""

    winner: str | None  # side id, None for a draw or a game not over
    turn: int  # turns played
    over: bool
    men: dict[str, int]  # able men of each side on the map (or still to arrive)
    history: tuple[Comparison, ...]  # each history metric: this game's value beside history's

    def metric(self, metric_id: str) -> Comparison:
        """The comparison of the history metric `metric_id`."""
        for comparison in self.history:
            if comparison.entry.id == metric_id:
                return comparison
        raise KeyError(f"no history metric {metric_id!r}")


class LegalOrders:
    """Every order one unit may be given now, worked out lazily, in the manner of python-chess's
    `legal_moves`: `order in legal`, `for order in legal`, `legal.count()`, `len(legal)`."""

    def __init__(self, game: Game, unit: int) -> None:
        self._game, self._unit = game, unit

    def __contains__(self, order: object) -> bool:
        if not isinstance(order, Order) or order.unit != self._unit:
            return False
        return self._game._problem(order) is None

    def __iter__(self) -> Iterator[Order]:
        return self._game._candidates(self._unit)

    def count(self) -> int:
        return sum(1 for _ in self)

    def __len__(self) -> int:
        return self.count()

    def texts(self) -> list[str]:
        """The orders in their text form (`move roc_1 42`), as logs and replays write them."""
        ids = self._game.state.units.ids
        return [order.text(ids) for order in self]

    def __repr__(self) -> str:
        ids = self._game.state.units.ids
        return f"<LegalOrders for {ids[self._unit]}: {self.count()} orders>"


class Game:
    """One game: its state, the orders given this turn, the events so far, every turn's orders
    (the replay log).

    `keep_events=False` is a batch's way: no events or orders are kept, and the game-over event
    carries no state hash (working it out costs a battle several per cent, and no log will hold
    it); `game.state.state_hash()` still gives it on demand.

    `detail_events=False` goes further, for batches that read the state and the game's end: a
    turn builds no event at all but the game's end (`GameEnded`); what a turn's events told
    (each side's men at its end, hexes taken, routs) is in the state's ledgers
    (`engine/sim/worker.py` `men_on_the_field` reads the men). The game is the same; only what
    it reports differs."""

    def __init__(
        self,
        scenario: Scenario | LoadedScenario,
        seed: int = 1,
        *,
        overrides: dict[str, float] | None = None,
        source_text: str | None = None,
        path: str | Path | None = None,
        keep_events: bool = True,
        detail_events: bool = True,
    ) -> None:
        if isinstance(scenario, LoadedScenario):
            path = path or scenario.path
            if path is None and source_text is None and scenario.source.lines:
                # made from text (a variant's merged data): the log carries that text
                source_text = "\n".join(scenario.source.lines) + "\n"
            scenario = scenario.scenario
        self.scenario = scenario
        self.seed = seed
        self.overrides = dict(overrides or {})
        self.path = str(path) if path else None
        self.source_text = source_text
        self.keep_events = keep_events
        self.state: GameState = new_game(scenario, seed, self.overrides or None)
        self.state.record_events = detail_events
        self.events: list[Event] = []
        self.orders: list[list[str]] = []  # every turn's orders, text form (the replay log)
        self._pending: tuple[dict[int, Order], dict[int, Order]] = ({}, {})
        self._given: set[int] = set()
        # The orders `computer_orders` handed out this turn, per side: `apply_orders` takes
        # these very tuples (which cannot have been changed) without a check, as python-chess's
        # `push` takes a move it made itself.
        self._trusted: list[tuple[Order, ...] | None] = [None, None]
        self._trusted_rows: list[np.ndarray | None] = [None, None]  # the same, as order rows
        # A side's orders this turn as integer rows (engine/core/orders.py `ROW_WIDTH`), while
        # they are exactly what the computer gave: the turn reads rows, so a batch's games never
        # make Order records (`give_computer_orders`). Where a side's `_pending` is empty beside
        # its rows, the Orders are made only when asked for (`pending`, a changed order).
        self._rows: list[np.ndarray | None] = [None, None]
        # (side 0's rows, side 1's, both as one array) from `give_all_computer_orders`: the turn
        # reads the one array while `_rows` still holds those very two (`_given_rows`).
        self._joined: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        # What each side's plan asks of the computer player (`computer_orders` with no mode).
        self._plan_modes = tuple(default_mode(self.state, s) for s in (0, 1))
        self._index = {unit_id: i for i, unit_id in enumerate(self.state.units.ids)}

    # ------------------------------------------------------------------ making one
    @classmethod
    def load(
        cls, path: str | Path, seed: int = 1, *, overrides: dict[str, float] | None = None
    ) -> Game:
        """A new game of the scenario file at `path` (raises ScenarioError with located
        problems for a bad file)."""
        from .rules.coefficients import coefficient_names

        loaded = load_scenario(path, coefficient_names=coefficient_names())
        text = Path(path).read_text(encoding="utf-8")
        return cls(loaded.scenario, seed, overrides=overrides, source_text=text, path=path)

    @classmethod
    def from_text(
        cls,
        text: str,
        name: str = "<string>",
        seed: int = 1,
        *,
        overrides: dict[str, float] | None = None,
    ) -> Game:
        """A new game of a scenario given as YAML text (`name` is used in error messages)."""
        from .rules.coefficients import coefficient_names

        loaded = load_scenario_text(text, name, coefficient_names=coefficient_names())
        return cls(loaded.scenario, seed, overrides=overrides, source_text=text)

    # ------------------------------------------------------------------ reading it
    @property
    def over(self) -> bool:
        return self.state.finished

    @property
    def turn(self) -> int:
        return self.state.turn

    @property
    def side_ids(self) -> tuple[str, ...]:
        return self.state.side_ids

    def side_index(self, side: str | int) -> int:
        """A side's number from its id or number (raises ValueError for neither)."""
        if side.__class__ is int and (side == 0 or side == 1):  # the common case, asked each turn
            return side  # type: ignore[return-value]
        if isinstance(side, str) and side in self.state.side_ids:
            return self.state.side_ids.index(side)
        raise ValueError(f"no side {side!r}; the sides are {', '.join(self.state.side_ids)}")

    def unit_index(self, unit: str | int) -> int:
        if isinstance(unit, int) and not isinstance(unit, bool) and 0 <= unit < len(self._index):
            return unit
        if isinstance(unit, str) and unit in self._index:
            return self._index[unit]
        raise ValueError(f"no unit {unit!r} in {self.scenario.id}")

    def sides_to_order(self) -> list[str]:
        """The sides that have not given their orders this turn (empty once the game is over)."""
        if self.over:
            return []
        return [sid for s, sid in enumerate(self.state.side_ids) if s not in self._given]

    def pending(self, side: str | int) -> list[Order]:
        """The orders `side` has given this turn so far."""
        s = self.side_index(side)
        self._make_orders(s)
        return list(self._pending[s].values())

    def _make_orders(self, s: int) -> None:
        """Side `s`'s orders as Order records in `_pending`, where only their rows were kept."""
        rows = self._rows[s]
        if rows is not None and not self._pending[s]:
            self._keep(s, rows_to_orders(rows))

    def _keep(self, s: int, orders: Iterable[Order]) -> None:
        """`orders` among side `s`'s pending ones, by unit: a unit given two keeps the last."""
        self._pending[s].update(zip(map(_UNIT, orders), orders, strict=True))

    def outcome(self) -> Outcome:
        state = self.state
        u = state.units
        men = {sid: 0 for sid in state.side_ids}
        for i in range(u.count):
            if not u.gone[i]:
                men[state.side_ids[int(u.side[i])]] += int(u.men[i])
        return Outcome(state.winner, state.turn, state.finished, men, tuple(compare(state)))

    # ------------------------------------------------------------------ orders
    def legal_orders(self, unit: str | int) -> LegalOrders:
        """Every order the unit may be given now (a lazy view)."""
        return LegalOrders(self, self.unit_index(unit))

    def computer_orders(self, side: str | int, mode: str | None = None) -> tuple[Order, ...]:
        """The computer player's orders for `side` this turn. `mode` is `plan` (follow the
        scenario's plan) or `adaptive` (go for the victory conditions); None: what the plan
        names. The result, handed back unchanged to `apply_orders`, is taken without a check."""
        s, rows = self._computer_rows(side, mode)
        orders = self._trusted[s] = tuple(rows_to_orders(rows))
        self._trusted_rows[s] = rows
        return orders

    def give_computer_orders(self, side: str | int, mode: str | None = None) -> None:
        """Give `side` the computer player's orders for this turn (`mode` as `computer_orders`):
        `apply_orders(side, computer_orders(side, mode))` without making an Order record for
        them (the turn reads them as integer rows), the batch's and `wargame run`'s way."""
        if self.state.finished:
            raise OrderError("-", "-", "the game is over")
        s, rows = self._computer_rows(side, mode)
        if self._pending[s] or self._rows[s] is not None:  # on top of orders given before
            self._make_orders(s)
            self._keep(s, rows_to_orders(rows))
            self._rows[s] = None
        else:
            self._rows[s] = rows
        self._given.add(s)

    def give_all_computer_orders(self, modes: tuple[str | None, str | None] = (None, None)) -> None:
        """Give both sides the computer player's orders for this turn, side 0's then side 1's
        (`modes[s]` as `give_computer_orders`' `mode`): the same as `give_computer_orders` for
        each side, but where both play their plan with nothing given before, in one kernel
        call for both (`plan_turn_rows`), the headless game loop's way."""
        if self.state.finished:
            raise OrderError("-", "-", "the game is over")
        if not self._both_plans_afresh(modes):
            for s in (0, 1):
                self.give_computer_orders(s, modes[s])
            return
        rows, ends = plan_turn_rows(self.state)
        self._rows[0], self._rows[1] = rows[:ends], rows[ends:]
        self._joined = (self._rows[0], self._rows[1], rows)
        self._given.update((0, 1))

    def play_out_quietly(
        self, modes: tuple[str | None, str | None] = (None, None)
    ) -> list[Event] | None:
        """Play the rest of the game at once, the computer commanding both sides, where nothing
        is lost by it: a game that keeps no events or orders and reports none
        (`keep_events=False, detail_events=False`: a batch's), both sides playing their plans
        (`modes` as `give_all_computer_orders`' `modes`), no order given yet this turn, the
        kernels compiled. Returns the events of the turns played (the game's end among them),
        or None where it may not, having done nothing: the caller plays turn by turn.

        Why: such a game's turns are whole compiled calls, many turns to a call
        (engine/quiet_game.py); the turns are those `give_all_computer_orders` and `end_turn`
        play (tests/test_whole_turn.py holds them equal, turn by turn)."""
        if (
            self.keep_events
            or self.state.finished
            or not self._both_plans_afresh(modes)
            or not whole_turn_plays(self.state)
        ):
            return None
        return play_quiet_turns(self.state, fingerprint=False)

    def _both_plans_afresh(self, modes: tuple[str | None, str | None]) -> bool:
        """Whether both sides play their plans this turn (`modes` as
        `give_all_computer_orders`') with no order given yet: what `plan_turn` decides in one
        call for both."""
        chosen = [self._plan_modes[s] if modes[s] is None else modes[s] for s in (0, 1)]
        given, pending = self._rows, self._pending
        fresh = given[0] is None and given[1] is None and not (pending[0] or pending[1])
        return fresh and chosen[0] == chosen[1] == "plan"

    def _computer_rows(self, side: str | int, mode: str | None) -> tuple[int, np.ndarray]:
        """(the side's number, the computer player's orders for it this turn as rows)."""
        s = side if side.__class__ is int and side in (0, 1) else self.side_index(side)
        if mode is None:
            mode = self._plan_modes[s]
        elif mode not in AI_MODES:
            raise ValueError(f"no computer player mode {mode!r}; expected one of {AI_MODES}")
        return s, plan_order_rows(self.state, s, mode)

    def apply_orders(self, side: str | int, orders: Iterable[Order | str]) -> None:
        """Give `side`'s orders for this turn (orders or their text form); a unit given two
        orders keeps the last. Each is checked: the first bad one raises OrderError naming the
        unit, the order and why, and none of them is given (all or nothing)."""
        s = side if side.__class__ is int and side in (0, 1) else self.side_index(side)
        if self.state.finished:
            raise OrderError("-", "-", "the game is over")
        trusted = orders is self._trusted[s]  # this turn's computer orders, unchanged (a tuple)
        checked: Iterable[Order] = orders if trusted else [self.check(s, order) for order in orders]
        first = not self._pending[s] and self._rows[s] is None  # nothing given before
        self._make_orders(s)
        self._keep(s, checked)
        self._rows[s] = self._trusted_rows[s] if trusted and first else None
        self._given.add(s)

    def push(self, side: str | int, orders: Iterable[Order]) -> None:
        """Give `side`'s orders with no check: the trusted path, for orders already checked when
        they were given (the window checks each order as a person gives it, and carries a move
        on to the next turn as it was given)."""
        s = self.side_index(side)
        self._make_orders(s)
        self._rows[s] = None
        pending = self._pending[s]
        for order in orders:
            pending[order.unit] = order
        self._given.add(s)

    def check(self, side: str | int, order: Order | str) -> Order:
        """`order` (parsed, if given as text) if `side` may give it now; raises OrderError."""
        s = self.side_index(side)
        ids = self.state.units.ids
        if isinstance(order, str):
            try:
                order = parse(order, self._index)
            except OrderParseError as error:
                words = order.split()
                raise OrderError(words[1] if len(words) > 1 else "?", order, str(error)) from None
        if not isinstance(order, Order):
            raise OrderError("?", repr(order), "not an order")
        if not 0 <= order.unit < len(ids):
            raise OrderError(str(order.unit), repr(order), "no such unit")
        text = order.text(ids)
        if int(self.state.units.side[order.unit]) != s:
            raise OrderError(
                ids[order.unit], text, f"not your unit (it is {self._side_of(order)}'s)"
            )
        problem = self._problem(order)
        if problem is not None:
            raise OrderError(ids[order.unit], text, problem)
        return order

    def _side_of(self, order: Order) -> str:
        return self.state.side_ids[int(self.state.units.side[order.unit])]

    def _problem(self, order: Order) -> str | None:
        """Why a unit cannot be given `order` now, or None: the rules' own check, then reach and
        ammunition."""
        state = self.state
        u, board = state.units, state.board
        try:
            check_order(state, order)
        except IllegalOrderError as error:
            return str(error)
        i = order.unit
        here = int(u.hex[i])
        target = order_hex(order)
        if target is None:
            return None
        label = board.label(target)
        if isinstance(order, Move | Withdraw):
            if target in enemy_zone(state, int(u.side[i]))[0]:
                return f"hex {label} is held by the enemy: assault it"
            if not self._reachable(here)[target]:
                return f"out of reach: no way over the ground to hex {label}"
        elif isinstance(order, Assault):
            if board.distance(here, target) != 1:
                return f"out of reach: hex {label} is not next to the unit (move closer first)"
        elif isinstance(order, Bombard):
            groups = [w for w in u.indirect[i] if in_range(state, w, here, target)]
            if not groups:
                return f"out of reach: hex {label} is outside the range of its guns"
            if not any(rounds_available(state, w) > 0 for w in groups):
                return "no ammunition left for the guns in range"
        elif isinstance(order, Fire):
            if u.ammo[i] <= 0:
                return "no ammunition left"
            if board.distance(here, target) * board.hex_size_m > u.fire_range_m[i]:
                return f"out of reach: hex {label} is beyond the range of its weapons"
        return None

    def _reachable(self, here: int) -> list[bool]:
        """Which hexes can be reached over the ground from `here` at all (in any number of turns);
        the same for every game of the scenario, so kept on the board."""
        board, c = self.state.board, self.state.coefficients
        return board.shared(
            ("game_reachable", here, tuple(sorted(vars(c).items()))),
            lambda: [t < float("inf") for t in time_field(board, here, c)],
        )

    def _candidates(self, i: int) -> Iterator[Order]:
        """The legal orders of unit `i`, in a fixed order: hold, moves, withdrawals, assaults,
        bombardments, fire (each by hex number). Hexes are proposed where the order can mean
        something (fire and assault where the enemy is); each one is then checked."""
        state = self.state
        u, board = state.units, state.board
        if not (0 <= i < u.count) or not u.arrived[i] or u.gone[i] or u.hex[i] < 0:
            return
        here = int(u.hex[i])
        side = int(u.side[i])
        yield Hold(i)
        if u.routed[i]:
            kinds: tuple[type[Order], ...] = (Withdraw,)
        else:
            kinds = (Move, Withdraw, Assault, Bombard, Fire)
        held = enemy_zone(state, side)[0]
        reachable = self._reachable(here)
        for kind in kinds:
            if kind in (Move, Withdraw):
                hexes: Iterable[int] = (
                    h for h in range(board.size) if h != here and reachable[h] and h not in held
                )
            elif kind is Assault:
                hexes = sorted(h for h in board.neighbors[here] if h in held)
            elif kind is Fire:
                hexes = sorted(held)
            else:
                hexes = range(board.size)
            for h in hexes:
                order = kind(i, h)  # type: ignore[call-arg]
                if self._problem(order) is None:
                    yield order

    # ------------------------------------------------------------------ the turn
    def end_turn(self) -> list[Event]:
        """Resolve the turn with the orders given (a side that gave none, and every unit without
        an order, holds). Returns the turn's events."""
        if self.over:
            return []
        given = self._given_rows()
        if given is None:  # orders from people: as records, the turn makes them rows
            self._make_orders(0)
            self._make_orders(1)
            given = [*self._pending[0].values(), *self._pending[1].values()]
        if self.keep_events:
            ids = self.state.units.ids
            orders = given if isinstance(given, list) else rows_to_orders(given)
            self.orders.append([o.text(ids) for o in orders])
        # the game-over event's state hash only where a log keeps it (see `keep_events`)
        events = resolve_turn(self.state, given, fingerprint=self.keep_events)
        if self.keep_events:
            self.events.extend(events)
        self._pending = ({}, {})
        self._given = set()
        self._trusted = [None, None]
        self._trusted_rows = [None, None]
        self._rows = [None, None]
        self._joined = None
        return events

    def _given_rows(self) -> np.ndarray | None:
        """Both sides' orders as one array of rows (side 0's first), when each side's are rows
        or none; None when a side's are Order records."""
        joined = self._joined
        if joined is not None and self._rows[0] is joined[0] and self._rows[1] is joined[1]:
            return joined[2]  # both sides' rows from one `give_all_computer_orders`
        parts = []
        for s in (0, 1):
            if self._rows[s] is not None:
                parts.append(self._rows[s])
            elif self._pending[s]:
                return None
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts) if parts else np.empty((0, ROW_WIDTH), np.int64)

    def _play_logged(self, texts: list[str]) -> list[Event]:
        """One turn of a log: its orders parsed and checked only for what the rules need (units
        of the scenario, hexes on the map), as they were given when the game was played."""
        state = self.state
        orders = [parse(text, self._index) for text in texts]
        for order in orders:
            target = order_hex(order)
            if target is not None and not 0 <= target < state.board.size:
                raise ValueError(f"order {order.text(state.units.ids)!r}: no such hex")
        by_side: tuple[dict[int, Order], dict[int, Order]] = ({}, {})
        for order in orders:
            by_side[int(state.units.side[order.unit])][order.unit] = order
        if [o for side in by_side for o in side.values()] != orders:
            # not in the order the game gives them (side by side): resolve them as logged
            self.orders.append(list(texts))
            events = resolve_turn(state, orders)
            self.events.extend(events)
            return events
        self._pending = by_side
        return self.end_turn()

    # ------------------------------------------------------------------ saving and replays
    def header(self) -> dict[str, Any]:
        """The replay log's header: where the scenario is (its text too when it has no file),
        its hash, the seed and the overrides."""
        from .headless import scenario_hash

        text = self.source_text
        if text is None and self.path:
            text = Path(self.path).read_text(encoding="utf-8")
        header: dict[str, Any] = {
            "scenario": str(Path(self.path).resolve()) if self.path else "",
            "scenario_hash": scenario_hash(text or ""),
            "seed": self.seed,
            "overrides": self.overrides,
        }
        if not self.path and text is not None:
            header["scenario_text"] = text
        return header

    def save(self, path: str | Path, header: dict[str, Any] | None = None) -> Path:
        """Write the game as a replay log (JSON Lines, atomically): the header, every turn's
        orders and events, the final state's hash. `header` adds keys (the window's `ui`)."""
        from .headless import GameRecord, write_log

        path = Path(path)
        record = GameRecord(self.state, list(self.events), list(self.orders))
        write_log(path, record, {**self.header(), **(header or {})})
        return path

    @classmethod
    def load_save(cls, path: str | Path, scenario: str | Path | None = None) -> Game:
        """The game a save (or any `wargame run --events` log) holds, replayed to where it was.
        Raises ValueError if the log cannot be read or does not replay to its saved state."""
        from .headless import read_log

        path = Path(path)
        log = read_log(path)
        return cls.replay(log, scenario, base=path.parent)

    @classmethod
    def replay(
        cls,
        log: list[dict[str, Any]] | str | Path,
        scenario: Scenario | str | Path | None = None,
        *,
        base: Path | None = None,
        verify: bool = True,
    ) -> Game:
        """Replay a log (its lines as `read_log` gives them, or its path): the same orders
        through the rules with the same seed. With `verify`, raises ValueError when an event or
        the final state differs from the log's."""
        from .headless import read_log, replay_game

        if isinstance(log, str | Path):
            base = Path(log).parent
            log = read_log(Path(log))
        header = log[0]
        if scenario is None:
            scenario = _scenario_of(header, base)
        game, difference, expected = replay_game(scenario, log)
        if verify:
            if difference is not None:
                raise ValueError(f"the replay differs from the log at {difference}")
            found = game.hash_for(header)
            if found != expected:
                raise ValueError(
                    f"replaying the orders gives state {found}, not the logged {expected}"
                    " (has the scenario or the rules changed?)"
                )
        return game

    def hash_for(self, header: dict[str, Any]) -> str:
        """The state's hash as a log of `header`'s version writes it."""
        if int(header.get("version", 1)) < 2:
            return self.state.state_hash_v1()
        return self.state.state_hash()


def _scenario_of(header: dict[str, Any], base: Path | None) -> LoadedScenario:
    """The scenario a log's header names: its embedded text, else its file (looked for beside
    the log, in ./scenarios and among the shipped scenarios when moved)."""
    from .rules.coefficients import coefficient_names

    names = coefficient_names()
    if isinstance(header.get("scenario_text"), str):
        return load_scenario_text(
            header["scenario_text"], "<saved scenario>", coefficient_names=names
        )
    name = header.get("scenario")
    if not name or not isinstance(name, str):
        raise ValueError("the log names no scenario file")
    return load_scenario(locate_scenario(name, base), coefficient_names=names)
