"""The generic battle: a CDB90 row (or a hand-made one) turned into an ordinary scenario.

Nothing here knows any battle: every number comes from the row and from the rules of thumb
below, each stated once, so that a generic battle is reproducible from its row alone and any user
can open it in the window (`wargame play`) or batch it (`wargame batch`).

- Frontage → map: the defender's front is laid across the map in `columns` hexes, one defending
  and one attacking unit per column; the hex size is the front divided by the columns, so a 2 km
  front is 4 hexes of 500 m and a 40 km front 16 hexes of 2.5 km. Few columns keep a battle of
  40,000 men to 32 units of battalion size (a battle plays in milliseconds), not 40,000
  one-man units. Hexes stay at most 20 km: a front wider than 320 km gets more columns.
- Strength → units: each side's men split evenly over its columns; each man carries a rifle
  (70 % of men, the rest are crews and carriers) and there is one machine gun per 40 men, the same
  table for both sides, so that only numbers, works, ground and posture differ.
- Posture → works: hasty: hasty works (strength 20); prepared: prepared works (50); fortified:
  fortified works (100) and one belt of wire; delay: hasty posture, no works, and a plan of
  lines as data (`delay_phases`): each defender holds, falls back to the rear row of its column
  when it has lost a tenth of its men, and holds there.
- Terrain → mix: rugged ground makes every 2nd hex a hill, rolling every 4th; wooded cover makes
  every 2nd hex wood, mixed every 4th (a fixed pattern, not a draw: the map depends on the row
  only).
- Duration → turns: the shortest turn of 60, 120, 240, 360, 720 or 1440 minutes that keeps the
  battle to at most 48 turns; turns = the recorded duration over the turn (at least 1).
- Combat effectiveness → quality: CDB90's `cea` (the attacker's combat effectiveness advantage,
  -4..4, blank read as 0) becomes a combat effectiveness value (Dupuy's CEV) of
  1 + 0.25 × |cea| for the side it favours, and the two sides' `quality` are set to
  0.5 ± d with (0.5 + q_better) / (0.5 + q_worse) = CEV, so the better side's men fire,
  fight hand to hand and hold on under losses CEV times as well as the other's and the mean
  quality stays the engine's average, 0.5 (`side_quality`; its note gives the sources). A row
  with `cea` 0 plays exactly as before: no `quality` key is written.
- Sides: the attacker (`attacker`) assaults from two hexes away; the defender (`defender`)
  holds. The attacker wins by holding the centre of the defender's line at the end (a capture),
  the defender by keeping it. The attacker's plan has a main effort (`main_effort_columns`):
  the units of as many columns nearest the centre (the higher first on a tie: two axes) as it
  takes to reach the doctrinal planning ratio against the centre's defenders (2.5:1 against a
  hasty defence or a delay, 3:1 against a prepared or fortified one) all assault the centre;
  every other unit assaults the defending unit of its own column, to fix it. From the planning
  ratio up the main effort is the centre's own column and the plan is the even attack along
  the front. The rule checks (`main_effort=False`) keep the even attack, so that they measure
  the rules alone with the plan held fixed.
- Guns (only when asked, `guns=True`: the turn-length check, which must include bombardment):
  each side gets one mortar per 150 men in a mortar unit behind the centre of its line (their
  crews taken from the side's men, so the totals are the row's). The attacker's mortars bombard
  the defender's line from the start (`bombard`, objective the centre of the line) and the
  infantry waits `preparation_hours` before it assaults; the defender's mortars fire on the
  attacker's start line (`hold` with that objective, as a holding side's guns do).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from ..atomic import write_atomic
from ..scenario.loader import load_scenario_text
from ..scenario.models import Scenario
from .data import Battle

MIN_COLUMNS, MAX_COLUMNS = 4, 16
KM_PER_COLUMN = 0.5  # a column per half kilometre of front, within the bounds above
HEIGHT = 5  # rows: 0 the defender's rear, 1 its line, 3 the attacker's start, 4 behind it
DEFENCE_ROW, ATTACK_ROW, REAR_ROW = 1, 3, 0
TURN_CHOICES = (60, 120, 240, 360, 720, 1440)  # minutes
MAX_TURNS = 48
RIFLE_SHARE = 0.7
MEN_PER_MG = 40
WORKS = {
    "hasty": ("hasty", 20.0),
    "prepared": ("prepared", 50.0),
    "fortified": ("fortified", 100.0),
}
MEN_PER_MORTAR = 150  # one mortar per 150 men (a battalion of ~850 had six 81 mm, plus 60 mm)
MORTAR = {
    "name": {"en": "Mortar"},
    "kind": "mortar",
    "range_m": 2800,
    "min_range_m": 100,
    "indirect": True,
    "rounds_per_hour": 60,
    "crew": 5,
    "source": "generic 81 mm mortar (the bundled scenarios' figures)",
}
HILL_EVERY = {"flat": 0, "rolling": 4, "rugged": 2}
WOOD_EVERY = {"bare": 0, "desert": 0, "mixed": 4, "wooded": 2}
START = datetime(1944, 6, 1, 6, 0)  # a generic summer morning; only the hours of dark matter


CEV_PER_CODE = 0.25  # combat effectiveness value per step of CDB90's `cea` code (side_quality)
QUALITY_DIGITS = 4  # quality written to the scenario with this many decimals


def combat_effectiveness(code: int) -> float:
    """Dupuy's combat effectiveness value (CEV) of the side a `cea` code favours: 1 +
    `CEV_PER_CODE` × |code|, so 1 "somewhat favours" (code 1) is 1.25 and "favours" (2) is 1.5.

    Why these numbers: the codes are HERO's words, not ratios; the two anchors are Dupuy's
    published CEVs of the best-documented pair, the German army against the US and British
    armies in 1943-44: about 1.2-1.25 from the QJM's analysis of 78 engagements in Italy and
    NW Europe (T. N. Dupuy, Numbers, Predictions and War, 1979, and Understanding War, 1987,
    ch. on combat effectiveness; not checked at the source), and "at about a 50 percent higher
    rate" of casualties inflicted man for man (Dupuy as quoted by M. Hastings, Washington Post,
    5 May 1985, via the Dupuy Institute, 1 Dec 2020: the upper end, 1.5). A "somewhat" step is
    the lower anchor, a full step the upper; larger codes (3, 4: none in the subset) continue
    the same line (2.0 at 4, the order of Dupuy's Israeli-over-Arab CEVs of 1967-73, also not
    checked at the source). A rule of thumb stated once, not a fit."""
    return 1.0 + CEV_PER_CODE * abs(code)


def side_quality(code: int) -> tuple[float, float]:
    """(attacker's, defender's) unit `quality` for a `cea` code. The engine's quality q scales
    a unit's fire (× (0.5 + q) at `quality_fire_weight` 1), its hand-to-hand (× (0.5 + q)) and
    its breaking point (× (0.5 + q)) alike (docs/rules.md), so a combat effectiveness
    ratio CEV is met by qualities 0.5 + d and 0.5 - d with (1 + d) / (1 - d) = CEV, that is
    d = (CEV - 1) / (CEV + 1). Both sides move by d, the favoured up and the other down, so the
    battle's mean quality stays 0.5, the quality every rate of the bench was derived at."""
    cev = combat_effectiveness(code)
    d = (cev - 1.0) / (cev + 1.0)
    better, worse = round(0.5 + d, QUALITY_DIGITS), round(0.5 - d, QUALITY_DIGITS)
    return (better, worse) if code >= 0 else (worse, better)  # code 0: d = 0, both 0.5


