"""Taking losses: the one place where men move from `men` to killed, wounded, captured or drowned,
so that men are conserved and officers and leaders are hit in proportion.
"""

from __future__ import annotations

from ..core.dice import Stream
from ..core.events import Event, LeaderKilled
from ..core.state import GameState


def draw_casualties(rng: Stream, men: int, expected: float) -> int:
    """Men disabled when `expected` casualties are due among `men`: a binomial draw, so the count
    can never exceed the men present and its mean is the expected loss (capped at all of them)."""
    if men <= 0 or expected <= 0.0:
        return 0
    p = expected / men
    if p >= 1.0:
        return men
    return int(rng.binomial(men, p))


def apply_casualties(
    state: GameState,
    unit: int,
    disabled: int,
    coefficients,
    events: list[Event],
    killed_fraction: float | None = None,
    *,
    rng: Stream,
) -> tuple[int, int]:
    """Split `disabled` men into killed and wounded (by `killed_fraction`, default the
    coefficient of that name), hit officers and the leader; return (killed, wounded). `rng` is
    the stream the hit was drawn from: the split, the officers and the leader take its next
    draws, so a hit and what follows from it stay at one place of the dice."""
    u = state.units
    disabled = min(int(disabled), int(u.men[unit]))
    if disabled <= 0:
        return 0, 0
    share_killed = coefficients.killed_fraction if killed_fraction is None else killed_fraction
    killed = int(rng.binomial(disabled, share_killed))
    wounded = disabled - killed
    share = disabled / max(int(u.men[unit]), 1)
    u.men[unit] -= disabled
    u.killed[unit] += killed
    u.wounded[unit] += wounded
    if u.hex[unit] >= 0 and state.board.water_list[int(u.hex[unit])]:
        u.hit_in_water[unit] += disabled  # shot in the water (history counts them apart)
    officers_left = int(u.officers[unit] - u.officers_killed[unit])
    if officers_left > 0 and killed > 0:
        p = min(1.0, share * coefficients.officer_loss_factor * killed / disabled)
        u.officers_killed[unit] += int(rng.binomial(officers_left, p))
    if u.leader_alive[unit] and rng.random() < min(
        1.0, share * coefficients.leader_hit_per_casualty_share
    ):
        u.leader_alive[unit] = False
        u.morale[unit] = max(0.0, u.morale[unit] - coefficients.morale_loss_leader_killed)
        events.append(LeaderKilled(state.turn, u.ids[unit], u.leader_names[unit] or "commander"))
    return killed, wounded


def remove_men(state: GameState, unit: int, men: int, into: str) -> int:
    """Move men to `captured`, `drowned` or `escaped` (not casualties of fire)."""
    u = state.units
    men = min(int(men), int(u.men[unit]))
    if men <= 0:
        return 0
    u.men[unit] -= men
    getattr(u, into)[unit] += men
    return men
