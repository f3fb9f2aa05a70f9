"""`wargame warm`: compile every kernel into numba's cache ahead, and stamp the cache as warm, so
that the default `WARGAME_JIT=auto` plays compiled from then on (engine/kernels/jit.py).

numba compiles a kernel for the argument types of its first call, so the honest way to compile them
all is to run work that calls each of them with the types the engine calls it with: one whole
seeded battle of each shipped scenario and what-if variant, under each mode of the computer player,
plus a few direct calls (lines, line of sight, what only the window calls). That runs in a process
of its own with `WARGAME_JIT=1` (this one may already have settled for plain Python,
`jit.compiling`), which then reports, from the registry (`jit.KERNELS`, not a list written here),
every kernel and the signatures compiled for it. A kernel the work did not reach is named (no
battle calls it, so no battle waits on it; what calls it compiles it then): a kernel that battles
use but no shipped battle reaches needs a call here before `auto` can count on it.

The modules holding kernels are found by reading the engine's source for `@kernel`, so a kernel
module that no battle imports is still compiled (or named as not reached). The work lives here, in
the command room, since it plays battles (docs/architecture.md: the kernels import nothing of
ours).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from ..kernels import jit

COMMANDS = ("warm",)  # what `register` adds (engine/cli/__init__.py)


def register(commands: argparse._SubParsersAction) -> None:
    warm_parser = commands.add_parser(
        "warm",
        help="compile the rules' kernels ahead, so that battles play compiled",
        description="Compile every kernel of the rules with numba into its cache (the user's cache"
        " folder, or WARGAME_CACHE_DIR, or NUMBA_CACHE_DIR) by playing one battle of each shipped"
        " scenario and variant, then stamp the cache as warm: from then on WARGAME_JIT=auto (the"
        " default) plays compiled. While it is cold, battles play as plain Python rather than"
        " wait on a compile. Exit 0 when the cache is warm, 1 when it is not (numba missing, the"
        " compiling process failed).",
    )
    warm_parser.add_argument(
        "--check",
        action="store_true",
        help="only say whether the cache is warm, and why not (exit 0 warm, 1 cold)",
    )
    warm_parser.set_defaults(handler=run_warm)


def run_warm(args: argparse.Namespace) -> int:
    return warm(check=args.check)


ENGINE = Path(__file__).resolve().parent.parent  # the engine package
KERNEL_MARK = re.compile(rb"^[ \t]*@kernel\b", re.MULTILINE)
SEEDS = (1,)
AI_MODES = ("plan", "adaptive")


def kernel_sources(root: Path = ENGINE) -> list[Path]:
    """The engine's source files that decorate a function with `@kernel` (read, not imported)."""
    return [
        path
        for path in sorted(root.rglob("*.py"))
        if "__pycache__" not in path.parts and KERNEL_MARK.search(path.read_bytes())
    ]


def kernel_modules(root: Path = ENGINE) -> list[str]:
    """`kernel_sources` as importable module names."""
    found = []
    for path in kernel_sources(root):
        parts = path.relative_to(root.parent).with_suffix("").parts
        found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def cache_subfolder(source: str | Path) -> Path:
    """The folder numba keeps a source file's compiled kernels in, under its cache folder (its
    own rule: the source folder's name and the sha1 of its path; numba.core.caching)."""
    folder = os.path.dirname(os.path.abspath(source))
    digest = hashlib.sha1(folder.encode()).hexdigest()
    return jit.numba_cache_dir() / f"{os.path.split(folder)[-1]}_{digest}"


def workload() -> None:
    """Calls that reach the engine's kernels with the engine's own argument types: a whole battle
    of each shipped scenario, and of each shipped what-if variant on the scenario it is written
    for (one brings engineers who breach), under each mode of the computer player."""
    import numpy as np

    from .. import hexgrid
    from ..headless import play
    from ..history import metric_values
    from ..metric_plan import plan_values
    from ..resources import scenarios_folder, variants_folder
    from ..rules.fire import fire_reaches
    from ..rules.sight import EYE_HEIGHT_M, line_of_sight, sight_known
    from ..rules.turn import coefficients_of
    from ..scenario import load_scenario
    from ..scenario.overlay import load_overlay
    from ..sim.worker import battle_men_rows
    from .common import variant_scenario

    folder, variants = scenarios_folder(), variants_folder()
    battles = []
    shipped = {}
    for path in sorted(folder.glob("*.yaml")) if folder else []:
        loaded = load_scenario(path)
        shipped[loaded.scenario.id] = path
        battles.append(loaded)
    for path in sorted(variants.glob("*.yaml")) if variants else []:
        base = shipped.get(load_overlay(path).scenario_id or "")
        if base is not None:
            battles.append(variant_scenario(str(base), [str(path)]))
    for loaded in battles:
        for mode in AI_MODES:
            for seed in SEEDS:
                record = play(loaded, seed, ai_modes={0: mode, 1: mode}, keep_events=False)
                metric_values(record.state)  # what the report and `wargame run` read
        # a batch's battle, which reports nothing: its turns are one call (rules/whole_turn.py);
        # its row's metrics and men columns (engine/sim/worker.py)
        quiet = play(loaded, SEEDS[0], keep_events=False, detail_events=False)
        plan_values(quiet.state)
        battle_men_rows(quiet.state)
        board = record.state.board  # the board the battles shared
        line_of_sight(board, 0, board.size - 1)
        # what the window calls and no battle does: the odds' reaches, and the sight cache as
        # kernels read it (an int8 matrix of the board's pairs, `SightCache.matrix`)
        fire_reaches(record.state, coefficients_of(record.state))
        sight_known(np.full((2, 2), -1, np.int8), board.arrays, 0, 1, 0.0, EYE_HEIGHT_M)
    hexgrid.line(hexgrid.Hex(0, 0), hexgrid.Hex(7, -3))
    hexgrid.axial_to_offset(hexgrid.Hex(3, -2))


