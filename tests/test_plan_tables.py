"""The plan mode's tables and clock made once for the games of a scenario (engine/ai/planner.py
`_shared_plan_tables`, engine/ai/triggers.py `ClockPlan`), and the clock's records read in place
from the state (`GameRecords`).

What is shared is what the scenario alone fixes (the phases, the trigger trees, the units'
weapons, the board, the time fields under the crossing coefficients they were made with); what
a game writes (the kernel's scratch, the clock's memo of what fired) stays the game's. A game
played beside another of the same `Scenario` object, turn about, plays as it does alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.ai import planner
from engine.ai.triggers import game_records
from engine.core.orders import Hold
from engine.game import Game
from engine.rules.coefficients import coefficient_names
from engine.rules.engineering import Breach
from engine.rules.movement import time_field
from engine.scenario.loader import load_scenario_text
from engine.scenario.models import Scenario

ROOT = Path(__file__).resolve().parent.parent
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"
# red's 2nd platoon waits until its scouts take the post (a `taken` trigger), its 3rd two hours
# after that, until blue is below half or the camp lost (tests/test_triggers.py)
TRIGGERS = Path(__file__).parent / "data" / "triggers.yaml"
# the kernel's scratch, which each game keeps apart
SCRATCH = (
    *("enemy_men", "fleeing", "planned", "candidates", "around", "drawing", "weight"),
    *("active", "current", "began", "man_with", "order"),
)
# the clock's memo, answer and scratch, which each game keeps apart
MEMO = ("fired", "checked", "settled", "ended", "times", "asked", "final", "starts", "value")


def load(path: Path) -> Scenario:
    """A fresh Scenario object (a new board, with empty caches) for `path`."""
    text = path.read_text(encoding="utf-8")
    return load_scenario_text(text, str(path), coefficient_names=coefficient_names()).scenario


def one_turn(game: Game, scouts_stay: bool = False) -> None:
    """Both sides' computer orders in plan mode, and the turn played; `scouts_stay` keeps red's
    scouts (unit 0 of the triggers battle) where they are, so that the post is never taken."""
    for side in (0, 1):
        orders = game.computer_orders(side)
        if side == 0 and scouts_stay:
            orders = (*(o for o in orders if o.unit != 0), Hold(0))
        game.apply_orders(side, orders)
    game.end_turn()


def play_alone(path: Path, seed: int) -> list[dict]:
    game = Game(load(path), seed)
    while not game.over:
        one_turn(game)
    return [event.to_dict() for event in game.events]


def test_games_of_a_scenario_share_the_fixed_tables_and_keep_their_own_scratch() -> None:
    scenario = load(FURONG)
    first, second = Game(scenario, 1), Game(scenario, 2)
    for game in (first, second):
        game.computer_orders(0)
    for side in (0, 1):
        (mine, my_clock), (theirs, their_clock) = (
            planner._plan_tables(g.state, side) for g in (first, second)
        )
        for name in mine._fields:
            if name in SCRATCH:
                assert getattr(mine, name) is not getattr(theirs, name), name
            elif name != "hex_size_m":
                assert getattr(mine, name) is getattr(theirs, name), name
        assert my_clock is not their_clock
        for name in my_clock.tables._fields:
            same = getattr(my_clock.tables, name) is getattr(their_clock.tables, name)
            assert same == (name not in MEMO), name
    # a scenario loaded again is another board: nothing carried over
    other = Game(load(FURONG), 1)
    assert planner._plan_tables(other.state, 0)[0].members is not mine.members


def test_the_crossing_coefficients_give_time_fields_of_their_own() -> None:
    scenario = load(FURONG)
    plain = Game(scenario, 1)
    slow = Game(scenario, 1, overrides={"river_crossing_hours_per_100m": 3.0})
    tables = planner._plan_tables(plain.state, 0)[0]
    slow_tables = planner._plan_tables(slow.state, 0)[0]
    assert slow_tables.fields is not tables.fields
    c = slow.state.coefficients
    goals = np.flatnonzero(slow_tables.field_of >= 0)
    assert goals.size
    for goal in goals[:3].tolist():
        row = slow_tables.fields[slow_tables.field_of[goal]]
        assert np.array_equal(row, time_field(slow.state.board, goal, c))
    # what does not read the coefficients is the same
    assert np.array_equal(slow_tables.members, tables.members)
    assert np.array_equal(slow_tables.w_max, tables.w_max)


def test_interleaved_games_play_as_they_do_alone() -> None:
    """Two games of one Scenario object, turn about, the second begun four turns after the
    first: each gives the events it gives alone (a clock memo or scratch shared between them
    would hand one game's fired triggers or enemy to the other)."""
    alone = {seed: play_alone(FURONG, seed) for seed in (1, 2)}
    scenario = load(FURONG)
    first, second = Game(scenario, 1), Game(scenario, 2)
    for _ in range(4):
        one_turn(first)
    while not (first.over and second.over):
        for game in (first, second):
            if not game.over:
                one_turn(game)
    assert [e.to_dict() for e in first.events] == alone[1]
    assert [e.to_dict() for e in second.events] == alone[2]


def test_a_trigger_that_fired_in_one_game_has_not_fired_in_another() -> None:
    """The triggers battle twice on one Scenario object, turn about: in one the scouts stay
    home, so the post is never taken and red's 2nd platoon never moves; in the other they take
    it at once and the platoon goes, as it does alone."""
    alone = play_alone(TRIGGERS, 1)
    scenario = load(TRIGGERS)
    taken, never = Game(scenario, 1), Game(scenario, 1)
    while not (taken.over and never.over):
        for game, stay in ((never, True), (taken, False)):
            if not game.over:
                one_turn(game, scouts_stay=stay)
    assert [e.to_dict() for e in taken.events] == alone
    red_2 = never.unit_index("red_2")
    start = never.state.board.resolve((0, 0))
    assert {int(row[red_2]) for row in never.state.position_ledger} == {start}
    assert {int(row[red_2]) for row in taken.state.position_ledger} != {start}


def test_the_clock_reads_the_states_records_in_place() -> None:
    game = Game(load(TRIGGERS), 1)
    state = game.state
    records = game_records(state)
    seen = records.arrays(state)
    for _ in range(3):
        one_turn(game)
        bundle = records.arrays(state)
        assert bundle is seen  # the same arrays from turn to turn: nothing to hand over again
        assert bundle.history is state.place_history
        assert bundle.positions is state.position_rows
        assert bundle.ledger is state.ledger_rows
        assert bundle.first_routed is state.first_routed
        assert bundle.recorded.tolist() == [state.place_turns, state.ledger_turns]
    # a record the state grows into a new array is read from there
    state.place_turns = len(state.place_history)
    state.room_in_place_history()
    grown = records.arrays(state)
    assert grown is not seen and grown.history is state.place_history


def test_both_sides_planned_in_one_call_give_the_rows_of_a_call_a_side() -> None:
    """`Game.give_all_computer_orders` (one `plan_turn` call) hands the turn the very rows that
    `give_computer_orders` for side 0 then side 1 give (two `plan_side` calls), turn after turn,
    engineers breaching included (`breach_choice` inside the kernel)."""
    engineers = Path(__file__).parent / "data" / "engineers.yaml"
    for path in (FURONG, TRIGGERS, engineers, ROOT / "scenarios" / "shigehiro_pocket.yaml"):
        scenario = load(path)
        together, apart = Game(scenario, 3), Game(scenario, 3)
        breached = False
        while not together.over:
            together.give_all_computer_orders()
            for side in (0, 1):
                apart.give_computer_orders(side)
            rows = together._given_rows()
            assert rows is together._joined[2]  # the one array, not a concatenation
            assert np.array_equal(rows, apart._given_rows()), (path.name, together.turn)
            breached = breached or bool((rows[:, 0] == Breach.code).any())
            together.end_turn()
            apart.end_turn()
        assert breached or path != engineers
