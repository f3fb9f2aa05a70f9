"""Batch throughput: battles per second on one core and on all cores, the parallel efficiency,
Dask LocalCluster against the process pool on the same batch, and memory per worker as the batch
grows (results stream to disk, so it should stay flat). Memory is read from /proc (Linux): no
dependency beyond the engine's.

    python benchmarks/bench_batch.py                     # Furong, 2,000 battles (several minutes)
    python benchmarks/bench_batch.py --games 400 --quick # a quick look

Every batch runs through the same code as `wargame batch` (plan, executor, chunk files), into a
temporary folder, without the report. Aims (issue 4): efficiency >= 85% on 2 cores for 2,000
battles; Dask at most 15% slower than the pool; memory per worker flat.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from machine import header  # noqa: E402

from engine.sim.executors import DaskExecutor, Executor, PoolExecutor, default_workers  # noqa: E402
from engine.sim.plan import make_plan  # noqa: E402
from engine.sim.runner import run_batch  # noqa: E402

PROC = Path("/proc")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes(pid: int) -> int:
    """The resident set of process `pid`, from /proc/PID/statm (its second field, in pages);
    OSError once the process has ended."""
    with open(PROC / str(pid) / "statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * PAGE_BYTES


def parent_of(pid: int) -> int:
    """The parent's pid, from /proc/PID/stat (the fourth field; the second, the command's name
    in parentheses, may hold spaces, so the fields are counted after its closing parenthesis)."""
    with open(PROC / str(pid) / "stat", encoding="utf-8", errors="replace") as handle:
        stat = handle.read()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def command_line(pid: int) -> str:
    with open(PROC / str(pid) / "cmdline", "rb") as handle:
        return handle.read().replace(b"\0", b" ").decode(errors="replace")


def descendants(pid: int) -> list[int]:
    """Every living process below `pid` (children, grandchildren ...), read from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir(PROC):
        if entry.isdigit():
            try:
                children[parent_of(int(entry))].append(int(entry))
            except (OSError, ValueError, IndexError):
                continue  # ended while being read
    found, waiting = [], list(children[pid])
    while waiting:
        child = waiting.pop()
        found.append(child)
        waiting.extend(children[child])
    return found


class MemoryWatch:
    """Peak resident memory of this process and of each process-pool worker, sampled every 0.2 s
    while a batch runs. Reads /proc (Linux); elsewhere only this process's peak is known, from
    getrusage (its peak since it started), and the workers' column stays empty."""

    def __init__(self) -> None:
        self.me = os.getpid()
        self.parent_peak = 0
        self.worker_peak: dict[int, int] = {}
        self._proc = (PROC / "self" / "statm").exists()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._proc:
                self._sample()
            else:  # ru_maxrss: KiB on Linux and the BSDs, bytes on macOS
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                self.parent_peak = peak if sys.platform == "darwin" else peak * 1024
            self._stop.wait(0.2)

    def _sample(self) -> None:
        with contextlib.suppress(OSError):  # never expected: this process is alive
            self.parent_peak = max(self.parent_peak, resident_bytes(self.me))
        for child in descendants(self.me):
            try:
                rss = resident_bytes(child)
                forked = "multiprocessing.forkserver" in command_line(child)
                if not forked or parent_of(child) == self.me:
                    continue  # pool workers only: not the fork server, nor Dask's processes
            except (OSError, ValueError, IndexError):
                continue  # ended while being read
            self.worker_peak[child] = max(self.worker_peak.get(child, 0), rss)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def busiest_workers(self, count: int) -> list[int]:
        return sorted(self.worker_peak.values(), reverse=True)[:count]


