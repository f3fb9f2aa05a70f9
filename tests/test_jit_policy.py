"""The kernels' compile policy (engine/kernels/jit.py) and `wargame warm` (engine/cli/warm.py).

`WARGAME_JIT=auto`, the default, compiles only when numba's cache holds every kernel compiled for
the sources as they are (the stamp `wargame warm` writes), and decides so without importing
numba; `0` is plain Python, `1` always compiled. Each case runs in a process of its own (the
choice is made once per process), with a cache folder of the test's own (`WARGAME_CACHE_DIR`,
and no `NUMBA_CACHE_DIR`), so that nothing depends on the developer's cache.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli.warm import kernel_modules, kernel_sources
from engine.kernels import jit

ROOT = Path(__file__).resolve().parent.parent
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"

# What a process reports about its kernels: the hex line's kind before and after the first
# kernel call, whether numba was imported by then, and the process's choice. (hexgrid, which the
# scenario loader imports without calling a kernel; modules whose import asks `jit.compiling()`,
# as the dice's does, settle the choice there.)
PROBE = (
    "import sys\n"
    "from engine import hexgrid\n"
    "from engine.kernels import jit\n"
    "before = type(hexgrid.line_cell).__name__, 'numba' in sys.modules\n"
    "assert hexgrid.axial_length(3, -1) == 3\n"
    "from engine.rules import sight\n"
    "print(*before, type(hexgrid.line_cell).__name__, type(sight.line_cell).__name__,"
    " 'numba' in sys.modules, jit.compiling())\n"
)
# `wargame validate` as its own process, then whether numba was imported
VALIDATE = (
    "import sys\n"
    f"sys.argv = ['wargame', 'validate', '-q', {str(FURONG)!r}]\n"
    "from engine.cli import main\n"
    "status = main()\n"
    "from engine.core.dice import binomial\n"
    "print(status, 'numba' in sys.modules, type(binomial).__name__)\n"
)


def environment(cache: Path, mode: str | None = None, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", jit.JIT_ENV)}
    env[jit.CACHE_ENV] = str(cache)
    if mode is not None:
        env[jit.JIT_ENV] = mode
    return env | more


def run(args: list[str], cache: Path, mode: str | None = None, **more: str):
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment(cache, mode, **more),
        timeout=600,
    )


def probe(script: str, cache: Path, mode: str | None = None) -> list[str]:
    done = run(["-c", script], cache, mode)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def warm(cache: Path, *flags: str):
    return run(["-m", "engine", "warm", *flags], cache)


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder `wargame warm` filled (once for this module): a copy of the user's own when
    `wargame warm` has filled that for this very engine (CI warms it before the suite: compiling
    every kernel again here would take two minutes of the suite's five), else filled here."""
    pytest.importorskip("numba")
    cache = tmp_path_factory.mktemp("warm_cache")
    users = jit.warm_state()
    if users.warm:
        shutil.copytree(jit.numba_cache_dir(), cache / "numba")
        if warm(cache, "--check").returncode == 0:
            return cache
        shutil.rmtree(cache / "numba")  # the copy is not warm where it lies: fill it here
    done = warm(cache)
    assert done.returncode == 0, done.stdout + done.stderr
    return cache


def test_auto_with_a_cold_cache_runs_plain_without_importing_numba(tmp_path: Path) -> None:
    assert probe(PROBE, tmp_path) == ["function", "False", "function", "function", "False", "False"]
    assert probe(VALIDATE, tmp_path) == ["0", "False", "function"]
    assert not (tmp_path / "numba").exists()  # deciding wrote nothing


def test_auto_after_warm_compiles_at_the_first_kernel_call(warm_cache: Path) -> None:
    # before the call: a stand-in, numba not imported; after it every module holds the compiled
    # kernels (hexgrid's own, sight's `line_cell` imported from hexgrid)
    assert probe(PROBE, warm_cache) == [
        "_Pending", "False", "CPUDispatcher", "CPUDispatcher", "True", "True",
    ]  # fmt: skip
    assert probe(PROBE, warm_cache, "auto") == probe(PROBE, warm_cache)


def test_threads_calling_a_waiting_kernel_at_once_all_get_the_compiled_one(
    warm_cache: Path,
) -> None:
    script = (
        "import threading\n"
        "from engine import hexgrid\n"
        "held = {'length': hexgrid.axial_length}  # a stand-in held outside a module's names\n"
        "out = []\n"
        "def call():\n"
        "    out.append(held['length'](3, -1))\n"
        "threads = [threading.Thread(target=call) for _ in range(4)]\n"
        "for t in threads: t.start()\n"
        "for t in threads: t.join()\n"
        "print(*out, type(held['length']).__name__, type(hexgrid.axial_length).__name__)\n"
    )
    assert probe(script, warm_cache) == ["3", "3", "3", "3", "_Pending", "CPUDispatcher"]


