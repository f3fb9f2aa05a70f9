"""Who won: the scenario's victory conditions, judged when the game ends.

hold: the side controls the place at the end. capture: it controls the place at `by` (default: the
end). destroy: the other side (or the listed units) lost at least `fraction` of its men. exit: at
least `men` of the side (or of the listed units) left the map by its edge at `place`. A side wins
when one of its conditions is met and none of the other side's is; otherwise the game is a draw.
"""

from __future__ import annotations

import numpy as np

from ..core.state import GameState


def condition_met(state: GameState, condition) -> bool:
    side = state.side_index(condition.side)
    u = state.units
    if condition.kind in ("hold", "capture"):
        place = condition.place
        name = place if isinstance(place, str) else None
        if name is None:
            h = state.board.resolve(place)
            return int(state.control[h]) == side
        timeline = state.place_timeline.get(name, [])
        if condition.kind == "capture" and condition.by is not None and timeline:
            turn = min(max(state.turn_of(condition.by) - 1, 0), len(timeline) - 1)
            return timeline[turn] == side
        return state.place_control.get(name, -1) == side
    listed = getattr(condition, "units", None)
    if listed:
        mask = np.isin(np.array(u.ids), listed)
    else:
        mask = (u.side == (1 - side)) if condition.kind == "destroy" else (u.side == side)
    if condition.kind == "destroy":
        lost = (u.killed + u.wounded + u.captured + u.drowned)[mask].sum()
        return lost >= condition.fraction * max(int(u.men_start[mask].sum()), 1)
    if condition.kind == "exit":
        # men of the counted units who left the map by its edge at the condition's place (men
        # who slipped out of a ring, or left elsewhere, escaped but did not make this exit)
        at = state.board.resolve(condition.place)
        return sum(men for i, (h, men) in state.exits.items() if h == at and mask[i]) >= (
            condition.men
        )
    return False


def decide_winner(state: GameState) -> tuple[str, str]:
    met = {s: [] for s in state.side_ids}
    for condition in state.scenario.victory:
        if condition_met(state, condition):
            met[condition.side].append(condition.kind)
    winners = [s for s, kinds in met.items() if kinds]
    if len(winners) == 1:
        return winners[0], f"{winners[0]}: {', '.join(met[winners[0]])}"
    if not winners:
        return "draw", "no side met a victory condition"
    return "draw", "both sides met a victory condition"
