"""The one game loop, `engine.Game`: the documented example, checked orders, an environment
checker over every shipped scenario, pinned counts of legal orders, saves and replays, and the
state hash that cannot forget a field."""

from __future__ import annotations

import contextlib
import copy
import json
import random
import re
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from engine import Game, OrderError, Outcome
from engine.core.orders import Assault, Bombard, Fire, Hold, Move, Order
from engine.core.state import HASH_SKIPS, GameState
from engine.headless import read_log

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"
MINIMAL = (Path(__file__).parent / "data" / "minimal.yaml").read_text(encoding="utf-8")


def computer_game(game: Game, turns: int | None = None) -> Game:
    """Play `game` on with the computer on both sides (to the end, or `turns` turns)."""
    played = 0
    while not game.over and (turns is None or played < turns):
        for side in game.sides_to_order():
            game.apply_orders(side, game.computer_orders(side))
        game.end_turn()
        played += 1
    return game


# ---------------------------------------------------------------------- the documented example


def test_the_example_in_docs_game_md_runs_as_written(monkeypatch) -> None:
    text = (ROOT / "docs" / "game.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.S)
    assert block is not None, "docs/game.md has no python block"
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(block.group(1), "docs/game.md", "exec"), namespace)
    result = namespace["result"]
    assert isinstance(result, Outcome)
    # the same battle as the golden playthrough tests/golden/furong_mountain.seed7.txt
    # roc since breaking counts the present engagement and assault rates come from the hours at
    # grips (issue 16, assault2); ija before; ija again since the river, close-combat and
    # slip-away coefficients come from external sources, not the seed (issue 16, srcwater); roc
    # again with the bombardment derived per round and direct fire at the bench's 0.005
    assert (result.winner, result.turn, result.over) == ("roc", 61, True)
    assert set(result.men) == {"roc", "ija"}
    history = namespace["game"].scenario.history
    assert [c.entry.id for c in result.history] == [e.id for e in history]
    assert result.metric(result.history[0].entry.id) is result.history[0]


# ---------------------------------------------------------------------- checked orders


@pytest.fixture
def furong() -> Game:
    return Game.load(FURONG, seed=1)


def unit(game: Game, unit_id: str) -> int:
    return game.unit_index(unit_id)


def refused(game: Game, side: str, order: Order | str) -> OrderError:
    with pytest.raises(OrderError) as caught:
        game.apply_orders(side, [order])
    return caught.value


def test_an_order_for_the_other_sides_unit_is_refused(furong: Game) -> None:
    error = refused(furong, "roc", Hold(unit(furong, "ija_3rd_bn")))
    assert (error.unit, error.order) == ("ija_3rd_bn", "hold ija_3rd_bn")
    assert error.reason == "not your unit (it is ija's)"
    assert isinstance(error, ValueError)


def test_an_order_for_a_unit_not_yet_arrived_is_refused(furong: Game) -> None:
    error = refused(furong, "roc", "hold roc_t6_1st_bn")
    assert error.unit == "roc_t6_1st_bn"
    assert "not on the map" in error.reason


def test_a_hex_off_the_map_is_refused(furong: Game) -> None:
    i = unit(furong, "roc_9th_company")
    error = refused(furong, "roc", Move(i, furong.state.board.size + 5))
    assert error.reason == f"hex {furong.state.board.size + 5} is off the map"
    assert error.order == f"move roc_9th_company {furong.state.board.size + 5}"


def test_an_assault_on_a_hex_not_next_to_the_unit_is_out_of_reach(furong: Game) -> None:
    i = unit(furong, "ija_3rd_bn")
    board = furong.state.board
    here = int(furong.state.units.hex[i])
    far = next(h for h in range(board.size) if board.distance(here, h) == 3)
    error = refused(furong, "ija", Assault(i, far))
    assert error.reason.startswith(f"out of reach: hex {board.label(far)} is not next to")


def test_fire_beyond_the_weapons_range_is_out_of_reach(furong: Game) -> None:
    i = unit(furong, "roc_9th_company")
    state = furong.state
    here = int(state.units.hex[i])
    reach = state.units.fire_range_m[i] / state.board.hex_size_m
    far = next(h for h in range(state.board.size) if state.board.distance(here, h) > reach + 1)
    error = refused(furong, "roc", Fire(i, far))
    assert "beyond the range of its weapons" in error.reason


