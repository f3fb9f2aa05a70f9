"""Exact values for the rules' formulas (docs/rules.md), one small scenario per question.

Each test works the expected number out by hand from the formula in docs/rules.md and the
coefficient values (read from `coefficients()`, the defaults of engine/rules/coefficients.yaml),
and compares the engine's own number with it. Random results are pinned down without dice:
`StubRng` stands in for the game's dice and their streams (it records every binomial's
parameters and returns the floor of the mean), and the `draws` fixture records the expected value
handed to each `draw_casualties` call, which is the unrounded expected loss the rule computed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

from engine.core.board import HEX_AREA_FACTOR
from engine.core.bundles import unit_arrays
from engine.core.dice import DIRECT_FIRE, DROWN, Dice
from engine.core.events import (
    AirStrike,
    Assaulted,
    Bombarded,
    Drowned,
    Escaped,
    Fired,
    LeaderKilled,
    Rallied,
    Routed,
    Surrendered,
)
from engine.core.state import POSTURE_INDEX
from engine.rules import arrivals, assault, bombardment, casualties, fire, morale, movement
from engine.rules.arrivals import air_strikes
from engine.rules.assault import resolve_assault
from engine.rules.bombardment import _breach_obstacles, _fire_tubes, bombard
from engine.rules.casualties import apply_casualties
from engine.rules.coefficients import coefficients
from engine.rules.fire import ammo_factor, direct_fire, fire_discipline, fire_reaches
from engine.rules.morale import flee, morale_phase
from engine.rules.movement import LAKE, _drown, move_unit, reachable
from engine.rules.protection import product, vulnerability
from engine.rules.sight import line_of_sight
from engine.rules.turn import coefficients_of, new_game
from engine.rules.victory import condition_met, decide_winner
from engine.scenario import load_scenario_text

C = coefficients()  # the documented default values
FIRE_RATE = C.fire_casualties_per_firepower_hour  # 0.005 (a bench fit, rules.md)
RED, BLUE = 0, 1  # unit numbers of red_1 and blue_1 in every scenario below

# A 7 × 3 board of open ground (100 m hexes) with a column of water (no river: not fordable) on
# the east edge; 1-hour turns by day from 08:00. Red's platoon two hexes from Blue's.
BASE = """\
format_version: 1
id: exact_test
title: {en: Exact-value test battle}
scale: tactical
sources:
  - {id: test, title: Made up for the tests}
briefing:
  summary: Two platoons on a plain.
  situation: A test.
  aims: {red: Win., blue: Win.}
  historical_note: None; a test.
clock:
  start: 1945-05-21T08:00
  turn_minutes: 60
  turns: 6
  darkness: {starts: "20:00", ends: "05:00"}
map:
  hex_size_m: 100
  width: 7
  height: 3
  legend: {".": open, "~": water, "t": wood, "^": hill}
  terrain: |
    ......~
    ......~
    ......~
terrain:
  open: {name: {en: Open}}
  hill: {name: {en: Hill}, speed_factor: 0.5, cover: 0.7}
  wood: {name: {en: Wood}, cover: 0.8, sight_block_m: 15}
  water: {name: {en: Water}, water: true, speed_factor: 0.2, cover: 1.2}
sides:
  - {id: red, name: {en: Red}, color: "#b03030"}
  - {id: blue, name: {en: Blue}, color: "#3050b0"}
weapons:
  rifle: {name: {en: Rifle}, kind: small_arms, range_m: 400, rounds_per_hour: 30}
  mg: {name: {en: MG}, kind: machine_gun, range_m: 600, rounds_per_hour: 300}
  discharger: {name: {en: Knee mortar}, kind: grenade_discharger, range_m: 200,
               rounds_per_hour: 20}
  grenade: {name: {en: Grenade}, kind: grenade, range_m: 30, rounds_per_hour: 10}
  mortar: {name: {en: Mortar}, kind: mortar, range_m: 1500, min_range_m: 100, indirect: true,
           rounds_per_hour: 20}
  bombs: {name: {en: Bombs}, kind: aircraft_bombs, range_m: 1000, rounds_per_hour: 1}
units:
  - {id: red_1, name: {en: Red platoon}, side: red, type: infantry, men: 40,
     weapons: [{weapon: rifle, count: 40}], at: [1, 1]}
  - {id: blue_1, name: {en: Blue platoon}, side: blue, type: infantry, men: 30,
     weapons: [{weapon: rifle, count: 30}], at: [3, 1]}
victory:
  - {side: blue, kind: destroy, fraction: 0.5}
"""


def unit(uid: str, side: str, at, men: int = 30, weapons=None, **more) -> dict:
    """A unit entry for a scenario (rifles, one a man, unless told otherwise)."""
    weapons = [{"weapon": "rifle", "count": men}] if weapons is None else weapons
    entry = {"id": uid, "name": {"en": uid}, "side": side, "type": "infantry", "men": men}
    return entry | {"weapons": weapons, "at": list(at)} | more


def battle(seed: int = 1, overrides: dict | None = None, **changes):
    """A new game of BASE with top-level sections replaced (`units=[...]`, `obstacles=[...]`),
    `start="..."` for the clock's start, `turn_minutes=`, `hex_size_m=`, `terrain="..."`,
    `elevation={...}`; the scenario goes through the YAML loader like any other."""
    data = yaml.safe_load(BASE)
    for key in ("start", "turn_minutes"):
        if key in changes:
            data["clock"][key] = changes.pop(key)
    for key in ("hex_size_m", "terrain", "elevation", "width", "height"):
        if key in changes:
            data["map"][key] = changes.pop(key)
    data.update(changes)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return new_game(load_scenario_text(text).scenario, seed, overrides)


class FreshTable:
    """The dice's table as a stand-in for the dice hands it to the kernels: a new dice's each
    time (`room`, and the `table` and `head` a kernel is handed first, direct fire's), so that
    nothing counts as drawn before."""

    def room(self, turn: int, rows: int) -> tuple:
        return Dice(0).room(turn, rows)

    @property
    def table(self):
        return Dice(0).table

    @property
    def head(self):
        return Dice(0).head


class StubRng(FreshTable):
    """Stands in for the game's dice (`at`, `draw_place`, `room`) and the streams they
    give: records each binomial's (n, p) and returns the floor of its mean n × p (or, while
    `queued` has any, the next of those); `random()` returns `uniform` (by default never below
    a probability under 0.999). The kernels that draw (`KERNEL_MODULES`) draw from it too, run
    as plain Python (`stubbed`)."""

    key_words = None
    place = (0, 0, 0, 0, 0)
    taken = 0

    def __init__(self, uniform: float = 0.999, queued: list[int] | None = None) -> None:
        self.binomials: list[tuple[int, float]] = []
        self.uniform = uniform
        self.queued = list(queued or [])

    def draw_place(self, turn: int, site: int, a: int = 0, b: int = 0) -> tuple:
        return self.place

    def drawn(self, turn: int, site: int, a: int = 0, b: int = 0) -> int:
        return 0

    def next_occurrence(self, table, head, turn, site, a, b) -> int:
        """What the kernels number their draws with (the dice's `next_occurrence`): the
        stub's one place, which takes any (a lake's river, -1, as `draw_place` here does)."""
        return self.place[4]

    def skip(self, count: int) -> None:
        pass

    def binomial(self, n, p) -> int:
        self.binomials.append((int(n), float(p)))
        if self.queued:
            return self.queued.pop(0)
        return math.floor(n * p + 1e-9)

    def random(self) -> float:
        return self.uniform

    def at(self, turn: int, site: int, a: int = 0, b: int = 0) -> StubRng:
        return self  # every place of the dice draws from the one stub


# The rule modules whose kernels draw (`binomial`, `uniform_at` by their module's names): with a
# stub, their kernels run as plain Python drawing from it (protection's kernels do not draw).
KERNEL_MODULES = (casualties, assault, bombardment, arrivals, fire, morale, movement)
_PATCHES: list[pytest.MonkeyPatch] = []


def undo_stubs() -> None:
    """Undo every `stubbed`'s patches: after each test, in whichever module it called `stubbed`
    (tests/conftest.py), or the stub's draws leak into the tests after it."""
    while _PATCHES:
        _PATCHES.pop().undo()


def plain_python(patch: pytest.MonkeyPatch, module) -> None:
    """The kernels `module` calls by name (its own and those it imports), as plain Python
    where the suite runs compiled (`WARGAME_JIT`): their source, which reads the names a test
    patches."""
    for name, value in list(vars(module).items()):
        if hasattr(value, "py_func"):
            patch.setattr(module, name, value.py_func)


def stubbed(state, **kw) -> StubRng:
    stub = state.dice = StubRng(**kw)
    patch = pytest.MonkeyPatch()
    _PATCHES.append(patch)  # undone after the test (conftest)
    for module in KERNEL_MODULES:
        plain_python(patch, module)
        # (a module whose kernels draw only through another's, as assault and fire through
        # casualties', has neither name)
        patch.setattr(module, "binomial", lambda n, p, u: stub.binomial(n, p), raising=False)
        patch.setattr(module, "uniform_at", lambda keys, place, k: stub.random(), raising=False)
        patch.setattr(module, "next_occurrence", stub.next_occurrence, raising=False)
    return stub


