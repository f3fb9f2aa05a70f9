"""A quiet game started again from its first turn, with another seed, in the arrays of the game
played before it: a batch's next battle without a new game's setup.

A batch worker plays thousands of battles of one scenario, one after another, each made new
(`Game`: the state copied from the scenario's start, the breaking points drawn) and then handed
its compiled turn's kits (engine/rules/whole_turn.py `turn_kit`, engine/quiet_game.py
`loop_kit`: about a hundred arrays, scratch and bundles), which numba then types element by
element at the kit's first call. That setup cost a Furong battle about 0.8 ms of its 2.4.

`GameStart` keeps a game as it stood at its first turn, kits made, and puts it back there:
every array reachable from the game, its state and the caches modules keep for it (`PerGame`)
gets its first-turn contents again, in place, and every object, list, dict and set reachable
from them its first-turn attributes and items, so the kits, which hold those very arrays, serve
the next battle as they are (and numba's `resolved` callers know them by identity). What the
board shares between the scenario's games (`Board.shared`: fields of movement, plan tables) is
left as it is. Then the seed's own parts are made again, as a new game makes them: the dice's
key, the breaking points, the reinforcements' drawn arrival turns.

Only a game played out quietly from its first turn to its end (`Game.play_out_quietly`) is
started again: the turn-by-turn path fills caches this does not know. tests/test_restart.py
holds a started-again battle equal to a new game of the same seed, for every shipped scenario.
"""

from __future__ import annotations

import weakref
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType

import numpy as np
from pydantic import BaseModel

from .core.dice import FILLED, MASK64, Dice, key_schedule
from .core.state import GameState, PerGame
from .game import Game
from .kernels.jit import compiling
from .quiet_game import fill_arriving, loop_kit
from .rules.coefficients import Coefficients
from .rules.morale import break_point_draws, break_point_terms, set_break_points_of
from .rules.whole_turn import kit_with_room, whole_turn_plays

# What a walk of the game does not go into: values that cannot change in place, code, the
# scenario's models (read only) and the rules' coefficients (fixed once made).
_OPAQUE = (
    type(None), bool, int, float, complex, str, bytes, range, np.generic, type, FunctionType,
    BuiltinFunctionType, MethodType, ModuleType, weakref.ref, BaseModel, Coefficients,
)  # fmt: skip


class _Kept:
    """What was found at the first turn: (array, its contents), (object, the attributes in its
    `__dict__`, those in its slots), (list, its items), (dict, its items), (set, its items)."""

    __slots__ = ("arrays", "bytes", "dicts", "lists", "objects", "sets")

    def __init__(self) -> None:
        self.arrays: list[tuple[np.ndarray, np.ndarray]] = []  # (not contiguous: copied)
        # a contiguous array's bytes, and their copy: put back by a slice assignment (a tenth
        # of np.copyto's cost a call, where a game has some 180 arrays, most of them small)
        self.bytes: list[tuple[memoryview, memoryview]] = []
        self.objects: list[tuple[object, dict, dict]] = []
        self.lists: list[tuple[list, list]] = []
        self.dicts: list[tuple[dict, dict]] = []
        self.sets: list[tuple[set, set]] = []

    def keep_array(self, array: np.ndarray) -> None:
        if array.flags.c_contiguous and array.dtype.kind in "biufc":
            self.bytes.append((memoryview(array).cast("B"), memoryview(array.copy()).cast("B")))
        else:
            self.arrays.append((array, array.copy()))


def _walk(root: object, kept: _Kept | None, seen: set[int], shared: set[int]) -> None:
    """Keep the contents of everything reachable from `root` that a game may change, skipping
    what `seen` holds (what was walked) and `shared` (what the board shares); with no `kept`,
    only note in `seen` what is reachable."""
    stack = [root]
    while stack:
        value = stack.pop()
        if isinstance(value, _OPAQUE) or id(value) in seen or id(value) in shared:
            continue
        seen.add(id(value))
        kind = type(value)
        if kind is np.ndarray:
            # one that is not writeable cannot have changed; a view of the board's (a bundle
            # of a shared field store) is the board's
            if (
                kept is not None
                and value.size
                and value.flags.writeable
                and id(_root(value)) not in shared
            ):
                kept.keep_array(value)
        elif isinstance(value, tuple):
            if not _plain(value):
                stack.extend(value)
        elif kind is list:
            if kept is not None:
                kept.lists.append((value, value[:]))
            if not _plain(value):
                stack.extend(value)
        elif isinstance(value, dict):
            if kept is not None:
                kept.dicts.append((value, dict(value)))
            stack.extend(value.values())
        elif kind is set:
            if kept is not None:
                kept.sets.append((value, set(value)))
        elif kind.__module__.startswith("engine."):
            attributes, slots = _attributes(value)
            params = getattr(kind, "__dataclass_params__", None)
            if kept is not None and (params is None or not params.frozen):
                # (a frozen one's attributes stay)
                own = {k: v for k, v in attributes.items() if k not in slots}
                kept.objects.append((value, own, {k: attributes[k] for k in slots}))
            stack.extend(attributes.values())
        # anything else (a foreign library's object) is not the game's to change


_PLAIN_KINDS = frozenset((type(None), bool, int, float, complex, str, bytes))


def _plain(items: tuple | list) -> bool:
    """Whether every item is a plain value (nothing to walk into): the board's long lists of
    numbers, told at C speed rather than item by item."""
    return set(map(type, items)) <= _PLAIN_KINDS


