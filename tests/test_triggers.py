"""Plan phases that begin and end on triggers (tests/data/triggers.yaml), end to end through Game,
and the validator's located errors for bad triggers."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from engine.game import Game

DATA = Path(__file__).parent / "data"
TEXT = (DATA / "triggers.yaml").read_text(encoding="utf-8")


def play(text: str, seed: int = 1, turns: int | None = None, game: Game | None = None):
    """Play with the computer on both sides; each unit's hex label at the start of each turn."""
    g = game or Game.from_text(text, seed=seed)
    ids = g.state.units.ids
    seen: list[dict[str, str]] = []
    while not g.over and (turns is None or len(seen) < turns):
        u = g.state.units
        seen.append({ids[i]: g.state.board.label(int(u.hex[i])) for i in range(u.count)})
        for side in g.sides_to_order():
            g.apply_orders(side, g.computer_orders(side))
        g.end_turn()
    return g, seen


def column(seen: list[dict[str, str]], unit: str) -> list[str]:
    return [turn[unit] for turn in seen]


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"fixture text {old!r} not found once"
    return text.replace(old, new)


def test_phase_starts_when_the_place_is_taken() -> None:
    _, seen = play(TEXT)
    # the scouts take the post in turn 0; the 2nd platoon waits until then, and moves in turn 1
    assert column(seen, "red_scout")[:2] == ["0,1", "2,1"]
    assert column(seen, "red_2") == ["0,0", "0,0"] + ["4,0"] * 8
    # two hours after the 2nd platoon's phase began (boundary 1): boundary 3
    assert column(seen, "red_3") == ["0,2"] * 4 + ["4,0"] * 6


def test_phase_does_not_start_when_the_place_is_not_taken() -> None:
    text = changed(TEXT, "objective: post\n", "objective: camp\n")
    _, seen = play(text)
    assert set(column(seen, "red_2")) == {"0,0"}
    assert set(column(seen, "red_3")) == {"0,2"}  # it waits on a phase that never begins


def test_end_trigger_fired_before_the_start_means_the_phase_never_acts() -> None:
    text = changed(TEXT, "{lost: camp}", "{taken: post}")
    _, seen = play(text)
    assert set(column(seen, "red_3")) == {"0,2"}


def test_all_waits_for_the_last_and_any_for_the_first() -> None:
    both = "start_when: {all: [{taken: post}, {after: {phase: scout, hours: 4}}]}"
    _, seen = play(changed(TEXT, "start_when: {taken: post}", both))
    assert column(seen, "red_2")[:6] == ["0,0"] * 5 + ["4,0"]  # scout began at 0: boundary 4
    either = "start_when: {any: [{taken: ford}, {after: {phase: scout, hours: 0}}]}"
    _, seen = play(changed(TEXT, "start_when: {taken: post}", either))
    assert column(seen, "red_2")[:2] == ["0,0", "4,0"]  # at once


def test_start_time_is_the_earliest_a_triggered_phase_begins() -> None:
    text = changed(
        TEXT,
        "start_when: {taken: post}",
        "start: 1945-05-21T11:00\n        start_when: {taken: post}",
    )
    _, seen = play(text)
    assert column(seen, "red_2")[:7] == ["0,0"] * 6 + ["4,0"]


def test_strength_and_arrival_triggers() -> None:
    # the 3rd platoon stops when red's own strength (of the scouts) falls below all of it: never,
    # so it goes; with blue's arrival as the end, blue_1 is on the map from the start: never acts
    text = changed(TEXT, "{lost: camp}", "{strength_below: {units: [red_scout], share: 0.5}}")
    _, seen = play(text)
    assert column(seen, "red_3")[-1] == "4,0"
    text = changed(TEXT, "{lost: camp}", "{arrived: blue_1}")
    _, seen = play(text)
    assert set(column(seen, "red_3")) == {"0,2"}


