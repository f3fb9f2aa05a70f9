"""Breaking points per engagement, a cut-off force's breaking point, and per-side coefficients in
assault and morale (issue 16, second pass; docs/rules.md, Assault and Morale).

Exact values for each formula; a unit mauled earlier but rested out of contact breaks like a fresh
one; a surrounded unit holds longer; a side's `side_rules` act on its own units only.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.core.events import Assaulted, Rallied
from engine.rules.assault import break_point, cut_off, losses_counted, resolve_assault
from engine.rules.coefficients import coefficients
from engine.rules.morale import morale_phase
from engine.rules.turn import coefficients_of
from tests.test_rules_exact import battle, stubbed, unit

C = coefficients()
RED, BLUE = 0, 1
TARGET = (3, 1)


def assault_once(state, attackers=(RED,)) -> Assaulted:
    events: list = []
    target = state.board.index(*TARGET)
    resolve_assault(state, target, list(attackers), coefficients_of(state), events)
    return next(e for e in events if isinstance(e, Assaulted))


def rest(state, turns: int) -> None:
    """Run `turns` morale phases with no losses (the units where they stand)."""
    for _ in range(turns):
        morale_phase(
            state, state.units.men.copy(), state.units.morale_start, coefficients_of(state), []
        )


# ------------------------------------------------------------------------------ exact values


def test_break_point_counts_the_losses_of_the_present_engagement() -> None:
    state = battle(units=[unit("red_1", "red", (2, 1), 40), unit("blue_1", "blue", (3, 1), 30)])
    u = state.units
    u.break_share[:] = [0.1, 0.3]
    u.men[RED] -= 4
    u.killed[RED] += 4
    # 4 lost of the 40 it had when the engagement began (36 now + 4), breaking point 0.1
    assert losses_counted(state, RED) == 4.0
    assert break_point(state, [RED]) == (4.0, 40.0, 0.1)
    u.break_base[RED] = 3.0  # three of them before it last rallied
    assert break_point(state, [RED]) == (1.0, 37.0, 0.1)
    u.break_share[RED] = math.inf
    assert break_point(state, [RED])[2] == math.inf


def test_counted_losses_fade_out_of_contact_by_the_hour_and_not_in_contact() -> None:
    units = [unit("red_1", "red", (0, 1), 40), unit("blue_1", "blue", (5, 1), 30)]
    state = battle(units=units, turn_minutes=120)
    u = state.units
    u.men[:] = [30, 20]
    u.killed[:] = [10, 10]
    rest(state, 1)  # 5 hexes apart: both out of contact, for 2 hours
    kept = (1.0 - C.break_losses_recovery_per_hour) ** 2
    assert losses_counted(state, RED) == pytest.approx(10 * kept)
    assert losses_counted(state, BLUE) == pytest.approx(10 * kept)
    # Within two hexes: in contact, the count stays.
    near = battle(units=[unit("red_1", "red", (1, 1), 40), unit("blue_1", "blue", (3, 1), 30)])
    near.units.men[:] = [30, 20]
    near.units.killed[:] = [10, 10]
    rest(near, 3)
    assert [losses_counted(near, i) for i in (RED, BLUE)] == [10.0, 10.0]


def test_a_unit_that_rallies_starts_its_count_again() -> None:
    state = battle(units=[unit("red_1", "red", (1, 1), 40), unit("blue_1", "blue", (3, 1), 30)])
    u = state.units
    u.men[RED], u.killed[RED], u.wounded[RED] = 28, 8, 4
    u.routed[RED] = True
    u.morale[RED] = C.rally_threshold  # in contact, but rallies on its morale
    events: list = []
    morale_phase(state, u.men.copy(), u.morale_start, coefficients_of(state), events)
    assert [e for e in events if isinstance(e, Rallied)]
    assert losses_counted(state, RED) == 0.0
    assert u.break_base[RED] == 12.0
    assert break_point(state, [RED])[:2] == (0.0, 28.0)


def test_cut_off_needs_every_neighbour_held_by_the_enemy_or_impassable() -> None:
    state = battle(units=[unit("red_1", "red", (2, 1), 40), unit("blue_1", "blue", (3, 1), 30)])
    assert not cut_off(state, BLUE) and not cut_off(state, RED)
    ring = surrounded(state)
    assert cut_off(ring, BLUE)
    # The factor acts on the breaking point of the unit with no way out only.
    ring.units.break_share[:] = 0.2
    assert break_point(ring, [BLUE], C)[2] == pytest.approx(0.2 * C.cut_off_break_factor)
    assert break_point(ring, [RED], C)[2] == pytest.approx(0.2)
    assert break_point(ring, [BLUE])[2] == pytest.approx(0.2)  # no coefficients: no factor
    # On an open border of the map there is a way out.
    edge = battle(units=[unit("red_1", "red", (1, 1), 40), unit("blue_1", "blue", (0, 1), 30)])
    assert edge.board.edge[edge.board.index(0, 1)] and not cut_off(edge, BLUE)


def surrounded(template, **overrides):
    """Blue's 30 at TARGET with a red unit of 10 in every other neighbouring hex, red_1 (40)
    assaulting from [2, 1]."""
    board = template.board
    target = board.index(*TARGET)
    units = [unit("red_1", "red", (2, 1), 40)]
    units.append(unit("blue_1", "blue", TARGET, 30))
    for k, n in enumerate(sorted(board.neighbors[target])):
        if board.cell(n) != (2, 1):
            units.append(unit(f"ring_{k}", "red", board.cell(n), 10))
    return battle(units=units, turn_minutes=240, **overrides)


def apart(template, **overrides):
    """The same units as `surrounded`, the ring's far from the target (Blue has a way out)."""
    ring = surrounded(template)
    units = [unit("red_1", "red", (2, 1), 40), unit("blue_1", "blue", TARGET, 30)]
    units += [unit(f"ring_{k}", "red", (0, k % 3), 10) for k in range(ring.units.count - 2)]
    return battle(units=units, turn_minutes=240, **overrides)


