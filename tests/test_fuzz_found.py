"""Each class of file that the fuzzer (benchmarks/fuzz_scenarios.py) found giving a traceback, or
validating and then crashing the game, with the one located message it now gets.

The cases start from tests/data/minimal.yaml and break one thing, as in test_scenario_errors.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import history
from engine.cli import main
from engine.headless import play
from engine.scenario import ScenarioError, load_scenario, load_scenario_text

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")


def problems(old: str, new: str) -> list[str]:
    assert old in MINIMAL, f"fixture text {old!r} not found"
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(MINIMAL.replace(old, new, 1), "m.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    men: 40\n",
            "    men: !!int x\n",
            "m.yaml:57:10: 'x' is not a whole number, as its tag !!int says;"
            " fix the value or drop the tag",
        ),
        (
            "speed_factor: 0.5,",
            "speed_factor: !!float abc,",
            "m.yaml:44:42: 'abc' is not a number, as its tag !!float says;"
            " fix the value or drop the tag",
        ),
        (
            "fordable: true}",
            "fordable: !!bool maybe}",
            "m.yaml:39:41: 'maybe' is not true or false, as its tag !!bool says;"
            " fix the value or drop the tag",
        ),
        (
            "summary: Two platoons and a stream.",
            "summary: !!binary aGVsbG8=",
            "m.yaml:10:12: binary data (!!binary) has no place in a scenario; write text",
        ),
    ],
    ids=["int", "float", "bool", "binary"],
)
def test_explicit_tag_whose_value_does_not_parse(old: str, new: str, expected: str) -> None:
    assert problems(old, new) == [expected]


@pytest.mark.parametrize(
    ("char", "column", "name"),
    [("\x0c", 15, "U+000C (FORM FEED)"), ("\x7f", 15, "U+007F (DEL)"), ("\u2028", 15, None)],
    ids=["form_feed", "del", "line_separator"],
)
def test_control_characters(char: str, column: int, name: str | None) -> None:
    found = problems("situation: A test.", f"situation: A{char}test.")
    name = name or "U+2028 (LINE SEPARATOR)"
    assert found == [
        f"m.yaml:11:{column}: character {name} is not allowed in a scenario file;"
        " remove it (write line breaks as plain new lines)"
    ]


def test_start_near_the_year_9999() -> None:
    assert problems("start: 1945-05-21T05:00", "start: 9999-12-31T20:00") == [
        "m.yaml:17:10: the game would end after 9999-12-29, the last day the engine can count"
        " to: 6 turns of 60 minutes from 9999-12-31 20:00; start earlier or play fewer turns"
    ]


def test_turns_that_run_the_clock_past_the_calendar() -> None:
    text = MINIMAL.replace("start: 1945-05-21T05:00", "start: 9999-12-01T05:00").replace(
        "turn_minutes: 60", "turn_minutes: 1440"
    )
    text = text.replace("turns: 6", "turns: 400")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "m.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "m.yaml:17:10: the game would end after 9999-12-29, the last day the engine can count"
        " to: 400 turns of 1440 minutes from 9999-12-01 05:00; start earlier or play fewer turns"
    ]


def test_a_game_at_the_end_of_the_calendar_plays_to_the_end() -> None:
    text = MINIMAL.replace("start: 1945-05-21T05:00", "start: 9999-12-29T17:00")
    scenario = load_scenario_text(text, "m.yaml").scenario
    for mode in ("plan", "adaptive"):
        record = play(scenario, 1, ai_modes={0: mode, 1: mode})
        assert record.state.finished
        assert [c.game for c in history.compare(record.state)] == [True]


def test_turn_length_too_large_for_machine_integers() -> None:
    assert problems("turn_minutes: 60", "turn_minutes: 99999999999999999999") == [
        "m.yaml:16:17: clock.turn_minutes: expected a number <= 1440, got 99999999999999999999"
    ]


def test_integer_of_200000_digits() -> None:
    assert problems("    men: 40\n", "    men: " + "9" * 200_000 + "\n") == [
        "m.yaml:57:10: a number of 200,000 digits; no value in a scenario needs more than a few"
        " (Python reads at most 4,300)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "hexes: [[3, 0], [3, 2]]",
            "hexes: [[3, 0], [3.0, 7]]",
            "m.yaml:70:34: hex [3, 7] is off the map; columns run 0..4 and rows 0..2",
        ),
        (
            "at: [0, 1]",
            "at: [0, 1e1]",
            "m.yaml:60:9: hex [0, 10] is off the map; columns run 0..4 and rows 0..2",
        ),
    ],
    ids=["fraction", "exponent"],
)
def test_hex_the_schema_converts_is_checked_as_converted(old: str, new: str, expected: str) -> None:
    """The game read [3.0, 7] as [3, 7] (pydantic converts) while the cross-checks skipped it
    as not a pair of whole numbers: the game then raised IndexError."""
    assert problems(old, new) == [expected]


def test_a_number_where_a_place_id_belongs() -> None:
    assert problems("    place: hill\n", "    place: 3\n") == [
        "m.yaml:78:12: history[0] (held).place: expected text, got 3"
    ]


def test_start_time_with_a_time_zone() -> None:
    assert problems("start: 1945-05-21T05:00", "start: 1945-05-21T05:00:00+09:00") == [
        "m.yaml:15:10: clock.start: expected the battle's local time without a time zone,"
        " got 1945-05-21T05:00:00+09:00"
    ]


def test_time_zone_elsewhere_is_compared_with_nothing() -> None:
    """A zoned time where the schema also fails elsewhere: the cross-checks read the raw data,
    and comparing it with the local start raised TypeError."""
    text = MINIMAL.replace(
        "{side: red, kind: capture, place: hill}",
        "{side: red, kind: capture, place: hill, by: 1945-05-21T08:00:00+09:00}",
    ).replace("    men: 40\n", "    men: -1\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "m.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "m.yaml:57:10: units[0] (red_1).men: expected a number >= 0, got -1",
        "m.yaml:73:49: victory[1].by: expected the battle's local time without a time zone,"
        " got 1945-05-21T08:00:00+09:00",
    ]


def test_column_after_invalid_utf8_counts_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "小溪" are two characters but six bytes: the bad byte is the 36th character of line 37
    # (the 40th byte).
    data = MINIMAL.encode("utf-8").replace("zh: 小溪}".encode(), "zh: 小溪".encode() + b"\xff}")
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    line = MINIMAL.splitlines()[36]
    assert line.index("}") + 1 == 36
    assert err[0] == f"{path}:37:36: byte 0xff is not valid UTF-8; save the file as UTF-8"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "water: true,",
            "water: yes,",
            "m.yaml:45:37: terrain.water.water: expected true or false, got the text 'yes';"
            " write true or false (YAML 1.2, which editors use, reads 'yes' as text)",
        ),
        (
            "start: 1945-05-21T05:00",
            "start: 1945-05-21",
            "m.yaml:15:10: clock.start: expected a date and time like 1945-05-21T05:00"
            " (a date alone lacks the time of day), got 1945-05-21",
        ),
        (
            "start: 1945-05-21T05:00",
            'start: "1945-13-41T05:00"',
            "m.yaml:15:10: clock.start: expected a date and time like 1945-05-21T05:00,"
            " got the text '1945-13-41T05:00'",
        ),
        (
            'starts: "19:30"',
            'starts: "25:00"',
            'm.yaml:18:22: clock.darkness.starts: expected a time of day like "19:30",'
            " got the text '25:00'",
        ),
        (
            "    men: 40\n",
            "    men: .nan\n",
            "m.yaml:57:10: units[0] (red_1).men: expected a finite number, got nan",
        ),
        (
            "hex: [3, 1]}",
            "hex: [3, 1], elevation_m: .inf}",
            "m.yaml:41:74: map.places[0] (hill).elevation_m: expected a finite number, got inf",
        ),
    ],
    ids=["yes", "date_only", "month_13", "hour_25", "nan", "inf"],
)
def test_loader_as_strict_as_the_editor_schema(old: str, new: str, expected: str) -> None:
    assert problems(old, new) == [expected]


def test_validate_exits_1_without_traceback_on_each_class(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for index, (old, new) in enumerate(
        [
            ("    men: 40\n", "    men: !!int x\n"),
            ("situation: A test.", "situation: A\x0ctest."),
            ("    men: 40\n", "    men: " + "9" * 200_000 + "\n"),
        ]
    ):
        path = tmp_path / f"case{index}.yaml"
        path.write_text(MINIMAL.replace(old, new, 1), encoding="utf-8")
        assert main(["validate", str(path)]) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert err.splitlines()[0].startswith(f"{path}:")
        with pytest.raises(ScenarioError):
            load_scenario(path)


# --------------------------------------------------------------- overlays and game logs
# Found by benchmarks/fuzz_inputs.py: overlays applied with --variant, logs read by replay.

FURONG = Path(__file__).resolve().parent.parent / "scenarios" / "furong_mountain.yaml"


def _variant_errors(tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    overlay = tmp_path / "v.yaml"
    overlay.write_text("name: v\n" + body, encoding="utf-8")
    assert main(["run", str(FURONG), "--variant", str(overlay), "-q"]) == 1
    return [line for line in capsys.readouterr().err.splitlines() if line]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "shift:\n  victory[side=ija].by: 80000000h\n",
            "v.yaml:3:3: shift victory[side=ija].by: victory[1].by would move out of the"
            " calendar (years 1 to 9999)",
        ),
        (
            "shift:\n  clock.start: 99999999999999999999h\n",
            "v.yaml:3:16: shift clock.start: 99999999999999999999h is longer than the calendar"
            " (at most 3,652,059 days)",
        ),
        (
            "scale:\n  clock.turns: .inf\n",
            "v.yaml:3:16: scale clock.turns: expected a finite number",
        ),
        (
            "scale:\n  clock.turns: 1e308\n",
            "v.yaml:3:3: scale clock.turns: clock.turns times 1e+308 is too large",
        ),
        (
            "set:\n  units[id=roc_1st_company].men: -5\n",
            "v.yaml:3:3: units[2] (roc_1st_company).men: expected a number >= 0, got -5",
        ),
    ],
    ids=["shift_past_9999", "shift_longer_than_calendar", "scale_inf", "scale_overflow", "merged"],
)
def test_overlay_problems_are_located_in_the_overlay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, expected: str
) -> None:
    found = _variant_errors(tmp_path, body, capsys)
    assert [line.replace(str(tmp_path) + "/", "") for line in found] == [expected]


def test_a_removal_written_twice_removes_once(tmp_path: Path) -> None:
    from engine.cli.common import variant_scenario

    overlay = tmp_path / "twice.yaml"
    overlay.write_text(
        "name: twice\nremove:\n  - air_strikes[side=roc]\n  - air_strikes[side=roc]\n",
        encoding="utf-8",
    )
    loaded = variant_scenario(str(FURONG), [str(overlay)])
    assert [s for s in loaded.scenario.air_strikes if s.side == "roc"] == []


def _saved_log(tmp_path: Path) -> Path:
    from engine.game import Game

    game = Game.load(FURONG, seed=3)
    for side in (0, 1):
        game.apply_orders(side, game.computer_orders(side))
    game.end_turn()
    return game.save(tmp_path / "game.jsonl")


@pytest.mark.parametrize(
    ("header_change", "line_text", "expected"),
    [
        (
            {"version": {}},
            None,
            "game.jsonl:1: the header's version must be a whole number from 1,"
            " not {}; not a game log that can be replayed",
        ),
        (
            {"version": 9},
            None,
            "game.jsonl:1: a log of version 9, newer than this engine reads (2);"
            " update the engine; not a game log that can be replayed",
        ),
        (
            {"scenario": ""},
            None,
            "game.jsonl:1: the header names no scenario file; give it with --scenario",
        ),
        (
            {"scenario": "/nowhere/gone.yaml"},
            None,
            "game.jsonl:1: the header's scenario"
            " /nowhere/gone.yaml: no such file (looked beside the log, in ./scenarios and among the"
            " shipped scenarios); give it with --scenario",
        ),
        (
            None,
            b'{"kind": "orders", "turn": 0, "orders": ["\xff"]}',
            "game.jsonl:2: not UTF-8"
            " text (byte 0xff at byte 43 of the line); not a game log that can be replayed",
        ),
        (
            None,
            b"[" * 100_000 + b"]" * 100_000,
            "game.jsonl:2: a JSON value nested too deep; not a game log that can be replayed",
        ),
        (
            None,
            b'{"kind": "orders", "turn": ' + b"9" * 5000 + b"}",
            "game.jsonl:2: not a JSON"
            " line (Exceeds the limit (4300 digits) for integer string conversion: value has 5000"
            " digits; use sys.set_int_max_str_digits() to increase the limit); not a game log that"
            " can be replayed",
        ),
    ],
    ids=[
        "version_not_a_number",
        "version_newer",
        "no_scenario",
        "scenario_gone",
        "bad_utf8",
        "deep_nesting",
        "huge_integer",
    ],
)
def test_broken_logs_get_one_located_line_from_replay(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    header_change: dict | None,
    line_text: bytes | None,
    expected: str,
) -> None:
    import json

    from engine.game import Game

    path = _saved_log(tmp_path)
    lines = path.read_bytes().split(b"\n")
    if header_change is not None:
        lines[0] = json.dumps({**json.loads(lines[0]), **header_change}).encode()
    if line_text is not None:
        lines[1] = line_text
    path.write_bytes(b"\n".join(lines))
    capsys.readouterr()
    assert main(["replay", str(path)]) == 1
    said = capsys.readouterr().err.splitlines()
    assert [line.replace(str(tmp_path) + "/", "") for line in said] == [expected]
    if header_change is None or "version" in header_change:
        with pytest.raises(ValueError, match=r"game\.jsonl:"):
            Game.load_save(path)


def test_a_saved_game_of_a_variant_loads_in_the_window(tmp_path: Path) -> None:
    """`wargame play --load` of a variant's game: the save has no scenario file, only its text
    (it used to be refused as naming no scenario file)."""
    from engine.cli.common import variant_scenario
    from engine.game import Game
    from engine.ui.session import Session

    variant = FURONG.parent / "variants" / "furong_no_minefield.yaml"
    game = Game(variant_scenario(str(FURONG), [str(variant)]), seed=4)
    for side in (0, 1):
        game.apply_orders(side, game.computer_orders(side))
    game.end_turn()
    saved = game.save(tmp_path / "variant.jsonl")
    session = Session.load(saved)
    assert session.state.turn == game.state.turn
    assert session.state.state_hash() == game.state.state_hash()
    assert not any(o.kind == "minefield" for o in session.scenario.obstacles)
    assert main(["replay", str(saved)]) == 0
