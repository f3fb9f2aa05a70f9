"""`side_rules` act in direct fire and bombardment (issue 16): the firing side's coefficients
give what its fire does, the target side's how exposed and how easily pinned its men are."""

from __future__ import annotations

import math

from pytest import approx
from test_rules_exact import BLUE, RED, battle, guns_battle, stubbed
from test_rules_exact import draws as draws  # the fixture: every draw_casualties call

from engine.core.board import HEX_AREA_FACTOR
from engine.rules.bombardment import bombard
from engine.rules.coefficients import coefficients
from engine.rules.fire import direct_fire
from engine.rules.turn import coefficients_of

C = coefficients()
FIRE = "fire_casualties_per_firepower_hour"


def fire_expectations(draws, **side_rules) -> dict[int, float]:
    """Red's platoon (40) and Blue's (30) fire on each other once: the expected loss of each
    target, by its men (40 red, 30 blue)."""
    draws.clear()
    state = battle(side_rules=side_rules) if side_rules else battle()
    stubbed(state)
    direct_fire(state, coefficients_of(state), [])
    return dict(draws)


def test_the_firers_side_rules_set_its_rate(draws) -> None:
    plain = fire_expectations(draws)
    red_doubled = fire_expectations(draws, red={FIRE: 2 * C.fire_casualties_per_firepower_hour})
    assert red_doubled[30] == approx(2 * plain[30])  # Red's fire on Blue's 30 men
    assert red_doubled[40] == approx(plain[40])  # Blue's fire on Red, Blue's rate


def test_the_targets_side_rules_set_its_exposure_and_pinning(draws) -> None:
    plain = fire_expectations(draws)
    state = battle(side_rules={"blue": {"vulnerability_hasty": 0.35}})
    stubbed(state)
    draws.clear()
    direct_fire(state, coefficients_of(state), [])
    hit = dict(draws)
    assert hit[30] == approx(plain[30] / 2)  # Blue's men half as exposed (0.35 against 0.7)
    assert hit[40] == approx(plain[40])
    calm = battle(side_rules={"blue": {"suppression_per_casualty_share": 0.0}})
    stubbed(calm)
    direct_fire(calm, coefficients_of(calm), [])
    assert calm.units.suppression[BLUE] == 0.0 and calm.units.suppression[RED] > 0.0


def test_bombardment_reads_the_firing_and_the_struck_sides(draws) -> None:
    hex_area = HEX_AREA_FACTOR * 100**2
    landed = 24  # the stub's floor(40 × 0.6)

    def expected(lethal_area: float, exposure: float) -> float:
        return 30 * -math.expm1(-landed * lethal_area * exposure / hex_area)

    for side_rules, area, exposure in (
        ({}, C.lethal_area_mortar_m2, C.shell_exposure_hasty),
        ({"red": {"lethal_area_mortar_m2": 500.0}}, 500.0, C.shell_exposure_hasty),
        (
            {"blue": {"lethal_area_mortar_m2": 500.0}},
            C.lethal_area_mortar_m2,
            C.shell_exposure_hasty,
        ),
        ({"blue": {"shell_exposure_hasty": 0.05}}, C.lethal_area_mortar_m2, 0.05),
    ):
        draws.clear()
        state = guns_battle(side_rules=side_rules) if side_rules else guns_battle()
        stubbed(state)
        bombard(state, 0, state.board.index(4, 1), coefficients_of(state), [])
        assert draws == [(30, approx(expected(area, exposure)))], side_rules


def test_a_sides_surrender_and_breaking_come_from_its_side_rules() -> None:
    """`draw_break_points` sets each unit's surrender share and breaking point from its own
    side's values: Red's `trapped_captured_fraction` and `break_point_mean` act on Red's units
    only (they were read from the common values, so a side's surrender setting did nothing)."""
    plain = battle()
    red_rules = {"trapped_captured_fraction": 0.02, "break_point_mean": 0.4}
    ruled = battle(side_rules={"red": red_rules})
    u, p = ruled.units, plain.units
    for i in range(u.count):
        if ruled.side_ids[int(u.side[i])] == "red":
            assert u.captured_share[i] == approx(0.02)
            assert u.break_share[i] == approx(min(1.0, p.break_share[i] * 0.4 / C.break_point_mean))
        else:
            assert u.captured_share[i] == approx(C.trapped_captured_fraction) == approx(0.78)
            assert u.break_share[i] == p.break_share[i]
