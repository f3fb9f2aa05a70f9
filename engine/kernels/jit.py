"""`@kernel`: one source for the rules' numeric cores, run as plain Python or compiled by numba.

Why a decorator of our own rather than `numba.njit` written at each kernel: the choice between
interpreted and compiled is made once per process (a compiled kernel calls the kernels it uses
compiled, and numba cannot call a plain function from compiled code), and it must not cost
anything when it says "interpreted": numba's import alone takes 0.16-0.5 s, more than
`wargame validate` may spend (docs/speed.md).

    WARGAME_JIT=auto  (the default) compiled when numba is installed and its cache holds every
                      kernel compiled for these very sources (`wargame warm` fills it and writes
                      a stamp saying so), else plain Python: a user never waits on a compile
                      they did not ask for, and gets compiled speed once the cache is warm
    WARGAME_JIT=1     always compiled; a kernel missing from the cache compiles on its first call
    WARGAME_JIT=0     plain Python

Deciding `auto` reads one small file (the stamp) and hashes the kernels' source files it names:
numba is not imported unless the answer is "compiled". Even then it is imported only when the
first kernel is called (each kernel is a stand-in until then), so that commands which call a
kernel or two but play no battle (`wargame validate`) can settle for plain Python first
(`prefer_plain`) and never pay for the import.

numba's cache goes to the user's cache folder (`cache_root()/numba`, or `NUMBA_CACHE_DIR` when the
user set it), not to numba's default `__pycache__` beside the sources, which an installed package
may not be allowed to write. numba checks each cached kernel against its own source file only, not
against the kernels it calls (a kernel compiled into another stays stale when the callee's file
changes): the stamp covers every kernel's file, and `wargame warm` empties the kernels' cache
folders before compiling when they are not current.

Every kernel is registered (`KERNELS`), so that the tests can check that the compiled kernels give
exactly what the interpreted ones do, and `wargame warm` can compile every one of them.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

JIT_ENV = "WARGAME_JIT"
CACHE_ENV = "WARGAME_CACHE_DIR"
MODES = ("auto", "1", "0")
STAMP_NAME = "wargame-kernels.json"
STAMP_FORMAT = 2  # 2: the stamp names the engine it was made for (`root`)
# The engine package whose kernels this process runs: a stamp made for another copy (a second
# checkout sharing the user's cache folder) says nothing of these sources.
ENGINE_ROOT = str(Path(__file__).resolve().parent.parent)

F = TypeVar("F", bound=Callable)

# Every kernel, as written (its plain function), in the order they were made.
KERNELS: list[Callable] = []
# Each kernel's compiled dispatcher, once made (by the plain function's identity).
_COMPILED: dict[Callable, Any] = {}
# Kernels made while the `auto` decision waits for the first call (`_Pending`).
_PENDING: list[_Pending] = []

_compiling: bool | None = None  # the decision, once made
# two threads calling waiting kernels at once decide once (re-entrant: a module imported while
# deciding may make kernels)
_deciding = threading.RLock()


def jit_mode() -> str:
    """`WARGAME_JIT` as one of MODES; an unknown value warns and counts as `auto`."""
    value = os.environ.get(JIT_ENV, "auto").strip().lower() or "auto"
    if value not in MODES:
        warnings.warn(
            f"{JIT_ENV}={value!r} is not one of {', '.join(MODES)}: taken as 'auto'",
            RuntimeWarning,
            stacklevel=3,
        )
        return "auto"
    return value


def cache_root() -> Path:
    """The engine's cache folder: `WARGAME_CACHE_DIR`, else the platform's user cache folder
    (`$XDG_CACHE_HOME/wargame`, `~/.cache/wargame`, `~/Library/Caches/wargame`,
    `%LOCALAPPDATA%\\wargame\\Cache`), worked out by hand as platformdirs would."""
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "wargame" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "wargame"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "wargame"


def numba_cache_dir() -> Path:
    """Where numba keeps the compiled kernels: the user's `NUMBA_CACHE_DIR`, else ours."""
    chosen = os.environ.get("NUMBA_CACHE_DIR", "").strip()
    return Path(chosen).expanduser() if chosen else cache_root() / "numba"


def stamp_path() -> Path:
    """The stamp `wargame warm` writes beside the compiled kernels: it travels with the cache."""
    return numba_cache_dir() / STAMP_NAME


