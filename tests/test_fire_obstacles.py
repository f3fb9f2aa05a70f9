"""Fire discipline, bombardment with saturation and protection, obstacles (wire, mines, lanes)
and the share of losses by cause: exact values for each formula of docs/rules.md, the mortar
company case, and properties (removing an obstacle never helps the defender; bombardment and
fire expectations scale with the hours of fire, not with the turn's length).
"""

from __future__ import annotations

import math

import pytest
import test_rules_exact
from hypothesis import given, settings
from hypothesis import strategies as st
from test_rules_exact import (
    BLUE,
    RED,
    assault_battle,
    battle,
    run_assault,
    stubbed,
    unit,
)

from engine.core.board import HEX_AREA_FACTOR
from engine.core.events import Assaulted, Bombarded
from engine.core.orders import orders_to_rows
from engine.rules.bombardment import bombard, expected_shell_casualties, wire_left_after
from engine.rules.coefficients import coefficients
from engine.rules.engineering import Breach, LaneOpened, MineStruck, breach
from engine.rules.movement import mine_casualty_share, move_unit, wire_crossing_hours
from engine.rules.turn import coefficients_of

draws = test_rules_exact.draws  # the fixture: every draw_casualties call as (men, expected)
C = coefficients()
HEX_100 = HEX_AREA_FACTOR * 100**2  # 8,660.25 m²


# ============================================================== bombardment: the mortar company


def mortar_company(bombs_per_hour: int, level: str = "prepared"):
    """A battalion's 81 mm mortars (tubes × 20 bombs an hour) three hexes from a company of 120
    men in works on open ground (cover 1), one-hour turns by day; unit 0 is the mortars."""
    tubes = bombs_per_hour // 20
    guns = unit("red_guns", "red", (1, 1), 6 * tubes, [{"weapon": "mortar", "count": tubes}])
    guns["type"] = "mortar"
    company = unit("blue_1", "blue", (4, 1), 120)
    works = [{"kind": "fortification", "hexes": [[4, 1]], "level": level, "strength": 1000}]
    return battle(units=[guns, company], obstacles=works)


@pytest.mark.parametrize(
    ("bombs", "landed", "share"),
    [
        # 120 × (1 - exp(-landed × 250 m² × mean exposure / 8,660.25 m²)) / 120, the mean
        # exposure over the rounds while they knock down the works (each round wrecks
        # π × 2² / (8,660.25 × 2) = 0.0726 % of them, whatever their points):
        # 0.04 + (0.1 - 0.04) × (landed × 0.000726) / 2
        (40, 24, 0.027684),
        (100, 60, 0.069045),
        (200, 120, 0.137234),
    ],
)
def test_a_company_in_works_survives_an_hour_of_a_battalions_mortars(
    draws, bombs, landed, share
) -> None:
    state = mortar_company(bombs)
    stubbed(state)  # landed = floor(bombs × rounds_on_target_fraction 0.6)
    events: list = []
    bombard(state, 0, state.board.index(4, 1), coefficients_of(state), events)
    (event,) = [e for e in events if isinstance(e, Bombarded)]
    assert event.rounds == bombs and event.landed == landed
    wrecked = landed * math.pi * C.works_hit_radius_m**2 / (HEX_100 * C.works_hits_to_destroy)
    mean = (
        C.shell_exposure_prepared
        + (C.shell_exposure_hasty - C.shell_exposure_prepared) * wrecked / 2
    )
    assert event.exposure["blue_1"] == {
        "terrain_cover": 1.0,
        "posture": C.shell_exposure_prepared,
        "works_falling": pytest.approx(mean / C.shell_exposure_prepared, rel=1e-12),
    }
    lethal = landed * C.lethal_area_mortar_m2 * mean
    expected = 120 * (1 - math.exp(-lethal / HEX_100))
    assert draws == [(120, pytest.approx(expected, rel=1e-12))]
    assert expected / 120 == pytest.approx(share, abs=1e-6)
    # The published range: CDB90's fortified defenders lose 2.4-17 % of their men a day
    # (interquartile range, docs/rules.md); one hour of a battalion's mortars costs a company
    # in works a share of men inside that range, never the whole company.
    assert 0.0243 <= share <= 0.1699