def compile_in_this_process() -> dict[str, Any]:
    """Run the work with compiled kernels (this process must have `WARGAME_JIT=1`) and report
    every registered kernel with its compiled signatures."""
    import importlib

    started = time.perf_counter()
    for name in kernel_modules():
        importlib.import_module(name)
    if not jit.compiling():
        return {"error": "numba could not be imported: the kernels ran as plain Python"}
    workload()
    faults = jit.borrowing_faults()
    if faults:
        return {
            "error": "kernels marked `kernel(borrows=True)` return an array or call a kernel"
            " that does, which a kernel compiled without reference counting can neither hand"
            " over nor give back: " + "; ".join(faults)
        }
    kernels = []
    for function in jit.KERNELS:
        dispatcher = jit.compiled_version(function)
        signatures = [str(s) for s in getattr(dispatcher, "signatures", ())]
        kernels.append(
            {
                "name": f"{function.__module__}.{function.__qualname__}",
                "source": function.__code__.co_filename,
                "signatures": signatures,
            }
        )
    import numba

    return {
        "kernels": kernels,
        "numba": numba.__version__,
        "seconds": time.perf_counter() - started,
    }


def _stale_folders(stamp: dict[str, Any] | None) -> set[Path]:
    """numba's cache folders of every kernel source, today's and the old stamp's."""
    sources = {str(path) for path in kernel_sources()}
    sources |= set((stamp or {}).get("sources", {}))
    return {cache_subfolder(source) for source in sources}


def _say(out: TextIO, text: str) -> None:
    print(text, file=out, flush=True)


def warm(check: bool = False, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """`wargame warm [--check]`: 0 when the cache is (now) warm, 1 when not (with why)."""
    state = jit.warm_state()
    if check:
        _say(out, f"{'warm' if state.warm else 'cold'}: {state.reason}")
        _say(out, f"numba cache: {jit.numba_cache_dir()}")
        return 0 if state.warm else 1
    version = jit.numba_version()
    if version is None:
        _say(
            err,
            "wargame warm: numba is not installed, so there is nothing to compile: the kernels"
            " run as plain Python. Install it with `pip install numba` (a dependency of"
            " wargame-engine; `pip install --force-reinstall wargame-engine` brings it back).",
        )
        return 1
    if state.warm:
        _say(out, f"already warm: {state.reason} ({jit.numba_cache_dir()})")
        return 0
    _say(out, f"cold: {state.reason}")
    removed = [folder for folder in _stale_folders(state.stamp) if folder.is_dir()]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    if removed:
        _say(out, f"emptied {len(removed)} stale kernel folder(s) of numba's cache")
    _say(out, f"compiling every kernel with numba {version} into {jit.numba_cache_dir()} ...")
    started = time.perf_counter()
    env = dict(os.environ, **{jit.JIT_ENV: "1", "NUMBA_CACHE_DIR": str(jit.numba_cache_dir())})
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "engine.cli.warm"],
        cwd=ENGINE.parent,  # the engine this process runs, whatever folder it was started in
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        _say(err, f"wargame warm: the compiling process failed (exit {done.returncode}):")
        _say(err, done.stderr[-4000:])
        return 1
    if "error" in report:
        _say(err, f"wargame warm: {report['error']}")
        return 1
    kernels = report["kernels"]
    missing = [k["name"] for k in kernels if not k["signatures"]]
    for k in kernels:
        shown = "; ".join(k["signatures"]) or "not reached"
        _say(out, f"  {k['name']}: {shown}")
    if missing:
        # Not a failure: no battle calls them (a kernel not yet in use, or one the window
        # alone calls), so a battle never waits on them; whatever calls one compiles it then.
        _say(
            err,
            f"wargame warm: {len(missing)} kernel(s) not reached by the warm-up work (a battle of"
            f" each shipped scenario and variant), so not compiled: {', '.join(missing)}; they"
            " compile at their first call. A kernel that battles use belongs in that work"
            " (engine/cli/warm.py, workload).",
        )
    sources = {k["source"] for k in kernels}
    stamp = {
        "format": jit.STAMP_FORMAT,
        "root": jit.ENGINE_ROOT,
        "complete": True,
        "engine": _engine_version(),
        "numba": version,
        "python": sys.version,
        "sources": {source: jit.source_digest(source) for source in sorted(sources)},
        "kernels": [k["name"] for k in kernels],
        "not_reached": missing,
        "seconds": round(seconds, 2),
        "made": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    from ..atomic import write_atomic

    write_atomic(jit.stamp_path(), json.dumps(stamp, indent=1) + "\n")
    _say(
        out,
        f"warm: {len(kernels) - len(missing)} of {len(kernels)} kernels, from {len(sources)} files,"
        f" compiled in {seconds:.1f} s (the work itself {report['seconds']:.1f} s);"
        f" stamp {jit.stamp_path()}",
    )
    return 0


def _engine_version() -> str:
    from .. import __version__

    return __version__


def main(report: Callable[[str], None] = print) -> int:
    """The compiling process: run with `WARGAME_JIT=1`; its last line is the JSON report."""
    report(json.dumps(compile_in_this_process()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