def test_validate_with_a_warm_cache_stays_plain_and_never_imports_numba(warm_cache: Path) -> None:
    assert probe(VALIDATE, warm_cache) == ["0", "False", "function"]


def test_zero_is_plain_even_with_a_warm_cache(warm_cache: Path) -> None:
    assert probe(PROBE, warm_cache, "0") == [
        "function", "False", "function", "function", "False", "False",
    ]  # fmt: skip


def test_one_compiles_even_with_a_cold_cache(tmp_path: Path) -> None:
    pytest.importorskip("numba")
    script = (
        "import sys\n"
        "from engine.core.dice import binomial\n"
        "from engine.kernels import jit\n"
        "print(type(binomial).__name__, jit.compiling(), jit.numba_cache_dir())\n"
        "import numba\n"
        "print(numba.config.CACHE_DIR)\n"
    )
    kind, compiling, ours, numbas = probe(script, tmp_path, "1")
    assert (kind, compiling) == ("CPUDispatcher", "True")
    assert ours == numbas == str(tmp_path / "numba")  # numba's cache in the user's cache folder


def test_the_users_numba_cache_dir_is_kept(tmp_path: Path) -> None:
    chosen = tmp_path / "mine"
    script = "from engine.kernels import jit\nprint(jit.numba_cache_dir(), jit.stamp_path())\n"
    done = run(["-c", script], tmp_path, NUMBA_CACHE_DIR=str(chosen))
    assert done.stdout.split() == [str(chosen), str(chosen / jit.STAMP_NAME)]


def test_warm_check_says_cold_then_warm(tmp_path: Path, warm_cache: Path) -> None:
    cold = warm(tmp_path, "--check")
    assert cold.returncode == 1
    assert cold.stdout.startswith(f"cold: no stamp at {tmp_path / 'numba' / jit.STAMP_NAME}")
    assert not (tmp_path / "numba").exists()  # checking compiled nothing
    hot = warm(warm_cache, "--check")
    assert hot.returncode == 0, hot.stdout
    assert hot.stdout.startswith("warm: ") and str(warm_cache / "numba") in hot.stdout


def test_warm_compiles_every_registered_kernel_and_stamps_their_sources(warm_cache: Path) -> None:
    import importlib

    for name in kernel_modules():
        importlib.import_module(name)
    registered = {f"{f.__module__}.{f.__qualname__}" for f in jit.KERNELS}
    stamp = json.loads((warm_cache / "numba" / jit.STAMP_NAME).read_text())
    assert set(stamp["kernels"]) == registered and stamp["complete"]
    # what no shipped battle calls is named, not compiled; what battles call is compiled
    assert set(stamp["not_reached"]) < registered
    assert {"engine.core.dice.binomial", "engine.rules.sight.sight_clear"} & set(
        stamp["not_reached"]
    ) == set()
    assert set(stamp["sources"]) == {str(path) for path in kernel_sources()}
    assert stamp["python"] == sys.version
    again = warm(warm_cache)  # warm already: nothing compiled
    assert again.returncode == 0 and again.stdout.startswith("already warm: ")


def test_a_stale_stamp_counts_as_cold_and_warm_empties_numbas_folders(
    tmp_path: Path, warm_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "copy"
    shutil.copytree(warm_cache, cache)
    stamp_file = cache / "numba" / jit.STAMP_NAME
    stamp = json.loads(stamp_file.read_text())
    source = sorted(stamp["sources"])[0]
    stamp["sources"][source] = hashlib.sha256(b"the source as it was").hexdigest()
    stamp_file.write_text(json.dumps(stamp))
    check = warm(cache, "--check")
    assert (check.returncode, check.stdout.splitlines()[0]) == (
        1,
        f"cold: {source} changed since `wargame warm`",
    )
    assert probe(PROBE, cache)[-2:] == ["False", "False"]  # plain, numba not imported
    # `wargame warm` then empties numba's folder of every kernel source (a kernel compiled into
    # another stays stale when the other's file changes) and compiles afresh. Stopped here at
    # the compiling: that is the compiling the fixture does when the user's cache is cold, and
    # CI's own `wargame warm` before the suite and in the wheel's test (two minutes each).
    from engine.cli import warm as warm_command

    monkeypatch.setenv(jit.CACHE_ENV, str(cache))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    compiles = []
    monkeypatch.setattr(
        subprocess,
        "run",
        lambda *a, **k: compiles.append(a) or subprocess.CompletedProcess(a, 1, "", "stopped"),
    )
    said, complained = io.StringIO(), io.StringIO()
    assert warm_command.warm(out=said, err=complained) == 1
    folders = {warm_command.cache_subfolder(path) for path in kernel_sources()}
    assert f"emptied {len(folders)} stale kernel folder(s)" in said.getvalue()
    assert not any(folder.exists() for folder in folders)
    assert len(compiles) == 1 and "the compiling process failed" in complained.getvalue()
    assert json.loads(stamp_file.read_text()) == stamp  # no stamp written for a failed compile


def test_a_kernel_in_a_file_warm_did_not_compile_makes_auto_plain(
    tmp_path: Path, warm_cache: Path
) -> None:
    """A kernel module added since `wargame warm` (not in the stamp): compiling would stop at its
    first call to compile it, so `auto` runs plain, the kernels made before it too."""
    (tmp_path / "new_kernels.py").write_text(
        "from engine.kernels.jit import kernel\n\n\n@kernel\ndef twice(x):\n    return 2 * x\n"
    )
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "from engine import hexgrid\n"
        "before = type(hexgrid.line_cell).__name__\n"
        "import new_kernels\n"
        "from engine.kernels import jit\n"
        "print(before, type(hexgrid.line_cell).__name__, new_kernels.twice(2),"
        " jit.compiling(), 'numba' in sys.modules)\n"
    )
    assert probe(script, warm_cache) == ["_Pending", "function", "4", "False", "False"]