def test_the_same_bombs_on_men_in_the_open_hit_many_but_not_all(draws) -> None:
    state = mortar_company(40)
    state.units.posture[1] = 0  # attack: moving in the open
    stubbed(state)
    bombard(state, 0, state.board.index(4, 1), coefficients_of(state), [])
    # 24 × 250 m² = 6,000 m² of lethal area over 8,660 m²: 50 % hit, not the linear law's 69 %
    assert draws[0][1] == pytest.approx(120 * (1 - math.exp(-6000 / HEX_100)), rel=1e-12)
    assert 0.49 < draws[0][1] / 120 < 0.51


@settings(max_examples=200, deadline=None)
@given(
    men=st.integers(1, 2000),
    lethal_1=st.floats(0, 1e6),
    lethal_2=st.floats(0, 1e6),
    exposure=st.floats(0.001, 6),
)
def test_bombardment_expectation_does_not_depend_on_how_the_rounds_are_split(
    men, lethal_1, lethal_2, exposure
) -> None:
    """Two turns of fire (the second on the survivors of the first) cost, on average, what one
    turn of the same rounds costs: the expectation follows the hours of fire, not the turns."""
    once = expected_shell_casualties(lethal_1 + lethal_2, men, HEX_100, exposure)
    first = expected_shell_casualties(lethal_1, men, HEX_100, exposure)
    second = expected_shell_casualties(lethal_2, men, HEX_100, exposure) * (men - first) / men
    assert first + second == pytest.approx(once, rel=1e-9, abs=1e-9)
    assert 0.0 <= once <= men


@settings(max_examples=100, deadline=None)
@given(lines=st.floats(0.1, 5), landed=st.integers(0, 400), split=st.floats(0, 1))
def test_wire_cutting_does_not_depend_on_how_the_rounds_are_split(lines, landed, split) -> None:
    part = landed * split
    twice = wire_left_after(wire_left_after(lines, part, 43.3, 100), landed - part, 43.3, 100)
    assert twice == pytest.approx(wire_left_after(lines, landed, 43.3, 100), rel=1e-9)


def test_wire_left_after_rounds_exact() -> None:
    # 2 lines, 24 rounds landing in a 100 m hex: 2 × exp(-24 / 43.3)
    assert wire_left_after(2.0, 24, C.wire_rounds_per_line, 100) == pytest.approx(
        2 * math.exp(-24 / 43.3), rel=1e-12
    )
    # 1 km hexes: a line is 10 times longer in 100 times the area: 10 times the rounds
    assert wire_left_after(2.0, 240, C.wire_rounds_per_line, 1000) == pytest.approx(
        2 * math.exp(-24 / 43.3), rel=1e-12
    )
    assert wire_left_after(0.0, 100, C.wire_rounds_per_line, 100) == 0.0


# ============================================================== direct fire over hours


@pytest.mark.parametrize("minutes", [30, 60, 120])
def test_direct_fire_expectation_per_hour_is_the_same_at_any_turn_length(draws, minutes) -> None:
    from engine.rules.fire import direct_fire

    state = battle(turn_minutes=minutes)
    direct_fire(state, coefficients_of(state), [])
    per_hour = draws[0][1] / (minutes / 60)
    assert per_hour == pytest.approx(0.005 * 40 * 0.8 * 0.7, rel=1e-12)


# ============================================================== mines and wire


def test_mine_share_exact_by_density_and_lane() -> None:
    mines = [{"kind": "minefield", "hexes": [[3, 1]], "depth_m": 30, "density_per_m": 2.0}]
    state = battle(obstacles=mines)
    c = coefficients_of(state)
    h = state.board.index(3, 1)
    p = 1 - math.exp(-2.0 * C.mine_footprint_m)
    assert mine_casualty_share(state, h, c) == pytest.approx(p, rel=1e-12)
    state.works.lane[h] = 0.5  # half the depth cleared
    assert mine_casualty_share(state, h, c) == pytest.approx(
        p * (1 - 0.5 * (1 - C.lane_mine_factor)), rel=1e-12
    )


def test_wire_crossing_hours_per_line() -> None:
    assert wire_crossing_hours(2.0, C) == 2 * C.wire_crossing_hours_per_line
    assert wire_crossing_hours(0.0, C) == 0.0


