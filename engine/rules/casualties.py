"""Taking losses: the one place where men move from `men` to killed, wounded, captured or drowned,
so that men are conserved and officers and leaders are hit in proportion.
"""

from __future__ import annotations

from ..core.bundles import unit_arrays
from ..core.dice import Stream, binomial, uniform_at
from ..core.events import Event, LeaderKilled
from ..core.state import GameState
from ..kernels.jit import kernel


def draw_casualties(rng: Stream, men: int, expected: float) -> int:
    """Men disabled when `expected` casualties are due among `men`: a binomial draw, so the count
    can never exceed the men present and its mean is the expected loss (capped at all of them).
    (The rules that are kernels draw with `draw_disabled`, the same rule; this serves those still
    in Python, on a `Stream`, until they are kernels too.)"""
    if men <= 0 or expected <= 0.0:
        return 0
    p = expected / men
    if p >= 1.0:
        return men
    return int(rng.binomial(men, p))


@kernel(borrows=True)
def draw_disabled(men, expected, keys, place, k):
    """`draw_casualties` for a kernel: the men disabled when `expected` casualties are due
    among `men`, drawn from the draw place `place` at its uniform `k` (when a draw is needed);
    returns (men disabled, the next uniform's number)."""
    if men <= 0 or expected <= 0.0:
        return 0, k
    p = expected / men
    if p >= 1.0:
        return men, k
    return binomial(men, p, uniform_at(keys, place, k)), k + 1


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
    draws, so a hit and what follows from it stay at one place of the dice. The rule is the
    kernel `take_casualties`; this hands it the game's arrays and tells of a leader's fall."""
    share_killed = coefficients.killed_fraction if killed_fraction is None else killed_fraction
    killed, wounded, leader_killed, taken = take_casualties(
        unit_arrays(state.units),
        state.board.water,
        unit,
        int(disabled),
        float(share_killed),
        coefficients.values(),
        state.dice.key_words,
        rng.place,
        rng.taken,
    )
    rng.skip(taken - rng.taken)
    if leader_killed:
        u = state.units
        events.append(LeaderKilled(state.turn, u.ids[unit], u.leader_names[unit] or "commander"))
    return int(killed), int(wounded)


@kernel(borrows=True)
def take_casualties(u, water, unit, disabled, share_killed, c, keys, place, k):
    """Take `disabled` men of `unit` (no more than it has): `share_killed` of them killed, the
    rest wounded; officers fall in proportion to the share of the unit killed and the leader
    by `leader_hit_per_casualty_share` (c: `CoefficientValues`). Draws from the draw place
    `place`, starting at its uniform `k`. Returns (killed, wounded, whether the leader fell,
    the next uniform's number)."""
    men = int(u.men[unit])
    disabled = min(disabled, men)
    if disabled <= 0:
        return 0, 0, False, k
    killed = binomial(disabled, share_killed, uniform_at(keys, place, k))
    k += 1
    wounded = disabled - killed
    share = disabled / max(men, 1)
    u.men[unit] -= disabled
    u.killed[unit] += killed
    u.wounded[unit] += wounded
    if u.hex[unit] >= 0 and water[u.hex[unit]]:
        u.hit_in_water[unit] += disabled  # shot in the water (history counts them apart)
    officers_left = int(u.officers[unit] - u.officers_killed[unit])
    if officers_left > 0 and killed > 0:
        p = min(1.0, share * c.officer_loss_factor * killed / disabled)
        u.officers_killed[unit] += binomial(officers_left, p, uniform_at(keys, place, k))
        k += 1
    leader_killed = False
    if u.leader_alive[unit]:
        hit = uniform_at(keys, place, k) < min(1.0, share * c.leader_hit_per_casualty_share)
        k += 1
        if hit:
            u.leader_alive[unit] = False
            u.morale[unit] = max(0.0, u.morale[unit] - c.morale_loss_leader_killed)
            leader_killed = True
    return killed, wounded, leader_killed, k


def remove_men(state: GameState, unit: int, men: int, into: str) -> int:
    """Move men to `captured`, `drowned` or `escaped` (not casualties of fire)."""
    u = state.units
    men = min(int(men), int(u.men[unit]))
    if men <= 0:
        return 0
    u.men[unit] -= men
    getattr(u, into)[unit] += men
    return men
