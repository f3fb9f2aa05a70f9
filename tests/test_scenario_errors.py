"""Bad input: each case gets clear, located messages, exit code 1, no traceback, nothing written.

The cases start from tests/data/minimal.yaml and break one thing, so each expected message can be
pinned exactly, line and column included.
"""

from __future__ import annotations

import subprocess
import sys
import time
from math import inf
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.scenario import ScenarioError, load_scenario, load_scenario_text
from engine.scenario.yaml_source import MAX_FILE_BYTES

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str, *, count: int = 1) -> Path:
    assert MINIMAL.count(old) >= count, f"fixture text {old!r} not found"
    path = tmp_path / "broken.yaml"
    path.write_text(MINIMAL.replace(old, new, count), encoding="utf-8")
    return path


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    files_before = set(path.parent.iterdir()) if path.parent.exists() else set()
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if path.parent.exists():
        assert set(path.parent.iterdir()) == files_before, "validate must not write files"
    return code, err.strip().splitlines()


def test_minimal_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DATA / "minimal.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Red: 1 units, 40 men" in out
    assert "5 x 3 hexes of 100 m" in out


def test_yaml_syntax_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path, "    men: 40\n", "    men: [40\n")
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0].startswith(f"{path}:58:")
    assert "YAML syntax error" in lines[0]


def test_tab_indentation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path, "    men: 40\n", "\tmen: 40\n")
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0] == f"{path}:57:1: tab in indentation; YAML indents with spaces"


def test_wrong_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path, "    men: 40\n", "    men: forty\n")
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0] == (
        f"{path}:57:10: units[0] (red_1).men: expected a whole number, got the text 'forty'"
    )


def test_negative_men(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path, "    men: 40\n", "    men: -40\n")
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0] == f"{path}:57:10: units[0] (red_1).men: expected a number >= 0, got -40"


def test_unknown_key_with_near_miss(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path, "    officers: 1\n", "    oficers: 1\n")
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0] == (
        f"{path}:58:5: unknown key 'oficers' in units[0] (red_1); did you mean 'officers'?"
    )


def test_unknown_key_without_near_miss_lists_choices(tmp_path: Path) -> None:
    text = MINIMAL.replace("    officers: 1\n", "    zzz: 1\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "x.yaml")
    message = str(caught.value.problems[0])
    assert message.startswith("x.yaml:58:5: unknown key 'zzz' in units[0] (red_1); expected one of")
    assert "'men'" in message


def test_unit_off_the_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path, "    at: [0, 1]\n", "    at: [7, 1]\n")
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0] == (f"{path}:60:9: hex [7, 1] is off the map; columns run 0..4 and rows 0..2")


def test_undefined_weapon(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path, "[{weapon: rifle, count: 28}]", "[{weapon: rilfe, count: 28}]")
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0] == f"{path}:66:24: unknown weapon 'rilfe'; did you mean 'rifle'?"


def test_duplicate_unit_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path, "  - id: blue_1\n", "  - id: red_1\n")
    code, lines = validate(path, capsys)
    assert code == 1
    assert f"{path}:61:9: duplicate unit id 'red_1' (first used at line 53)" in lines


def test_duplicate_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = broken(tmp_path, "    men: 40\n", "    men: 40\n    men: 45\n")
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0].startswith(f"{path}:58:5: duplicate key 'men' (first given at line 57)")


def test_every_problem_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace("    officers: 1\n", "    oficers: 1\n")
        .replace("[{weapon: rifle, count: 28}]", "[{weapon: rilfe, count: 28}]")
        .replace("    at: hill\n", "    at: hil\n")
        .replace("kind: wire", "kind: wyre")
        .replace("metric: position_held", "metric: position_hold")
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "x.yaml")
    messages = [str(p) for p in caught.value.problems]
    assert messages == [
        "x.yaml:58:5: unknown key 'oficers' in units[0] (red_1); did you mean 'officers'?",
        "x.yaml:66:24: unknown weapon 'rilfe'; did you mean 'rifle'?",
        "x.yaml:67:9: unknown place 'hil'; did you mean 'hill'?",
        "x.yaml:70:12: unknown kind 'wyre' in obstacles[0]; did you mean 'wire'?",
        "x.yaml:76:13: history[0] (held).metric: the text 'position_hold' is not allowed;"
        " did you mean 'position_held'?",
    ]


