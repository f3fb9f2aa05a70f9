"""Fire and bombardment do not depend on the length of a turn (issue 16, the bench's turn-length
check): the expected losses of N hours of bombardment on men in works that the same rounds knock
down, and the suppression that steady fire holds a unit at, are the same in turns of 15 minutes
or 4 hours. Both were charged per turn: the works' protection at the first round's value for the
whole turn, and suppression added whole and then decayed, so long turns spared dug-in men and
short ones pinned less."""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fire_obstacles import mortar_company
from test_rules_exact import BLUE, RED, FreshTable, battle, stubbed, unit
from test_rules_exact import draws as draws  # the fixture: every draw_casualties call

from engine.rules import movement
from engine.rules.bombardment import _exposures_while_damaging, expected_shell_casualties
from engine.rules.coefficients import coefficients
from engine.rules.fire import direct_fire, firer_factors
from engine.rules.movement import _ground, move_unit
from engine.rules.protection import fire_at_turn_start, product, suppression_added
from engine.rules.turn import coefficients_of

C = coefficients()


def survival_over(turns: int, damage: float, lethal: float, strength: float, blockhouse: float):
    """The share of a company in works (field works of `strength`, a blockhouse of
    `blockhouse`) that survives `lethal` m² of bursts and `damage` works points, fired in
    `turns` equal turns: each turn's expected loss, at the turn's mean exposure, taken from what
    the turns before left."""
    state = mortar_company(100)
    h = state.board.index(4, 1)
    works = state.works
    works.fort_strength[h] = works.fort_strength_start[h] = strength
    if blockhouse > 0:
        works.blockhouse_strength[h] = works.blockhouse_strength_start[h] = blockhouse
    area = state.board.hex_area_m2
    men = 1_000_000.0  # a large count: the expectation, not whole men
    for _ in range(turns):
        exposures, _ = _exposures_while_damaging(state, h, BLUE, damage / turns, C)
        exposure = product(exposures[1])
        men -= expected_shell_casualties(lethal / turns, men, area, exposure)
    return men / 1_000_000.0, float(works.fort_strength[h]), float(works.blockhouse_strength[h])


@settings(max_examples=60, deadline=None)
@given(
    damage=st.floats(0, 3000),
    lethal=st.floats(0, 60_000),
    strength=st.sampled_from([10.0, 50.0, 100.0, 1000.0]),
    blockhouse=st.sampled_from([0.0, 30.0]),
    turns=st.sampled_from([2, 3, 4, 8]),
)
def test_bombardment_of_falling_works_does_not_depend_on_turn_length(
    damage, lethal, strength, blockhouse, turns
) -> None:
    one = survival_over(1, damage, lethal, strength, blockhouse)
    many = survival_over(turns, damage, lethal, strength, blockhouse)
    assert many[0] == pytest.approx(one[0], rel=1e-9, abs=1e-12)
    assert many[1:] == pytest.approx(one[1:], abs=1e-9)  # the works are left the same too


def test_the_works_protect_only_while_they_stand() -> None:
    """Prepared works of 50 points, 0.6 a round: 100 rounds knock them down after 83⅓ rounds, so
    the mean exposure is the trapezoid from prepared to hasty over those rounds, hasty after."""
    state = mortar_company(100)
    h = state.board.index(4, 1)
    state.works.fort_strength[h] = state.works.fort_strength_start[h] = 50.0
    exposures, done = _exposures_while_damaging(state, h, BLUE, 60.0, C)
    prepared, hasty = C.shell_exposure_prepared, C.shell_exposure_hasty
    mean = (50 / 60) * (prepared + hasty) / 2 + (10 / 60) * hasty
    assert done == 50.0 and state.works.fort_strength[h] == 0.0
    factors = exposures[1]
    assert product(factors) == pytest.approx(mean, rel=1e-12)
    assert factors["works_falling"] == pytest.approx(mean / prepared, rel=1e-12)


