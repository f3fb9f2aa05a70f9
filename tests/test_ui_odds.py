"""The previews equal the rules: for fire, bombardment and assault the preview's expected value
is the mean of many resolutions of the same order by the rules' own turn, within its confidence
interval (fire discipline, empty magazines and the men in the target hex now included); orders
that could have no effect are refused with the reason; the previews never touch the game.
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from pathlib import Path

import numpy as np
import pygame
import pygame_gui
import pytest
from window_driver import click, key, step

from engine.core.events import Assaulted, Bombarded, Fired
from engine.core.orders import Assault, Bombard, Fire
from engine.rules.coefficients import coefficient_names
from engine.rules.turn import coefficients_of, end_turn
from engine.scenario import load_scenario
from engine.ui import odds
from engine.ui.app import App
from engine.ui.screens import PlayScreen
from engine.ui.session import Session

# Red's platoon two hexes from Blue's on a hill behind a minefield and wire; Red's mortars.
BATTLE = """\
format_version: 1
id: odds_test
title: {en: Odds test battle}
scale: tactical
sources:
  - {id: test, title: Made up for the odds tests}
briefing:
  summary: A platoon, mortars and a hill.
  situation: Red must take the hill from Blue.
  aims: {red: Take the hill., blue: Hold the hill.}
  historical_note: None; a test.
clock:
  start: 1945-05-21T15:00
  turn_minutes: 60
  turns: 6
  darkness: {starts: "19:00", ends: "05:00"}
map:
  hex_size_m: 100
  width: 8
  height: 5
  legend: {".": open, "^": hill}
  terrain: |
    ......^^
    .....^^^
    ......^^
    ......^^
    ......^^
  places:
    - {id: hill, name: {en: The hill}, hex: [6, 1]}
terrain:
  open: {name: {en: Open}, color: "#c8c07a"}
  hill: {name: {en: Hill}, color: "#b5a86a", speed_factor: 0.5, cover: 0.7}
sides:
  - {id: red, name: {en: Red}, color: "#b03030"}
  - {id: blue, name: {en: Blue}, color: "#3050b0"}
weapons:
  rifle: {name: {en: Rifle}, kind: small_arms, range_m: 400, rounds_per_hour: 30}
  mortar: {name: {en: Mortar}, kind: mortar, range_m: 1500, min_range_m: 100,
           indirect: true, rounds_per_hour: 20}
units:
  - id: red_1
    name: {en: Red platoon}
    side: red
    type: infantry
    men: 120
    weapons: [{weapon: rifle, count: 100, ammo: 30000}]
    at: [4, 1]
  - id: red_guns
    name: {en: Red mortars}
    side: red
    type: mortar
    men: 12
    weapons: [{weapon: mortar, count: 4, ammo: 200}]
    at: [1, 2]
  - id: blue_1
    name: {en: Blue platoon}
    side: blue
    type: infantry
    men: 60
    weapons: [{weapon: rifle, count: 50}]
    at: hill
    posture: hasty
obstacles:
  - {kind: minefield, hexes: [[5, 1]], depth_m: 30, density_per_m: 0.3}
  - {kind: wire, hexes: [[5, 1]], lines: 2}
victory:
  - {side: blue, kind: hold, place: hill}
  - {side: red, kind: capture, place: hill}
