"""Batch Monte Carlo: thousands of seeded battles, what-if variants and sweeps, Parquet results and
a report that sets history inside the spread of simulated outcomes.

    overlay.py   what-if overlays (small YAML files) applied to a scenario's raw data, with errors
                 located at file:line:col
    plan.py      a batch as arms (variant x sweep point) x battle indexes; the manifest; resume
    aimodes.py   the computer player's modes: `--ai SIDE=MODE`, the arms of `--compare-ai`
    versions.py  the rules version: a hash of the effective coefficients and the engine version
    seeds.py     each battle's seed from the batch seed and the battle's index (SeedSequence)
    worker.py    plays a chunk of battles and returns their rows (runs in any process)
    results.py   the Parquet layout: columns, file metadata, atomic chunk files, reading back
    executors.py serial, local process pool, Dask (existing cluster or LocalCluster on 127.0.0.1)
    runner.py    the `wargame batch` loop: progress bar, chunk writing, interrupts, retries
    stats.py     Wilson intervals, percentiles, variant ranking, notable battles (numpy only)
    report.py    report.html and its PNG plots, rebuilt from the Parquet files alone
    commands.py  the `batch` and `report` subcommands

The rules know nothing of this package; it plays games only through `engine.headless.play`.
"""
