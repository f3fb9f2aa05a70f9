"""Throw broken overlays and broken game logs at `run`, `batch`, `replay` and `play --load`; count
every traceback, hang and unlocated message.

    python benchmarks/fuzz_inputs.py --seed 1 --count 2000 [--kind overlay|log]

The scenario fuzzer (benchmarks/fuzz_scenarios.py) breaks scenario files; this one breaks the two
other kinds of file a user hands the engine, with the same mutations (lines deleted or duplicated,
values swapped across types, numbers made huge or NaN, keys misspelt, truncation, random bytes,
explicit tags) and some of their own:

- overlays (scenarios/variants/*.yaml, given with `--variant`): paths made malformed or pointing at
  nothing (`units[`, `units[99999999999999999999]`, `a..b`), operations misspelt, scale and shift
  amounts huge, zero, negative or not numbers. Each mutated overlay is applied as `wargame run
  --variant` applies it (engine/cli/common.py) and as `wargame batch` plans it (make_plan), and
  a merged scenario that validates is played for a few turns under both computer-player modes.
- game logs (JSON Lines written by `wargame run --events` and `Game.save`, a short game of each
  shipped scenario and one of a variant, whose log carries its scenario's text): any JSON value
  swapped for another of any type (seeds negative or of thousands of digits, nesting thousands
  deep), order texts broken (unknown units, hexes off the map, garbage), kinds and versions
  changed, the embedded scenario text mutated as the scenario fuzzer mutates a file. Each log is
  read by `wargame replay` (in this process, through engine.cli.main), by `Game.load_save` and by
  the window's `Session.load` (what `wargame play --load` calls).

What counts as a failure: a traceback (an exception other than the documented ScenarioError,
ValueError or SaveError out of a loader, any exception out of `wargame replay` or out of play);
a hang over --timeout seconds; `wargame replay` exiting other than 0 or 1, or saying what is wrong
on a first line that names no file (`FILE:` or `FILE:LINE:`); a located problem whose file is
neither the overlay nor the scenario, or whose line or column lies outside that file. Each distinct
failure is printed once with a reproducer, as the scenario fuzzer does. `run(...)` is the
importable core: tests/test_fuzz_inputs.py runs a short seeded slice.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import fuzz_scenarios as fs  # noqa: E402
from fuzz_scenarios import Edit, Failure, Hang, Summary, deadline  # noqa: E402

from engine.cli import main as cli_main  # noqa: E402
from engine.cli.common import variant_scenario  # noqa: E402
from engine.game import Game  # noqa: E402
from engine.scenario import ScenarioError, load_scenario  # noqa: E402
from engine.scenario.errors import Problem  # noqa: E402
from engine.sim.plan import PlanError, make_plan  # noqa: E402

VARIANTS = sorted((ROOT / "scenarios" / "variants").glob("*.yaml"))
SCENARIOS = {path.stem: path for path in sorted((ROOT / "scenarios").glob("*.yaml"))}

# ------------------------------------------------------------------------------- overlays

_OVERLAY_ENTRY = re.compile(rb"^(  )([^\s#:-][^:\n]*?)(:[ ]*)([^\n]*)$")
_REMOVE_ITEM = re.compile(rb"^(  - )([^\n]+)$")
PATHS: tuple[bytes, ...] = (
    b"units[",
    b"units[]",
    b"units[id=]",
    b"units[id=nowhere].men",
    b"units[99999999999999999999].men",
    b"units[-1].men",
    b"units[0].men",
    b"units[*].men",
    b"units[*]",
    b"units[kind=x].men",
    b'units["odd key"]',
    b"units[id=a]]",
    b"a..b",
    b".",
    b"..",
    b"[0]",
    b"[*].x",
    b"clock",
    b"clock.turns",
    b"clock.turn_minutes",
    b"clock.start",
    b"id",
    b"map",
    b"map.width",
    b"sides[0].id",
    b"units[0].at",
    b"units[0].at[0]",
    b"units[0].weapons[0].count",
    b"rules.nothing",
    b"history",
    b"x" * 300,
    b"units[" + b"[" * 200,
    b"\xe8\x8a\x99",
)
AMOUNTS: tuple[bytes, ...] = (
    b"0",
    b"-1",
    b"2",
    b"0.5",
    b"1e308",
    b"1e400",
    b".nan",
    b".inf",
    b"-.inf",
    b"99999999999999999999",
    b"9" * 5000,
    b"12h",
    b"-12h",
    b"99999999h",
    b"-99999999h",
    b"99999999999999999999h",
    b"1e308h",
    b"12x",
    b"h",
    b"3d",
    b"90m",
    b"1.5h",
    b".nanh",
    b"text",
    b"[1, 2]",
    b"{a: 1}",
    b"null",
    b"true",
    b"1945-05-21T05:00",
    b"9999-12-31T23:00",
    b"!!int x",
)


def _overlay_mutation(rng: random.Random, data: bytes) -> Edit | None:
    """A change of an overlay's own kind: a path, or an amount."""
    lines = [(o, line) for o, line in fs._lines(data)]
    entries = [(o, line) for o, line in lines if _OVERLAY_ENTRY.match(line)]
    removals = [(o, line) for o, line in lines if _REMOVE_ITEM.match(line)]
    if removals and (not entries or rng.random() < 0.25):
        offset, line = rng.choice(removals)
        match = _REMOVE_ITEM.match(line)
        assert match
        return Edit("overlay_path", offset + match.start(2), len(match.group(2)), rng.choice(PATHS))
    if not entries:
        return None
    offset, line = rng.choice(entries)
    match = _OVERLAY_ENTRY.match(line)
    assert match
    if rng.random() < 0.5:
        return Edit("overlay_path", offset + match.start(2), len(match.group(2)), rng.choice(PATHS))
    return Edit("overlay_amount", offset + match.start(4), len(match.group(4)), rng.choice(AMOUNTS))


