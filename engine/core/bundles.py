"""The state's arrays as the kernels take them: a few named bundles rather than one argument
per array.

Why namedtuples: a kernel (engine/kernels) runs as plain Python or compiled by numba, and a
namedtuple of arrays is both a plain Python value and a type numba compiles against, handed to
a compiled kernel in about 5 µs for forty arrays (measured; a structref is quicker to hand over
but cannot be made or read without numba, and one argument per array repeats sixty names in
every signature and call: docs/speed.md, "What the prototypes taught"). The bundles hold the
state's own arrays, not copies, so a kernel changes the game by writing into them; the rules
never rebind those arrays (they change them in place), which is what keeps a bundle true.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import fields
from typing import Any

from .state import Units, Works

# Every per-unit array of `Units` (its names and records of guns are not arrays; its `tally` is
# the ledger rows, already here by name), in the order of the record's fields.
UNIT_ARRAYS = tuple(
    f.name for f in fields(Units) if f.type in ("np.ndarray",) and f.name != "tally"
)
WORKS_ARRAYS = tuple(f.name for f in fields(Works))

UnitArrays = namedtuple("UnitArrays", UNIT_ARRAYS)  # type: ignore[misc]
WorksArrays = namedtuple("WorksArrays", WORKS_ARRAYS)  # type: ignore[misc]


def unit_arrays(units: Units) -> Any:
    """The units' arrays as a `UnitArrays` bundle, made once per record of units (a copied
    state has copied arrays, hence a bundle of its own: the check is that the bundle holds this
    record's `men`)."""
    kept = units.__dict__.get("_bundle")
    if kept is None or kept.men is not units.men:
        kept = units.__dict__["_bundle"] = UnitArrays._make(
            getattr(units, name) for name in UNIT_ARRAYS
        )
    return kept


def works_arrays(works: Works) -> Any:
    """The works' arrays as a `WorksArrays` bundle (as `unit_arrays`)."""
    kept = works.__dict__.get("_bundle")
    if kept is None or kept.lane is not works.lane:
        kept = works.__dict__["_bundle"] = WorksArrays._make(
            getattr(works, name) for name in WORKS_ARRAYS
        )
    return kept
