"""The batch loop: plan, skip what is done, run the rest, write each chunk as it arrives."""

from __future__ import annotations

import math
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from .executors import Executor
from .plan import BatchPlan, PlanError, check_and_record
from .results import clean_temporaries, finished, write_part
from .worker import FAULT_ENV, ChunkTask


@dataclass
class BatchOutcome:
    planned: int  # battles the plan asks for
    already: int  # found on disk at the start
    played: int  # played by this run
    seconds: float
    chunks: int
    restarts: int
    executor: str
    workers: int

    @property
    def rate(self) -> float:
        return self.played / self.seconds if self.seconds > 0 else 0.0

    @property
    def complete(self) -> bool:
        return self.already + self.played >= self.planned


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if not speed:
            return Text("… battles/s", style="progress.data.speed")
        return Text(f"{speed:,.1f} battles/s", style="progress.data.speed")


# The most battles a chunk holds. A chunk costs a task, a pickled table and a file written by
# the parent, whatever its size: with compiled battles of 2-4 ms, 4,000 Furong battles on the
# pool of 2 ran at 558 battles/s in chunks of 50 and 662 in chunks of 250 (no faster at 1,000),
# and a killed run loses at most a chunk a worker (about a second).
CHUNK_MOST = 250


def default_chunk(missing: int, workers: int) -> int:
    """Chunks small enough to keep every worker busy to the end and the bar moving, big enough
    that a chunk's overhead (a task, a file) stays small beside its battles."""
    return max(1, min(CHUNK_MOST, math.ceil(missing / max(1, workers * 8))))


def run_batch(
    plan: BatchPlan,
    executor: Executor,
    *,
    chunk: int | None = None,
    console: Console | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> BatchOutcome:
    console = console or Console(stderr=True)
    plan.out.mkdir(parents=True, exist_ok=True)
    check_and_record(plan)
    stale = clean_temporaries(plan.out)
    damaged: list[str] = []
    done = finished(plan.out, damaged)
    planned = plan.games * len(plan.arms)
    already = sum(len([i for i in done.get(a.key, ()) if i < plan.games]) for a in plan.arms)
    missing = planned - already
    size = chunk or default_chunk(missing, executor.workers)
    tasks = plan.tasks(done, size)
    metadata = plan.metadata()
    if stale:
        console.print(f"removed {stale} unfinished chunk file(s) of an interrupted run")
    for message in damaged:
        console.print(message)
    if already:
        console.print(
            f"resuming: {already:,} of {planned:,} battles already in {plan.out}; "
            f"{missing:,} to play"
        )
    kill_after = _kill_after()
    started = time.perf_counter()
    played = chunks = 0
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("battles"),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("elapsed ·"),
        TimeRemainingColumn(),
        TextColumn("left"),
        console=console,
        disable=not console.is_terminal,
    )
    # without a terminal (a log file, a cluster job) the bar is off: plain lines instead
    lines = None if console.is_terminal else _PlainProgress(console, planned, already)
    with progress:
        bar = progress.add_task(plan.scenario.id, total=planned, completed=already)
        try:
            for task, table in executor.run(tasks):
                _check_rules_version(task, table)
                write_part(plan.out, table, metadata)
                played += table.num_rows
                chunks += 1
                progress.advance(bar, table.num_rows)
                if lines is not None:
                    lines.update(played)
                if on_chunk is not None:
                    on_chunk(played)
                if kill_after is not None and chunks >= kill_after:
                    os.kill(os.getpid(), signal.SIGKILL)  # a crash, for the resume test
                del task
        except BaseException:
            executor.close(cancel=True)
            raise
    executor.close()
    return BatchOutcome(
        planned=planned,
        already=already,
        played=played,
        seconds=time.perf_counter() - started,
        chunks=chunks,
        restarts=getattr(executor, "restarts", 0),
        executor=executor.name,
        workers=executor.workers,
    )


PROGRESS_ENV = "WARGAME_PROGRESS_SECONDS"  # seconds between plain progress lines (default 30)


class _PlainProgress:
    """Progress as one plain line every so often (and when done), for logs: no bar, no escape
    codes, nothing rewritten in place."""

    def __init__(self, console: Console, planned: int, already: int):
        self.console, self.planned, self.already = console, planned, already
        self.every = float(os.environ.get(PROGRESS_ENV, "30"))
        self.started = self.last = time.monotonic()

    def update(self, played: int) -> None:
        now = time.monotonic()
        total = self.already + played
        if now - self.last < self.every and total < self.planned:
            return
        self.last = now
        elapsed = now - self.started
        rate = played / elapsed if elapsed > 0 else 0.0
        left = (self.planned - total) / rate if rate > 0 else float("nan")
        self.console.print(
            f"progress: {total:,} of {self.planned:,} battles ({100 * total / self.planned:.0f} %),"
            f" {rate:,.1f} battles/s, {elapsed:,.0f} s elapsed"
            + (f", about {left:,.0f} s left" if total < self.planned and rate > 0 else ""),
            highlight=False,
            soft_wrap=True,
        )


def _check_rules_version(task: ChunkTask, table) -> None:
    """A worker whose engine plays other rules (another version installed on a cluster's
    machines, an edited coefficients.yaml) must not mix its battles in."""
    found = set(table.column("rules_version").to_pylist())
    if found != {task.rules_version}:
        raise PlanError(
            f"a worker played '{task.label}' with rules version {', '.join(sorted(found))}, but"
            f" this machine's engine gives {task.rules_version}: install the same version of the"
            " engine (and coefficients.yaml) on every worker"
        )


def _kill_after() -> int | None:
    fault = os.environ.get(FAULT_ENV, "")
    if fault.startswith("kill-after:"):
        return int(fault.split(":", 1)[1])
    return None