@pytest.fixture
def draws(monkeypatch) -> list[tuple[int, float]]:
    """Every casualty draw of the kernels that draw with `draw_disabled`, as (men, expected);
    each returns the whole men in the expected loss (floor, at most the men there)."""
    calls: list[tuple[int, float]] = []

    def record(rng, men, expected):
        calls.append((int(men), float(expected)))
        if men <= 0 or expected <= 0:
            return 0
        return min(int(men), math.floor(expected + 1e-9))

    # the kernels draw with casualties' `draw_disabled` (men, expected, dice, place, k), from the
    # place `place` at its uniform `k` (as plain Python, so that they call the patched name)
    for module in (assault, bombardment, arrivals, fire):
        plain_python(monkeypatch, module)
        monkeypatch.setattr(
            module,
            "draw_disabled",
            lambda men, expected, keys, place, k: (record(0, men, expected), k),
        )
    return calls


def approx(value: float):
    return pytest.approx(value, rel=1e-12, abs=1e-15)


def fired_by(events, uid: str) -> list[Fired]:
    return [e for e in events if isinstance(e, Fired) and e.unit == uid]


def range_factor(d: int, reach: int) -> float:
    """docs: range = 1 − fire_range_falloff × (d − 1) / (reach − 1)."""
    return 1 - C.fire_range_falloff * (d - 1) / (reach - 1)


# ============================================================================ direct fire


def test_fired_expected_is_base_times_hours_times_every_factor() -> None:
    state = battle()
    rng = stubbed(state)
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    # Red: 40 rifles, 2 hexes from Blue (rifle reach 4 hexes), full strength, unsuppressed,
    # quality 0.5, daylight; Blue stands in the open (cover 1) in hasty defence.
    base = C.fire_casualties_per_firepower_hour * 40 * C.firepower_small_arms
    expected = base * 1.0 * range_factor(2, 4) * 1.0 * C.vulnerability_hasty
    assert expected == approx(0.112)  # 0.005 × 40 × 0.8 × 0.7
    (red_fire,) = fired_by(events, "red_1")
    assert red_fire.target == "blue_1"
    assert red_fire.base == round(base, 4)
    assert red_fire.modifiers == {
        "strength": 1.0,
        "range": 0.8,
        "suppression": 1.0,
        "quality": 1.0,
        "terrain_cover": 1.0,
        "posture": 0.7,
    }
    assert red_fire.expected == round(expected, 3)
    # The loss is Binomial(men, E / men): the first draw is Red's on Blue's 30 men.
    n, p = rng.binomials[0]
    assert n == 30
    assert n * p == approx(expected)
    # Blue's 30 rifles on Red, the same way: simultaneous fire.
    (blue_fire,) = fired_by(events, "blue_1")
    blue_expected = C.fire_casualties_per_firepower_hour * 30 * range_factor(2, 4) * 0.7
    assert rng.binomials[1][0] * rng.binomials[1][1] == approx(blue_expected)
    assert blue_fire.expected == round(blue_expected, 3)


def test_fire_expected_scales_with_the_turns_hours(draws) -> None:
    state = battle(turn_minutes=30)
    direct_fire(state, coefficients_of(state), [])
    assert draws[0] == (30, approx(FIRE_RATE * 40 * 0.5 * range_factor(2, 4) * 0.7))


def test_strength_factor_is_men_now_over_men_at_start(draws) -> None:
    state = battle()
    state.units.men[RED] = 10  # 10 of its 40 left (the rest counted killed)
    state.units.killed[RED] = 30
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    (red_fire,) = fired_by(events, "red_1")
    assert red_fire.modifiers["strength"] == 0.25
    assert draws[0] == (30, approx(FIRE_RATE * 40 * 0.25 * range_factor(2, 4) * 0.7))


def test_suppression_factor_is_one_minus_the_firers_suppression(draws) -> None:
    state = battle()
    state.units.suppression[RED] = 0.3
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    assert fired_by(events, "red_1")[0].modifiers["suppression"] == 0.7
    assert draws[0][1] == approx(FIRE_RATE * 40 * (1 - 0.3) * range_factor(2, 4) * 0.7)


def test_quality_factor_with_another_weight(draws) -> None:
    # quality = (1 − w/2) + w × quality: w = 0.5, quality 0.9 gives 1.2
    units = [unit("red_1", "red", (1, 1), 40, quality=0.9), unit("blue_1", "blue", (3, 1))]
    state = battle(units=units, overrides={"quality_fire_weight": 0.5})
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    assert fired_by(events, "red_1")[0].modifiers["quality"] == approx(1.2)
    assert draws[0][1] == approx(FIRE_RATE * 40 * 1.2 * range_factor(2, 4) * 0.7)


def test_night_factor_and_night_sight(draws) -> None:
    # 22:00-23:00: night. Targets are found only within night_sight_m (150 m: one hex), so at
    # two hexes nobody fires; next to each other both fire at night_fire_factor.
    state = battle(start="1945-05-21T22:00")
    assert state.is_night()
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    assert fired_by(events, "red_1") == [] and draws == []
    units = [unit("red_1", "red", (1, 1), 40), unit("blue_1", "blue", (2, 1))]
    state = battle(start="1945-05-21T22:00", units=units)
    direct_fire(state, coefficients_of(state), events)
    (red_fire,) = fired_by(events, "red_1")
    assert red_fire.modifiers["night"] == C.night_fire_factor == 0.5
    assert red_fire.modifiers["range"] == 1.0  # one hex: no fall-off
    assert draws[0] == (30, approx(FIRE_RATE * 40 * C.night_fire_factor * 0.7))


def test_firepower_adds_the_weapons_weights() -> None:
    weapons = [
        {"weapon": "rifle", "count": 20},
        {"weapon": "mg", "count": 2},
        {"weapon": "discharger", "count": 3},
        {"weapon": "grenade", "count": 50},  # grenades are no direct-fire firepower
    ]
    units = [unit("red_1", "red", (1, 1), 40, weapons), unit("blue_1", "blue", (3, 1))]
    state = battle(units=units)
    assert state.units.firepower[RED] == 20 * 1.0 + 2 * 5.0 + 3 * 2.0
    assert state.units.fire_range_m[RED] == 600  # the longest direct-fire weapon
    assert state.units.grenades[RED] == 50


def test_ammo_factor_spends_rounds_and_weakens_fire_without_them() -> None:
    units = [
        unit("red_1", "red", (1, 1), 40, [{"weapon": "rifle", "count": 40, "ammo": 1000}]),
        unit("blue_1", "blue", (3, 1)),
    ]
    state = battle(units=units)
    c = coefficients_of(state).values()
    u = unit_arrays(state.units)
    # 40 firepower × 1 h × 20 rounds = 800 needed, 1,000 carried: full effect (no factor, NaN),
    # 200 left.
    assert math.isnan(ammo_factor(u, RED, 1.0, c))
    assert state.units.ammo[RED] == 200.0
    # Another hour: 800 needed, 200 left: a quarter of the time with ammunition.
    share = 200 / 800
    assert ammo_factor(u, RED, 1.0, c) == approx(share + (1 - share) * C.no_ammo_fire_factor)
    assert state.units.ammo[RED] == 0.0
    assert ammo_factor(u, RED, 0.5, c) == approx(C.no_ammo_fire_factor)
    assert math.isnan(ammo_factor(u, BLUE, 1.0, c))  # unlimited ammunition
    assert math.isinf(state.units.ammo[BLUE])


def limited(ammo: int, at=(3, 1)) -> list[dict]:
    return [
        unit("red_1", "red", (1, 1), 40, [{"weapon": "rifle", "count": 40, "ammo": ammo}]),
        unit("blue_1", "blue", at),
    ]


def test_fire_discipline_cuts_effect_and_spending(draws) -> None:
    # 6 one-hour turns left: it would fire 40 × 20 × 0.25 × 6 = 1,200 rounds; 300 is a quarter.
    state = battle(units=limited(300))
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    (red_fire,) = fired_by(events, "red_1")
    need = 40 * C.ammo_rounds_per_firepower_hour * C.ammo_planned_firing_share * 6
    assert need == 1200
    assert red_fire.modifiers["fire_discipline"] == approx(300 / need)
    assert "ammunition" not in red_fire.modifiers
    assert draws[0][1] == approx(FIRE_RATE * 40 * range_factor(2, 4) * 0.25 * 0.7)
    # It fires 0.25 of the hour: 40 × 0.25 × 20 = 200 rounds.
    assert state.units.ammo[RED] == 300 - 40 * 0.25 * C.ammo_rounds_per_firepower_hour


def test_no_fire_discipline_with_rounds_enough_for_the_plan(draws) -> None:
    state = battle(units=limited(1200))  # exactly what it would fire in the six hours left
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    (red_fire,) = fired_by(events, "red_1")
    assert "fire_discipline" not in red_fire.modifiers
    assert state.units.ammo[RED] == 1200 - 40 * C.ammo_rounds_per_firepower_hour