def test_routed_trigger_fires_at_the_end_of_the_turn_the_unit_routed() -> None:
    """A rout during a turn is recorded at that turn's end, also when nobody asks the computer
    player for orders then, and the unit's rallying afterwards does not undo the phase."""
    from engine.ai.planner import _phases

    text = changed(TEXT, "start_when: {taken: post}", "start_when: {routed: enemy}")
    g, seen = play(text, turns=2)
    assert set(column(seen, "red_2")) == {"0,0"}
    u = g.state.units
    blue_1, red_2 = g.unit_index("blue_1"), g.unit_index("red_2")
    ids = u.ids
    # turn 2: red's orders are given by hand; blue_1 routs in the turn (as the morale rule
    # would: its morale below the rout threshold, too low to rally at once)
    g.apply_orders("red", [f"hold {ids[i]}" for i in range(u.count) if u.side[i] == 0])
    g.apply_orders("blue", g.computer_orders("blue"))
    u.routed[blue_1], u.morale[blue_1] = True, 0.05
    g.end_turn()
    assert g.state.first_routed[blue_1] == 3  # the boundary at the end of turn 2
    u.routed[blue_1] = False  # it rallies before anyone asks
    orders = [o.text(ids) for o in g.computer_orders("red") if o.unit == red_2]
    assert orders == ["move red_2 4"]
    phase = next(p for p in _phases(g.state, 0) if p.id == "to_the_ford")
    assert phase.start == 3


def test_routed_trigger_does_not_fire_without_a_rout() -> None:
    text = changed(TEXT, "start_when: {taken: post}", "start_when: {routed: enemy}")
    g, seen = play(text)
    assert set(column(seen, "red_2")) == {"0,0"}
    assert (g.state.first_routed == -1).all()


def test_save_and_load_keep_the_triggered_phases(tmp_path: Path) -> None:
    path = tmp_path / "triggers.yaml"
    path.write_text(TEXT, encoding="utf-8")
    whole = Game.load(path, seed=3)
    _, seen_whole = play(TEXT, game=whole)
    part = Game.load(path, seed=3)
    _, seen_first = play(TEXT, game=part, turns=3)  # the post is taken before the save
    save = part.save(tmp_path / "save.jsonl")
    loaded = Game.load_save(save)
    _, seen_rest = play(TEXT, game=loaded)
    assert seen_first + seen_rest == seen_whole
    assert whole.state.state_hash() == loaded.state.state_hash()


# ---------------------------------------------------------------------------------- validator


def errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> list[str]:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return [line.replace(str(path), "F") for line in err.strip().splitlines()]


def test_unknown_place_in_a_trigger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = changed(TEXT, "{taken: post}", "{taken: psot}")
    assert errors(tmp_path, capsys, text)[0] == (
        "F:70:29: unknown place 'psot'; did you mean 'post'?"
    )


def test_unknown_unit_in_a_trigger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = changed(TEXT, "{lost: camp}", "{arrived: blue_2}")
    assert errors(tmp_path, capsys, text)[0] == (
        "F:78:80: unknown unit 'blue_2'; did you mean 'blue_1'?"
    )


def test_unknown_phase_in_a_trigger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = changed(TEXT, "phase: to_the_ford,", "phase: to_ford,")
    assert errors(tmp_path, capsys, text)[0] == (
        "F:77:37: unknown phase 'to_ford'; did you mean 'to_the_ford'?"
    )


def test_trigger_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = changed(TEXT, "{taken: post}", "{after: {phase: follow_up, hours: 1}}")
    assert errors(tmp_path, capsys, text)[0] == (
        "F:70:21: trigger cycle: 'to_the_ford' -> 'follow_up' -> 'to_the_ford' each begin only"
        " after the next, so none ever begins"
    )


def test_phase_that_ends_after_the_last_turn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = changed(
        TEXT,
        "start_when: {taken: post}",
        "start_when: {taken: post}\n        end: 1945-05-21T17:00",
    )
    assert errors(tmp_path, capsys, text)[0] == (
        "F:71:14: phase ends at 1945-05-21 17:00, after the game's last turn, which ends at"
        " 1945-05-21 16:00; leave `end` out to run to the end"
    )


