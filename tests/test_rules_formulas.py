"""Exact values for the rules' formulas, worked out by hand from docs/rules.md."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pytest

from engine.core import dice
from engine.core.dice import Dice
from engine.core.orders import Assault, Bombard, Fire, Hold, Move, Withdraw, parse
from engine.rules.bombardment import expected_shell_casualties
from engine.rules.casualties import draw_casualties
from engine.rules.coefficients import coefficients, defaults
from engine.rules.fire import firer_factors
from engine.rules.movement import hex_hours_at_1kmh, mine_casualty_share
from engine.rules.protection import product, vulnerability
from engine.rules.turn import coefficients_of, new_game
from engine.scenario import load_scenario_text

MINIMAL = (Path(__file__).parent / "data" / "minimal.yaml").read_text(encoding="utf-8")


def game(text: str = MINIMAL, seed: int = 1):
    return new_game(load_scenario_text(text).scenario, seed)


def test_every_coefficient_is_documented() -> None:
    rules_doc = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    for name, info in defaults().items():
        assert info.unit and info.meaning and info.source, name
        assert f"`{name}`" in rules_doc, f"{name} is not in docs/rules.md"


def test_overrides_apply_and_unknown_names_fail() -> None:
    c = coefficients({"night_fire_factor": 0.25})
    assert c.night_fire_factor == 0.25
    with pytest.raises(KeyError):
        coefficients({"night_fire_factr": 0.25})


def test_draw_casualties_edges() -> None:
    dice = Dice(0)
    rng = dice.at(1, 1)
    assert draw_casualties(rng, 0, 5.0) == 0
    assert draw_casualties(rng, 10, 0.0) == 0
    assert draw_casualties(rng, 10, 12.0) == 10  # more due than present: all of them
    draws = [draw_casualties(dice.at(1, 1, k), 1000, 100.0) for k in range(2000)]
    assert abs(sum(draws) / len(draws) - 100.0) < 1.0  # binomial(1000, 0.1): mean 100


def test_shell_casualties_linear_law_saturating() -> None:
    # 10 rounds of 250 m² on 100 men in a 100 m hex (8,660.25 m²) in prepared works (0.04):
    # 100 × (1 - exp(-2,500 × 0.04 / 8,660.254)) = 1.14806, the linear law's 1.1547 less the
    # bursts that fall on men already hit
    assert expected_shell_casualties(2500.0, 100, 8660.254037844386, 0.04) == pytest.approx(
        1.1480595, rel=1e-6
    )
    # dense fire on men in the open: 40 rounds × 250 m² over 8,660 m² cover the hex 1.15 times
    # over, and 68 % of the men are hit, not all of them (the linear law would say 115 %)
    assert expected_shell_casualties(10000.0, 120, 8660.254037844386, 1.0) == pytest.approx(
        120 * (1 - math.exp(-10000 / 8660.254037844386)), rel=1e-12
    )
    assert expected_shell_casualties(1e9, 120, 8660.254037844386, 1.0) == pytest.approx(120.0)


def test_mine_share_with_and_without_lane() -> None:
    state = game()
    c = coefficients_of(state)
    h = state.board.index(3, 0)
    state.works.mine_density[h] = 1.0
    # 1 - exp(-1.0 × 0.35)
    assert mine_casualty_share(state, h, c) == pytest.approx(1 - math.exp(-0.35))
    state.works.lane[h] = 1.0  # a cleared lane leaves 15 % of that
    assert mine_casualty_share(state, h, c) == pytest.approx((1 - math.exp(-0.35)) * 0.15)


def test_range_factor_falls_linearly_to_the_weapons_reach() -> None:
    state = game()
    c = coefficients_of(state)
    red = 0  # rifles, 400 m: 4 hexes
    state.turn = 1  # 06:00, daylight
    assert firer_factors(state, red, 1, c)["range"] == pytest.approx(1.0)
    assert firer_factors(state, red, 4, c)["range"] == pytest.approx(0.4)
    assert firer_factors(state, red, 2, c)["range"] == pytest.approx(1 - 0.6 / 3)
    assert "night" not in firer_factors(state, red, 1, c)


def test_quality_factor_is_neutral_at_half() -> None:
    state = game()
    c = coefficients_of(state)
    state.units.quality[0] = 0.5
    assert firer_factors(state, 0, 1, c)["quality"] == pytest.approx(1.0)
    state.units.quality[0] = 1.0
    assert firer_factors(state, 0, 1, c)["quality"] == pytest.approx(1.5)


def test_night_is_judged_at_mid_turn() -> None:
    text = MINIMAL.replace("turns: 6", "turns: 30")
    state = game(text)
    assert not state.is_night()  # 05:00-06:00, mid-turn 05:30 after darkness ends at 05:00
    state.turn = 14  # 19:00-20:00, mid-turn 19:30: darkness starts
    assert state.is_night()
    state.turn = 23  # 04:00-05:00, mid-turn 04:30
    assert state.is_night()


def test_vulnerability_in_works_wears_with_the_works() -> None:
    # Red's ammunition unlimited, so it fires to the rifles' full 4 hexes (the hill is 3 away).
    text = MINIMAL.replace("{weapon: rifle, count: 36, ammo: 3600}", "{weapon: rifle, count: 36}")
    text = text.replace(
        "obstacles:\n",
        "obstacles:\n  - {kind: fortification, hexes: [hill], level: fortified, strength: 100}\n",
    )
    state = game(text)
    c = coefficients_of(state)
    blue = 1  # on the hill (cover 0.7), prepared posture in fortified works
    factors = vulnerability(state, blue, c, "fire")
    assert factors == {"terrain_cover": 0.7, "posture": pytest.approx(0.5)}
    assert product(vulnerability(state, blue, c, "shell")) == pytest.approx(0.7 * 0.02)
    state.works.fort_strength[state.board.resolve("hill")] = 50.0  # half destroyed
    assert vulnerability(state, blue, c, "fire")["posture"] == pytest.approx(0.7 + (0.5 - 0.7) / 2)


def test_river_crossing_takes_hours_by_width() -> None:
    state = game()
    c = coefficients_of(state)
    hours = hex_hours_at_1kmh(state.board, c)
    water = state.board.index(2, 1)
    # the stream is 20 m wide and fordable: 0.13 h per 100 m
    assert c.ford_crossing_hours_per_100m == 0.13
    assert hours[water] == pytest.approx(0.13 * 20 / 100)
    assert hours[state.board.index(0, 0)] == pytest.approx(0.1)  # 100 m at 1 km/h
    assert math.isinf(hours[state.board.index(4, 1)])  # the cliff


@pytest.mark.parametrize(
    "order",
    [
        Hold(0),
        Move(1, 7),
        Assault(0, 3),
        Bombard(1, 4),
        Bombard(1, 4, 120),
        Fire(0, 2),
        Withdraw(0, 0),
    ],
)
def test_order_text_round_trip(order) -> None:
    ids = ("red_1", "blue_1")
    assert parse(order.text(ids), {"red_1": 0, "blue_1": 1}) == order


def test_rules_doc_table_is_current() -> None:
    from engine.docs_tools import markdown_table

    text = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert text.endswith(markdown_table()), (
        "docs/rules.md's coefficient table is stale: regenerate it with the command above it"
    )


def test_a_fire_order_picks_its_target_over_the_nearest() -> None:
    from engine.core.events import Fired
    from engine.rules.turn import end_turn

    # Red's ammunition unlimited, so it fires to the rifles' full 4 hexes (the hill is 3 away).
    text = MINIMAL.replace("{weapon: rifle, count: 36, ammo: 3600}", "{weapon: rifle, count: 36}")
    text = text.replace(
        "obstacles:\n",
        "  - {id: blue_2, name: {en: Blue outpost}, side: blue, type: infantry, men: 10,"
        " weapons: [{weapon: rifle, count: 10}], at: [1, 1]}\nobstacles:\n",
    )
    state = game(text)
    red, hill = 0, state.board.resolve("hill")
    events = end_turn(state, [Fire(red, hill)])
    fired = [e for e in events if isinstance(e, Fired) and e.unit == "red_1"]
    assert [e.target for e in fired] == ["blue_1"]
    state = game(text)  # without the order, red fires at the nearest: the outpost next to it
    events = end_turn(state, [Hold(red)])
    fired = [e for e in events if isinstance(e, Fired) and e.unit == "red_1"]
    assert [e.target for e in fired] == ["blue_2"]


def test_assault_frontage_engaged_shares() -> None:
    from engine.rules.assault import engaged_shares

    # docs/rules.md: a = min(1, frontage / hex), d = min(1, frontage × axes / hex)
    assert coefficients().assault_frontage_m == 500.0
    assert engaged_shares(500.0, 1, 100.0) == (1.0, 1.0)  # 100 m hexes: every man
    assert engaged_shares(500.0, 3, 100.0) == (1.0, 1.0)
    assert engaged_shares(500.0, 1, 1000.0) == (0.5, 0.5)  # 1 km hexes: half on one axis
    assert engaged_shares(500.0, 2, 1000.0) == (0.5, 1.0)  # two axes reach every defender
    assert engaged_shares(500.0, 3, 1000.0) == (0.5, 1.0)
    assert engaged_shares(250.0, 3, 1000.0) == (0.25, 0.75)
    assert engaged_shares(400.0, 2, 2000.0) == (0.2, 0.4)


def test_assault_in_a_wide_hex_touches_only_the_men_on_its_frontage() -> None:
    from engine.core.events import Assaulted
    from engine.rules.assault import resolve_assault

    # 1 km hexes, one axis: 200 of red's 400 men and 150 of blue's 300 fight. Blue's close fire
    # (5,000 rifles' worth, at a rate of 1 a firepower point an hour: 625 expected in the first
    # 15-minute step) is enough to hit nearly every attacker it can reach, but only those.
    text = MINIMAL.replace("hex_size_m: 100", "hex_size_m: 1000")
    text += "rules:\n  close_fire_casualties_per_firepower_hour: 1.0\n"
    text = text.replace("men: 40", "men: 400").replace("count: 36, ammo: 3600", "count: 360")
    text = text.replace("men: 30", "men: 300").replace("count: 28}", "count: 5000}")
    red, blue = 0, 1

    def assault(text: str) -> tuple[Assaulted, object]:
        state = game(text)
        state.units.hex[red] = state.board.index(3, 0)  # next to the hill
        events: list = []
        resolve_assault(state, state.board.resolve("hill"), [red], coefficients_of(state), events)
        state.check_invariants()
        return next(e for e in events if isinstance(e, Assaulted)), state

    event, state = assault(text)
    assert event.modifiers["attackers_engaged_share"] == 0.5
    assert event.modifiers["defenders_engaged_share"] == 0.5
    assert event.outcome == "repelled"
    hit = int(state.units.killed[red] + state.units.wounded[red])
    assert 180 <= hit <= 200  # nearly all of the 200 engaged, none of the other 200
    assert int(state.units.killed[blue] + state.units.wounded[blue]) <= 150
    # The same assault in 100 m hexes engages every man and says nothing of shares.
    event, state = assault(text.replace("hex_size_m: 1000", "hex_size_m: 100"))
    assert "attackers_engaged_share" not in event.modifiers
    assert int(state.units.killed[red] + state.units.wounded[red]) > 200


# A routed red section between two cliffs: no way out. Blue stands apart, on the hill.
TRAPPED = """\
{format_version: 1, id: trap, title: {en: T}, scale: tactical, sources: [{id: s, title: S}],
 briefing: {summary: S, situation: S, aims: {red: Go, blue: Stay}, historical_note: None},
 clock: {start: 1945-05-21T08:00, turn_minutes: MINUTES, turns: 2, darkness: {starts: "20:00", ends: "05:00"}},
 map: {hex_size_m: 100, width: 4, height: 1, legend: {".": open, "X": cliff}, terrain: "X.X.",
       places: [{id: hill, name: {en: Hill}, hex: [3, 0]}]},
 terrain: {open: {name: {en: Open}}, cliff: {name: {en: Cliff}, passable: false}},
 sides: [{id: red, name: {en: Red}, color: "#b03030"}, {id: blue, name: {en: Blue}, color: "#3050b0"}],
 weapons: {rifle: {name: {en: Rifle}, kind: small_arms, range_m: 400, rounds_per_hour: 30}},
 units: [{id: r, name: {en: R}, side: red, type: infantry, men: 1000, at: [1, 0]},
         {id: b, name: {en: B}, side: blue, type: infantry, men: 10, at: hill}],
 victory: [{side: blue, kind: hold, place: hill}]}