"""

RESOLUTIONS = 400  # resolutions of each order by the rules' turn
Z = 4.0  # how many standard errors apart a preview and the mean of its resolutions may be


@pytest.fixture
def battle(tmp_path: Path):
    path = tmp_path / "odds_test.yaml"
    path.write_text(BATTLE, encoding="utf-8")
    return load_scenario(path, coefficient_names=coefficient_names())


def resolutions(state, orders, read) -> np.ndarray:
    """`read(events)` of the rules' whole turn with `orders`, on `RESOLUTIONS` copies of the
    game that differ only in their random generator."""
    return np.array(
        [
            read(end_turn(odds.clone_state(state, 10_000 + k), list(orders)))
            for k in range(RESOLUTIONS)
        ],
        dtype=float,
    )


def assert_within(preview: float, preview_error: float, drawn: np.ndarray) -> None:
    error = math.hypot(preview_error, drawn.std(ddof=1) / math.sqrt(len(drawn)))
    assert abs(drawn.mean() - preview) <= Z * max(error, 1e-9), (preview, drawn.mean(), error)


def hits_of(unit_id: str):
    def read(events) -> int:
        return sum(
            e.killed + e.wounded for e in events if isinstance(e, Fired) and e.unit == unit_id
        )

    return read


@pytest.mark.parametrize(("ammo", "turn"), [(30000.0, 0), (400.0, 0), (30000.0, 4)])
def test_fire_preview_is_the_mean_of_the_rules_fire(battle, ammo: float, turn: int) -> None:
    """Full magazines, short ones (fire discipline: a share of the volume, a shorter reach),
    and at night (a reach of one hex: the platoon moves next to the hill)."""
    state = Session(battle, seed=3, humans=(True, True)).state
    state.units.ammo[0] = ammo
    state.turn = turn
    if state.is_night():
        assert "out of reach" in odds.fire_odds(state, 0, 2).headline
        state.units.hex[0] = state.board.index(5, 1)
    hill = state.board.index(6, 1)
    before = state.state_hash()
    preview = odds.fire_odds(state, 0, 2)
    assert state.state_hash() == before
    assert preview.possible and preview.expected > 0 and preview.error == 0
    named = dict(preview.factors)
    assert ("fire discipline" in named) == (ammo < 30000)
    assert ("night" in named) == (turn == 4)
    drawn = resolutions(state, [Fire(0, hill)], hits_of("red_1"))
    assert_within(preview.expected, 0.0, drawn)


def test_fire_preview_with_empty_magazines_promises_nothing_and_the_order_is_refused(
    battle,
) -> None:
    state = Session(battle, seed=3, humans=(True, True)).state
    state.units.ammo[0] = 0.0
    hill = state.board.index(6, 1)
    preview = odds.fire_odds(state, 0, 2)
    assert not preview.possible and preview.expected == 0
    assert "no rounds" in preview.headline
    assert not resolutions(state, [Fire(0, hill)], hits_of("red_1")).any()


def bombard_hits(events) -> int:
    return sum(sum(e.casualties.values()) for e in events if isinstance(e, Bombarded))


@pytest.mark.parametrize("turn", [0, 4])
def test_bombard_preview_is_the_mean_of_the_rules_bombardment_on_what_is_there_now(
    battle, turn: int
) -> None:
    state = Session(battle, seed=3, humans=(True, True)).state
    state.turn = turn  # 4: at night
    hill = state.board.index(6, 1)
    preview = odds.bombard_odds(state, 1, hill)
    assert preview.possible and preview.expected > 0
    assert preview.headline.startswith("strikes the hex")
    assert any(name.startswith("Blue platoon") for name, _ in preview.factors)
    assert preview.rounds == 80  # 4 tubes × 20 rounds an hour × 1 hour
    assert ("night" in dict(preview.factors)) == state.is_night()
    drawn = resolutions(state, [Bombard(1, hill)], bombard_hits)
    assert_within(preview.expected, 0.0, drawn)
    # The blue platoon leaves the hill: the same order hits nobody, and the preview says so.
    state.units.hex[2] = state.board.index(7, 4)
    empty = odds.bombard_odds(state, 1, hill)
    assert empty.expected == 0 and "no enemy" in empty.headline


def test_bombard_preview_refuses_spent_tubes(battle) -> None:
    state = Session(battle, seed=3, humans=(True, True)).state
    for weapon in state.units.indirect[1]:
        weapon.own_rounds = 0.0
    shelling = odds.bombard_odds(state, 1, state.board.index(6, 1))
    assert not shelling.possible and "no rounds" in shelling.headline


def test_assault_preview_is_the_mean_of_the_rules_assault(battle) -> None:
    """Both sides' magazines empty, so the turn's direct fire before the assault hits nobody and
    the turn's assault starts from the state the preview starts from."""
    state = Session(battle, seed=3, humans=(True, True)).state
    u = state.units
    start = state.board.index(5, 1)
    hill = state.board.index(6, 1)
    u.hex[0] = start
    u.ammo[0] = u.ammo[2] = 0.0
    before = state.state_hash()
    trials = odds.AssaultTrials(state, [0], hill, trials=400)
    trials.advance()
    preview = trials.odds()
    assert state.state_hash() == before
    assert preview.done and preview.possible and preview.expected > 0
    drawn = resolutions(
        state,
        [Assault(0, hill)],
        lambda events: next(
            (
                e.outcome == "taken",
                sum(e.attacker_losses.values()),
                sum(e.defender_losses.values()),
            )
            for e in events
            if isinstance(e, Assaulted)
        ),
    )
    assert_within(preview.taken, math.sqrt(preview.taken * (1 - preview.taken) / 400), drawn[:, 0])
    assert_within(preview.expected, preview.error, drawn[:, 1])
    assert_within(preview.defenders_lost, preview.defenders_error, drawn[:, 2])