def test_moving_through_the_enemys_wire_takes_time() -> None:
    # Blue's wire at [3, 1], laid by Blue (nearest): Red marching from [1, 1] toward [5, 1] in
    # a 1-hour turn at 2.5 km/h (0.04 h a hex) loses 3 lines × 0.25 h = 0.75 h at the wire.
    wire = [{"kind": "wire", "hexes": [[3, 0], [3, 1], [3, 2]], "lines": 3}]  # a belt across
    units = [unit("red_1", "red", (1, 1), 40), unit("blue_1", "blue", (3, 2), 30)]
    units[1]["at"] = [6, 2]  # far off: no zone of control on the way
    plain = battle(units=units)
    wired = battle(units=units, obstacles=wire)
    four = battle(units=units, obstacles=[{**wire[0], "lines": 4}])
    goal = plain.board.index(6, 0)
    for state in (wired, four):
        for row in range(3):
            state.works.owner[state.board.index(3, row)] = 1  # Blue's wire
    for state in (plain, wired):
        move_unit(state, RED, goal, coefficients_of(state), [])
    assert plain.units.hex[RED] == goal  # 5 hexes in 0.2 h
    # with the wire, 0.04 × 2 h to reach it, + 0.04 + 0.75 to cross: 0.87 h, then 3 more hexes
    # need 0.12 h and only 0.13 are left: it still arrives; with 4 lines it would not
    assert wired.units.hex[RED] == goal
    move_unit(four, RED, goal, coefficients_of(four), [])
    assert four.units.hex[RED] != goal


def test_walking_into_a_minefield_reports_the_men_hit() -> None:
    mines = [{"kind": "minefield", "hexes": [[2, 1]], "depth_m": 30, "density_per_m": 2.0}]
    units = [unit("red_1", "red", (1, 1), 40), unit("blue_1", "blue", (4, 1), 30)]
    state = battle(units=units, obstacles=mines)
    state.works.owner[state.board.index(2, 1)] = 1  # Blue's field
    stubbed(state)
    events: list = []
    move_unit(state, RED, state.board.index(2, 1), coefficients_of(state), events)
    (struck,) = [e for e in events if isinstance(e, MineStruck)]
    p = 1 - math.exp(-2.0 * C.mine_footprint_m)
    assert struck.share == round(p, 4)
    assert struck.killed + struck.wounded == math.floor(40 * p)
    assert "walks into the minefield" in struck.line()


def test_bombardment_and_engineers_report_the_lanes_they_open() -> None:
    obstacles = [
        {"kind": "minefield", "hexes": [[4, 1]], "depth_m": 10, "density_per_m": 0.104},
        {"kind": "wire", "hexes": [[4, 1]], "lines": 1},
    ]
    guns = unit("red_guns", "red", (1, 1), 60, [{"weapon": "mortar", "count": 10}])
    guns["type"] = "mortar"
    state = battle(units=[guns, unit("blue_1", "blue", (4, 1))], obstacles=obstacles)
    stubbed(state)
    events: list = []
    h = state.board.index(4, 1)
    # 120 land: 1 - exp(-120 π / 8,660) = 4.26 % of the mines are gone, and a 1 m footpath
    # holds 0.104 × (1 - 0.0426) = 0.0996 <= 0.1 mines: the lane is open
    bombard(state, 0, h, coefficients_of(state), events)
    opened = [e for e in events if isinstance(e, LaneOpened)]
    assert [(e.hex, e.obstacle, e.by) for e in opened] == [("4,1", "minefield", "red_guns")]
    assert state.works.wire_lines[h] == pytest.approx(math.exp(-120 / 43.3))
    # engineers finish the wire
    sappers = unit("red_eng", "red", (3, 1), 10, [], type="engineers")
    state = battle(units=[sappers, unit("blue_1", "blue", (5, 1))], obstacles=obstacles)
    state.works.lane[h] = 1.0
    events = []
    breach(state, orders_to_rows([Breach(0, h)]), coefficients_of(state), events)
    opened = [e for e in events if isinstance(e, LaneOpened)]
    assert [(e.obstacle, e.by) for e in opened] == [("wire", "red_eng")]
    assert opened[0].line() == "red_eng has opened gaps in the wire at 4,1"


# ============================================================== removing an obstacle