def test_fire_discipline_eases_as_the_end_nears() -> None:
    state = battle(units=limited(300))
    c = coefficients_of(state)
    assert fire_discipline(state, c)[RED] == approx(300 / 1200)
    state.turn = 4  # two hours left: 400 rounds wanted
    assert fire_discipline(state, c)[RED] == approx(300 / 400)
    state.turn = 5
    assert fire_discipline(state, c)[RED] == 1.0
    assert fire_discipline(state, c)[BLUE] == 1.0  # unlimited
    # the horizon is at most ammo_resupply_hours
    long = battle(units=limited(300), overrides={"ammo_resupply_hours": 2.0})
    assert fire_discipline(long, coefficients_of(long))[RED] == approx(300 / 400)


def test_fire_discipline_with_too_few_rounds(draws) -> None:
    # At the last hour 40 × 20 × 0.25 × 1 = 200 rounds are wanted for the plan: 100 carried,
    # so it fires half the hour and spends 40 × 0.5 × 20 = 400 rounds... it has 100: a quarter.
    state = battle(units=limited(100))
    state.turn = 5
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    (red_fire,) = fired_by(events, "red_1")
    assert red_fire.modifiers["fire_discipline"] == approx(0.5)
    ammunition = 0.25 + 0.75 * C.no_ammo_fire_factor
    assert red_fire.modifiers["ammunition"] == approx(ammunition)
    assert draws[0][1] == approx(FIRE_RATE * 40 * range_factor(2, 4) * 0.5 * ammunition * 0.7)
    assert state.units.ammo[RED] == 0.0


def test_fire_reaches_by_day_and_night() -> None:
    knee_mortars = [{"weapon": "discharger", "count": 5}]
    units = [*limited(300), unit("blue_2", "blue", (5, 1), 10, knee_mortars)]
    state = battle(units=units)
    c = coefficients_of(state)
    # full: range_m // hex size (at least 1); fired at: a quarter of the rounds wanted holds to
    # max(2, floor(4 × 0.25)) = 2 hexes.
    assert fire_reaches(state, c) == ([4, 4, 2], [2, 4, 2])
    state.turn = 4  # 0.75 of the rounds wanted: floor(4 × 0.75) = 3 hexes
    assert fire_reaches(state, c) == ([4, 4, 2], [3, 4, 2])
    night = battle(units=units, start="1945-05-21T22:00")
    assert fire_reaches(night, c) == ([1, 1, 1], [1, 1, 1])  # 150 m: one hex


def test_limited_ammunition_holds_fire_beyond_two_hexes(draws) -> None:
    state = battle(units=limited(300, at=(4, 1)))  # three hexes: within the rifles' reach
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    assert fired_by(events, "red_1") == []
    assert [e.unit for e in events if isinstance(e, Fired)] == ["blue_1"]


def test_limited_ammunition_fires_on_men_in_a_river_at_full_reach(draws) -> None:
    # Blue in the water three hexes off (4 hexes, [6, 1] being water; Red at [2, 1]).
    units = limited(1000, at=(6, 1))  # short: 1,000 of the 1,200 rounds wanted, reach 3 hexes
    units[0]["at"] = [2, 1]
    state = battle(units=units)
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    (red_fire,) = fired_by(events, "red_1")
    assert "fire_discipline" not in red_fire.modifiers
    assert red_fire.modifiers["in_water"] == C.water_exposure
    cover = 1.2
    expected = FIRE_RATE * 40 * range_factor(4, 4) * cover * C.vulnerability_hasty
    expected *= C.water_exposure
    assert draws[0] == (30, approx(expected))
    assert state.units.ammo[RED] == 1000 - 40 * 1.0 * 20


def test_each_shot_draws_at_its_firers_place_counted_as_drawn() -> None:
    """A shot of unit f draws at (turn, DIRECT_FIRE, f, 0, occurrence): counted once a shot,
    none for a unit that does not fire (Blue's second platoon, out of reach), and a second
    fire in the same turn (the window's previews on one copy) draws at the next occurrence."""
    units = [*limited(30000), unit("blue_2", "blue", (6, 1))]
    units[2]["at"] = [6, 2]  # six hexes from Red: out of every rifle's reach
    state = battle(units=units)

    def fire_counts() -> dict[int, int]:
        return {a: n for (site, a, _), n in state.dice.uses.items() if site == DIRECT_FIRE}

    ammo = float(state.units.ammo[RED])
    direct_fire(state, coefficients_of(state), [])
    assert fire_counts() == {RED: 1, BLUE: 1}
    assert [state.dice.drawn(state.turn, DIRECT_FIRE, a) for a in range(3)] == [1, 1, 0]
    # the second time: the same aim (Red's rounds spent again), drawn at occurrence 1
    seen: list[tuple] = []
    patch = pytest.MonkeyPatch()
    plain_python(patch, fire)
    patch.setattr(
        fire,
        "draw_disabled",
        lambda men, expected, keys, place, k: (seen.append(place), (0, k))[1],
    )
    try:
        direct_fire(state, coefficients_of(state), [])
    finally:
        patch.undo()
    assert fire_counts() == {RED: 2, BLUE: 2}
    assert seen == [(state.turn, DIRECT_FIRE, f, 0, 1) for f in (RED, BLUE)]
    assert state.units.ammo[RED] == ammo - 2 * 40 * C.ammo_rounds_per_firepower_hour


def test_fire_suppresses_its_target_by_expected_share() -> None:
    state = battle()
    stubbed(state)
    direct_fire(state, coefficients_of(state), [])
    red_on_blue = FIRE_RATE * 40 * range_factor(2, 4) * 0.7
    blue_on_red = FIRE_RATE * 30 * range_factor(2, 4) * 0.7
    # a 1-hour turn adds (e^λ - 1) / λ of it, λ = ln 2 (half wears off an hour), before the
    # morale step's decay: so steady fire holds the same suppression at any turn length
    spread = 1 / math.log(2)
    assert C.suppression_decay_per_hour == 0.5
    assert state.units.suppression[BLUE] == approx(
        C.suppression_per_casualty_share * red_on_blue / 30 * spread
    )
    assert state.units.suppression[RED] == approx(
        C.suppression_per_casualty_share * blue_on_red / 40 * spread
    )


def test_fire_suppression_is_capped_at_one_by_the_turns_end() -> None:
    """Within the turn the fire may pin past 1, up to the level the turn's decay brings back to
    1 (protection.pin): (1 - 0.5)^-1 = 2 in a 1-hour turn; the morale step leaves 1."""
    state = battle()
    stubbed(state)
    state.units.suppression[BLUE] = 1.99
    direct_fire(state, coefficients_of(state), [])
    assert state.units.suppression[BLUE] == 2.0
    morale_phase(state, state.units.men.copy(), state.units.morale_start, state.coefficients, [])
    assert state.units.suppression[BLUE] == 1.0


def test_a_ridge_hides_a_target_from_fire(draws) -> None:
    # Four hexes apart (the rifles' reach), a 30 m rise in the middle: 28 m above the sightline.
    units = [unit("red_1", "red", (0, 0), 40), unit("blue_1", "blue", (4, 0))]
    flat = dict(width=5, height=1, terrain=".....\n")
    state = battle(units=units, **flat, elevation={"base_m": 0, "step_m": 10, "grid": "00300\n"})
    events: list = []
    direct_fire(state, coefficients_of(state), events)
    assert [e for e in events if isinstance(e, Fired)] == [] and draws == []
    state = battle(units=units, **flat)  # the same without the rise: both fire
    direct_fire(state, coefficients_of(state), events)
    assert sorted(e.unit for e in events if isinstance(e, Fired)) == ["blue_1", "red_1"]


# ============================================================================ exposure


def posture(state, i: int, name: str) -> None:
    state.units.posture[i] = POSTURE_INDEX[name]


def test_exposure_attack_and_withdrawal_postures() -> None:
    state = battle()
    c = coefficients_of(state)
    posture(state, BLUE, "attack")
    assert vulnerability(state, BLUE, c) == {"terrain_cover": 1.0, "posture": 1.0}
    assert vulnerability(state, BLUE, c, "shell")["posture"] == C.shell_exposure_open
    posture(state, BLUE, "withdrawal")
    assert vulnerability(state, BLUE, c)["posture"] == C.vulnerability_withdrawal == 1.2
    assert vulnerability(state, BLUE, c, "shell")["posture"] == C.shell_exposure_open
    posture(state, BLUE, "hasty")
    state.units.routed[BLUE] = True  # routed men are as exposed as men withdrawing
    assert vulnerability(state, BLUE, c)["posture"] == C.vulnerability_withdrawal
    state.units.routed[BLUE] = False
    assert vulnerability(state, BLUE, c) == {"terrain_cover": 1.0, "posture": 0.7}
    assert vulnerability(state, BLUE, c, "shell")["posture"] == C.shell_exposure_hasty


def test_exposure_prepared_works_scale_with_what_is_left() -> None:
    works = [{"kind": "fortification", "hexes": [[3, 1]], "level": "prepared", "strength": 100}]
    state = battle(obstacles=works)
    c = coefficients_of(state)
    h = state.board.index(3, 1)
    assert vulnerability(state, BLUE, c)["posture"] == approx(C.vulnerability_prepared)
    state.works.fort_strength[h] = 25.0  # a quarter left
    hasty = C.vulnerability_hasty
    assert vulnerability(state, BLUE, c)["posture"] == approx(
        hasty + (C.vulnerability_prepared - hasty) * 0.25
    )
    shell_hasty = C.shell_exposure_hasty
    assert vulnerability(state, BLUE, c, "shell")["posture"] == approx(
        shell_hasty + (C.shell_exposure_prepared - shell_hasty) * 0.25
    )
    state.works.fort_strength[h] = 0.0
    assert vulnerability(state, BLUE, c)["posture"] == approx(hasty)