def test_fire_and_bombardment_without_ammunition_are_refused(furong: Game) -> None:
    state = furong.state
    i = unit(furong, "roc_9th_company")
    state.units.ammo[i] = 0.0
    near = int(state.units.hex[i])
    assert refused(furong, "roc", Fire(i, near)).reason == "no ammunition left"
    gun = unit(furong, "ija_mortars")
    target = next(iter(o.target for o in furong.legal_orders(gun) if isinstance(o, Bombard)))
    for group in state.units.indirect[gun]:
        if group.budget >= 0:
            state.budget_rounds[group.budget] = 0.0
        group.own_rounds = 0.0
    assert refused(furong, "ija", Bombard(gun, target)).reason == (
        "no ammunition left for the guns in range"
    )


def test_a_text_that_is_no_order_is_refused(furong: Game) -> None:
    error = refused(furong, "roc", "charge roc_9th_company 3")
    assert "unknown order" in error.reason


def test_a_refused_batch_changes_nothing(furong: Game) -> None:
    mine = unit(furong, "roc_9th_company")
    good = next(o for o in furong.legal_orders(mine) if isinstance(o, Move))
    furong.apply_orders("roc", [Hold(mine)])
    before_hash, before_pending = furong.state.state_hash(), furong.pending("roc")
    with pytest.raises(OrderError):
        furong.apply_orders("roc", [good, Hold(unit(furong, "ija_3rd_bn"))])
    assert furong.pending("roc") == before_pending == [Hold(mine)]
    assert furong.state.state_hash() == before_hash
    assert furong.sides_to_order() == ["ija"]  # roc gave orders before; ija has not


def test_a_unit_given_two_orders_keeps_the_last(furong: Game) -> None:
    mine = unit(furong, "roc_9th_company")
    move = next(o for o in furong.legal_orders(mine) if isinstance(o, Move))
    furong.apply_orders("roc", [Hold(mine), move])
    assert furong.pending("roc") == [move]
    furong.end_turn()
    assert furong.orders[0] == [move.text(furong.state.units.ids)]


