"""The state of one game: units as numpy arrays indexed by unit number, map layers as arrays
indexed by hex number, the clock, and the game's one random generator.

Nothing here decides anything: the rules change the state, the AI and the window read it.
Men are conserved: for every unit, men_start == men + killed + wounded + captured + drowned +
escaped at all times (`check_invariants` says so in tests).
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime, timedelta
from functools import cache, cached_property
from operator import attrgetter
from typing import Any, ClassVar

import numpy as np

from ..kernels.jit import kernel
from ..scenario.models import Blockhouse, Fortification, Minefield, Scenario, UnitType, Wire
from .board import Board, build_board
from .clock import is_dark, night_turns, turn_middle
from .dice import Dice

LEDGER_ROWS = (
    "men",
    "killed",
    "wounded",
    "captured",
    "drowned",
    "escaped",
    "officers_killed",
    "hit_in_water",
)
POSTURES = ("attack", "hasty", "prepared", "fortified", "withdrawal")
POSTURE_INDEX = {name: i for i, name in enumerate(POSTURES)}
FORT_LEVELS = {"hasty": 1, "prepared": 2, "fortified": 3}
DIRECT_CLASSES = ("small_arms", "machine_gun", "grenade_discharger")
INDIRECT_CLASSES = ("mortar", "infantry_gun", "mountain_gun", "field_gun", "howitzer")
GUN_TYPES = (UnitType.artillery, UnitType.mortar)


@dataclass
class IndirectWeapon:
    """One group of tubes of a unit: how many, what class, how fast and how far they fire."""

    weapon: str
    weapon_class: str
    tubes: int
    rounds_per_hour: float
    range_m: float
    min_range_m: float
    budget: int  # index into GameState.budget_rounds, or -1 for the unit's own ammunition
    own_rounds: float
    # The part of a round the tubes had time for but did not fire, carried into the next turn
    # they fire (rules/bombardment.py, `tube_rounds`): 0 <= carry <= 1.
    carry: float = 0.0


@dataclass
class Units:
    ids: tuple[str, ...]
    names: tuple[str, ...]
    side: np.ndarray  # int8: 0 or 1, in scenario order of sides
    hex: np.ndarray  # int32: hex number, -1 when not on the map
    men_start: np.ndarray  # int64
    men: np.ndarray  # able men present (or waiting to arrive)
    killed: np.ndarray
    wounded: np.ndarray
    captured: np.ndarray
    drowned: np.ndarray
    escaped: np.ndarray
    officers: np.ndarray
    officers_killed: np.ndarray
    hit_in_water: np.ndarray  # of the killed and wounded, those hit while in a river or lake
    morale: np.ndarray  # float64 0..1
    suppression: np.ndarray  # float64 0..1
    quality: np.ndarray  # float64 0..1
    posture: np.ndarray  # int8 index into POSTURES
    posture_home: np.ndarray  # int8: the scenario's posture, taken again when a unit stands still
    morale_start: np.ndarray  # float64: morale recovers up to this
    routed: np.ndarray  # bool
    arrived: np.ndarray  # bool: on the map (or gone from it after arriving)
    gone: np.ndarray  # bool: destroyed, surrendered or escaped: takes no further part
    crossing_hours: np.ndarray  # float64: hours still needed to reach the bank it is making for
    crossing_from: np.ndarray  # int32: the hex it entered the water from (-1 when not in it)
    crossing_back: np.ndarray  # bool: turned back in the water, making for the bank it left
    speed_kmh: np.ndarray  # float64
    firepower: np.ndarray  # float64: direct-fire points at full strength
    fire_range_m: np.ndarray  # float64: longest direct-fire range
    ammo: np.ndarray  # float64: direct-fire rounds left (inf: unlimited)
    grenades: np.ndarray  # float64
    leader_alive: np.ndarray  # bool
    leader_names: tuple[str | None, ...]
    is_gun: np.ndarray  # bool: artillery or mortar unit (cannot assault)
    # Breaking and surrender (rules/morale.py sets both at the start of each game): the share of
    # its starting men a unit may lose before it breaks (drawn per unit and game; inf: never),
    # and the share of the men a trapped unit loses who surrender rather than fight on.
    break_share: np.ndarray  # float64
    captured_share: np.ndarray  # float64
    # The unit's losses (killed, wounded, captured, drowned) at which its count toward the breaking
    # point starts: raised when it rallies or rests out of contact (rules/morale.py), so that it
    # breaks on the losses of its present engagement, not of the whole game.
    break_base: np.ndarray  # float64
    # Hours of assault a unit has in hand (rules/assault.py): spent at grips, regained by the hour
    # up to `assault_hours_per_day`, so that no unit is at grips the whole day and night.
    grip_hours: np.ndarray  # float64
    indirect: tuple[tuple[IndirectWeapon, ...], ...]
    # The LEDGER_ROWS above (men, killed, ...) are rows of this one array, so that the ledger
    # snapshots them with one copy a turn.
    tally: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0), np.int64))

    @property
    def count(self) -> int:
        return len(self.ids)

    def with_tally(self, tally: np.ndarray) -> Units:
        """These units with their ledger rows as views of `tally` (LEDGER_ROWS x units)."""
        return replace(self, tally=tally, **{name: tally[k] for k, name in enumerate(LEDGER_ROWS)})


@dataclass
class Works:
    """Obstacles and fortifications per hex, worn down by fire."""

    fort_level: np.ndarray  # int8: 0 none, 1 hasty, 2 prepared, 3 fortified
    fort_strength: np.ndarray  # float64 work points left
    fort_strength_start: np.ndarray
    blockhouse_strength: np.ndarray
    blockhouse_strength_start: np.ndarray
    mine_density: np.ndarray  # mines per metre of front
    mine_depth_m: np.ndarray
    lane: np.ndarray  # 0..1 progress of a lane blown through the minefield
    wire_lines: np.ndarray  # float64 lines of wire left uncut
    owner: np.ndarray  # int8: side that built the works of each hex (its men know the lanes)


_EVERY_PER_GAME: weakref.WeakSet[PerGame] = weakref.WeakSet()  # (see `PerGame.stores_of`)


def _nobody() -> None:
    """The last game a PerGame served, before it has served any."""
    return None


class PerGame:
    """A cache that one module keeps for each game it serves, so the state carries no caches of
    other layers: the rule, the computer player or the window that reads a figure many times a
    turn owns where it keeps it. Entries die with their game (weak keys); the last game asked
    for is remembered, since a batch plays one game at a time and this is asked in the hot loop
    (a thousand times a game: its common case is one weak reference called and compared).
    """

    __slots__ = ("__weakref__", "_games", "_last", "_last_store")

    def __init__(self) -> None:
        self._games: weakref.WeakKeyDictionary[GameState, dict] = weakref.WeakKeyDictionary()
        self._last: Callable[[], GameState | None] = _nobody
        self._last_store: dict = {}
        _EVERY_PER_GAME.add(self)

    @staticmethod
    def stores_of(state: GameState) -> list[dict]:
        """Every module's cache for `state`'s game that has one: for what starts a game again
        in its own arrays (engine/restart.py), which must put back every cache of the game."""
        stores = (cache._games.get(state) for cache in _EVERY_PER_GAME)
        return [store for store in stores if store is not None]

    def of(self, state: GameState) -> dict:
        """This module's cache for `state`'s game (empty at first)."""
        if self._last() is state:
            return self._last_store
        store = self._games.get(state)
        if store is None:
            store = self._games[state] = {}
        self._last, self._last_store = weakref.ref(state), store
        return store

    def kept_while(self, state: GameState, name, arrays: tuple[np.ndarray, ...], make):
        """`make(previous)`, remembered under `name` until one of `arrays` changes: for what is
        read several times a turn and depends on those arrays alone. Comparing their bytes is
        cheaper than recomputing; `previous` is the value made last time (None at first), for
        makers that can reuse part of it."""
        store = self._last_store if self._last() is state else self.of(state)
        key = tuple(map(np.ndarray.tobytes, arrays))
        found = store.get(name)
        if found is None or found[0] != key:
            found = store[name] = (key, make(None if found is None else found[1]))
        return found[1]


# Fields of GameState that `state_hash` leaves out, each with why: what never changes in play
# (the scenario's data and what is derived from it at the start), and bookkeeping of caches.
# Every other field, present or added later, is in the hash.
HASH_SKIPS = {
    "scenario": "the scenario's data, fixed for the game",
    "board": "built from the scenario, shared by its games",
    "coefficients": "fixed for the game (from the scenario and overrides)",
    "seed": "what the dice are keyed by; their state (`dice`) is hashed",
    "side_ids": "from the scenario",
    "budget_side": "from the scenario",
    "rears": "worked out at the start, never changed",
    "state_version": "a counter for caches, not part of the game",
    "works_changed": "a flag for `record`'s cache, not part of the game",
    "record_events": "what the rules report, not what they do",
    "side_coefficients": "fixed for the game (from the scenario's side_rules)",
    "arrival_table": "fixed for the game (from the scenario and the seed)",
    "first_routed": "a record of the units' `routed` flags (hashed) at each turn's end",
    "place_turns": "the length of the places' record, hashed as `place_timeline`",
    "arrival_rows": "the arrival timetable as rows, fixed for the game (as `arrival_table`)",
    "ledger_turns": "the length of the ledgers, hashed as `ledger` and the others",
}


class PlaceControl(Mapping):
    """`GameState.place_control`: the places' owners (an array by place number) read by place
    name, read-only, made when asked (a few hundred nanoseconds) and reading the array as it is
    then: the kernels write the array, readers ask by name."""

    __slots__ = ("_index", "_owner")

    def __init__(self, index: dict[str, int], owner: np.ndarray) -> None:
        self._index, self._owner = index, owner

    def __getitem__(self, name: str) -> int:
        return int(self._owner[self._index[name]])

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


class PlaceTimeline(Mapping):
    """`GameState.place_timeline`: each place's owner after each turn (the first `turns` rows of
    an array turn x place) read by place name, one tuple a place, read-only; empty before the
    first turn, as the record by name it stands for was."""

    __slots__ = ("_history", "_index", "_turns")

    def __init__(self, index: dict[str, int], history: np.ndarray, turns: int) -> None:
        self._index, self._history, self._turns = index, history, turns

    def __getitem__(self, name: str) -> tuple[int, ...]:
        if not self._turns:
            raise KeyError(name)
        return tuple(self._history[: self._turns, self._index[name]].tolist())

    def __iter__(self):
        return iter(self._index if self._turns else ())

    def __len__(self) -> int:
        return len(self._index) if self._turns else 0


# Fields of GameState hashed as a view of theirs rather than as themselves: the places' arrays,
# which the kernels write, are hashed as the dicts by place name they stood in for, under those
# names, so that a game's fingerprint is what it was before the arrays (the goldens pin it).
HASH_VIEWS = {
    "place_owner": "place_control",
    "place_history": "place_timeline",
    "ledger_rows": "ledger",
    "works_rows": "works_ledger",
    "rounds_rows": "rounds_ledger",
    "position_rows": "position_ledger",
}


@dataclass(eq=False)  # compared and hashed by identity: a game is a thing, not a value
class GameState:
    scenario: Scenario
    board: Board
    units: Units
    works: Works
    dice: Dice  # the game's random draws (core/dice.py)
    seed: int
    side_ids: tuple[str, ...]
    control: np.ndarray  # int8 per hex: -1 nobody, else side index
    budget_rounds: np.ndarray  # float64 per ammunition budget
    budget_side: tuple[int, ...]
    coefficients: Any = None  # the rules' Coefficients for this game (set by rules.turn.new_game)
    turn: int = 0
    state_version: int = 0  # bumped by every change of the rules, so caches know when to refresh
    finished: bool = False
    winner: str | None = None
    rounds_fired: np.ndarray = field(default_factory=lambda: np.zeros(2))
    assaults: list[tuple[int, int, str]] = field(
        default_factory=list
    )  # (turn, defending side, outcome)
    crossed_turn: dict[tuple[int, int], int] = field(default_factory=dict)  # (side, river) -> turn
    # The named places (`board.places`, by their number in its order), as arrays the kernels
    # write (rules/turn.py): who holds each (-1 nobody); who held each after every turn played,
    # a row a turn (`place_turns` rows filled, room for the whole game made at the start). Read
    # by place name through `place_control` and `place_timeline`.
    place_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    place_start: dict[str, int] = field(default_factory=dict)  # who held each place at the start
    place_history: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int8))
    place_turns: int = 0
    exits: dict[int, tuple[int, int]] = field(default_factory=dict)  # unit: (edge hex, men)
    # The ledgers, a row at the start and after each turn (`ledger_turns` rows filled, room for
    # the whole game made at the start), written by the kernel `record_turn`; read as lists of
    # rows through `ledger`, `works_ledger`, `rounds_ledger` and `position_ledger`: the units'
    # LEDGER_ROWS (turn x LEDGER_ROWS x units), the works left per side that built them (turn x
    # 2), the rounds fired per side (turn x 2), and each unit's hex while it is in the fight (-1
    # before it arrives, once gone; turn x units).
    ledger_rows: np.ndarray = field(
        default_factory=lambda: np.zeros((0, len(LEDGER_ROWS), 0), np.int64)
    )
    works_rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    rounds_rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    position_rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int32))
    ledger_turns: int = 0
    # per unit: the first turn boundary (index into the ledgers) at which it stood routed, -1
    # never; plan triggers on a rout read it (engine/ai/triggers.py)
    first_routed: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # each side's rear: where its routed units run and its beaten men get back to (`_rears`)
    rears: tuple[int, ...] = ()
    works_changed: bool = True  # set by whatever damages works, so `record` sums them again
    # whether the rules build the events that explain and mark a turn (`Game(detail_events=...)`);
    # without them a game reports only its end (GameEnded), the rest being in its arrays (the
    # places' record, the ledgers: engine/sim/worker.py reads each turn's men there)
    record_events: bool = True
    # each side's coefficients (the scenario's `side_rules` over the common ones), resolved once
    # by rules.turn.new_game; the rules that act on one side's units read them
    side_coefficients: tuple[Any, ...] = ()
    # the reinforcements' timetable of this game (arrival windows drawn from the seed), worked
    # out on its first use by rules.arrivals.arrival_turns
    arrival_table: dict[int, list] | None = None
    # the same timetable as the kernel reads it (rules.arrivals.arrival_rows): rows of (turn,
    # unit, entry hex) in the order the units come on, made with it
    arrival_rows: tuple[np.ndarray, ...] = ()
    # The state's own caches, plain attributes rather than fields (so neither in the hash nor in
    # HASH_SKIPS): where the units in the fight stand, kept while the bytes of the arrays it is
    # made from stay the same (`_placement`); who built each hex's works (`record`).
    _placed: ClassVar[tuple] = (None, None)
    _builders: ClassVar[np.ndarray | None] = None

    @property
    def place_control(self) -> Mapping[str, int]:
        """Who holds each named place now (place id -> side index, -1 nobody): `place_owner` by
        name, read-only (the rules change the array)."""
        return PlaceControl(self.board.place_index, self.place_owner)

    @property
    def place_timeline(self) -> Mapping[str, tuple[int, ...]]:
        """Who held each named place after each turn played (place id -> one side index a turn;
        empty before the first turn): `place_history` by name, read-only."""
        return PlaceTimeline(self.board.place_index, self.place_history, self.place_turns)

    def _hashed_view(self, name: str):
        """The value `state_hash` writes for field `name` (`HASH_VIEWS`): the places' dicts with
        the lists they held before they were arrays."""
        if name == "place_control":
            return dict(self.place_control)
        if name == "place_timeline":
            return {place: list(record) for place, record in self.place_timeline.items()}
        if name in ("ledger", "works_ledger", "rounds_ledger", "position_ledger"):
            return list(getattr(self, name))
        return getattr(self, name)

    def record(self) -> None:
        """Snapshot the running totals the history metrics read (after the turn just played):
        a row of each ledger, by the kernel `record_turn`."""
        record_turn(*self.record_arguments())
        self.recorded()

    def record_arguments(self) -> tuple:
        """What `record_turn` takes to write the ledgers' next row (room made for it first): for
        `record`, and for the turn's end, whose kernel writes the row itself; `recorded` after."""
        u, w = self.units, self.works
        if self.ledger_turns >= len(self.ledger_rows):
            self._room_in_ledgers()
        builders = self._builders
        if builders is None:  # who built each hex's works never changes in play
            builders = self._builders = (w.owner + 1).astype(np.intp)
        first = self.first_routed
        if len(first) != u.count:
            first = self.first_routed = np.full(u.count, -1, np.int64)
        return (
            u.tally,
            u.hex,
            u.arrived,
            u.gone,
            u.routed,
            w.fort_strength,
            w.blockhouse_strength,
            builders,
            self.works_changed,
            self.rounds_fired,
            self.ledger_turns,
            self.ledger_rows,
            self.works_rows,
            self.rounds_rows,
            self.position_rows,
            first,
        )

    def recorded(self) -> None:
        """The ledgers' row `record_arguments` named has been written."""
        self.ledger_turns += 1
        self.works_changed = False

    def _room_in_ledgers(self) -> None:
        """The ledgers with room for the game's every turn (made at the start), or, for a game
        recorded past that (tests record extra rows), twice the room they had."""
        rows = max(self.total_turns + 1, 2 * len(self.ledger_rows))
        count = self.units.count
        for name, shape, dtype in (
            ("ledger_rows", (len(LEDGER_ROWS), count), np.int64),
            ("works_rows", (2,), np.float64),
            ("rounds_rows", (2,), np.float64),
            ("position_rows", (count,), np.int32),
        ):
            setattr(self, name, _grown(getattr(self, name), rows, shape, dtype, 0))

    def room_in_place_history(self) -> np.ndarray:
        """The places' record with a row free for this turn (`place_turns` rows filled): room
        for the game's every turn (made at the start), or, for a game played on past that,
        twice the room it had, as the ledgers (`_room_in_ledgers`)."""
        history = self.place_history
        if self.place_turns >= len(history):
            rows = max(self.total_turns + 1, 2 * len(history))
            shape = (len(self.board.places),)
            history = _grown(history, rows, shape, self.place_owner.dtype, -1)
            self.place_history = history
        return history

    @property
    def ledger(self) -> list[np.ndarray]:
        """The units' ledger after each turn (LEDGER_ROWS x units a row, the start first)."""
        return self._rows_view("ledger_rows")

    @property
    def works_ledger(self) -> list[np.ndarray]:
        """The works left per side that built them after each turn (the start first)."""
        return self._rows_view("works_rows")

    @property
    def rounds_ledger(self) -> list[np.ndarray]:
        """The rounds fired per side after each turn (the start first)."""
        return self._rows_view("rounds_rows")

    @property
    def position_ledger(self) -> list[np.ndarray]:
        """Each unit's hex after each turn while it is in the fight (-1 before it arrives, once
        gone; the start first)."""
        return self._rows_view("position_rows")

    def _rows_view(self, name: str) -> list[np.ndarray]:
        """The filled rows of the ledger `name` as a list of views of them: the same list each
        time, grown (or cut) to `ledger_turns` when asked, so that its readers (the computer
        player's triggers keep what they read of it by the list's identity) see one record
        that grows. A view of the arrays, not a record of its own: changing it changes
        nothing."""
        rows = getattr(self, name)
        views = self.__dict__.setdefault("_views_of_rows", {})
        kept = views.get(name)
        if kept is None or kept[0] is not rows:
            kept = views[name] = (rows, [])
        listed, count = kept[1], self.ledger_turns
        if len(listed) != count:
            if len(listed) > count:
                del listed[count:]
            else:
                listed.extend(rows[len(listed) : count])
        return listed

    # ------------------------------------------------------------------ clock
    @cached_property
    def turn_hours(self) -> float:
        return self.scenario.clock.turn_minutes / 60.0

    def time_at(self, turn: int) -> datetime:
        return self.scenario.clock.start + timedelta(
            minutes=self.scenario.clock.turn_minutes * turn
        )

    @property
    def now(self) -> datetime:
        return self.time_at(self.turn)

    @property
    def total_turns(self) -> int:
        return self.scenario.clock.turns

    def is_night(self, moment: datetime | None = None) -> bool:
        """Darkness now: of this turn, judged at its middle (or at `moment`). The rule is
        engine/core/clock.py's, which every part of the engine asks."""
        if moment is None:
            nights = self._night_by_turn  # asked a dozen times a turn
            if self.turn < len(nights):
                return nights[self.turn]
            return self.night_of(self.turn)
        darkness = self.scenario.clock.darkness
        return is_dark(moment, darkness.starts, darkness.ends)

    def night_of(self, turn: int) -> bool:
        """Whether turn `turn` (0 is the first) is fought by night (its middle in darkness)."""
        nights = self._night_by_turn
        if 0 <= turn < len(nights):
            return nights[turn]
        clock = self.scenario.clock  # past the scenario's end
        return self.is_night(turn_middle(clock.start, clock.turn_minutes, turn))

    @cached_property
    def _night_by_turn(self) -> list[bool]:
        """Darkness of every turn (and of the turn after the last), the same for every game of
        the scenario: the rules ask a dozen times a turn."""
        clock = self.scenario.clock
        return self.board.shared(
            "night_by_turn",
            lambda: night_turns(
                clock.start,
                clock.turn_minutes,
                clock.turns + 1,
                clock.darkness.starts,
                clock.darkness.ends,
            ),
        )

    def turn_of(self, moment: datetime) -> int:
        minutes = (moment - self.scenario.clock.start).total_seconds() / 60
        return int(minutes // self.scenario.clock.turn_minutes)

    # ------------------------------------------------------------------ queries
    def side_index(self, side_id: str) -> int:
        return self.side_ids.index(side_id)

    def _placement(self) -> list:
        """[mask of the units in the fight on the map, those units by hex (made when first
        asked)], kept until a unit moves, arrives or leaves: the rules and the AI ask for both
        many times a turn."""
        u = self.units
        key = (u.hex.tobytes(), u.gone.tobytes(), u.arrived.tobytes())
        kept = self._placed
        if kept[0] != key:
            kept = self._placed = (key, [u.arrived & ~u.gone & (u.hex >= 0), None])
        return kept[1]

    def active(self) -> np.ndarray:
        """Units on the map and still in the fight (arrived, not gone)."""
        return self._placement()[0].copy()  # callers may change their mask

    def units_at(self, hex_index: int, side: int | None = None) -> list[int]:
        """The units in the fight in a hex (of one side, if given), in unit order."""
        placement = self._placement()
        by_hex: dict[int, list[int]] | None = placement[1]
        if by_hex is None:
            by_hex = placement[1] = {}
            hexes = self.units.hex.tolist()
            for i in placement[0].nonzero()[0].tolist():
                by_hex.setdefault(hexes[i], []).append(i)
        here = by_hex.get(hex_index, [])
        if side is None:
            return list(here)
        sides = self.units.side
        return [i for i in here if sides[i] == side]

    def men_on_map(self, side: int) -> int:
        u = self.units
        mask = (u.side == side) & u.arrived & ~u.gone
        return int(u.men[mask].sum())

    def state_hash(self) -> str:
        """A fingerprint of everything that changes in play, for replays and determinism tests.

        Derived from the state's own fields (every field but `HASH_SKIPS`, the units' and works'
        arrays, the random generator's position), so a field added later is in it without
        anyone remembering to add it; floats are rounded so that the last bits of a sum done in
        another order do not count."""
        out: list[bytes] = []
        for name in _hashed_fields():
            if name in HASH_VIEWS:
                name = HASH_VIEWS[name]
                out.append(name.encode())
                _emit(self._hashed_view(name), out)
                continue
            out.append(name.encode())
            _emit(getattr(self, name), out)
        return hashlib.sha256(b"".join(out)).hexdigest()[:16]

    def state_hash_v1(self) -> str:
        """The fingerprint game logs of version 1 carry (a fixed list of arrays), kept so that
        those logs and saves still replay and load."""
        digest = hashlib.sha256()
        u, w = self.units, self.works
        for array in (
            u.hex,
            u.men,
            u.killed,
            u.wounded,
            u.captured,
            u.drowned,
            u.escaped,
            u.officers_killed,
            np.round(u.crossing_hours, 9),
            u.crossing_back,
            u.routed,
            u.gone,
            u.arrived,
            u.leader_alive,
            np.round(u.morale, 9),
            np.round(u.ammo, 6),
            w.lane,
            np.round(w.fort_strength, 6),
            np.round(w.blockhouse_strength, 6),
            w.wire_lines,
            self.control,
            self.budget_rounds,
        ):
            digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(f"{self.turn}|{self.winner}".encode())
        return digest.hexdigest()[:16]

    def check_invariants(self) -> None:
        u = self.units
        total = u.men + u.killed + u.wounded + u.captured + u.drowned + u.escaped
        assert np.array_equal(total, u.men_start), "men not conserved"
        for array in (u.men, u.killed, u.wounded, u.captured, u.drowned, u.escaped):
            assert (array >= 0).all(), "negative strength"
        assert (u.ammo >= 0).all(), "negative direct-fire ammunition"
        assert (u.grenades >= 0).all(), "negative grenades"
        assert (self.budget_rounds >= 0).all(), "negative ammunition budget"
        assert all(w.own_rounds >= 0 for group in u.indirect for w in group), (
            "negative rounds of a gun's own ammunition"
        )
        assert ((u.morale >= 0) & (u.morale <= 1)).all(), "morale out of range"
        on_map = self.active()
        hexes, sides = u.hex[on_map], u.side[on_map]
        assert ((hexes >= 0) & (hexes < self.board.size)).all(), "a unit in the fight off the board"
        order = np.argsort(hexes, kind="stable")
        same_hex = hexes[order][1:] == hexes[order][:-1]
        assert not (same_hex & (sides[order][1:] != sides[order][:-1])).any(), (
            "two sides in one hex"
        )


@cache
def _hashed_fields() -> tuple[str, ...]:
    """The fields of GameState in its hash, in their order."""
    return tuple(name for name in _field_names(GameState) if name not in HASH_SKIPS)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@cache
def _field_bytes(cls: type) -> tuple[tuple[str, bytes], ...]:
    return tuple((name, name.encode()) for name in _field_names(cls))


# Values whose bytes in the hash are their repr: whole numbers, texts, None, flags.
_PLAIN = frozenset({int, str, type(None), bool})
_LIST_ITEMS = frozenset({int, str, type(None)})
_PAIR_ITEMS = frozenset({int, str})
_SHAPE, _DTYPE = attrgetter("shape"), attrgetter("dtype")


def _emit(value, out: list[bytes]) -> None:
    """Append the bytes that stand for `value` to `out`: arrays by their dtype, shape and bytes
    (floats rounded to 6 places, so that the last bits of a sum done in another order do not
    count), records field by field, containers item by item. The bytes are gathered and hashed
    at once, and plain values are written without a call of their own: this runs at the end of
    every game of a batch. Lists of arrays (the ledgers), of whole numbers and of texts are
    written at once."""
    kind = value.__class__
    if kind in _PLAIN:
        out.append(repr(value).encode() + b"|")
        return
    if kind is float:
        out.append(repr(round(value, 6)).encode() + b"|")
        return
    add = out.append
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            value = np.round(value, 6)
        add(f"a{value.dtype.str}{value.shape}".encode())
        add(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, list | tuple):
        add(b"[")
        kinds = set(map(type, value))
        if kinds == {np.ndarray} and len(set(map(_SHAPE, value))) == 1:
            # a ledger, one array a turn: stacked (by np.array, quicker than np.stack's Python
            # loops, where they share a dtype and so give the same array)
            same = len(set(map(_DTYPE, value))) == 1
            _emit(np.array(value) if same else np.stack(value), out)
        elif kinds <= _LIST_ITEMS or (
            kinds == {tuple} and {type(x) for t in value for x in t} <= _PAIR_ITEMS
        ):
            add(repr(value).encode())  # timelines, names; (turn, side, outcome)
        else:
            for item in value:
                _emit(item, out)
        add(b"]")
    elif isinstance(value, dict):
        add(b"{")
        for key in sorted(value, key=repr):
            add(repr(key).encode())
            item = value[key]
            if item.__class__ in _PLAIN:
                add(repr(item).encode() + b"|")
            else:
                _emit(item, out)
        add(b"}")
    elif isinstance(value, float):  # a subclass of float (numpy's float64)
        add(repr(round(value, 6)).encode())
    elif isinstance(value, Dice):
        _emit(value.fingerprint(), out)
    elif is_dataclass(value) and not isinstance(value, type):
        by_dtype: dict[np.dtype, list[np.ndarray]] = {}
        layout = []
        for name, name_bytes in _field_bytes(kind):
            item = getattr(value, name)
            if isinstance(item, np.ndarray):  # the arrays of a record, one run per dtype
                layout.append((name, item.dtype.str, item.shape))
                by_dtype.setdefault(item.dtype, []).append(item.ravel())
            elif item.__class__ in _PLAIN:
                add(name_bytes + repr(item).encode() + b"|")
            elif item.__class__ is float:
                add(name_bytes + repr(round(item, 6)).encode() + b"|")
            else:
                add(name_bytes)
                _emit(item, out)
        add(repr(layout).encode())
        for arrays in by_dtype.values():
            _emit(np.concatenate(arrays), out)
    else:
        add(repr(value).encode())
    add(b"|")


def _record_turn_arrays(
    tally,
    hexes,
    arrived,
    gone,
    routed,
    fort_strength,
    blockhouse_strength,
    builders,
    works_changed,
    rounds_fired,
    row,
    ledger_rows,
    works_rows,
    rounds_rows,
    position_rows,
    first_routed,
):
    """`record_turn` where the process interprets: whole-array numpy operations, quicker there
    than the kernel's loops (compiled, the loops make no array). The same numbers: numpy's
    `bincount` sums each bin's weights in index order, as the kernel's loop does."""
    ledger_rows[row] = tally
    if works_changed or row == 0:
        works_rows[row] = np.bincount(builders, fort_strength + blockhouse_strength, 3)[1:3]
    else:  # nothing was damaged this turn: the same figures
        works_rows[row] = works_rows[row - 1]
    rounds_rows[row] = rounds_fired
    position_rows[row] = np.where(arrived & ~gone & (hexes >= 0), hexes, -1)
    first_routed[routed & (first_routed < 0)] = row


@kernel(interpreted=_record_turn_arrays, borrows=True)
def record_turn(
    tally,
    hexes,
    arrived,
    gone,
    routed,
    fort_strength,
    blockhouse_strength,
    builders,
    works_changed,
    rounds_fired,
    row,
    ledger_rows,
    works_rows,
    rounds_rows,
    position_rows,
    first_routed,
):
    """Row `row` of the ledgers: the units' tally (LEDGER_ROWS x units), the works left of each
    side's building (summed again only when `works_changed` or at the first row: `builders` is
    each hex's builder's side + 1), the rounds fired, each unit's hex while it is in the fight
    (-1 otherwise); and `row` as the first routed boundary of each unit routed now for the
    first time (a unit routed this turn is still routed at its end: rallying takes rest).

    Loops that make no array (it borrows): a quiet battle writes a row every turn, and the
    works' sum over the board's hexes was a `bincount` of an array made for it. Each side's sum
    adds its hexes' works in hex order, as `bincount` does, so the floats are the same bits."""
    for kind in range(tally.shape[0]):
        for i in range(tally.shape[1]):
            ledger_rows[row, kind, i] = tally[kind, i]
    if works_changed or row == 0:
        built_0 = 0.0  # the works left of side 0's building (builder 1), then side 1's
        built_1 = 0.0
        for h in range(builders.shape[0]):
            builder = builders[h]
            if builder == 1:
                built_0 += fort_strength[h] + blockhouse_strength[h]
            elif builder == 2:
                built_1 += fort_strength[h] + blockhouse_strength[h]
        works_rows[row, 0] = built_0
        works_rows[row, 1] = built_1
    else:  # nothing was damaged this turn: the same figures
        works_rows[row, 0] = works_rows[row - 1, 0]
        works_rows[row, 1] = works_rows[row - 1, 1]
    for side in range(rounds_fired.shape[0]):
        rounds_rows[row, side] = rounds_fired[side]
    for i in range(hexes.shape[0]):
        placed = arrived[i] and not gone[i] and hexes[i] >= 0
        position_rows[row, i] = hexes[i] if placed else -1
        if routed[i] and first_routed[i] < 0:
            first_routed[i] = row


# ---------------------------------------------------------------------- building a new game


def _firepower_weight(weapon_class: str, coefficients) -> float:
    return {
        "small_arms": coefficients.firepower_small_arms,
        "machine_gun": coefficients.firepower_machine_gun,
        "grenade_discharger": coefficients.firepower_grenade_discharger,
    }.get(weapon_class, 0.0)


def _nearest_side(board: Board, h: int, hexes: np.ndarray, sides: np.ndarray, placed) -> int:
    """The side of the unit standing nearest to hex `h` at the start: who built its works."""
    on_map = np.flatnonzero((hexes >= 0) & placed)
    if len(on_map) == 0:
        return -1
    distances = board.distances_from(h)[hexes[on_map]]
    return int(sides[on_map[int(np.argmin(distances))]])


def new_state(scenario: Scenario, seed: int, coefficients) -> GameState:
    """The state at the start of the scenario, with the game's one random generator.

    The starting units and works depend only on the scenario and the coefficients, so they are
    built once and copied for every further game of a batch (kept on the board, which those
    games share)."""
    board = build_board(scenario)
    units, works, control = board.shared(
        ("start", tuple(sorted(vars(coefficients).items()))),
        lambda: _start(scenario, board, coefficients),
    )
    side_ids = tuple(s.id for s in scenario.sides)
    state = GameState(
        scenario=scenario,
        board=board,
        units=_copy_arrays(
            units, indirect=tuple(tuple(map(replace, g)) for g in units.indirect)
        ).with_tally(units.tally.copy()),
        works=_copy_arrays(works),
        dice=Dice(seed),
        seed=seed,
        side_ids=side_ids,
        control=control.copy(),
        budget_rounds=np.array([float(b.rounds) for b in scenario.ammunition]),
        budget_side=tuple(side_ids.index(b.side) for b in scenario.ammunition),
        rounds_fired=np.zeros(2),
        rears=board.shared("rears", lambda: _rears(scenario, board, units, side_ids)),
    )
    state.place_owner = control[board.place_hexes]
    state.place_history = np.full(
        (scenario.clock.turns + 1, len(board.places)), -1, state.place_owner.dtype
    )
    state.place_start = dict(state.place_control)
    state.record()
    return state


def _rears(scenario: Scenario, board: Board, units: Units, side_ids) -> tuple[int, ...]:
    """Each side's rear: its plan's `rear`, else the hex of its first unit placed at the start,
    else (a side that only arrives) the entry hex of its first reinforcement."""
    rears = []
    for side, side_id in enumerate(side_ids):
        plan = next((p for p in scenario.plans if p.side == side_id), None)
        if plan is not None and plan.rear is not None:
            rears.append(board.resolve(plan.rear))
            continue
        placed = np.flatnonzero((units.side == side) & (units.hex >= 0))
        if len(placed):
            rears.append(int(units.hex[placed[0]]))
            continue
        ids = {u.id for u in scenario.units if u.side == side_id}
        entries = [r for r in scenario.reinforcements if ids & set(r.units)]
        first = min(entries, key=lambda r: r.time) if entries else None
        rears.append(board.resolve(first.at) if first is not None else 0)
    return tuple(rears)


def _copy_arrays(record, **changes):
    """A copy of a Units or Works record whose arrays the new game may change freely."""
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, np.ndarray) and f.name not in changes:
            changes[f.name] = value.copy()
    return replace(record, **changes)