"""  # noqa: E501


@pytest.mark.parametrize("minutes", [60, 240])
def test_trapped_units_lose_a_share_per_hour_compounded_over_the_turn(minutes: int) -> None:
    from engine.rules.coefficients import share_in_turn
    from engine.rules.morale import flee

    hours = minutes / 60
    state = new_game(
        load_scenario_text(TRAPPED.replace("MINUTES", str(minutes))).scenario,
        1,
        {"trapped_slip_away_share": 0.0},
    )
    c = coefficients_of(state)
    state.units.routed[0] = True
    twin = copy.deepcopy(state.dice).at(state.turn, dice.TRAPPED, 0)  # the stream flee will draw
    flee(state, 0, state.board.index(3, 0), c, [])
    lost = 1000 - int(state.units.men[0])
    share = 1 - (1 - c.surrender_share_trapped) ** hours
    twin.binomial(1000, 0.0)  # none slip away
    assert lost == twin.binomial(1000, share)  # each man lost with the compounded share
    if minutes == 240:  # the per-turn share the coefficient was converted from
        assert round(1000 * share) == 500
    state.check_invariants()
    assert share_in_turn(0.02, 1.0) == 0.02  # exactly the hourly share in 1-hour turns
    assert share_in_turn(0.013, 4.0) == pytest.approx(1 - 0.987**4, abs=1e-15)


def _escaped_share(slip: float, lost: float, night_factor: float, start: int) -> float:
    """The share of a trapped, routed unit that gets out before the ring takes the rest, in
    1-hour turns from hour `start` of a day of 12 light and 12 dark hours: each hour first
    `slip` (times `night_factor` at night) of its men slip out, then `lost` of those left are
    lost (docs/rules.md, Morale, "Slipping out of a ring")."""
    men, escaped = 1.0, 0.0
    for hour in range(start, start + 2000):
        out = men * min(1.0, slip * (night_factor if hour % 24 >= 12 else 1.0))
        escaped += out
        men = (men - out) * (1.0 - lost)
    return escaped


def test_slip_away_share_is_the_derivation_from_halbe() -> None:
    """trapped_slip_away_share is the hourly share by day at which a trapped unit lets out, on
    average over the hour it is trapped, the share of a destroyed pocket's men who got out at
    Halbe (25,000 of 150,000-200,000; midpoint 175,000), against the coefficients' own hourly
    loss of trapped men and night factor."""
    c = defaults()
    lost = c["surrender_share_trapped"].value
    night = c["trapped_slip_away_night_factor"].value
    slip = c["trapped_slip_away_share"].value

    def average(s: float) -> float:
        return sum(_escaped_share(s, lost, night, start) for start in range(24)) / 24

    low, high = 0.0, 0.2
    for _ in range(50):  # bisection: the escaped share rises with the slip-away share
        middle = (low + high) / 2
        low, high = (middle, high) if average(middle) < 25_000 / 175_000 else (low, middle)
    assert slip == round(low, 3) == 0.013
    assert average(slip) == pytest.approx(0.1429, abs=0.002)
    # the ends of Halbe's range (150,000 and 200,000 in the pocket) give 0.0156 and 0.0112
    assert average(0.0156) == pytest.approx(25_000 / 150_000, abs=0.002)
    assert average(0.0112) == pytest.approx(25_000 / 200_000, abs=0.002)
