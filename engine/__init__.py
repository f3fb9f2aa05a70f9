"""A hex-grid wargame engine for historical scenarios: YAML battles, documented attrition rules,
play in a window, batch simulation, and comparison with what really happened."""

__version__ = "0.2.0"