def make_overlay_case(rng: random.Random, base: bytes) -> list[Edit]:
    edits: list[Edit] = []
    data = base
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        for _attempt in range(5):
            if rng.random() < 0.4:
                edit = _overlay_mutation(rng, data)
            else:
                edit = next(fs._mutations(rng, data))
            if edit is not None:
                edits.append(edit)
                data = edit.apply(data)
                break
    return edits


def _scenario_for(overlay: bytes) -> Path:
    match = re.search(rb"^scenario: ([a-z0-9_]+)", overlay, re.MULTILINE)
    name = match.group(1).decode() if match else ""
    return SCENARIOS.get(name, SCENARIOS["furong_mountain"])


def check_located(
    problems: Sequence[Problem], files: dict[str, bytes], allowed_whole: tuple[str, ...] = ()
) -> list[Failure]:
    """Every problem names one of `files` (display name → its bytes) with a line and column
    inside it, or is one of the few about a whole file."""
    found = []
    for problem in problems:
        shown = str(problem)
        data = files.get(problem.file)
        if data is None:
            found.append(
                Failure("unlocated", "names no real file: " + fs._template(problem.message), shown)
            )
            continue
        if problem.line <= 0:
            if not problem.message.startswith(fs.WHOLE_FILE + allowed_whole):
                found.append(
                    Failure("unlocated", "unlocated: " + fs._template(problem.message), shown)
                )
            continue
        text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
        lines = text.split("\n")
        if (
            problem.line > len(lines) + 1
            or problem.column < 1
            or problem.column > len(lines[min(problem.line, len(lines)) - 1]) + 2
        ):
            found.append(
                Failure("mislocated", "outside the file: " + fs._template(problem.message), shown)
            )
    return found


def _traceback(stage: str, error: BaseException) -> Failure:
    summary = f"{type(error).__name__}: {str(error)[:300]}"
    return Failure("traceback", f"{type(error).__name__} in {stage} at {fs._where(error)}", summary)


def run_overlay_case(
    data: bytes, *, seed: int, workdir: Path, max_turns: int, timeout: float
) -> tuple[bool, list[Failure]]:
    """(whether the merged scenario validated, the failures found): the overlay applied as
    `wargame run --variant` and as `wargame batch --variant` apply it, then played."""
    path = workdir / "variant.yaml"
    path.write_bytes(data)
    scenario = _scenario_for(data)
    files = {str(path): data, str(scenario): scenario.read_bytes()}
    stage = "run --variant"
    failures: list[Failure] = []
    validated = False
    try:
        with deadline(timeout):
            try:
                loaded = variant_scenario(str(scenario), [str(path)])
            except ScenarioError as error:
                failures += check_located(error.problems, files)
                loaded = None
            stage = "batch --variant"
            try:
                make_plan(
                    str(scenario),
                    workdir / "batch",
                    games=1,
                    batch_seed=0,
                    variant_files=[str(path)],
                    baseline=False,
                )
            except ScenarioError as error:
                failures += check_located(error.problems, files)
            except PlanError as error:
                if not str(error).startswith(str(path)) and "--variant" not in str(error):
                    failures.append(
                        Failure("unlocated", "plan: " + fs._template(str(error)), str(error))
                    )
            if loaded is not None:
                validated = True
                for mode in ("plan", "adaptive"):
                    stage = f"play ({mode})"
                    fs.play(loaded, seed, mode, max_turns)
    except Hang as error:
        failures.append(
            Failure("hang", f"hang in {stage} at {fs._where(error)}", f"over {timeout:g} s")
        )
    except Exception as error:
        failures.append(_traceback(stage, error))
    return validated, failures