def test_file_over_the_size_cap_is_refused_without_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # a sparse 50 MB file: cheap to make, refused by size
        handle.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0] == (
        f"{path}: file is 52,428,800 bytes; scenario files are limited to {MAX_FILE_BYTES:,}"
    )
    assert time.perf_counter() - started < 1.0


def test_very_deep_nesting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    code, lines = validate(path, capsys)
    assert code == 1
    assert "nested deeper than 40 levels" in lines[0]


def test_alias_bomb_is_refused_quickly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines_ = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(ord("b"), ord("j")):
        previous = chr(level - 1)
        lines_.append(f"{chr(level)}: &{chr(level)} [" + ",".join([f"*{previous}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines_) + "\n", encoding="utf-8")
    started = time.perf_counter()
    code, lines = validate(path, capsys)
    assert code == 1
    assert "aliases expand to more than 10,000 values" in lines[0]
    assert time.perf_counter() - started < 1.0


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text("a: &a [*a]\n", "r.yaml")
    assert "nested deeper" in str(caught.value)


def test_bytes_that_are_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: x\nname: caf\xe9\n".encode("latin-1"))
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0] == f"{path}:2:10: byte 0xe9 is not valid UTF-8; save the file as UTF-8"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text(text, encoding="utf-8")
    code, lines = validate(path, capsys)
    assert code == 1
    assert lines[0] == f"{path}: file is empty; expected a scenario (see `wargame schema`)"


def test_directory_given_as_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = validate(tmp_path, capsys)
    assert code == 1
    assert lines[0] == (
        f"{tmp_path}: is a directory; expected a scenario YAML file (e.g. scenarios/<name>.yaml)"
    )


def test_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = validate(tmp_path / "nope.yaml", capsys)
    assert code == 1
    assert (
        lines[0]
        == f"{tmp_path / 'nope.yaml'}: no such file; expected the path of a scenario YAML file"
    )


def test_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text("- 1\n- 2\n", "l.yaml")
    assert str(caught.value) == "l.yaml:1:1: expected a mapping of scenario sections, got a list"


def test_times_of_day_need_no_quotes() -> None:
    """YAML 1.1 would read 19:30 as the number 1170; the loader keeps it as a time."""
    text = MINIMAL.replace('{starts: "19:30", ends: "05:00"}', "{starts: 19:30, ends: 05:00}")
    loaded = load_scenario_text(text)
    assert loaded.scenario.clock.darkness.starts.hour == 19


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # pydantic would read a number as seconds since 1970, UTC, and a game would start then
        (
            "start: 1945-05-21T05:00",
            "start: 999999",
            "15:10: clock.start: expected a date and time like 1945-05-21T05:00, got 999999",
        ),
        # a zone would set this time apart from every other, which has none (found by fuzzing:
        # the game stopped with a TypeError when it compared them)
        (
            "start: 1945-05-21T05:00",
            "start: 1945-05-21T05:00+08:00",
            "15:10: clock.start: expected the battle's local time without a time zone,"
            " got the text '1945-05-21T05:00+08:00'",
        ),
        (
            'starts: "19:30"',
            "starts: 999",
            '18:22: clock.darkness.starts: expected a time of day like "19:30", got 999',
        ),
    ],
)
def test_times_are_local_dates_and_times_not_numbers(old: str, new: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(MINIMAL.replace(old, new, 1), "s.yaml")
    assert [str(p) for p in caught.value.problems] == [f"s.yaml:{expected}"]


@pytest.mark.parametrize("fast", [False, True])  # the editor composes with libyaml
def test_numbers_with_an_exponent_and_no_dot_are_numbers(fast: bool) -> None:
    """PyYAML (YAML 1.1) reads 1e-3 as text; the loader reads it as YAML 1.2 and people do.
    Quoted or tagged !!str, it stays text; a time of day stays a time."""
    import yaml

    from engine.scenario.yaml_source import Dumper, parse

    text = "a: 1e-3\nb: '1e-3'\nc: -1.5E+3\nd: x1e3\ne: 19:30\nf: 1e400\ng: !!str 2e5\n"
    data, _ = parse(text, "t.yaml", fast=fast)
    assert data == {
        "a": 0.001, "b": "1e-3", "c": -1500.0, "d": "x1e3", "e": "19:30", "f": inf, "g": "2e5"
    }  # fmt: skip
    written = yaml.dump({"name": "1e3"}, Dumper=Dumper)
    assert written == "name: '1e3'\n" and parse(written, "w.yaml")[0] == {"name": "1e3"}
    assert yaml.safe_load("x: 1e3") == {"x": "1e3"}, "PyYAML's own loader is left as it is"
    from engine.sim.overlay import dump_scenario  # what a batch writes of a what-if scenario

    assert parse(dump_scenario({"name": "2E5", "n": 2e5}), "d.yaml")[0] == {"name": "2E5", "n": 2e5}
    text = MINIMAL.replace("    men: 40\n", "    men: 4e1\n", 1)
    assert load_scenario_text(text).scenario.units[0].men == 40


# ------------------------------------------------------------------ semantic checks, located


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    at: [0, 1]\n",
            "    at: [4, 1]\n",
            "60:9: unit 'red_1' stands on impassable terrain at [4, 1]",
        ),
        (
            "{kind: wire, hexes: [[3, 0], [3, 2]], lines: 1}",
            "{kind: wire, hexes: [[2, 0], [3, 2]], lines: 1}",
            "70:26: wire on water at [2, 0]",
        ),
        (
            "obstacles:\n",
            "reinforcements:\n  - {time: 1945-05-21T12:00, at: [0, 0], units: "
            "[red_1]}\nobstacles:\n",
            "60:9: unit 'red_1' has a start hex and also arrives as a reinforcement; remove one",
        ),
        (
            "obstacles:\n",
            "air_strikes:\n  - {side: red, time: 1945-05-22T09:00, target: [1, 1],"
            " sorties: 2, weapon: rifle}\nobstacles:\n",
            "70:23: air strike at 1945-05-22 09:00 is outside the game, which runs from"
            " 1945-05-21 05:00 to 1945-05-21 11:00",
        ),
        (
            "obstacles:\n",
            "air_strikes:\n  - {side: red, time: 1945-05-21T09:00, target: [1, 9],"
            " sorties: 2, weapon: rifle}\nobstacles:\n",
            "70:49: hex [1, 9] is off the map; columns run 0..4 and rows 0..2",
        ),
        (
            "obstacles:\n",
            "plans:\n  - side: red\n    phases:\n      - {id: go, name: Go, start:"
            " 1945-05-21T05:00, task: attack, units: [blue_1], objective: hill}\n"
            "obstacles:\n",
            "72:75: unit 'blue_1' belongs to side 'blue', not to 'red' whose plan this is",
        ),
        (
            "metric: position_held",
            "metric: killed",
            "78:12: metric 'killed' does not measure a place; remove `place`",
        ),
        (
            "  terrain: |\n    ..~^^\n",
            "  terrain: |\n    ..~^Q\n",
            "25:9: 'Q' at [col 4, row 0] is not in map.legend ('.', 'X', '^', '~')",
        ),
        (
            "  terrain: |\n    ..~^^\n",
            "  terrain: |\n    ..~^\n",
            "25:5: map.terrain row 0 has 4 characters; map.width says 5",
        ),
        (
            "    at: [0, 1]\n",
            "    at: [3, 1]\n",
            "67:9: unit 'blue_1' of side 'blue' starts at [3, 1], where side 'red' stands;"
            " a hex holds one side's units",
        ),
        (
            "  - {side: red, kind: capture, place: hill}",
            "  - {side: red, kind: exit, place: [1, 1], men: 10}",
            "73:36: an 'exit' place must be on the map's edge, where units leave the map;"
            " [1, 1] is not",
        ),
        (
            "      path: [[2, 0], [2, 2]]",
            "      path: [[1, 0], [1, 2]]",
            "38:13: river 'stream' runs through 3 hexes that map.terrain does not mark as water,"
            " first [1, 0]; draw the river in map.terrain with a water terrain character",
        ),
    ],
)
def test_semantic_problem_is_located(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(MINIMAL.replace(old, new, 1), "s.yaml")
    assert f"s.yaml:{expected}" in [str(p) for p in caught.value.problems]


def test_rule_override_names_are_checked_when_known() -> None:
    text = MINIMAL.replace("obstacles:\n", "rules: {night_fire_factr: 0.4}\nobstacles:\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "r.yaml", coefficient_names={"night_fire_factor"})
    assert [str(p) for p in caught.value.problems] == [
        "r.yaml:69:9: unknown rule coefficient 'night_fire_factr'; did you mean"
        " 'night_fire_factor'?"
    ]


def test_cli_subprocess_has_no_traceback(tmp_path: Path) -> None:
    path = broken(tmp_path, "    men: 40\n", "    men: [40\n")
    result = subprocess.run(
        [sys.executable, "-m", "engine", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"{path}:58:")


def test_load_scenario_accepts_path_objects() -> None:
    loaded = load_scenario(DATA / "minimal.yaml")
    assert loaded.scenario.units[1].at == "hill"
    assert loaded.scenario.units[0].at == (0, 1)


# -------------------------------------------------------------- mutated files, never a traceback

# Values of every YAML kind, and some that are valid somewhere but not everywhere.
_ODD_VALUES = [
    "-1", "0", "1e9", ".nan", ".inf", "''", "null", "[]", "{}", "[1, 2]", "[[0, 0]]", "yes",
    "x", "999999", "-5.5", "1945-05-21T05:00", "1945-05-21T05:00+08:00", '"19:30"', "red_1",
    "hill", "stream", "{a: 1}", "[x, {}]",
]  # fmt: skip


# The minimal file with one of each section a check reads (reinforcements, plans, air strikes,
# ammunition, rule overrides, history with units and a window), written a key a line so that
# edits hit them.
RICH = (
    MINIMAL.replace(
        "obstacles:\n",
        """  - id: red_2
    name: {en: Red second platoon}
    side: red
    type: infantry
    men: 20
    weapons:
      - weapon: rifle
        count: 20
reinforcements:
  - time: 1945-05-21T07:00
    at: [0, 0]
    units:
      - red_2
air_strikes:
  - side: red
    time: 1945-05-21T08:00
    target: hill
    sorties: 2
    weapon: rifle
ammunition:
  - side: red
    weapons:
      - rifle
    rounds: 500
plans:
  - side: red
    rear: [0, 1]
    phases:
      - id: go
        name: Go
        start: 1945-05-21T05:00
        end: 1945-05-21T09:00
        task: attack
        units:
          - red_1
          - red_2
        objective: hill
rules:
  killed_fraction: 0.3
  assault_steps_per_hour: 4
  night_speed_factor: 0.5
obstacles:
""",
        1,
    )
    + """  - id: red_losses
    metric: killed
    side: red
    units:
      - red_1
    since: 1945-05-21T06:00
    at: 1945-05-21T10:00
    range:
      min: 1
      max: 30
    whose: test
    source: "assumption: a test"
  - id: crossed
    metric: crossed_by
    side: red
    place: stream
    time_range:
      earliest: 1945-05-21T06:00
      latest: 1945-05-21T11:00
    whose: test
    source: "assumption: a test"
"""
)


def _mutate(text: str, edits: list[tuple[float, int, int]]) -> str:
    lines = text.split("\n")
    for where, operation, pick in edits:
        i = int(where * len(lines)) % len(lines)
        line = lines[i]
        if operation == 0 and ":" in line:  # a key's value replaced
            lines[i] = line.partition(":")[0] + ": " + _ODD_VALUES[pick % len(_ODD_VALUES)]
        elif operation == 1:
            del lines[i]
        elif operation == 2:  # a line repeated elsewhere
            lines.insert(i, lines[pick % len(lines)])
        else:  # indented one step deeper
            lines[i] = "  " + line
    return "\n".join(lines)


def test_the_rich_file_is_valid() -> None:
    from engine.rules.coefficients import coefficient_names

    load_scenario_text(RICH, "rich.yaml", coefficient_names=coefficient_names())


def _loads_or_refused(text: str) -> None:
    """Either located problems, or a scenario that starts a game and plays a turn."""
    from engine.ai.planner import plan_orders
    from engine.rules.coefficients import coefficient_names
    from engine.rules.turn import end_turn, new_game

    try:
        scenario = load_scenario_text(text, "m.yaml", coefficient_names=coefficient_names())
    except ScenarioError as error:
        assert error.problems
        assert all(p.file == "m.yaml" and p.message for p in error.problems)
        return
    state = new_game(scenario.scenario, seed=1)
    end_turn(state, [*plan_orders(state, 0), *plan_orders(state, 1)])
    state.check_invariants()


@pytest.mark.parametrize("value", ["yes", "[[0, 0]]", "{a: 1}", "999999", "x", "''", "1e400"])
def test_every_value_of_the_file_replaced_is_refused_or_plays(value: str) -> None:
    """Each line's value in turn (every key of every section) replaced by a value of another
    kind. (Found: checks that assumed the schema's types, a number read as a time.)"""
    lines = RICH.split("\n")
    for i, line in enumerate(lines):
        key, colon, _ = line.partition(":")
        if colon and key.strip() and not key.strip().startswith("#"):
            _loads_or_refused("\n".join([*lines[:i], f"{key}: {value}", *lines[i + 1 :]]))


@settings(max_examples=60, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 3), st.integers(0, 1000)), min_size=1, max_size=3
    )
)
def test_a_mutated_scenario_is_refused_with_located_problems_or_plays(edits) -> None:
    """Whatever a hand edit does to a file, loading it either gives located problems or a scenario
    that starts a game and plays a turn; never another exception. (Such mutations found a zoned
    time that stopped the game, and checks that assumed the schema's types.)"""
    _loads_or_refused(_mutate(RICH, edits))


