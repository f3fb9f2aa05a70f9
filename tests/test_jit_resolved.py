"""`jit.resolved` (engine/kernels/jit.py): a call site's caller that skips numba's typing of
arguments it has typed before. It must give what the kernel gives whatever its arguments, also
when their types change from call to call (a bundle of int arrays, then of float arrays, in the
same place), and go the quick way only for arguments it has seen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

KERNELS = '''
from collections import namedtuple

import numpy as np

from engine.kernels.jit import kernel, resolved

Bundle = namedtuple("Bundle", ("a", "b"))


@kernel
def weigh(scale, count, bundle, extra):
    """A sum over a bundle's arrays, read through every kind of argument."""
    total = 0.0
    for n in range(count):
        total += bundle.a[n] * scale + bundle.b[n]
    return total + extra[0]


weigh_here = resolved(weigh)
'''

SCRIPT = """
import json, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from resolved_kernels import Bundle, weigh, weigh_here
from engine.kernels import jit

ints = Bundle(np.arange(5, dtype=np.int64), np.arange(5, dtype=np.int64) * 3)
floats = Bundle(np.linspace(0.5, 2.5, 5), np.linspace(-1.0, 1.0, 5))
extra_i, extra_f = np.array([7], np.int64), np.array([0.25])
read_only = np.array([3], np.int64)
read_only.setflags(write=False)
calls = [
    (2, 5, ints, extra_i), (2, 5, ints, extra_i), (3, 4, ints, extra_i),  # the same bundle
    (2, 5, floats, extra_f), (2, 5, ints, extra_i), (2, 5, floats, extra_f),  # alternating
    (2.5, 5, ints, extra_i),  # a float where an int was
    (2, 5, ints, extra_f),  # another array in the same place, of another dtype
    (2, 5, Bundle(ints.a.astype(np.float64), ints.b), extra_i),  # a new bundle, mixed types
    (True, 3, floats, extra_f),
    # arrays made afresh for the call (a wrapper's scratch), told by dtype, rank and layout
    (2, 5, ints, np.array([7], np.int64)), (2, 5, ints, np.array([7], np.int64)),
    (2, 5, ints, np.array([1.5])),  # fresh, another dtype
    (2, 5, ints, np.arange(6, dtype=np.int64)[::2]),  # fresh, not contiguous
    (2, 5, ints, np.arange(6, dtype=np.int64)[::2]),
    (2, 5, ints, np.arange(2, dtype=np.int32)),  # fresh, a narrower integer
    (2, 5, ints, read_only), (2, 5, ints, np.array([7], np.int64)),  # read-only, then not
    (2, 5, Bundle(np.arange(5, dtype=np.int64), np.arange(5, dtype=np.int64)), extra_i),
    (np.float64(2.0), 5, ints, extra_i), (np.int64(2), np.int64(5), ints, extra_i),
    (np.float64(2.0), 5, ints, extra_i),
]
plain = getattr(weigh, "py_func", weigh)
here = [float(weigh_here(*c)) for c in calls]
# the quick way, with arrays it has not seen of a type it has: nothing new remembered
weigh_here(2, 5, ints, np.array([8], np.int64))
kept = weigh_here._kept
weigh_here(2, 5, ints, np.array([9], np.int64))
quick = weigh_here._kept is kept
# a new bundle of a remembered bundle's class and types (a new game's): told element by element,
# not through numba, and remembered so that its next call is told by identity
fresh = Bundle(ints.a.copy(), ints.b.copy())
dispatched = []
through_numba = type(weigh_here)._dispatch
type(weigh_here)._dispatch = lambda self, args: dispatched.append(1) or through_numba(self, args)
fresh_sum = float(weigh_here(2, 5, fresh, extra_i))
fresh_first = bool(weigh_here._kept) and weigh_here._kept[0][0][2] is fresh
weigh_here(2, 5, fresh, extra_i)
print(json.dumps({
    "bundle_told": bool(not dispatched and fresh_first and fresh_sum == plain(2, 5, ints, extra_i)),
    "quick": quick,
    "compiled": jit.compiling(),
    "here": here,
    "plain": [float(plain(*c)) for c in calls],
    "kept": len(getattr(weigh_here, "_kept", ())),
    "signatures": len(getattr(weigh, "signatures", ())),
}))
"""


def run(tmp_path: Path, **env: str) -> dict:
    (tmp_path / "resolved_kernels.py").write_text(KERNELS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT), **env),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_resolved_is_the_plain_kernel_when_not_compiling(tmp_path: Path) -> None:
    found = run(tmp_path, WARGAME_JIT="0")
    assert not found["compiled"]
    assert found["here"] == found["plain"]


def test_resolved_gives_what_the_kernel_gives_as_the_types_change(tmp_path: Path) -> None:
    pytest.importorskip("numba")
    found = run(
        tmp_path,
        WARGAME_JIT="1",
        NUMBA_CACHE_DIR=str(tmp_path / "cache"),
        NUMBA_BOUNDSCHECK="1",
    )
    assert found["compiled"]
    assert found["here"] == found["plain"]
    assert 1 <= found["kept"] <= 4  # it remembers the last calls, no more
    assert found["quick"]
    assert found["bundle_told"]