@dataclass(frozen=True)
class Layout:
    """How a row is laid out: the numbers the builder chose, for the report and the tests."""

    columns: int
    hex_size_m: float
    turn_minutes: int
    turns: int
    attacker_unit_men: list[int]
    defender_unit_men: list[int]


MAX_HEX_M = 20_000.0  # a front wider than 16 hexes of 20 km gets more columns instead


def columns_for(front_km: float) -> int:
    columns = max(MIN_COLUMNS, min(MAX_COLUMNS, math.ceil(front_km / KM_PER_COLUMN - 1e-9)))
    return max(columns, math.ceil(front_km * 1000 / MAX_HEX_M - 1e-9))


def turn_plan(duration_days: float) -> tuple[int, int]:
    """(turn minutes, turns) for a battle of this duration."""
    minutes_total = duration_days * 24 * 60
    for minutes in TURN_CHOICES:
        if minutes_total / minutes <= MAX_TURNS:
            return minutes, max(1, round(minutes_total / minutes))
    return TURN_CHOICES[-1], MAX_TURNS


# The attacker's minimum planning ratio at the point of its main effort, by the defender's
# posture: US Army ATP 5-0.2-1, Staff Reference Guide vol. 1 (7 Dec 2020), table 2-12
# "Historical minimum planning ratios" (after FM 6-0 and FM 3-90-1): hasty attack 2.5:1,
# deliberate attack 3:1. A hasty defence or a delay is met by a hasty attack, a prepared or
# fortified one by a deliberate attack (this project's reading of which attack each posture
# calls for; the ratios are the table's, not fitted).
PLANNING_RATIO = {"hasty": 2.5, "delay": 2.5, "prepared": 3.0, "fortified": 3.0}