def _root(array: np.ndarray) -> np.ndarray:
    """The array whose memory `array` views (itself if it owns its memory)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _attributes(value: object) -> tuple[dict, tuple[str, ...]]:
    """An object's attributes by name, and which of them are slots (set one by one; those in
    its `__dict__` are put back at once)."""
    found = dict(getattr(value, "__dict__", {}))
    slots = []
    for kind in type(value).__mro__:
        for name in getattr(kind, "__slots__", ()):
            if name not in ("__weakref__", "__dict__") and hasattr(value, name):
                found[name] = getattr(value, name)
                slots.append(name)
    return found, tuple(slots)


def _shared_ids(state: GameState) -> set[int]:
    """The ids of everything the board holds and shares between its games (never put back)."""
    seen: set[int] = set()
    _walk(state.board, None, seen, set())
    return seen


class GameStart:
    """A quiet game (`Game(..., keep_events=False, detail_events=False)`, both sides' plans,
    compiled) at its first turn, kept so that `again(seed)` puts the same game object back
    there with another seed. Make it from a new game, before any turn, with the AI modes it is
    to be played in (`Game.play_out_quietly`'s `modes`); `usable` says whether the game is one
    it can keep (else use new games)."""

    def __init__(self, game: Game, modes: tuple[str | None, str | None] = (None, None)) -> None:
        state = game.state
        self.game = game
        self.usable = (
            state.turn == 0
            and not state.finished
            and not game.keep_events
            and whole_turn_plays(state)
            and game._both_plans_afresh(modes)
            and compiling()
        )
        if not self.usable:
            return
        # The game's setup drew the breaking points, on fresh dice: the same places counted on
        # fresh dice of any seed (`probe`) give the same occurrences and the same table of
        # draws, which the again-drawn breaking points take (checked against the game's own:
        # a setup that drew anything more is not one this knows). The reinforcements' drawn
        # arrival turns come after, when first asked (below), and are drawn again each start.
        dice, probe, count = state.dice, Dice(0), state.units.count
        self._terms = break_point_terms(state, state.scenario, state.coefficients)
        self._occurrence = break_point_draws(probe, count)
        filled = int(probe.head[FILLED])
        self.usable = (
            state.arrival_table is None
            and np.array_equal(probe.head, dice.head)
            and np.array_equal(probe.table[:filled], dice.table[:filled])
            and probe.earlier == dice.earlier
        )
        if not self.usable:
            return
        self._setup_draws, self._setup_head = probe.table[:filled].copy(), probe.head.copy()
        self._drawn_windows = any(
            r.latest is not None and r.arrival != "spread" for r in state.scenario.reinforcements
        )
        kept = kit_with_room(state)  # the kits made now, part of the first turn kept
        self._loop = loop_kit(state, kept)
        kept.moves.current_bundles()  # (the bundle of the board's fields as it is now)
        self._kept = _Kept()
        self._stores = PerGame.stores_of(state)
        _walk((game, self._stores), self._kept, set(), _shared_ids(state))
        self._store_ids = {id(store) for store in self._stores}

    def again(self, seed: int) -> Game:
        """The game at its first turn again, played with `seed`: the same object, as a new
        `Game` of this scenario, coefficients and seed would be."""
        if not self.usable:
            raise ValueError("this game cannot be started again (see GameStart.usable)")
        game, state, kept = self.game, self.game.state, self._kept
        # The dice's table as the last battle grew it: the rows past those filled are never
        # read, and a table with room saves the kernels' stops to grow it (a new game's starts
        # small and grows in its first turns).
        table = state.dice.table
        for store in PerGame.stores_of(state):
            if id(store) not in self._store_ids:  # a cache made in play: made again in play
                store.clear()
        for obj, attributes, slots in kept.objects:
            own = getattr(obj, "__dict__", None)
            if own is not None:
                if own.keys() != attributes.keys():
                    own.clear()  # (what play cached on it: made again when asked)
                own.update(attributes)
            for name, value in slots.items():
                setattr(obj, name, value)
        for container, items in kept.lists:
            container[:] = items
        for container, items in kept.dicts:
            container.clear()
            container.update(items)
        for container, items in kept.sets:
            container.clear()
            container.update(items)
        for array, contents in kept.arrays:
            np.copyto(array, contents)
        for memory, contents in kept.bytes:
            memory[:] = contents
        game.seed = seed
        state.seed = seed
        dice = state.dice
        _reseed(dice, seed)
        dice.table = table
        # the seed's own parts, drawn as a new game draws them: breaking points, then arrivals
        setup = self._setup_draws
        dice.table[: len(setup)] = setup
        dice.head[...] = self._setup_head
        set_break_points_of(state, state.coefficients, *self._terms, self._occurrence)
        if self._drawn_windows:  # (else the timetable is the seed's alike: kept as it was)
            state.arrival_table = None
            state.arrival_rows = ()
            state.__dict__.pop("_arrival_due", None)
            fill_arriving(state, self._loop)
        return game


def _reseed(dice: Dice, seed: int) -> None:
    """The dice's key of `seed`, in the same array (the kits hold it). (Their draws counted are
    the first turn's already: the table's head and `earlier` are put back with the rest.)"""
    dice.seed = int(seed)
    dice.key = key_schedule(dice.seed & MASK64, (dice.seed >> 64) & MASK64)
    words = dice.key_words  # the array the kits hold: its words rewritten in place
    words[...] = np.array(dice.key, dtype=np.uint64)
