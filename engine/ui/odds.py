"""What an order would do, before it is given: reachable hexes, routes, and the odds of fire,
bombardment and assault, with the modifiers by name.

One code path: every preview runs the rules' own functions on a scratch copy of the game (never
the game itself, and never with the game's random generator, so a preview cannot tell the
game's dice) and reads what they report, so fire discipline, empty magazines, night, works, the
men in the target hex now and any rule changed later are in the preview as they are in play.

- Fire: the rules' `direct_fire`, with only the firer and the units of the target hex on the
  map and the firer aimed at that hex, gives its `Fired` event; its `expected` is the mean of
  the binomial draw of the men hit, so the preview is exact (in the state of now).
- Bombardment: the rules' `bombard` gives the rounds each class of tube fires, the lethal area
  of a round and each unit's exposure; the expected men hit is
  `expected_shell_casualties` averaged over the binomial count of rounds landing in the hex,
  exactly. Works damage, lane and wire, which matter less, are the mean of a few trials.
- Assault: `resolve_assault` is a process of many steps with no closed form, so it is tried on
  the scratch copy again and again (`AssaultTrials`), a slice of tries per frame, and the
  preview gives the mean losses and the share of tries that take the hex with their standard
  errors; the estimate sharpens over a few frames while the window stays responsive.

Reachable hexes and routes come from the movement rules themselves (`rules.movement.reachable`,
`route`).
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

import numpy as np

from ..core.dice import Dice
from ..core.events import Assaulted, Bombarded, Fired
from ..core.state import GameState, Units, Works
from ..rules.assault import resolve_assault
from ..rules.bombardment import bombard, expected_shell_casualties, in_range, rounds_available
from ..rules.fire import direct_fire, fire_reaches
from ..rules.movement import reachable, route  # noqa: F401 - the window's previews
from ..rules.protection import product
from ..rules.sight import line_of_sight
from ..rules.turn import coefficients_of
from .labels import hex_words

TRIALS = 200  # tries of an assault preview when it is complete
BOMBARD_TRIALS = 8  # tries for a bombardment's works, lane and wire (its casualties are exact)
PREVIEW_SEED = 7_919  # previews draw from their own generators, never the game's
# The state a preview never copies back: shared by every game of the scenario, fixed for the
# game, or the generator (each preview brings its own).
# `units` and `works` are put back array by array.
_SHARED = frozenset(
    {"scenario", "board", "coefficients", "side_coefficients", "dice", "units", "works"}
)
_PLAIN = (int, float, str, bool, tuple, type(None))  # values set back as they are


@dataclass
class Odds:
    """A preview of one order: a headline, the named numbers behind it, and the figure a test
    can check: `expected` (men hit by fire or bombardment, the attackers' losses of an assault)
    with its standard `error` (0 when exact), the `rounds` the order would spend, and for an
    assault `taken` (the share of tries that take the hex). `done` is False while an assault's
    tries are still being run."""

    title: str
    headline: str
    factors: list[tuple[str, str]] = field(default_factory=list)
    possible: bool = True
    expected: float | None = None
    error: float = 0.0
    rounds: float = 0.0
    taken: float | None = None
    defenders_lost: float | None = None
    defenders_error: float = 0.0
    done: bool = True


def men(n: float) -> str:
    """A number of men as words: "1 man", "0.21 men", "264 men"."""
    if n == 1:
        return "1 man"
    return f"{_fmt(n)} men"


def _fmt(value: float) -> str:
    return f"{value:.2f}" if abs(value) < 10 else f"{value:,.0f}"


def _factor_rows(factors: dict[str, float]) -> list[tuple[str, str]]:
    return [(name.replace("_", " "), f"×{value:.2f}") for name, value in factors.items()]


def _give_or_take(error: float, percent: bool = False) -> str:
    """ " ± error" (two standard errors, about a 95 % interval), or "" while there is none."""
    if not math.isfinite(error):
        return ""
    return f" ± {error:.0%}" if percent else f" ± {_fmt(error)}"


def clone_state(state: GameState, seed: int) -> GameState:
    """A copy of the game to try an order on, with its own random generator (never the game's:
    a preview must not tell the game's dice). The scenario and the board are shared."""
    # The copy makes its own per-game caches (the rules and the computer player keep them for
    # each game); the board's, shared by every game of the scenario, serve it at once.
    memo = {id(state.scenario): state.scenario, id(state.board): state.board}
    for name in ("ledger", "works_ledger", "rounds_ledger", "position_ledger"):
        memo[id(getattr(state, name))] = []
    copy_ = copy.deepcopy(state, memo)
    copy_.dice = Dice(seed)
    return copy_


class Scratch:
    """One copy of the game that orders are tried on, put back to the game's state before each
    try (`reset`): a deep copy once, then only the values copied back, which costs a few dozen
    array copies instead of a deep copy each try. Whatever a try changes stays in the copy; the
    game itself is never touched."""

    def __init__(self, state: GameState, seed: int = PREVIEW_SEED) -> None:
        self.source = state
        self.units, self.works = state.units, state.works  # whose arrays are copied back
        self.copy = clone_state(state, seed)
        self.dice = self.copy.dice  # one set of dice for all the tries of a preview
        self._arrays: list[tuple[np.ndarray, np.ndarray]] = []
        for kind, mine, theirs in (
            (Units, self.copy.units, state.units),
            (Works, self.copy.works, state.works),
        ):
            for f in fields(kind):
                value = getattr(theirs, f.name)
                if isinstance(value, np.ndarray):
                    self._arrays.append((getattr(mine, f.name), value))
        self._weapons = [
            (mine, theirs)
            for group_mine, group_theirs in zip(
                self.copy.units.indirect, state.units.indirect, strict=True
            )
            for mine, theirs in zip(group_mine, group_theirs, strict=True)
        ]
        self._fields = [f.name for f in fields(GameState) if f.name not in _SHARED]

    @classmethod
    def of(cls, state: GameState) -> Scratch:
        """The scratch copy of this game, made once and kept while it is the game previewed
        (`reset` copies every value back, so it serves every turn; one is kept, for the last
        game asked about), with a fresh preview generator: the same preview of the same state
        draws the same numbers."""
        scratch = _LAST[0]
        if (
            scratch is None
            or scratch.source is not state
            or scratch.units is not state.units  # (never replaced in play; if it were: anew)
            or scratch.works is not state.works
        ):
            scratch = _LAST[0] = cls(state)
        scratch.dice = scratch.copy.dice = Dice(PREVIEW_SEED)
        return scratch

    def reset(self, hidden: Iterable[int] = ()) -> GameState:
        """The copy, as the game is now (its generator goes on where the last try left it),
        without the `hidden` units (those the side previewing cannot see under fog: a preview
        must not tell of them)."""
        for mine, theirs in self._arrays:
            np.copyto(mine, theirs)
        for mine, theirs in self._weapons:
            mine.own_rounds, mine.carry = theirs.own_rounds, theirs.carry
        copy_, state = self.copy, self.source
        for name in self._fields:
            value = getattr(state, name)
            if isinstance(value, np.ndarray):
                np.copyto(getattr(copy_, name), value)
            elif isinstance(value, list):
                setattr(copy_, name, list(value))
            elif isinstance(value, dict):
                setattr(
                    copy_,
                    name,
                    {k: list(v) if isinstance(v, list) else v for k, v in value.items()},
                )
            elif isinstance(value, _PLAIN):
                setattr(copy_, name, value)
            else:  # anything else a rule might change in place: a copy of its own
                setattr(copy_, name, copy.deepcopy(value))
        copy_.dice = self.dice
        for i in hidden:
            copy_.units.hex[i] = -1
        return copy_


_LAST: list[Scratch | None] = [None]  # the scratch copy of the last game previewed


# ---------------------------------------------------------------------------------- fire


def fire_refusal(state: GameState, firer: int, there: int) -> str | None:
    """Why `firer` would not fire at hex `there` this turn, in the rules' terms (reach as fire
    discipline shortens it, line of sight), or None when it would."""
    u, board = state.units, state.board
    c = coefficients_of(state)
    if u.firepower[firer] <= 0:
        return "no rifles or machine guns"
    if u.routed[firer]:
        return "routed: it does not fire"
    if u.crossing_hours[firer] > 0:
        return "in the water: it cannot fire"
    here = int(u.hex[firer])
    distance = board.distance(here, there)
    full, saving = fire_reaches(state, c)
    reach = full[firer] if board.water[there] else saving[firer]
    if distance > reach:
        if distance <= full[firer]:
            return (
                f"saving its rounds: fires up to {_hexes(reach)} now, the target is"
                f" {_hexes(distance)} away"
            )
        return f"out of reach: {_hexes(distance)} away, fires up to {_hexes(reach)}"
    if not line_of_sight(board, here, there, c.sight_clearance_m):
        return "no line of sight"
    return None


def _hexes(n: int) -> str:
    return "1 hex" if n == 1 else f"{n} hexes"


def fire_event(state: GameState, firer: int, there: int, hidden: Iterable[int] = ()):
    """The rules' own direct fire of `firer` aimed at hex `there`, on a scratch copy with only
    the firer and the enemies in that hex on the map (but the `hidden`): (its Fired event or
    None, rounds spent)."""
    copy_ = Scratch.of(state).reset(hidden)
    u = copy_.units
    on_map = np.zeros(u.count, bool)
    on_map[firer] = True
    for t in copy_.units_at(there, 1 - int(u.side[firer])):
        on_map[t] = True
    events: list = []
    aim_hex = np.full(copy_.units.count, -1, np.int64)
    aim_hex[firer] = there
    direct_fire(copy_, coefficients_of(copy_), events, aim_hex=aim_hex, on_map=on_map)
    fired = next((e for e in events if isinstance(e, Fired) and e.unit == u.ids[firer]), None)
    spent = float(state.units.ammo[firer]) - float(u.ammo[firer])
    return fired, (spent if math.isfinite(spent) else 0.0)


def own_fire(state: GameState, firer: int, hidden: Iterable[int] = ()):
    """The fire `firer` opens by itself this turn if it stays (at the nearest enemy it sees in
    its reach, as the rules' direct fire picks it), on a scratch copy without the `hidden`:
    (its Fired event or None, rounds spent)."""
    copy_ = Scratch.of(state).reset(hidden)
    u = copy_.units
    on_map = copy_.active()
    events: list = []
    direct_fire(copy_, coefficients_of(copy_), events, on_map=on_map)
    fired = next((e for e in events if isinstance(e, Fired) and e.unit == u.ids[firer]), None)
    spent = float(state.units.ammo[firer]) - float(u.ammo[firer])
    return fired, (spent if math.isfinite(spent) else 0.0)


def fire_odds(state: GameState, firer: int, target: int, hidden: Iterable[int] = ()) -> Odds:
    """Aimed fire of `firer` at the hex of the enemy unit `target` for one turn, as the rules'
    direct fire would do it now (units fire by themselves at the nearest enemy in reach; this
    shows what a volley does)."""
    u = state.units
    there = int(u.hex[target])
    title = f"Fire on {u.names[target]}"
    reason = fire_refusal(state, firer, there)
    if reason:
        return Odds(title, reason, possible=False, expected=0.0)
    fired, spent = fire_event(state, firer, there, hidden)
    if fired is None:
        return Odds(title, "would not fire there", possible=False, expected=0.0)
    hit = u.ids.index(fired.target)
    rows = [("base", f"{fired.base:.2f} men/h"), ("hours", f"{state.turn_hours:g}")]
    rows += _factor_rows(fired.modifiers)
    if math.isfinite(u.ammo[firer]):
        rows.insert(0, ("rounds", f"spends {spent:,.0f} of the {u.ammo[firer]:,.0f} left"))
    if fired.expected <= 0:
        why = "no rounds left" if u.ammo[firer] <= 0 else "no effect"
        return Odds(title, f"{why}: fires nothing", rows, False, 0.0, rounds=spent)
    headline = f"expected {men(fired.expected)} hit of {int(u.men[hit])} ({u.names[hit]})"
    return Odds(title, headline, rows, True, fired.expected, rounds=spent)


# ---------------------------------------------------------------------------- bombardment


def bombard_refusal(state: GameState, gun: int, target: int) -> str | None:
    """Why `gun` cannot bombard hex `target` now (no tubes, out of range, no rounds), or None."""
    u, board = state.units, state.board
    if not u.indirect[gun]:
        return "no guns or mortars"
    here = int(u.hex[gun])
    weapons = [w for w in u.indirect[gun] if in_range(state, w, here, target)]
    if not weapons:
        metres = board.distance(here, target) * board.hex_size_m
        return f"out of range ({metres:,.0f} m)"
    if all(rounds_available(state, w) < 1 for w in weapons):
        return "no rounds left for the tubes in range"
    if u.routed[gun]:
        return "routed: its tubes do not fire"
    return None


def binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(k) for k = 0..n of a binomial count (in logarithms, so that a thousand rounds do not
    underflow)."""
    if p <= 0.0 or p >= 1.0:
        out = np.zeros(n + 1)
        out[n if p >= 1.0 else 0] = 1.0
        return out
    k = np.arange(1, n + 1)
    log_choose = np.concatenate(([0.0], np.cumsum(np.log(n - k + 1) - np.log(k))))
    ks = np.arange(n + 1)
    return np.exp(log_choose + ks * math.log(p) + (n - ks) * math.log1p(-p))


def expected_bombard_casualties(event: Bombarded, on_target: float) -> dict[str, float]:
    """Each unit's expected men hit by the bombardment `event` records, over every count of
    rounds that could land (a binomial of the rounds fired and `on_target`), by the rules'
    `expected_shell_casualties` (the event itself holds the count that happened to land)."""
    total = int(event.rounds)
    if total <= 0:
        return {}
    landed = np.arange(total + 1)
    chance = binomial_pmf(total, on_target)
    full = sum(r * event.lethal_area_m2[c] for c, r in event.rounds_by_class.items())
    night = event.modifiers.get("night", 1.0)
    found = {}
    for unit_id, n in event.men.items():
        exposure = product(event.exposure[unit_id])
        each = [
            expected_shell_casualties(full * k / total * night, n, event.hex_area_m2, exposure)
            for k in landed.tolist()
        ]
        found[unit_id] = float(np.dot(chance, each))
    return found


def bombard_odds(
    state: GameState,
    gun: int,
    target: int,
    trials: int = BOMBARD_TRIALS,
    *,
    seen: bool = True,
    cap: int = -1,
    hidden: Iterable[int] = (),
    places: frozenset[str] = frozenset(),
) -> Odds:
    """A turn's bombardment of hex `target` by `gun`, by the rules' own bombardment on a scratch
    copy: the rounds it fires and what they do to whoever is in the hex now. With `seen` False
    (fog: no enemy seen there), casualties are not told. `places`: the places whose names the
    viewer may not be told (the other side's plan; labels.hex_words)."""
    u, board = state.units, state.board
    c = coefficients_of(state)
    title = f"Bombard {hex_words(state, target, places)}"
    reason = bombard_refusal(state, gun, target)
    if reason:
        return Odds(title, reason, possible=False, expected=0.0)
    scratch = Scratch.of(state)
    events_of_tries: list[Bombarded] = []
    for _ in range(max(1, trials)):
        events: list = []
        bombard(scratch.reset(hidden), gun, target, c, events, cap)
        found = next((e for e in events if isinstance(e, Bombarded)), None)
        if found is None:
            return Odds(title, "its tubes would not fire", possible=False, expected=0.0)
        events_of_tries.append(found)
    first = events_of_tries[0]
    by_unit = expected_bombard_casualties(first, c.rounds_on_target_fraction)
    expected = sum(by_unit.values())
    distance_m = board.distance(int(u.hex[gun]), target) * board.hex_size_m
    rows = [
        ("range", f"{distance_m:,.0f} m"),
        ("rounds", f"fires {first.rounds:,} of the {_rounds_left(state, gun, target):,.0f} left"),
        ("on target", f"{c.rounds_on_target_fraction:.0%} of rounds"),
    ]
    rows += [
        (k.replace("_", " "), f"×{v:g}") for k, v in first.modifiers.items() if k != "on_target"
    ]
    w = state.works
    n = len(events_of_tries)
    if w.fort_strength[target] + w.blockhouse_strength[target] > 0:
        damage = sum(e.works_damage for e in events_of_tries) / n
        rows.append(("works damage", f"{damage:,.0f}"))
    if w.mine_depth_m[target] > 0:
        lane = sum(e.lane for e in events_of_tries) / n
        rows.append(("minefield lane", f"{w.lane[target]:.0%} → {lane:.0%}"))
    if w.wire_lines[target] > 0:
        left = sum(e.wire_lines_left for e in events_of_tries) / n
        rows.append(("wire lines", f"{w.wire_lines[target]:.1f} → {left:.1f}"))
    if seen and by_unit:
        for unit_id, hit in by_unit.items():
            i = u.ids.index(unit_id)
            rows.append((f"{u.names[i]} ({int(u.men[i])})", f"~{_fmt(hit)}"))
        headline = f"strikes the hex: about {men(expected)} hit among those there now"
    else:
        headline = "strikes the hex: no enemy seen there now"
    return Odds(title, headline, rows, True, expected if seen else None, rounds=first.rounds)


def _rounds_left(state: GameState, gun: int, target: int) -> float:
    here = int(state.units.hex[gun])
    return sum(
        rounds_available(state, w)
        for w in state.units.indirect[gun]
        if in_range(state, w, here, target)
    )


# -------------------------------------------------------------------------------- assault


def assault_refusal(state: GameState, attackers: list[int], target: int) -> str | None:
    """Why these units cannot assault hex `target` now (as the turn takes assault orders), or
    None."""
    u, board = state.units, state.board
    if not attackers:
        return "no unit able to assault"
    for a in attackers:
        if u.is_gun[a]:
            return f"{u.names[a]} is a gun unit and cannot assault"
        if u.routed[a]:
            return f"{u.names[a]} is routed"
        if u.crossing_hours[a] > 0:
            return f"{u.names[a]} is in the water"
        distance = board.distance(int(u.hex[a]), target)
        if distance != 1:
            return f"{_hexes(distance)} away: only a hex next to the unit can be assaulted"
    return None


class AssaultTrials:
    """The rules' own assault of hex `target` by `attackers`, tried again and again on a scratch
    copy of the game: `advance` runs tries for a while (a slice of each frame), `odds` tells
    the estimate so far. Means and shares come with their standard errors."""

    def __init__(
        self,
        state: GameState,
        attackers: list[int],
        target: int,
        trials: int = TRIALS,
        hidden: Iterable[int] = (),
        places: frozenset[str] = frozenset(),
    ):
        self.state, self.attackers, self.target = state, list(attackers), target
        self.places = places
        self.trials, self.hidden = trials, tuple(hidden)
        self.scratch: Scratch | None = None
        self.results: list[tuple[bool, int, int]] = []  # (taken, attackers lost, defenders lost)
        self.modifiers: dict[str, float] = {}  # each named modifier's sum over the tries
        self.refused = False

    @property
    def done(self) -> bool:
        return self.refused or len(self.results) >= self.trials

    def advance(self, seconds: float | None = None) -> None:
        """Run tries until all are done or `seconds` have passed (None: all of them)."""
        if self.done:
            return
        if self.scratch is None:
            self.scratch = Scratch.of(self.state)
        c = coefficients_of(self.state)
        started = time.perf_counter()
        while len(self.results) < self.trials:
            events: list = []
            copy_ = self.scratch.reset(self.hidden)
            resolve_assault(copy_, self.target, list(self.attackers), c, events)
            found = next((e for e in events if isinstance(e, Assaulted)), None)
            if found is None:
                self.refused = True
                return
            for name, value in found.modifiers.items():  # (a try's own outcomes too: means)
                self.modifiers[name] = self.modifiers.get(name, 0.0) + value
            self.results.append(
                (
                    found.outcome == "taken",
                    sum(found.attacker_losses.values()),
                    sum(found.defender_losses.values()),
                )
            )
            if seconds is not None and time.perf_counter() - started >= seconds:
                return

    def odds(self) -> Odds:
        state = self.state
        u = state.units
        title = f"Assault {hex_words(state, self.target, self.places)}"
        if self.refused:
            return Odds(title, "the rules would not fight this assault", possible=False)
        n = len(self.results)
        if n == 0:
            return Odds(title, "trying…", done=False)
        data = np.array(self.results, dtype=float)
        mean = data.mean(axis=0)
        error = data.std(axis=0, ddof=1) / math.sqrt(n) if n > 1 else np.full(3, np.inf)
        side = int(u.side[self.attackers[0]])
        defenders = [
            d
            for d in state.units_at(self.target, 1 - side)
            if u.men[d] > 0 and d not in self.hidden
        ]
        rows = [
            ("attackers", f"{sum(int(u.men[a]) for a in self.attackers)}"),
            ("defenders", f"{sum(int(u.men[d]) for d in defenders)}"),
            ("hex taken", f"{mean[0]:.0%}{_give_or_take(2 * error[0], percent=True)}"),
            ("attackers lost", f"~{_fmt(mean[1])}{_give_or_take(2 * error[1])}"),
            ("defenders lost", f"~{_fmt(mean[2])}{_give_or_take(2 * error[2])}"),
        ]
        rows += [(k.replace("_", " "), f"{v / n:.3g}") for k, v in self.modifiers.items()]
        more = "" if self.done else "…"
        headline = f"takes the hex in {mean[0]:.0%} of {n} tries{more}"
        return Odds(
            title,
            headline,
            rows,
            True,
            float(mean[1]),
            float(error[1]),
            taken=float(mean[0]),
            defenders_lost=float(mean[2]),
            defenders_error=float(error[2]),
            done=self.done,
        )


def assault_odds(
    state: GameState,
    attackers: list[int],
    target: int,
    trials: int = TRIALS,
    hidden: Iterable[int] = (),
    places: frozenset[str] = frozenset(),
) -> Odds:
    """An assault on `target` now, by the rules' own assault tried `trials` times on a scratch
    copy of the game: how often it takes the hex, and the losses on each side (before this
    turn's fire), all tries run at once (the window runs them a slice per frame:
    `AssaultTrials`)."""
    u = state.units
    title = f"Assault {hex_words(state, target, places)}"
    reason = assault_refusal(state, attackers, target)
    if reason:
        return Odds(title, reason, possible=False)
    side = int(u.side[attackers[0]])
    hidden = tuple(hidden)
    if not [d for d in state.units_at(target, 1 - side) if u.men[d] > 0 and d not in hidden]:
        return Odds(title, "no enemy there that you know of: the unit moves in", possible=True)
    tries = AssaultTrials(state, attackers, target, trials, hidden)
    tries.advance()
    return tries.odds()
