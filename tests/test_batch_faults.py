"""A batch under faults: killed parents, dying workers, raising battles, damaged files, no
terminal. Each test plays the 5x3 test battle (milliseconds a game), so the whole file is quick.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from engine.cli import main
from engine.sim import executors as sim_executors
from engine.sim.plan import make_plan
from engine.sim.results import part_files, read_dataset
from engine.sim.runner import run_batch
from engine.sim.seeds import battle_seed

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"


def rows(out: Path) -> list[dict]:
    """Every battle row of a batch folder, in (arm, index) order."""
    return read_dataset(out).table.to_pylist()


def portable(out: Path) -> list[dict]:
    """rows() with the folder's own path (in the scenario copies' paths and the replay
    commands) written OUT, so that two folders' battles can be compared."""
    here = str(out)
    return [
        {k: v.replace(here, "OUT") if isinstance(v, str) else v for k, v in row.items()}
        for row in read_dataset(out).table.to_pylist()
    ]


def batch(out: Path, *args: str) -> int:
    return main(["batch", str(MINIMAL), "--out", str(out), *args])


def command(out: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "engine", "batch", str(MINIMAL), "--out", str(out), *args]


def _session_members(sid: int) -> list[psutil.Process]:
    members = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == sid and process.status() != psutil.STATUS_ZOMBIE:
                members.append(process)
        except (psutil.Error, ProcessLookupError, PermissionError):
            continue
    return members


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")
def test_kill_9_of_the_batch_parent_leaves_no_process_behind(tmp_path: Path) -> None:
    """The batch runs in a session of its own; once its forkserver and workers exist, the parent
    is SIGKILLed: within a few seconds no process of that session may remain."""
    out = tmp_path / "killed"
    env = dict(os.environ, WARGAME_SIM_FAULT="")
    parent = subprocess.Popen(
        command(out, "--games", "100000", "--chunk", "5", "--workers", "2", "--no-report"),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait for battles to be written: workers are up
            if len(part_files(out)) >= 2:
                break
            time.sleep(0.2)
        members = _session_members(parent.pid)
        assert len(members) >= 4, [m.cmdline() for m in members]  # parent, forkserver, 2 workers
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        left = _session_members(parent.pid)
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = _session_members(parent.pid)
        assert not left, [(p.pid, p.cmdline()) for p in left]
    finally:
        for process in _session_members(parent.pid):  # never leave the machine busy
            process.kill()


def test_a_battle_that_keeps_killing_its_worker_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(sim_executors.FAULT_ENV, "worker-exit-at:6")
    code = batch(tmp_path / "out", "--games", "12", "--chunk", "4", "--workers", "2")
    err = capsys.readouterr().err
    assert code == 1
    assert "battle 6 of 'baseline' failed: it killed its worker process 2 times" in err
    copy = tmp_path / "out" / "scenarios" / "baseline.yaml"
    assert f"replay it with: wargame run {copy}" in err
    assert f"--seed {battle_seed(0, 6)}" in err
    # every other battle was played and kept: the bisection cut 6 out of its chunk
    assert sorted(r["index"] for r in rows(tmp_path / "out")) == [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11]


def test_five_worker_deaths_anywhere_do_not_abort_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = tmp_path / "reference"
    assert batch(reference, "--games", "24", "--workers", "1", "--no-report") == 0
    deaths = tmp_path / "deaths"
    deaths.mkdir()
    monkeypatch.setenv(sim_executors.FAULT_ENV, f"worker-exit-times:5:{deaths}")
    plan = make_plan(str(MINIMAL), tmp_path / "pool", games=24, batch_seed=0)
    outcome = run_batch(plan, sim_executors.PoolExecutor(2), chunk=3)
    assert len(list(deaths.iterdir())) == 5
    assert 1 <= outcome.restarts <= 5 and outcome.played == 24  # two may die at once
    assert portable(tmp_path / "pool") == portable(reference)


def test_a_battle_that_raises_offers_its_own_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(sim_executors.FAULT_ENV, "raise-at:7")
    code = batch(tmp_path / "out", "--games", "10", "--chunk", "5", "--workers", "1")
    err = capsys.readouterr().err
    assert code == 1
    assert "battle 7 of 'baseline' failed: RuntimeError: injected fault" in err
    copy = tmp_path / "out" / "scenarios" / "baseline.yaml"
    assert f"replay it with: wargame run {copy}" in err
    assert f"--seed {battle_seed(0, 7)}\n" in err


def test_a_damaged_part_file_is_set_aside_and_replayed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert batch(out, "--games", "20", "--chunk", "5", "--workers", "1", "--no-report") == 0
    victim = part_files(out)[1]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])  # a disk that filled up mid-copy
    capsys.readouterr()
    assert main(["report", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"set aside a damaged result file as {victim.name}.damaged" in err
    assert "its battles are replayed" in err
    assert "Traceback" not in err and "ArrowInvalid" not in err
    assert (out / "battles" / f"{victim.name}.damaged").exists() and not victim.exists()
    assert len(rows(out)) == 15
    # a second damaged file, found by the resume this time
    other = part_files(out)[0]
    other.write_bytes(b"PAR1 not really")
    assert batch(out, "--games", "20", "--chunk", "5", "--workers", "1", "--no-report") == 0
    err = capsys.readouterr().err
    assert f"set aside a damaged result file as {other.name}.damaged" in err
    assert "resuming: 10 of 20 battles already" in err
    clean = tmp_path / "clean"
    assert batch(clean, "--games", "20", "--chunk", "5", "--workers", "1", "--no-report") == 0
    assert portable(out) == portable(clean)


def test_stray_temporary_files_are_removed_on_resume(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert batch(out, "--games", "4", "--workers", "1", "--no-report") == 0
    strays = [
        out / ".batch.json.abc123.tmp",
        out / ".report.html.x1.tmp",
        out / "scenarios" / ".baseline.yaml.q.tmp",
        out / "battles" / ".part-x.parquet.r.tmp",
    ]
    for stray in strays:
        stray.write_text("half")
    capsys.readouterr()
    assert batch(out, "--games", "4", "--workers", "1", "--no-report") == 0
    assert "removed 4 unfinished chunk file(s)" in capsys.readouterr().err
    assert not any(stray.exists() for stray in strays)


def test_without_a_terminal_progress_is_printed_as_plain_lines(tmp_path: Path) -> None:
    env = dict(os.environ, WARGAME_PROGRESS_SECONDS="0", WARGAME_SIM_FAULT="")
    done = subprocess.run(
        command(tmp_path / "out", "--games", "12", "--chunk", "4", "--workers", "1"),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("progress:")]
    assert [line.split(" battles")[0] for line in lines] == [
        "progress: 4 of 12",
        "progress: 8 of 12",
        "progress: 12 of 12",
    ]
    assert "\x1b[" not in done.stderr  # no escape codes in a log


def test_sweep_labels_and_replays_carry_exact_values(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    code = batch(
        out, "--games", "2", "--workers", "1", "--no-report",
        "--sweep", "rules.melee_rate=0.08000001:0.08000004:4",
    )  # fmt: skip
    assert code == 0
    found = {}
    for row in rows(out):
        if row["variant"] == "baseline" and "melee_rate" in row["overrides"]:
            found.setdefault(row["label"], set()).add(row["replay"].split("--set ")[1].split()[0])
    assert found == {
        f"baseline · melee_rate=0.0800000{k}": {f"rules.melee_rate=0.0800000{k}"}
        for k in (1, 2, 3, 4)
    }


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process sessions are POSIX")
def test_ctrl_c_under_dask_is_quiet_leaves_nothing_and_resumes(tmp_path: Path) -> None:
    """`wargame batch --dask local` (a LocalCluster on 127.0.0.1) interrupted by SIGINT, as Ctrl-C
    sends it to the terminal's process group: exit 130, a few lines and no traceback (it used to
    print about 80), no process of its session left, and the same command then completes."""
    pytest.importorskip("dask.distributed")
    out = tmp_path / "dask"
    args = command(out, "--games", "400", "--chunk", "5", "--workers", "2", "--dask", "local")
    args.append("--no-report")
    env = dict(os.environ, WARGAME_SIM_FAULT="", PYTHONUNBUFFERED="1")
    parent = subprocess.Popen(
        args,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and parent.poll() is None:
            if len(part_files(out)) >= 2:  # the cluster is up and battles are being written
                break
            time.sleep(0.2)
        assert parent.poll() is None, "the batch ended before it could be interrupted"
        os.killpg(parent.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        _, err = parent.communicate(timeout=60)
        assert parent.returncode == 130, err
        lines = [line for line in err.splitlines() if line.strip()]
        assert "Traceback" not in err, err
        assert len(lines) < 10, err
        deadline = time.monotonic() + 15
        left = _session_members(parent.pid)
        while left and time.monotonic() < deadline:
            time.sleep(0.2)
            left = _session_members(parent.pid)
        assert not left, [(p.pid, p.cmdline()) for p in left]
    finally:
        for process in _session_members(parent.pid):
            process.kill()
    done_before = len(rows(out)) if part_files(out) else 0
    assert done_before < 400
    again = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    battles = rows(out)
    assert len(battles) == 400
    assert len({(b["arm"], b["index"]) for b in battles}) == 400
