"""Each battle's seed comes from the batch seed and the battle's index alone.

`numpy.random.SeedSequence(batch_seed, spawn_key=(index,))` is the child that
`SeedSequence(batch_seed).spawn(...)` would give for that index, computed directly, so a battle's
seed never depends on chunk size, worker count, the order battles finish in, or on a resume. The
seed is a 63-bit integer, so it fits Parquet's int64 and `wargame run --seed` takes it as is.

Every arm (variant or sweep point) of a batch uses the same seeds for the same indexes: differences
between arms are then due to the change, not to different dice (common random numbers), and the
report can pair battle i of a variant with battle i of the baseline.
"""

from __future__ import annotations

import numpy as np


def battle_seed(batch_seed: int, index: int) -> int:
    """The seed of battle `index` of a batch seeded with `batch_seed` (both >= 0)."""
    if batch_seed < 0 or index < 0:
        raise ValueError("batch seed and battle index must be >= 0")
    sequence = np.random.SeedSequence(batch_seed, spawn_key=(index,))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