def test_assault_preview_refuses_a_hex_not_next_to_the_unit(battle) -> None:
    state = Session(battle, seed=3, humans=(True, True)).state
    refused = odds.assault_odds(state, [0], state.board.index(6, 1))
    assert not refused.possible and refused.headline.startswith("2 hexes away")


def test_the_scratch_copy_is_put_back_as_the_game_is(battle) -> None:
    state = Session(battle, seed=3, humans=(True, True)).state
    state.units.hex[0] = state.board.index(5, 1)
    scratch = odds.Scratch(state)
    c = coefficients_of(state)
    for _ in range(3):
        copy_ = scratch.reset()
        odds.resolve_assault(copy_, state.board.index(6, 1), [0], c, [])
        odds.bombard(copy_, 1, state.board.index(6, 1), c, [], -1)
    copy_ = scratch.reset()
    copy_.dice = state.dice
    assert copy_.state_hash() == state.state_hash()


# ------------------------------------------------------------------------------ the window


@pytest.fixture
def play(tmp_path: Path, battle):
    app = App((1280, 720), save_dir=tmp_path / "saves")
    session = Session(battle, seed=3, humans=(True, True))
    screen = PlayScreen(app, session)
    app.show(screen)
    screen.begin_orders()
    step(app, 2)
    yield screen
    app.manager.clear_and_reset()


def hover(play: PlayScreen, col: int, row: int) -> None:
    pos = play.view.hex_center_on_screen(play.state.board.index(col, row))
    pygame.event.post(
        pygame.event.Event(
            pygame.MOUSEMOTION, pos=tuple(map(int, pos)), rel=(0, 0), buttons=(0, 0, 0)
        )
    )
    step(play.app)


def test_the_window_previews_the_order_a_click_gives_and_refuses_useless_ones(play) -> None:
    app, state = play.app, play.state
    board = state.board
    hill = board.index(6, 1)
    play.select(0)
    hover(play, 6, 1)
    shown = play.hover_odds()[-1]
    assert (
        shown.title.startswith("Fire on") and shown.expected == odds.fire_odds(state, 0, 2).expected
    )
    # Assault mode, a hex two away: refused, with the reason, and no fire odds offered.
    key(app, pygame.K_a)
    assert play.mode == "assault"
    hover(play, 6, 1)
    refused = play.hover_odds()[-1]
    assert not refused.possible and "2 hexes away" in refused.headline
    click(app, play.view.hex_center_on_screen(hill))
    assert 0 not in play.session.pending and "2 hexes away" in play.message
    # Fire at an enemy out of reach, by the fire mode or by a plain click: refused, and why.
    play.set_mode(None)
    state.units.hex[0] = board.index(1, 4)
    play.view.invalidate()
    play.select(0)
    play.set_mode("fire")
    click(app, play.view.hex_center_on_screen(hill))
    assert 0 not in play.session.pending and "Fire: out of reach" in play.message
    play.set_mode(None)
    click(app, play.view.hex_center_on_screen(hill))
    assert 0 not in play.session.pending and "Fire: out of reach" in play.message
    # No rounds left: the fire mode itself is refused, and so is a click.
    state.units.hex[0] = board.index(4, 1)
    state.units.ammo[0] = 0.0
    play.set_mode("fire")
    assert play.mode is None and "no rounds" in play.message
    play.select(0)
    click(app, play.view.hex_center_on_screen(hill))
    assert 0 not in play.session.pending and "no rounds" in play.message


