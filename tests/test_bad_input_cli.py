"""Bad command-line input and hand-edited game logs: a one-line message and an exit code, never a
traceback (each case here was a traceback or a silent wrong game before it was caught)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main
from engine.headless import MAX_LOG_BYTES, play, read_log, write_log
from engine.overrides import parse_override
from engine.rules.coefficients import coefficient_names, coefficients
from engine.scenario import ScenarioError, load_scenario, load_scenario_text

DATA = Path(__file__).parent / "data"
MINIMAL_PATH = DATA / "minimal.yaml"
MINIMAL = MINIMAL_PATH.read_text(encoding="utf-8")


def run_cli(args: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(args)
    except SystemExit as stop:  # argparse refuses an argument this way
        code = int(stop.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip().splitlines()[-1] if err.strip() else ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "{s}", "--seed", "-1"], "argument --seed: expected a whole number from 0, got -1"),
        (["run", "{s}", "--seed", "x"], "argument --seed: expected a whole number from 0, got 'x'"),
        (["calibrate", "{s}", "--games", "0"], "argument --games: expected a whole number from 1"),
        (["batch", "{s}", "--out", "{tmp}/b", "--workers", "0"], "--workers/-j: expected a whole"),
        (["batch", "{s}", "--out", "{tmp}/b", "--chunk", "-2"], "argument --chunk: expected"),
        (["batch", "{s}", "--out", "{tmp}/b", "--seed", "-4"], "argument --seed: expected"),
        (["batch", "{s}", "--out", "{tmp}/file", "--games", "2"], "exists and is not a folder"),
        (
            ["run", "{s}", "--set", "night_speed_factor=0"],
            "--set night_speed_factor=0: night_speed_factor expected a number > 0, got 0",
        ),
        (
            ["run", "{s}", "--set", "rules.killed_fraction=2"],
            "--set rules.killed_fraction=2: killed_fraction expected a number >= 0, <= 1, got 2",
        ),
        (["run", "{s}", "--set", "foot_speed_kmh=nan"], "expected a number > 0, got nan"),
        (["batch", "{s}", "--out", "{tmp}/b", "--set", "rules.rout_threshold=-1"], "got -1"),
        (
            ["batch", "{s}", "--out", "{tmp}/b", "--sweep", "rules.killed_fraction=0.5:1.5:3"],
            "--sweep rules.killed_fraction=0.5:1.5:3: killed_fraction expected a number >= 0,"
            " <= 1, got 1.5",
        ),
    ],
)
def test_bad_arguments_get_one_line(args, expected, tmp_path: Path, capsys) -> None:
    (tmp_path / "file").write_text("not a folder")
    args = [a.format(s=MINIMAL_PATH, tmp=tmp_path) for a in args]
    code, last = run_cli(args, capsys)
    assert code == 2
    assert expected in last
    assert not (tmp_path / "b").exists(), "nothing is played or written"


def test_a_coefficient_out_of_its_range_is_refused_everywhere() -> None:
    with pytest.raises(ValueError, match="rule coefficient 'killed_fraction': expected"):
        coefficients({"killed_fraction": 1.5})
    with pytest.raises(ValueError, match="expected a number > 0, got 0"):
        coefficients({"gun_speed_kmh": 0})
    assert parse_override("rules.killed_fraction=1") == ("killed_fraction", 1.0)
    text = MINIMAL.replace("obstacles:\n", "rules:\n  killed_fraction: 2\nobstacles:\n", 1)
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "s.yaml", coefficient_names=coefficient_names())
    [problem] = caught.value.problems
    assert str(problem) == (  # at the value, on the line the block's entry was put
        "s.yaml:70:20: rule coefficient 'killed_fraction': expected a number >= 0, <= 1, got 2"
    )
    # without the rules' own names (which judge values) only the names would be checked
    load_scenario_text(text, "s.yaml", coefficient_names=set(coefficient_names()))
    # PyYAML reads 1e400 and 1e-3 (no dot) as text, which the schema turns into numbers
    text = MINIMAL.replace(
        "obstacles:\n",
        'rules:\n  rout_threshold: 1e400\n  killed_fraction: "2"\n  assault_steps_per_hour: 2.5\n'
        "  wire_rounds_per_line: 0\n  night_fire_factor: 1e-3\nobstacles:\n",
        1,
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "s.yaml", coefficient_names=coefficient_names())
    assert [str(p) for p in caught.value.problems] == [
        "s.yaml:70:19: rule coefficient 'rout_threshold': expected a number >= 0, <= 1, got inf",
        "s.yaml:71:20: rule coefficient 'killed_fraction': expected a number >= 0, <= 1, got 2",
        "s.yaml:72:27: rule coefficient 'assault_steps_per_hour':"
        " expected a whole number > 0, got 2.5",
        "s.yaml:73:25: rule coefficient 'wire_rounds_per_line': expected a number > 0, got 0",
    ]


def _log(tmp_path: Path) -> list[str]:
    scenario = load_scenario_text(MINIMAL).scenario
    path = tmp_path / "game.jsonl"
    header = {"scenario": str(MINIMAL_PATH), "scenario_hash": "", "seed": 3, "overrides": {}}
    write_log(path, play(scenario, 3), header)
    return path.read_text(encoding="utf-8").splitlines()


def _with_header(lines: list[str], **changes) -> list[str]:
    return [json.dumps({**json.loads(lines[0]), **changes}), *lines[1:]]


def _with_orders(lines: list[str], orders) -> list[str]:
    first = next(k for k, line in enumerate(lines) if '"kind": "orders"' in line)
    changed = json.dumps({"kind": "orders", "turn": 0, "orders": orders})
    return [*lines[:first], changed, *lines[first + 1 :]]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda lines: ["5", *lines[1:]], 'game.jsonl:1: expected a JSON object with a "kind"'),
        (lambda lines: lines[1:], 'game.jsonl:1: expected the header line first, found "orders"'),
        (lambda lines: [lines[0], *lines], "game.jsonl:2: a game log has one header line"),
        (
            lambda lines: _with_header(lines, seed="x"),
            "game.jsonl:1: the header's seed must be a whole number from 0, not 'x'",
        ),
        (lambda lines: _with_header(lines, overrides=[1]), "the header's overrides must be an"),
        (lambda lines: _with_header(lines, dice=5), "the header's dice must be a name, not 5"),
        (
            lambda lines: _with_header(lines, dice="pcg64"),
            "cannot replay the log: the log was made with other dice (pcg64)",
        ),
        (
            lambda lines: _with_header(lines, overrides={"killed_fraction": 9}),
            "cannot replay the log: the header's overrides: rule coefficient 'killed_fraction'",
        ),
        (
            lambda lines: _with_header(lines, overrides={"nonexistent": 1}),
            "the header's overrides: unknown rule coefficient 'nonexistent'",
        ),
        (lambda lines: _with_orders(lines, 5), 'an orders line needs "orders", a list of order'),
        (
            lambda lines: _with_orders(lines, ["move red_1 999999"]),
            "cannot replay the log: turn 1: order 'move red_1 999999': no such hex",
        ),
        (lambda lines: _with_orders(lines, ["move nobody 3"]), "names no known unit"),
        (lambda lines: _with_orders(lines, ["bombard red_1 3 -5"]), "needs a hex number"),
        (lambda lines: lines[:-1], "the log has no final line"),
        (lambda lines: [], "empty; a game log starts with its header line"),
    ],
)
def test_a_broken_game_log_is_refused_with_its_line(
    change, expected, tmp_path: Path, capsys
) -> None:
    log = tmp_path / "game.jsonl"
    log.write_text("\n".join(change(_log(tmp_path))) + "\n", encoding="utf-8")
    code, last = run_cli(["replay", str(log)], capsys)
    assert code == 1
    assert expected in last


def test_a_game_log_past_the_size_cap_is_not_read(tmp_path: Path) -> None:
    log = tmp_path / "huge.jsonl"
    with log.open("wb") as handle:
        handle.truncate(MAX_LOG_BYTES + 1)  # sparse: no disk used
    with pytest.raises(ValueError, match="more than a game log's"):
        read_log(log)


def test_a_hand_edited_save_is_refused_with_a_reason(tmp_path: Path) -> None:
    """The window's Load and `wargame play --load` catch SaveError only: anything else a save's
    header or ui block can hold must become one."""
    from engine.ui.session import SaveError, Session

    session = Session(load_scenario(MINIMAL_PATH, coefficient_names=coefficient_names()), seed=3)
    session.end_turn()
    path = tmp_path / "save.jsonl"
    session.save(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert Session.load(path).state.state_hash() == session.state.state_hash()

    def load_with(**changes) -> None:
        path.write_text("\n".join(_with_header(lines, **changes)) + "\n", encoding="utf-8")
        Session.load(path)

    load_with(ui=None)  # a log without the window's block loads as a plain game
    header = json.loads(lines[0])
    for changes, reason in (
        ({"overrides": {"foot_speed_kmh": 0}}, "expected a number > 0, got 0"),
        (
            {"overrides": {"foo": 1}},
            "cannot restore the saved game: unknown rule coefficient 'foo'",
        ),
        ({"scenario": [1]}, "the save names no scenario file"),
        ({"ui": {**header["ui"], "humans": 3}}, "cannot restore the saved game"),
        ({"ui": {**header["ui"], "pending": ["zzz red_1 3"]}}, "unknown order 'zzz red_1 3'"),
        ({"ui": {**header["ui"], "pending": ["move red_1 999999"]}}, "hex 999999 is off the map"),
        ({"ui": {**header["ui"], "standing": ["bombard red_1 3"]}}, "has no guns or mortars"),
    ):
        with pytest.raises(SaveError, match=reason.replace("(", r"\(")):
            load_with(**changes)


def test_two_saves_in_one_second_get_two_files(tmp_path: Path, monkeypatch) -> None:
    from datetime import datetime

    from engine.ui import session as session_module

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 1, 2, 3, 4, 5)

    monkeypatch.setattr(session_module, "datetime", Frozen)
    game = session_module.Session(
        load_scenario(MINIMAL_PATH, coefficient_names=coefficient_names()), seed=3
    )
    names = []
    for _ in range(3):
        names.append(session_module.save_name(game, tmp_path))
        game.save(tmp_path / names[-1])
    assert names == [
        "minimal_test-1945-05-21-0500-turn001-20260102-030405.jsonl",
        "minimal_test-1945-05-21-0500-turn001-20260102-030405-2.jsonl",
        "minimal_test-1945-05-21-0500-turn001-20260102-030405-3.jsonl",
    ]
