"""The kernels' compiler started in a batch's forkserver, once for every worker it forks.

Imported as the forkserver's last preload (engine/sim/executors.py), after the engine: when this
process compiles its kernels (engine/kernels/jit.py: `WARGAME_JIT=1`, or `auto` with a warm cache),
numba is imported and its code generator started here, about 0.6 s of CPU that each worker would
otherwise pay at its first kernel call; with plain kernels it does nothing. A Dask LocalCluster's
workers, which are not forked from one process, preload it too: each pays the start before it
takes a task rather than in the middle of its first battle.
"""

from __future__ import annotations

from ..kernels.jit import start_compiler

start_compiler()