def test_assault_preview_runs_in_slices_and_ends_complete(play) -> None:
    state = play.state
    state.units.hex[0] = state.board.index(5, 1)
    play.view.invalidate()
    play.select(0)
    hover(play, 6, 1)
    first = play.hover_odds()[-1]
    assert first.title.startswith("Assault")
    for _ in range(400):
        step(play.app)
        if play.hover_odds()[-1].done:
            break
    final = play.hover_odds()[-1]
    assert final.done and final.taken is not None and "of 200 tries" in final.headline


def test_spent_guns_light_no_targets_and_take_no_bombard_order(play) -> None:
    state = play.state
    play.select(1)
    assert state.board.index(6, 1) in play.highlights().bombard_targets
    for weapon in state.units.indirect[1]:
        weapon.own_rounds = 0.0
    assert not play.highlights().bombard_targets
    click(play.app, play.view.hex_center_on_screen(state.board.index(6, 1)))
    assert 1 not in play.session.pending


# ------------------------------------------------------------- weapons, stacks and the hex box


def test_the_unit_box_gives_each_weapon_its_rounds_and_what_the_order_spends(play) -> None:
    state = play.state
    hill = state.board.index(6, 1)
    text = play.panel.unit_text(1)
    assert "4× Mortar to 1,500 m:" in text and "200 rounds" in text
    play.session.give(Bombard(1, hill))
    text = play.panel.unit_text(1)
    assert "Order: Red mortars — bombard The hill (fires 80 rounds)" in text
    rifles = play.panel.unit_text(0)
    assert "100× Rifle to 400 m" in rifles and "30,000 rounds" in rifles
    play.session.give(Fire(0, hill))
    spent = odds.fire_odds(state, 0, 2).rounds
    assert f"(spends {spent:,.0f} rounds)" in play.panel.unit_text(0)
    for weapon in state.units.indirect[1]:
        weapon.own_rounds = 0.0
    assert "#e08060>0 rounds" in play.panel.unit_text(1)  # none left: in the warning colour


def test_a_stack_is_listed_and_any_of_its_units_selected_by_its_link(play) -> None:
    state = play.state
    here = state.board.index(4, 1)
    state.units.hex[1] = here
    play.select(0)
    text = play.panel.unit_text(0)
    assert "In this hex (2 units):" in text and "<a href='unit:1'>Red mortars: 12 men</a>" in text
    assert "<a href='unit:1'>" in play.panel.hex_text(here)
    pygame.event.post(pygame.event.Event(pygame_gui.UI_TEXT_BOX_LINK_CLICKED, link_target="unit:1"))
    step(play.app)
    assert play.selected == 1
    # An enemy's name is told, never a link.
    assert "<a href='unit:2'>" not in play.panel.hex_text(state.board.index(6, 1))


def test_the_hex_box_stays_when_the_mouse_leaves_the_map_and_tells_the_last_sighting(
    tmp_path, battle
) -> None:
    app = App((1280, 720), save_dir=tmp_path / "saves")
    session = Session(battle, seed=3, humans=(True, False), fog=True)
    play = PlayScreen(app, session)
    app.show(play)
    play.begin_orders()
    step(app, 2)
    state, board = play.state, play.state.board
    hill = board.index(6, 1)
    hover(play, 6, 1)
    assert "The hill" in play.panel.hex_box.html_text
    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=(1270, 300), rel=(0, 0), buttons=(0, 0, 0))
    )
    step(app)
    assert play.hover == -1 and "The hill" in play.panel.hex_box.html_text
    # Night, Red far off: Blue out of sight; its last sighting is told with no unit selected.
    state.units.hex[0] = board.index(0, 4)
    state.units.hex[1] = board.index(0, 3)
    state.turn = 4
    assert state.is_night()
    session.look()
    assert 2 not in session.visible_units(0)
    play.select(None)
    text = play.panel.hex_text(hill)
    assert "Last seen: Blue platoon, 60 men, 4 turns ago" in text
    app.manager.clear_and_reset()


def test_binomial_pmf_is_exact() -> None:
    for n, p in ((0, 0.5), (1, 0.3), (7, 0.6), (40, 0.05)):
        want = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
        assert np.allclose(odds.binomial_pmf(n, p), want, rtol=1e-12, atol=1e-300)
    assert odds.binomial_pmf(3, 1.0).tolist() == [0, 0, 0, 1]
    assert odds.binomial_pmf(2000, 0.6).sum() == pytest.approx(1.0)


