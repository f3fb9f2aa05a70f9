"""`@kernel`: one source for the rules' numeric cores, run as plain Python or compiled by numba.

Why a decorator of our own rather than `numba.njit` written at each kernel: the choice between
interpreted and compiled is made once per process, before any kernel is made (a compiled
kernel calls the kernels it uses compiled, and numba cannot call a plain function from
compiled code), and it must not cost anything when it says "interpreted": numba's import alone
takes 0.16-0.3 s, more than `wargame validate` may spend (docs/speed.md).

    WARGAME_JIT=1   compile every kernel with numba (`pip install 'wargame-engine[speed]'`);
                    cached on disk (numba's cache: beside the source, or the user's cache
                    folder where the install is read-only), so only the first run compiles
    WARGAME_JIT=0   (the default, for now) plain Python

The default stays interpreted until enough of the turn is compiled to pay for the start-up
(stage 0 of the port, docs/speed.md). Every kernel is registered, so the tests can check that
the compiled kernels give exactly what the interpreted ones do.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import TypeVar

JIT_ENV = "WARGAME_JIT"

F = TypeVar("F", bound=Callable)

# Every kernel, as written (its plain function), in the order they were made.
KERNELS: list[Callable] = []

_compiling: bool | None = None


def compiling() -> bool:
    """Whether this process compiles its kernels: decided at the first kernel made, then fixed
    for the process (kernels made after a change of mind could not call those made before)."""
    global _compiling
    if _compiling is None:
        wanted = os.environ.get(JIT_ENV, "0").strip() == "1"
        if wanted:
            try:
                import numba  # noqa: F401
            except ImportError:
                warnings.warn(
                    f"{JIT_ENV}=1 asks for compiled kernels, but numba is not installed"
                    " (pip install 'wargame-engine[speed]'): the kernels run as plain Python",
                    RuntimeWarning,
                    stacklevel=3,
                )
                wanted = False
        _compiling = wanted
    return _compiling


def kernel(function: F | None = None, *, interpreted: Callable | None = None):
    """The function itself, or, when this process compiles (`compiling`), numba's compiled
    version of it (nopython, cached on disk, without the interpreter's lock).

    `interpreted`: what runs in its place when the process does not compile, where the same
    numbers come quicker from Python's own arithmetic (the dice's Philox rounds on Python's big
    integers, five times quicker than the 32-bit halves a compiled kernel needs). The tests hold
    the kernel's source, run as plain Python, equal to it."""
    if function is None:
        return lambda source: kernel(source, interpreted=interpreted)
    KERNELS.append(function)
    if not compiling():
        return function if interpreted is None else interpreted
    import numba

    return numba.njit(cache=True, nogil=True)(function)