# ------------------------------------------------------------------------------- game logs

JSON_VALUES: tuple[Callable[[], object], ...] = (
    lambda: -1,
    lambda: 0,
    lambda: 1.5,
    lambda: 1e308,
    lambda: 2**70,
    lambda: -(2**63),
    lambda: "x",
    lambda: "",
    lambda: "芙蓉",
    lambda: [],
    lambda: [1, 2],
    lambda: {},
    lambda: {"a": 1},
    lambda: None,
    lambda: True,
    lambda: False,
    lambda: "rules.fire_rate=2",
    lambda: {"rules.nothing": 1},
    lambda: {"fire.base_rate": -1},
    lambda: {"fire.base_rate": "x"},
    lambda: "0" * 64,
)
RAW_VALUES: tuple[bytes, ...] = (
    b"9" * 5000,
    b"9" * 200_000,
    b"[" * 100_000 + b"]" * 100_000,
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"1e999",
    b'"\\ud800"',
    b'"\\u0000"',
)
ORDER_BREAKS: tuple[Callable[[random.Random, str, list[str]], str], ...] = (
    lambda rng, text, ids: text.replace(text.split()[0], rng.choice(ids), 1) if ids else text,
    lambda rng, text, ids: re.sub(r"\d+", lambda m: str(int(m.group()) * 1000), text, count=1),
    lambda rng, text, ids: re.sub(r"\d+", "-3", text, count=1),
    lambda rng, text, ids: re.sub(r"\d+", "9" * 5000, text, count=1),
    lambda rng, text, ids: re.sub(r"\d+", "1.5", text, count=1),
    lambda rng, text, ids: text + " extra",
    lambda rng, text, ids: text.split()[0],
    lambda rng, text, ids: "nobody " + " ".join(text.split()[1:]),
    lambda rng, text, ids: "",
    lambda rng, text, ids: text.upper(),
    lambda rng, text, ids: text.replace(" ", "  "),
    lambda rng, text, ids: "x" * 10_000,
    lambda rng, text, ids: text + "\x00",
)


def _walk(value: object, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:50]):
            yield from _walk(item, (*path, index))


def _set(value: object, path: tuple, new: object) -> object:
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)  # type: ignore[arg-type]
    copy[head] = _set(copy[head], tuple(rest), new)  # type: ignore[index]
    return copy


def _log_mutation(rng: random.Random, data: bytes) -> Edit | None:
    """A change of a log's own kind: one JSON value replaced, an order broken, or the embedded
    scenario text mutated as the scenario fuzzer mutates a file."""
    lines = [(o, line) for o, line in fs._lines(data) if line.strip()]
    if not lines:
        return None
    offset, line = rng.choice(lines)
    try:
        item = json.loads(line)
    except (ValueError, RecursionError):
        return None
    how = rng.random()
    if isinstance(item, dict) and isinstance(item.get("scenario_text"), str) and how < 0.4:
        text = item["scenario_text"].encode("utf-8")
        edits = fs.make_case(rng, text)
        new_text = fs.apply(text, edits).decode("utf-8", errors="surrogateescape")
        try:
            item = {**item, "scenario_text": new_text}
            encoded = json.dumps(item, ensure_ascii=False).encode("utf-8", "surrogateescape")
        except (UnicodeEncodeError, ValueError):
            return None
        return Edit("log_scenario", offset, len(line), encoded)
    if isinstance(item, dict) and item.get("kind") == "orders" and item.get("orders") and how < 0.7:
        ids = re.findall(r'"unit": "([^"]+)"', data.decode("utf-8", errors="replace"))
        orders = list(item["orders"])
        k = rng.randrange(len(orders))
        if isinstance(orders[k], str) and orders[k].split():
            orders[k] = rng.choice(ORDER_BREAKS)(rng, orders[k], ids)
        elif rng.random() < 0.5:
            del orders[k]
        encoded = json.dumps({**item, "orders": orders}).encode()
        return Edit("log_order", offset, len(line), encoded)
    paths = list(_walk(item))
    path = rng.choice(paths[1:] or paths)
    if rng.random() < 0.2:
        new = rng.choice(RAW_VALUES)
        marker = "\x00MARK\x00"
        encoded = (
            json.dumps(_set(item, path, marker), ensure_ascii=False)
            .encode()
            .replace(json.dumps(marker).encode(), new)
        )
    else:
        encoded = json.dumps(_set(item, path, rng.choice(JSON_VALUES)()), ensure_ascii=False)
        encoded = encoded.encode()
    return Edit("log_value", offset, len(line), encoded)


