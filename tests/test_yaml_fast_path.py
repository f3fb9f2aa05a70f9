"""The scenario reader's libyaml fast path (engine/scenario/yaml_source.py, `parse`) reads every
text exactly as the pure-Python reader does: the same data and marks for a file that reads, the
same problems at the same lines and columns for one that does not. Each test reads the same text
both ways, the pure way by taking the fast loader away as on a PyYAML built without libyaml."""

from __future__ import annotations

import contextlib
import importlib.util
import random
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.scenario import ScenarioError, yaml_source

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(
    [
        *ROOT.glob("scenarios/*.yaml"),
        *ROOT.glob("scenarios/variants/*.yaml"),
        *(ROOT / "tests" / "data").glob("*.yaml"),
    ]
)

pytestmark = pytest.mark.skipif(
    not yaml.__with_libyaml__, reason="PyYAML without libyaml has only the pure reader"
)


def read(text: str, *, pure: bool) -> tuple[Any, ...]:
    """What `parse` makes of `text`: ("ok", data, source map) or ("problems", [messages]). The
    data as its repr, so that 1, 1.0 and True (equal in Python) compare as different."""
    fast_loader = yaml_source.CheckedFastLoader
    if pure:
        yaml_source.CheckedFastLoader = None
    try:
        data, source = yaml_source.parse(text, "t.yaml")
        return ("ok", repr(data), source)
    except ScenarioError as error:
        return ("problems", [str(problem) for problem in error.problems])
    finally:
        yaml_source.CheckedFastLoader = fast_loader


def loaders_used(text: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The loader classes `parse` composed `text` with, in order."""
    used: list[str] = []
    compose = yaml_source._compose_and_build

    def spy(loader_class, *args):
        used.append(loader_class.__name__)
        return compose(loader_class, *args)

    monkeypatch.setattr(yaml_source, "_compose_and_build", spy)
    with contextlib.suppress(ScenarioError):
        yaml_source.parse(text, "t.yaml")
    return used


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_files_take_the_fast_path_and_read_alike(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = path.read_text(encoding="utf-8")
    fast = read(text, pure=False)
    assert fast[0] == "ok"
    assert fast == read(text, pure=True)
    assert loaders_used(text, monkeypatch) == ["CheckedFastLoader"]


# Texts where libyaml alone would read otherwise than the pure reader (each found by comparing
# the two), and the hostile files the caps are for.
DIFFERENT_IN_LIBYAML = {
    "tab between tokens": "a: 1\t\nb: [1,\t2]\n",
    "byte-order mark inside": "a: 1\n\ufeffb: 2\n",
    "comment against a block indicator": "a: |#\n  x\n",
    "non-specific tag": "a: !\nb: 1\n",
    "empty value in a flow mapping": "a: {b: , c: 1}\n",
    "empty key at the end": "?",
    "document marker only": "---",
}
HOSTILE = {
    "block nesting past the cap": "".join(" " * i + f"k{i}:\n" for i in range(45))
    + " " * 45
    + "v\n",
    "block nesting past the recursion limit": "- " * 3000 + "x\n",
    "recursive alias": "a: &a [1, *a]\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(c)}: &{chr(c)} [" + ", ".join([f"*{chr(c - 1)}"] * 9) + "]\n"
        for c in range(ord("b"), ord("h"))
    ),
    "undefined alias": "a: *nope\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "python tag": "a: !!python/object:os.system x\n",
    "syntax error": "a: [1, 2\nb: 3\n",
}


@pytest.mark.parametrize(
    "text",
    [*DIFFERENT_IN_LIBYAML.values(), *HOSTILE.values()],
    ids=[*DIFFERENT_IN_LIBYAML, *HOSTILE],
)
def test_texts_libyaml_reads_otherwise_and_hostile_texts_read_alike(text: str) -> None:
    assert read(text, pure=False) == read(text, pure=True)


def test_a_refused_text_is_read_again_by_the_pure_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    assert loaders_used("a: [1, 2\nb: 3\n", monkeypatch) == ["CheckedFastLoader", "Loader"]
    assert loaders_used("a: {b: }\n", monkeypatch) == ["CheckedFastLoader", "Loader"]
    assert loaders_used("a: 1\t\n", monkeypatch) == ["Loader"]  # never tried: a tab


def test_nesting_far_past_the_c_stack_is_refused_not_crashed() -> None:
    # libyaml's own C composer recurses once per level on the C stack; the fast path composes in
    # Python, so this ends in the located refusal (it would be a crash of the whole process).
    fast = read("- " * 200_000 + "x\n", pure=False)
    assert fast == ("problems", ["t.yaml: nested deeper than 40 levels; refusing to load"])


def test_random_yaml_like_text_reads_alike() -> None:
    rng = random.Random(15)
    pieces = [*" -:?[]{},#&*!|>'\"%@`\n\t\\a1bx."]
    pieces += ["  ", "\n  ", "\n- ", ": ", "---", "...", "!!str ", "&a ", "*a", "\r\n", "é"]
    pieces += ["中", "\\x41", "|-\n", ">+\n", "1e3", "19:30", "yes", "~", "\xa0", "\ufeff"]
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        assert read(text, pure=False) == read(text, pure=True), repr(text)


def test_mutated_scenarios_read_alike() -> None:
    spec = importlib.util.spec_from_file_location(
        "fuzz_scenarios", ROOT / "benchmarks" / "fuzz_scenarios.py"
    )
    assert spec is not None and spec.loader is not None
    fuzz = sys.modules.get("fuzz_scenarios") or importlib.util.module_from_spec(spec)
    if "fuzz_scenarios" not in sys.modules:
        sys.modules["fuzz_scenarios"] = fuzz
        spec.loader.exec_module(fuzz)
    rng = random.Random(15)
    bases = [path.read_bytes() for path in SHIPPED]
    compared = 0
    for _ in range(60):
        base = rng.choice(bases)
        try:
            text = fuzz.apply(base, fuzz.make_case(rng, base)).decode("utf-8")
        except UnicodeDecodeError:
            continue
        assert read(text, pure=False) == read(text, pure=True)
        compared += 1
    assert compared > 40


def flow_too_deep_by_every_character(text: str) -> yaml_source.Mark | None:
    """The bracket-depth guard as first written, walking every character: the reference that
    `yaml_source._flow_too_deep`, which visits only the characters that matter, must agree with."""
    depth = 0
    quote = ""
    for line_number, line in enumerate(text.split("\n"), start=1):
        previous = " "
        for column, char in enumerate(line, start=1):
            if quote:
                if char == quote:
                    quote = ""
            elif char in "'\"" and (depth or previous in " :[{,"):
                quote = char
            elif char == "#" and previous in " \t":
                break
            elif char in "[{":
                depth += 1
                if depth > yaml_source.MAX_DEPTH:
                    return yaml_source.Mark(line_number, column)
            elif char in "]}":
                depth = max(0, depth - 1)
            previous = char
    return None


def test_the_bracket_depth_guard_agrees_with_a_walk_over_every_character() -> None:
    rng = random.Random(15)
    pieces = [*"[]{}'\"# \t\n\r:,a", "[" * 45, "{" * 41, " #", "'x'", '"y"']
    texts = [path.read_text(encoding="utf-8") for path in SHIPPED]
    texts += ["a: " + "[" * 5000 + "]" * 5000 + "\n"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 80))) for _ in range(20000)]
    found = 0
    for text in texts:
        expected = flow_too_deep_by_every_character(text)
        assert yaml_source._flow_too_deep(text) == expected, repr(text)
        found += expected is not None
    assert found > 100  # the cap is reached often enough for its place to be compared
