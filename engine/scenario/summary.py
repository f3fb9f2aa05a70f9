"""A short text summary of a scenario, so that `wargame validate` shows what was understood."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from .. import hexgrid
from .models import Blockhouse, Fortification, Minefield, Scenario, Wire


def _name(name) -> str:
    return f"{name.en} ({name.zh})" if name.zh else name.en


def summarize(scenario: Scenario, filename: str) -> str:
    clock, grid = scenario.clock, scenario.map
    end = clock.start + timedelta(minutes=clock.turn_minutes * clock.turns)
    hours = clock.turn_minutes / 60
    width_km = grid.width * grid.hex_size_m / 1000
    # Pointy-topped rows are 3/4 of a hex apart, 1.5 radii, i.e. sqrt(3)/2 of the centre spacing.
    height_km = grid.height * grid.hex_size_m * hexgrid.ROW_SPACING / 1000
    lines = [
        f"{filename}: OK",
        f"  {_name(scenario.title)} [{scenario.scale}]",
        f"  {clock.start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}: {clock.turns} turns of"
        f" {hours:g} h; darkness {clock.darkness.starts:%H:%M}-{clock.darkness.ends:%H:%M}",
        f"  map: {grid.width} x {grid.height} hexes of {grid.hex_size_m:g} m"
        f" (about {width_km:.1f} x {height_km:.1f} km), {len(grid.places)} named places,"
        f" {len(grid.rivers)} rivers",
    ]
    arriving = {u for r in scenario.reinforcements for u in r.units}
    for side in scenario.sides:
        units = [u for u in scenario.units if u.side == side.id]
        men = sum(u.men for u in units)
        later = sum(u.men for u in units if u.id in arriving)
        extra = f", {later:,} of them arriving later" if later else ""
        lines.append(f"  {_name(side.name)}: {len(units)} units, {men:,} men{extra}")
    kinds = Counter(type(o) for o in scenario.obstacles)
    parts = []
    for kind, label in (
        (Minefield, "minefield"),
        (Wire, "wire"),
        (Fortification, "fortification"),
        (Blockhouse, "blockhouse"),
    ):
        hexes = sum(len(o.hexes) for o in scenario.obstacles if isinstance(o, kind))
        if kinds[kind]:
            parts.append(f"{kinds[kind]} {label} ({hexes} hexes)")
    lines.append(f"  obstacles: {', '.join(parts) if parts else 'none'}")
    rounds = sum(b.rounds for b in scenario.ammunition)
    lines.append(
        f"  {len(scenario.reinforcements)} reinforcements, {len(scenario.air_strikes)} air strikes,"
        f" {rounds:,} rounds in ammunition budgets, {len(scenario.history)} historical metrics"
    )
    return "\n".join(lines)
