"""What an order would do, before it is given: reachable hexes, routes, and the odds of fire,
bombardment and assault, with the modifiers by name.

Everything is composed from the rules' own functions and coefficients, and nothing here changes the
game: aimed fire from fire's firer factors and protection's vulnerability; bombardment and assault
by running the rules' own `bombard` and `resolve_assault` on copies of the game with generators of
their own (so a preview can never tell the game's dice), averaged over a few tries. Reachable
hexes and routes come from the movement rules themselves (`rules.movement.reachable`, `route`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from ..core.events import Assaulted, Bombarded
from ..core.state import GameState
from ..rules.assault import resolve_assault
from ..rules.bombardment import bombard, in_range
from ..rules.fire import fire_discipline, firer_factors, reach_hexes
from ..rules.movement import reachable, route  # noqa: F401 - the window's previews
from ..rules.protection import product, vulnerability
from ..rules.sight import line_of_sight
from ..rules.turn import coefficients_of

TRIALS = 40  # copies of the game an assault or bombardment preview is tried on
PREVIEW_SEED = 7_919  # previews draw from their own generators, never the game's


@dataclass
class Odds:
    """A preview of one order: a headline and the named numbers behind it."""

    title: str
    headline: str
    factors: list[tuple[str, str]] = field(default_factory=list)
    possible: bool = True


def _fmt(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 10 else f"{value:,.0f}"


def _factor_rows(factors: dict[str, float]) -> list[tuple[str, str]]:
    return [(name.replace("_", " "), f"×{value:.2f}") for name, value in factors.items()]


def fire_odds(state: GameState, firer: int, target: int) -> Odds:
    """Aimed fire of `firer` on the enemy unit `target` for one turn, if it can see and reach it
    (units fire by themselves at the nearest enemy in reach; this shows what a volley does)."""
    u, board = state.units, state.board
    c = coefficients_of(state)
    title = f"Fire on {u.names[target]}"
    if u.firepower[firer] <= 0:
        return Odds(title, "no direct-fire weapons", possible=False)
    here, there = int(u.hex[firer]), int(u.hex[target])
    distance = board.distance(here, there)
    reach = reach_hexes(state, firer, c)
    if distance > reach and not board.water[there]:
        return Odds(title, f"out of reach: {distance} hexes, fires up to {reach}", possible=False)
    if not line_of_sight(board, here, there, c.sight_clearance_m):
        return Odds(title, "no line of sight", possible=False)
    factors = firer_factors(state, firer, distance, c)
    share = fire_discipline(state, c)[firer]
    if share < 1.0 and not board.water[there]:  # short of rounds: as the rule fires it
        factors["fire_discipline"] = share
    exposure = vulnerability(state, target, c, "fire")
    base = c.fire_casualties_per_firepower_hour * float(u.firepower[firer])
    expected = base * state.turn_hours * product(factors) * product(exposure)
    rows = [("base", f"{base:.2f} men/h"), ("hours", f"{state.turn_hours:g}")]
    rows += _factor_rows(factors) + _factor_rows(exposure)
    if np.isfinite(u.ammo[firer]):
        rows.append(("ammunition left", f"{u.ammo[firer]:,.0f} rounds"))
    return Odds(title, f"expected {_fmt(expected)} men hit of {int(u.men[target])}", rows)


def clone_state(state: GameState, seed: int) -> GameState:
    """A copy of the game to try an order on, with its own random generator (never the game's:
    a preview must not tell the game's dice). The scenario and the board are shared."""
    # The copy makes its own per-game caches (the rules and the computer player keep them for
    # each game); the board's, shared by every game of the scenario, serve it at once.
    memo = {id(state.scenario): state.scenario, id(state.board): state.board}
    for name in ("ledger", "works_ledger", "rounds_ledger", "position_ledger"):
        memo[id(getattr(state, name))] = []
    copy_ = copy.deepcopy(state, memo)
    copy_.rng = np.random.default_rng(seed)
    return copy_


def _trials(state: GameState, attempt, n: int) -> list:
    """Run `attempt(copy)` on `n` copies of the game with seeds of their own."""
    return [attempt(clone_state(state, PREVIEW_SEED + k)) for k in range(n)]


def bombard_odds(
    state: GameState, gun: int, target: int, trials: int = TRIALS, *, seen: bool = True
) -> Odds:
    """A turn's bombardment of hex `target` by `gun`: the rules' own bombardment, tried on copies
    of the game. With `seen` False (fog: no enemy seen there), casualties are not told."""
    u, board = state.units, state.board
    c = coefficients_of(state)
    title = f"Bombard {board.label(target)}"
    if not u.indirect[gun]:
        return Odds(title, "no guns or mortars", possible=False)
    here = int(u.hex[gun])
    distance_m = board.distance(here, target) * board.hex_size_m
    if not any(in_range(state, w, here, target) for w in u.indirect[gun]):
        return Odds(title, f"out of range ({distance_m:,.0f} m)", possible=False)

    def attempt(copy_: GameState) -> Bombarded | None:
        events: list = []
        bombard(copy_, gun, target, c, events, -1)
        return next((e for e in events if isinstance(e, Bombarded)), None)

    results = _trials(state, attempt, trials)
    fired = [e for e in results if e is not None]
    if not fired:
        return Odds(title, f"no rounds to fire ({distance_m:,.0f} m)", possible=False)
    mean = sum(sum(e.casualties.values()) for e in fired) / len(results)
    rows = [("range", f"{distance_m:,.0f} m"), ("rounds", f"{fired[0].rounds:,}")]
    rows += [(k.replace("_", " "), f"{v:g}") for k, v in fired[0].modifiers.items()]
    w = state.works
    if w.fort_strength[target] + w.blockhouse_strength[target] > 0:
        damage = sum(e.works_damage for e in fired) / len(results)
        rows.append(("works damage", f"{damage:,.0f}"))
    if w.mine_depth_m[target] > 0:
        lane = sum(e.lane for e in fired) / len(results)
        rows.append(("minefield lane", f"{w.lane[target]:.0%} → {lane:.0%}"))
    if w.wire_lines[target] > 0:
        left = sum(e.wire_lines_left for e in fired) / len(results)
        rows.append(("wire lines", f"{w.wire_lines[target]:.1f} → {left:.1f}"))
    enemies = state.units_at(target, 1 - int(u.side[gun]))
    if enemies and seen:
        headline = f"about {_fmt(mean)} men hit"
    else:
        headline = "no enemy seen there"
        rows = [row for row in rows if not row[0].startswith("on target")]
    return Odds(title, headline, rows)


def assault_odds(state: GameState, attackers: list[int], target: int, trials: int = TRIALS) -> Odds:
    """An assault on `target` now, by the rules' own assault, tried on copies of the game: how
    often it takes the hex, and the losses on each side (before this turn's fire)."""
    u, board = state.units, state.board
    c = coefficients_of(state)
    title = f"Assault {board.label(target)}"
    if not attackers:
        return Odds(title, "no unit able to assault", possible=False)
    side = int(u.side[attackers[0]])
    defenders = [d for d in state.units_at(target, 1 - side) if u.men[d] > 0]
    if not defenders:
        return Odds(title, "no enemy there that you know of: the unit moves in", possible=True)

    def attempt(copy_: GameState) -> Assaulted | None:
        events: list = []
        resolve_assault(copy_, target, list(attackers), c, events)
        return next((e for e in events if isinstance(e, Assaulted)), None)

    results = [e for e in _trials(state, attempt, trials) if e is not None]
    if not results:
        return Odds(title, "the rules would not fight this assault", possible=False)
    taken = sum(e.outcome == "taken" for e in results) / len(results)
    lost = sum(sum(e.attacker_losses.values()) for e in results) / len(results)
    killed = sum(sum(e.defender_losses.values()) for e in results) / len(results)
    attack_men = sum(int(u.men[a]) for a in attackers)
    defend_men = sum(int(u.men[d]) for d in defenders)
    rows = [
        ("attackers", f"{attack_men}"),
        ("defenders", f"{defend_men}"),
        ("attackers lost", f"~{_fmt(lost)}"),
        ("defenders lost", f"~{_fmt(killed)}"),
    ]
    rows += [(k.replace("_", " "), f"{v:g}") for k, v in results[0].modifiers.items()]
    headline = f"takes the hex in {taken:.0%} of {len(results)} tries"
    return Odds(title, headline, rows)