def attackers_expected_loss(obstacles, mines_lane: float = 0.0) -> float:
    rifles = [{"weapon": "rifle", "count": 30, "ammo": 1000}]
    state = assault_battle(rifles, obstacles=obstacles)
    h = state.board.index(3, 1)
    state.works.lane[h] = mines_lane
    event: Assaulted = run_assault(state)
    # the obstacles' own phases: the minefield and the approach under close fire held at the
    # wire (whether the attack then breaks, and what the hand-to-hand costs, is assault's rule)
    return event.expected.get("mines", 0.0) + event.expected.get("approach", 0.0)


@settings(max_examples=15, deadline=None, database=None)
@given(
    density=st.floats(0.05, 3.0),
    depth=st.floats(5, 60),
    lines=st.integers(1, 4),
    lane=st.floats(0, 1),
)
def test_removing_wire_or_mines_never_raises_the_attackers_expected_losses(
    density, depth, lines, lane
) -> None:
    mines = {"kind": "minefield", "hexes": [[3, 1]], "depth_m": depth, "density_per_m": density}
    wire = {"kind": "wire", "hexes": [[3, 1]], "lines": lines}
    both = attackers_expected_loss([mines, wire], lane)
    assert attackers_expected_loss([wire], lane) <= both + 1e-9
    assert attackers_expected_loss([mines], lane) <= both + 1e-9
    assert (
        attackers_expected_loss([], lane)
        <= min(attackers_expected_loss([wire], lane), attackers_expected_loss([mines], lane)) + 1e-9
    )
    # a lane opened further through the mines never raises them either
    assert attackers_expected_loss([mines, wire], 1.0) <= both + 1e-9


@settings(max_examples=100, deadline=None)
@given(density=st.floats(0, 5), lane=st.floats(0, 1), more=st.floats(0, 1))
def test_mine_share_falls_with_the_lane_and_rises_with_density(density, lane, more) -> None:
    state = battle()
    h = state.board.index(3, 1)
    c = coefficients_of(state)
    state.works.mine_density[h] = density
    state.works.lane[h] = lane
    share = mine_casualty_share(state, h, c)
    state.works.lane[h] = min(1.0, lane + more)
    assert mine_casualty_share(state, h, c) <= share + 1e-12
    state.works.lane[h] = lane
    state.works.mine_density[h] = density + more
    assert mine_casualty_share(state, h, c) >= share - 1e-12


def test_the_two_units_of_the_exact_battles() -> None:
    state = battle()
    assert [state.units.ids[RED], state.units.ids[BLUE]] == ["red_1", "blue_1"]


# ============================================================== share of losses by cause


def test_losses_by_cause_add_up_to_each_sides_ledger() -> None:
    from pathlib import Path

    from engine.sim.causes import losses_by_cause, play, table

    path = Path(__file__).parent.parent / "scenarios" / "lion_mountain.yaml"
    total = play(str(path), games=1, seed=1)
    from engine.game import Game

    game = Game.load(path, seed=1)
    while not game.over:
        for side in game.sides_to_order():
            game.apply_orders(side, game.computer_orders(side))
        game.end_turn()
    assert losses_by_cause(game) == total  # one game: the sum is that game's
    u = game.state.units
    for k, side in enumerate(game.side_ids):
        mine = u.side == k
        ledger = int((u.killed + u.wounded + u.captured + u.drowned)[mine].sum())
        assert sum(total[side].values()) == ledger
    fired = sum(e.killed + e.wounded for e in game.events if e.kind == "fired")
    assert sum(t.get("direct fire", 0) for t in total.values()) == fired
    text = table(total, 1)
    assert text.splitlines()[-1].startswith("| all | 100% |")


def test_engineers_with_bangalores_blow_the_wire_faster() -> None:
    wire = [{"kind": "wire", "hexes": [[4, 1]], "lines": 4}]
    done = {}
    for flag in (False, True):
        sappers = unit("red_eng", "red", (3, 1), 10, [], type="engineers", bangalores=flag)
        state = battle(units=[sappers, unit("blue_1", "blue", (5, 1))], obstacles=wire)
        h = state.board.index(4, 1)
        events: list = []
        breach(state, orders_to_rows([Breach(0, h)]), coefficients_of(state), events)
        done[flag] = 4 - float(state.works.wire_lines[h])
    # one hour of a full party: 2 lines by hand, 6 with Bangalore torpedoes (4 there: all)
    assert done[False] == pytest.approx(C.engineer_wire_lines_per_hour * 1.0)
    assert done[True] == pytest.approx(min(4.0, C.bangalore_wire_lines_per_hour * 1.0))
