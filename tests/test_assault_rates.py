"""The assault at rates per hour, breaking points drawn per unit, and `resolve:` (issue 16).

Exact values for each formula (docs/rules.md, Assault; Breaking and surrender), and properties:
losses scale with the hours of assault whatever the turn length, success never falls as the
attackers grow, strength never goes negative and men are conserved.
"""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.core.bundles import unit_arrays
from engine.core.events import Assaulted, Routed
from engine.rules import assault
from engine.rules.assault import assault_steps, break_point, resolve_assault
from engine.rules.coefficients import coefficients
from engine.rules.fire import spend_ammo
from engine.rules.morale import morale_phase, resolve_terms
from engine.rules.turn import coefficients_of, new_game
from engine.scenario import load_scenario_text
from engine.scenario.errors import ScenarioError
from tests.test_rules_exact import BASE, battle, stubbed, unit

C = coefficients()
RED, BLUE = 0, 1
LEDGER = ("killed", "wounded", "captured", "drowned", "escaped")


def duel(red_men: int, blue_men: int, turn_minutes: int = 60, seed: int = 1, **overrides):
    """Red's `red_men` at [2, 1] assault Blue's `blue_men` at [3, 1] (100 m hexes)."""
    units = [unit("red_1", "red", (2, 1), red_men), unit("blue_1", "blue", (3, 1), blue_men)]
    return battle(seed=seed, units=units, turn_minutes=turn_minutes, overrides=overrides or None)


def assault_once(state) -> Assaulted:
    events: list = []
    resolve_assault(state, state.board.index(3, 1), [RED], coefficients_of(state), events)
    return next(e for e in events if isinstance(e, Assaulted))


# ------------------------------------------------------------------------------ exact values


@pytest.mark.parametrize(
    ("hours", "per_hour", "steps", "length"),
    [(1.0, 4, 4, 0.25), (0.25, 4, 1, 0.25), (2.0, 4, 8, 0.25), (0.5, 1, 1, 0.5), (12, 4, 48, 0.25)],
)
def test_assault_steps(hours, per_hour, steps, length) -> None:
    assert assault_steps(hours, per_hour) == (steps, length)


@pytest.mark.parametrize(
    ("ammo", "needed"),
    [(100.0, 30.0), (30.0, 30.0), (10.0, 30.0), (0.0, 30.0), (math.inf, 30.0), (50.0, 0.0)],
)
def test_close_fire_spends_rounds_as_direct_fire_does(ammo, needed) -> None:
    """The assault's close fire spends rounds by fire's kernel `spend_ammo` (that
    `fire.spend_rounds` names): the rounds left, and the factor on the fire (NaN with rounds
    enough) for the share fired without any at `no_ammo_fire_factor`."""
    state = duel(40, 30)
    state.units.ammo[BLUE] = ammo
    factor = spend_ammo(unit_arrays(state.units), BLUE, needed, C.values())
    share = min(1.0, ammo / needed) if needed > 0 else 1.0
    if share < 1.0 and math.isfinite(ammo):
        assert factor == share + (1 - share) * C.no_ammo_fire_factor
    else:
        assert math.isnan(factor)
    left = ammo if needed <= 0 or not math.isfinite(ammo) else max(0.0, ammo - needed)
    assert state.units.ammo[BLUE] == left


def test_resolve_terms() -> None:
    assert resolve_terms("normal", C) == (1.0, C.trapped_captured_fraction)
    assert resolve_terms(None, C) == (1.0, C.trapped_captured_fraction)
    assert resolve_terms("to_the_last", C) == (math.inf, 0.0)
    assert resolve_terms("surrenders_readily", C) == (0.5, 0.9)
    assert resolve_terms(1.5, C) == (1.5, C.trapped_captured_fraction)


RESOLVED = BASE.replace(
    '{id: red, name: {en: Red}, color: "#b03030"}',
    '{id: red, name: {en: Red}, color: "#b03030", resolve: surrenders_readily}',
)


def test_breaking_points_without_spread_are_the_mean_times_quality_and_resolve() -> None:
    units = [
        unit("red_1", "red", (2, 1), 40, quality=0.9),  # the side's: surrenders_readily
        unit("red_2", "red", (2, 2), 40, resolve="to_the_last"),
        unit("blue_1", "blue", (3, 1), 30, quality=0.3, resolve=2),
        unit("blue_2", "blue", (4, 1), 30),
    ]
    assert "surrenders_readily" in RESOLVED
    data = yaml.safe_load(RESOLVED)
    data["units"] = units
    scenario = load_scenario_text(yaml.safe_dump(data)).scenario
    state = new_game(scenario, 3, {"break_point_spread": 0})
    u = state.units
    assert u.break_share.tolist() == pytest.approx(
        [C.break_point_mean * 1.4 * 0.5, math.inf, C.break_point_mean * 0.8 * 2, 0.2]
    )
    normal = C.trapped_captured_fraction
    assert u.captured_share.tolist() == [0.9, 0.0, normal, normal]


