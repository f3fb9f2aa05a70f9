"""Every scenario in scenarios/ loads, plays to the end headless, and shows up in `wargame list`.

The scenario files are found, not named, so a new battle dropped into scenarios/ is covered by
these tests at once. (Batch runs of many games live with the batch module's own tests.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from engine.headless import play
from engine.history import compare
from engine.rules.coefficients import coefficient_names
from engine.scenario import load_scenario
from engine.scenario_list import collect, default_folder

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SEEDS = (3, 11)


def _load(path: Path):
    return load_scenario(path, coefficient_names=coefficient_names()).scenario


def test_the_battles_of_the_source_are_all_there() -> None:
    names = {p.stem for p in SCENARIOS}
    assert {"furong_mountain", "lion_mountain", "shigehiro_pocket", "division_47_relief"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_validates(path: Path) -> None:
    scenario = _load(path)
    assert scenario.id == path.stem
    assert scenario.history, "a scenario sets itself beside history"
    assert all(entry.source and entry.whose for entry in scenario.history)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_plays_to_the_end_headless(path: Path, seed: int) -> None:
    scenario = _load(path)
    turns = []

    def check(state, events) -> None:  # after every turn, not only at the end
        state.check_invariants()
        turns.append(state.turn)

    state = play(scenario, seed, keep_events=False, on_turn=check).state
    assert turns == list(range(1, state.turn + 1))
    assert state.finished
    assert state.winner in {*(s.id for s in scenario.sides), "draw"}
    state.check_invariants()
    comparisons = compare(state)
    assert [c.entry.id for c in comparisons] == [h.id for h in scenario.history]


def test_same_seed_same_battle() -> None:
    scenario = _load(ROOT / "scenarios" / "lion_mountain.yaml")
    a = play(scenario, 5, keep_events=False).state
    b = play(scenario, 5, keep_events=False).state
    assert a.state_hash() == b.state_hash()


def test_list_shows_every_scenario(capsys, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for path in SCENARIOS:
        scenario = _load(path)
        assert f"scenarios/{path.name}: {scenario.title.en}" in out
        assert scenario.briefing.summary.split()[0] in out
        assert scenario.scale in out
    assert "30 turns of 4 h" in out  # division_47_relief: dates and turns
    assert "21 May 05:00 – 22 May 1945 06:00" in out  # lion_mountain
    assert "hexes of 100 m" in out and "hexes of 1 km" in out
    assert "Imperial Japanese Army (日军): 7 units, 1,460 men" in out
    assert f"{len(SCENARIOS)} scenarios" in out.splitlines()[-1]


def test_list_lists_a_broken_file_with_its_first_problem(tmp_path: Path, capsys) -> None:
    good = tmp_path / "good.yaml"
    good.write_text((ROOT / "tests" / "data" / "minimal.yaml").read_text(encoding="utf-8"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("format_version: 1\nid: Broken Name\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a scenario")
    (tmp_path / "variants").mkdir()
    (tmp_path / "variants" / "overlay.yaml").write_text("name: x\n")  # subfolders are skipped
    assert main(["list", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "broken.yaml: NOT LOADED" in out
    assert f"{broken}:1:1:" in out or f"{broken}:2:" in out  # located: file:line:col
    assert "more)" in out
    assert "good.yaml: Minimal test battle" in out
    assert "overlay" not in out
    assert out.splitlines()[-1] == "2 scenarios, 1 not loaded"


def test_list_reports_a_missing_folder(tmp_path: Path, capsys) -> None:
    assert main(["list", str(tmp_path / "nowhere")]) == 1
    captured = capsys.readouterr()
    assert "no such file or folder" in captured.err
    assert captured.out.splitlines()[-1] == "0 scenarios"


def test_list_finds_the_scenarios_from_any_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_folder() == ROOT / "scenarios"
    listing = collect([], coefficient_names())
    assert {e.path.name for e in listing.entries} == {p.name for p in SCENARIOS}
    assert all(e.ok for e in listing.entries)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_batch_runs_fifty_battles(path: Path, tmp_path: Path, capsys) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / path.stem
    code = main(
        ["batch", str(path), "--games", "50", "--out", str(out), "--workers", "1", "--no-report"]
    )
    assert code == 0
    rows = pq.read_table(out / "battles").num_rows
    assert rows == 50


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_random_orders_keep_every_invariant(path: Path) -> None:
    """Any order a person may give (checked as the window checks it), to every unit, every turn:
    moves, assaults, bombardments with any cap, fire and withdrawals at hexes near and far. Men
    conserved, nothing negative, one side per hex, after every turn to the end."""
    import random

    from engine.core.orders import Assault, Bombard, Fire, Hold, Move, Withdraw
    from engine.rules.turn import IllegalOrderError, check_order, end_turn, new_game

    state = new_game(_load(path), seed=4)
    rng = random.Random(4)
    while not state.finished:
        orders = []
        for i in state.active().nonzero()[0].tolist():
            here = int(state.units.hex[i])
            near = [here, *state.board.neighbors[here]]
            target = rng.choice(near) if rng.random() < 0.7 else rng.randrange(state.board.size)
            kind = rng.choice([Hold, Move, Assault, Bombard, Withdraw, Fire])
            if kind is Hold:
                order = Hold(i)
            elif kind is Bombard:
                order = Bombard(i, target, rng.choice([-1, 0, 5, 100]))
            else:
                order = kind(i, target)
            try:
                check_order(state, order)
            except IllegalOrderError:
                continue
            orders.append(order)
        end_turn(state, orders)
        state.check_invariants()