def test_a_surrounded_unit_holds_longer() -> None:
    """Same attackers, same defenders, the same draws (at their means): with every neighbouring
    hex held by the enemy the defenders give way later (`cut_off_break_factor`)."""
    template = battle()
    settings_ = {"break_point_spread": 0, "break_point_mean": 0.2, "melee_rate": 0.2}
    free = apart(template, overrides=settings_)
    ring = surrounded(template, overrides=settings_)
    for state in (free, ring):
        state.units.break_share[RED] = math.inf  # the attackers never break off
        stubbed(state)
    open_event, ring_event = assault_once(free), assault_once(ring)
    assert open_event.outcome == "taken"
    assert ring_event.modifiers["defenders_give_way_at"] == pytest.approx(
        open_event.modifiers["defenders_give_way_at"] * C.cut_off_break_factor
    )
    assert ring_event.modifiers["hours_fought"] > open_event.modifiers["hours_fought"]
    assert sum(ring_event.defender_losses.values()) > sum(open_event.defender_losses.values())


def test_a_unit_mauled_earlier_but_rested_breaks_like_a_fresh_one() -> None:
    """Blue lost 15 of 45 the day before; after two days out of contact it gives way as a fresh
    unit of its 30 men does, where unrested it gives way at once."""
    overrides = {"break_point_spread": 0}

    def mauled():
        state = battle(
            units=[unit("red_1", "red", (0, 1), 40), unit("blue_1", "blue", (5, 1), 45)],
            turn_minutes=60,
            overrides=overrides,
        )
        u = state.units
        u.men[BLUE], u.killed[BLUE] = 30, 15
        return state

    def fight(state):
        u = state.units
        u.hex[RED], u.hex[BLUE] = state.board.index(2, 1), state.board.index(*TARGET)
        u.break_share[RED] = math.inf
        stubbed(state)
        return assault_once(state)

    unrested = fight(mauled())
    rested_state = mauled()
    rest(rested_state, 48)
    assert losses_counted(rested_state, BLUE) < 0.01 * 15
    rested = fight(rested_state)
    fresh = battle(
        units=[unit("red_1", "red", (2, 1), 40), unit("blue_1", "blue", TARGET, 30)],
        overrides=overrides,
    )
    fresh.units.break_share[BLUE] = rested_state.units.break_share[BLUE]
    fresh_event = fight(fresh)
    assert unrested.outcome == "taken" and unrested.modifiers["hours_fought"] == 0.25
    assert rested.outcome == fresh_event.outcome
    assert rested.modifiers["hours_fought"] == fresh_event.modifiers["hours_fought"] > 0.25
    assert rested.defender_losses == fresh_event.defender_losses


# ------------------------------------------------------------------------------ side_rules


def test_assault_reads_each_sides_own_coefficients() -> None:
    """Blue (defending) with melee_rate 0 in its side_rules takes no hand-to-hand losses; Red
    still does, at the common rate."""
    units = [unit("red_1", "red", (2, 1), 60), unit("blue_1", "blue", (3, 1), 40)]
    common = battle(units=units)
    own = battle(units=units, side_rules={"blue": {"melee_rate": 0.0}})
    for state in (common, own):
        stubbed(state)
    a, b = assault_once(common), assault_once(own)
    assert a.defender_expected["melee"] > 0 and b.defender_expected["melee"] == 0.0
    assert b.expected["melee"] == pytest.approx(a.expected["melee"])


