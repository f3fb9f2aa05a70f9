"""Kernels (engine/kernels): one source, interpreted or compiled by numba, the same numbers.

The suite runs the kernels as plain Python (the default); these tests compile them in a
process of their own (`WARGAME_JIT=1`) and hold every kernel's compiled results equal to the
interpreted ones. A kernel added without a check here fails `test_every_kernel_is_checked`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import engine.core.dice  # noqa: F401 - registers the dice's kernels
from engine.core.dice import binomial
from engine.kernels import jit

ROOT = Path(__file__).resolve().parent.parent

# (n, p, u) for the binomial: the edges, both walks (from 0, from the mode), both halves of p
BINOMIAL_CASES = [
    (0, 0.5, 0.5),
    (10, 0.0, 0.5),
    (10, 1.0, 0.5),
    (3, 0.1, 0.728),
    (3, 0.1, 0.730),
    (40, 0.6, 0.3),
    (1, 0.5, 0.4999),
    (1000, 0.1, 0.5),
    (1000, 0.2, 0.01),
    (1000, 0.2, 0.999),
    (5000, 0.7, 0.42),
    (100_000, 0.31, 0.77),
    (7, 0.999999, 0.5),
    (10**6, 1e-9, 0.99),
]
# the kernels the cases above run, by name
CHECKED = {"binomial", "_binomial_to_half", "_walk_up"}


def test_every_kernel_is_checked() -> None:
    assert {f.__name__ for f in jit.KERNELS} == CHECKED


def test_kernels_are_plain_python_by_default() -> None:
    if os.environ.get(jit.JIT_ENV, "0") == "1":
        pytest.skip("the suite itself runs compiled")
    assert not jit.compiling()
    assert type(binomial).__name__ == "function"


def test_compiled_kernels_give_the_interpreted_numbers(tmp_path: Path) -> None:
    pytest.importorskip("numba")
    script = (
        "import json, sys\n"
        "from engine.core.dice import binomial\n"
        "assert type(binomial).__name__ == 'CPUDispatcher', type(binomial)\n"
        "cases = json.loads(sys.argv[1])\n"
        "print(json.dumps([int(binomial(n, p, u)) for n, p, u in cases]))\n"
    )
    env = dict(os.environ, WARGAME_JIT="1", NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(BINOMIAL_CASES)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    compiled = json.loads(done.stdout)
    assert compiled == [binomial(n, p, u) for n, p, u in BINOMIAL_CASES]


def test_asking_for_compiled_kernels_without_numba_warns_and_runs_plain() -> None:
    script = (
        "import sys, warnings\n"
        "sys.modules['numba'] = None  # as if numba were not installed\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    from engine.core.dice import binomial\n"
        "print(type(binomial).__name__, binomial(10, 0.5, 0.5))\n"
        "print(caught[0].message)\n"
    )
    env = dict(os.environ, WARGAME_JIT="1")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    kind, message = done.stdout.splitlines()[:2]
    assert kind == f"function {binomial(10, 0.5, 0.5)}"
    assert "numba is not installed" in message and "wargame-engine[speed]" in message
