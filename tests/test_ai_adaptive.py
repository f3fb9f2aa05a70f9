"""The adaptive computer player's rules of thumb (engine/ai/planner.py), each in a small battle
(tests/data/metrics.yaml: a red company, red mortars and a blue company dug in on the east hill)
where it applies and where it does not: no piecemeal assault, a place to hold kept manned, no
breaking of contact by day."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core.events import Assaulted
from engine.game import Game
from engine.rules.casualties import remove_men

TEXT = (Path(__file__).parent / "data" / "metrics.yaml").read_text(encoding="utf-8")
RED, MORTARS, BLUE = 0, 1, 2  # unit numbers, in the file's order


def game(text: str = TEXT) -> Game:
    return Game.from_text(text, "metrics.yaml", 1)


def put(g: Game, unit: int, cell: tuple[int, int]) -> None:
    g.state.units.hex[unit] = g.state.board.resolve(cell)


def order_of(g: Game, side: str, unit: int, mode: str = "adaptive") -> str:
    ids = g.state.units.ids
    return next(o.text(ids) for o in g.computer_orders(side, mode) if o.unit == unit)


def infantry(unit_id: str, name: str, side: str, men: int, rifles: int, at: tuple) -> str:
    """One more foot unit for metrics.yaml's `units:` list, as YAML text."""
    return (
        f"  - {{id: {unit_id}, name: {{en: {name}}}, side: {side}, type: infantry, men: {men},\n"
        f"     weapons: [{{weapon: rifle, count: {rifles}}}], at: [{at[0]}, {at[1]}],"
        " morale: 1.0}\n"
    )


def with_units(text: str, *units: str) -> str:
    """metrics.yaml with `units` added at the end of its unit list."""
    return text.replace("obstacles:\n", "".join(units) + "obstacles:\n", 1)


def test_the_adaptive_attacker_waits_beside_the_target_for_the_odds() -> None:
    """100 men next to 100 in works do not go in (3:1 is asked, ai_attack_ratio); against 30
    they do; with the ratio lowered to 1 they go in against 100 too."""
    g = game()
    put(g, RED, (6, 1))  # next to the east hill
    assert order_of(g, "red", RED) == "hold red_coy"
    remove_men(g.state, BLUE, 70, "killed")
    assert order_of(g, "red", RED) == "assault red_coy 16"
    bold = Game.from_text(TEXT, "metrics.yaml", 1, overrides={"ai_attack_ratio": 1.0})
    put(bold, RED, (6, 1))
    assert order_of(bold, "red", RED) == "assault red_coy 16"


def test_the_hasty_ratio_applies_where_no_works_stand() -> None:
    text = TEXT.replace(
        "  - {kind: fortification, hexes: [east_hill], level: prepared, strength: 10}\n", ""
    ).replace("obstacles:\n", "obstacles: []\n")
    g = game(text)
    put(g, RED, (6, 1))
    remove_men(g.state, BLUE, 62, "killed")  # 38 left: 100 >= 2.5 x 38 = 95, < 3 x 38 = 114
    assert order_of(g, "red", RED) == "assault red_coy 16"
    strict = Game.from_text(text, "metrics.yaml", 1, overrides={"ai_hasty_attack_ratio": 3.0})
    put(strict, RED, (6, 1))
    remove_men(strict.state, BLUE, 62, "killed")
    assert order_of(strict, "red", RED) == "hold red_coy"


def test_the_place_to_hold_is_manned_again_when_its_garrison_is_gone() -> None:
    g = game()
    assert order_of(g, "blue", BLUE) == "hold blue_coy"  # on the hill
    put(g, BLUE, (8, 0))  # off it, nobody else there, no enemy next to it
    assert order_of(g, "blue", BLUE).startswith("move blue_coy 16")