def test_breaking_points_are_drawn_per_unit_and_game_with_the_mean_asked() -> None:
    units = [unit(f"r{k}", "red", (0, k % 3), 10) for k in range(200)]
    units.append(unit("blue_1", "blue", (6, 1), 10))
    state = battle(seed=5, units=units)
    shares = state.units.break_share[:200]
    below_cap = [x for x in shares.tolist() if x < 1.0]  # at most 1: the share of all its men
    assert len(set(below_cap)) == len(below_cap) > 190  # drawn, not one threshold
    # log-normal of mean 1: the sample mean within three standard errors of it
    error = math.sqrt(math.exp(C.break_point_spread**2) - 1.0) / math.sqrt(200)
    assert shares.mean() == pytest.approx(C.break_point_mean, rel=3 * error)
    again = battle(seed=5, units=units)
    assert again.units.break_share.tolist() == state.units.break_share.tolist()  # same seed
    other = battle(seed=6, units=units)
    assert other.units.break_share.tolist() != state.units.break_share.tolist()


def test_break_point_of_a_group_is_men_weighted() -> None:
    state = duel(40, 30, break_point_spread=0)
    state.units.break_share[:] = [0.1, 0.3]
    state.units.killed[RED] = 4
    state.units.men[RED] -= 4  # the engagement began with 36 + 4
    assert break_point(state, [RED]) == (4.0, 40.0, 0.1)
    state.units.break_share[RED] = math.inf
    assert break_point(state, [RED])[2] == math.inf


def test_a_unit_fighting_to_the_last_never_routs_on_morale() -> None:
    units = [
        unit("red_1", "red", (2, 1), 40, resolve="to_the_last"),
        unit("blue_1", "blue", (3, 1), 30),
    ]
    state = battle(units=units)
    before = state.units.men.copy()
    state.units.men[RED] = 5  # lost 35 of 40 in the turn
    state.units.killed[RED] = 35
    events: list = []
    morale_phase(state, before, state.units.morale_start, coefficients_of(state), events)
    assert not state.units.routed[RED] and not [e for e in events if isinstance(e, Routed)]


def test_a_bad_resolve_is_a_located_error_with_did_you_mean() -> None:
    text = BASE.replace(
        '{id: red, name: {en: Red}, color: "#b03030"}',
        '{id: red, name: {en: Red}, color: "#b03030", resolve: to_the_lst}',
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "s.yaml")
    message = str(caught.value)
    assert "s.yaml:" in message and "resolve" in message
    assert "did you mean 'to_the_last'?" in message
    with pytest.raises(ScenarioError):
        load_scenario_text(text.replace("to_the_lst", "-1"), "s.yaml")


# ------------------------------------------------------------------------------ properties


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    minutes=st.sampled_from([15, 30, 60, 120, 240]),
    red=st.integers(20, 400),
    blue=st.integers(10, 200),
)
def test_expected_losses_scale_with_the_hours_of_assault(minutes, red, blue) -> None:
    """With no losses drawn (so the rates never change), the expected losses of an assault are
    its hourly rate times its hours: the same per hour at every turn length."""
    expected: list[float] = []

    def record(men, mean, keys, place, k):
        expected.append(mean)
        return 0, k

    with pytest.MonkeyPatch.context() as patch:
        # compiled (WARGAME_JIT), the kernels run as their source, which reads `record`
        for name, value in list(vars(assault).items()):
            if hasattr(value, "py_func"):
                patch.setattr(assault, name, value.py_func)
        patch.setattr(assault, "draw_disabled", record)
        event = assault_once(duel(red, blue, minutes))
        hours = minutes / 60
        assert event.modifiers["hours_fought"] == pytest.approx(hours)
        per_hour = sum(expected) / hours
        expected.clear()
        reference = assault_once(duel(red, blue, 60))
    assert reference.outcome == event.outcome == "repelled"
    assert per_hour == pytest.approx(sum(expected), rel=1e-9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attackers=st.integers(10, 300), more=st.integers(1, 300))
def test_success_never_falls_as_the_attackers_grow(attackers, more) -> None:
    """With the draws at their means (floor) and no spread of breaking points, more attackers
    on the same defenders never turn a taken hex into a repelled attack."""
    outcomes = []
    for men in (attackers, attackers + more):
        state = duel(men, 60, 120, break_point_spread=0)
        stubbed(state)
        outcomes.append(assault_once(state).outcome == "taken")
    assert outcomes[1] >= outcomes[0]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    red=st.integers(1, 500),
    blue=st.integers(1, 300),
    minutes=st.sampled_from([15, 60, 180, 720]),
    seed=st.integers(0, 2**32),
    rate=st.floats(0.0, 0.5),
)
def test_no_negative_strength_and_men_conserved(red, blue, minutes, seed, rate) -> None:
    state = duel(red, blue, minutes, seed, melee_rate=rate)
    assault_once(state)
    u = state.units
    for i in (RED, BLUE):
        assert u.men[i] >= 0
        assert u.men[i] + sum(int(getattr(u, name)[i]) for name in LEDGER) == u.men_start[i]
    state.check_invariants()


def test_a_longer_assault_costs_more() -> None:
    """Mean attackers' losses over seeds: 4 hours of assault cost more than 1 (breaking points
    high, so that nobody breaks)."""

    def mean_loss(minutes: int) -> float:
        total = 0
        for seed in range(20):
            state = duel(200, 100, minutes, seed, break_point_mean=1.0, break_point_spread=0)
            event = assault_once(state)
            total += sum(event.attacker_losses.values())
        return total / 20

    one, four = mean_loss(60), mean_loss(240)
    assert four > 3 * one > 0