def test_trigger_with_two_kinds_and_phase_without_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = changed(TEXT, "{taken: post}", "{taken: post, lost: camp}")
    text = changed(
        text,
        "        start: 1945-05-21T06:00\n        units: [red_scout]",
        "        units: [red_scout]",
    )
    lines = errors(tmp_path, capsys, text)
    assert "F:60:9: a phase needs a `start` time, a `start_when` trigger, or both" in lines
    assert (
        "F:69:21: a trigger needs exactly one of 'after', 'all', 'any', 'arrived', 'lost',"
        " 'routed', 'strength_below', 'taken'; it has 'lost', 'taken'" in lines
    )


def test_routed_names_an_own_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = changed(TEXT, "{taken: post}", "{routed: red_3}")
    assert errors(tmp_path, capsys, text)[0] == (
        "F:70:30: unit 'red_3' is of side 'red', whose plan this is: `routed` names a unit of"
        ' the other side (or "enemy")'
    )


# ---------------------------------------------------------------------------------- editor


def test_the_editor_keeps_triggers_and_comments(tmp_path: Path) -> None:
    """The map editor's document opens a plan with triggers, and saving after an edit elsewhere
    changes only the edited line: the triggers and the comments around them stay as written."""
    from engine.rules.coefficients import coefficient_names
    from engine.scenario.document import ScenarioDocument

    path = tmp_path / "triggers.yaml"
    path.write_text(TEXT, encoding="utf-8")
    document = ScenarioDocument.open(path)
    assert document.check(coefficient_names()).ok
    assert document.move_place("ford", (5, 0))
    document.save(coefficient_names=coefficient_names())
    saved = path.read_text(encoding="utf-8")
    before, after = TEXT.splitlines(), saved.splitlines()
    assert len(before) == len(after)
    assert [(a, b) for a, b in zip(before, after, strict=True) if a != b] == [
        (
            "    - {id: ford, name: {en: The ford}, hex: [4, 0]}",
            "    - {id: ford, name: {en: The ford}, hex: [5, 0]}",
        )
    ]
    assert "      # the 2nd platoon waits until the post is ours" in after
    _, seen = play(saved)
    assert column(seen, "red_2")[:3] == ["0,0", "0,0", "5,0"]


# ------------------------------------------------------------------- every mix of players

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
@pytest.mark.parametrize("roc", ["plan", "adaptive"])
@pytest.mark.parametrize("ija", ["plan", "adaptive"])
def test_every_mix_of_players_plays_to_the_end(path: Path, roc: str, ija: str) -> None:
    """Each scenario, each side by plan or adaptive player, to the end: no negative strength,
    men conserved every turn, a result."""
    g = Game.load(path, seed=11)
    modes = {"roc": roc, "ija": ija}
    u = g.state.units
    while not g.over:
        for side in g.sides_to_order():
            g.apply_orders(side, g.computer_orders(side, modes[side]))
        g.end_turn()
        assert (u.men >= 0).all()
        accounted = u.men + u.killed + u.wounded + u.captured + u.drowned + u.escaped
        assert (accounted == u.men_start).all(), "men not conserved"
    assert g.state.finished
    assert g.outcome().winner in ("roc", "ija", "draw", None)


def test_adaptive_defender_stays_in_its_works_and_a_destroy_side_attacks() -> None:
    root = Path(__file__).parent.parent / "scenarios"
    g = Game.load(root / "furong_mountain.yaml", seed=1)
    state = g.state
    in_works = [
        i
        for i in range(state.units.count)
        if state.units.arrived[i]
        and state.side_ids[int(state.units.side[i])] == "roc"
        and int(state.works.owner[int(state.units.hex[i])]) == int(state.units.side[i])
    ]
    assert in_works, "the Furong garrison starts in its works"
    orders = {o.unit: o.text(state.units.ids) for o in g.computer_orders("roc", "adaptive")}
    assert all(orders[i].startswith("hold ") for i in in_works)
    g = Game.load(root / "shigehiro_pocket.yaml", seed=1)
    orders = [o.text(g.state.units.ids) for o in g.computer_orders("roc", "adaptive")]
    assert sum(not text.startswith("hold ") for text in orders) >= 5  # no longer all holding


