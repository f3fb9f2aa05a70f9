"""Issue 14, the window's flow (dummy video driver): the player's words in the log, the
animations and the result (names, places, "1 man", rows with units and labels that say what they
measure); the fog log frozen as it was told; the enemy's turn replayed step by step with the
camera following, R, the speed keys and fast-forward; quitting that asks and autosaves, the
autosave offered by the Load menu and `wargame play --load`, saves named by battle date and turn.
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from pathlib import Path

import pygame
import pytest
from test_ui import BATTLE
from window_driver import key, press, step

from engine.core.events import Assaulted, Bombarded, Fired, HexTaken, Routed, TurnEnded
from engine.core.orders import Bombard
from engine.narrative import Words, fire_summary, tell
from engine.rules.coefficients import coefficient_names
from engine.scenario import load_scenario
from engine.scenario.models import Metric
from engine.ui import anim
from engine.ui.app import App
from engine.ui.labels import historical_value, metric_label, metric_value
from engine.ui.screens import PlayScreen, ResultScreen, start_session
from engine.ui.screens.battle_log import log_html, log_lines, shown_filter
from engine.ui.session import (
    AUTOSAVE_PREFIX,
    Session,
    describe_save,
    latest_autosave,
    list_saves,
    save_name,
)


def play_to_the_result(app, play, frames: int) -> None:
    """Space ends the replay, End plays the battle on to its end at speed; wherever a turn
    waits for Space (an enemy turn's replay), give it, for at most `frames` frames or until the
    result screen shows."""
    key(app, pygame.K_SPACE)
    key(app, pygame.K_END)
    for _ in range(frames):
        if isinstance(app.screen, ResultScreen):
            break
        step(app)
        if play.fast is None and not play.player.done:
            key(app, pygame.K_SPACE)


def shell(turn: int, hit: int, at: str = "6,1") -> Bombarded:
    return Bombarded(turn, "red_guns", at, 6, {"blue_1": hit}, {}, 0.0, 0.0, 0.0)


def playing(app: App, session: Session) -> PlayScreen:
    start_session(app, session)
    step(app, 2)
    assert isinstance(app.screen, PlayScreen)
    return app.screen


# ------------------------------------------------------------------ problem 2: plain words
def test_log_lines_name_units_sides_and_places_and_count_one_man(battle) -> None:
    words = Words.of(battle.scenario)
    assert tell(shell(0, 1), words) == "Red mortars fires 6 rounds at The hill; 1 man hit"
    assert tell(shell(0, 2, "2,2"), words) == "Red mortars fires 6 rounds at 2,2; 2 men hit"
    taken = HexTaken(1, "6,1", "red", "hill")
    assert tell(taken, words) == "Red takes The hill (6,1)"
    assert tell(Routed(1, "blue_1", 0.1), words) == "Blue platoon ROUTS (morale 0.10)"
    assault = Assaulted(1, ("red_1",), ("blue_1",), "6,1", "red", "taken", {"melee": 1}, {}, {})
    assert tell(assault, words) == (
        "ASSAULT on The hill by Red platoon: taken (attackers lost 1, defenders 0)"
    )
    # a place the viewer is not shown (the other side's plan) is told by its hex alone
    hidden = Words.of(battle.scenario, frozenset({"hill"}))
    assert tell(taken, hidden) == "Red takes 6,1"
    # the explained detail keeps the ids, as files do
    detailed = Bombarded(
        0, "red_guns", "6,1", 6, {"blue_1": 1}, {}, 0.0, 0.0, 0.0,
        landed=3, rounds_by_class={"mortar": 6}, lethal_area_m2={"mortar": 250.0}, base=750.0,
        hex_area_m2=8660.0, men={"blue_1": 30}, expected={"blue_1": 0.8},
        exposure={"blue_1": {"posture": 0.5}},
    )  # fmt: skip
    text = tell(detailed, words, explain=True)
    assert text.startswith("Red mortars fires 6 rounds at The hill; 1 man hit")
    assert "on blue_1: 1 hit" in text
    # a turn's direct fire in one line: names and "men hit", never "-6" (the CLI keeps its form)
    volleys = [
        Fired(0, "red_1", "blue_1", "2,2", 3.0, {}, 1.0, 1, 0),
        Fired(0, "blue_1", "red_1", "6,1", 3.0, {}, 5.0, 4, 2),
    ]
    assert fire_summary(volleys, words) == "fire: Blue platoon 1 man hit, Red platoon 6 men hit"
    assert fire_summary(volleys) == "fire: blue_1 -1, red_1 -6"


def test_result_rows_say_what_they_measure_with_units(battle) -> None:
    scenario = battle.scenario
    held, left = scenario.history
    assert metric_label(held, scenario) == "The hill held by the Blue at the end"
    assert metric_label(left, scenario) == "the Blue: men left at the end"
    assert metric_value(left, 12.0, scenario) == "12 men"
    assert metric_value(left, 1.0, scenario) == "1 man"
    assert historical_value(left, scenario) == "10–30 men"
    assert metric_value(held, False, scenario) == "no"
    winner = held.model_copy(update={"metric": Metric.winner, "value": "blue"})
    assert metric_label(winner, scenario) == "who won"
    assert metric_value(winner, "red", scenario) == "Red"
    assert metric_value(winner, "draw", scenario) == "a draw"


def test_furong_result_rows_name_the_place_side_and_hour(app: App) -> None:
    """The row the issue found reading backwards now says whose loss it measures and when."""
    root = Path(__file__).resolve().parent.parent
    loaded = load_scenario(
        root / "scenarios/furong_mountain.yaml", coefficient_names=coefficient_names()
    )
    scenario = loaded.scenario
    east = next(e for e in scenario.history if e.id == "heights_lost_east")
    assert metric_label(east, scenario) == (
        "East Height lost by the Chinese Nationalist Army by 23 May 07:00"
    )
    rounds = next(e for e in scenario.history if e.id == "bombardment_rounds")
    assert historical_value(rounds, scenario) == "2,000–2,500 rounds"
    assert "22 May 00:00–12:00" in metric_label(rounds, scenario)
    # the result screen draws every row, the winner's name whole (wrapped, never cut)
    from engine.ui.screens.result import _wrap

    lines = _wrap("Imperial Japanese Army", 14, 120)
    assert " ".join(lines) == "Imperial Japanese Army" and len(lines) == 2
    # a time range too wide for its cell breaks at the dash, not inside a date
    span = "21 May 19:30 – 22 May 02:00"
    assert _wrap(span, 14, 130) == ["21 May 19:30 –", "22 May 02:00"]
    assert _wrap(span, 14, 400) == [span]


# ------------------------------------------------------------------ problem 3: the frozen log
def test_the_fog_log_keeps_what_was_seen_when_it_happened(battle, tmp_path: Path) -> None:
    session = Session(battle, seed=1, humans=(True, False), fog=True)
    hill = session.state.board.index(6, 1)
    session.give(Bombard(1, hill))  # Red's mortars on the hill, in sight by day
    session.finish_orders()
    session.end_turn()
    seen = log_html(session, 1, len(session.events), False)  # Blue, on the hill, saw it
    start = seen.index("Red mortars fires 40 rounds at The hill; ")
    line = seen[start : seen.index("<", start)]  # the men hit are the rules' draw
    shelling = next(e for e in session.events if isinstance(e, Bombarded))
    # Blue's eyes leave the hill: told as seen now, the line would vanish; it stays
    session.memory.visible_hexes[1][:] = False
    assert not shown_filter(session, 1)(shelling)
    assert line in log_html(session, 1, len(session.events), False)
    # and through a save and a load
    again = Session.load(session.save(tmp_path / "game.jsonl"))
    assert again.told == session.told
    again.memory.visible_hexes[1][:] = False
    assert line in log_html(again, 1, len(again.events), False)


def test_every_metric_type_has_words() -> None:
    """A metric type added to the scenario format without words here would stop the result
    screen with a KeyError (it did: men_surrounded and fell_back)."""
    from engine.scenario.models import Metric
    from engine.ui.labels import _COUNTS, metric_label

    special = {"winner", "position_held", "position_lost", "attack_repelled", "place_fell_at"}
    special |= {"crossed_by", "works_destroyed_fraction"}
    assert {m.value for m in Metric} <= special | set(_COUNTS)
    assert callable(metric_label)


def test_every_turn_leaves_a_log_line(battle) -> None:
    session = Session(battle, seed=1, humans=(True, True), fog=True)
    for _ in range(3):
        while session.side_to_order() is not None:
            session.finish_orders()
        session.end_turn()
    turns = [turn for turn, lines in log_lines(session, 0, len(session.events), False)]
    assert turns == [0, 1, 2]
    for _, lines in log_lines(session, 0, len(session.events), False):
        assert lines  # a quiet turn says so, with the side's men
    quiet = [
        line
        for _, lines in log_lines(session, 0, len(session.events), False)
        for line in lines
        if line.startswith("a quiet turn")
    ]
    assert all("Red" in line and "men" in line for line in quiet)


# ------------------------------------------------------------------ problem 6: the replay
def test_the_replay_goes_event_by_event_at_the_chosen_speed(battle) -> None:
    session = Session(battle, seed=1, humans=(True, False), fog=False)
    state = session.state
    hill = state.board.index(6, 1)
    events = [
        shell(0, 2),
        Assaulted(0, ("red_1",), ("blue_1",), "6,1", "red", "repelled", {"melee": 5}, {}, {}),
        Routed(0, "blue_1", 0.1),
        TurnEnded(0, "x", False, {}),
    ]
    phases = anim.phases_for(state, events, words=Words.of(battle.scenario))
    assert [p.caption for p in phases] == [
        "Red mortars fires 6 rounds at The hill; 2 men hit",
        "ASSAULT on The hill by Red platoon: repelled (attackers lost 5, defenders 0)",
        "Blue platoon ROUTS (morale 0.10)",
    ]
    assert [p.focus for p in phases] == [hill, hill, hill]
    player = anim.Player(phases, speed=2.0)
    player.update(0.6)  # 1.2 s of replay: the bombardment (1.3 s) still plays
    assert player.index == 0
    player.update(0.1)
    assert player.index == 1
    assert player.new_focus() == hill and player.new_focus() == -1  # once per step


def test_r_replays_the_last_turn_and_the_camera_follows(app: App, battle) -> None:
    session = Session(battle, seed=1, humans=(True, False), fog=False)
    play = playing(app, session)
    key(app, pygame.K_RETURN)  # end the turn: the computer's Blue and the rules
    assert session.state.turn == 1
    session.events.insert(-1, shell(0, 2))  # something to watch in the turn just played
    play.seen[0] = len(session.events)
    session.told[0] = {k: True for k in range(len(session.events))}
    play.view.zoom(3)
    play.view.cam = [-5000.0, -5000.0]  # looking at the far corner
    play.view.clamp()
    key(app, pygame.K_r)
    assert not play.player.done
    captions = [p.caption for p in play.player.phases]
    assert "Red mortars fires 6 rounds at The hill; 2 men hit" in captions
    key(app, pygame.K_RIGHTBRACKET)
    assert play.player.speed == anim.SPEEDS[anim.DEFAULT_SPEED + 1]
    while play.player.phase is not None and "The hill" not in play.player.phase.caption:
        step(app)
    step(app, 40)  # the camera glides to the hill
    hill = play.state.board.index(6, 1)
    assert play.view.rect.collidepoint(play.view.hex_center_on_screen(hill))
    key(app, pygame.K_SPACE)
    assert play.player.done


def test_fast_forward_keys(app: App, battle) -> None:
    session = Session(battle, seed=1, humans=(True, False), fog=True)
    play = playing(app, session)
    key(app, pygame.K_g)  # a turn is played in the same frame
    assert session.state.turn >= 1
    for _ in range(20):
        if not play.fast:
            break
        step(app)
    assert not play.fast and session.state.turn >= 1
    # it stopped because something happened to Red's units, or the battle ended
    assert session.finished or "Stopped" in play.message
    play_to_the_result(app, play, 30)
    assert session.finished and isinstance(app.screen, ResultScreen)
    # the autosave is the ended battle, not a turn before the end that would offer to go on
    auto = latest_autosave(app.save_dir)
    assert auto is not None
    again = Session.load(auto)
    assert again.finished and again.state.state_hash() == session.state.state_hash()


def test_fast_forward_is_refused_in_hot_seat(app: App, battle) -> None:
    session = Session(battle, seed=1, humans=(True, True), fog=True)
    start_session(app, session)
    key(app, pygame.K_RETURN)  # the hand-over
    play = app.screen
    key(app, pygame.K_g)
    assert play.fast is None and "hot-seat" in play.message
    assert session.state.turn == 0


# ------------------------------------------------------------------ problem 9: leaving
def test_quit_asks_then_autosaves_and_the_load_menu_offers_it(app: App, battle) -> None:
    session = Session(battle, seed=3, humans=(True, False), fog=True)
    play = playing(app, session)
    key(app, pygame.K_RETURN)
    key(app, pygame.K_SPACE)
    key(app, pygame.K_ESCAPE)
    press(app, "Quit")
    assert app.running and play.menu == "quit"  # asks first
    press(app, "Cancel")
    assert app.running and play.menu is None
    key(app, pygame.K_ESCAPE)
    press(app, "Quit")
    press(app, "Save and quit")
    assert not app.running
    auto = latest_autosave(app.save_dir)
    assert auto is not None and auto.name == f"{AUTOSAVE_PREFIX}ui_test.jsonl"
    assert describe_save(auto).startswith("Autosave: Window test battle, 21 May 1945 18:00, turn 2")
    again = Session.load(auto)
    assert again.state.state_hash() == session.state.state_hash()
    # the Load menu lists the autosave first
    (app.save_dir / "other.jsonl").write_text(auto.read_text(encoding="utf-8"), encoding="utf-8")
    assert list_saves(app.save_dir)[0] == auto


def test_closing_the_window_autosaves(app: App, battle) -> None:
    playing(app, Session(battle, seed=3, humans=(True, False)))
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    step(app)
    assert not app.running and latest_autosave(app.save_dir) is not None


def test_play_load_without_a_file_goes_on_with_the_autosave(monkeypatch, capsys, tmp_path) -> None:
    from engine.cli import main
    from engine.ui import commands

    seen = {}

    def fake_open(self, name, *args, **kwargs):
        seen["name"], seen["session"] = name, args[0]

    monkeypatch.setattr(App, "open", fake_open)
    monkeypatch.setattr(App, "run", lambda self: 0)
    assert main(["play", "--load", "--saves", str(tmp_path)]) == 1
    assert "no autosave" in capsys.readouterr().err
    assert commands.AUTOSAVE.name
    path = tmp_path / "ui_test.yaml"
    path.write_text(BATTLE, encoding="utf-8")
    session = Session(load_scenario(path, coefficient_names=coefficient_names()), seed=4)
    session.autosave(tmp_path)
    assert main(["play", "--load", "--saves", str(tmp_path)]) == 0
    assert seen["name"] == "game" and seen["session"].seed == 4


def test_saves_are_named_by_the_battles_date_and_turn(battle) -> None:
    session = Session(battle, seed=1, humans=(True, True))
    assert save_name(session).startswith("ui_test-1945-05-21-1700-turn001-")
    while not session.finished:
        while session.side_to_order() is not None:
            session.finish_orders()
        session.end_turn()
    name = save_name(session)
    assert name.startswith("ui_test-1945-05-21-2100-end-"), name  # 4 turns of an hour


def test_a_sides_own_air_strike_is_told_to_it_unseen(battle) -> None:
    from engine.core.events import AirStrike

    session = Session(battle, seed=1, humans=(True, False), fog=True)
    session.memory.visible_hexes[0][:] = False
    strike = AirStrike(0, "red", "7,4", 4, {"blue_1": 98}, {})
    assert shown_filter(session, 0)(strike)
    assert tell(strike, Words.of(battle.scenario)) == "4 Red aircraft strike 7,4: 98 men hit"


def test_orders_are_told_by_unit_and_place_names(battle) -> None:
    from engine.core.orders import Fire, Hold, Move
    from engine.ui.labels import order_words

    session = Session(battle, seed=1)
    state = session.state
    hill, h = state.board.index(6, 1), state.board.index(4, 3)
    assert order_words(Fire(0, hill), state) == "Red platoon — fire at The hill"
    assert order_words(Move(0, h), state) == "Red platoon — move to 4,3"
    assert order_words(Bombard(1, hill, 40), state) == "Red mortars — bombard The hill, 40 rounds"
    assert order_words(Hold(0), state) == "Red platoon — hold"
    assert order_words(Fire(0, hill), state, frozenset({"hill"})) == "Red platoon — fire at 6,1"
    from engine.ui.labels import weapon_words

    assert weapon_words(state, "mortar") == "Mortar"  # the panel's gun line, not its id


# ------------------------------------------------------------------ screenshots (docs/img)
@pytest.mark.parametrize(
    "size",
    [(1024, 640), (1920, 1080)]
    if os.environ.get("WARGAME_SCREENSHOTS") == "docs"
    else [(1024, 640)],
)
def test_screenshots_of_an_enemy_turn_replay_and_the_result(size, tmp_path: Path) -> None:
    """Furong as the Chinese against the computer, fast-forwarded (G) until the enemy assaults:
    a frame of that replay, then End to the result screen. With WARGAME_SCREENSHOTS=docs both
    sizes are written to docs/img/ (replay_WxH.png, result_WxH.png)."""
    root = Path(__file__).resolve().parent.parent
    folder = root / "docs" / "img" if os.environ.get("WARGAME_SCREENSHOTS") == "docs" else tmp_path
    loaded = load_scenario(
        root / "scenarios/furong_mountain.yaml", coefficient_names=coefficient_names()
    )
    app = App(size, save_dir=tmp_path / "saves")
    session = Session(loaded, seed=7, humans=(True, False), fog=True)
    play = playing(app, session)
    assault = None
    for _ in range(60):
        key(app, pygame.K_SPACE)
        key(app, pygame.K_g)
        step(app)
        captions = [p.caption for p in play.player.phases]
        assault = next((k for k, c in enumerate(captions) if c.startswith("ASSAULT")), None)
        if (assault is not None and not play.player.done) or session.finished:
            break
    assert assault is not None, "no assault seen"
    play.player.index, play.player.t = assault, 0.6
    step(app, 30)  # the camera glides to it (the step held at the same moment)
    play.player.index, play.player.t = assault, 0.6
    step(app)
    assert play.player.phase.caption.startswith("ASSAULT")
    h = play.player.phase.focus
    assert play.view.rect.collidepoint(play.view.hex_center_on_screen(h))
    pygame.image.save(app.window, str(folder / f"replay_{size[0]}x{size[1]}.png"))
    play_to_the_result(app, play, 120)
    assert isinstance(app.screen, ResultScreen)
    step(app)
    pygame.image.save(app.window, str(folder / f"result_{size[0]}x{size[1]}.png"))
    app.manager.clear_and_reset()


def test_each_turn_ends_with_an_autosave(app: App, battle) -> None:
    session = Session(battle, seed=2, humans=(True, False), fog=True)
    playing(app, session)
    assert latest_autosave(app.save_dir) is None
    key(app, pygame.K_RETURN)
    auto = latest_autosave(app.save_dir)
    assert auto is not None
    assert Session.load(auto).state.state_hash() == session.state.state_hash()


def test_the_moves_step_looks_at_the_enemys_move(battle) -> None:
    from engine.core.events import Moved

    session = Session(battle, seed=1)
    state = session.state
    moves = [Moved(0, "red_1", ("4,1", "4,2")), Moved(0, "blue_1", ("6,1", "7,1"))]
    (step_,) = anim.phases_for(state, moves, own=frozenset({"red_1", "red_guns"}))
    assert step_.focus == state.board.index(7, 1) and step_.caption == "2 unit(s) move"
    (step_,) = anim.phases_for(state, moves, own=frozenset({"blue_1"}))
    assert step_.focus == state.board.index(4, 2)


def test_the_log_opens_on_the_newest_turn(battle) -> None:
    session = Session(battle, seed=1, humans=(True, False), fog=True)
    for _ in range(3):
        session.finish_orders()
        session.end_turn()
    text = log_html(session, 0, len(session.events), False)
    assert text.index("<b>Turn 3</b>") < text.index("<b>Turn 2</b>") < text.index("<b>Turn 1</b>")


def test_the_scenario_list_offers_to_continue_the_autosave(app: App, battle, tmp_path) -> None:
    from engine.ui.screens.scenario_list import ScenarioListScreen

    session = Session(battle, seed=6, humans=(True, False))
    session.finish_orders()
    session.end_turn()
    session.autosave(app.save_dir)
    app.show(ScenarioListScreen(app, []))
    step(app)
    press(app, "Continue: Window test battle, 21 May 1945 18:00, turn 2 of 4")
    assert isinstance(app.screen, PlayScreen)
    assert app.screen.session.state.state_hash() == session.state.state_hash()
