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
