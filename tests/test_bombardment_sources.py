"""Bombardment's effects on works, minefields and suppression, derived from rounds landing at
random in the hex (docs/rules.md, "Bombardment"; issue 16: no coefficient fitted to the seed).

Exact values for each formula, their scaling with the hex's area, that they do not depend on how
the rounds are split between turns, and that more rounds never leave more works, more mines or
less suppression.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_rules_exact import battle, stubbed, unit

from engine.core.board import HEX_AREA_FACTOR
from engine.rules.bombardment import (
    bombard,
    lane_after,
    lane_is_open,
    suppression_pinned,
    works_share_destroyed,
)
from engine.rules.coefficients import coefficients
from engine.rules.morale import morale_phase
from engine.rules.protection import pin
from engine.rules.turn import coefficients_of

C = coefficients()
HEX_100 = HEX_AREA_FACTOR * 100**2  # 8,660.25 m²
HEX_1000 = HEX_AREA_FACTOR * 1000**2


# ============================================================== works


def test_works_share_destroyed_exact() -> None:
    # a round hits a given emplacement when it bursts within 2 m of it: π × 2² / 8,660.25 m²;
    # two hits wreck it: 1 / 1,378 of the hex's works a round landing
    one = works_share_destroyed(1, HEX_100, C.works_hit_radius_m, C.works_hits_to_destroy)
    assert one == pytest.approx(math.pi * 4 / (HEX_100 * 2), rel=1e-12)
    assert 1 / one == pytest.approx(1378.3, abs=0.1)
    # linear in the rounds, and a hundred times slower in 1 km hexes (a hundred times the area)
    assert works_share_destroyed(
        1378.3, HEX_100, C.works_hit_radius_m, C.works_hits_to_destroy
    ) == pytest.approx(1.0, abs=1e-4)
    assert works_share_destroyed(
        100, HEX_1000, C.works_hit_radius_m, C.works_hits_to_destroy
    ) == pytest.approx(one, rel=1e-12)
    assert works_share_destroyed(0, HEX_100, 2.0, 2.0) == 0.0


def test_works_damage_is_a_share_of_the_works_as_built_whatever_their_points() -> None:
    """Twice the work points in a hex are twice the emplacements: the same rounds wreck the
    same share of them."""
    shares = []
    for points in (10.0, 1000.0):
        works = [
            {"kind": "fortification", "hexes": [[4, 1]], "level": "prepared", "strength": points}
        ]
        guns = unit(
            "red_guns", "red", (1, 1), 60, [{"weapon": "mortar", "count": 10}], type="mortar"
        )
        state = battle(units=[guns, unit("blue_1", "blue", (4, 1))], obstacles=works)
        stubbed(state)  # 200 fired, 120 land
        h = state.board.index(4, 1)
        bombard(state, 0, h, coefficients_of(state), [])
        shares.append(1 - state.works.fort_strength[h] / points)
    expected = 120 * math.pi * 4 / (HEX_100 * 2)  # 8.71 %
    assert shares == [pytest.approx(expected, rel=1e-12)] * 2


# ============================================================== minefield lanes


def test_lane_after_exact() -> None:
    # each mine goes when a burst lands within 1 m of it: exp(-landed × π × 1² / area) are left
    assert lane_after(0.0, 100, HEX_100, 1.0) == pytest.approx(
        1 - math.exp(-100 * math.pi / HEX_100), rel=1e-12
    )
    assert lane_after(0.0, 100, HEX_100, 1.0) == pytest.approx(0.035626, abs=1e-6)
    # engineers' progress (0.5) is kept: the rounds take the same share of the mines left
    assert lane_after(0.5, 100, HEX_100, 1.0) == pytest.approx(
        1 - 0.5 * math.exp(-100 * math.pi / HEX_100), rel=1e-12
    )
    # a 1 km hex needs a hundred times the rounds
    assert lane_after(0.0, 10_000, HEX_1000, 1.0) == pytest.approx(
        lane_after(0.0, 100, HEX_100, 1.0), rel=1e-12
    )
    assert lane_after(1.0, 100, HEX_100, 1.0) == 1.0
    assert lane_after(0.2, 0, HEX_100, 1.0) == 0.2


def test_lane_is_open_when_the_footpath_holds_few_mines() -> None:
    # 1 mine a metre of front on a 1 m footpath: open at 0.1 mines left, 90 % of them gone
    assert not lane_is_open(0.89, 1.0, C.lane_width_m, C.lane_open_mines_left)
    assert lane_is_open(0.9, 1.0, C.lane_width_m, C.lane_open_mines_left)
    # a sparse field's footpath (0.05 a metre) holds fewer than 0.1 from the start
    assert lane_is_open(0.0, 0.05, C.lane_width_m, C.lane_open_mines_left)
    # rounds to open a lane through 0.25 mines a metre in a 100 m hex: 0.6 of the mines gone,
    # -ln(0.4) × 8,660 / π = 2,526 rounds landing
    rounds = -math.log(0.4) * HEX_100 / math.pi
    assert rounds == pytest.approx(2525.8, abs=0.1)
    assert lane_is_open(lane_after(0.0, rounds + 1, HEX_100, 1.0), 0.25, 1.0, 0.1)
    assert not lane_is_open(lane_after(0.0, rounds - 1, HEX_100, 1.0), 0.25, 1.0, 0.1)


@settings(max_examples=100, deadline=None)
@given(lane=st.floats(0, 0.99), landed=st.integers(0, 5000), split=st.floats(0, 1))
def test_lane_does_not_depend_on_how_the_rounds_are_split(lane, landed, split) -> None:
    part = landed * split
    twice = lane_after(lane_after(lane, part, HEX_100, 1.0), landed - part, HEX_100, 1.0)
    assert twice == pytest.approx(lane_after(lane, landed, HEX_100, 1.0), rel=1e-9)


# ============================================================== suppression


def test_suppression_pinned_exact() -> None:
    # as aimed fire: suppression_per_casualty_share (4) × the share expected hit, at the linear
    # law: 24 mortar bombs (6,000 m² of lethal area) on men in foxholes (0.1) in a 100 m hex
    assert suppression_pinned(6000.0, 0.1, HEX_100, 4.0) == pytest.approx(
        4 * 600 / HEX_100, rel=1e-12
    )
    assert suppression_pinned(6000.0, 0.1, HEX_100, 4.0) == pytest.approx(0.277128, abs=1e-6)
    # a 1 km hex: a hundred times the area, a hundredth of the pinning
    assert suppression_pinned(6000.0, 0.1, HEX_1000, 4.0) == pytest.approx(0.00277128, abs=1e-8)
    assert suppression_pinned(0.0, 0.1, HEX_100, 4.0) == 0.0
    assert suppression_pinned(6000.0, 0.0, HEX_100, 4.0) == 0.0


@settings(max_examples=100, deadline=None)
@given(lethal=st.floats(0, 1e6), split=st.floats(0, 1), exposure=st.floats(0.001, 6))
def test_suppression_does_not_depend_on_how_the_rounds_are_split(lethal, split, exposure) -> None:
    part = lethal * split
    twice = suppression_pinned(part, exposure, HEX_100, 4.0) + suppression_pinned(
        lethal - part, exposure, HEX_100, 4.0
    )
    assert twice == pytest.approx(suppression_pinned(lethal, exposure, HEX_100, 4.0), rel=1e-9)


def test_mortars_pin_men_in_the_open_and_barely_pin_men_in_works() -> None:
    """40 bombs (24 land) on a company: in the open 0.69 bursts are expected to cover each man
    and it is pinned; in prepared works 0.028 are, and it is pinned to about a sixth."""
    levels = {}
    for posture, works in (("attack", []), ("prepared", None)):
        obstacles = works
        if works is None:
            obstacles = [
                {"kind": "fortification", "hexes": [[4, 1]], "level": "prepared", "strength": 100}
            ]
        guns = unit(
            "red_guns", "red", (1, 1), 12, [{"weapon": "mortar", "count": 2}], type="mortar"
        )
        company = unit("blue_1", "blue", (4, 1), 120, posture=posture)
        state = battle(units=[guns, company], obstacles=obstacles)
        stubbed(state)
        bombard(state, 0, state.board.index(4, 1), coefficients_of(state), [])
        levels[posture] = float(state.units.suppression[1])
    # 4 × 0.69 / ln 2 = 4.0, capped at 2: the level the hour's decay brings back to 1
    assert levels["attack"] == 2.0
    wrecked = 24 * math.pi * 4 / (HEX_100 * 2)
    mean = C.shell_exposure_prepared + (C.shell_exposure_hasty - C.shell_exposure_prepared) * (
        wrecked / 2
    )
    share = 24 * C.lethal_area_mortar_m2 * mean / HEX_100
    assert levels["prepared"] == pytest.approx(4 * share / math.log(2), rel=1e-12)
    assert levels["prepared"] == pytest.approx(0.1621, abs=1e-4)


# ============================================================== more rounds never help the target


def _shelled(rounds: int):
    obstacles = [
        {"kind": "fortification", "hexes": [[4, 1]], "level": "fortified", "strength": 40},
        {"kind": "blockhouse", "hexes": [[4, 1]], "strength": 60},
        {"kind": "minefield", "hexes": [[4, 1]], "depth_m": 30, "density_per_m": 0.25},
        {"kind": "wire", "hexes": [[4, 1]], "lines": 2},
    ]
    guns = unit("red_guns", "red", (1, 1), 300, [{"weapon": "mortar", "count": 50}], type="mortar")
    company = unit("blue_1", "blue", (4, 1), 120)
    state = battle(units=[guns, company], obstacles=obstacles)
    stubbed(state)
    h = state.board.index(4, 1)
    bombard(state, 0, h, coefficients_of(state), [], rounds)
    w = state.works
    return (
        float(w.fort_strength[h] + w.blockhouse_strength[h]),
        float(w.lane[h]),
        float(w.wire_lines[h]),
        float(state.units.suppression[1]),
    )


@settings(max_examples=25, deadline=None)
@given(fewer=st.integers(0, 1000), more=st.integers(0, 1000))
def test_more_rounds_never_leave_more_works_mines_or_wire_or_less_suppression(fewer, more) -> None:
    fewer, more = sorted((fewer, more))
    works_a, lane_a, wire_a, pinned_a = _shelled(fewer)
    works_b, lane_b, wire_b, pinned_b = _shelled(more)
    assert works_b <= works_a
    assert lane_b >= lane_a  # more of the mines gone
    assert wire_b <= wire_a
    assert pinned_b >= pinned_a


# ============================================================== the cap on suppression


@pytest.mark.parametrize("minutes", [15, 60, 120])
def test_heavy_fire_leaves_a_unit_pinned_at_the_turns_end_whatever_its_length(minutes) -> None:
    """protection.pin caps a turn's suppression at (1 - decay)^-hours, which the morale step's
    decay brings back to 1: 2^(1/4) = 1.19 in 15-minute turns, 2 in 1-hour ones, 4 in 2-hour
    ones. Capping at 1 before the decay left 0.84, 0.5 and 0.25."""
    state = battle(turn_minutes=minutes)
    hours = minutes / 60
    pin(state, 1, 10.0, hours, coefficients_of(state))
    assert state.units.suppression[1] == pytest.approx(0.5**-hours, rel=1e-12)
    morale_phase(state, state.units.men.copy(), state.units.morale_start, state.coefficients, [])
    assert state.units.suppression[1] == pytest.approx(1.0, rel=1e-12)
    assert state.units.suppression[1] <= 1.0


def test_light_fire_is_not_capped() -> None:
    state = battle()
    pin(state, 1, 0.1, 1.0, coefficients_of(state))
    assert state.units.suppression[1] == pytest.approx(0.1 / math.log(2), rel=1e-12)