def test_a_unit_in_contact_or_routed_is_not_the_one_sent_to_man_the_place() -> None:
    from engine.ai.planner import _man_with, _view

    g = game()
    hill = g.state.board.resolve("east_hill")
    put(g, BLUE, (8, 0))
    assert _man_with(g.state, _view(g.state), 1, hill) == BLUE
    put(g, RED, (8, 1))  # next to blue
    assert _man_with(g.state, _view(g.state), 1, hill) == -1
    put(g, RED, (0, 1))
    g.state.units.routed[BLUE] = True
    assert _man_with(g.state, _view(g.state), 1, hill) == -1


EXIT = TEXT.replace(
    "  - {side: blue, kind: hold, place: east_hill}\n",
    "  - {side: blue, kind: exit, place: east_edge, men: 50}\n",
).replace(
    "    - {id: east_hill, name: {en: East hill}, hex: [7, 1]}\n",
    "    - {id: east_hill, name: {en: East hill}, hex: [7, 1]}\n"
    "    - {id: east_edge, name: {en: East edge}, hex: [8, 1]}\n",
)


def test_an_adaptive_side_that_must_get_out_does_not_break_contact_by_day() -> None:
    day = game(EXIT)
    put(day, BLUE, (6, 1))
    put(day, RED, (5, 1))  # next to it
    assert not day.state.is_night()
    assert order_of(day, "blue", BLUE) == "hold blue_coy"
    free = game(EXIT)  # red far away: it goes at once
    assert order_of(free, "blue", BLUE).startswith("withdraw blue_coy")
    night = game(EXIT.replace('starts: "20:00", ends: "05:00"', 'starts: "07:00", ends: "23:00"'))
    put(night, BLUE, (6, 1))
    put(night, RED, (5, 1))
    assert night.state.is_night()
    assert order_of(night, "blue", BLUE).startswith("withdraw blue_coy")


MORE = with_units(
    TEXT,
    infantry("red_2", "Red 2nd", "red", 50, 45, (2, 1)),
    infantry("blue_post", "Blue post", "blue", 10, 10, (3, 0)),
)
RED_2, BLUE_POST = 3, 4


def test_units_short_of_the_odds_go_to_the_sides_point_of_attack() -> None:
    """The red company next to the dug-in hill (100 against 100: short of 3:1) does not wait
    there when the side's point of attack is elsewhere: the post of 10 next to the 2nd platoon
    (50 against 2.5 x 10), and it goes there; with no post it waits beside the hill."""
    g = game(MORE)
    put(g, RED, (6, 1))
    from engine.ai.planner import _point_of_attack, _view

    assert _point_of_attack(g.state, _view(g.state), 0) == g.state.board.resolve((3, 0))
    assert order_of(g, "red", RED).startswith("move red_coy")
    alone = game(MORE)
    put(alone, RED, (6, 1))
    put(alone, BLUE_POST, (8, 2))  # the post leaves: nothing else in contact
    put(alone, RED_2, (0, 0))
    assert order_of(alone, "red", RED) == "hold red_coy"


def test_a_held_place_is_reinforced_when_the_enemy_next_to_it_has_the_odds() -> None:
    from engine.ai.planner import _man_with, _view

    g = game(MORE)
    hill = g.state.board.resolve("east_hill")
    put(g, RED_2, (0, 2))  # out of the post's way
    put(g, RED, (6, 1))  # 100 next to 100 dug in: short of 3:1, the hill is manned enough
    assert _man_with(g.state, _view(g.state), 1, hill) == -1
    remove_men(g.state, BLUE, 70, "killed")  # 100 next to 30: the odds; the post goes
    assert _man_with(g.state, _view(g.state), 1, hill) == BLUE_POST
    assert order_of(g, "blue", BLUE_POST).startswith("move blue_post 16")


