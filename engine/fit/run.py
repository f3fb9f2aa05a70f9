"""Running ABC-SMC with pyabc: priors in, posterior out, one generation at a time so the
command can show progress, and resumable from pyabc's own database.

Everything statistical is pyabc's: the sequential Monte Carlo, the perturbation kernel
(`MultivariateNormalTransition`, its default), the epsilon schedule (`MedianEpsilon`, its
default: each generation's epsilon is the median distance of the one before), the distance
(`AdaptivePNormDistance`, p = 1, each statistic scaled by pyabc's median absolute deviation of
the simulated values, re-fitted every generation), the samplers (`MulticoreEvalParallelSampler`
on this machine, `DaskDistributedSampler` on a cluster) and the weighted quantiles of the
intervals. This module only wires them to the engine and writes the results down.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .posterior import Posterior, make_posterior
from .priors import FitInputError, Prior

DB_NAME = "fit.db"
SETTINGS_NAME = "fit.json"
LEVELS = (0.05, 0.5, 0.95)  # the posterior file's interval: 90 % central, and the median


@dataclass(frozen=True)
class Generation:
    """One finished generation, as the progress line and the report show it."""

    t: int
    epsilon: float
    particles: int
    simulations: int
    seconds: float

    @property
    def acceptance(self) -> float:
        return self.particles / self.simulations if self.simulations else math.nan


def to_pyabc(priors: Sequence[Prior]):
    """pyabc's prior Distribution: each Prior as a scipy distribution pyabc wraps in an RV."""
    import pyabc

    rvs = {}
    for p in priors:
        if p.distribution == "uniform":
            rvs[p.name] = pyabc.RV("uniform", p.a, p.b - p.a)
        elif p.distribution == "loguniform":
            rvs[p.name] = pyabc.RV("loguniform", p.a, p.b)
        else:
            rvs[p.name] = pyabc.RV("lognorm", p.b, 0, p.a)
    return pyabc.Distribution(**rvs)


def make_sampler(workers: int, dask: str | None):
    """pyabc's sampler: its Dask sampler on a scheduler or a LocalCluster, its multicore sampler
    on this machine's cores, its single-core sampler for one worker. Returns (sampler, close)."""
    from pyabc import sampler as samplers

    if dask:
        from ..sim.executors import DaskExecutor

        executor = DaskExecutor(dask, workers)
        return samplers.DaskDistributedSampler(executor.client, batch_size=1), executor.close
    if workers <= 1:
        return samplers.SingleCoreSampler(), lambda: None
    return samplers.MulticoreEvalParallelSampler(n_procs=workers), lambda: None


def generations_of(history) -> list[Generation]:
    """Every finished generation in pyabc's history (t = -1, the calibration sample, left out),
    with the wall time pyabc recorded for it (a resumed fit's pause is not counted)."""
    frame = history.get_all_populations()
    return [
        Generation(
            int(row["t"]),
            float(row["epsilon"]),
            int(row["particles"]),
            int(row["samples"]),
            float(row["wall_time"]) if row["wall_time"] is not None else math.nan,
        )
        for _, row in frame.iterrows()
        if row["t"] >= 0
    ]


class _Progress(logging.Handler):
    """Hears pyabc's "Accepted: n / N" line at the end of each generation and passes the
    generation (read back from pyabc's database), the target count and the time left (the mean
    generation of this session times the generations to go) to the command's progress line."""

    def __init__(self, history, generations: int, report) -> None:
        super().__init__(logging.INFO)
        self.history, self.generations, self.report = history, generations, report
        self.started = time.perf_counter()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if self.report is None or not str(record.msg).startswith("Accepted:"):
            return
        self.count += 1
        done = generations_of(self.history)
        if not done:
            return
        mean = (time.perf_counter() - self.started) / self.count
        self.report(done[-1], self.generations, max(0, self.generations - len(done)) * mean)


def _settings(priors: Sequence[Prior], fit_key: dict[str, Any]) -> dict[str, Any]:
    return {"coefficients": [p.name for p in priors], **fit_key}