def main_effort_columns(columns: int, force_ratio: float, posture: str) -> list[int]:
    """The columns whose attacking units make the main effort on the centre of the line.

    A commander allots to the main effort enough units to reach the planning ratio against the
    defenders of the point it attacks (ATP 5-0.2-1 table 2-12, `PLANNING_RATIO`): each column's
    attacking unit is `force_ratio` times the centre's defending unit, so ceil(ratio needed /
    force ratio) columns, at most all of them, taken nearest the centre first and, on a tie,
    the higher column first. Why: an outnumbered attacker that spread evenly along the front
    would attack everywhere at its overall ratio; doctrine, and CDB90's outnumbered attackers
    who won, concentrate where they mean to break in. Why the higher column: the map is odd-r
    and the line is on an odd row (`DEFENCE_ROW`), so the centre [c, 1] is approached from
    the row before it by [c, 2] and [c + 1, 2], the hexes of its own column and the next
    higher one; a main effort of two columns then comes on two axes, and an assault from
    several sides shares out the defenders' fire (rules/assault.py). With the lower column it
    would come on one: its two units reach the centre through the same hex."""
    if force_ratio <= 0:
        return list(range(columns))
    needed = min(columns, math.ceil(PLANNING_RATIO[posture] / force_ratio - 1e-9))
    centre = columns // 2
    nearest = sorted(range(columns), key=lambda c: (abs(c - centre), -c))
    return sorted(nearest[: max(1, needed)])


