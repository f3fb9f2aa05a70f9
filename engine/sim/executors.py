"""Where chunks run: in this process, in a local process pool, or on Dask.

Each executor takes ChunkTasks and yields (task, table) as chunks finish, in any order; the
runner writes each table at once, so nothing piles up in memory. A worker that dies mid-chunk
does not lose the chunk: the pool is rebuilt and the unfinished chunks are run again; Dask
reschedules a dead worker's tasks by itself. A chunk that keeps killing its workers, or that
raises, stops the batch with the battle's index so it can be replayed alone.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.context
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import forkserver

import pyarrow as pa

from .lifeline import die_with_parent
from .seeds import battle_seed
from .worker import FAULT_ENV, BattleFailed, ChunkTask, run_chunk

MAX_ATTEMPTS = 2  # deaths of a worker running one battle alone before that battle is blamed


class ChunkFailed(RuntimeError):
    """Battles of a chunk cannot be played. `index` is the battle that raised or that killed its
    worker when it is known (then the replay offered is that battle's), else None."""

    def __init__(self, task: ChunkTask, message: str, index: int | None = None):
        where = (
            f"battle {index} of '{task.label}'"
            if index is not None
            else f"battles {task.first}-{task.last} of '{task.label}'"
        )
        super().__init__(f"{where} failed: {message}")
        self.task = task
        self.index = index


def _failed(task: ChunkTask, error: Exception) -> ChunkFailed:
    if isinstance(error, BattleFailed):
        return ChunkFailed(task, error.message, error.index)
    return ChunkFailed(task, f"{type(error).__name__}: {error}")


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Executor:
    name = "serial"
    workers = 1
    restarts = 0

    def run(self, tasks: Iterable[ChunkTask]) -> Iterator[tuple[ChunkTask, pa.Table]]:
        for task in tasks:
            try:
                yield task, run_chunk(task)
            except Exception as error:  # a bug in the rules: say which battles
                raise _failed(task, error) from error

    def close(self, cancel: bool = False) -> None:
        pass


def _start_worker(fault: str | None) -> None:
    """Pool workers leave Ctrl-C to the parent, which stops them; they die with the forkserver
    (which dies with the batch, see lifeline.py); they take the parent's fault injection setting
    of the moment (the forkserver's environment may be older)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    if fault:
        os.environ[FAULT_ENV] = fault
    else:
        os.environ.pop(FAULT_ENV, None)


FORKSERVER_PRELOAD = ["engine.sim.lifeline", "engine.sim.worker", "engine.sim.compiler_preload"]


def start_forkserver() -> multiprocessing.context.BaseContext:
    """The forkserver context of the pool's workers, its server started now if it is not
    running. The server imports the engine and starts the kernels' compiler before it forks the
    first worker, about a second: started when a batch begins (`wargame batch` asks before it
    loads the scenario and plans), that second runs beside the planning instead of delaying the
    first battles. Starting it returns at once; the workers are forked when the pool asks."""
    context = multiprocessing.get_context("forkserver")
    # the forkserver imports lifeline.py first, which then ties it to this process, and
    # starts the kernels' compiler last, when the kernels are compiled (compiler_preload.py)
    os.environ["WARGAME_LIFELINE_PRELOAD"] = str(os.getpid())
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    forkserver.ensure_running()
    return context


class PoolExecutor(Executor):
    """A local process pool. Workers start with the forkserver method: no threads of the parent
    (the progress bar's) are copied into them, and they import the engine once."""

    name = "process pool"

    def __init__(self, workers: int):
        self.workers = workers
        self.context = start_forkserver()
        self.pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self.context,
            initializer=_start_worker,
            initargs=(os.environ.get(FAULT_ENV),),
        )

    def run(self, tasks: Iterable[ChunkTask]) -> Iterator[tuple[ChunkTask, pa.Table]]:
        """Chunks run side by side. When a worker dies, the pool is lost with every chunk in
        flight, and which of them killed it is unknown: those chunks become suspects, run again
        one at a time (nothing else in flight). A suspect that kills its worker alone is cut in
        halves, down to one battle; a battle that kills its worker alone MAX_ATTEMPTS times is
        named once every other chunk has been played (and written). Deaths elsewhere (the OOM
        killer, a node going down) cost a rerun, never the batch."""
        queue = list(tasks)
        queue.reverse()
        suspects: list[ChunkTask] = []
        alone_deaths: dict[tuple[str, int, int], int] = {}
        in_flight: dict[Future, ChunkTask] = {}
        failed: ChunkFailed | None = None
        limit = self.workers * 3
        self.pool = self._new_pool()
        while queue or suspects or in_flight:
            if suspects and not in_flight:
                task = suspects.pop()
                in_flight[self.pool.submit(run_chunk, task)] = task
            while not suspects and queue and len(in_flight) < limit:
                task = queue.pop()
                in_flight[self.pool.submit(run_chunk, task)] = task
            alone = len(in_flight) == 1
            done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task = in_flight.pop(future)
                try:
                    table = future.result()
                except BrokenProcessPool:
                    broken = True
                    if alone:
                        verdict = self._blame(task, alone_deaths)
                        if isinstance(verdict, ChunkFailed):
                            failed = failed or verdict  # the rest is still played and kept
                        else:
                            suspects.extend(verdict)
                    else:
                        suspects.append(task)
                    continue
                except Exception as error:
                    raise _failed(task, error) from error
                yield task, table
            if broken:
                # every chunk still in the broken pool is lost with it: suspects all
                for future, task in in_flight.items():
                    future.cancel()
                    suspects.append(task)
                in_flight.clear()
                self.restarts += 1
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._new_pool()
        if failed is not None:
            raise failed

    @staticmethod
    def _blame(
        task: ChunkTask, deaths: dict[tuple[str, int, int], int]
    ) -> list[ChunkTask] | ChunkFailed:
        """The chunks to run next after `task` killed its worker running alone, or the verdict
        on a single battle that did so MAX_ATTEMPTS times."""
        key = (task.arm, task.first, task.last)
        deaths[key] = deaths.get(key, 0) + 1
        if task.count > 1:
            middle = (task.first + task.last) // 2
            # popped from the end: the first half runs first
            return [replace(task, first=middle + 1), replace(task, last=middle)]
        if deaths[key] >= MAX_ATTEMPTS:
            seed = battle_seed(task.batch_seed, task.first)
            return ChunkFailed(
                task,
                f"it killed its worker process {deaths[key]} times (seed {seed}; a crash in"
                " native code, or memory running out)",
                task.first,
            )
        return [task]

    def close(self, cancel: bool = False) -> None:
        if self.pool is None:
            return
        if cancel:
            processes = list(getattr(self.pool, "_processes", {}).values())
            self.pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:  # do not wait for chunks nobody will write
                process.terminate()
        else:
            self.pool.shutdown(wait=True)
        self.pool = None


class DaskExecutor(Executor):
    """A Dask cluster: an existing scheduler (`tcp://host:8786`) or, with "local", a
    LocalCluster of `workers` single-threaded worker processes bound to 127.0.0.1."""

    name = "dask"

    def __init__(self, address: str, workers: int):
        try:
            from distributed import Client, LocalCluster
        except ImportError as error:  # pragma: no cover - distributed is a dependency
            raise RuntimeError("--dask needs the 'distributed' package") from error
        logging.getLogger("distributed").setLevel(logging.ERROR)
        self.cluster = None
        if address == "local":
            import dask

            # The statistical profiler samples every worker's stack each 10 ms: a tax on
            # pure-Python battles that nobody reads here. The nanny hands this config on.
            # Ctrl-C in a terminal reaches the whole process group: the nannies and workers,
            # started with SIGINT ignored, leave it to this process (Python keeps an inherited
            # SIG_IGN), which then closes them in order; else each prints its traceback.
            ignore = threading.current_thread() is threading.main_thread()
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if ignore else None
            try:
                with dask.config.set({"distributed.worker.profile.enabled": False}):
                    self.cluster = self._local_cluster(LocalCluster, workers)
            finally:
                if ignore:
                    signal.signal(signal.SIGINT, previous)
            self.client = Client(self.cluster)
            self.name = "dask LocalCluster"
        else:
            self.client = Client(address, timeout="20s")
            self.name = f"dask {address}"
        self.workers = max(1, sum(self.client.nthreads().values()))

    @staticmethod
    def _local_cluster(LocalCluster, workers: int):
        return LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
            # each worker starts the kernels' compiler (when they are compiled) before it takes a
            # task, not at its first battle's first kernel call (compiler_preload.py)
            preload=["engine.sim.compiler_preload"],
        )

    def run(self, tasks: Iterable[ChunkTask]) -> Iterator[tuple[ChunkTask, pa.Table]]:
        from distributed import as_completed

        queue = list(tasks)
        queue.reverse()
        limit = self.workers * 3
        by_key = {}
        first = []
        while queue and len(first) < limit:
            task = queue.pop()
            future = self.client.submit(run_chunk, task, pure=False, retries=1)
            by_key[future.key] = task
            first.append(future)
        completed = as_completed(first)
        self._futures = completed
        for future in completed:
            task = by_key.pop(future.key)
            try:
                table = future.result()
            except Exception as error:
                raise _failed(task, error) from error
            future.release()
            if queue:
                nxt = queue.pop()
                new = self.client.submit(run_chunk, nxt, pure=False, retries=1)
                by_key[new.key] = nxt
                completed.add(new)
            yield task, table

    def close(self, cancel: bool = False) -> None:
        futures = getattr(self, "_futures", None)
        if cancel:
            # stopping is the point: what the closing connections complain about is noise, here
            # and, in a LocalCluster of our own, in its workers and nannies (a worker whose
            # heartbeat meets the closing scheduler logs the broken connection with its
            # traceback); a cluster that outlives the batch keeps its logs
            _quiet_logs()
            for on_nannies in (False, True) if self.cluster is not None else ():
                with contextlib.suppress(Exception):  # the cluster may be gone already
                    self.client.run(_quiet_logs, nanny=on_nannies)
        if cancel and futures is not None:
            with contextlib.suppress(Exception):  # the cluster may be gone already
                self.client.cancel(list(futures.futures))
        with contextlib.suppress(Exception) if cancel else contextlib.nullcontext():
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception) if cancel else contextlib.nullcontext():
                self.cluster.close()


def _quiet_logs() -> None:
    """Nothing more from the loggers of a Dask cluster's connections, in the process it runs in
    (this one, or a worker or nanny through `Client.run`): for a batch being stopped."""
    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def make_executor(workers: int, dask: str | None) -> Executor:
    if dask:
        return DaskExecutor(dask, workers)
    if workers <= 1:
        return Executor()
    return PoolExecutor(workers)