def test_warm_without_numba_says_so_and_fails(tmp_path: Path) -> None:
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(
        "import sys\nsys.modules['numba'] = None  # as if numba were not installed\n"
    )
    more = {"PYTHONPATH": os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")])}
    done = run(["-m", "engine", "warm"], tmp_path, **more)
    assert done.returncode == 1
    assert "numba is not installed" in done.stderr and "pip install numba" in done.stderr
    check = run(["-m", "engine", "warm", "--check"], tmp_path, **more)
    assert (check.returncode, check.stdout.splitlines()[0]) == (1, "cold: numba is not installed")


@pytest.fixture
def stamped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """A cache folder of this test's own with a hand-made stamp over this file, as `warm_state`
    reads it (in this process: the check imports nothing)."""
    pytest.importorskip("numba")
    monkeypatch.setenv(jit.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    return {
        "format": jit.STAMP_FORMAT,
        "root": jit.ENGINE_ROOT,
        "complete": True,
        "numba": jit.numba_version(),
        "python": sys.version,
        "sources": {__file__: jit.source_digest(__file__)},
        "kernels": ["tests.a_kernel"],
    }


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({}, "warm: 1 of 1 kernels compiled for these sources"),
        (
            {"kernels": ["a", "b"], "not_reached": ["b"]},
            "warm: 1 of 2 kernels compiled for these sources (not reached by `wargame warm`: b)",
        ),
        ({"numba": "0.1.0"}, "cold: compiled by numba 0.1.0, numba "),
        ({"root": "/another/checkout/engine"}, "cold: "),  # a second copy's stamp
        ({"python": "2.7"}, "cold: compiled for another Python (2.7)"),
        ({"complete": False}, "cold: "),
        ({"format": 0}, "cold: "),
        ({"sources": {__file__: "0" * 64}}, f"cold: {__file__} changed since `wargame warm`"),
        ({"sources": {__file__ + ".gone": "0" * 64}}, "cold: "),
        ({"sources": {}}, "cold: "),
    ],
)
def test_warm_state_reads_the_stamp(stamped: dict, change: dict, reason: str) -> None:
    jit.stamp_path().parent.mkdir(parents=True)
    jit.stamp_path().write_text(json.dumps(stamped | change))
    state = jit.warm_state()
    assert f"{'warm' if state.warm else 'cold'}: {state.reason}".startswith(reason)


def test_an_unreadable_stamp_is_cold(stamped: dict) -> None:
    jit.stamp_path().parent.mkdir(parents=True)
    jit.stamp_path().write_text("{not json")
    assert not jit.warm_state().warm


def test_the_cache_folder_follows_the_platforms_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(jit.CACHE_ENV, raising=False)
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert jit.numba_cache_dir() == Path("/somewhere/cache/wargame/numba")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert jit.cache_root() == Path.home() / ".cache" / "wargame"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert jit.cache_root() == Path.home() / "Library" / "Caches" / "wargame"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", "C:/Users/me/AppData/Local")
    assert jit.cache_root() == Path("C:/Users/me/AppData/Local/wargame/Cache")
    monkeypatch.setenv(jit.CACHE_ENV, "/chosen")
    assert jit.cache_root() == Path("/chosen")


def test_an_unknown_mode_warns_and_counts_as_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(jit.JIT_ENV, "yes")
    with pytest.warns(RuntimeWarning, match="not one of auto, 1, 0"):
        assert jit.jit_mode() == "auto"
    monkeypatch.setenv(jit.JIT_ENV, " AUTO ")
    assert jit.jit_mode() == "auto"
