"""The reference bench: which games to play, playing them (all cores or Dask), and the figures
each check makes of them, judged against the bands of `data/bands.yaml`.

Four checks (docs/reference.md):
- cdb90: every battle of the subset, built by `builder`, played with several seeds; casualty
  rates per day by defender posture, loss-exchange ratio, attacker success by force-ratio bin,
  beside the record of the same battles.
- lanchester: a pure fire fight between equal troops at 1:1, 2:1, 3:1 against the square law.
- turn_length: one battle at 15, 30, 60 and 120-minute turns.
- force_ratio: attacker success and exchange ratio over force ratios 0.5-4 for each posture.

A game is a (scenario text, seed); jobs carry the text so a worker needs nothing but the engine.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..sim.seeds import keyed_seeds
from ..sim.stats import newcombe
from .builder import scenario_text
from .data import DATA, POSTURES, Battle
from .stats import (
    RATIO_BINS,
    Spread,
    bin_labels,
    clustered_success,
    loss_exchange_ratio,
    loss_rate_per_day,
    outside_beyond_noise,
    per_battle,
    ratio_bin,
    spread,
    square_law_error,
    square_law_survivors,
    stochastic_square_law_survivors,
    success,
)

BANDS_FILE = DATA / "bands.yaml"


@dataclass(frozen=True)
class Settings:
    """How much to play: seeds per battle for each check, and which battles."""

    cdb90_seeds: int = 8
    cdb90_battles: int | None = None  # None: all; else an evenly spread sample of this many
    lanchester_seeds: int = 30  # at 1:1 the mean of 10 games is ±20 men of noise (bands.yaml)
    turn_seeds: int = 128  # common seeds at every turn length; bands.yaml says why
    ratio_seeds: int = 64  # games a ratio: a step is judged against its noise (bands.yaml)
    checks: tuple[str, ...] = ("cdb90", "lanchester", "turn_length", "force_ratio")
    # rule coefficients changed for every game (`--set`, `--coefficients`): (name, value) pairs,
    # sorted, so that a setting is hashable and prints the same way every time
    overrides: tuple[tuple[str, float], ...] = ()

    @classmethod
    def quick(cls) -> Settings:
        """A sample of 100 battles with 3 seeds each: the battle is the unit of the CDB90
        figures (their seeds mostly agree), so battles buy more precision than seeds."""
        return cls(
            cdb90_seeds=3, cdb90_battles=100, lanchester_seeds=6, turn_seeds=20, ratio_seeds=8
        )

    @classmethod
    def tiny(cls) -> Settings:
        """For the tests: a handful of battles, one seed."""
        return cls(cdb90_seeds=1, cdb90_battles=6, lanchester_seeds=1, turn_seeds=1, ratio_seeds=1)


@dataclass(frozen=True)
class Job:
    """Some seeded games of one scenario."""

    key: str  # what the games measure: "cdb90:240", "lanchester:2", "turn:15", "ratio:hasty:1.25"
    text: str  # the scenario's YAML
    seeds: tuple[int, ...]
    until_gone: bool = False  # stop each game when one side has no men left in the fight
    overrides: tuple[tuple[str, float], ...] = ()  # rule coefficients changed (Settings')


def _in_fight(state: Any, side: int) -> int:
    u = state.units
    mask = (u.side == side) & u.arrived & ~u.gone & ~u.routed
    return int(u.men[mask].sum())


CAUSES = ("fire", "bombardment", "assault", "other")  # losses by cause, in every record


def _tally(events: Iterable[Any], side_of: dict[str, int], lost: list[dict[str, int]]) -> int:
    """Add a turn's losses by cause to `lost` (one dict per side) from its events: `fired`
    (direct fire: the target's killed and wounded), `bombarded` (men hit by indirect fire),
    `assault` (every phase of an assault, both sides). What no event of these names (surrender
    on rout, drowning) is left to `other`, the residual. Returns the turn's assaults."""
    assaults = 0
    for event in events:
        kind = event.kind
        if kind == "fired":
            lost[side_of[event.target]]["fire"] += event.killed + event.wounded
        elif kind == "bombarded":
            for unit, men in event.casualties.items():
                lost[side_of[unit]]["bombardment"] += men
        elif kind == "assault":
            assaults += 1
            attacker = side_of[event.attackers[0]]
            lost[attacker]["assault"] += sum(event.attacker_losses.values())
            lost[1 - attacker]["assault"] += sum(event.defender_losses.values())
    return assaults


def play_job(job: Job) -> list[dict[str, Any]]:
    """Play a job's games; one flat record per game (side 0 is the attacker): starting men,
    losses (killed, wounded, captured, drowned) and losses by cause (`a_fire`, `d_bombardment`,
    ...), men left in the fight and men left at all, the winner, whether a side was gone, and
    the number of assaults fought."""
    from ..game import Game
    from ..scenario.loader import load_scenario_text

    scenario = load_scenario_text(job.text, f"<{job.key}>", fast=True).scenario
    records = []
    for seed in job.seeds:
        game = Game(scenario, seed, keep_events=False, overrides=dict(job.overrides) or None)
        u = game.state.units
        side_of = dict(zip(u.ids, u.side.tolist(), strict=True))
        by_cause = [dict.fromkeys(CAUSES, 0), dict.fromkeys(CAUSES, 0)]
        assaults = 0
        gone = False
        while not game.over:
            for side in game.sides_to_order():
                game.apply_orders(side, game.computer_orders(side))
            assaults += _tally(game.end_turn(), side_of, by_cause)
            state = game.state
            if job.until_gone and min(_in_fight(state, 0), _in_fight(state, 1)) == 0:
                gone = True
                break
        state = game.state
        u = state.units
        lost = u.killed + u.wounded + u.captured + u.drowned
        record = {
            "key": job.key,
            "seed": seed,
            "a_men": int(u.men_start[u.side == 0].sum()),
            "d_men": int(u.men_start[u.side == 1].sum()),
            "a_loss": int(lost[u.side == 0].sum()),
            "d_loss": int(lost[u.side == 1].sum()),
            "a_left": _in_fight(state, 0),
            "d_left": _in_fight(state, 1),
            "won": int(state.winner == "attacker"),
            "gone": gone,
            "hours": state.turn * state.scenario.clock.turn_minutes / 60,
            "assaults": assaults,
        }
        for k, side in (("a", 0), ("d", 1)):
            counted = sum(by_cause[side][c] for c in CAUSES[:-1])
            by_cause[side]["other"] = record[f"{k}_loss"] - counted
            for cause in CAUSES:
                record[f"{k}_{cause}"] = by_cause[side][cause]
        records.append(record)
    return records


# ------------------------------------------------------------------------------------ the jobs

LANCHESTER_MEN = 400  # B, the weaker side; A = ratio x B
LANCHESTER_TURNS = 4800  # 200 days of 60-minute turns at most: the fire fight is fought to the
# finish (`resolve: to_the_last`, each game stops when a side is gone), which takes 4-6 days at 3:1
# and 2:1 and 3-10 weeks at 1:1, where the law's two sides wear each other down together (at the
# direct-fire rate of issue 16's third pass, 0.005, one 1:1 game of 30 outlasted 100 days)
PREPARATION_HOURS = 2  # the turn-length battle's bombardment before the infantry assaults
TEST_BATTLE = Battle(  # the turn-length battle: 2:1 against a prepared defence, one day
    isqno=0,
    name="Turn length",
    war="",
    year=1944,
    posture="prepared",
    roughness="rolling",
    cover="mixed",
    front_km=2.0,
    duration_days=1.0,
    attacker_men=2000,
    attacker_losses=0,
    defender_men=1000,
    defender_losses=0,
    attacker_won=0,
)


def lanchester_battle(ratio: float) -> Battle:
    """Equal troops on open ground without works, 100 m hexes (all within rifle range): A =
    ratio x 400 men against B = 400, played (`lanchester_text`) until a side is gone."""
    return replace(
        TEST_BATTLE,
        name=f"Lanchester {ratio:g} to 1",
        posture="hasty",
        roughness="flat",
        cover="bare",
        front_km=0.4,
        duration_days=2.0,
        attacker_men=round(ratio * LANCHESTER_MEN),
        defender_men=LANCHESTER_MEN,
    )


def lanchester_text(ratio: float, rules: dict[str, float] | None = None) -> str:
    """The fire fight's scenario: both sides `hold` (neither assaults: the infantry's `hold`
    gives only Hold orders, and no unit has guns), no works, 60-minute turns. The square law is
    a law of attrition: it knows no morale, so both sides fight to the last man (`resolve:
    to_the_last`: no breaking, no rout, no surrender), and the battle is long enough for one
    side to be destroyed. With normal resolve the loser routed at about 40 % losses and the
    1:1 fight, where both sides fall together, never reached its end."""
    return scenario_text(
        lanchester_battle(ratio),
        attacker_task="hold",
        works=False,
        turn_minutes=60,
        turns=LANCHESTER_TURNS,
        rules=rules,
        resolve="to_the_last",
    )


def turn_text(minutes: int, rules: dict[str, float] | None = None) -> str:
    """The turn-length battle at `minutes` a turn: fire (rifles, machine guns), bombardment
    (both sides' mortars; the attacker's fire on the line for two hours before its infantry
    moves) and assault (the attacker's infantry assaults the line)."""
    return scenario_text(
        TEST_BATTLE,
        turn_minutes=minutes,
        guns=True,
        preparation_hours=PREPARATION_HOURS,
        rules=rules,
        main_effort=False,
    )


def write_check_scenarios(
    bands: dict[str, Any], folder: Path, rules: dict[str, float] | None = None
) -> list[Path]:
    """The fire fight at each ratio and the turn-length battle at each turn length as scenario
    files (atomically), so a user can open or batch what the checks play. A file plays its
    whole length; the bench stops a fire fight when a side is gone. `rules`: coefficients
    changed on the bench, written into each file's `rules:` block."""
    from ..atomic import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    lanchester = bands["lanchester"]["ratios"]
    texts = {f"lanchester_{r:g}_to_1": lanchester_text(r, rules) for r in lanchester}
    texts |= {f"turn_length_{m}min": turn_text(m, rules) for m in bands["turn_length"]["minutes"]}
    paths = []
    for name, text in texts.items():
        path = folder / f"{name}.yaml"
        write_atomic(path, text)
        paths.append(path)
    return paths


def ratio_battle(posture: str, ratio: float) -> Battle:
    return replace(
        TEST_BATTLE,
        name=f"Force ratio {ratio:g} {posture}",
        posture=posture,
        attacker_men=round(ratio * TEST_BATTLE.defender_men),
    )


def ratios(bands: dict[str, Any]) -> list[float]:
    fr = bands["force_ratio"]
    count = round((fr["to"] - fr["from"]) / fr["step"]) + 1
    return [round(fr["from"] + k * fr["step"], 6) for k in range(count)]


def sample(battles: Sequence[Battle], count: int | None) -> list[Battle]:
    """An evenly spread sample (every k-th battle in data order), deterministic."""
    if count is None or count >= len(battles):
        return list(battles)
    step = len(battles) / count
    return [battles[int(k * step)] for k in range(count)]


def make_jobs(
    battles: Sequence[Battle], settings: Settings, bands: dict[str, Any], seed: int = 0
) -> list[Job]:
    def seeds(n: int) -> tuple[int, ...]:
        """Common seeds for checks that compare one setting with another (paired)."""
        return tuple(range(seed, seed + n))

    jobs: list[Job] = []
    with_overrides = settings.overrides
    if "cdb90" in settings.checks:
        for b in battles:
            jobs.append(
                # each battle its own seeds: the battles are the independent units of the
                # CDB90 figures, so they must not share dice (`keyed_seed`)
                Job(
                    f"cdb90:{b.isqno}",
                    scenario_text(b),
                    keyed_seeds(seed, settings.cdb90_seeds, b.isqno),
                )
            )
    if "lanchester" in settings.checks:
        for r in bands["lanchester"]["ratios"]:
            text = lanchester_text(r)
            jobs.append(Job(f"lanchester:{r:g}", text, seeds(settings.lanchester_seeds), True))
    if "turn_length" in settings.checks:
        for minutes in bands["turn_length"]["minutes"]:
            jobs.append(Job(f"turn:{minutes}", turn_text(minutes), seeds(settings.turn_seeds)))
    if "force_ratio" in settings.checks:
        for posture in POSTURES:
            for r in ratios(bands):
                text = scenario_text(ratio_battle(posture, r), main_effort=False)
                jobs.append(Job(f"ratio:{posture}:{r:g}", text, seeds(settings.ratio_seeds)))
    if with_overrides:
        jobs = [replace(job, overrides=with_overrides) for job in jobs]
    return jobs


def run_jobs(
    jobs: Sequence[Job],
    workers: int = 1,
    dask: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Every job's records, on this process, a local pool (forkserver) or Dask."""
    records: list[dict[str, Any]] = []
    if dask:
        from ..sim.executors import DaskExecutor

        executor = DaskExecutor(dask, workers)
        try:
            futures = executor.client.map(play_job, list(jobs), pure=False)
            from distributed import as_completed

            for future in as_completed(futures):
                records.extend(future.result())
                if progress:
                    progress(1)
        finally:
            executor.close()
        return records
    if workers <= 1:
        for job in jobs:
            records.extend(play_job(job))
            if progress:
                progress(1)
        return records
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(play_job, job) for job in jobs]
        for future in as_completed(futures):
            records.extend(future.result())
            if progress:
                progress(1)
    return records


# ------------------------------------------------------------------------------------ figures


@dataclass
class Figure:
    """One figure of the report: the engine's value beside the reference, and the verdict."""

    check: str
    name: str
    engine: str
    reference: str
    n: str  # battles (and games) behind it
    ok: bool | None  # None: shown, not judged
    off: str = ""  # by how much it misses its band
    value: float | None = None  # the judged number, for a sweep's table (sweep.py)


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    plots: dict[str, Any] = field(default_factory=dict)  # data for the report's plots
    overrides: dict[str, float] = field(default_factory=dict)  # coefficients changed for the run

    @property
    def failures(self) -> list[Figure]:
        return [f for f in self.figures if f.ok is False]


def load_bands(path: Path = BANDS_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _by_key(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        grouped[record["key"]].append(record)
    for rows in grouped.values():
        rows.sort(key=lambda r: r["seed"])
    return grouped


def _outside(value: float, low: float, high: float, scale: float = 1.0, unit: str = "") -> str:
    if value < low:
        return f"{scale * (low - value):.2f}{unit} below (×{value / low:.2g} of the low end)"
    if value > high:
        return f"{scale * (value - high):.2f}{unit} above (×{value / high:.2g} of the high end)"
    return ""


def _inside(s: Spread, ref: Spread) -> bool | None:
    if s.n == 0 or ref.n == 0:
        return None
    return ref.q1 <= s.median <= ref.q3


def _battle_games(
    group: Sequence[Battle], grouped: dict[str, list[dict[str, Any]]]
) -> list[list[dict[str, Any]]]:
    return [grouped[f"cdb90:{b.isqno}"] for b in group]


def cdb90_figures(
    battles: Sequence[Battle], grouped: dict[str, list[dict[str, Any]]], bands: dict[str, Any]
) -> tuple[list[Figure], dict[str, Any]]:
    """Casualty rates and exchange ratios by posture, success by force-ratio bin. The battle is
    the unit (stats.py): the engine's value of a battle is the median of its seeds, its spread
    is over battles like the record's, and success intervals use the effective number of games
    the seeds of a battle are worth."""
    figures: list[Figure] = []
    plot: dict[str, Any] = {"rates": {}, "ler": {}, "success": {}}
    played = [b for b in battles if f"cdb90:{b.isqno}" in grouped]

    def behind(group: Sequence[Battle], games: int) -> str:
        return f"{len(group)} battles ({games} games; engine: median of each battle's seeds)"

    for posture in POSTURES:
        group = [b for b in played if b.posture == posture]
        per_game = _battle_games(group, grouped)
        games = sum(len(g) for g in per_game)
        for side, men, loss in (
            ("attacker", "attacker_men", "attacker_losses"),
            ("defender", "defender_men", "defender_losses"),
        ):
            record = [
                loss_rate_per_day(getattr(b, loss), getattr(b, men), b.duration_days) for b in group
            ]
            engine = per_battle(
                [
                    loss_rate_per_day(g[side[0] + "_loss"], g[side[0] + "_men"], b.duration_days)
                    for g in seeds
                ]
                for b, seeds in zip(group, per_game, strict=True)
            )
            ref, eng = spread(record), spread(engine, interval=True)
            plot["rates"][(posture, side)] = (engine, record)
            ok = _inside(eng, ref)
            figures.append(
                Figure(
                    "cdb90",
                    f"{side} casualties %/day, {posture} defence",
                    eng.text(100),
                    ref.text(100),
                    behind(group, games),
                    ok,
                    _outside(eng.median, ref.q1, ref.q3, 100, " %/day") if ok is False else "",
                    value=100 * eng.median if eng.n else None,
                )
            )
        record = [loss_exchange_ratio(b.attacker_losses, b.defender_losses) for b in group]
        engine = per_battle(
            [loss_exchange_ratio(g["a_loss"], g["d_loss"]) for g in seeds] for seeds in per_game
        )
        ref, eng = spread(record), spread(engine, interval=True)
        plot["ler"][posture] = (engine, record)
        ok = _inside(eng, ref)
        figures.append(
            Figure(
                "cdb90",
                f"loss-exchange ratio (att/def), {posture} defence",
                eng.text(),
                ref.text(),
                behind(group, games),
                ok,
                _outside(eng.median, ref.q1, ref.q3) if ok is False else "",
                value=eng.median if eng.n else None,
            )
        )
    limit = bands["cdb90"]["success"]["max_difference"]
    by_bin: dict[str, list[Battle]] = defaultdict(list)
    for b in played:
        by_bin[ratio_bin(b.force_ratio)].append(b)
    for label in bin_labels(RATIO_BINS):
        group = by_bin.get(label, [])
        per_game = _battle_games(group, grouped)
        games = sum(len(g) for g in per_game)
        eng = clustered_success([[g["won"] for g in seeds] for seeds in per_game])
        ref = success(sum(b.attacker_won == 1 for b in group), len(group))
        plot["success"][label] = ((eng.share, eng.low, eng.high), ref, len(group), games)
        if not group:
            continue
        diff = round(eng.share - ref[0], 9)
        ok = abs(diff) <= limit or eng.low <= ref[0] <= eng.high
        figures.append(
            Figure(
                "cdb90",
                f"attacker success, force ratio {label}",
                f"{eng.text()} (ICC {eng.icc:.2f})",
                f"{ref[0]:.2f} ({ref[1]:.2f}–{ref[2]:.2f}) n={len(group)}",
                f"{len(group)} battles ({games} games; each battle weighs once)",
                ok,
                "" if ok else f"{diff:+.2f} (band ±{limit:g})",
                value=eng.share,
            )
        )
    return figures, plot


def lanchester_figures(
    grouped: dict[str, list[dict[str, Any]]], bands: dict[str, Any]
) -> tuple[list[Figure], dict[str, Any]]:
    """The square law, as issue 13 states it: in a pure fire fight played until the loser is
    gone (destroyed or routed: no men left in the fight), the winner's survivors (its men not
    killed, wounded or captured) lie within 5 % of A of √(A² − B²). Judged only on games where
    the loser is gone; a game where it is not, or any assault, fails the figure (the fight was
    not what the law describes). Beside it, not judged: the law run to the loser's break,
    √(A² − B² + B″²) with B″ the loser's unhurt men when it broke, which tells a fire fight
    that follows the law but ends in a rout (the law knows no morale) from one that does not.

    Which form of the law is judged is `bands.yaml`'s `lanchester.judge`: `stochastic` (the
    file's choice since issue 16's third pass) holds the games' mean survivors to the law's
    stochastic form, `deterministic` to √(A² − B²); the error is that of the mean survivors,
    |mean − law| / A, since the law speaks of expected values, not of each game."""
    limit = bands["lanchester"]["max_error"]
    judge = bands["lanchester"].get("judge", "deterministic")
    figures, plot = [], {}
    for r in bands["lanchester"]["ratios"]:
        games = grouped.get(f"lanchester:{r:g}")
        if not games:
            continue
        a0 = games[0]["a_men"]
        b0 = games[0]["d_men"]
        law = square_law_survivors(a0, b0)
        ended = [g for g in games if g["gone"]]
        survivors, at_break, break_errors = [], [], []
        for g in ended:
            attacker_won = g["d_left"] == 0 and (
                g["a_left"] > 0 or g["a_men"] - g["a_loss"] >= g["d_men"] - g["d_loss"]
            )
            w, lo = ("a", "d") if attacker_won else ("d", "a")
            left = g[f"{w}_men"] - g[f"{w}_loss"]
            unhurt = g[f"{lo}_men"] - g[f"{lo}_loss"]
            bent = math.sqrt(max(0.0, a0 * a0 - b0 * b0 + unhurt * unhurt))
            survivors.append(left)
            at_break.append(bent)
            break_errors.append(square_law_error(a0, b0, left, bent))
        assaults = sum(g["assaults"] for g in games)
        stochastic = stochastic_square_law_survivors(a0, b0)
        judged = stochastic if judge == "stochastic" else law
        mean_left = float(np.mean(survivors)) if survivors else math.nan
        mean_error = square_law_error(a0, b0, mean_left, judged) if survivors else math.nan
        hours = float(np.mean([g["hours"] for g in games]))
        plot[r] = (
            mean_left,
            judged,
            a0,
            b0,
            len(ended),
            len(games),
            float(np.mean(at_break)) if at_break else math.nan,
        )
        problems = []
        if survivors and mean_error > limit:
            problems.append(f"error {mean_error:.1%} of A (band {limit:.0%})")
        if len(ended) < len(games):
            problems.append(f"loser not gone in {len(games) - len(ended)} of {len(games)} games")
        if assaults:
            problems.append(f"{assaults} assaults (a pure fire fight has none)")
        figures.append(
            Figure(
                "lanchester",
                f"square law {r:g}:1 (A={a0}, B={b0})",
                f"survivors {mean_left:.0f}, error {mean_error:.1%} of A; loser gone in"
                f" {len(ended)}/{len(games)} after {hours:.0f} h; {assaults} assaults;"
                f" law to the loser's break {np.mean(at_break) if at_break else math.nan:.0f}"
                f" (error {np.mean(break_errors) if break_errors else math.nan:.1%})",
                (
                    f"the law's stochastic form {stochastic:.0f} (judged); √(A²−B²) = {law:.0f}"
                    if judge == "stochastic"
                    else f"√(A²−B²) = {law:.0f}; the law's stochastic form (shown, not judged):"
                    f" {stochastic:.0f}"
                ),
                f"{len(games)} games",
                not problems,
                "; ".join(problems),
                value=mean_error if survivors else None,
            )
        )
    return figures, plot


def turn_figures(
    grouped: dict[str, list[dict[str, Any]]], bands: dict[str, Any]
) -> tuple[list[Figure], dict[str, Any]]:
    band = bands["turn_length"]
    rows = {m: grouped.get(f"turn:{m}") for m in band["minutes"]}
    rows = {m: g for m, g in rows.items() if g}
    if 60 not in rows:
        return [], {}
    base = rows[60]
    base_a = float(np.mean([g["a_loss"] for g in base]))
    base_d = float(np.mean([g["d_loss"] for g in base]))
    base_w = float(np.mean([g["won"] for g in base]))
    figures, plot = [], {}
    for m, games in rows.items():
        a = float(np.mean([g["a_loss"] for g in games]))
        d = float(np.mean([g["d_loss"] for g in games]))
        w = float(np.mean([g["won"] for g in games]))
        causes = {
            k: {c: float(np.mean([g[f"{k}_{c}"] for g in games])) for c in CAUSES} for k in "ad"
        }
        halves = tuple(  # 95 % half-width of each mean (seeds of one battle are independent)
            1.96 * float(np.std([g[k] for g in games], ddof=1)) / math.sqrt(len(games))
            if len(games) > 1
            else 0.0
            for k in ("a_loss", "d_loss")
        )
        plot[m] = (a, d, w, len(games), causes, halves)
        if m == 60:
            continue
        da = abs(a - base_a) / base_a if base_a else 0.0
        dd = abs(d - base_d) / base_d if base_d else 0.0
        # shares of a few dozen games: 1.00 - 0.95 is 0.05000000000000004 in floating point
        da, dd = (round(x, 9) for x in (da, dd))
        # the win-share difference with Newcombe's interval (the batch's): with `win_judge:
        # noise` a gap fails only when that interval lies wholly beyond the band (bands.yaml)
        gap = newcombe(
            sum(g["won"] for g in games), len(games), sum(g["won"] for g in base), len(base)
        )
        gap = (round(gap[0], 9), gap[1], gap[2])  # as above: a gap of 0.05 is 0.05
        win_band = band["max_win_difference"]
        judged = gap if band.get("win_judge") == "noise" else (gap[0],) * 3
        win_miss = outside_beyond_noise(judged, -win_band, win_band)
        ok = (
            da <= band["max_loss_difference"] and dd <= band["max_loss_difference"] and not win_miss
        )
        # the sampling noise of each relative difference (95 %), so a reader can tell a real
        # miss from too few games: 1.96 x the standard error of the difference of two means
        noise = [
            1.96
            * math.sqrt(
                np.var([g[k] for g in games], ddof=1) / len(games)
                + np.var([g[k] for g in base], ddof=1) / len(base)
            )
            / max(ref, 1e-9)
            if min(len(games), len(base)) > 1
            else math.nan
            for k, ref in (("a_loss", base_a), ("d_loss", base_d))
        ]
        misses = []
        if da > band["max_loss_difference"]:
            misses.append(f"attacker losses {da:.0%}")
        if dd > band["max_loss_difference"]:
            misses.append(f"defender losses {dd:.0%}")
        if win_miss:
            misses.append(f"win rate {w - base_w:+.2f}")  # signed: say which way
        figures.append(
            Figure(
                "turn_length",
                f"{m}-minute turns vs 60",
                f"losses att {a:.0f} ({a / base_a - 1 if base_a else 0:+.0%} ±{noise[0]:.0%})"
                f" / def {d:.0f} ({d / base_d - 1 if base_d else 0:+.0%} ±{noise[1]:.0%}),"
                f" att wins {w:.2f} ({gap[0]:+.2f}, 95% {gap[1]:+.2f}…{gap[2]:+.2f})",
                f"60 min: {base_a:.0f} / {base_d:.0f}, {base_w:.2f}",
                f"{len(games)} + {len(base)} games",
                ok,
                ", ".join(misses),
                value=max(da, dd),
            )
        )
    # Losses by cause at each turn length (shown, not judged): where a difference comes from,
    # and the proof that fire, bombardment and assault all act in the battle.
    for m in sorted(plot):
        causes = plot[m][4]
        base_causes = plot[60][4]

        def text(k: str, causes: dict[str, dict[str, float]] = causes) -> str:
            return " / ".join(f"{c} {causes[k][c]:.0f}" for c in CAUSES)

        figures.append(
            Figure(
                "turn_length",
                f"losses by cause, {m}-minute turns",
                f"att: {text('a')}; def: {text('d')}",
                "60 min: "
                + "; ".join(
                    " / ".join(f"{c} {base_causes[k][c]:.0f}" for c in CAUSES) for k in "ad"
                ),
                f"{plot[m][3]} games (mean men)",
                None,
            )
        )
    return figures, plot


def ratio_figures(
    grouped: dict[str, list[dict[str, Any]]], bands: dict[str, Any]
) -> tuple[list[Figure], dict[str, Any]]:
    band = bands["force_ratio"]
    tol, max_step, max_ler = (
        band["monotone_tolerance"],
        band["max_success_step"],
        band["max_loss_ratio_step"],
    )
    figures, plot = [], {}
    for posture in POSTURES:
        xs, wins, lers, n, sizes = [], [], [], 0, []
        intervals: list[tuple[float, float, float]] = []
        for r in ratios(bands):
            games = grouped.get(f"ratio:{posture}:{r:g}")
            if not games:
                continue
            xs.append(r)
            n = len(games)
            sizes.append(n)
            wins.append(float(np.mean([g["won"] for g in games])))
            # one battle's seeds are independent replicates: Wilson over the games is honest
            intervals.append(success(sum(g["won"] for g in games), len(games)))
            total_d = sum(g["d_loss"] for g in games)
            lers.append(sum(g["a_loss"] for g in games) / total_d if total_d else math.inf)
        if len(xs) < 2:
            continue
        plot[posture] = (xs, wins, lers, n, intervals)
        steps = np.round(np.diff(wins), 9)  # as above: 0.05 is 0.05
        problems = []
        # Each step judged against the sampling noise of its games (bands.yaml, force_ratio):
        # the step and its 95 % interval (Newcombe's, the difference of two shares) must lie
        # wholly beyond the band [-tolerance, largest step] for a fall or a jump to count
        # (`outside_beyond_noise`, the turn-length check's judge too).
        counts = [(round(w * k), k) for w, k in zip(wins, sizes, strict=True)]
        gaps = [
            newcombe(*counts[k + 1], *counts[k]) if band.get("judge") == "noise" else (d, d, d)
            for k, d in enumerate(steps.tolist())
        ]
        falls = [k for k, gap in enumerate(gaps) if outside_beyond_noise(gap, -tol, math.inf)]
        jumps = [k for k, gap in enumerate(gaps) if outside_beyond_noise(gap, -math.inf, max_step)]
        if falls:
            k = min(falls, key=lambda j: gaps[j][0])
            problems.append(
                f"success falls by {-gaps[k][0]:.2f} at {xs[k]:g}→{xs[k + 1]:g}"
                f" (95% {gaps[k][1]:+.2f}…{gaps[k][2]:+.2f})"
            )
        if jumps:
            k = max(jumps, key=lambda j: gaps[j][0])
            problems.append(
                f"success jumps {gaps[k][0]:.2f} at {xs[k]:g}→{xs[k + 1]:g}"
                f" (95% {gaps[k][1]:+.2f}…{gaps[k][2]:+.2f})"
            )
        top = int(steps.argmax())
        largest = (
            f"; largest step {gaps[top][0]:+.2f} at {xs[top]:g}→{xs[top + 1]:g}"
            f" (95% {gaps[top][1]:+.2f}…{gaps[top][2]:+.2f})"
        )
        finite = np.array([v if math.isfinite(v) else np.nan for v in lers])
        rel = np.abs(np.diff(finite)) / np.maximum(finite[:-1], 1e-9)
        rises = np.diff(finite) / np.maximum(finite[:-1], 1e-9)
        if np.nanmax(rises, initial=0.0) > tol:
            problems.append(f"exchange ratio rises {np.nanmax(rises):.0%}")
        if np.nanmax(rel, initial=0.0) > max_ler:
            problems.append(f"exchange ratio step {np.nanmax(rel):.0%}")
        figures.append(
            Figure(
                "force_ratio",
                f"{posture} defence, ratio {xs[0]:g}–{xs[-1]:g}",
                "success "
                + " ".join(f"{w:.2f}" for w in wins)
                + "; LER "
                + " ".join(f"{v:.3g}" for v in finite)
                + largest,
                f"monotone (±{tol:g}), success step ≤ {max_step:g}, LER step ≤ {max_ler:.0%}"
                + (", each beyond its 95 % noise" if band.get("judge") == "noise" else ""),
                f"{len(xs)} ratios × {n} games",
                not problems,
                "; ".join(problems),
                value=float(steps.max()),
            )
        )
    return figures, plot


def evaluate(
    battles: Sequence[Battle],
    records: list[dict[str, Any]],
    bands: dict[str, Any],
    overrides: dict[str, float] | None = None,
) -> Results:
    """Every check's figures from the games' records; `overrides` (the coefficients the games
    were played with, if any were changed) go with the results into the report's header."""
    grouped = _by_key(records)
    results = Results(overrides=dict(overrides or {}))
    for name, make in (
        ("cdb90", lambda: cdb90_figures(battles, grouped, bands)),
        ("lanchester", lambda: lanchester_figures(grouped, bands)),
        ("turn_length", lambda: turn_figures(grouped, bands)),
        ("force_ratio", lambda: ratio_figures(grouped, bands)),
    ):
        figures, plot = make()
        results.figures.extend(figures)
        results.plots[name] = plot
    return results


def default_workers() -> int:
    from ..sim.executors import default_workers as workers

    return (
        workers()
        if os.environ.get("WARGAME_WORKERS") is None
        else int(os.environ["WARGAME_WORKERS"])
    )