def test_the_adaptive_attacker_waits_by_day_for_the_odds_set_by_the_coefficient() -> None:
    root = Path(__file__).parent.parent / "scenarios"

    def moving(ratio: float) -> list[str]:
        path = root / "division_47_relief.yaml"
        g = Game.load(path, seed=1, overrides={"ai_attack_ratio": ratio})
        assert not g.state.is_night()
        orders = [o.text(g.state.units.ids) for o in g.computer_orders("ija", "adaptive")]
        return sorted(text.split()[1] for text in orders if not text.startswith("hold "))

    assert moving(100.0) == ["ija_47d_arty"]  # the infantry waits; the guns close to fire
    infantry = ["ija_47d_hq", "ija_47d_r1", "ija_47d_r2", "ija_47d_r3", "ija_assault_force"]
    assert moving(0.1) == sorted([*infantry, "ija_47d_arty"])


def test_the_adaptive_attacker_does_not_cross_a_river_by_day_under_fire() -> None:
    """While the 9th Company on Lion Mountain can fire on the river, the adaptive Japanese
    infantry waits on its bank by day (at 1,460 men to 120 the odds alone would send it)."""
    g = Game.load(Path(__file__).parent.parent / "scenarios" / "lion_mountain.yaml", seed=1)
    ids = g.state.units.ids
    infantry = {"ija_217_hq", "ija_1st_bn", "ija_2nd_bn", "ija_3rd_bn"}
    for _ in range(3):
        assert not g.state.is_night()
        orders = g.computer_orders("ija", "adaptive")
        assert all(o.text(ids).startswith("hold ") for o in orders if ids[o.unit] in infantry)
        g.apply_orders("ija", orders)
        g.apply_orders("roc", g.computer_orders("roc"))
        g.end_turn()


# ------------------------------------------------------------------- on-call air strikes

STRIKE = """weapons:
  guns: {name: {en: Aircraft guns}, kind: aircraft_guns, range_m: 600, rounds_per_hour: 1500}
  rifle:"""
ON_CALL = """
air_strikes:
  - {side: blue, time: 1945-05-21T06:00, on_call_until: UNTIL, target: ford, radius_hexes: 0,
     sorties: 4, weapon: guns, source: "assumption: a test"}
plans:"""


def on_call(text: str, until: str = "1945-05-21T14:00") -> str:
    text = changed(text, "weapons:\n  rifle:", STRIKE)
    return changed(text, "\nplans:", ON_CALL.replace("UNTIL", until))


def strikes(text: str) -> list[int]:
    from engine.core.events import AirStrike

    g = Game.from_text(text, seed=1)
    g.keep_events = True
    while not g.over:
        for side in g.sides_to_order():
            g.apply_orders(side, g.computer_orders(side))
        g.end_turn()
    return [e.turn for e in g.events if isinstance(e, AirStrike)]


def test_an_on_call_strike_comes_when_the_enemy_is_in_the_area_and_only_then() -> None:
    # the 2nd platoon reaches the ford in turn 1: the turn that begins with it there is turn 2
    assert strikes(on_call(TEXT)) == [2]
    assert strikes(on_call(changed(TEXT, "objective: post\n", "objective: camp\n"))) == []
    assert strikes(on_call(TEXT, until="1945-05-21T07:00")) == []  # the window closed before


def test_an_on_call_window_after_the_last_turn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = errors(tmp_path, capsys, on_call(TEXT, until="1945-05-21T18:00"))
    assert lines[0].endswith(
        "the air strike's window ends at 1945-05-21 18:00, after the game's last turn, which ends"
        " at 1945-05-21 16:00"
    )