def check_resume(out: Path, settings: dict[str, Any]) -> bool:
    """True when OUT holds a fit with these settings to go on with; FitInputError when it
    holds a different one (resuming it would mix two fits)."""
    path = out / SETTINGS_NAME
    if not (out / DB_NAME).exists():
        return False
    if not path.exists():  # a database whose settings are gone: which fit it holds is unknown
        raise FitInputError(
            [
                f"{out}: holds {DB_NAME} but not {SETTINGS_NAME}; give a new --out (or delete"
                f" {DB_NAME} to start again)"
            ]
        )
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise FitInputError([f"{path}: cannot read the fit's settings: {error}"]) from None
    if old != settings:
        changed = sorted(k for k in set(old) | set(settings) if old.get(k) != settings.get(k))
        raise FitInputError(
            [
                f"{out}: holds another fit (different {', '.join(changed)}); give a new --out,"
                " or the same options to resume it"
            ]
        )
    return True


def run_abc(
    model: Callable[[Mapping[str, Any]], dict[str, float]],
    priors: Sequence[Prior],
    observed: Mapping[str, float],
    out: Path,
    *,
    population: int,
    generations: int,
    min_epsilon: float = 0.0,
    min_acceptance: float = 0.0,
    workers: int = 1,
    dask: str | None = None,
    fit_key: dict[str, Any] | None = None,
    seed: int = 0,
    progress: Callable[[Generation, int, float], None] | None = None,
):
    """Run (or resume) ABC-SMC until `generations` generations exist in OUT/fit.db, epsilon falls
    to `min_epsilon`, or the acceptance rate below `min_acceptance`. Returns pyabc's History."""
    import pyabc

    abc_logger = logging.getLogger("ABC")
    abc_logger.setLevel(logging.INFO)  # the progress handler reads its INFO lines ...
    for handler in abc_logger.handlers:  # ... which pyabc's own handler does not print
        handler.setLevel(logging.WARNING)
    for name in ("ABC.History", "ABC.Distance", "ABC.Epsilon", "ABC.Sampler", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)
    out.mkdir(parents=True, exist_ok=True)
    settings = _settings(priors, dict(fit_key or {}))
    resume = check_resume(out, settings)
    from ..atomic import write_atomic

    write_atomic(out / SETTINGS_NAME, json.dumps(settings, indent=1, sort_keys=True) + "\n")
    # pyabc draws from numpy's global generator: seeding it makes a one-process fit repeat
    # exactly (with several workers the order in which particles come back still varies)
    np.random.seed(seed)
    sampler, close = make_sampler(workers, dask)
    try:
        abc = pyabc.ABCSMC(
            model,
            to_pyabc(priors),
            pyabc.AdaptivePNormDistance(p=1, scale_function=pyabc.distance.mad),
            population_size=population,
            sampler=sampler,
        )
        db = f"sqlite:///{(out / DB_NAME).resolve()}"
        history = abc.load(db, 1) if resume else abc.new(db, dict(observed))
        done = generations_of(history) if resume else []
        remaining = generations - len(done)
        if done and (done[-1].epsilon <= min_epsilon or done[-1].acceptance < min_acceptance):
            remaining = 0
        if remaining > 0:
            watcher = _Progress(history, generations, progress)
            logger = logging.getLogger("ABC")
            logger.addHandler(watcher)
            try:
                history = abc.run(
                    max_nr_populations=remaining,
                    minimum_epsilon=min_epsilon,
                    min_acceptance_rate=min_acceptance,
                )
            finally:
                logger.removeHandler(watcher)
        return history
    finally:
        close()


def posterior_of(history, priors: Sequence[Prior], **meta: Any) -> Posterior:
    """The last generation as a Posterior, with each coefficient's weighted 5/50/95 %
    quantiles (pyabc's weighted_quantile)."""
    from pyabc.weighted_statistics import weighted_quantile

    frame, weights = history.get_distribution(m=0, t=history.max_t)
    names = [p.name for p in priors]
    particles = frame[names].to_numpy(dtype=float)
    w = np.asarray(weights, dtype=float)
    intervals = {
        name: {
            f"p{round(100 * q)}": float(weighted_quantile(particles[:, k], w, alpha=q))
            for q in LEVELS
        }
        for k, name in enumerate(names)
    }
    done = generations_of(history)
    return make_posterior(
        names,
        particles,
        w,
        intervals,
        generation=int(history.max_t),
        epsilon=done[-1].epsilon if done else math.nan,
        simulations=int(history.total_nr_simulations),
        **meta,
    )
