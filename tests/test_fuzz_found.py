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