def test_previews_tell_nothing_of_units_the_side_cannot_see(battle) -> None:
    state = Session(battle, seed=3, humans=(True, True)).state
    hill = state.board.index(6, 1)
    shelling = odds.bombard_odds(state, 1, hill, hidden=[2])
    assert shelling.expected == 0 and not any("Blue" in name for name, _ in shelling.factors)
    assert odds.fire_event(state, 0, hill, hidden=[2])[0] is None
    state.units.hex[0] = state.board.index(5, 1)
    assert "no enemy there" in odds.assault_odds(state, [0], hill, hidden=[2]).headline


def test_no_preview_ever_changes_the_game_or_its_dice(battle) -> None:
    """Every unit's every preview at every hex of the map, and refusals only with a reason."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    state = Session(battle, seed=3, humans=(True, True)).state
    board = state.board

    @settings(max_examples=60, deadline=None)
    @given(st.integers(0, 2), st.integers(0, board.size - 1), st.integers(0, board.size - 1))
    def check(unit: int, at: int, h: int) -> None:
        state.units.hex[unit] = at
        before, dice = state.state_hash(), state.dice.fingerprint()
        shown = [
            odds.fire_odds(state, unit, 2 if unit != 2 else 0),
            odds.bombard_odds(state, unit, h, trials=2),
            odds.assault_odds(state, [unit], h, trials=3),
        ]
        assert state.state_hash() == before and state.dice.fingerprint() == dice
        for preview in shown:
            assert preview.headline
            assert preview.expected is None or preview.expected >= 0
            if not preview.possible:
                assert preview.expected in (None, 0.0)

    check()


def test_the_unit_box_tells_what_a_unit_fires_by_itself_if_it_stays(play) -> None:
    state = play.state
    fired = next(
        e
        for e in end_turn(odds.clone_state(state, 1), [])
        if isinstance(e, Fired) and e.unit == "red_1"
    )
    text = play.panel.unit_text(0)
    assert f"Staying, it fires at Blue platoon: expected {odds.men(fired.expected)} hit" in text
    state.units.hex[0] = state.board.index(0, 4)  # out of reach
    play.panel._unit_text_key = None
    assert "no enemy in reach and sight" in play.panel.unit_text(0)


def test_a_preview_names_its_hex_as_the_map_does_and_keeps_the_enemy_plan_unnamed() -> None:
    """The odds' titles name a hex with labels.hex_words (one naming helper for the window):
    the place's name, but "col,row" for a place of the other side's plan the viewer may not
    know (Furong: the Japanese assembly area, under fog, to the Chinese)."""
    root = Path(__file__).resolve().parent.parent
    furong = load_scenario(
        root / "scenarios" / "furong_mountain.yaml", coefficient_names=coefficient_names()
    )
    session = Session(furong, seed=1, humans=(True, False), fog=True)
    state = session.state
    hidden = session.hidden_places()
    assembly = state.board.places["ija_assembly"]
    assert "ija_assembly" in hidden and state.board.label(assembly) == "31,12"
    gun = state.units.ids.index("roc_bn_hq")
    told = odds.bombard_odds(state, gun, assembly, trials=1, places=hidden)
    assert told.title == "Bombard 31,12"
    assert odds.bombard_odds(state, gun, assembly, trials=1).title == (
        "Bombard Japanese assembly area"
    )
    lion = state.board.places["lion_mountain"]  # not of the enemy's plan: named
    assert odds.bombard_odds(state, gun, lion, trials=1, places=hidden).title == (
        "Bombard Lion Mountain"
    )
    # and in the window: the mortars' preview over the assembly area, as the Chinese see it
    app = App((1280, 720))
    play = PlayScreen(app, session)
    app.show(play)
    play.begin_orders()
    play.select(gun)
    play.view.center_on(assembly)
    step(app)
    x, y = play.view.hex_center_on_screen(assembly)
    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=(int(x), int(y)), rel=(0, 0), buttons=(0,) * 3)
    )
    step(app, 2)
    assert play.hover == assembly
    assert [item.title for item in play.hover_odds()] == ["Bombard 31,12"]
    app.manager.clear_and_reset()