def test_exposure_blockhouse_scales_with_what_is_left() -> None:
    houses = [{"kind": "blockhouse", "hexes": [[3, 1]], "count": 2, "strength": 50}]
    state = battle(obstacles=houses)
    c = coefficients_of(state)
    h = state.board.index(3, 1)
    assert state.works.blockhouse_strength_start[h] == 100.0  # count × strength
    assert vulnerability(state, BLUE, c)["blockhouse"] == approx(C.blockhouse_protection)
    state.works.blockhouse_strength[h] = 30.0
    expected = 1 + (C.blockhouse_protection - 1) * 0.3
    assert vulnerability(state, BLUE, c)["blockhouse"] == approx(expected)
    assert product(vulnerability(state, BLUE, c)) == approx(1.0 * 0.7 * expected)
    posture(state, BLUE, "attack")  # men moving or attacking are not inside it
    assert "blockhouse" not in vulnerability(state, BLUE, c)


def test_exposure_in_water() -> None:
    state = battle(units=[unit("red_1", "red", (1, 1), 40), unit("blue_1", "blue", (6, 1))])
    c = coefficients_of(state)
    factors = vulnerability(state, BLUE, c)
    assert factors == {"terrain_cover": 1.2, "posture": 0.7, "in_water": C.water_exposure}
    assert product(vulnerability(state, BLUE, c, "shell")) == approx(1.2 * 0.1 * 1.5)
    assert "in_water" not in vulnerability(state, RED, c)  # on dry land
    state.units.crossing_hours[RED] = 1.5  # hours of crossing left: men in the water
    assert vulnerability(state, RED, c)["in_water"] == C.water_exposure


# ============================================================================ bombardment


def gunners(tubes: int = 2, ammo: int | None = 100, men: int = 10, at=(1, 1)) -> dict:
    weapon = {"weapon": "mortar", "count": tubes} | ({"ammo": ammo} if ammo is not None else {})
    return unit("red_guns", "red", at, men, [weapon], type="mortar")


def guns_battle(*, guns=None, blue_at=(4, 1), **changes):
    """Red's mortars at [1, 1], Blue's platoon three hexes (300 m) away: unit 0 is the guns."""
    guns = gunners() if guns is None else guns
    units = [guns, unit("blue_1", "blue", blue_at)]
    return battle(units=units, **changes)


GUNS = 0


def test_fire_tubes_rate_times_hours_times_tubes() -> None:
    state = guns_battle()
    target = state.board.index(4, 1)
    # 2 tubes × 20 rounds an hour × 1 h, of 100 carried
    assert _fire_tubes(state, GUNS, target, -1) == {"mortar": 2 * 20 * 1.0}
    assert state.units.indirect[GUNS][0].own_rounds == 100 - 40


def test_fire_tubes_crew_share_suppression_and_half_hour_turns() -> None:
    state = guns_battle(turn_minutes=30)
    state.units.men[GUNS] = 5  # half the crews
    state.units.killed[GUNS] = 5
    state.units.suppression[GUNS] = 0.25
    target = state.board.index(4, 1)
    assert _fire_tubes(state, GUNS, target, -1) == {"mortar": math.floor(2 * 20 * 0.5 * 0.5 * 0.75)}


def test_fire_tubes_capped_by_own_rounds_allotment_and_budget() -> None:
    state = guns_battle(guns=gunners(ammo=30))
    target = state.board.index(4, 1)
    assert _fire_tubes(state, GUNS, target, -1) == {"mortar": 30.0}  # all it had
    assert _fire_tubes(state, GUNS, target, -1) == {}  # nothing left
    state = guns_battle()
    assert _fire_tubes(state, GUNS, target, 25) == {"mortar": 25.0}  # the order's allotment
    budget = [{"side": "red", "weapons": ["mortar"], "rounds": 12}]
    state = guns_battle(guns=gunners(ammo=None), ammunition=budget)
    assert _fire_tubes(state, GUNS, target, -1) == {"mortar": 12.0}  # the side's budget
    assert state.budget_rounds[0] == 0.0


def test_fire_tubes_only_within_range() -> None:
    state = guns_battle(blue_at=(2, 1))
    # 100 m away: inside min_range_m = 100 .. range_m = 1500; the guns' own hex is not
    assert _fire_tubes(state, GUNS, state.board.index(2, 1), -1) == {"mortar": 40.0}
    assert _fire_tubes(state, GUNS, state.board.index(1, 1), -1) == {}


def test_bombardment_casualties_and_suppression_per_round(draws) -> None:
    state = guns_battle()
    rng = stubbed(state)
    events: list = []
    bombard(state, GUNS, state.board.index(4, 1), coefficients_of(state), events)
    assert rng.binomials[0] == (40, C.rounds_on_target_fraction)  # landed ~ Binomial(40, 0.6)
    landed = 24  # the stub's floor(40 × 0.6)
    lethal = landed * C.lethal_area_mortar_m2
    hex_area = HEX_AREA_FACTOR * 100**2
    # 30 men × (1 - exp(-lethal area × exposure / hex area)): the saturating linear law
    expected = 30 * (1 - math.exp(-lethal * (1.0 * C.shell_exposure_hasty) / hex_area))
    assert draws == [(30, approx(expected))]
    (event,) = [e for e in events if isinstance(e, Bombarded)]
    assert event.rounds == 40 and event.modifiers == {"on_target": 0.6}
    assert state.rounds_fired[0] == 40
    # + suppression_per_casualty_share × the share expected hit (as aimed fire pins), spread
    # over the 1-hour turn: × (e^λ - 1) / λ with λ = ln 2 (protection.suppression_added)
    # at the linear law's share, lethal area × exposure / hex area: 6.93 % of them
    share = lethal * C.shell_exposure_hasty / hex_area
    assert state.units.suppression[1] == approx(
        C.suppression_per_casualty_share * share / math.log(2)
    )
    assert state.units.suppression[1] == pytest.approx(0.399811, abs=1e-6)


def test_bombardment_night_factor(draws) -> None:
    state = guns_battle(start="1945-05-21T22:00")
    stubbed(state)
    events: list = []
    bombard(state, GUNS, state.board.index(4, 1), coefficients_of(state), events)
    lethal = 24 * C.lethal_area_mortar_m2 * C.night_fire_factor
    assert draws[0][1] == approx(30 * -math.expm1(-lethal * 0.1 / (HEX_AREA_FACTOR * 100**2)))
    assert events[-1].modifiers["night"] == C.night_fire_factor


def test_bombardment_damages_field_works_first_then_blockhouses() -> None:
    works = [
        {"kind": "fortification", "hexes": [[4, 1]], "level": "prepared", "strength": 0.2},
        {"kind": "blockhouse", "hexes": [[4, 1]], "strength": 20},
    ]
    state = guns_battle(obstacles=works)
    stubbed(state)
    events: list = []
    h = state.board.index(4, 1)
    bombard(state, GUNS, h, coefficients_of(state), events)
    # 24 rounds landing in a 100 m hex each hit an emplacement with chance π × 2² / 8,660 m²,
    # two hits wreck one: 24 × π × 4 / (8,660.25 × 2) = 1.741 % of the 20.2 points as built
    share = 24 * math.pi * C.works_hit_radius_m**2 / (HEX_AREA_FACTOR * 100**2 * 2)
    assert share == pytest.approx(0.017413, abs=1e-6)
    damage = 20.2 * share  # 0.352 points
    assert state.works.fort_strength[h] == 0.0
    assert state.works.blockhouse_strength[h] == approx(20 - (damage - 0.2))
    assert events[-1].works_damage == round(damage, 3)


def test_breach_obstacles_lane_and_wire() -> None:
    obstacles = [
        {"kind": "minefield", "hexes": [[4, 1]], "depth_m": 30, "density_per_m": 0.3},
        {"kind": "wire", "hexes": [[4, 1]], "lines": 2},
    ]
    state = guns_battle(obstacles=obstacles)
    c = coefficients_of(state)
    h = state.board.index(4, 1)
    area = HEX_AREA_FACTOR * 100**2
    lane, wire = _breach_obstacles(state, h, 24, c)
    # each mine is gone once a burst lands within 1 m of it: a share 1 - exp(-24 π / 8,660)
    assert lane == approx(1 - math.exp(-24 * math.pi * C.shell_clearing_radius_m**2 / area))
    assert lane == pytest.approx(0.008669, abs=1e-6)
    assert wire == approx(2 * math.exp(-24 / C.wire_rounds_per_line))  # 1.15 lines left
    lane, wire = _breach_obstacles(state, h, 400, c)
    assert lane == approx(1 - math.exp(-424 * math.pi / area))  # 14.2 %: not yet open
    assert wire == 0.0  # a thousandth of a line: every line gapped
    # open once 0.3 mines a metre × 1 m × (1 - lane) <= 0.1: lane >= 2/3, 3,028 rounds in all
    lane, _ = _breach_obstacles(state, h, 2500, c)
    assert lane == approx(1 - math.exp(-2924 * math.pi / area)) and lane < 2 / 3
    lane, _ = _breach_obstacles(state, h, 110, c)
    assert lane == 1.0 and state.works.lane[h] == 1.0 and state.works.wire_lines[h] == 0.0


