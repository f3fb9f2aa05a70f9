"""The JSON Schema editors use must match the models, and must accept the real scenario files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from engine.cli import main
from engine.scenario import json_schema, json_schema_text, load_scenario
from engine.scenario.yaml_source import parse

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "docs" / "scenario.schema.json"
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EXAMPLES = [*SCENARIOS, Path(__file__).parent / "data" / "minimal.yaml"]


def test_committed_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text(), (
        "docs/scenario.schema.json is stale: run `wargame schema -o docs/scenario.schema.json`"
    )


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema()


def test_schema_command_writes_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out" / "schema.json"
    assert main(["schema", "-o", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == json_schema()
    assert [p.name for p in target.parent.iterdir()] == ["schema.json"]


def test_there_are_scenarios() -> None:
    names = {p.name for p in SCENARIOS}
    assert {"furong_mountain.yaml", "shigehiro_pocket.yaml"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_scenario_declares_the_schema_for_editors(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    declared = (path.parent / first.split("$schema=", 1)[1].strip()).resolve()
    assert declared == SCHEMA_FILE


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_scenario_loads_and_passes_the_editor_schema(path: Path) -> None:
    load_scenario(path)  # raises with located problems if not
    # The loader's own reading: like an editor's YAML 1.2 parser, it keeps 05:00 as text.
    data, _ = parse(path.read_text(encoding="utf-8"), str(path))
    jsonschema.validate(_as_json(data), json_schema())


def _as_json(value):
    """What an editor's YAML 1.2 parser would hand the schema: dates and times as text."""
    import datetime as dt

    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_editor_schema_rejects_an_unknown_key() -> None:
    data, _ = parse((ROOT / "tests" / "data" / "minimal.yaml").read_text(encoding="utf-8"), "m")
    data["units"][0]["oficers"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_as_json(data), json_schema())


def _properties(schema: dict) -> list[tuple[str, dict]]:
    found = [(f"Scenario.{name}", prop) for name, prop in schema["properties"].items()]
    for model, definition in schema["$defs"].items():
        found += [(f"{model}.{n}", p) for n, p in definition.get("properties", {}).items()]
    return found


def test_every_property_has_a_description() -> None:
    properties = _properties(json_schema())
    assert len(properties) >= 187
    assert [name for name, prop in properties if not prop.get("description")] == []


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Unit.side", "sides"),
        ("Unit.at", "map.places"),
        ("Unit.parent", "units"),
        ("UnitWeapon.weapon", "weapons"),
        ("AirStrike.target", "map.places"),
        ("Plan.side", "sides"),
        ("PlanPhase.units", "units"),
        ("VictoryCondition.place", "map.places"),
        ("HistoryEntry.place", "map.rivers"),
        ("Reinforcement.units", "units"),
    ],
)
def test_reference_fields_say_what_they_refer_to(name: str, words: str) -> None:
    described = dict(_properties(json_schema()))[name]["description"]
    assert f"`{words}`" in described or words in described
    assert "Lower-case id" not in described


def test_units_are_given_where_a_quantity_has_one() -> None:
    properties = dict(_properties(json_schema()))
    assert "metres" in properties["Minefield.depth_m"]["description"]
    assert "minutes" in properties["Clock.turn_minutes"]["description"]
    assert "Officers" in properties["Unit.officers"]["description"]


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("clock", "start"), "1945-13-41T05:00"),
        (("clock", "start"), "1945-05-21T24:00"),
        (("clock", "start"), "1945-05-21"),
        (("clock", "darkness", "starts"), "25:00"),
        (("clock", "darkness", "starts"), "5:30"),
        (("map", "terrain_water"), "yes"),
    ],
)
def test_editor_schema_and_loader_refuse_alike(where: tuple[str, ...], value: str) -> None:
    """What the editor flags, `wargame validate` refuses, and the other way round."""
    from engine.scenario import ScenarioError, load_scenario_text

    text = (ROOT / "tests" / "data" / "minimal.yaml").read_text(encoding="utf-8")
    data, _ = parse(text, "m")
    if where == ("map", "terrain_water"):
        data["terrain"]["water"]["water"] = value
        text = text.replace("water: true,", f"water: {value},")
    else:
        node = data
        for part in where[:-1]:
            node = node[part]
        node[where[-1]] = value
        old = {"start": "1945-05-21T05:00", "starts": '"19:30"'}[where[-1]]
        text = text.replace(f"{where[-1]}: {old}", f'{where[-1]}: "{value}"', 1)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_as_json(data), json_schema())
    with pytest.raises(ScenarioError):
        load_scenario_text(text, "m.yaml")
