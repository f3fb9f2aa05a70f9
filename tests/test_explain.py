"""The numbers behind every bombardment and assault: the events carry the terms of the formulas in
docs/rules.md by name, exact, and `wargame run --explain` prints them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from engine.cli import main
from engine.core.events import Assaulted, Bombarded, Fired, event_from_dict
from engine.narrative import describe
from engine.rules.assault import resolve_assault
from engine.rules.bombardment import bombard
from engine.rules.turn import coefficients_of, new_game
from engine.scenario import load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = (Path(__file__).parent / "data" / "minimal.yaml").read_text(encoding="utf-8")
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"

# Red gets a two-mortar section at [0, 0] (300 m from the hill) and a box of grenades for blue.
WITH_GUNS = MINIMAL.replace(
    "weapons:\n  rifle:",
    "weapons:\n"
    "  mortar: {name: {en: Mortar}, kind: mortar, range_m: 2000, min_range_m: 100,"
    " indirect: true, rounds_per_hour: 30, crew: 5}\n"
    "  grenade: {name: {en: Grenade}, kind: grenade, range_m: 30, rounds_per_hour: 1}\n"
    "  rifle:",
).replace(
    "obstacles:\n",
    "  - {id: red_guns, name: {en: Red mortars}, side: red, type: mortar, men: 10,"
    " weapons: [{weapon: mortar, count: 2, ammo: 500}], at: [0, 0]}\n"
    "obstacles:\n",
)
WITH_GRENADES = WITH_GUNS.replace(
    "weapons: [{weapon: rifle, count: 28}]",
    "weapons: [{weapon: rifle, count: 28}, {weapon: grenade, count: 40}]",
)


def _saturated(expected: float, men: int) -> float:
    """docs/rules.md: E expected hits among n men become n × (1 − exp(−E/n))."""
    return men * (1.0 - math.exp(-expected / men))


def _game(text: str, overrides: dict[str, float] | None = None):
    return new_game(load_scenario_text(text).scenario, 1, overrides)


def test_bombarded_event_carries_the_linear_law_by_name() -> None:
    state = _game(WITH_GUNS)
    c = coefficients_of(state)
    guns, hill = 2, state.board.resolve("hill")
    events: list = []
    bombard(state, guns, hill, c, events)
    event = next(e for e in events if isinstance(e, Bombarded))
    # 2 tubes × 30 rounds an hour × 1 h, full crew, not suppressed.
    assert event.rounds == 60 and event.rounds_by_class == {"mortar": 60.0}
    assert 0 < event.landed <= 60  # the roll: Binomial(60, rounds_on_target_fraction)
    assert event.modifiers == {"on_target": round(event.landed / 60, 4)}  # by day: no night
    assert event.lethal_area_m2 == {"mortar": 250.0}
    assert event.base == pytest.approx(event.landed * 250.0)  # Σ landed × lethal area
    assert event.hex_area_m2 == pytest.approx(8660.254037844386)
    assert event.men == {"blue_1": 30}
    # Blue in the open hill (cover 0.7), in prepared posture but with no works: hasty, 0.1.
    assert event.exposure == {"blue_1": {"terrain_cover": 0.7, "posture": 0.1}}
    expected = 30 * -math.expm1(-event.landed * 250.0 / 8660.254037844386 * 0.7 * 0.1)
    assert event.expected["blue_1"] == pytest.approx(expected, rel=1e-12)
    assert event.casualties.get("blue_1", 0) == int(state.units.men_start[1] - state.units.men[1])


def test_assaulted_event_carries_each_phases_base_and_expected() -> None:
    # One step of the one-hour turn, so that every expected value can be worked out from the
    # event; 100 attackers and a high breaking point, so that nobody breaks within it.
    one_step = {"assault_steps_per_hour": 1, "break_point_spread": 0, "break_point_mean": 0.9}
    state = _game(WITH_GRENADES.replace("men: 40", "men: 100"), one_step)
    c = coefficients_of(state)
    red, hill = 0, state.board.resolve("hill")
    state.units.hex[red] = state.board.index(2, 1)  # next to the hill, across the stream
    events: list = []
    resolve_assault(state, hill, [red], c, events)
    event = next(e for e in events if isinstance(e, Assaulted))
    assert event.base == {
        "close_fire_casualties_per_firepower_hour": c.close_fire_casualties_per_firepower_hour,
        "vulnerability_attack": 1.0,
        "grenade_casualties_per_throw": 0.08,
        "melee_rate": c.melee_rate,
        "melee_defender_advantage": c.melee_defender_advantage,
    }
    # Blue's 28 rifles at full strength, 1 hex away, not suppressed, quality 0.5: ×1 each.
    assert event.close_fire_factors == {
        "blue_1": {
            "firepower": 28.0,
            "strength": 1.0,
            "range": 1.0,
            "suppression": 1.0,
            "quality": 1.0,
        }
    }
    lost = event.attacker_losses
    assert event.expected["mines"] == 0.0 and lost["mines"] == 0  # no minefield
    # Close fire: rate × 28 × wire (no wire on the hill: ×1) × vulnerability_attack × 1 hour.
    assert event.modifiers["wire"] == 1.0 and event.modifiers["hours"] == 1.0
    rate = c.close_fire_casualties_per_firepower_hour
    assert event.expected["approach"] == pytest.approx(_saturated(rate * 28, 100))
    # Grenades: 2 a man in the hour for 30 men, but only 40 in the box; 0.08 each.
    assert event.modifiers["grenades_thrown"] == 40.0
    left = 100 - lost["approach"]
    assert event.expected["grenades"] == pytest.approx(_saturated(40 * 0.08, left))
    # Hand to hand, one step: 30 defenders, reaching = min(attackers, 1.5 × 1 axis × 30).
    (fight,) = event.melee
    attackers = left - lost["grenades"]
    assert fight == {
        "hours": 1.0,
        "attackers": float(attackers),
        "defenders": 30.0,
        "reaching": float(min(attackers, 45)),
    }
    blockhouse = event.modifiers["blockhouse"]
    posture = event.modifiers["defenders_posture"]
    m = c.melee_rate
    assert event.expected["melee"] == pytest.approx(
        _saturated(m * 30 * (0.5 + 0.5) * c.melee_defender_advantage, attackers)
    )
    assert event.defender_expected["melee"] == pytest.approx(
        _saturated(m * min(attackers, 45) * (0.5 + 0.5) * blockhouse * posture, 30)
    )


def test_explained_events_survive_the_log_and_old_logs_still_read() -> None:
    state = _game(WITH_GRENADES)
    c = coefficients_of(state)
    events: list = []
    bombard(state, 2, state.board.resolve("hill"), c, events)
    state.units.hex[0] = state.board.index(2, 1)
    resolve_assault(state, state.board.resolve("hill"), [0], c, events)
    for event in events:
        line = json.loads(json.dumps(event.to_dict(), default=str))
        assert event_from_dict(line) == event
    # A line written before these fields existed reads, and is told as before.
    old = {
        k: v
        for k, v in next(e for e in events if isinstance(e, Bombarded)).to_dict().items()
        if k not in {"landed", "rounds_by_class", "lethal_area_m2", "base", "hex_area_m2"}
        and k not in {"men", "exposure", "expected"}
    }
    again = event_from_dict(old)
    assert isinstance(again, Bombarded) and again.lethal_area_m2 == {}
    assert "on_target=" in (describe(again, explain=True) or "")


def test_explain_tells_fire_that_hit_nobody() -> None:
    miss = Fired(0, "red_1", "blue_1", "3,1", 0.28, {"range": 0.8, "posture": 0.6}, 0.134, 0, 0)
    assert describe(miss) is None
    line = describe(miss, explain=True)
    assert line and "0 killed, 0 wounded" in line and "expected 0.134" in line


def test_run_explain_prints_bombardment_and_assault_numbers(capsys) -> None:
    assert main(["run", str(FURONG), "--seed", "7", "--explain"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    shelling = next(i for i, line in enumerate(lines) if "rounds at" in line and "men hit" in line)
    assert "m² lethal area" in lines[shelling] and "on_target=" in lines[shelling]
    assert "base" in lines[shelling] and "landed" in lines[shelling]
    target = lines[shelling + 1]
    assert "expected" in target and "terrain_cover=" in target and "posture=" in target
    assault = next(i for i, line in enumerate(lines) if "ASSAULT on" in line)
    # the assault's block runs to its bracketed terms (one "close fire of" line per defender)
    end = next(j for j in range(assault, len(lines)) if lines[j].lstrip().startswith("["))
    told = "\n".join(lines[assault : end + 1])
    for name in (
        "base close_fire_casualties_per_firepower_hour=",
        "base grenade_casualties_per_throw=0.08",
        "base melee_rate=",
        "expected",
        "close fire of",
        "strength=",
        "suppression=",
        "quality=",
        "wire=",
        "hand to hand, step 1",
        "melee_defender_advantage=",
    ):
        assert name in told, name