def timed(scenario: str, games: int, executor: Executor, keep_open: bool = False):
    """Seconds to play a batch through `run_batch` (the executor is closed after it, unless
    `keep_open`: a LocalCluster is reused across runs), and the memory watch of the run."""
    with tempfile.TemporaryDirectory() as folder:
        plan = make_plan(scenario, Path(folder) / "out", games=games, batch_seed=1)
        close = executor.close
        if keep_open:
            executor.close = lambda cancel=False: None  # type: ignore[method-assign]
        with MemoryWatch() as memory:
            started = time.perf_counter()
            try:
                outcome = run_batch(plan, executor)
            finally:
                executor.close = close  # type: ignore[method-assign]
            seconds = time.perf_counter() - started
    assert outcome.played == games, outcome
    return seconds, memory


def mib(value: float) -> str:
    return f"{value / 2**20:,.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "furong_mountain.yaml"))
    parser.add_argument("--games", type=int, default=2000, help="battles on all cores (2000)")
    parser.add_argument(
        "--serial-games", type=int, default=None, help="battles on one core (default: games/4)"
    )
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--repeat", type=int, default=2, help="pool and Dask runs each (2)")
    parser.add_argument("--quick", action="store_true", help="skip the memory-growth series")
    args = parser.parse_args()
    workers = args.workers
    serial_games = args.serial_games or max(20, args.games // 4)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(header())
    print(
        f"scenario {args.scenario}; {workers} worker(s) on {os.cpu_count()} logical cores;"
        f" load average before: {load}"
    )

    seconds, memory = timed(args.scenario, serial_games, Executor())
    serial_rate = serial_games / seconds
    print(
        f"one core:   {serial_games:>6,} battles in {seconds:7.1f} s = {serial_rate:7.1f}"
        f" battles/s ({1000 / serial_rate:.0f} ms a battle; process {mib(memory.parent_peak)})"
    )

    # The pool and Dask take turns on the same batch, `--repeat` times each, and the best time of
    # each counts: on a shared machine other work slows whichever happens to run beside it.
    started = time.perf_counter()
    dask = DaskExecutor("local", workers)
    startup = time.perf_counter() - started
    pool_times, dask_times = [], []
    memory = None
    for _ in range(args.repeat):
        seconds, watch = timed(args.scenario, args.games, PoolExecutor(workers))
        pool_times.append(seconds)
        memory = memory or watch
        dask_times.append(timed(args.scenario, args.games, dask, keep_open=True)[0])
    dask.close()
    pool_seconds, dask_seconds = min(pool_times), min(dask_times)
    pool_rate = args.games / pool_seconds
    efficiency = pool_rate / (workers * serial_rate)
    print(
        f"all cores:  {args.games:>6,} battles in {pool_seconds:7.1f} s = {pool_rate:7.1f}"
        f" battles/s on a pool of {workers}: parallel efficiency {efficiency:.0%}"
        f" (runs: {', '.join(f'{t:.1f}' for t in pool_times)} s)"
    )
    print(
        f"dask local: {args.games:>6,} battles in {dask_seconds:7.1f} s ="
        f" {args.games / dask_seconds:7.1f} battles/s: {dask_seconds / pool_seconds - 1:+.1%}"
        f" against the pool (runs: {', '.join(f'{t:.1f}' for t in dask_times)} s; plus"
        f" {startup:.1f} s to start the LocalCluster)"
    )

    series = [] if args.quick else [max(workers * 10, args.games // 4), args.games // 2]
    rows = [(n, *timed(args.scenario, n, PoolExecutor(workers))) for n in series]
    rows.append((args.games, pool_seconds, memory))
    rows.sort(key=lambda row: row[0])
    print("memory as the batch grows (process pool; peak resident set):")
    print(f"  {'battles':>8}  {'per worker':>22}  {'parent':>9}")
    for n, _, watch in rows:
        peaks = watch.busiest_workers(workers)
        per_worker = ", ".join(mib(p) for p in peaks) or "–"
        print(f"  {n:>8,}  {per_worker:>22}  {mib(watch.parent_peak):>9}")


if __name__ == "__main__":
    main()