def test_history_metric_inside_a_turn_is_a_located_warning() -> None:
    text = MINIMAL.replace("    value: true\n", "    at: 1945-05-21T07:30\n    value: true\n", 1)
    loaded = load_scenario_text(text, "m.yaml")
    assert [str(w) for w in loaded.warnings] == [
        "m.yaml:79:9: warning: history entry 'held' is measured at 1945-05-21 07:30, inside"
        " turn 3 (07:00 to 08:00); the game keeps its tallies at turn boundaries and reads this"
        " one at 1945-05-21 07:00: give a time on a turn boundary"
    ]
    at_seven = "    at: 1945-05-21T07:00\n    value: true\n"
    on_boundary = MINIMAL.replace("    value: true\n", at_seven)
    assert load_scenario_text(on_boundary, "m.yaml").warnings == ()


def test_coefficient_names_are_checked_by_default() -> None:
    """No names given: the rules' own, so a misspelt or out-of-range coefficient is refused."""
    text = MINIMAL.replace(
        "obstacles:\n", "rules:\n  night_fire_factr: 0.5\n  killed_fraction: 2\nobstacles:\n", 1
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "s.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "s.yaml:70:3: unknown rule coefficient 'night_fire_factr'; did you mean"
        " 'night_fire_factor'?",
        "s.yaml:71:20: rule coefficient 'killed_fraction': expected a number >= 0, <= 1, got 2",
    ]
