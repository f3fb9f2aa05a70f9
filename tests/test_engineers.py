"""Engineers breach minefields and wire (engine/rules/engineering.py), and the declarations every
order and event kind makes of itself (engine/core/orders.py, engine/core/events.py)."""

from __future__ import annotations

import types
import typing
from dataclasses import fields
from pathlib import Path

import pytest

from engine.cli import main
from engine.core.events import EVENT_TYPES, Assaulted, Event, event_from_dict
from engine.core.orders import ORDER_TYPES, Assault, Hold, parse, window_orders
from engine.headless import play
from engine.narrative import describe
from engine.rules.engineering import Breach, Breached, breach_work
from engine.rules.turn import IllegalOrderError, check_order, coefficients_of, end_turn, new_game
from engine.scenario import load_scenario_text

DATA = Path(__file__).parent / "data"
ENGINEERS = (DATA / "engineers.yaml").read_text(encoding="utf-8")


def battle(text: str = ENGINEERS, seed: int = 1):
    state = new_game(load_scenario_text(text, "engineers.yaml").scenario, seed)
    ids = state.units.ids
    return state, {uid: ids.index(uid) for uid in ids}


def hex_of(state, col: int, row: int) -> int:
    return state.board.resolve([col, row])


# ----------------------------------------------------------------------- the rate, exactly


def test_breach_work_opens_the_lane_first_then_cuts_the_wire_with_the_hours_left() -> None:
    # 20 m of a 30 m field an hour: 1 h opens two thirds of the lane, nothing left for the wire
    assert breach_work(1.0, 0.0, 30.0, 1.0, 20.0, 2.0) == (pytest.approx(2 / 3), 1.0)
    # 2 h: 1.5 h for the lane, the other 0.5 h cuts 0.5 × 2 = 1 line
    assert breach_work(2.0, 0.0, 30.0, 1.0, 20.0, 2.0) == (1.0, 0.0)
    # a lane already half blown by shelling needs 0.75 h; 0.25 h cuts half a line of two
    assert breach_work(1.0, 0.5, 30.0, 2.0, 20.0, 2.0) == (1.0, pytest.approx(1.5))
    # wire only; no minefield
    assert breach_work(0.25, 0.0, 0.0, 2.0, 20.0, 2.0) == (0.0, 1.5)
    # nothing to do
    assert breach_work(3.0, 1.0, 30.0, 0.0, 20.0, 2.0) == (1.0, 0.0)


def test_a_breach_event_carries_hours_times_party_share_times_unsuppressed() -> None:
    state, ix = battle()
    eng, hill = ix["red_eng"], state.board.resolve("hill")
    state.units.hex[eng] = hex_of(state, 3, 1)
    state.units.men[eng] = 5  # half a party of engineer_party_men = 10
    state.units.suppression[eng] = 0.2
    c = coefficients_of(state)
    events = end_turn(state, [Breach(eng, hill)])
    done = next(e for e in events if isinstance(e, Breached))
    # 1 h turn × 5/10 × (1 - 0.2) = 0.4 h of work: 0.4 × 20 m = 8 m of the 30 m field
    assert done.hours == pytest.approx(0.4)
    assert done.lane == pytest.approx(round(0.4 * c.engineer_lane_m_per_hour / 30.0, 4))
    assert done.wire_lines_left == 1.0
    assert done.modifiers["party_share"] == 0.5 and done.modifiers["suppression"] == 0.2
    text = describe(done, explain=True)
    assert "red_eng breaches at 4,1; minefield lane 27%; wire 1 lines left" in text
    assert "work 0.4 h = 1 h × party_share=0.5 × (1 - suppression=0.2)" in text


