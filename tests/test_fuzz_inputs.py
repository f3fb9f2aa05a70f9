"""A short seeded slice of the overlay and game-log fuzzer (benchmarks/fuzz_inputs.py): no
traceback, hang or unlocated message from `run --variant`, `batch --variant`, `replay`,
`Game.load_save` or `play --load`; and the harness sees the failures it counts."""

from __future__ import annotations

import importlib.util
import random
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _module(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_module("fuzz_scenarios")
fuzz = _module("fuzz_inputs")


def test_seeded_slice_finds_nothing() -> None:
    started = time.perf_counter()
    summary = fuzz.run(seed=18, count=24, max_turns=2)
    assert summary.cases == 24
    assert summary.validated > 0, "no mutated overlay validated and no log replayed"
    assert summary.refused > 0
    assert summary.failures == 0, summary.text()
    assert time.perf_counter() - started < 60


def test_cases_depend_only_on_the_seed() -> None:
    base = fuzz.VARIANTS[0].read_bytes()
    assert fuzz.make_overlay_case(random.Random("7:3"), base) == fuzz.make_overlay_case(
        random.Random("7:3"), base
    )


def test_an_unlocated_replay_message_is_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def vague(argv: list[str]) -> int:
        print("something went wrong", file=sys.stderr)
        return 1

    monkeypatch.setattr(fuzz, "cli_main", vague)
    _, failures = fuzz.run_log_case(
        b"not a log\n", seed=1, workdir=tmp_path, max_turns=1, timeout=5.0
    )
    assert "unlocated" in [f.kind for f in failures]


def test_an_overlay_traceback_is_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str, variants: list[str]) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(fuzz, "variant_scenario", broken)
    base = fuzz.VARIANTS[0].read_bytes()
    _, failures = fuzz.run_overlay_case(base, seed=1, workdir=tmp_path, max_turns=1, timeout=5.0)
    assert [f.kind for f in failures] == ["traceback"]
    assert failures[0].signature.startswith("OverflowError in run --variant at ")


def test_a_problem_in_no_real_file_is_counted() -> None:
    from engine.scenario.errors import Problem

    found = fuzz.check_located(
        [Problem("a.yaml + b.yaml", 3, 1, "x"), Problem("b.yaml", 1, 1, "fine")],
        {"b.yaml": b"name: v\n"},
    )
    assert [f.kind for f in found] == ["unlocated"]
