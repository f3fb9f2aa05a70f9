"""Hypothesis profiles: the suite draws the same examples on every run, so CI passes or fails on
the code, not on the day's luck. `HYPOTHESIS_PROFILE=explore` draws fresh examples (and more of
them) to hunt for new failures; a failure it finds goes into the test as an `@example`."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