def test_computer_orders_are_trusted_only_in_their_own_turn(
    furong: Game, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[Order] = []
    check = furong.check
    monkeypatch.setattr(furong, "check", lambda side, o: checked.append(o) or check(side, o))
    orders = furong.computer_orders("ija")
    assert orders, "the test needs orders to see checked"
    furong.apply_orders("ija", orders)
    assert checked == []  # the very tuple, this turn: taken as it was made
    with pytest.raises(OrderError, match="not your unit"):  # as another side's: checked
        furong.apply_orders("roc", furong.computer_orders("ija"))
    checked.clear()
    furong.apply_orders("ija", list(orders))  # a copy (it could have been changed): checked
    assert checked == list(orders)
    checked.clear()
    furong.end_turn()
    # a turn later the same tuple is checked like any other orders (and may well pass)
    with contextlib.suppress(OrderError):
        furong.apply_orders("ija", orders)
    assert checked


def test_ai_modes_are_arguments_not_state() -> None:
    game = Game.load(ROOT / "scenarios" / "shigehiro_pocket.yaml", seed=1)
    assert not hasattr(game.state, "ai_modes") and not hasattr(game.state, "memo")
    by_mode = {mode: list(game.computer_orders("roc", mode)) for mode in ("plan", "adaptive")}
    assert by_mode["plan"] != by_mode["adaptive"]
    assert list(game.computer_orders("roc")) == by_mode["plan"]  # the plan's own mode
    with pytest.raises(ValueError, match="no computer player mode"):
        game.computer_orders("roc", "clever")


# ---------------------------------------------------------------------- legal orders


def test_legal_orders_is_a_lazy_view(furong: Game) -> None:
    i = unit(furong, "roc_9th_company")
    legal = furong.legal_orders("roc_9th_company")
    orders = list(legal)
    assert orders[0] == Hold(i)
    assert legal.count() == len(legal) == len(orders) == len(set(orders))
    assert all(order in legal for order in orders[:50])
    assert Hold(unit(furong, "ija_3rd_bn")) not in legal
    assert Move(i, furong.state.board.size) not in legal
    assert legal.texts()[0] == "hold roc_9th_company"


# Counts of legal orders per side (like chess perft): at the start with seed 1, and after five
# turns of the computer on both sides. A change to movement, ranges, zones or the computer player
# shows up here; when it is meant, print the new counts and review them.
PERFT = [
    # after five turns: the course of the game changed with the rules reform (issue 16: fire
    # discipline, the assault's breaking points, plans that follow triggers), not movement or
    # ranges; the 47th Division's again with the assault's rates from the hours at grips, and
    # again with movement that takes a step longer than the hours left with chance hours / cost;
    # Furong's and Lion's again with river crossings 10 times quicker and men in the water 4 times
    # less exposed (crossing time and exposure from external sources, not the seed); the relief's
    # again when a 1 km hex falls only once its whole garrison has given way (assault.py);
    # Lion's and Shigehiro's again with direct fire at half its old rate (bench fit, 0.005);
    # Lion's again with the counter-based dice (issue 15): other draws, the same rules
    ("division_47_relief", (20350, 9059), (20356, 9096)),
    ("furong_mountain", (10898, 16573), (10943, 17008)),
    ("lion_mountain", (670, 5753), (666, 5754)),
    ("shigehiro_pocket", (20406, 11879), (20478, 8523)),
]


def legal_counts(game: Game) -> tuple[int, int]:
    u = game.state.units
    return tuple(  # type: ignore[return-value]
        sum(game.legal_orders(i).count() for i in range(u.count) if u.side[i] == side)
        for side in (0, 1)
    )


@pytest.mark.parametrize(("name", "start", "after_five"), PERFT)
def test_pinned_counts_of_legal_orders(name: str, start, after_five) -> None:
    game = Game.load(ROOT / "scenarios" / f"{name}.yaml", seed=1)
    assert legal_counts(game) == start
    computer_game(game, 5)
    assert legal_counts(game) == after_five


def test_every_shipped_scenario_has_pinned_counts() -> None:
    assert sorted(p.stem for p in SCENARIOS) == [name for name, _, _ in PERFT]


# ---------------------------------------------------------------------- environment checker


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_environment_checker(path: Path) -> None:
    """In the manner of Gymnasium's env_checker, for every shipped scenario: the same seed gives
    the same events and hashes; every legal order is accepted; a random legal game keeps every
    invariant each turn."""
    first, second = (computer_game(Game.load(path, seed=3)) for _ in range(2))
    assert [e.to_dict() for e in first.events] == [e.to_dict() for e in second.events]
    assert first.state.state_hash() == second.state.state_hash()
    assert first.orders == second.orders

    game = Game.load(path, seed=5)
    u = game.state.units
    for side in game.side_ids:
        s = game.side_index(side)
        every = [o for i in range(u.count) if u.side[i] == s for o in game.legal_orders(i)]
        assert every, f"{side} has no legal order at the start"
        game.apply_orders(side, every)  # all accepted at once (each unit keeps its last)

    game = Game.load(path, seed=5)
    pick = random.Random(f"{path.stem}-5")
    for _ in range(6):
        if game.over:
            break
        for side in game.sides_to_order():
            s = game.side_index(side)
            orders = []
            for i in range(u.count):
                if game.state.units.side[i] == s:
                    legal = list(game.legal_orders(i))
                    if legal:
                        orders.append(pick.choice(legal))
            game.apply_orders(side, orders)
        game.end_turn()
        game.state.check_invariants()


# ---------------------------------------------------------------------- saves and replays


def test_save_and_load_save_round_trip(tmp_path: Path, furong: Game) -> None:
    computer_game(furong, 4)
    mine = unit(furong, "roc_9th_company")
    furong.apply_orders("roc", [Hold(mine)])
    furong.end_turn()
    path = furong.save(tmp_path / "game.jsonl")
    header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert (header["version"], header["seed"]) == (2, 1)
    again = Game.load_save(path)
    assert again.state.state_hash() == furong.state.state_hash()
    assert again.orders == furong.orders
    assert [e.to_dict() for e in again.events] == [e.to_dict() for e in furong.events]
    assert again.turn == 5 and not again.over
    computer_game(again)
    computer_game(furong)
    assert again.state.state_hash() == furong.state.state_hash()


def test_a_game_from_text_saves_its_scenario_with_it(tmp_path: Path) -> None:
    game = computer_game(Game.from_text(MINIMAL, "minimal.yaml", seed=4))
    path = game.save(tmp_path / "minimal.jsonl")
    again = Game.replay(path)
    assert again.state.state_hash() == game.state.state_hash()
    assert again.outcome() == game.outcome()


def test_replay_refuses_a_log_whose_events_were_changed(tmp_path: Path) -> None:
    game = computer_game(Game.from_text(MINIMAL, "minimal.yaml", seed=4))
    log = read_log(game.save(tmp_path / "minimal.jsonl"))
    event = next(item for item in log if item["kind"] == "turn_ended")
    event["time"] = "1900-01-01T00:00"
    with pytest.raises(ValueError, match="differs from the log"):
        Game.replay(log)
    assert Game.replay(log, verify=False).state.state_hash() == game.state.state_hash()


def test_a_version_1_log_still_replays(tmp_path: Path) -> None:
    """Logs written before the state hash was made from every field carry the old hash."""
    game = computer_game(Game.from_text(MINIMAL, "minimal.yaml", seed=4))
    log = read_log(game.save(tmp_path / "minimal.jsonl"))
    old = game.state.state_hash_v1()
    log[0]["version"] = 1
    for item in log:
        if item["kind"] == "game_ended":
            item["state_hash"] = old
        if item["kind"] == "final":
            item["state_hash"] = old
    assert Game.replay(log).state.state_hash() == game.state.state_hash()


# ---------------------------------------------------------------------- the state hash


def _mutated(value):
    """`value` changed in a way its content shows."""
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return np.append(value, 1).astype(value.dtype)
        changed = value.copy()
        flat = changed.reshape(-1)
        flat[0] = ~flat[0] if changed.dtype == bool else flat[0] + 1
        return changed
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if value is None or isinstance(value, str):
        return "someone else"
    if isinstance(value, list):
        return [*value, 1]
    if isinstance(value, tuple):
        return (*value, value[0] if value else 1)
    if isinstance(value, dict):
        return {**value, "added": 1}
    raise AssertionError(f"no mutation for {type(value).__name__}")


def test_the_state_hash_sees_every_field() -> None:
    """Each field of the state, the units and the works is changed in turn: the hash changes.
    A field added later is in the hash unless named in HASH_SKIPS, with a reason."""
    base = computer_game(Game.load(FURONG, seed=2), 3).state
    names = {f.name for f in fields(GameState)}
    assert set(HASH_SKIPS) <= names
    original = base.state_hash()
    checked = 0
    for f in fields(GameState):
        if f.name in HASH_SKIPS:
            continue
        state = copy.deepcopy(base)
        if f.name == "dice":
            state.dice.at(state.turn, 1).random()
        elif f.name in ("units", "works"):
            continue
        else:
            setattr(state, f.name, _mutated(getattr(state, f.name)))
        assert state.state_hash() != original, f"GameState.{f.name} is not in the hash"
        checked += 1
    for record in ("units", "works"):
        for f in fields(getattr(base, record)):
            state = copy.deepcopy(base)
            part = getattr(state, record)
            setattr(part, f.name, _mutated(getattr(part, f.name)))
            assert state.state_hash() != original, f"{record}.{f.name} is not in the hash"
            checked += 1
    state = copy.deepcopy(base)
    state.units.indirect[12][0].own_rounds = 123.0  # inside a record of a tuple
    assert state.state_hash() != original
    assert checked > 60
    assert copy.deepcopy(base).state_hash() == original


# ---------------------------------------------------------------------- one source per figure


def test_calibration_uses_the_batch_statistics() -> None:
    """`wargame calibrate`'s percentiles and ranks are engine.sim.stats' figures."""
    from engine.calibration import spreads
    from engine.scenario import load_scenario
    from engine.sim.stats import percentile_of

    scenario = load_scenario(ROOT / "scenarios" / "lion_mountain.yaml").scenario
    rows, winners = spreads(scenario, 6)
    assert sum(winners.values()) == 6
    for row in rows:
        known = row.values[~np.isnan(row.values)]
        if known.size:
            assert row.percentiles() == tuple(float(q) for q in np.percentile(known, [10, 50, 90]))
            assert row.rank(float(known[0])) == percentile_of(row.values, float(known[0]))
        else:
            assert all(np.isnan(q) for q in row.percentiles()) and row.rank(1.0) is None


def test_rules_import_only_core_hexgrid_and_kernels() -> None:
    """engine/rules imports nothing of ours but engine.core, engine.hexgrid and engine.kernels
    (`@kernel`, which imports nothing of ours) at run time (the scenario model's type is named
    for type checkers only)."""
    import ast

    for path in sorted((ROOT / "engine" / "rules").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        checking = {
            id(n)
            for node in ast.walk(tree)
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
            for n in ast.walk(node)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level >= 2 and id(node) not in checking:
                top = (node.module or "").split(".")[0] or node.names[0].name
                allowed = ("core", "hexgrid", "kernels")
                assert top in allowed, f"{path.name}:{node.lineno} imports {top}"


def test_a_moved_log_finds_its_scenario_among_the_shipped_ones(tmp_path: Path, monkeypatch) -> None:
    """A log whose scenario path no longer exists (played elsewhere) is replayed from the shipped
    scenario of that name, found through engine.resources, even away from the checkout."""
    from engine.resources import locate_scenario, scenarios_folder

    game = Game.load(ROOT / "scenarios" / "lion_mountain.yaml", seed=2)
    game.end_turn()
    log = game.save(tmp_path / "game.jsonl")
    lines = log.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    header["scenario"] = "/nowhere/else/lion_mountain.yaml"
    log.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no ./scenarios here
    assert (
        locate_scenario(header["scenario"], tmp_path) == scenarios_folder() / "lion_mountain.yaml"
    )
    assert Game.load_save(log).state.state_hash() == game.state.state_hash()
    assert locate_scenario("/nowhere/x.yaml") == Path("/nowhere/x.yaml")  # left for the error


def test_a_game_that_keeps_no_events_leaves_the_end_events_hash_to_be_asked() -> None:
    """The batch's way (keep_events=False) skips the final state hash it would never log; the
    game itself is the same, and the hash is there on demand."""
    ends = {}
    for keep in (True, False):
        game = Game.load(ROOT / "scenarios" / "lion_mountain.yaml", seed=4)
        game.keep_events = keep
        last: list = []
        while not game.over:
            for side in game.sides_to_order():
                game.apply_orders(side, game.computer_orders(side))
            last = game.end_turn()
        ended = next(e for e in last if e.kind == "game_ended")
        ends[keep] = (ended, game.state.state_hash())
    (kept, kept_hash), (bare, bare_hash) = ends[True], ends[False]
    assert kept.state_hash == kept_hash == bare_hash
    assert bare.state_hash == "" and (bare.winner, bare.reason) == (kept.winner, kept.reason)


def test_a_game_without_detail_events_is_the_same_game() -> None:
    """`detail_events=False` (a batch's rows need no more than each turn's end) builds no fire,
    bombardment, assault or move events; the game played, turn by turn, is the same."""
    from engine.core.events import Assaulted, Bombarded, Fired, Moved

    explained = (Fired, Bombarded, Assaulted, Moved)
    runs = {}
    for detail in (True, False):
        game = Game.load(ROOT / "scenarios" / "furong_mountain.yaml", seed=3)
        game.state.record_events = detail
        hashes, kinds = [], set()
        for _ in range(12):
            for side in game.sides_to_order():
                game.apply_orders(side, game.computer_orders(side))
            kinds |= {type(e) for e in game.end_turn()}
            hashes.append(game.state.state_hash())
        runs[detail] = (hashes, kinds)
    assert runs[True][0] == runs[False][0]
    assert set(explained) <= runs[True][1]
    assert not set(explained) & runs[False][1]


def test_a_log_made_with_other_dice_is_refused_by_name(tmp_path: Path, capsys) -> None:
    """A log or save whose header names other dice (or none: those made before the keyed dice)
    would replay as another battle: it is refused with the reason, not found to differ at some
    turn; through the CLI it is a one-line error, never a traceback."""
    from engine.cli import main

    game = computer_game(Game.from_text(MINIMAL, "minimal.yaml", seed=4), 3)
    path = game.save(tmp_path / "minimal.jsonl")
    log = read_log(path)
    assert log[0]["dice"] == "philox4x64-10-keyed-1"
    assert Game.replay(log).state.state_hash() == game.state.state_hash()
    del log[0]["dice"]
    with pytest.raises(ValueError, match=r"made with other dice \(a generator drawn in turn order"):
        Game.replay(log)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"dice": "philox4x64-10-keyed-1"', '"dice": "pcg64"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["replay", str(path)]) != 0
    err = capsys.readouterr().err
    assert "made with other dice (pcg64)" in err and "Traceback" not in err
