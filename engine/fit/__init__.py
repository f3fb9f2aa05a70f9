"""Coefficient inference: `wargame fit` (ABC-SMC with pyabc) and the posterior that `wargame
run|batch|calibrate --posterior` draw from; `wargame sensitivity` (SALib) lives beside it.

pyabc and SALib are an optional extra (`pip install -e '.[fit]'`): players and batch users do
not need their heavy trees. Only the modules that run a fit import pyabc; the posterior file
(`posterior.py`) and the priors (`priors.py`) need nothing beyond the core install, so a batch
can draw from a posterior on a machine without the extra.
"""

from __future__ import annotations

import importlib.util

INSTALL_HINT = "this command needs the fit extra: pip install -e '.[fit]'"


def missing_extra(*modules: str) -> str | None:
    """The one line to print when a module of the `fit` extra is not installed, else None."""
    if all(importlib.util.find_spec(name) is not None for name in modules):
        return None
    return INSTALL_HINT
