"""Fog of war for the window: what a side's units can see, and where it last saw enemy units.

Nothing here changes the game; it decides only what the window shows to the person commanding a
side. Sight is the rules' own line of sight (`engine.rules.sight.line_of_sight` with the rules'
clearance), limited in the hours of darkness to the rules' `night_sight_m`; by day it is limited
by the ground alone. (A candidate to move into engine/rules if the rules ever hide units too.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..core.state import GameState
from ..rules.sight import line_of_sight
from ..rules.turn import coefficients_of
from ..scenario.models import Scenario

FADE_TURNS = 6  # a last-known position fades out over this many turns, then is forgotten


_PLAN_PLACES: dict[tuple[int, str], tuple[Scenario, frozenset[str]]] = {}


def plan_places(scenario: Scenario, viewer: str) -> frozenset[str]:
    """`_plan_places`, worked out once per scenario and viewer (the side panel asks on every
    hover; a scenario does not change once loaded)."""
    kept = _PLAN_PLACES.get((id(scenario), viewer))
    if kept is not None and kept[0] is scenario:
        return kept[1]
    found = _plan_places(scenario, viewer)
    if len(_PLAN_PLACES) > 64:
        _PLAN_PLACES.clear()
    _PLAN_PLACES[(id(scenario), viewer)] = (scenario, found)
    return found


def _plan_places(scenario: Scenario, viewer: str) -> frozenset[str]:
    """Places that only the other side's plan, reinforcements or starting positions name (its
    assembly areas, forming-up places, rear, where its relief comes on): under fog their labels
    would tell the player the computer's intentions, so the window leaves them out. Places of the
    victory conditions and of the viewer's own plan stay, whoever else names them."""
    own: set[str] = set()
    other: set[str] = set()

    def note(side: str, ref) -> None:
        if isinstance(ref, str):
            (own if side == viewer else other).add(ref)

    for plan in scenario.plans:
        note(plan.side, plan.rear)
        for phase in plan.phases:
            note(plan.side, phase.objective)
            note(plan.side, phase.fall_back_to)
            triggers = [t for t in (phase.start_when, phase.end_when) if t is not None]
            while triggers:  # places a trigger waits on tell the plan too
                t = triggers.pop()
                note(plan.side, t.taken)
                note(plan.side, t.lost)
                triggers += [*(t.any or []), *(t.all or [])]
    side_of = {unit.id: unit.side for unit in scenario.units}
    for reinforcement in scenario.reinforcements:
        note(side_of[reinforcement.units[0]], reinforcement.at)
    for unit in scenario.units:
        note(unit.side, unit.at)
    public = {v.place for v in scenario.victory if isinstance(v.place, str)}
    return frozenset(other - own - public)


def sight_hexes(state: GameState, side: int) -> np.ndarray:
    """Bool per hex: whether some unit of `side` on the map sees into it now."""
    board, u = state.board, state.units
    c = coefficients_of(state)
    seen = np.zeros(board.size, bool)
    limit = None
    if state.is_night():
        limit = max(1, int(c.night_sight_m // board.hex_size_m))
    eyes = sorted(set(u.hex[state.active() & (u.side == side)].tolist()))
    cache = _sight_cache(state)
    for here in eyes:
        key = (here, limit)
        found = cache.get(key)
        if found is None:
            found = np.zeros(board.size, bool)
            distances = board.distances_from(here)
            candidates = np.flatnonzero(distances <= limit) if limit else range(board.size)
            for there in candidates:
                there = int(there)
                found[there] = line_of_sight(board, here, there, c.sight_clearance_m)
            cache[key] = found
        seen |= found
    return seen


def _sight_cache(state: GameState) -> dict:
    """Sight from a hex depends only on the map and the sight clearance: kept on the board, so a
    new game or a loaded one of the same scenario sees at once."""
    clearance = coefficients_of(state).sight_clearance_m
    return state.board.memo.setdefault(("ui_sight", clearance), {})


@dataclass
class Sighting:
    hex: int
    turn: int
    men: int


@dataclass
class FogMemory:
    """Per side: the enemy units it sees now, and where it last saw the others."""

    last_seen: list[dict[int, Sighting]] = field(default_factory=lambda: [{}, {}])
    visible_hexes: list[np.ndarray | None] = field(default_factory=lambda: [None, None])

    def update(self, state: GameState, side: int) -> None:
        """Look again with `side`'s units: note every enemy unit in sight."""
        seen = sight_hexes(state, side)
        self.visible_hexes[side] = seen
        u = state.units
        memory = self.last_seen[side]
        enemies = np.flatnonzero(state.active() & (u.side != side)).tolist()
        for i in enemies:
            h = int(u.hex[i])
            if seen[h]:
                memory[i] = Sighting(h, state.turn, int(u.men[i]))
        for i, sighting in list(memory.items()):
            # Everything in sight was noted just now; an older note of a hex in sight means the
            # unit is no longer there.
            stale = sighting.turn < state.turn and bool(seen[sighting.hex])
            if stale or state.turn - sighting.turn >= FADE_TURNS:
                del memory[i]

    def visible_units(self, state: GameState, side: int) -> set[int]:
        """Units `side` sees now: all its own, and enemies in sight."""
        u = state.units
        seen = self.visible_hexes[side]
        if seen is None:
            self.update(state, side)
            seen = self.visible_hexes[side]
        active = state.active()
        visible = set(np.flatnonzero(active & (u.side == side)).tolist())
        for i in np.flatnonzero(active & (u.side != side)).tolist():
            if seen[int(u.hex[i])]:
                visible.add(i)
        return visible

    def ghosts(self, state: GameState, side: int) -> list[tuple[int, Sighting, float]]:
        """(unit, last sighting, opacity 0..1) of enemy units out of sight."""
        visible = self.visible_units(state, side)
        out = []
        for i, sighting in self.last_seen[side].items():
            if i in visible:
                continue
            age = state.turn - sighting.turn
            opacity = max(0.0, 1.0 - age / FADE_TURNS)
            if opacity > 0:
                out.append((i, sighting, opacity))
        return out

    def to_dict(self, state: GameState) -> dict:
        ids = state.units.ids
        return {
            "last_seen": [
                {ids[i]: [s.hex, s.turn, s.men] for i, s in memory.items()}
                for memory in self.last_seen
            ]
        }

    @classmethod
    def from_dict(cls, data: dict, state: GameState) -> FogMemory:
        index = {unit_id: i for i, unit_id in enumerate(state.units.ids)}
        memory = cls()
        for side, seen in enumerate(data.get("last_seen", [{}, {}])[:2]):
            memory.last_seen[side] = {
                index[k]: Sighting(int(v[0]), int(v[1]), int(v[2]))
                for k, v in seen.items()
                if k in index
            }
        return memory
