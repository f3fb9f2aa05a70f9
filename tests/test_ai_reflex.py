"""A plan's standing reflex (engine/ai/planner.py, `_standing_reflex`): a side following its
written plan keeps the place it must hold (its `hold` victory condition) manned, as the adaptive
player does, whatever the phases say. Before it, a plan side whose garrison broke left the place
empty (Furong: the 29-man battalion HQ alone on the summit routed under the night's mortar fire
and the adaptive Japanese walked in; docs/calibration.md).

The battle is tests/data/metrics.yaml (a red company and mortars west, a blue company dug in on
the east hill) with a blue outpost and a blue patrol added, and a written blue plan."""

from __future__ import annotations

from test_ai_adaptive import EXIT, TEXT, infantry, put, with_units
from test_ai_adaptive import order_of as adaptive_order_of

from engine.game import Game
from engine.rules.casualties import remove_men

RED, MORTARS, BLUE, POST, PATROL = 0, 1, 2, 3, 4  # unit numbers, in the file's order

PLAN = with_units(
    TEXT,
    infantry("blue_post", "Blue post", "blue", 40, 36, (8, 2)),
    infantry("blue_patrol", "Blue patrol", "blue", 40, 36, (5, 0)),
).replace(
    "  - {side: blue, rear: [8, 1]}\n",
    """  - side: blue
    rear: [8, 1]
    phases:
      - {id: garrison, name: the company holds the hill, start: 1945-05-21T08:00,
         units: [blue_coy], task: hold, objective: east_hill, fall_back_to: [8, 1]}
      - {id: outpost, name: the post holds the south-east corner, start: 1945-05-21T08:00,
         units: [blue_post], task: hold, objective: [8, 2]}
      - {id: patrol, name: the patrol goes west, start: 1945-05-21T08:00,
         units: [blue_patrol], task: move, objective: [2, 0]}
""",
)
HILL = 16  # east_hill, (7, 1)


def game(text: str = PLAN) -> Game:
    return Game.from_text(text, "reflex.yaml", 1)


def order_of(g: Game, side: str, unit: int, mode: str = "plan") -> str:
    return adaptive_order_of(g, side, unit, mode)


def test_the_written_plan_is_followed_while_the_place_is_manned() -> None:
    g = game()
    assert order_of(g, "blue", BLUE) == "hold blue_coy"
    assert order_of(g, "blue", POST) == "hold blue_post"
    assert order_of(g, "blue", PATROL).startswith("move blue_patrol 2")  # (2, 0): its march


def test_a_plan_side_mans_its_place_to_hold_when_the_garrison_breaks() -> None:
    """The old executor left the post at its post: `hold blue_post`."""
    g = game()
    g.state.units.routed[BLUE] = True
    assert order_of(g, "blue", POST) == f"move blue_post {HILL}"
    assert order_of(g, "blue", PATROL).startswith("move blue_patrol 2")  # one unit is enough


def test_a_spent_garrison_does_not_man_the_place() -> None:
    """A handful of shaken survivors (below ai_spent_strength) is not a garrison, in either
    mode: the plan's post goes; the adaptive side sends its nearest free unit too."""
    g = game()
    remove_men(g.state, BLUE, 75, "killed")  # 25 of 100 left: spent
    assert order_of(g, "blue", POST) == f"move blue_post {HILL}"
    assert order_of(g, "blue", POST, "adaptive").startswith(f"move blue_post {HILL}")
    able = game()
    remove_men(able.state, BLUE, 60, "killed")  # 40 left: still a garrison, no enemy near
    assert order_of(able, "blue", POST) == "hold blue_post"


def test_a_place_threatened_at_the_odds_is_reinforced() -> None:
    g = game()
    put(g, RED, (6, 1))  # 100 next to 100 dug in: short of 3:1
    assert order_of(g, "blue", POST) == "hold blue_post"
    remove_men(g.state, BLUE, 67, "killed")  # 100 next to 33 in works: 3:1
    assert order_of(g, "blue", POST) == f"move blue_post {HILL}"


def test_the_unit_sent_stays_while_the_place_needs_it() -> None:
    """Once on the hill the post does not march back to its old post while the garrison is
    still broken (the old executor would have sent it straight back); once the company is
    able again, it returns to its post."""
    g = game()
    g.state.units.routed[BLUE] = True
    put(g, POST, (7, 1))
    assert order_of(g, "blue", POST) == "hold blue_post"
    g.state.units.routed[BLUE] = False
    assert order_of(g, "blue", POST).startswith("move blue_post 26")  # (8, 2): back to its post


def test_a_unit_on_its_way_is_sent_only_when_no_holding_unit_is_free() -> None:
    g = game()
    g.state.units.routed[BLUE] = True
    put(g, PATROL, (6, 0))  # nearer the hill than the post
    assert order_of(g, "blue", POST) == f"move blue_post {HILL}"
    assert order_of(g, "blue", PATROL).startswith("move blue_patrol 2")
    put(g, RED, (8, 1))  # the post is now in contact: not free
    assert order_of(g, "blue", PATROL) == f"move blue_patrol {HILL}"