def test_adaptive_guns_fire_on_the_sides_point_of_attack() -> None:
    """Where the adaptive side's infantry masses to assault (its point of attack: the post of
    10 next to the 2nd platoon), its mortars fire on that hex rather than on the position it
    is ordered against; with no point of attack they fire on the position, as the plan's do.
    (At Furong the adaptive Japanese assaulted one hill at night while their guns shelled
    another part of the position, and were beaten off at no cost to the defenders.)"""
    g = game(MORE)
    put(g, RED, (6, 1))
    post = g.state.board.resolve((3, 0))
    aimed = f"bombard red_mortars {post}"
    assert order_of(g, "red", MORTARS).split()[:3] == aimed.split()
    alone = game(MORE)
    put(alone, BLUE_POST, (8, 2))  # nothing in contact: no point of attack
    put(alone, RED_2, (0, 0))
    assert order_of(alone, "red", MORTARS).split()[:3] != aimed.split()
    plan = game(MORE)
    put(plan, RED, (6, 1))
    assert order_of(plan, "red", MORTARS, "plan").split()[:3] != aimed.split()


# ------------------------------------------------------------- the enemy's minefields


def mined(hexes: str | None = "[east_hill]", density: float = 0.12, rounds: int = 2000) -> str:
    """metrics.yaml with a minefield of `density` mines a metre laid by blue (the side nearest
    it builds the works) on `hexes` (None: none), and red's mortars firing 200 rounds an hour a
    tube from a budget of `rounds` (so that they open a lane in a turn or two of the 8)."""
    field = f"  - {{kind: minefield, hexes: {hexes}, depth_m: 30, density_per_m: {density}}}\n"
    return (
        TEXT.replace(
            "level: prepared, strength: 10}\n",
            "level: prepared, strength: 10}\n" + (field if hexes else ""),
        )
        .replace("rounds_per_hour: 20", "rounds_per_hour: 200")
        .replace(
            "weapons: [{weapon: mortar, count: 4, ammo: 400}]",
            "weapons: [{weapon: mortar, count: 4}]",
        )
        .replace(
            "plans:\n",
            "ammunition:\n"
            f"  - {{side: red, weapons: [mortar], rounds: {rounds}, source: test}}\n"
            "plans:\n",
        )
    )


def assaults_by_turn(text: str, turns: int = 8) -> list[tuple[int, float, list[str]]]:
    """Red (100 men) next to the east hill, blue there cut to 30 (the odds are met): play the
    battle adaptive on both sides; each turn's (turn, lane on the hill before it, red's
    orders)."""
    g = game(text)
    put(g, RED, (6, 1))
    remove_men(g.state, BLUE, 70, "killed")
    hill = g.state.board.resolve("east_hill")
    ids = g.state.units.ids
    seen = []
    while not g.over and g.turn < turns:
        orders = g.computer_orders("red", "adaptive")
        seen.append((g.turn, float(g.state.works.lane[hill]), [o.text(ids) for o in orders]))
        g.apply_orders("red", orders)
        g.apply_orders("blue", g.computer_orders("blue", "adaptive"))
        g.end_turn()
    return seen


def test_the_rounds_to_open_a_lane_follow_the_bombardment_rules_exactly() -> None:
    """0.12 mines a metre: the lane is open at 1 - 0.1 / (0.12 x 1) = 1/6 of progress, which
    ln(6/5) x 8,660.25 m2 / (pi x 1 m2) rounds landing give, 0.6 of those fired."""
    import math

    from engine.ai.planner import _rounds_to_open

    g = game(mined())
    hill = g.state.board.resolve("east_hill")
    expected = math.log(1.2) * (100 * 100 * math.sqrt(3) / 2) / (math.pi * 0.6)
    assert _rounds_to_open(g.state, hill) == pytest.approx(expected, rel=1e-12)
    assert _rounds_to_open(g.state, hill) == pytest.approx(837.6595, abs=1e-3)
    g.state.works.lane[hill] = 1.0
    assert _rounds_to_open(g.state, hill) == 0.0
    assert _rounds_to_open(g.state, g.state.board.resolve("west_hill")) == 0.0  # no mines


