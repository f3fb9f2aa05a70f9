"""Whole rounds and whole men without a per-turn bias (issue 16): the rounds a gun fires, the men
a trapped unit loses and the rounds the computer player rations out over a span of hours do not
depend on the length of the turns the span is cut into. Each was rounded every turn (floored,
or half up with at least one man), so 15-minute turns differed from 2-hour ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_rules_exact import GUNS, StubRng, gunners, guns_battle
from test_rules_exact import approx as exact

from engine.ai import planner
from engine.ai.planner import spread_rounds
from engine.core.dice import binomial
from engine.rules import morale
from engine.rules.bombardment import _fire_tubes, tube_rounds
from engine.rules.coefficients import coefficients, share_in_turn
from engine.rules.morale import trapped_lost
from engine.rules.turn import new_game
from engine.scenario import load_scenario_text
from engine.scenario.models import PlanPhase, Task

C = coefficients()
INF = math.inf

# ============================================================================ the guns' rounds


def test_tube_rounds_fire_the_whole_rounds_and_carry_the_rest() -> None:
    assert tube_rounds(0.8, 0.0, INF) == (0.0, 0.8)  # not yet a round: carried
    fired, carry = tube_rounds(0.8, 0.8, INF)
    assert (fired, carry) == (1.0, exact(0.6))  # 1.6: one round, 0.6 on
    assert tube_rounds(7.5, 0.0, INF) == (7.0, 0.5)
    assert tube_rounds(2.4, 0.0, 2.0) == (2.0, exact(0.4))  # the limit, and 0.4 of time left
    # held back by the limit: one round ready at most, not the fire of the turns waited
    assert tube_rounds(10.0, 0.3, 4.0) == (4.0, 1.0)
    assert tube_rounds(0.5, 0.7, 0.0) == (0.0, 1.0)
    assert tube_rounds(0.0, 0.0, INF) == (0.0, 0.0)


def mortar_crews(minutes: int, men: int, start: int = 25):
    """One mortar (20 rounds an hour) with `men` of its `start` crew, and plenty of rounds."""
    guns = gunners(tubes=1, ammo=None, men=start)
    state = guns_battle(guns=guns, turn_minutes=minutes)
    state.units.men[GUNS] = men
    state.units.killed[GUNS] = start - men
    return state


def test_a_mortar_with_time_for_under_a_round_a_turn_fires_all_the_same() -> None:
    """4 of 25 crew: 1 × 20 × 0.25 h × 0.16 = 0.8 rounds a 15-minute turn. Floored each turn it
    never fired; carried, it fires 0, 1, 1, 1, 1: four rounds in five turns."""
    state = mortar_crews(15, 4)
    target = state.board.index(4, 1)
    fired = [_fire_tubes(state, GUNS, target, -1).get("mortar", 0.0) for _ in range(5)]
    assert fired == [0.0, 1.0, 1.0, 1.0, 1.0]
    assert state.units.indirect[GUNS][0].carry == pytest.approx(0.0, abs=1e-12)


def test_the_carry_of_a_gun_held_back_by_its_allotment_is_one_round_ready() -> None:
    """An allotment of 0 and 1 rounds turn about, on tubes with time for 0.8: the carry keeps the
    round ready through the turn of 0, so the gun fires its round every turn it may (the
    fraction alone, reset by the 0, would never reach a round)."""
    state = mortar_crews(15, 4)
    target = state.board.index(4, 1)
    fired = [_fire_tubes(state, GUNS, target, cap).get("mortar", 0.0) for cap in [0, 1] * 4]
    assert fired == [0.0, 1.0] * 4


def rounds_over(minutes: int, hours: int, men: int) -> float:
    state = mortar_crews(minutes, men)
    target = state.board.index(4, 1)
    turns = hours * 60 // minutes
    return sum(sum(_fire_tubes(state, GUNS, target, -1).values()) for _ in range(turns))


@settings(max_examples=40, deadline=None)
@given(
    men=st.integers(1, 25),
    hours=st.integers(1, 6),
    minutes=st.sampled_from([15, 30, 120]),
)
def test_rounds_fired_over_a_span_do_not_depend_on_turn_length(men, hours, minutes) -> None:
    """The rounds of `hours` hours in turns of `minutes` against 1-hour turns. Tolerance: one
    round. The carries telescope, so either total is the floor of the same time for rounds,
    20 × hours × men / 25, except where that is a whole number and the float sum of the turns'
    parts lands just below it (0.8 × 5 = 3.9999…): one round, never more."""
    if hours * 60 % minutes:
        return
    time_for = 20 * hours * men / 25
    one_hour = rounds_over(60, hours, men)
    other = rounds_over(minutes, hours, men)
    assert abs(other - one_hour) <= 1
    assert time_for - 1 - 1e-9 <= other <= time_for + 1e-9
    if men == 4 and minutes == 15:  # the case of the issue: floored, 0 rounds
        assert other >= 16 * hours - 1


# ============================================================================ trapped men


def test_trapped_lost_draws_each_man_with_the_compounded_share(monkeypatch) -> None:
    rng = StubRng()  # records (n, p) and returns the floor of the mean
    lost = getattr(morale.trapped_lost, "py_func", morale.trapped_lost)  # the kernel's source
    monkeypatch.setattr(morale, "binomial", lambda n, p, uniform: rng.binomial(n, p))
    assert lost(40, 0.159104, 1.0, 0.5) == 6  # 40 × 0.159104 = 6.36
    assert lost(40, 0.159104, 4.0, 0.5) == 20  # 40 × (1 - 0.840896^4) = 20.0
    assert rng.binomials == [(40, exact(0.159104)), (40, exact(1 - 0.840896**4))]
    assert lost(3, 0.159104, 0.25, 0.5) == 0  # no man a turn by rule: a chance
    assert lost(0, 0.159104, 1.0, 0.5) == 0 and len(rng.binomials) == 3  # no draw
    monkeypatch.undo()
    for uniform in (0.01, 0.5, 0.99):  # the dice's binomial, by inversion of the uniform
        assert trapped_lost(40, 0.159104, 2.0, uniform) == binomial(
            40, share_in_turn(0.159104, 2.0), uniform
        )


def lost_over(men: int, units: int, share: float, hours: float, minutes: int, seed: int) -> int:
    """Men lost by `units` trapped units of `men` each over `hours` hours in turns of `minutes`
    (the binomial of the dice, each drawn from one of numpy's seeded uniforms)."""
    rng = np.random.default_rng(seed)
    total = 0
    for _ in range(units):
        left = men
        for _ in range(round(hours * 60 / minutes)):
            left -= trapped_lost(left, share, minutes / 60, rng.random())
        total += men - left
    return total


@settings(max_examples=30, deadline=None)
@given(
    men=st.sampled_from([1, 3, 12, 40]),
    share=st.sampled_from([0.02, C.surrender_share_trapped, 0.5]),
    hours=st.sampled_from([1, 2, 4]),
    minutes=st.sampled_from([15, 30, 60, 120, 240]),
    seed=st.integers(0, 2**32 - 1),
)
def test_men_lost_while_trapped_do_not_depend_on_turn_length(
    men, share, hours, minutes, seed
) -> None:
    """Every man is lost over the span with the same chance 1 - (1 - share)^hours whatever the
    turns (a binomial thinned by binomials is binomial), so the men lost of N = 6,000 are
    Binomial(N, P) for every turn length. Tolerance: 5 standard errors of that count,
    5 × √(N P (1 - P)) (outside but once in 1.7 million draws; the draws are seeded, so the test
    is repeatable). The old rule, at least one man a turn, took all of 3-man units in three
    15-minute turns and fails it by tens of standard errors."""
    if hours * 60 < minutes:
        return
    units = 6_000 // men
    n = units * men
    p = 1 - (1 - share) ** hours
    lost = lost_over(men, units, share, hours, minutes, seed)
    assert abs(lost - n * p) <= 5 * math.sqrt(n * p * (1 - p)) + 1e-9


# ============================================================================ the AI's ration


def test_spread_rounds_gives_each_turn_its_whole_rounds_of_a_steady_rate() -> None:
    assert [spread_rounds(2.5, k) for k in range(4)] == [2, 3, 2, 3]
    assert [spread_rounds(0.25, k) for k in range(8)] == [0, 0, 0, 1, 0, 0, 0, 1]
    assert [spread_rounds(3.0, k) for k in range(3)] == [3, 3, 3]
    assert spread_rounds(0.0, 5) == 0
    assert spread_rounds(0.25, -2) == spread_rounds(0.25, 0) == 0  # before the phase: its first
    # rounded half up, 0.25 a turn gave 0 (none of 1 round in 4 turns), 2.5 gave 3 (12 of 10)


@settings(max_examples=200, deadline=None)
@given(
    rounds=st.integers(0, 5_000),
    share=st.floats(0.01, 1.0),
    hours=st.integers(1, 24),
    minutes=st.sampled_from([15, 30, 60, 120, 240]),
)
def test_ration_over_a_phase_does_not_depend_on_turn_length(rounds, share, hours, minutes) -> None:
    """A phase allotting `rounds` over `hours` hours, a unit's `share` of them: the unit's
    rations over the phase add up to floor(rounds × share), to within one round (the sum
    telescopes to floor(n × per_turn), and n × (rounds × share / n) may land a hair below a
    whole number in floats), whatever the turns' length."""
    turns = hours * 60 // minutes
    if turns == 0 or hours * 60 % minutes:
        return
    per_turn = rounds / turns * share
    total = sum(spread_rounds(per_turn, k) for k in range(turns))
    assert abs(total - rounds * share) < 1 + 1e-9
    assert total <= rounds * share + 1e-9  # never beyond the allotment


SHIGEHIRO = "scenarios/shigehiro_pocket.yaml"


def rationed(minutes: int, rounds: int, hours: int) -> int:
    """The computer player's rations for the Chinese army artillery over the first `hours`
    hours of Shigehiro (72 hours), in turns of `minutes`, under a phase allotting `rounds`."""
    with open(SHIGEHIRO, encoding="utf-8") as f:
        text = f.read()
    turns = hours * 60 // minutes
    text = text.replace("turn_minutes: 240 ", f"turn_minutes: {minutes} ")
    text = text.replace("turns: 18 ", f"turns: {72 * 60 // minutes} ")
    scenario = load_scenario_text(text).scenario
    state = new_game(scenario, 1)
    assert state.turn_hours == minutes / 60
    gun = 1  # roc_73a_arty, which draws on the Chinese ammunition budget
    phase = PlanPhase(
        id="fire_plan",
        name="f",
        start=scenario.clock.start,
        task=Task.bombard,
        objective="pocket",
        rounds=rounds,
    )
    current = planner._Phase(phase, 0, turns, None, state.board.resolve("pocket"), None)
    total = 0
    for turn in range(turns):
        state.turn = turn
        total += planner._ration(state, gun, current)
    return total


@pytest.mark.parametrize("rounds", [10, 333])
def test_the_planners_rations_over_a_phase_do_not_depend_on_turn_length(rounds) -> None:
    """The same allotment over 8 hours in turns of 15 minutes to 4 hours: the same rounds to
    within one (tolerance: see above). Rounded half up each turn, 10 rounds went out as 0 in
    15-minute turns (0.31 a turn), 16 in 30-minute ones (0.63 a turn) and 8 in 1-hour ones;
    333 rounds as 320 to 336."""
    totals = {m: rationed(m, rounds, 8) for m in (15, 30, 60, 120, 240)}
    assert max(totals.values()) - min(totals.values()) <= 1, totals
    assert max(totals.values()) <= rounds


# ============================================================================ wading a ford


def test_ford_crossing_is_the_wading_derivation_and_quicker_than_the_boats() -> None:
    """docs/rules.md, Movement, "Wading a ford": the pace on dry ground × 0.5 for water to the
    waist × 0.6 for boots, turbid water and poor light; 100 m at that pace, to two places, and
    the whole range of the derivation (0.45-0.61, 0.5-0.7) quicker than a boat crossing."""
    pace = C.foot_speed_kmh * 0.5 * 0.6
    assert pace == pytest.approx(0.75)
    assert C.ford_crossing_hours_per_100m == round(0.1 / pace, 2) == 0.13
    slowest = 0.1 / (C.foot_speed_kmh * 0.45 * 0.5)
    assert slowest == pytest.approx(0.178, abs=1e-3)
    assert slowest < C.river_crossing_hours_per_100m
