"""When a plan's triggered phases begin and end, read from what the game has recorded.

A plan phase may begin (`start_when`) or end (`end_when`) on a trigger rather than at a fixed
time: a place taken or lost, a unit arrived, an enemy unit routed, a side's strength below a share,
some hours after another phase began, or any/all of these. A trigger is judged at turn boundaries
(boundary k: the end of turn k-1, where turn k's orders are given) from the game's own records —
who held each place after each turn, where each unit stood, each unit's men — so that it gives the
same answer whenever it is asked, also after a saved game is replayed without the computer player.
`routed` reads the boundary at which each unit was first recorded routed (`first_routed`, kept by
`GameState.record` at the end of every turn), so a rout during a turn is seen at that turn's end
even if nobody asked for orders then, and a unit that routed and fled off the map still counts.

A trigger fires at the first boundary at which it holds, and the phase it starts has begun for
good: a phase that began because a place was taken goes on if the place is lost again. `any`
holds when one of its parts holds, `all` when every part holds at the same boundary (`after`
holds from its hour on). This module never reads the historical record.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..core.state import GameState
from ..scenario.models import PlanPhase, Trigger

NEVER = 10**9  # a turn no game reaches: a phase whose trigger has not fired


@dataclass(slots=True)
class _Atom:
    """One atomic trigger's state in one game: the boundary it fired at, and how far it has
    been looked for."""

    fired: int | None = None
    checked: int = -1


class PlanClock:
    """The start and end turn of every phase of one side's plan in one game."""

    def __init__(self, state: GameState, side: int, phases: list[PlanPhase]) -> None:
        self.side = side
        self.phases = phases
        self.by_id = {p.id: k for k, p in enumerate(phases)}
        self.triggered = any(p.start_when or p.end_when for p in phases)
        self.fixed_start = [state.turn_of(p.start) if p.start else 0 for p in phases]
        self.fixed_end = [state.turn_of(p.end) if p.end else NEVER for p in phases]
        self._atoms: dict[int, _Atom] = {}
        self._units: dict[int, np.ndarray] = {}
        self._tests: dict[int, Callable[[int], bool]] = {}
        self._at_turn = -1
        self._times = list(zip(self.fixed_start, self.fixed_end, strict=True))
        self._order = self._start_order()
        self._settled: dict[int, int] = {}  # phase -> its start, once found
        self._ended: dict[int, int] = {}  # phase -> its end by `end_when`, once found

    def times(self, state: GameState) -> list[tuple[int, int]]:
        """(start turn, end turn) of each phase as the game stands now (NEVER: not yet)."""
        if not self.triggered or state.turn == self._at_turn:
            return self._times
        self._at_turn = state.turn
        starts: list[int | None] = [None] * len(self.phases)
        # One pass in an order where a phase comes after every phase its `after` triggers wait
        # on (the validator refuses cycles), so each start is final when it is read, and what
        # was looked at is remembered at once (see `_fired`): a turn judges each trigger at its
        # one new boundary, not the whole game again.
        # A start or end once found never changes (a phase that has begun goes on; an `after`
        # counts from a start that is final): those are kept and not looked for again.
        settled = self._settled
        for k in self._order:
            start = settled.get(k)
            if start is None:
                start = self.fixed_start[k]
                when = self.phases[k].start_when
                if when is not None:
                    fired = self._fired(state, when, starts)
                    start = None if fired is None else max(start, fired)
                if start is not None:
                    settled[k] = start
            starts[k] = start
        times = []
        ended = self._ended
        for k, phase in enumerate(self.phases):
            start = NEVER if starts[k] is None else starts[k]
            end = ended.get(k)
            if end is None:
                end = self.fixed_end[k]
                if phase.end_when is not None and start < NEVER:
                    fired = self._fired(state, phase.end_when, starts, start)
                    if fired is not None:
                        end = ended[k] = min(end, fired)
            times.append((start, end))
        self._times = times
        return times

    def _start_order(self) -> list[int]:
        """The phases' indices, each after the phases its `start_when` waits on through `after`
        (depth first; a cycle, which the validator refuses, is broken where it closes)."""
        waits: list[list[int]] = []
        for phase in self.phases:
            found: list[int] = []
            stack = [phase.start_when] if phase.start_when is not None else []
            while stack:
                t = stack.pop()
                if t.after is not None and t.after.phase in self.by_id:
                    found.append(self.by_id[t.after.phase])
                stack += [*(t.any or []), *(t.all or [])]
            waits.append(found)
        order: list[int] = []
        state = [0] * len(self.phases)  # 0 new, 1 on the path, 2 placed

        def visit(k: int) -> None:
            if state[k]:
                return
            state[k] = 1
            for j in waits[k]:
                visit(j)
            state[k] = 2
            order.append(k)

        for k in range(len(self.phases)):
            visit(k)
        return order

    # ------------------------------------------------------------------ triggers

    def _fired(
        self, state: GameState, trigger: Trigger, starts: list[int | None], since: int = 0
    ) -> int | None:
        """The first boundary from `since` at which `trigger` held (None: none yet). A trigger
        of `after` alone may name a boundary still to come. What was looked at is remembered,
        so that each boundary is judged once, when it is the present one."""
        if trigger.after is not None:
            return self._after(state, trigger, starts)
        atom = self._atoms.get(id(trigger))
        if atom is None:
            atom = self._atoms[id(trigger)] = _Atom()
        elif atom.fired is not None:
            return atom.fired
        fired = None
        for k in range(max(atom.checked + 1, since), state.turn + 1):
            if self._holds(state, trigger, k, starts):
                fired = k
                break
        atom.fired, atom.checked = fired, state.turn
        return fired

    def _after(self, state: GameState, trigger: Trigger, starts: list[int | None]) -> int | None:
        assert trigger.after is not None
        began = starts[self.by_id[trigger.after.phase]]
        if began is None:
            return None
        minutes = state.scenario.clock.turn_minutes
        return began + math.ceil(trigger.after.hours * 60 / minutes - 1e-9)

    def _holds(self, state: GameState, trigger: Trigger, k: int, starts: list[int | None]) -> bool:
        """Whether `trigger` holds at boundary k (0: the start)."""
        if trigger.any is not None:
            return any(self._holds(state, t, k, starts) for t in trigger.any)
        if trigger.all is not None:
            return all(self._holds(state, t, k, starts) for t in trigger.all)
        if trigger.after is not None:
            at = self._after(state, trigger, starts)
            return at is not None and k >= at
        test = self._tests.get(id(trigger))
        if test is None:
            test = self._tests[id(trigger)] = self._condition(state, trigger)
        return test(k)

    def _condition(self, state: GameState, trigger: Trigger) -> Callable[[int], bool]:
        """A test of an atomic `trigger` at boundary k (0: the start)."""
        side = self.side
        if trigger.taken is not None or trigger.lost is not None:
            place = trigger.taken if trigger.taken is not None else trigger.lost
            wanted = side if trigger.taken is not None else 1 - side

            def holder_is(k: int) -> bool:
                if k == 0:
                    return state.place_start.get(place, -1) == wanted
                timeline = state.place_timeline.get(place, [])
                return k - 1 < len(timeline) and timeline[k - 1] == wanted

            return holder_is
        if trigger.arrived is not None:
            i = state.units.ids.index(trigger.arrived)
            return lambda k: k < len(state.position_ledger) and state.position_ledger[k][i] >= 0
        if trigger.routed is not None:
            u = state.units
            if trigger.routed == "enemy":
                watched = np.flatnonzero(u.side != side)
            else:
                watched = np.array([u.ids.index(trigger.routed)], dtype=np.intp)

            def routed_by(k: int) -> bool:
                first = state.first_routed[watched]  # -1: never routed
                return bool(((first >= 0) & (first <= k)).any())

            return routed_by
        share = trigger.strength_below
        assert share is not None, "a trigger sets exactly one field (the validator checks it)"
        units = self._share_units(state, share, id(trigger))
        start = float(state.units.men_start[units].sum()) or 1.0

        def below(k: int) -> bool:
            if k >= len(state.ledger):
                return False
            return float(state.ledger[k][0][units].sum()) / start < share.share

        return below

    def _share_units(self, state: GameState, share, key: int) -> np.ndarray:
        found = self._units.get(key)
        if found is None:
            u = state.units
            if share.units:
                found = np.array([u.ids.index(x) for x in share.units], dtype=np.intp)
            else:
                measured = (
                    state.side_ids.index(share.side) if share.side is not None else 1 - self.side
                )
                found = np.flatnonzero(u.side == measured)
            self._units[key] = found
        return found