@settings(deadline=None, max_examples=60)
@given(
    density=st.floats(0.11, 2.0),
    lane=st.floats(0.0, 0.9),
)
def test_the_rounds_to_open_a_lane_open_it_and_fewer_do_not(density: float, lane: float) -> None:
    """Landing `rounds_on_target_fraction` of `_rounds_to_open` rounds takes the lane to the
    rules' open lane (`lane_after`, `lane_is_open`); one in a hundred fewer does not."""
    from engine.ai.planner import _rounds_to_open
    from engine.rules.bombardment import lane_after, lane_is_open

    g = game(mined())
    s = g.state
    c = s.coefficients
    hill = s.board.resolve("east_hill")
    s.works.mine_density[hill] = density
    s.works.lane[hill] = lane
    fired = _rounds_to_open(s, hill)
    if fired == 0.0:
        assert lane_is_open(lane, density, c.lane_width_m, c.lane_open_mines_left)
        return

    def opened(landed: float) -> bool:
        after = lane_after(lane, landed, s.board.hex_area_m2, c.shell_clearing_radius_m)
        return lane_is_open(after, density, c.lane_width_m, c.lane_open_mines_left + 1e-9)

    assert opened(fired * c.rounds_on_target_fraction)
    assert not opened(0.99 * fired * c.rounds_on_target_fraction)


def test_the_adaptive_attacker_waits_for_a_lane_its_guns_can_open() -> None:
    """With the odds met beside a hill behind an unbreached minefield its mortars have the
    rounds to open (838 wanted, 2,000 in the budget), red holds while they fire on the hill as
    fast as the tubes fire (not the budget spread over the battle's turns), and assaults once
    the lane is open; without the minefield it assaults at once, as before, and the mortars'
    fire is rationed."""
    seen = assaults_by_turn(mined())
    first = next(k for k, (_, _, orders) in enumerate(seen) if "assault red_coy 16" in orders)
    assert first > 0
    for _, lane, orders in seen[:first]:
        assert lane < 1.0
        assert "hold red_coy" in orders
        assert "bombard red_mortars 16" in orders  # no ration: -1, as fast as they fire
    assert seen[first][1] == 1.0
    plain = assaults_by_turn(mined(None))
    assert "assault red_coy 16" in plain[0][2]
    assert "bombard red_mortars 16 250" in plain[0][2]  # 2,000 rounds over 8 turns


def test_an_adaptive_attacker_that_cannot_open_a_lane_does_not_wait_for_one() -> None:
    """The same minefield with 400 rounds in the budget (838 wanted) and no way round (the hill
    itself is mined): red goes in at once, as it did before it knew of minefields."""
    seen = assaults_by_turn(mined(rounds=400))
    assert "assault red_coy 16" in seen[0][2]


def test_the_adaptive_attacker_goes_round_a_minefield_rather_than_into_it() -> None:
    """Blue's minefield on the two hexes west of the hill that red's quickest way crosses: red
    closes and assaults from the north, and nobody walks into the mines; with no minefield it
    goes the quickest way, through (6,1)."""
    from engine.rules.engineering import MineStruck

    def walk(text: str) -> tuple[list[str], list]:
        g = game(text)
        put(g, RED, (5, 2))
        remove_men(g.state, BLUE, 70, "killed")
        board = g.state.board
        stood, events = [], []
        while not g.over and g.turn < 4:
            stood.append(board.label(int(g.state.units.hex[RED])))
            g.apply_orders("red", g.computer_orders("red", "adaptive"))
            g.apply_orders("blue", g.computer_orders("blue", "adaptive"))
            events += g.end_turn()
        return stood, events

    stood, events = walk(mined("[[6, 1], [6, 2]]"))
    assert "6,1" not in stood and "6,2" not in stood
    assert not [e for e in events if isinstance(e, MineStruck)]
    assert any(isinstance(e, Assaulted) and e.outcome == "taken" for e in events)
    stood, _ = walk(mined(None))
    assert stood[:2] == ["5,2", "6,1"]