def steady(rate: float, hours: float, decay: float, total: float) -> float:
    """Suppression at the end of `total` hours of fire that would pin `rate` an hour, in turns
    of `hours`: each turn adds `suppression_added` of what it fired, then decays (morale)."""
    c = coefficients({"suppression_decay_per_hour": decay})
    level = 0.0
    for _ in range(round(total / hours)):
        level += suppression_added(rate * hours, hours, c.values())
        level *= (1.0 - decay) ** hours
    return level


@settings(max_examples=100, deadline=None)
@given(
    rate=st.floats(0.001, 0.2),
    decay=st.floats(0.05, 0.95),
    hours=st.sampled_from([0.25, 0.5, 1.0, 2.0, 4.0]),
)
def test_suppression_follows_the_fire_not_the_turn(rate, decay, hours) -> None:
    """Steady fire over 8 hours leaves exactly what continuous fire and continuous wearing off
    leave, (R / λ)(1 − e^(−8λ)), λ = −ln(1 − decay), whatever the turn length."""
    lam = -math.log1p(-decay)
    assert steady(rate, hours, decay, 8.0) == pytest.approx(
        rate / lam * -math.expm1(-8 * lam), rel=1e-9
    )


def test_suppression_added_edge_cases() -> None:
    none = coefficients({"suppression_decay_per_hour": 0.0})
    assert suppression_added(0.3, 2.0, none.values()) == 0.3  # nothing wears off: the amount
    assert suppression_added(0.3, 1.0, C.values()) == pytest.approx(0.3 / math.log(2))
    assert suppression_added(0.0, 1.0, C.values()) == 0.0


def test_direct_fire_expectation_is_per_hour(draws) -> None:
    """The same fire for a quarter of an hour and for two hours: eight times the expectation."""
    expected = []
    for hours in (0.25, 2.0):
        draws.clear()
        state = battle()
        stubbed(state)
        direct_fire(state, coefficients_of(state), [], hours=hours)
        expected.append(sorted(e for _, e in draws))
    assert [b / a for a, b in zip(*expected, strict=True)] == pytest.approx([8.0, 8.0])
    assert RED != BLUE


def fire_delivered(rate: float, hours: float, total: float, *, held: bool = True) -> float:
    """Hours of full fire a unit delivers in `total` hours while it takes fire that would pin it
    `rate` an hour, in turns of `hours`: each turn the fire it takes lands (as bombardment and
    direct fire add it, `suppression_added`), it fires for the turn at what the rules read as its
    suppression (`firer_factors`), and the morale step wears suppression off. `held`: the turn's
    fire inside `fire_at_turn_start`, as `end_turn` plays it."""
    state = battle()
    u = state.units
    level_kept = u.suppression.copy()
    delivered = 0.0
    for _ in range(round(total / hours)):
        with fire_at_turn_start(state) if held else contextlib.nullcontext():
            u.suppression[0] = min(
                1.0, u.suppression[0] + suppression_added(rate * hours, hours, C.values())
            )
            delivered += hours * firer_factors(state, 0, 1, C)["suppression"]
        u.suppression *= (1.0 - C.suppression_decay_per_hour) ** hours
    assert (u.suppression[1:] == level_kept[1:]).all()
    return delivered


@settings(max_examples=8, deadline=None)
@given(rate=st.floats(0.01, 0.15), hours=st.sampled_from([0.25, 0.5, 2.0]))
def test_fire_under_fire_does_not_depend_on_turn_length(rate, hours) -> None:
    """A unit under steady fire delivers over a day what it would under the same fire in hourly
    turns, and what continuous fire and wearing off give, ∫(1 − S(t))dt with S(t) = (R/λ)(1 −
    e^(−λt)), to within the lag of a turn (it fires at what it carried in). Up to 0.15 an hour:
    heavier fire in 2-hour turns takes the level before the turn's decay over the cap of 1
    (suppression_added's known limit: the cap is applied before the decay)."""
    lam = -math.log1p(-C.suppression_decay_per_hour)
    day, level = 24.0, rate / lam
    continuous = day - level * (day + math.expm1(-lam * day) / lam)
    for h in (hours, 1.0):
        lag = level * h  # the fire a turn's lag can hold back or let through, at most
        assert fire_delivered(rate, h, day) == pytest.approx(continuous, abs=lag)
    assert fire_delivered(rate, hours, day) == pytest.approx(
        fire_delivered(rate, 1.0, day), abs=level * max(hours, 1.0)
    )