def test_suppression_decays_each_hour() -> None:
    for minutes in (60, 30):
        state = battle(turn_minutes=minutes)
        state.units.suppression[:] = [0.8, 0.2]
        morale_phase(
            state, state.units.men.copy(), state.units.morale_start, state.coefficients, []
        )
        hours = minutes / 60
        decay = (1 - C.suppression_decay_per_hour) ** hours
        assert state.units.suppression.tolist() == [approx(0.8 * decay), approx(0.2 * decay)]


# ============================================================================ air strikes


def test_air_strike_shares_its_casualties_by_men_and_exposure(draws) -> None:
    units = [
        unit("red_1", "red", (0, 0), 40),
        unit("blue_1", "blue", (3, 1), 30),  # in hasty defence (shell 0.1)
        unit("blue_2", "blue", (4, 1), 10, posture="attack"),  # in the open (shell 1.0)
        unit("blue_3", "blue", (6, 2), 20),  # outside the strike's radius
    ]
    strike = {
        "side": "red",
        "time": "1945-05-21T08:00",
        "target": [3, 1],
        "radius_hexes": 1,
        "sorties": 10,
        "weapon": "bombs",
    }
    state = battle(units=units, air_strikes=[strike])
    stubbed(state)
    events: list = []
    air_strikes(state, coefficients_of(state), events)
    sorties, per = 10, C.air_casualties_per_sortie
    assert draws == [
        (30, approx(sorties * per * 30 / 40 * C.shell_exposure_hasty)),
        (10, approx(sorties * per * 10 / 40 * C.shell_exposure_open)),
    ]
    u = state.units
    assert u.suppression[1:].tolist() == [approx(10 * C.air_suppression_per_sortie)] * 2 + [0.0]
    assert u.morale[1:].tolist() == [approx(0.7 - 10 * C.air_morale_loss_per_sortie)] * 2 + [0.7]
    (event,) = [e for e in events if isinstance(e, AirStrike)]
    assert event.modifiers == {"blue_1": 0.1, "blue_2": 1.0}
    assert event.casualties == {"blue_2": 2}  # floor(2.5) by the recorder


# ============================================================================ assault


@pytest.mark.parametrize(
    ("start", "night"), [("1945-05-21T12:00", False), ("1945-05-21T22:00", True)]
)
def test_a_defenders_close_fire_factor_is_the_product_of_its_named_firer_factors(
    start, night
) -> None:
    """`close_fire_factor` (the kernel) multiplies the factors `firer_factors` names for the
    record, in their order, the night's by night only: the very float, day and night, at a
    strength and suppression of their own."""
    state = battle(start=start)
    u = state.units
    u.men[BLUE] = u.men_start[BLUE] * 3 // 4
    u.suppression[BLUE] = 0.3
    c = coefficients_of(state)
    named = fire.firer_factors(state, BLUE, 1, c)
    assert state.is_night() == night and ("night" in named) == night
    kernel = getattr(assault.close_fire_factor, "py_func", assault.close_fire_factor)
    factor = kernel(
        unit_arrays(u), BLUE, state.board.hex_size_m, u.suppression, state.is_night(), c.values()
    )
    assert factor == product(named)


def saturated(expected: float, men: int) -> float:
    """docs: E expected hits among n men become n × (1 − exp(−E/n))."""
    return men * (1 - math.exp(-expected / men))


def spread(state, units: list[int], engaged: list[int], expected: float) -> tuple[int, float]:
    """`_spread` (a kernel) of `expected` casualties among `units`, `engaged[j]` of the men of
    `units[j]` engaged (updated as the kernel takes them off). Read from the module, where
    `stubbed` puts the kernel's source when the kernels are compiled."""
    count = len(units)
    at = np.array(engaged, dtype=np.int64)
    fight = (
        unit_arrays(state.units),
        state.board.water,
        np.array(units, dtype=np.int64),
        at,
        state.dice.key_words,
        state.turn,
        *state.dice.room(state.turn, count),  # the dice's table, where the draws are numbered
        np.zeros(count, dtype=np.int64),  # units whose leader fell
        np.zeros(10, dtype=np.int64),  # the assault's counts (of leaders fallen, ...)
    )
    lost, mean = assault._spread(fight, 0, count, expected, coefficients_of(state).values())
    engaged[:] = at.tolist()
    return lost, mean


def test_spread_saturates_and_splits_by_close_combat_fraction(draws) -> None:
    state = battle()
    rng = stubbed(state)
    engaged = [40]
    lost, mean = spread(state, [RED], engaged, 10.0)
    assert draws == [(40, approx(saturated(10.0, 40)))]  # 8.85 of 40, not 10
    assert mean == approx(saturated(10.0, 40))  # the mean it reports (for the event)
    assert lost == 8 and engaged == [32]
    assert rng.binomials == [(8, C.close_combat_killed_fraction)]  # killed ~ Binomial(8, 0.33)
    assert (state.units.killed[RED], state.units.wounded[RED]) == (2, 6)


def test_spread_shares_the_saturated_loss_by_men(draws) -> None:
    units = [unit("red_1", "red", (1, 1), 30), unit("blue_1", "blue", (3, 1))]
    units.append(unit("red_2", "red", (1, 1), 10))
    state = battle(units=units)
    stubbed(state)
    spread(state, [0, 2], [30, 10], 20.0)
    total = saturated(20.0, 40)
    assert draws == [(30, approx(total * 30 / 40)), (10, approx(total * 10 / 40))]


def assault_battle(blue_weapons, blue_men: int = 30, red_quality=0.5, blue_quality=0.5, **kw):
    """Red's 40 men at [2, 1] assault Blue in [3, 1] (one axis, 100 m hexes: all engaged)."""
    units = [
        unit("red_1", "red", (2, 1), 40, quality=red_quality),
        unit("blue_1", "blue", (3, 1), blue_men, blue_weapons, quality=blue_quality),
    ]
    state = battle(units=units, **kw)
    stubbed(state)
    return state


def run_assault(state) -> Assaulted:
    events: list = []
    resolve_assault(state, state.board.index(3, 1), [RED], coefficients_of(state), events)
    state.check_invariants()
    return next(e for e in events if isinstance(e, Assaulted))


# One step of one hour (60-minute turns), breaking points at their mean: exact values.
ONE_STEP = {"assault_steps_per_hour": 1, "break_point_spread": 0}
NO_MELEE = ONE_STEP | {"melee_rate": 0}


def test_close_fire_with_wire(draws) -> None:
    rifles = [{"weapon": "rifle", "count": 30, "ammo": 1000}]
    wire = [{"kind": "wire", "hexes": [[3, 1]], "lines": 2}]
    state = assault_battle(rifles, obstacles=wire, overrides=NO_MELEE)
    event = run_assault(state)
    wire_factor = 1 + 2 * C.wire_exposure_per_line
    per_hour = (
        C.close_fire_casualties_per_firepower_hour * 30 * wire_factor * C.vulnerability_attack
    )
    assert event.modifiers["wire"] == wire_factor == 2.0
    assert event.modifiers["close_fire_per_hour"] == round(per_hour, 3) == 0.102
    assert draws == [(40, approx(saturated(per_hour * 1.0, 40)))]  # one hour of it
    assert state.units.ammo[BLUE] == 1000 - 30 * C.close_fire_rounds_per_firepower_hour


def test_close_fire_at_night_and_out_of_ammunition(draws) -> None:
    rifles = [{"weapon": "rifle", "count": 30, "ammo": 0}]
    state = assault_battle(rifles, start="1945-05-21T22:00", overrides=NO_MELEE)
    run_assault(state)
    expected = (
        C.close_fire_casualties_per_firepower_hour * 30 * C.night_fire_factor
    ) * C.no_ammo_fire_factor
    assert draws == [(40, approx(saturated(expected, 40)))]


def test_grenades(draws) -> None:
    state = assault_battle([{"weapon": "grenade", "count": 100}], overrides=NO_MELEE)
    event = run_assault(state)
    thrown = min(100, C.grenades_per_defender_hour * 30)  # 60: two a man in the hour, of 100
    assert event.modifiers["grenades_thrown"] == thrown
    assert draws == [(40, approx(saturated(thrown * C.grenade_casualties_per_throw, 40)))]
    assert state.units.grenades[BLUE] == 100 - thrown


def test_one_hour_of_hand_to_hand(draws) -> None:
    houses = [{"kind": "blockhouse", "hexes": [[3, 1]], "strength": 20}]
    state = assault_battle(
        [], 20, red_quality=0.9, blue_quality=0.3, obstacles=houses, overrides=ONE_STEP
    )
    event = run_assault(state)
    reaching = min(40, C.melee_frontage_per_defender * 1 * 20)  # 30 of the 40 reach them
    on_attackers = C.melee_rate * 20 * (0.5 + 0.3) * C.melee_defender_advantage
    posture = C.vulnerability_hasty  # the defenders' posture, no works
    on_defenders = C.melee_rate * reaching * (0.5 + 0.9) * C.blockhouse_protection * posture
    assert draws == [
        (40, approx(saturated(on_attackers, 40))),
        (20, approx(saturated(on_defenders, 20))),
    ]
    assert event.modifiers["blockhouse"] == C.blockhouse_protection
    assert event.modifiers["defenders_posture"] == posture
    assert event.melee == ({"hours": 1.0, "attackers": 40.0, "defenders": 20.0, "reaching": 30.0},)