def make_log_case(rng: random.Random, base: bytes) -> list[Edit]:
    edits: list[Edit] = []
    data = base
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        for _attempt in range(5):
            edit = (
                _log_mutation(rng, data) if rng.random() < 0.6 else next(fs._mutations(rng, data))
            )
            if edit is not None:
                edits.append(edit)
                data = edit.apply(data)
                break
    return edits


def base_logs(workdir: Path, turns: int = 2) -> list[tuple[str, bytes]]:
    """A short game of each shipped scenario, and of the first variant (whose log carries its
    scenario's text), saved as `Game.save` writes them."""
    found = []
    for name, path in SCENARIOS.items():
        game = Game.load(path, seed=3)
        for _ in range(turns):
            for side in (0, 1):
                game.apply_orders(side, game.computer_orders(side))
            game.end_turn()
        found.append((f"{name}.jsonl", game.save(workdir / f"base_{name}.jsonl").read_bytes()))
    if VARIANTS:
        variant = VARIANTS[0]
        loaded = variant_scenario(str(_scenario_for(variant.read_bytes())), [str(variant)])
        game = Game(loaded, seed=3)
        for _ in range(turns):
            for side in (0, 1):
                game.apply_orders(side, game.computer_orders(side))
            game.end_turn()
        saved = game.save(workdir / f"base_{variant.stem}.jsonl")
        found.append((f"{variant.stem}.jsonl", saved.read_bytes()))
    # a save from the window: its header's ui block (who commands what, orders given this turn,
    # the fog memory) is what `play --load` restores
    from engine.ui.session import Session

    session = Session(load_scenario(SCENARIOS["furong_mountain"]), seed=3)
    for _ in range(turns):
        session.finish_orders()
        session.end_turn()
    found.append(("window_save.jsonl", session.save(workdir / "base_window.jsonl").read_bytes()))
    return found


def _embedded_scenario(data: bytes) -> bytes | None:
    """The scenario text a log's header carries (a variant's game), if it reads."""
    try:
        header = json.loads(data.split(b"\n", 1)[0])
    except (ValueError, RecursionError):
        return None
    text = header.get("scenario_text") if isinstance(header, dict) else None
    return text.encode("utf-8", "surrogatepass") if isinstance(text, str) else None


def _missing_file(message: str) -> bool:
    """`X: no such file; ...`: the scenario a log's header names is not there (a whole-file
    problem of the file named, whatever its name)."""
    return bool(re.match(r"^[^\n]*?: no such file", message))


def _named(first_line: str, names: Sequence[str]) -> bool:
    return any(first_line.startswith(f"{name}:") for name in names)