def numba_version() -> str | None:
    """numba's version read from its files without importing it (the import is the cost being
    avoided), or None when numba is not installed."""
    try:
        spec = importlib.util.find_spec("numba")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    folder = Path(spec.origin).parent
    try:
        text = (folder / "_version.py").read_text(encoding="utf-8")
    except OSError:
        text = ""
    found = re.search(r'"version":\s*"([^"]+)"', text)
    if found:
        return found.group(1)
    # not a versioneer build: the package's entry file, by size and time, stands for its version
    status = Path(spec.origin).stat()
    return f"unknown ({spec.origin}, {status.st_size} bytes, mtime {status.st_mtime_ns})"


def source_digest(path: str | Path) -> str | None:
    """sha256 of a kernel's source file (what numba's own cache checks it by), None if gone."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class WarmState:
    """Whether numba's cache holds every kernel compiled for the sources as they are now, and
    why (the reason is shown by `wargame warm --check`)."""

    warm: bool
    reason: str
    stamp: dict[str, Any] | None
    path: Path


def read_stamp(path: Path | None = None) -> dict[str, Any] | None:
    path = path or stamp_path()
    try:
        stamp = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def warm_state() -> WarmState:
    """Read the stamp and compare it with numba, Python and the kernels' source files as they
    are now: file reads only, numba is not imported."""
    path = stamp_path()
    version = numba_version()
    if version is None:
        return WarmState(False, "numba is not installed", None, path)
    stamp = read_stamp(path)
    if stamp is None:
        return WarmState(False, f"no stamp at {path}: `wargame warm` has not run", None, path)
    if stamp.get("format") != STAMP_FORMAT or not stamp.get("complete"):
        return WarmState(False, f"{path} is not a finished stamp of this engine", stamp, path)
    if stamp.get("root") != ENGINE_ROOT:
        why = (
            f"{path} was made for the engine at {stamp.get('root')}, not this one at"
            f" {ENGINE_ROOT} (`wargame warm` makes this one's)"
        )
        return WarmState(False, why, stamp, path)
    if stamp.get("numba") != version:
        why = f"compiled by numba {stamp.get('numba')}, numba {version} is installed"
        return WarmState(False, why, stamp, path)
    if stamp.get("python") != sys.version:
        return WarmState(False, f"compiled for another Python ({stamp.get('python')})", stamp, path)
    sources = stamp.get("sources")
    if not isinstance(sources, dict) or not sources:
        return WarmState(False, f"{path} names no kernel source", stamp, path)
    for source, digest in sources.items():
        if source_digest(source) != digest:
            return WarmState(False, f"{source} changed since `wargame warm`", stamp, path)
    count = len(stamp.get("kernels", ()))
    unreached = len(stamp.get("not_reached", ()))
    why = f"{count - unreached} of {count} kernels compiled for these sources"
    if unreached:
        why += f" (not reached by `wargame warm`: {', '.join(stamp['not_reached'])})"
    return WarmState(True, why, stamp, path)


@functools.cache
def _warm_at_start() -> WarmState:
    """The warm state this process decides by (read once)."""
    return warm_state()


def _import_numba(why: str):
    """numba, with its cache pointed at the user's cache folder unless the user chose one; None
    (and a warning saying `why` it was wanted) if it cannot be imported."""
    if not os.environ.get("NUMBA_CACHE_DIR", "").strip():
        os.environ["NUMBA_CACHE_DIR"] = str(numba_cache_dir())
    try:
        import numba
    except ImportError:
        warnings.warn(
            f"{why}, but numba is not installed (pip install numba, a dependency of"
            " wargame-engine): the kernels run as plain Python",
            RuntimeWarning,
            stacklevel=4,
        )
        return None
    numba.core.config.reload_config()  # numba imported earlier: it reads the folder now
    return numba


def _compile(function: Callable) -> Any:
    """numba's compiled version of `function`: nopython, cached on disk, without the GIL."""
    import numba

    # reference counting set either way: numba hands a kernel called from another the caller's
    # setting where the callee's own is unset (a borrowing caller would strip a counting callee)
    dispatcher = numba.njit(cache=True, nogil=True, _nrt=function not in BORROWING)(function)
    _COMPILED[function] = dispatcher
    return dispatcher


def _decide(compiled: bool, why: str) -> bool:
    """Fix this process's choice (first caller wins) and turn every waiting kernel into what it
    chose."""
    global _compiling
    with _deciding:
        if _compiling is not None:
            return _compiling
        if compiled and _import_numba(why) is None:
            compiled = False
        _compiling = compiled
        if _PENDING:
            for waiting in _PENDING:
                waiting.target = _compile(waiting.function) if compiled else waiting.plain
            _put_in_place(_PENDING)
            _PENDING.clear()
        return compiled


