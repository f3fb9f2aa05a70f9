"""What a scenario writer can say since issue 16: a map edge nobody escapes across, arrivals
over a window of hours, per-side coefficient overrides, and a reinforcement on impassable ground
as a located error. Each starts from tests/data/minimal.yaml (cliff at [4, 1])."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.game import Game
from engine.rules.arrivals import arrival_turns
from engine.rules.coefficients import coefficient_names
from engine.scenario import ScenarioError, load_scenario_text

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")
# blue's platoon comes on later instead of standing on the hill
ARRIVING = MINIMAL.replace("    at: hill\n    posture: prepared\n", "    posture: prepared\n")


def with_arrival(fields: str, text: str = ARRIVING) -> str:
    return text.replace(
        "obstacles:", f"reinforcements:\n  - {{{fields}, units: [blue_1]}}\nobstacles:", 1
    )


def problems(text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "express.yaml", coefficient_names=coefficient_names())
    return str(caught.value)


def arrival_turn(text: str, seed: int) -> int:
    game = Game.from_text(text, "express.yaml", seed)
    while not game.state.units.arrived[1]:
        game.end_turn()
    return game.state.turn


def test_a_reinforcement_on_impassable_ground_is_a_located_error_with_a_hint():
    text = with_arrival("time: 1945-05-21T07:00, at: [4, 1]")
    line = next(n for n, x in enumerate(text.splitlines(), 1) if "at: [4, 1]" in x)
    message = problems(text)
    assert f"express.yaml:{line}:" in message
    assert "reinforcements enter on impassable terrain at [4, 1]" in message
    assert "did you mean [3, 1]?" in message or "did you mean [4, 0]?" in message


def test_an_arrival_window_is_drawn_per_seed_inside_the_window_and_repeatable():
    text = with_arrival("time: 1945-05-21T06:00, latest: 1945-05-21T09:00, at: hill")
    drawn = [arrival_turn(text, seed) for seed in range(12)]
    # arrives at the start of one of turns 1..4 (06:00..09:00): on the map once it has ended
    assert all(2 <= t <= 5 for t in drawn)
    assert len(set(drawn)) > 1  # not one fixed time
    assert drawn == [arrival_turn(text, seed) for seed in range(12)]  # same seed, same turn


def test_a_fixed_arrival_time_is_unchanged():
    text = with_arrival("time: 1945-05-21T07:00, at: hill")
    assert {arrival_turn(text, seed) for seed in range(4)} == {3}


def test_a_spread_window_brings_units_one_after_another():
    text = with_arrival(
        "time: 1945-05-21T05:00, latest: 1945-05-21T09:00, arrival: spread, at: hill"
    )
    text = text.replace("units: [blue_1]}", "units: [blue_1, blue_2]}")
    second = MINIMAL[MINIMAL.index("  - id: blue_1") : MINIMAL.index("obstacles:")]
    second = second.replace("blue_1", "blue_2").replace("    at: hill\n", "")
    text = text.replace("reinforcements:", second.rstrip("\n") + "\nreinforcements:", 1)
    game = Game.from_text(text, "express.yaml", 1)
    table = {
        turn: [u for _, units in entries for u in units]
        for turn, entries in arrival_turns(game.state).items()
    }
    assert table == {0: ["blue_1"], 4: ["blue_2"]}


def test_a_window_ending_before_it_begins_or_after_the_game_is_an_error():
    early = problems(with_arrival("time: 1945-05-21T08:00, latest: 1945-05-21T06:00, at: hill"))
    assert "`latest` must not come before `time`" in early
    late = problems(with_arrival("time: 1945-05-21T08:00, latest: 1945-05-22T08:00, at: hill"))
    assert "reinforcement window's end at 1945-05-22 08:00 is outside the game" in late
    spread = problems(with_arrival("time: 1945-05-21T08:00, arrival: spread, at: hill"))
    assert "give its end as `latest`" in spread


def test_side_rules_apply_to_that_side_only_and_runs_override_them():
    text = MINIMAL + "side_rules:\n  blue: {air_casualties_per_sortie: 0.0}\n"
    state = Game.from_text(text, "express.yaml", 1).state
    red, blue = state.side_coefficients
    assert red is state.coefficients  # no per-side values: the common object itself
    assert blue.air_casualties_per_sortie == 0.0
    assert state.coefficients.air_casualties_per_sortie == 1.0
    run = Game.from_text(text, "express.yaml", 1, overrides={"air_casualties_per_sortie": 2.0})
    assert run.state.side_coefficients[1].air_casualties_per_sortie == 2.0


def test_an_air_strike_reads_the_struck_sides_values():
    strike = (
        "air_strikes:\n  - {side: red, time: 1945-05-21T05:00, target: hill, radius_hexes: 0,"
        " sorties: 1000, weapon: bombs}\nobstacles:"
    )
    text = MINIMAL.replace("obstacles:", strike, 1).replace(
        "weapons:\n",
        "weapons:\n  bombs: {name: {en: Bombs}, kind: aircraft_bombs, range_m: 100,"
        " rounds_per_hour: 1}\n",
        1,
    )
    hit = Game.from_text(text, "express.yaml", 3)
    hit.end_turn()
    spared = Game.from_text(
        text + "side_rules:\n  blue: {air_casualties_per_sortie: 0.0}\n", "express.yaml", 3
    )
    spared.end_turn()
    assert hit.state.units.men[1] < 30
    assert spared.state.units.men[1] == 30


def test_side_rules_with_an_unknown_side_or_coefficient_are_located_errors():
    message = problems(MINIMAL + "side_rules:\n  bleu: {rout_threshold: 0.1}\n")
    assert "unknown side 'bleu'; did you mean 'blue'?" in message
    message = problems(MINIMAL + "side_rules:\n  blue: {rout_treshold: 0.1}\n")
    assert "unknown rule coefficient 'rout_treshold'; did you mean 'rout_threshold'?" in message


def test_an_exit_on_a_closed_edge_is_an_error():
    text = MINIMAL.replace("  rivers:\n", "  closed_edges: [west]\n  rivers:\n", 1)
    text = text.replace(
        "victory:\n", "victory:\n  - {side: red, kind: exit, place: [0, 1], men: 10}\n", 1
    )
    assert "on the closed west edge" in problems(text)
