"""The share of each side's losses by cause, over N games played by the computer on both sides.

    python -m engine.sim.causes scenarios/furong_mountain.yaml --games 50 [--seed 1]

Causes are read from the events (docs/rules.md, "Share of losses by cause"): direct fire
(`fired`), bombardment (`bombarded`), air (`air_strike`), mines entered on the march
(`mine_struck`), and each phase of an assault (`assault`: mines, approach = close fire held at
the wire, grenades, hand to hand), drowning (`drowned`), surrender (`surrendered`). Whatever
a side lost that no event names (men captured when a taken hex has no way out, trapped men
killed fighting on) is shown as "other", so the shares always add up to the side's whole loss
(killed + wounded + captured + drowned, from the units' ledger).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict

from ..core.events import AirStrike, Assaulted, Bombarded, Drowned, Fired, Surrendered
from ..game import Game
from ..rules.engineering import MineStruck

CAUSES = (
    "direct fire",
    "bombardment",
    "air",
    "mines (march)",
    "mines (assault)",
    "close fire (assault approach, wire)",
    "grenades",
    "hand to hand",
    "drowned",
    "surrendered",
    "other",
)
_PHASES = {
    "mines": "mines (assault)",
    "approach": "close fire (assault approach, wire)",
    "grenades": "grenades",
    "melee": "hand to hand",
}


def losses_by_cause(game: Game) -> dict[str, dict[str, int]]:
    """A finished (or running) game's losses by side id, then by cause (men)."""
    u = game.state.units
    side_of = {uid: game.side_ids[int(u.side[i])] for i, uid in enumerate(u.ids)}
    out: dict[str, dict[str, int]] = {s: defaultdict(int) for s in game.side_ids}
    for e in game.events:
        if isinstance(e, Fired):
            out[side_of[e.target]]["direct fire"] += e.killed + e.wounded
        elif isinstance(e, Bombarded):
            for uid, hit in e.casualties.items():
                out[side_of[uid]]["bombardment"] += hit
        elif isinstance(e, AirStrike):
            for uid, hit in e.casualties.items():
                out[side_of[uid]]["air"] += hit
        elif isinstance(e, MineStruck):
            out[side_of[e.unit]]["mines (march)"] += e.killed + e.wounded
        elif isinstance(e, Assaulted):
            attackers = side_of[e.attackers[0]] if e.attackers else None
            defenders = side_of[e.defenders[0]] if e.defenders else None
            for phase, lost in e.attacker_losses.items():
                if attackers:
                    out[attackers][_PHASES.get(phase, "hand to hand")] += lost
            for phase, lost in e.defender_losses.items():
                if defenders:
                    out[defenders][_PHASES.get(phase, "hand to hand")] += lost
        elif isinstance(e, Drowned):
            out[side_of[e.unit]]["drowned"] += e.men
        elif isinstance(e, Surrendered):
            out[side_of[e.unit]]["surrendered"] += e.men
    for k, side in enumerate(game.side_ids):
        mine = u.side == k
        total = int((u.killed + u.wounded + u.captured + u.drowned)[mine].sum())
        named = sum(out[side].values())
        if total > named:
            out[side]["other"] += total - named
    return {side: dict(causes) for side, causes in out.items()}


def play(path: str, games: int, seed: int = 1) -> dict[str, dict[str, int]]:
    """Sum of `losses_by_cause` over `games` seeded games (seeds seed .. seed + games - 1),
    the computer player on both sides."""
    total: dict[str, dict[str, int]] = {}
    for n in range(games):
        game = Game.load(path, seed=seed + n)
        while not game.over:
            for side in game.sides_to_order():
                game.apply_orders(side, game.computer_orders(side))
            game.end_turn()
        for side, causes in losses_by_cause(game).items():
            into = total.setdefault(side, defaultdict(int))
            for cause, men in causes.items():
                into[cause] += men
    return {side: dict(c) for side, c in total.items()}


def table(total: dict[str, dict[str, int]], games: int) -> str:
    """A markdown table: each cause's share of each side's losses, and men per game."""
    sides = list(total)
    head = "| cause | " + " | ".join(f"{s} share | {s} men/game" for s in sides) + " |"
    rule = "| --- |" + " ---: | ---: |" * len(sides)
    rows = [head, rule]
    sums = {s: max(1, sum(total[s].values())) for s in sides}
    for cause in CAUSES:
        if not any(total[s].get(cause) for s in sides):
            continue
        cells = []
        for s in sides:
            men = total[s].get(cause, 0)
            cells.append(f"{men / sums[s]:.1%} | {men / games:.1f}")
        rows.append(f"| {cause} | " + " | ".join(cells) + " |")
    cells = [f"100% | {sum(total[s].values()) / games:.1f}" for s in sides]
    rows.append("| all | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m engine.sim.causes",
        description="Play N games (computer on both sides) and print each side's share of "
        "losses by cause.",
    )
    parser.add_argument("scenario")
    parser.add_argument("--games", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.games < 1:
        parser.error("--games must be at least 1")
    try:
        total = play(args.scenario, args.games, args.seed)
    except Exception as error:  # a bad file: its located message, not a traceback
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{args.scenario}: {args.games} games from seed {args.seed}")
    print(table(total, args.games))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