def _start(scenario: Scenario, board: Board, coefficients) -> tuple[Units, Works, np.ndarray]:
    """Units, works and control of hexes at the start (a template: new games copy it)."""
    side_ids = tuple(s.id for s in scenario.sides)
    n = len(scenario.units)
    arriving = {u for r in scenario.reinforcements for u in r.units}
    budget_of: dict[tuple[str, str], int] = {}
    for number, budget in enumerate(scenario.ammunition):
        for weapon in budget.weapons:
            budget_of[(budget.side, weapon)] = number

    firepower = np.zeros(n)
    fire_range = np.zeros(n)
    ammo = np.zeros(n)
    grenades = np.zeros(n)
    indirect: list[tuple[IndirectWeapon, ...]] = []
    for i, unit in enumerate(scenario.units):
        groups = []
        unlimited = False
        for entry in unit.weapons:
            weapon = scenario.weapons[entry.weapon]
            cls = weapon.kind.value
            if cls == "grenade":
                grenades[i] += entry.ammo if entry.ammo is not None else entry.count
            elif cls in DIRECT_CLASSES:
                firepower[i] += entry.count * _firepower_weight(cls, coefficients)
                fire_range[i] = max(fire_range[i], weapon.range_m)
                if entry.ammo is None:
                    unlimited = True
                else:
                    ammo[i] += entry.ammo
            elif cls in INDIRECT_CLASSES:
                budget = budget_of.get((unit.side, entry.weapon), -1)
                groups.append(
                    IndirectWeapon(
                        weapon=entry.weapon,
                        weapon_class=cls,
                        tubes=entry.count,
                        rounds_per_hour=weapon.rounds_per_hour,
                        range_m=weapon.range_m,
                        min_range_m=weapon.min_range_m,
                        budget=budget,
                        own_rounds=float(entry.ammo) if entry.ammo is not None else np.inf,
                    )
                )
        if unlimited or firepower[i] == 0:
            ammo[i] = np.inf
        indirect.append(tuple(groups))

    def speed(unit_type: UnitType) -> float:
        if unit_type in GUN_TYPES:
            return coefficients.gun_speed_kmh
        return coefficients.foot_speed_kmh

    hexes = np.array(
        [board.resolve(u.at) if u.at is not None else -1 for u in scenario.units], dtype=np.int32
    )
    men_start = np.array([u.men for u in scenario.units], dtype=np.int64)
    units = Units(
        ids=tuple(u.id for u in scenario.units),
        names=tuple(u.name.en for u in scenario.units),
        side=np.array([side_ids.index(u.side) for u in scenario.units], dtype=np.int8),
        hex=hexes,
        men_start=men_start,
        men=men_start.copy(),
        killed=np.zeros(n, np.int64),
        wounded=np.zeros(n, np.int64),
        captured=np.zeros(n, np.int64),
        drowned=np.zeros(n, np.int64),
        escaped=np.zeros(n, np.int64),
        officers=np.array([u.officers for u in scenario.units], dtype=np.int64),
        officers_killed=np.zeros(n, np.int64),
        hit_in_water=np.zeros(n, np.int64),
        morale=np.array([u.morale for u in scenario.units], dtype=np.float64),
        suppression=np.zeros(n),
        quality=np.array([u.quality for u in scenario.units], dtype=np.float64),
        posture=np.array([POSTURE_INDEX[u.posture.value] for u in scenario.units], dtype=np.int8),
        posture_home=np.array(
            [POSTURE_INDEX[u.posture.value] for u in scenario.units], dtype=np.int8
        ),
        morale_start=np.array([u.morale for u in scenario.units], dtype=np.float64),
        routed=np.zeros(n, bool),
        arrived=np.array([u.id not in arriving for u in scenario.units], dtype=bool),
        gone=np.zeros(n, bool),
        crossing_hours=np.zeros(n),
        crossing_from=np.full(n, -1, np.int32),
        crossing_back=np.zeros(n, bool),
        speed_kmh=np.array([speed(u.type) for u in scenario.units]),
        firepower=firepower,
        fire_range_m=fire_range,
        ammo=ammo,
        grenades=grenades,
        leader_alive=np.array([u.leader is not None for u in scenario.units], dtype=bool),
        leader_names=tuple(u.leader.name.en if u.leader else None for u in scenario.units),
        is_gun=np.array([u.type in GUN_TYPES for u in scenario.units], dtype=bool),
        break_share=np.full(n, np.inf),
        captured_share=np.zeros(n),
        break_base=np.zeros(n),
        grip_hours=np.full(n, np.inf),
        indirect=tuple(indirect),
    )
    units = units.with_tally(np.array([getattr(units, name) for name in LEDGER_ROWS]))

    size = board.size
    works = Works(
        fort_level=np.zeros(size, np.int8),
        fort_strength=np.zeros(size),
        fort_strength_start=np.zeros(size),
        blockhouse_strength=np.zeros(size),
        blockhouse_strength_start=np.zeros(size),
        mine_density=np.zeros(size),
        mine_depth_m=np.zeros(size),
        lane=np.zeros(size),
        wire_lines=np.zeros(size),
        owner=np.full(size, -1, np.int8),
    )
    for obstacle in scenario.obstacles:
        for ref in obstacle.hexes:
            h = board.resolve(ref)
            if isinstance(obstacle, Minefield):
                works.mine_density[h] = max(works.mine_density[h], obstacle.density_per_m)
                works.mine_depth_m[h] += obstacle.depth_m
            elif isinstance(obstacle, Wire):
                works.wire_lines[h] += obstacle.lines
            elif isinstance(obstacle, Fortification):
                works.fort_level[h] = max(works.fort_level[h], FORT_LEVELS[obstacle.level])
                works.fort_strength[h] += obstacle.strength
            elif isinstance(obstacle, Blockhouse):
                works.blockhouse_strength[h] += obstacle.strength * obstacle.count
            works.owner[h] = _nearest_side(board, h, hexes, units.side, units.arrived)
    works.fort_strength_start[:] = works.fort_strength
    works.blockhouse_strength_start[:] = works.blockhouse_strength

    control = np.full(size, -1, np.int8)
    for i in range(n):
        if units.arrived[i] and hexes[i] >= 0:
            control[hexes[i]] = units.side[i]
    return units, works, control


def _grown(kept: np.ndarray, rows: int, shape: tuple, dtype, fill) -> np.ndarray:
    """`kept` (a record of rows of `shape`) with room for `rows`, the new rows `fill`."""
    grown = np.full((rows, *shape), fill, dtype)
    if len(kept):
        grown[: len(kept)] = kept
    return grown
