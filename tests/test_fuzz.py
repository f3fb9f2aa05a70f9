"""A short seeded slice of the scenario fuzzer (benchmarks/fuzz_scenarios.py): no traceback, hang or
unlocated message; and the harness itself sees each kind of failure it counts."""

from __future__ import annotations

import importlib.util
import random
import sys
import time
from pathlib import Path

import pytest

from engine.scenario import Problem, ScenarioError

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "fuzz_scenarios", ROOT / "benchmarks" / "fuzz_scenarios.py"
)
assert _spec is not None and _spec.loader is not None
fuzz = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_scenarios"] = fuzz
_spec.loader.exec_module(fuzz)

MINIMAL = (Path(__file__).parent / "data" / "minimal.yaml").read_bytes()


def test_seeded_slice_finds_nothing() -> None:
    started = time.perf_counter()
    summary = fuzz.run(seed=18, count=160, max_turns=3)
    assert summary.cases == 160
    assert summary.validated > 0, "no mutated file validated: the play half went untested"
    assert summary.failures == 0, summary.text()
    assert time.perf_counter() - started < 120


def test_cases_depend_only_on_the_seed() -> None:
    base = fuzz.SCENARIOS[0].read_bytes()
    first = fuzz.make_case(random.Random("7:3"), base)
    again = fuzz.make_case(random.Random("7:3"), base)
    assert first == again and first


def test_a_traceback_is_counted_with_where_it_was_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path, **_: object) -> None:
        raise KeyError("hill")

    monkeypatch.setattr(fuzz, "load_scenario", broken)
    validated, failures = fuzz.run_case(MINIMAL, seed=1, workdir=tmp_path, max_turns=1, timeout=5.0)
    assert not validated
    assert [f.kind for f in failures] == ["traceback"]
    assert failures[0].signature.startswith("KeyError in validate at ")


def test_a_hang_is_cut_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(path: Path, **_: object) -> None:
        while True:
            time.sleep(0.01)

    monkeypatch.setattr(fuzz, "load_scenario", slow)
    started = time.perf_counter()
    _, failures = fuzz.run_case(MINIMAL, seed=1, workdir=tmp_path, max_turns=1, timeout=0.3)
    assert [f.kind for f in failures] == ["hang"]
    assert time.perf_counter() - started < 3


def test_unlocated_and_mislocated_messages_are_counted() -> None:
    error = ScenarioError(
        [
            Problem("f.yaml", 0, 0, "something about a unit"),
            Problem("f.yaml", 2, 400, "a column past the end of the line"),
            Problem("f.yaml", 0, 0, "file is empty; expected a scenario"),
            Problem("f.yaml", 1, 3, "fine"),
        ]
    )
    failures = fuzz.check_problems(error, b"a: 1\nb: 2\n", "f.yaml")
    assert sorted(f.kind for f in failures) == ["mislocated", "unlocated"]