def run_log_case(
    data: bytes, *, seed: int, workdir: Path, max_turns: int, timeout: float
) -> tuple[bool, list[Failure]]:
    """(whether `wargame replay` accepted the log, the failures found)."""
    del seed, max_turns  # a log carries its own seed and turns
    path = workdir / "case.jsonl"
    path.write_bytes(data)
    embedded = _embedded_scenario(data)
    texts = {str(p): p.read_bytes() for p in SCENARIOS.values()}
    if embedded is not None:  # problems in a log's own scenario are located in that text
        texts.update({f"{path} (its scenario)": embedded, "<saved scenario>": embedded})
    names = [str(path), *texts]
    failures: list[Failure] = []
    accepted = False
    stage = "replay"
    try:
        with deadline(timeout):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli_main(["replay", str(path)])
            accepted = code == 0
            said = [line for line in err.getvalue().split("\n") if line.strip()]
            if code not in (0, 1):
                failures.append(Failure("traceback", f"replay exit {code}", err.getvalue()[:300]))
            elif code == 1 and (not said or not _named(said[0], names)):
                first = said[0] if said else "(nothing on stderr)"
                failures.append(Failure("unlocated", "replay: " + fs._template(first), first))
            stage = "Game.load_save"
            try:
                Game.load_save(path)
            except ScenarioError as error:
                # the scenario in the log's text is named "<saved scenario>": located there
                failures += check_located(
                    [p for p in error.problems if not _missing_file(str(p))], texts
                )
            except ValueError:
                pass
            stage = "play --load"
            from engine.ui.session import SaveError, Session

            try:
                Session.load(path)
            except SaveError as error:
                if not _named(str(error), names) and not _missing_file(str(error)):
                    failures.append(
                        Failure("unlocated", "play --load: " + fs._template(str(error)), str(error))
                    )
    except Hang as error:
        failures.append(
            Failure("hang", f"hang in {stage} at {fs._where(error)}", f"over {timeout:g} s")
        )
    except Exception as error:
        failures.append(_traceback(stage, error))
    return accepted, failures


# ------------------------------------------------------------------------------------ running


@dataclass(frozen=True)
class Kind:
    name: str
    make: Callable[[random.Random, bytes], list[Edit]]
    run: Callable[..., tuple[bool, list[Failure]]]


KINDS = {
    "overlay": Kind("overlay", make_overlay_case, run_overlay_case),
    "log": Kind("log", make_log_case, run_log_case),
}


def run(
    *,
    seed: int,
    count: int,
    kinds: Sequence[str] = ("overlay", "log"),
    max_turns: int = 3,
    timeout: float = 5.0,
    shrink: bool = True,
    progress: Callable[[int, Summary], None] | None = None,
) -> Summary:
    """Run `count` seeded cases, alternating the kinds; the same seed and count give the same
    cases. `validated` counts overlays whose scenario validated and logs that replayed."""
    summary = Summary()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fuzz_inputs_") as folder:
        workdir = Path(folder)
        bases: dict[str, list[tuple[str, bytes]]] = {
            "overlay": [(p.name, p.read_bytes()) for p in VARIANTS],
            "log": base_logs(workdir) if "log" in kinds else [],
        }
        for number in range(count):
            kind = KINDS[kinds[number % len(kinds)]]
            rng = random.Random(f"{seed}:{kind.name}:{number}")
            name, base = rng.choice(bases[kind.name])
            edits = kind.make(rng, base)
            data = fs.apply(base, edits)
            case_seed = rng.randrange(2**31)

            def attempt(d: bytes, s: int = case_seed, k: Kind = kind) -> list[Failure]:
                return k.run(d, seed=s, workdir=workdir, max_turns=max_turns, timeout=timeout)[1]

            validated, failures = kind.run(
                data, seed=case_seed, workdir=workdir, max_turns=max_turns, timeout=timeout
            )
            summary.record(
                validated,
                failures,
                base,
                edits,
                f"{seed}:{kind.name}:{number} ({name}, game seed {case_seed})",
                attempt if shrink else None,
            )
            summary.seconds = time.perf_counter() - started
            if progress is not None:
                progress(number, summary)
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--kind", choices=sorted(KINDS), action="append", help="default: both")
    parser.add_argument("--turns", type=int, default=3, help="turns played per game (cap)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds before a case hangs")
    parser.add_argument("--no-shrink", action="store_true")
    args = parser.parse_args(argv)

    seen: set[str] = set()

    def progress(number: int, summary: Summary) -> None:
        for signature in summary.groups.keys() - seen:  # at once, in case the run is cut short
            seen.add(signature)
            print(f"... case {number}: new failure: {signature}", file=sys.stderr, flush=True)
        if (number + 1) % 50 == 0:
            print(
                f"... {number + 1} cases, {summary.failures} failures, {summary.seconds:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    summary = run(
        seed=args.seed,
        count=args.count,
        kinds=args.kind or ("overlay", "log"),
        max_turns=args.turns,
        timeout=args.timeout,
        shrink=not args.no_shrink,
        progress=progress,
    )
    text = summary.text().replace("validated (then played", "validated or replayed (played")
    print(text.encode("utf-8", "backslashreplace").decode("utf-8"))
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