def test_hand_to_hand_from_two_axes(draws) -> None:
    # Red's 40 at [2, 1] and 20 at [3, 0] (quality 0.9) on 10 defenders: two axes, so
    # reaching = min(60, 1.5 × 2 × 10) = 30; the attackers' loss is shared 40 : 20.
    units = [
        unit("red_1", "red", (2, 1), 40),
        unit("blue_1", "blue", (3, 1), 10, []),
        unit("red_2", "red", (3, 0), 20, quality=0.9),
    ]
    state = battle(units=units, overrides=ONE_STEP | {"melee_rate": 0.03})
    stubbed(state)
    events: list = []
    resolve_assault(state, state.board.index(3, 1), [0, 2], coefficients_of(state), events)
    event = next(e for e in events if isinstance(e, Assaulted))
    assert event.modifiers["axes"] == 2.0
    on_attackers = saturated(0.03 * 10 * (0.5 + 0.5) * C.melee_defender_advantage, 60)
    attack_quality = (40 * 0.5 + 20 * 0.9) / 60
    on_defenders = 0.03 * 30 * (0.5 + attack_quality) * C.vulnerability_hasty
    assert draws == [
        (40, approx(on_attackers * 40 / 60)),
        (20, approx(on_attackers * 20 / 60)),
        (10, approx(saturated(on_defenders, 10))),
    ]
    # the men-weighted breaking point of the two attacking units (no spread: the means)
    assert event.modifiers["attackers_break_at"] == round(
        C.break_point_mean * (0.5 + attack_quality), 4
    )


def test_breaking_points_are_scaled_by_quality(draws) -> None:
    state = assault_battle([], 20, red_quality=0.9, blue_quality=0.3, overrides=NO_MELEE)
    event = run_assault(state)
    assert event.modifiers["attackers_break_at"] == round(C.break_point_mean * 1.4, 4)
    assert event.modifiers["defenders_give_way_at"] == round(C.break_point_mean * 0.8, 4)


def test_attack_broken_off_on_reaching_its_breaking_point(draws) -> None:
    # Close fire of 0.2 × 40 rifles = 8 an hour on 40 men, in 4 steps of 15 minutes: 2 expected
    # a step (1.95 saturated, 1 hit by the stub), 4 in the hour, short of the attackers'
    # breaking point of 0.2 × 40 = 8 men: the position holds, the attack goes on.
    over = {"break_point_spread": 0, "close_fire_casualties_per_firepower_hour": 0.2}
    over |= {"melee_rate": 0}
    state = assault_battle([{"weapon": "rifle", "count": 40}], 40, overrides=over)
    event = run_assault(state)
    per_step = 0.2 * 40 / 4
    assert draws[0] == (40, approx(saturated(per_step, 40)))
    assert event.outcome == "repelled" and event.modifiers.get("attackers_broke") is None
    # The same fire for 8 hours (an 8-hour turn): at 8 men lost of 40, they break off and rout.
    draws.clear()
    state = assault_battle([{"weapon": "rifle", "count": 40}], 40, turn_minutes=480, overrides=over)
    event = run_assault(state)
    assert event.outcome == "repelled" and event.modifiers["attackers_broke"] == 1.0
    assert sum(event.attacker_losses.values()) >= C.break_point_mean * 40
    assert event.modifiers["hours_fought"] < 8 and state.units.routed[RED]


def test_hex_taken_when_defenders_losses_reach_their_breaking_point(draws) -> None:
    # melee_rate 0.3: 15 attackers reach 10 defenders; 0.3 × 15 × 1.0 × 0.7 = 3.15 expected,
    # 2.7 saturated, 2 hit = 0.2 of them = break_point_mean × (0.5 + 0.5): taken in the hour.
    state = assault_battle([], 10, overrides=ONE_STEP | {"melee_rate": 0.3})
    event = run_assault(state)
    assert draws[1] == (10, approx(saturated(0.3 * 15 * 1.0 * C.vulnerability_hasty, 10)))
    assert event.outcome == "taken"
    assert state.units.hex[RED] == state.board.index(3, 1) and state.units.routed[BLUE]
    # Breaking later (the mean raised to 0.21): the position holds this hour.
    state = assault_battle(
        [], 10, overrides=ONE_STEP | {"melee_rate": 0.3, "break_point_mean": 0.21}
    )
    assert run_assault(state).outcome == "repelled"


# ============================================================================ losses


def officered(**more) -> list[dict]:
    leader = {"name": {"en": "Han"}}
    red = unit("red_1", "red", (1, 1), 40, officers=2, leader=leader, **more)
    return [red, unit("blue_1", "blue", (3, 1))]


def test_apply_casualties_splits_killed_and_wounded() -> None:
    state = battle(units=officered())
    rng = stubbed(state)
    killed, wounded = apply_casualties(state, RED, 10, coefficients_of(state), [], rng=state.dice)
    assert rng.binomials[0] == (10, C.killed_fraction)
    assert (killed, wounded) == (2, 8)  # the stub's floor(10 × 0.25)
    u = state.units
    assert (u.men[RED], u.killed[RED], u.wounded[RED]) == (30, 2, 8)
    assert apply_casualties(
        state, RED, 10, coefficients_of(state), [], killed_fraction=0.5, rng=state.dice
    )
    assert rng.binomials[2] == (10, 0.5)
    assert apply_casualties(state, RED, 99, coefficients_of(state), [], rng=state.dice) == (
        5,
        15,
    )  # all 20 left
    assert u.men[RED] == 0
    state.check_invariants()


def test_officers_are_killed_at_their_factor_times_the_mens_rate() -> None:
    state = battle(units=officered())
    rng = stubbed(state, queued=[3, 1])  # 3 of the 10 killed, then 1 officer
    apply_casualties(state, RED, 10, coefficients_of(state), [], rng=state.dice)
    share, killed_rate = 10 / 40, 3 / 10
    assert rng.binomials[1] == (2, approx(share * C.officer_loss_factor * killed_rate))
    assert state.units.officers_killed[RED] == 1


def test_leader_is_hit_with_probability_by_share_lost() -> None:
    p = 10 / 40 * C.leader_hit_per_casualty_share  # 0.125
    state = battle(units=officered())
    stubbed(state, uniform=p + 0.001)
    events: list = []
    apply_casualties(state, RED, 10, coefficients_of(state), events, rng=state.dice)
    assert state.units.leader_alive[RED] and state.units.morale[RED] == 0.7
    state = battle(units=officered())
    stubbed(state, uniform=p - 0.001)
    apply_casualties(state, RED, 10, coefficients_of(state), events, rng=state.dice)
    assert not state.units.leader_alive[RED]
    assert state.units.morale[RED] == approx(0.7 - C.morale_loss_leader_killed)
    assert [e.unit for e in events if isinstance(e, LeaderKilled)] == ["red_1"]


def test_men_hit_in_the_water_are_counted_apart() -> None:
    state = battle(units=[unit("red_1", "red", (6, 1), 40), unit("blue_1", "blue", (3, 1))])
    stubbed(state)
    apply_casualties(state, RED, 5, coefficients_of(state), [], rng=state.dice)
    assert state.units.hit_in_water[RED] == 5


# ============================================================================ morale


def morale_turn(state, lost: int = 0, morale: float | None = None, routed: bool = False):
    """Red loses `lost` of its 40 men this turn (counted killed), then the morale phase."""
    u = state.units
    before = u.men.copy()
    u.men[RED] -= lost
    u.killed[RED] += lost
    if morale is not None:
        u.morale[RED] = morale
    u.routed[RED] = routed
    events: list = []
    morale_phase(state, before, u.morale_start, coefficients_of(state), events)
    return events


def blue_at(at) -> list[dict]:
    return [unit("red_1", "red", (1, 1), 40), unit("blue_1", "blue", at)]


def test_morale_loss_by_share_of_men_lost_in_contact() -> None:
    state = battle()  # Blue two hexes off: in contact, no recovery
    morale_turn(state, lost=10)
    assert state.units.morale[RED] == approx(0.7 - C.morale_loss_per_casualty_share * 10 / 40)


def test_morale_loss_doubled_in_the_water() -> None:
    units = [unit("red_1", "red", (6, 1), 40), unit("blue_1", "blue", (4, 1))]
    state = battle(units=units)
    morale_turn(state, lost=4)
    assert state.units.morale[RED] == approx(0.7 - C.water_morale_factor * 4 / 40)