def _put_in_place(waiting: list[_Pending]) -> None:
    """Every module's name bound to a waiting kernel now names what it became, so that calls
    from Python no longer go through the stand-in, and numba, which reads a compiled kernel's
    globals when it compiles it, finds the other kernels compiled. About 1 ms (every module's
    names read once); a stand-in held anywhere else still works, one call deeper."""
    if not waiting:
        return
    for module in list(sys.modules.values()):
        names = getattr(module, "__dict__", None)
        if not isinstance(names, dict):
            continue
        try:
            found = [name for name, value in names.items() if type(value) is _Pending]
        except RuntimeError:  # the module changed while read (another thread importing)
            found = [name for name, value in list(names.items()) if type(value) is _Pending]
        for name in found:
            names[name] = names[name].target


class _Pending:
    """A kernel made before `auto` chose (the cache was warm, but this process may yet prefer
    plain Python): its first call makes the choice (compiled), then calls what it became."""

    def __init__(self, function: Callable, plain: Callable) -> None:
        functools.update_wrapper(self, function)
        self.function = function
        self.plain = plain  # what runs when the process settles for plain Python
        self.target: Callable | None = None

    def __call__(self, *args: Any) -> Any:
        if self.target is None:
            _decide(True, "the kernel cache is warm")
        return self.target(*args)  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"<kernel {self.function.__qualname__}, not yet called>"


def _warmed_source(function: Callable) -> bool:
    """Whether the stamp this process decides by covers `function`'s source file (a kernel in a
    file added since `wargame warm` would compile on its first call)."""
    stamp = _warm_at_start().stamp or {}
    return function.__code__.co_filename in stamp.get("sources", {})


def _wanted() -> tuple[bool, str]:
    """What the mode asks for, before any kernel is called: (compiled, why)."""
    mode = jit_mode()
    if mode == "1":
        return True, f"{JIT_ENV}=1 asks for compiled kernels"
    if mode == "0":
        return False, ""
    return _warm_at_start().warm, "the kernel cache is warm"


def compiling() -> bool:
    """Whether this process compiles its kernels. Decided once: at the first kernel made when the
    mode says plain or always compiled, else at the first of: a kernel's first call, a call of
    this function, `prefer_plain`; then fixed for the process (kernels made after a change of
    mind could not call those made before)."""
    if _compiling is None:
        _decide(*_wanted())
    return bool(_compiling)


def prefer_plain() -> bool:
    """For a command that plays no battle (`wargame validate`): plain Python unless already
    decided or `WARGAME_JIT=1`, since numba's import would cost more than its kernels save.
    Returns whether the process compiles."""
    if _compiling is None and jit_mode() != "1":
        return _decide(False, "")
    return compiling()


def start_compiler() -> bool:
    """For a process that forks workers (a batch's forkserver): settle the choice now and, when
    it is compiled, start numba here (its import, about 0.3 s of CPU, and its code generator's
    registries, about 0.3 s more, which its first kernel call would otherwise start), so that every
    worker forked from this process inherits them and only loads its kernels from the cache
    (milliseconds). Returns whether the process compiles."""
    if not compiling():
        return False
    try:
        from numba.core.registry import cpu_target

        cpu_target.target_context.refresh()
    except (ImportError, AttributeError):  # another numba's insides: the first call starts it
        pass
    return True


# The kernels that only borrow the arrays they are handed (`kernel(borrows=True)`), compiled
# without numba's reference counting.
BORROWING: set[Callable] = set()


def holds_array(numba_type: Any) -> bool:
    """Whether a value of this numba type is or holds an array (a tuple's members, a
    namedtuple's fields, at any depth): what a borrowing kernel must not return."""
    from numba.core import types

    if isinstance(numba_type, types.Array):
        return True
    if isinstance(numba_type, types.BaseTuple):
        return any(holds_array(member) for member in numba_type.types)
    return False