@pytest.mark.parametrize("hours", [1, 3])
def test_the_same_hours_of_work_give_the_same_progress_at_30_and_60_minute_turns(
    hours: int,
) -> None:
    found = []
    for minutes in (30, 60):
        text = ENGINEERS.replace("turn_minutes: 60", f"turn_minutes: {minutes}")
        text = text.replace("turns: 8", "turns: 12")
        state, ix = battle(text)
        eng, hill = ix["red_eng"], state.board.resolve("hill")
        state.units.hex[eng] = hex_of(state, 3, 1)
        state.units.firepower[ix["blue_1"]] = 0.0  # nobody shoots: no suppression to differ
        for _ in range(hours * 60 // minutes):
            end_turn(state, [Breach(eng, hill), Hold(ix["red_1"])])
        assert state.units.suppression[eng] == 0.0
        found.append((float(state.works.lane[hill]), float(state.works.wire_lines[hill])))
    assert found[0] == pytest.approx(found[1], abs=1e-12)
    assert found[0] == ((2 / 3, 1.0) if hours == 1 else (1.0, 0.0))


# ----------------------------------------------------------------------- the order's check


def test_breach_is_refused_to_non_engineers_far_hexes_and_hexes_with_nothing_to_breach() -> None:
    state, ix = battle()
    hill = state.board.resolve("hill")
    with pytest.raises(IllegalOrderError, match="red_1 is not engineers and cannot breach"):
        check_order(state, Breach(ix["red_1"], hill))
    with pytest.raises(IllegalOrderError, match=f"hex {hill} is not next to red_eng"):
        check_order(state, Breach(ix["red_eng"], hill))
    state.units.hex[ix["red_eng"]] = hex_of(state, 3, 1)
    check_order(state, Breach(ix["red_eng"], hill))  # next to it: accepted
    empty = hex_of(state, 3, 0)
    with pytest.raises(IllegalOrderError, match="no minefield or wire left"):
        check_order(state, Breach(ix["red_eng"], empty))


# ----------------------------------------------------------------------- in a battle


def _first_assault(state, ix, wait_turns: int) -> Assaulted:
    """Red's engineers breach the hill for `wait_turns` turns (red_1 holding next to it), then
    red_1 assaults; the assault's event."""
    red, eng, hill = ix["red_1"], ix["red_eng"], state.board.resolve("hill")
    state.units.hex[red] = hex_of(state, 3, 1)
    state.units.hex[eng] = min(n for n in state.board.neighbors[hill] if n != hex_of(state, 3, 1))
    for _ in range(wait_turns):
        end_turn(state, [Breach(eng, hill), Hold(red)])
    events = end_turn(state, [Assault(red, hill)])
    return next(e for e in events if isinstance(e, Assaulted))


def test_an_assault_through_the_engineers_lane_meets_fewer_mines() -> None:
    state, ix = battle()
    unbreached = _first_assault(state, ix, 0)
    state, ix = battle()
    breached = _first_assault(state, ix, 2)  # 2 h: the 30 m lane is open, the wire cut
    assert state.works.lane[state.board.resolve("hill")] == 1.0
    factor = coefficients_of(state).lane_mine_factor
    # the mine share falls by lane_mine_factor, exactly (the field's density is the same)
    assert breached.modifiers["mine_share_per_hour"] == pytest.approx(
        unbreached.modifiers["mine_share_per_hour"] * factor, abs=1e-4
    )
    assert breached.expected["mines"] < unbreached.expected["mines"] * 0.2
    assert breached.modifiers["wire_lines"] == 0.0 < unbreached.modifiers["wire_lines"]


def test_the_computer_players_engineers_breach_the_assault_axis_before_and_with_the_assault():
    record = play(load_scenario_text(ENGINEERS, "engineers.yaml").scenario, 1)
    orders = [o for turn in record.orders for o in turn]
    assert "breach red_eng 10" in orders
    first_breach = min(e.turn for e in record.events if isinstance(e, Breached))
    first_assault = min(e.turn for e in record.events if isinstance(e, Assaulted))
    assert first_breach <= first_assault
    assert record.state.works.lane[10] == 1.0 and record.state.works.wire_lines[10] == 0.0


def test_engineers_in_run_with_explain_and_a_replay_of_the_log(tmp_path: Path, capsys) -> None:
    log = tmp_path / "game.jsonl"
    path = str(DATA / "engineers.yaml")
    assert main(["run", path, "--seed", "1", "--explain", "--ids", "--events", str(log)]) == 0
    out = capsys.readouterr().out
    assert "red_eng breaches at 4,1; minefield lane 67%; wire 1 lines left  [work 1 h" in out
    assert main(["replay", str(log)]) == 0


def test_engineers_in_a_batch(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    path = str(DATA / "engineers.yaml")
    args = ["batch", path, "--games", "4", "--seed", "5", "--workers", "1", "--no-report"]
    assert main([*args, "--out", str(out)]) == 0
    assert "played 4 battles" in capsys.readouterr().err


# ----------------------------------------------------------------------- the registry


def _sample(annotation: typing.Any) -> typing.Any:
    """A value of a field's type, to build an event of every kind."""
    annotation = eval(annotation, vars(typing)) if isinstance(annotation, str) else annotation
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        return _sample(typing.get_args(annotation)[0])
    if annotation is str:
        return "x"
    if annotation is bool:
        return False
    if annotation is int:
        return 1
    if annotation is float:
        return 0.0  # a river crossing told as done, a lane not begun
    if origin is dict or annotation is dict:
        return {}
    if origin is tuple:
        return ()
    raise AssertionError(f"no sample for {annotation}")


# Events the log leaves out in plain form (moves, the turn's end, single volleys: these are told
# in the turn's fire summary); each is still told when explained, or deliberately by no line.
ROUTINE = {"moved", "turn_ended", "fired"}


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_every_event_kind_declares_its_line_and_round_trips_as_a_dict(kind: str) -> None:
    cls = EVENT_TYPES[kind]
    event = cls(**{f.name: _sample(f.type) for f in fields(cls)})
    assert isinstance(event, Event)
    line = describe(event)
    if kind not in ROUTINE:
        assert isinstance(line, str) and line
    explained = describe(event, explain=True)
    assert explained is None or isinstance(explained, str)
    if line:
        assert explained and explained.startswith(line)
    assert event_from_dict(event.to_dict()) == event


@pytest.mark.parametrize("verb", sorted(ORDER_TYPES))
def test_every_order_kind_parses_back_from_its_text(verb: str) -> None:
    cls = ORDER_TYPES[verb]
    ids = ("a_1", "b_2")
    index = {uid: k for k, uid in enumerate(ids)}
    required = len(cls.numbers) - cls.optional
    for count in range(required, len(cls.numbers) + 1):
        order = cls(1, *range(7, 7 + count))
        text = order.text(ids)
        assert text.split()[:2] == [verb, "b_2"]
        assert parse(text, index) == order
    if not cls.numbers:
        return  # hold: words after the unit are ignored, as before
    with pytest.raises(ValueError, match=r"too many numbers"):
        parse(f"{verb} a_1 " + " ".join(["3"] * (len(cls.numbers) + 1)), index)


def test_the_window_offers_every_declared_order_kind_by_a_key_of_its_own() -> None:
    offered = window_orders()
    assert [cls.verb for cls in offered] == [
        "move", "assault", "bombard", "fire", "withdraw", "breach"
    ]  # fmt: skip
    keys = [cls.ui.key for cls in offered]
    assert len(set(keys)) == len(keys) and "h" not in keys and "x" not in keys
    assert Breach.ui.cursor == "declared" and Breach.ui.preview == "declared"


def test_breach_declares_its_targets_and_an_exact_forecast_for_the_window() -> None:
    state, ix = battle()
    eng, hill = ix["red_eng"], state.board.resolve("hill")
    assert Breach.targets(state, eng) == set()  # at its start, two hexes off
    assert Breach.targets(state, ix["red_1"]) == set()  # not engineers
    state.units.hex[eng] = hex_of(state, 3, 1)
    assert Breach.targets(state, eng) == {hill}
    title, headline, factors = Breach(eng, hill).forecast(state)
    assert title == "Breach 4,1"
    assert headline == "1.0 h of work: lane 0% → 67%, wire 1 → 1 lines"
    assert ("engineer_lane_m_per_hour", "20") in factors


def test_the_furong_what_if_adds_engineers_who_breach_the_east_height(tmp_path: Path) -> None:
    from engine.sim.plan import make_plan

    root = Path(__file__).resolve().parent.parent
    variant = root / "scenarios" / "variants" / "furong_with_engineers.yaml"
    plan = make_plan(
        str(root / "scenarios" / "furong_mountain.yaml"),
        tmp_path,
        games=1,
        batch_seed=3,
        variant_files=[str(variant)],
    )
    arm = next(a for a in plan.arms if a.variant == "with_engineers")
    scenario = load_scenario_text(arm.text, arm.run_scenario).scenario
    assert [u.id for u in scenario.units if u.type.value == "engineers"] == ["ija_engineers"]
    # Under fire on the east face they often die or break before the lane is through: in the
    # first ten seeds they open one through the outer minefield in two (6 and 9, with the dice
    # of issue 15). Each game where they breach at all, only they breach.
    opened_a_lane = []
    for seed in range(1, 11):
        record = play(scenario, seed)
        breached = [e for e in record.events if isinstance(e, Breached)]
        assert {e.unit for e in breached} <= {"ija_engineers"}
        opened = [e for e in record.events if type(e).__name__ == "LaneOpened"]
        if any(e.obstacle == "minefield" and e.by == "ija_engineers" for e in opened):
            assert any(e.lane == 1.0 for e in breached)
            opened_a_lane.append(seed)
    assert opened_a_lane