def test_morale_recovers_out_of_contact_up_to_its_start() -> None:
    state = battle(units=blue_at((5, 1)))  # four hexes off: out of contact
    morale_turn(state, morale=0.5)
    assert state.units.morale[RED] == approx(0.5 + C.morale_recovery_per_hour * 1.0)
    morale_turn(state, morale=0.69)
    assert state.units.morale[RED] == 0.7  # no higher than at the start
    state = battle(units=blue_at((5, 1)), turn_minutes=30)
    morale_turn(state, morale=0.5)
    assert state.units.morale[RED] == approx(0.5 + C.morale_recovery_per_hour * 0.5)
    state = battle()  # in contact: none
    morale_turn(state, morale=0.5)
    assert state.units.morale[RED] == 0.5


def test_rout_below_the_threshold() -> None:
    state = battle()
    events = morale_turn(state, lost=10, morale=0.3)  # 0.3 − 0.25 = 0.05 < 0.2
    assert state.units.routed[RED]
    assert [(e.unit, e.morale) for e in events if isinstance(e, Routed)] == [("red_1", 0.05)]
    state = battle()
    morale_turn(state, lost=4, morale=0.35)  # 0.25: above the threshold
    assert not state.units.routed[RED]


def test_rally_above_the_threshold() -> None:
    state = battle(units=blue_at((5, 1)))
    events = morale_turn(state, morale=0.38, routed=True)  # 0.41 ≥ 0.4
    assert not state.units.routed[RED] and any(isinstance(e, Rallied) for e in events)
    state = battle(units=blue_at((5, 1)))
    morale_turn(state, morale=0.36, routed=True)  # 0.39
    assert state.units.routed[RED]


def test_a_unit_with_no_men_left_is_gone() -> None:
    state = battle()
    morale_turn(state, lost=40)
    assert state.units.gone[RED]


def trapped_battle(**changes):
    """Red routed at [0, 1] on the west edge, Blue in three of its neighbours and the other two
    next to Blue: no way out."""
    units = [
        unit("red_1", "red", (0, 1), 40),
        unit("blue_1", "blue", (1, 1)),
        unit("blue_2", "blue", (0, 0)),
        unit("blue_3", "blue", (0, 2)),
    ]
    state = battle(units=units, **changes)
    state.units.routed[RED] = True
    return state, stubbed(state)


def assert_trapped_losses(state, escaped: int, lost: int, captured: int) -> None:
    """Red's 40 men: `escaped` slipped out, then `lost` of the rest, `captured` of them taken."""
    u = state.units
    assert (u.escaped[RED], u.captured[RED], u.killed[RED], u.men[RED]) == (
        escaped,
        captured,
        lost - captured,
        40 - escaped - lost,
    )


def test_trapped_unit_by_day() -> None:
    state, rng = trapped_battle()
    events: list = []
    flee(state, RED, state.board.index(0, 1), coefficients_of(state), events)
    # one-hour turns: the hourly shares apply as they are (1 - (1 - p)^1 = p)
    slip = C.trapped_slip_away_share
    escaped = math.floor(40 * slip)  # the stub draws the floor of the mean
    lost = math.floor((40 - escaped) * C.surrender_share_trapped)
    captured = math.floor(lost * C.trapped_captured_fraction)
    assert rng.binomials == [
        (40, approx(slip)),
        (40 - escaped, approx(C.surrender_share_trapped)),
        (lost, C.trapped_captured_fraction),
    ]
    # 40 x 0.159 = 6.4 -> 6 lost, of whom 6 x 0.78 = 4.7 -> 4 captured
    assert (escaped, lost, captured) == (0, 6, 4)
    assert_trapped_losses(state, escaped, lost, captured)
    assert [e.men for e in events if isinstance(e, Surrendered)] == [captured]
    state.check_invariants()


def test_trapped_unit_at_night_slips_away_more() -> None:
    state, rng = trapped_battle(start="1945-05-21T22:00")
    events: list = []
    flee(state, RED, state.board.index(0, 1), coefficients_of(state), events)
    share = C.trapped_slip_away_share * C.trapped_slip_away_night_factor
    assert rng.binomials[0] == (40, approx(share))
    escaped = math.floor(40 * share)
    assert rng.binomials[1] == (40 - escaped, approx(C.surrender_share_trapped))
    lost = math.floor((40 - escaped) * C.surrender_share_trapped)
    assert rng.binomials[2] == (lost, C.trapped_captured_fraction)
    captured = math.floor(lost * C.trapped_captured_fraction)
    assert_trapped_losses(state, escaped, lost, captured)
    assert escaped == 0 or [e.men for e in events if isinstance(e, Escaped)] == [escaped]


def test_trapped_shares_compound_over_a_four_hour_turn() -> None:
    state, rng = trapped_battle(turn_minutes=240)
    flee(state, RED, state.board.index(0, 1), coefficients_of(state), [])
    slip = 1 - (1 - C.trapped_slip_away_share) ** 4
    assert rng.binomials[0] == (40, approx(slip))
    escaped = math.floor(40 * slip)
    surrender = 1 - (1 - C.surrender_share_trapped) ** 4
    assert rng.binomials[1] == (40 - escaped, approx(surrender))
    lost = math.floor((40 - escaped) * surrender)
    assert rng.binomials[2] == (lost, C.trapped_captured_fraction)
    assert state.units.men[RED] == 40 - escaped - lost


def test_routed_unit_fleeing_into_a_deep_river_drowns() -> None:
    state = battle(units=[unit("red_1", "red", (5, 1), 40), unit("blue_1", "blue", (1, 1))])
    state.units.routed[RED] = True
    rng = stubbed(state)
    events: list = []
    flee(state, RED, state.board.index(6, 1), coefficients_of(state), events)
    assert state.units.hex[RED] == state.board.index(6, 1)
    assert rng.binomials == [(40, C.drown_share_routed_crossing)]
    assert state.units.drowned[RED] == 14 and state.units.men[RED] == 26
    assert [e.men for e in events if isinstance(e, Drowned)] == [14]


def test_a_routed_unit_fleeing_into_a_lake_drowns_with_the_real_dice() -> None:
    """Water that is no river (river -1, a lake) is drawn at the place `LAKE` names, not refused
    as a negative place: the same flight as above with the game's own dice."""
    state = battle(units=[unit("red_1", "red", (5, 1), 40), unit("blue_1", "blue", (1, 1))])
    state.units.routed[RED] = True
    lake = state.board.index(6, 1)
    assert state.board.river[lake] < 0 and state.board.water[lake]
    events: list = []
    flee(state, RED, lake, coefficients_of(state), events)
    u = state.units
    assert u.hex[RED] == lake
    assert state.dice.drawn(state.turn, DROWN, RED, LAKE) == 1
    assert u.men[RED] + u.drowned[RED] == 40
    drowned = int(u.drowned[RED])
    assert [e.men for e in events if isinstance(e, Drowned)] == ([drowned] if drowned else [])
    _drown(state, RED, -1, coefficients_of(state), [])  # asked again from Python: a second draw
    assert state.dice.drawn(state.turn, DROWN, RED, LAKE) == 2


def test_no_drowning_in_a_fordable_river() -> None:
    river = {
        "id": "ford",
        "name": {"en": "Ford"},
        "path": [[6, 0], [6, 2]],
        "crossing": {"width_m": 20, "fordable": True},
    }
    data_map = yaml.safe_load(BASE)["map"]
    state = battle(units=blue_at((3, 1)), map=data_map | {"rivers": [river]})
    rng = stubbed(state)
    _drown(state, RED, 0, coefficients_of(state), [])
    assert rng.binomials == [] and state.units.drowned[RED] == 0
    _drown(state, RED, -1, coefficients_of(state), [])  # water that is no fordable river
    assert rng.binomials == [(40, C.drown_share_routed_crossing)]


# ============================================================================ movement


def test_hours_to_reach_hexes_at_foot_speed_by_day_and_night() -> None:
    units = [unit("red_1", "red", (0, 1), 40), unit("blue_1", "blue", (5, 2))]
    per_hex = 100 / 1000 / 1.0  # hours at 1 km/h on open ground (speed_factor 1)
    state = battle(units=units)
    target = state.board.index(3, 1)
    assert state.units.speed_kmh[RED] == C.foot_speed_kmh
    assert reachable(state, RED)[target] == approx(3 * per_hex / C.foot_speed_kmh)
    night = battle(units=units, start="1945-05-21T22:00")
    speed = C.foot_speed_kmh * C.night_speed_factor
    assert reachable(night, RED)[target] == approx(3 * per_hex / speed)


def test_guns_move_at_gun_speed() -> None:
    units = [gunners(at=(0, 1)), unit("blue_1", "blue", (5, 2))]
    state = battle(units=units)
    assert state.units.speed_kmh[GUNS] == C.gun_speed_kmh
    assert reachable(state, GUNS)[state.board.index(1, 1)] == approx(0.1 / C.gun_speed_kmh)


def test_move_unit_spends_the_turns_hours(draws) -> None:
    # 1 km hexes: 1 h a hex at 1 km/h, 0.4 h at 2.5 km/h: two hexes in an hour (a third would
    # end at 1.2 h); at night 0.8 h a hex: one.
    units = [unit("red_1", "red", (0, 1), 40), unit("blue_1", "blue", (6, 2))]
    for start, hexes in (("1945-05-21T08:00", 2), ("1945-05-21T22:00", 1)):
        state = battle(units=units, hex_size_m=1000, start=start)
        stubbed(state)  # a die of 0.999: the part-step (a 0.5 chance) is never taken
        here = state.board.index(0, 1)
        move_unit(state, RED, state.board.index(4, 1), coefficients_of(state), [])
        assert state.board.distance(here, int(state.units.hex[RED])) == hexes