def borrowing_faults() -> list[str]:
    """The borrowing kernels this process compiled that return an array, or call a kernel that
    does, with the signature. A borrowing kernel hands its caller an array without counting the
    reference the caller will give back (the array would be freed while still in use), and
    never gives back one it is handed (it would never be freed). numba itself refuses a
    borrowing kernel that makes an array, so these are the mistakes left to catch (`wargame
    warm` checks after compiling every kernel, when the kernels called from others have their
    own signatures too)."""
    faults = []
    for function in BORROWING:
        name = f"{function.__module__}.{function.__qualname__}"
        dispatcher = _COMPILED.get(function)
        for signature in getattr(dispatcher, "nopython_signatures", ()):
            if holds_array(signature.return_type):
                faults.append(f"{name} {signature}")
        for called in function.__code__.co_names:
            target = _COMPILED.get(getattr(function.__globals__.get(called), "py_func", None))
            if target is None:
                continue
            for signature in target.nopython_signatures:
                if holds_array(signature.return_type):
                    faults.append(f"{name} calls {called} {signature}")
    return sorted(faults)


def compiled_version(function: Callable) -> Any | None:
    """The compiled dispatcher made for a registered kernel (by its plain function), if any."""
    return _COMPILED.get(function)


def kernel(
    function: F | None = None, *, interpreted: Callable | None = None, borrows: bool = False
):
    """The function itself, or, when this process compiles (`compiling`), numba's compiled
    version of it (nopython, cached on disk, without the interpreter's lock); a stand-in that
    becomes one of them at the first call while `auto` has not yet chosen.

    `interpreted`: what runs in its place when the process does not compile, where the same
    numbers come quicker from Python's own arithmetic (the dice's Philox rounds on Python's big
    integers, five times quicker than the 32-bit halves a compiled kernel needs). The tests hold
    the kernel's source, run as plain Python, equal to it.

    `borrows`: the kernel only reads and writes the arrays it is handed; it makes none and
    returns none (numbers, or tuples of numbers). It is compiled without numba's reference
    counting (`_nrt=False`). Why: a compiled kernel counts a reference to every array it is
    handed, one atomic add on entry and one on leaving, and a bundle is dozens of arrays (the
    units' 35, the plan's 27); a small kernel called in a loop with two bundles spent ~0.4 µs a
    call on nothing else, about a sixth of a whole compiled battle (docs/speed.md, "Counting
    references"). The arrays stay alive throughout: its caller holds them. numba refuses to
    compile a borrowing kernel that makes an array; one that returns an array is caught by
    `borrowing_faults` (`wargame warm`). A borrowing kernel calls only kernels that return no
    array either (what one returned would never be given back)."""
    if function is None:
        return lambda source: kernel(source, interpreted=interpreted, borrows=borrows)
    KERNELS.append(function)
    if borrows:
        BORROWING.add(function)
    plain = function if interpreted is None else interpreted
    if _compiling is None and jit_mode() == "auto":
        if not _warm_at_start().warm or not _warmed_source(function):
            _decide(False, "")  # cold, or a kernel `wargame warm` did not compile: plain
        else:
            waiting = _Pending(function, plain)
            _PENDING.append(waiting)
            return waiting
    if not compiling():
        return plain
    if jit_mode() == "auto" and not _warmed_source(function):
        warnings.warn(
            f"kernel {function.__qualname__} ({function.__code__.co_filename}) was not compiled"
            " by `wargame warm`: it compiles on its first call",
            RuntimeWarning,
            stacklevel=2,
        )
    return _compile(function)


def resolved(kernel_made: Callable) -> Callable:
    """A caller of a kernel for one call site from Python whose arguments keep their types from
    call to call (the state's bundles, the same arrays turn after turn): compiled, it skips
    numba's typing of every argument at each call, calling the compiled version it found for
    these types directly. Interpreted, it calls the plain function.

    Why: numba types each argument of each call, in Python for a tuple (a bundle) element by
    element. For the computer player's `plan_side` (four bundles, about 170 arrays and numbers,
    99 of them the coefficients) that was 45 of the call's 50 µs, a dozen times the work the
    kernel does (measured: a kernel taking the units', works', coefficients' and plan bundles,
    22 µs called through numba, 3.6 µs through its compiled entry point).

    Safe as long as what it checks says the types are the same: every argument the very object
    of a call it remembers (a bundle, an array: their elements' types do not change while they
    live, the rules never rebind a bundle's arrays), or of the same type told cheaply
    (`_alike`: numbers, arrays of one dtype, rank and layout, plain tuples of them); any
    other call goes through numba's own dispatch (compiling if need be), and the compiled
    version numba called is remembered with its arguments (a new game's bundles: one such call
    a game)."""
    return _Resolved(kernel_made)


_INT64 = (-(2**63), 2**63)  # the Python ints numba types as int64
_RESOLVED_KEPT = 4  # calls a `resolved` caller remembers (a side's bundles each: two sides)