def test_fire_read_after_the_turns_fire_would_depend_on_turn_length() -> None:
    """Why the fire is held at the turn's start: read after the turn's own fire has landed, a
    unit under 0.1 an hour of fire delivers a tenth less of a day's fire in 2-hour turns than in
    15-minute ones; held, under 1 %."""
    short, long = (fire_delivered(0.1, h, 24.0, held=False) for h in (0.25, 2.0))
    assert long < 0.9 * short
    short, long = (fire_delivered(0.1, h, 24.0) for h in (0.25, 2.0))
    assert long == pytest.approx(short, rel=0.01)


class _Fixed(FreshTable):
    """A stand-in for the game's dice whose every uniform draw is `u` (the movement kernels'
    `uniform_at` is patched to give it: `fixed_draws`)."""

    key_words = None

    def __init__(self, u: float) -> None:
        self.u = u

    def random(self) -> float:
        return self.u

    def at(self, turn: int, site: int, a: int = 0, b: int = 0) -> _Fixed:
        return self  # every place of the dice gives `u`

    def draw_place(self, turn: int, site: int, a: int = 0, b: int = 0) -> tuple:
        return (turn, site, a, b, 0)


@contextlib.contextmanager
def fixed_draws(state, u: float):
    """`state`'s dice give `u` at every draw, the movement kernels' draws too (they run as plain
    Python for it, where the process compiles)."""
    state.dice = _Fixed(u)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in list(vars(movement).items()):
            if hasattr(value, "py_func"):
                patch.setattr(movement, name, value.py_func)
        patch.setattr(movement, "uniform_at", lambda keys, place, k: u)
        yield


def hexes_marched(minutes: int, hours: float, u: float) -> int:
    """Hexes a lone platoon marches across open ground (300 m hexes) in `hours` of turns of
    `minutes`, every draw `u`."""
    turns = round(hours * 60 / minutes)
    state = battle(
        turn_minutes=minutes,
        hex_size_m=300,
        width=60,
        terrain="\n".join(["." * 60] * 3),
        units=[unit("red_1", "red", (0, 1), 40), unit("blue_1", "blue", (59, 1), 30)],
    )
    goal = state.board.index(58, 1)
    with fixed_draws(state, u):
        for _ in range(turns):
            move_unit(state, 0, goal, coefficients_of(state), [])
            state.turn += 1
    return state.board.distance(state.board.index(0, 1), int(state.units.hex[0]))


@pytest.mark.parametrize("minutes", [15, 30, 60, 120])
def test_a_march_covers_the_same_ground_at_any_turn_length(minutes) -> None:
    """Over 4 hours a unit covers on average 4 / (hours a hex) hexes whatever the turn length:
    a step the turn has no time left for is taken with the chance hours left / its hours. The
    mean over evenly spread draws (each turn's distance is linear in the draw's chance)."""
    state = battle(hex_size_m=300)
    ground = _ground(state.board, C)
    per_hex = ground.enter[state.board.index(1, 1)] / float(state.units.speed_kmh[0])
    draws = [(k + 0.5) / 200 for k in range(200)]
    mean = sum(hexes_marched(minutes, 4.0, u) for u in draws) / len(draws)
    assert mean == pytest.approx(4.0 / per_hex, abs=4 * 60 / minutes / 200 + 1e-9)