def test_a_routed_enemy_holds_its_hex_but_stops_nobody(draws) -> None:
    """Red walks east along row 1 toward (4, 1), where Blue stands. A Blue unit that fights stops
    Red on entering its zone (3, 1); a routed one does not, but Red never walks into its hex."""
    units = [unit("red_1", "red", (0, 1), 40), unit("blue_1", "blue", (4, 1))]
    goal = (4, 1)
    for routed, stops_at in ((False, (3, 1)), (True, (3, 1))):
        state = battle(units=units, hex_size_m=100)
        state.units.routed[BLUE] = routed
        move_unit(state, RED, state.board.index(*goal), coefficients_of(state), [])
        assert state.board.cell(int(state.units.hex[RED])) == stops_at
        assert state.board.index(*goal) not in reachable(state, RED)
    # the zone: from (0, 1) a fighting Blue at (4, 1) lets Red reach (3, 1) and no further east;
    # a routed one lets it pass round to (5, 1) behind it (open ground, an hour's walk)
    state = battle(units=units)
    assert state.board.index(5, 1) not in reachable(state, RED)
    state.units.routed[BLUE] = True
    assert state.board.index(5, 1) in reachable(state, RED)
    assert state.board.index(4, 1) not in reachable(state, RED)


# ============================================================================ line of sight


def ridge(grid: str, step_m: float, terrain: str | None = None):
    """A one-row board with this elevation grid (levels × step_m), open ground unless told."""
    n = len(grid)
    return battle(
        units=[unit("red_1", "red", (0, 0), 40), unit("blue_1", "blue", (n - 1, 0))],
        width=n,
        height=1,
        terrain=(terrain or "." * n) + "\n",
        elevation={"base_m": 0, "step_m": step_m, "grid": grid + "\n"},
    ).board


def sees(board, a: int = 0, b: int | None = None) -> bool:
    b = board.size - 1 if b is None else b
    there = line_of_sight(board, a, b, C.sight_clearance_m)
    assert line_of_sight(board, b, a, C.sight_clearance_m) == there  # both ways alike
    return there


def test_sight_over_flat_ground() -> None:
    assert sees(ridge("00000", 1))


def test_sight_blocked_by_a_ridge_above_the_clearance() -> None:
    # Eyes 2 m up at both ends: the middle hex blocks when above 2 + sight_clearance_m = 12 m.
    assert sees(ridge("00c00", 1))  # 12 m
    assert not sees(ridge("00d00", 1))  # 13 m


def test_sight_blocked_by_woods() -> None:
    assert not sees(ridge("00000", 1, "..t.."))  # 15 m of trees on flat ground
    assert sees(ridge("00000", 1, "....."))


def test_observer_elevation_matters() -> None:
    # 20 m rise in the middle: blocks from the plain; from a 40 m hill the sightline passes it
    # at 42 + (2 − 42) × 2 / 4 = 22 m.
    assert not sees(ridge("00200", 10))
    assert sees(ridge("40200", 10))
    assert sees(ridge("40000", 10, "..t.."))  # and over the woods (15 m)


def test_a_hex_next_to_an_end_blocks_only_above_both_ends() -> None:
    # Observer at 100 m, the next hex 95 m (far above the sightline, 68.7 m there) but below
    # his eyes: his forward slope. At 105 m it blocks.
    assert sees(ridge("kj00", 5))
    assert not sees(ridge("kl00", 5))


def test_neighbours_always_see_each_other() -> None:
    board = ridge("0z0", 5)
    assert sees(board, 0, 1) and sees(board, 1, 2)
    assert not sees(board, 0, 2)


# ============================================================================ victory


def victory_battle(conditions):
    units = [unit("red_1", "red", (1, 1), 40), unit("blue_1", "blue", (3, 1))]
    units.append(unit("blue_2", "blue", (4, 1), 10))
    return battle(units=units, victory=conditions)


def lose(state, i: int, **counts) -> None:
    for name, men in counts.items():
        getattr(state.units, name)[i] += men
        state.units.men[i] -= men
    state.check_invariants()


def test_destroy_counts_killed_wounded_captured_drowned_against_the_fraction() -> None:
    destroy = {"side": "blue", "kind": "destroy", "fraction": 0.5}
    state = victory_battle([destroy])
    (condition,) = state.scenario.victory
    lose(state, RED, killed=10, wounded=5, captured=3, drowned=1, escaped=20)
    assert not condition_met(state, condition)  # 19 of 40 lost; the escaped are not lost
    lose(state, RED, wounded=1)
    assert condition_met(state, condition)  # 20 = 0.5 × 40
    assert decide_winner(state) == ("blue", "blue: destroy")


def test_destroy_of_listed_units() -> None:
    destroy = {"side": "red", "kind": "destroy", "fraction": 0.5, "units": ["blue_2"]}
    state = victory_battle([destroy])
    (condition,) = state.scenario.victory
    lose(state, 1, killed=20)  # blue_1 does not count
    lose(state, 2, killed=4)
    assert not condition_met(state, condition)
    lose(state, 2, killed=1)  # 5 of blue_2's 10
    assert condition_met(state, condition)


def leave(state, i: int, cell: tuple[int, int]) -> None:
    """Unit `i` leaves the map by the edge hex `cell`, as the turn's escape step records it."""
    men = int(state.units.men[i])
    lose(state, i, escaped=men)
    state.units.gone[i] = True
    state.exits[i] = (state.board.index(*cell), men)


def test_exit_counts_the_men_who_leave_the_map_at_its_place() -> None:
    conditions = [
        {"side": "red", "kind": "exit", "men": 10, "place": [0, 1]},
        {"side": "blue", "kind": "exit", "men": 5, "units": ["blue_2"], "place": [6, 1]},
    ]
    state = victory_battle(conditions)
    red_exit, blue_exit = state.scenario.victory
    lose(state, RED, escaped=15, killed=20)  # slipped out of a ring: escaped, not by the exit
    assert not condition_met(state, red_exit)
    leave(state, RED, (0, 1))  # the last 5 leave by the exit
    assert not condition_met(state, red_exit)
    state.exits[RED] = (state.board.index(0, 1), 10)  # had 10 left by the exit
    assert condition_met(state, red_exit)
    assert decide_winner(state) == ("red", "red: exit")
    leave(state, 1, (6, 1))  # blue_1's men do not count for blue_2's condition
    assert not condition_met(state, blue_exit)
    leave(state, 2, (6, 0))  # nor men who leave by another edge hex
    assert not condition_met(state, blue_exit)
    state.exits[2] = (state.board.index(6, 1), 10)
    assert condition_met(state, blue_exit)
    assert decide_winner(state) == ("draw", "both sides met a victory condition")


def test_a_unit_withdrawing_off_the_edge_records_where_it_left() -> None:
    from engine.core.orders import Withdraw
    from engine.rules.turn import end_turn

    units = [unit("red_1", "red", (0, 1), 40), unit("blue_1", "blue", (5, 1))]
    state = battle(units=units)
    end_turn(state, [Withdraw(RED, state.board.index(0, 1))])
    assert state.units.gone[RED] and state.units.escaped[RED] == 40
    assert state.exits == {RED: (state.board.index(0, 1), 40)}


# ============================================================ points where code and docs differed
# Each was settled (docs/rules.md now says what the code does, or the code now does what the
# docs said); the tests pin the settled rule.


def test_assault_minefield_loss_is_the_mine_chance_times_the_men_saturated(draws) -> None:
    mines = [{"kind": "minefield", "hexes": [[3, 1]], "depth_m": 30, "density_per_m": 1.0}]
    state = assault_battle([], 20, obstacles=mines, overrides=NO_MELEE)
    assert state.works.owner[state.board.index(3, 1)] == BLUE  # Blue's own minefield
    run_assault(state)
    # one crossing in the hour (minefield_crossings_per_hour)
    share = (1 - math.exp(-1.0 * C.mine_footprint_m)) * C.minefield_crossings_per_hour
    # every phase of an assault saturates (docs/rules.md, Assault), the minefield too
    assert draws[0] == (40, approx(saturated(share * 40, 40)))


def test_close_fire_with_too_few_rounds_takes_the_ammunition_factor(draws) -> None:
    # 30 rifles' close fire wants 30 × 20 = 600 rounds in the hour; they have 300: half of it
    # without.
    rifles = [{"weapon": "rifle", "count": 30, "ammo": 300}]
    state = assault_battle(rifles, overrides=NO_MELEE)
    run_assault(state)
    ammunition = 0.5 + 0.5 * C.no_ammo_fire_factor
    rate = C.close_fire_casualties_per_firepower_hour
    assert draws[0] == (40, approx(saturated(rate * 30 * ammunition, 40)))


def test_a_routed_unit_at_exactly_the_rally_threshold_rallies() -> None:
    state = battle()  # in contact: no recovery, no losses
    morale_turn(state, morale=C.rally_threshold, routed=True)
    assert state.units.morale[RED] == C.rally_threshold
    assert not state.units.routed[RED]  # docs/rules.md: at or above the threshold