def test_morale_reads_each_sides_own_coefficients() -> None:
    units = [unit("red_1", "red", (0, 1), 40), unit("blue_1", "blue", (5, 1), 30)]
    state = battle(units=units, side_rules={"red": {"morale_recovery_per_hour": 0.0}})
    u = state.units
    u.morale[:] = 0.5
    rest(state, 1)
    assert u.morale.tolist() == pytest.approx([0.5, min(u.morale_start[BLUE], 0.53)])


# ------------------------------------------------------------------------------ properties


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lost=st.integers(0, 40),
    minutes=st.sampled_from([15, 60, 120, 360]),
    turns=st.integers(1, 12),
)
def test_the_count_fades_by_the_hour_whatever_the_turn_length(lost, minutes, turns) -> None:
    """Out of contact the counted losses fall by (1 - r) each hour, compounded: the same after
    the same hours at any turn length; never below nought nor above the losses."""
    units = [unit("red_1", "red", (0, 1), 40), unit("blue_1", "blue", (5, 1), 30)]
    state = battle(units=units, turn_minutes=minutes)
    state.units.men[RED] -= lost
    state.units.killed[RED] += lost
    rest(state, turns)
    hours = minutes / 60 * turns
    counted = losses_counted(state, RED)
    assert counted == pytest.approx(lost * (1.0 - C.break_losses_recovery_per_hour) ** hours)
    assert 0.0 <= counted <= lost


# ------------------------------------------------------------------------------ hours at grips


def high_breaking_points(state):
    state.units.break_share[:] = math.inf  # nobody gives way: the hours alone end the fight
    return state


def test_an_assault_lasts_the_hours_the_attackers_have_in_hand() -> None:
    units = [unit("red_1", "red", (2, 1), 60), unit("blue_1", "blue", (3, 1), 40)]
    state = high_breaking_points(battle(units=units, turn_minutes=240))
    assert state.units.grip_hours.tolist() == [C.assault_hours_per_day] * 2  # full at the start
    state.units.grip_hours[RED] = 2.0
    event = assault_once(state)
    assert event.modifiers["hours_in_hand"] == 2.0
    assert event.modifiers["hours_fought"] == 2.0  # of the turn's 4
    assert state.units.grip_hours[RED] == 0.0
    # With less than one step (15 minutes) in hand, the attackers re-form: nothing is fought.
    state.units.grip_hours[RED] = 0.2
    events: list = []
    men = state.units.men.copy()
    before = list(state.assaults)
    target = state.board.index(*TARGET)
    assert resolve_assault(state, target, [RED], coefficients_of(state), events) == "rested"
    assert events == [] and state.assaults == before
    assert state.units.men.tolist() == men.tolist()


def test_hours_in_hand_come_back_a_days_worth_a_day() -> None:
    units = [unit("red_1", "red", (0, 1), 40), unit("blue_1", "blue", (5, 1), 30)]
    state = battle(units=units, turn_minutes=120)
    state.units.grip_hours[:] = [0.0, 8.5]
    rest(state, 1)
    day = C.assault_hours_per_day
    assert state.units.grip_hours.tolist() == pytest.approx([2 * day / 24, day])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(minutes=st.sampled_from([15, 30, 60, 120, 240]), days=st.integers(1, 3))
def test_continuous_assault_is_at_grips_for_a_days_hours_a_day(minutes, days) -> None:
    """Assaulting every turn for `days` days, at any turn length, a unit is at grips for at most
    its hours in hand at the start plus a day's worth a day, and for that within one step."""
    units = [unit("red_1", "red", (2, 1), 400), unit("blue_1", "blue", (3, 1), 400)]
    state = high_breaking_points(battle(units=units, turn_minutes=minutes))
    stubbed(state)
    fought = 0.0
    per_day = C.assault_hours_per_day
    for _ in range(days * 24 * 60 // minutes):
        events: list = []
        target = state.board.index(*TARGET)
        resolve_assault(state, target, [RED], coefficients_of(state), events)
        fought += sum(e.modifiers["hours_fought"] for e in events if isinstance(e, Assaulted))
        rest(state, 1)
    bound = per_day + per_day * days
    assert fought <= bound + 1e-9
    assert fought >= bound - 0.25 - per_day * minutes / 60 / 24 - 1e-9