def test_the_garrisons_own_fall_back_is_not_overridden() -> None:
    """A unit whose phase is about the place keeps to it: outnumbered beyond its fall-back ratio
    the company falls back as written, and is not sent back to the hill by the reflex."""
    text = PLAN.replace("at: west_hill\n    morale: 1.0", "at: [6, 1]\n    morale: 1.0")
    g = game(text)
    remove_men(g.state, BLUE, 95, "killed")  # 5 left against 100 next to it
    assert order_of(g, "blue", BLUE).startswith("withdraw blue_coy")
    put(g, BLUE, (8, 1))  # fell back: the hill is empty, the post (free) goes, not the company
    put(g, RED, (0, 1))
    assert order_of(g, "blue", POST) == f"move blue_post {HILL}"
    assert order_of(g, "blue", BLUE) == f"move blue_coy {HILL}"  # its own hold: the phase's order


def test_the_reflex_does_not_retake_a_place_the_enemy_holds() -> None:
    g = game()
    put(g, BLUE, (8, 1))
    put(g, RED, (7, 1))
    assert order_of(g, "blue", POST) == "hold blue_post"


# An adaptive `destroy` side against an enemy that must get out (its `exit` condition): the
# red company and a red platoon must destroy the blue company, which must leave by the east edge.
RUN = (
    with_units(TEXT, infantry("red_2", "Red 2nd", "red", 50, 45, (8, 0)))
    .replace("    at: east_hill\n    posture: fortified\n", "    at: [5, 1]\n")
    .replace(
        "  - {side: blue, kind: hold, place: east_hill}\n"
        "  - {side: red, kind: capture, place: east_hill}\n",
        "  - {side: blue, kind: exit, place: east_edge, men: 50}\n"
        "  - {side: red, kind: destroy, fraction: 0.75, units: [blue_coy]}\n",
    )
    .replace(
        "    - {id: east_hill, name: {en: East hill}, hex: [7, 1]}\n",
        "    - {id: east_hill, name: {en: East hill}, hex: [7, 1]}\n"
        "    - {id: east_edge, name: {en: East edge}, hex: [8, 1]}\n",
    )
)
RED_2 = 3


def test_an_adaptive_destroy_side_bars_the_enemys_way_out() -> None:
    """The old `destroy` sent every unit after the nearest (broken first) enemy wherever it
    ran: the platoon east of the blue company closed on it from behind its way out. Now the
    platoon, which reaches the road east no later than the company does, holds the first hex
    of it it can (the east hill, two steps out), enough men (50) that the company's 100 lack
    2.5:1 to assault through; the red company attacks."""
    from engine.ai.planner import _block, _view

    g = game(RUN)
    hill = g.state.board.resolve("east_hill")
    assert _block(g.state, _view(g.state), 0) == (hill, frozenset({RED_2}))
    assert order_of(g, "red", RED_2, "adaptive") == f"move red_2 {HILL}"
    assert not order_of(g, "red", RED, "adaptive").startswith("move red_coy 16")
    g.state.units.routed[BLUE] = True  # a broken enemy has no way out to make: no block
    assert _block(g.state, _view(g.state), 0) == (-1, frozenset())


def test_no_block_against_an_enemy_that_need_not_get_out() -> None:
    from engine.ai.planner import _block, _view

    text = RUN.replace(
        "  - {side: blue, kind: exit, place: east_edge, men: 50}\n",
        "  - {side: blue, kind: hold, place: east_edge}\n",
    )
    g = game(text)
    assert _block(g.state, _view(g.state), 0) == (-1, frozenset())


def test_an_adaptive_side_that_must_hold_does_not_leave_even_overwhelmed() -> None:
    """The adaptive player gets out only when the side's objective is `exit`: a side that must
    hold stays in its works however outnumbered and shaken (no escape by default), while the
    same company with an `exit` objective and nobody in reach goes."""
    g = game()
    put(g, RED, (6, 1))
    put(g, MORTARS, (6, 2))
    remove_men(g.state, BLUE, 80, "killed")  # 20 left against 100 next to it
    g.state.units.morale[BLUE] = 0.25
    assert order_of(g, "blue", BLUE, "adaptive") == "hold blue_coy"
    leave = game(EXIT)  # the same battle, blue told to get out by the east edge
    assert order_of(leave, "blue", BLUE, "adaptive").startswith("withdraw blue_coy")


def test_a_unit_on_its_way_does_not_leave_the_place_empty() -> None:
    """The patrol marching west by the plan, standing on the hill when its garrison has broken,
    stays there (the relief battalion at Furong that crossed the summit and left it to a
    Japanese HQ of 24 men); with the company able again it goes on its way."""
    g = game()
    g.state.units.routed[BLUE] = True
    put(g, PATROL, (7, 1))
    assert order_of(g, "blue", PATROL) == "hold blue_patrol"
    g.state.units.routed[BLUE] = False
    assert order_of(g, "blue", PATROL).startswith("move blue_patrol 2")
