"""What every benchmark prints first: the commit measured and the machine it ran on, so that
figures from different days and machines can be told apart.

The benchmarks are scripts (`python benchmarks/bench_x.py`): Python puts this folder first on
the path, so they import this module as `machine`.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _git(*words: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *words], capture_output=True, text=True, check=True
    ).stdout.strip()


def commit() -> str:
    """The checkout's short commit, with `+` when it has uncommitted changes (a figure measured
    on changed code is not the commit's)."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        changed = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+" if changed else "")


def header() -> str:
    """One line: commit, Python, processor, cores, platform, and the load when it is known."""
    try:
        load = ", load " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = ""
    return (
        f"commit {commit()}  python {platform.python_version()}  {platform.machine()}"
        f"  {os.cpu_count()} cores  {platform.processor() or platform.platform()}{load}"
    )