def split(men: int, parts: int) -> list[int]:
    """Men shared out as evenly as whole men allow, the larger shares first."""
    base, extra = divmod(men, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def mortars_for(men: int) -> int:
    """Mortars of a side of `men` (when the battle has guns): one per 150 men, at least one."""
    return max(1, men // MEN_PER_MORTAR)


def layout(battle: Battle, turn_minutes: int | None = None, guns: bool = False) -> Layout:
    columns = columns_for(battle.front_km)
    crew = int(MORTAR["crew"])  # type: ignore[call-overload]
    a_men, d_men = battle.attacker_men, battle.defender_men
    if guns:  # the mortar crews come out of the side's men
        a_men -= crew * mortars_for(a_men)
        d_men -= crew * mortars_for(d_men)
    minutes, turns = turn_plan(battle.duration_days)
    if turn_minutes is not None:  # the turn-length check plays one battle at several turns
        minutes = turn_minutes
        turns = max(1, round(battle.duration_days * 24 * 60 / minutes))
    return Layout(
        columns=columns,
        hex_size_m=round(battle.front_km * 1000 / columns, 1),
        turn_minutes=minutes,
        turns=turns,
        attacker_unit_men=split(a_men, columns),
        defender_unit_men=split(d_men, columns),
    )


def _terrain_rows(battle: Battle, columns: int) -> list[str]:
    hill, wood = HILL_EVERY[battle.roughness], WOOD_EVERY[battle.cover]
    rows = []
    for r in range(HEIGHT):
        line = []
        for c in range(columns):
            k = c + 3 * r
            if hill and k % hill == 0:
                line.append("h")
            elif wood and (k + 1) % wood == 0:
                line.append("w")
            else:
                line.append(".")
        rows.append("".join(line))
    return rows


def _weapons(men: int) -> list[dict[str, Any]]:
    return [
        {"weapon": "rifle", "count": max(1, round(men * RIFLE_SHARE))},
        {"weapon": "mg", "count": max(1, men // MEN_PER_MG)},
    ]


def scenario_data(
    battle: Battle,
    *,
    turn_minutes: int | None = None,
    attacker_task: str = "assault",
    works: bool = True,
    guns: bool = False,
    preparation_hours: int = 0,
    turns: int | None = None,
    rules: dict[str, float] | None = None,
    resolve: str | None = None,
    main_effort: bool = True,
) -> dict[str, Any]:
    """The scenario of a battle as plain data (what the YAML file holds).

    `attacker_task` "hold" makes the pure fire fight of the Lanchester check (both sides stand
    and fire: the scenario format has no "fire but do not assault" task); `works` False leaves
    the posture's works out (also for that check). `guns` gives both sides mortars (see the
    module's note) and `preparation_hours` delays the attacker's infantry while its guns fire;
    `turns` overrides the number of turns (the fire fight lasts until a side breaks); `rules`
    (the bench's `--set`/`--coefficients`) becomes the scenario's `rules:` block, so a written
    file plays as the bench played it. `resolve` sets both sides' `resolve:` (`to_the_last` for
    the square-law fire fight, fought to the finish). `main_effort` False makes every
    attacking unit assault its own column (the even attack the rule checks hold fixed)."""
    plan = layout(battle, turn_minutes, guns)
    if turns is not None:
        plan = replace(plan, turns=turns)
    cols = plan.columns
    start = START.strftime("%Y-%m-%dT%H:%M")
    assault_start = (START + timedelta(hours=preparation_hours)).strftime("%Y-%m-%dT%H:%M")
    centre = [cols // 2, DEFENCE_ROW]
    source = f"CDB90 #{battle.isqno} via jrnold/CDB90 (ODC-BY); generic battle builder"
    if battle.isqno <= 0:  # the checks' hand-made rows
        source = "a check of `wargame reference` (hand-made row); generic battle builder"
    quality = dict(zip(("attacker", "defender"), side_quality(battle.cea), strict=True))
    units: list[dict[str, Any]] = []
    for side, row, men_list, posture in (
        ("defender", DEFENCE_ROW, plan.defender_unit_men, battle.posture),
        ("attacker", ATTACK_ROW, plan.attacker_unit_men, "attack"),
    ):
        for c, men in enumerate(men_list):
            if men <= 0:
                continue
            unit_posture = "hasty" if posture in ("delay", "attack") else posture
            units.append(
                {
                    "id": f"{side[0]}{c}",
                    "name": {"en": f"{side.capitalize()} column {c + 1}"},
                    "side": side,
                    "type": "infantry",
                    "men": men,
                    "weapons": _weapons(men),
                    "at": [c, row],
                    "posture": unit_posture,
                    "source": source,
                }
                | ({"quality": quality[side]} if battle.cea else {})
            )
    if guns:
        for side, row, men, posture in (
            ("defender", REAR_ROW, battle.defender_men, battle.posture),
            ("attacker", HEIGHT - 1, battle.attacker_men, "attack"),
        ):
            tubes = mortars_for(men)
            units.append(
                {
                    "id": f"{side[0]}m",
                    "name": {"en": f"{side.capitalize()} mortars"},
                    "side": side,
                    "type": "mortar",
                    "men": tubes * int(MORTAR["crew"]),  # type: ignore[call-overload]
                    "weapons": [{"weapon": "mortar", "count": tubes}],
                    "at": [cols // 2, row],
                    "posture": "hasty" if posture in ("delay", "attack") else posture,
                    "source": source,
                }
                | ({"quality": quality[side]} if battle.cea else {})
            )
    attackers = [u["id"] for u in units if u["side"] == "attacker" and u["type"] == "infantry"]
    main = set(main_effort_columns(cols, battle.force_ratio, battle.posture))
    if not main_effort or attacker_task == "hold":
        main = set()
    phases = []
    if guns:
        phases.append(
            {
                "id": "bombard",
                "name": "mortars fire on the line",
                "start": start,
                "units": ["am"],
                "task": "bombard",
                "objective": centre,
            }
        )
    for unit in units:
        if unit["side"] != "attacker" or unit["type"] != "infantry":
            continue
        c = unit["at"][0]
        phase: dict[str, Any] = {
            "id": f"{attacker_task}_{c}",
            "name": f"{attacker_task} column {c + 1}",
            "start": assault_start,
            "units": [unit["id"]],
            "task": attacker_task,
        }
        phase["objective"] = [c, DEFENCE_ROW] if attacker_task != "hold" else [c, ATTACK_ROW]
        if c in main and len(main) > 1:  # one column alone is the even attack's own
            phase["name"] = f"main effort: column {c + 1} assaults the centre"
            phase["objective"] = centre
        phases.append(phase)
    hold: dict[str, Any] = {"id": "hold", "name": "hold the line", "start": start, "task": "hold"}
    defence = [hold]
    if battle.posture == "delay":
        hours = plan.turns * plan.turn_minutes / 60
        defence += delay_phases(
            [u for u in units if u["side"] == "defender"], plan.hex_size_m, hours
        )
    if guns:  # a later phase of the same start: the mortars follow it, not `hold the line`
        defence.append(
            {
                "id": "defensive_fire",
                "name": "mortars fire on the start line",
                "start": start,
                "units": ["dm"],
                "task": "hold",
                "objective": [cols // 2, ATTACK_ROW],
            }
        )
    obstacles: list[dict[str, Any]] = []
    line = [[c, DEFENCE_ROW] for c in range(cols)]
    if works and battle.posture in WORKS:
        level, strength = WORKS[battle.posture]
        obstacles.append(
            {"kind": "fortification", "hexes": line, "level": level, "strength": strength}
        )
        if battle.posture == "fortified":
            obstacles.append({"kind": "wire", "hexes": line, "lines": 1})
    title = f"{battle.name} {battle.year} (generic, CDB90 #{battle.isqno})"
    if battle.isqno <= 0:
        title = f"{battle.name} (check of wargame reference)"
    data: dict[str, Any] = {
        "format_version": 1,
        "id": battle.slug,
        "title": {"en": title[:200]},
        "scale": "tactical" if plan.hex_size_m < 500 else "operational",
        "sources": [
            {
                "id": "cdb90",
                "title": "CAA Database of Battles 1990 (CDB90), tidy version jrnold/CDB90",
                "note": "data ODC-BY (jrnold/CDB90); original files public domain (US Army CAA)",
            }
        ],
        "briefing": {
            "summary": f"Generic battle from CDB90 row #{battle.isqno}: {battle.name}",
            "situation": (
                f"{battle.attacker_men:,} attackers against {battle.defender_men:,} defenders"
                f" in a {battle.posture} defence on a {battle.front_km:g} km front,"
                f" {battle.roughness} and {battle.cover} ground, for"
                f" {battle.duration_days:g} days. Built from the row's fields alone."
                + (
                    f" The record's combat effectiveness code {battle.cea:+d} gives the"
                    f" {'attackers' if battle.cea > 0 else 'defenders'} a CEV of"
                    f" {combat_effectiveness(battle.cea):g} (unit quality"
                    f" {quality['attacker']:g} against {quality['defender']:g})."
                    if battle.cea
                    else ""
                )
            ),
            "aims": {"attacker": "take the centre of the line", "defender": "hold it"},
            "historical_note": (
                f"Recorded losses: attacker {battle.attacker_losses:,}, defender"
                f" {battle.defender_losses:,}; the attacker "
                + {1: "won", 0: "drew", -1: "lost"}[battle.attacker_won]
                + "."
            ),
        },
        "clock": {
            "start": start,
            "turn_minutes": plan.turn_minutes,
            "turns": plan.turns,
            "darkness": {"starts": "21:00", "ends": "05:00"},
        },
        "map": {
            "hex_size_m": plan.hex_size_m,
            "width": cols,
            "height": HEIGHT,
            "legend": {".": "open", "h": "hill", "w": "wood"},
            "terrain": "\n".join(_terrain_rows(battle, cols)) + "\n",
            "places": [{"id": "centre", "name": {"en": "Centre of the line"}, "hex": centre}],
        },
        "terrain": {
            "open": {"name": {"en": "Open ground"}, "color": "#c8c07a"},
            "hill": {
                "name": {"en": "Hill"},
                "color": "#b5a86a",
                "speed_factor": 0.7,
                "cover": 0.85,
            },
            "wood": {
                "name": {"en": "Wood"},
                "color": "#4f7a3a",
                "speed_factor": 0.55,
                "cover": 0.7,
                "sight_block_m": 10,
            },
        },
        "sides": [
            {"id": "attacker", "name": {"en": "Attacker"}, "color": "#b03030"}
            | ({"resolve": resolve} if resolve else {}),
            {"id": "defender", "name": {"en": "Defender"}, "color": "#3050b0"}
            | ({"resolve": resolve} if resolve else {}),
        ],
        "weapons": {
            "rifle": {
                "name": {"en": "Rifle"},
                "kind": "small_arms",
                "range_m": 400,
                "rounds_per_hour": 60,
                "source": "generic bolt-action rifle",
            },
            "mg": {
                "name": {"en": "Machine gun"},
                "kind": "machine_gun",
                "range_m": 800,
                "rounds_per_hour": 1200,
                "crew": 2,
                "source": "generic light machine gun",
            },
        }
        | ({"mortar": MORTAR} if guns else {}),
        "units": units,
        "obstacles": obstacles,
        "plans": [
            {"side": "attacker", "rear": [cols // 2, HEIGHT - 1], "phases": phases},
            {"side": "defender", "rear": [cols // 2, REAR_ROW], "phases": defence},
        ],
        "victory": [
            {"side": "attacker", "kind": "capture", "place": "centre"},
            {"side": "defender", "kind": "hold", "place": "centre"},
        ],
        "_attackers": attackers,
    }
    if rules:
        data["rules"] = {name: float(rules[name]) for name in sorted(rules)}
    return data


DELAY_FALL_BACK_SHARE = 0.9  # a delaying unit leaves its line once it has lost a tenth of its men
# (half the mean breaking point, `break_point_mean` 0.2): a delay gives ground before it is
# decisively engaged (US Army FM 100-5, Operations, 1993, ch. 9: a delaying force trades space for
# time and avoids decisive engagement); the share is this project's reading of that, not a fit


def delay_phases(
    defenders: list[dict[str, Any]], hex_size_m: float, battle_hours: float
) -> list[dict[str, Any]]:
    """The delay as a plan: each defending unit holds its line (the side's `hold the line`
    phase), falls back to the next line behind it, the rear row of its column, once it has lost
    `DELAY_FALL_BACK_SHARE` of its men (a `strength_below` trigger on the unit itself) or once
    half the battle's hours have passed (`after` the side's `hold` phase: a delay over two lines
    holds each for half the time it must gain, FM 100-5 ch. 9: a delaying force holds a position
    until a set time or until it would be decisively engaged), and holds there from the time a
    withdrawal of one hex takes on foot. With the strength trigger alone the delay's success
    curve jumped from 0 to 0.56 between 0.75:1 and 1:1 (the defenders left only when hurt).
    Without a plan the bench's delaying defenders never left their line (the planner's own
    fall-back waits for 6:1 odds next to the unit or 35 % of its men), and a delay played
    exactly as a hasty defence without works.

    The walk: one hex at `foot_speed_kmh` 2.5 (coefficients.yaml), at least an hour, rounded up
    to whole hours so the trigger is the same at every turn length that divides it."""
    walk = max(1, math.ceil(hex_size_m / 1000 / 2.5))
    hold = max(1, round(battle_hours / 2))
    phases: list[dict[str, Any]] = []
    for unit in defenders:
        c = unit["at"][0]
        ident = unit["id"]
        phases.append(
            {
                "id": f"fall_back_{ident}",
                "name": f"{ident} falls back to the next line",
                "start_when": {
                    "any": [
                        {"strength_below": {"units": [ident], "share": DELAY_FALL_BACK_SHARE}},
                        {"after": {"phase": "hold", "hours": hold}},
                    ]
                },
                "units": [ident],
                "task": "fall_back",
                "objective": [c, REAR_ROW],
            }
        )
        phases.append(
            {
                "id": f"next_line_{ident}",
                "name": f"{ident} holds the next line",
                "start_when": {"after": {"phase": f"fall_back_{ident}", "hours": walk}},
                "units": [ident],
                "task": "hold",
                "objective": [c, REAR_ROW],
            }
        )
    return phases


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml when present: 10x faster
    """Block style for the terrain's lines, flow style for short lists of numbers (hexes), so
    a generated file reads like a hand-written one."""

    def ignore_aliases(self, data: Any) -> bool:  # no &id001 anchors: repeat the hexes
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    flow = all(isinstance(v, int | float | str) for v in value) or (
        all(isinstance(v, list) for v in value) and len(value) <= 64
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow or None)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def scenario_text(battle: Battle, **options: Any) -> str:
    """The scenario as YAML text, the form `--write-scenarios` writes."""
    data = scenario_data(battle, **options)
    data.pop("_attackers")
    if battle.isqno > 0:
        header = (
            f"# Generic battle built by `wargame reference` from CDB90 row #{battle.isqno}"
            f" ({battle.name}, {battle.year}).\n"
            "# Data: CAA Database of Battles 1990, tidy version jrnold/CDB90, ODC-BY.\n"
        )
    else:  # a hand-made row: the checks' battles (fire fight, turn length, force ratio)
        header = f"# Check battle of `wargame reference`: {battle.name} (a hand-made row).\n"
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body


def build(battle: Battle, **options: Any) -> Scenario:
    """The battle's scenario, checked exactly as a scenario file is (`wargame validate`)."""
    return load_scenario_text(scenario_text(battle, **options), f"<{battle.slug}>").scenario


def write_scenarios(
    battles: list[Battle], folder: Path, rules: dict[str, float] | None = None
) -> list[Path]:
    """Each battle's scenario file into `folder` (atomically), returning the paths; `rules`
    (coefficients changed on the bench) go into each file's `rules:` block."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for battle in battles:
        path = folder / f"{battle.slug}.yaml"
        write_atomic(path, scenario_text(battle, rules=rules))
        paths.append(path)
    return paths