class _Resolved:
    """`resolved`'s caller. `_kept` holds the last few calls' (arguments, the compiled entry
    point numba called for them), most recent first, as one tuple replaced whole (a thread
    reads one snapshot). It holds those arguments (the last games' bundles) until later calls
    push them out."""

    __slots__ = ("_kept", "kernel")

    def __init__(self, kernel_made: Callable) -> None:
        self.kernel = kernel_made
        self._kept: tuple[tuple[tuple, Callable], ...] = ()

    def __call__(self, *args: Any) -> Any:
        kept = self._kept
        for before, entry in kept:  # this game's bundles, the very objects remembered
            if len(args) == len(before) and _alike(args, before, False):
                return entry(*args)
        for before, entry in kept:  # a new game's bundles, told alike element by element
            if len(args) == len(before) and _alike(args, before, True):
                # remembered, so that its next calls are told by identity
                self._kept = ((args, entry), *kept[: _RESOLVED_KEPT - 1])
                return entry(*args)
        return self._dispatch(args)

    @property
    def py_func(self) -> Callable:
        """The kernel as written (numba's name for it), so that what swaps a module's compiled
        kernels for their source (the tests' stubbed dice) swaps this caller too."""
        target = self.kernel
        if type(target) is _Pending:
            target = target.function
        return getattr(target, "py_func", target)

    def _dispatch(self, args: tuple) -> Any:
        """Call through numba, and remember the compiled version it called for these arguments:
        the one there is, or where numba holds several, the one for their types."""
        target = self.kernel
        if type(target) is _Pending:
            if target.target is None:
                _decide(True, "the kernel cache is warm")
            target = target.target
        result = target(*args)
        overloads = getattr(target, "overloads", None)
        if not overloads:  # plain Python
            return result
        if len(overloads) == 1:  # numba called it (with the conversions its entry point makes)
            found = next(iter(overloads.values()))
        else:
            from numba.core.typing.typeof import Purpose, typeof

            found = overloads.get(tuple(typeof(a, Purpose.argument) for a in args))
        if found is not None:
            self._kept = ((args, found.entry_point), *self._kept[: _RESOLVED_KEPT - 1])
        return result


def _alike(args: tuple, before: tuple, deep: bool) -> bool:
    """Whether numba types every argument of `args` as the one of `before` at its place. The
    common kinds (arrays, most of them a wrapper's scratch made afresh each call; numbers; plain
    tuples of them) are told here inline, the rest by `_same_type`: a function call per argument
    cost more, for a kernel of many scratch arrays, than numba's own typing."""
    for a, b in zip(args, before, strict=True):
        if a is b:
            continue
        kind = type(a)
        if kind is _ndarray:
            if (
                type(b) is not _ndarray
                or a.ndim != b.ndim
                or (a.flags.num ^ b.flags.num) & _LAYOUT_FLAGS
                or (a.dtype is not b.dtype and a.dtype != b.dtype)
            ):
                return False
        elif kind is int:
            if type(b) is not int or not (
                _INT64[0] <= a < _INT64[1] and _INT64[0] <= b < _INT64[1]
            ):
                return False
        elif kind is float or kind is bool:
            if type(b) is not kind:
                return False
        elif kind is tuple:
            if type(b) is not tuple or len(a) != len(b) or not _alike(a, b, deep):
                return False
        elif not _same_type(a, b, deep):
            return False
    return True


# The array flags numba's type of an array reads (its layout, whether it is read-only or
# aligned): NPY_ARRAY_C_CONTIGUOUS, F_CONTIGUOUS, ALIGNED and WRITEABLE, as `flags.num` holds
# them (numpy's ndarraytypes.h).
_LAYOUT_FLAGS = 0x0001 | 0x0002 | 0x0100 | 0x0400


def _same_type(a: Any, b: Any, deep: bool = False) -> bool:
    """Whether numba types `a` and `b` alike, for the kinds `_alike` does not tell inline: numpy
    scalars of one type; with `deep`, namedtuples of one class whose elements `_alike` tells
    alike (numba types a namedtuple by its class and its elements' types: a new game's bundles,
    told element by element, which costs about as much as numba's own typing of them, so it is
    the second try). Anything else is not told the same: numba's own dispatch then decides."""
    kind = type(a)
    if kind is not type(b):
        return False
    if deep and issubclass(kind, tuple):
        return len(a) == len(b) and _alike(a, b, deep)
    return kind in _NUMPY_SCALARS


_ndarray = np.ndarray
_NUMPY_SCALARS = frozenset(
    (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
     np.float32, np.float64)
)  # fmt: skip
