"""Fitting on the bench: `wargame reference --set/--coefficients` (checked, located errors,
applied to every game, shown in the report) and the sweep helper
(`python -m engine.reference.sweep`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from engine.reference import sweep
from engine.reference.bench import (
    TEST_BATTLE,
    Figure,
    Job,
    Results,
    Settings,
    load_bands,
    make_jobs,
    play_job,
    turn_text,
)
from engine.reference.builder import scenario_text
from engine.reference.coefficients import OverrideError, describe, gather, load_file, parse_sets
from engine.reference.data import load_battles
from engine.rules.coefficients import defaults
from engine.scenario.loader import load_scenario, load_scenario_text

FIRE = "fire_casualties_per_firepower_hour"


def test_a_coefficients_file_is_read(tmp_path: Path):
    path = tmp_path / "fit.yaml"
    path.write_text(f"# a fit\n{FIRE}: 0.02\nassault_steps_per_hour: 3\n", encoding="utf-8")
    assert load_file(path) == {FIRE: 0.02, "assault_steps_per_hour": 3.0}


def test_a_coefficients_file_problems_are_located(tmp_path: Path):
    path = tmp_path / "fit.yaml"
    path.write_text(
        f"{FIRE}: 0.02\nfire_casualties_per_firepower_hr: 1\n{FIRE}x: -1\n"
        "assault_steps_per_hour: lots\nkilled_fraction: 7\n",
        encoding="utf-8",
    )
    with pytest.raises(OverrideError) as caught:
        load_file(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == (
        f"{path}:2:1: unknown rule coefficient 'fire_casualties_per_firepower_hr';"
        f" did you mean '{FIRE}'?"
    )
    assert lines[1].startswith(f"{path}:3:1: unknown rule coefficient '{FIRE}x'")
    assert lines[2] == f"{path}:4:25: assault_steps_per_hour: expected a number, got 'lots'"
    info = defaults()["killed_fraction"]
    assert lines[3] == f"{path}:5:18: killed_fraction: expected {info.allowed}, got 7"
    assert len(lines) == 4


def test_a_coefficients_file_that_is_not_a_mapping(tmp_path: Path):
    path = tmp_path / "fit.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(OverrideError, match=r"fit.yaml:1:1: expected a mapping"):
        load_file(path)
    with pytest.raises(OverrideError, match="no such file"):
        load_file(tmp_path / "missing.yaml")


def test_set_pairs_and_their_errors():
    assert parse_sets([f"{FIRE}=0.03", "rules.assault_steps_per_hour=4"]) == {
        FIRE: 0.03,
        "assault_steps_per_hour": 4.0,
    }
    with pytest.raises(OverrideError, match=f"did you mean '{FIRE}'"):
        parse_sets(["fire_casualties_per_firepowr_hour=0.1"])
    with pytest.raises(OverrideError, match="expected a number after '='"):
        parse_sets([f"{FIRE}=much"])
    with pytest.raises(OverrideError, match=f"{FIRE} expected a number >= 0, got -1"):
        parse_sets([f"{FIRE}=-1"])


def test_set_wins_over_the_file(tmp_path: Path):
    path = tmp_path / "fit.yaml"
    path.write_text(f"{FIRE}: 0.02\nassault_steps_per_hour: 3\n", encoding="utf-8")
    assert gather(path, [f"{FIRE}=0.05"]) == {FIRE: 0.05, "assault_steps_per_hour": 3.0}
    default = defaults()[FIRE].value
    assert describe({FIRE: 0.05}) == f"{FIRE}=0.05 (default {default:g})"


def test_overrides_reach_every_job_and_every_game():
    """Every job carries the overrides; a game played with direct fire switched off has no
    losses to fire, where the defaults give some (the overrides are applied, not just shown)."""
    settings = Settings.tiny()
    jobs = make_jobs(
        load_battles()[:2],
        Settings(**{**vars(settings), "overrides": ((FIRE, 0.0),)}),
        load_bands(),
    )
    assert jobs and all(job.overrides == ((FIRE, 0.0),) for job in jobs)
    text = turn_text(60)
    plain = play_job(Job("turn:60", text, (0,)))[0]
    silent = play_job(Job("turn:60", text, (0,), overrides=((FIRE, 0.0),)))[0]
    assert plain["a_fire"] + plain["d_fire"] > 0
    assert silent["a_fire"] == 0 and silent["d_fire"] == 0


def test_written_scenarios_carry_the_overrides(tmp_path: Path):
    text = scenario_text(TEST_BATTLE, rules={FIRE: 0.02})
    assert load_scenario_text(text, "<t>").scenario.rules == {FIRE: 0.02}
    battle = load_battles()[0]
    assert (
        main(
            [
                "reference",
                "--write-scenarios",
                str(tmp_path),
                "--battle",
                battle.name,
                "--set",
                f"{FIRE}=0.02",
            ]
        )
        == 0
    )
    (path,) = tmp_path.glob("*.yaml")
    assert load_scenario(path).scenario.rules == {FIRE: 0.02}


def test_cli_set_is_shown_in_the_report(tmp_path: Path, capsys):
    args = ["reference", "--battles", "2", "--seeds", "1", "-j", "1", "--checks", "cdb90"]
    assert main([*args, "--out", str(tmp_path), "--set", f"{FIRE}=0.02"]) == 0
    out = capsys.readouterr().out
    default = defaults()[FIRE].value
    assert f"coefficients changed: {FIRE}=0.02 (default {default:g})" in out
    page = (tmp_path / "reference.html").read_text()
    assert f"{FIRE}=0.02 (default {default:g})" in page


def test_cli_bad_set_and_bad_file(tmp_path: Path, capsys):
    assert main(["reference", "--set", "fire_casualties_per_firepowr_hour=1"]) == 2
    err = capsys.readouterr().err
    assert f"did you mean '{FIRE}'" in err and "Traceback" not in err
    assert main(["reference", "--set", f"{FIRE}=-0.5"]) == 2
    assert "expected a number >= 0" in capsys.readouterr().err
    path = tmp_path / "fit.yaml"
    path.write_text("assault_steps_per_hr: 3\n", encoding="utf-8")
    assert main(["reference", "--coefficients", str(path)]) == 1
    err = capsys.readouterr().err
    assert (
        f"{path}:1:1: unknown rule coefficient 'assault_steps_per_hr';"
        " did you mean 'assault_steps_per_hour'?" in err
    )


def test_sweep_table_marks_figures_outside_their_band():
    def results(rate: float, ok: bool) -> Results:
        return Results(
            figures=[
                Figure("cdb90", "rate", "", "", "", ok, value=rate),
                Figure("turn_length", "causes", "", "", "", None),
            ]
        )

    rows = sweep.table_rows(FIRE, [(0.01, results(7.4, False)), (0.02, results(5.0, True))])
    assert rows == [
        ["check", "figure", "0.01", "0.02"],
        ["cdb90", "rate", "7.4 *", "5"],
        ["", "outside band", "1", "0"],
    ]


def test_sweep_plays_each_value(capsys, tmp_path: Path):
    """Two values of direct fire on the turn-length check only, one seed: the column with fire
    off differs from the one with it on, and the JSON holds both."""
    out = tmp_path / "sweep.json"
    argv = [FIRE, "--values", "0,0.02", "--checks", "turn_length", "--seeds", "1", "-j", "1"]
    assert sweep.main([*argv, "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "sweep of fire_casualties_per_firepower_hour" in printed
    import json

    runs = json.loads(out.read_text())["runs"]
    assert [r["value"] for r in runs] == [0.0, 0.02]
    causes = [
        next(f["engine"] for f in r["figures"] if f["figure"] == "losses by cause, 60-minute turns")
        for r in runs
    ]
    assert "fire 0 /" in causes[0] and causes[0] != causes[1]


def test_sweep_bad_input(capsys):
    assert sweep.main(["fire_casualties_per_firepowr_hour", "--values", "1"]) == 2
    assert f"did you mean '{FIRE}'" in capsys.readouterr().err
    assert sweep.main([FIRE, "--values", "0.1,x"]) == 2
    assert "'x' is not a number" in capsys.readouterr().err
    assert sweep.main([FIRE, "--values", "0.1,-2"]) == 2
    assert "expected a number >= 0" in capsys.readouterr().err


# ------------------------------------------------------------------------------ the delay


def _withdrawals_ordered(posture: str, seeds: int = 4) -> int:
    """Withdraw orders the defender's computer player gives to units that are not routed (a
    routed unit runs to the rear in any posture), over a few games of the 2:1 force-ratio
    battle of this posture."""
    from engine.core.orders import Withdraw
    from engine.game import Game
    from engine.reference.bench import ratio_battle

    scenario = load_scenario_text(scenario_text(ratio_battle(posture, 2.0)), "<r>").scenario
    count = 0
    for seed in range(seeds):
        game = Game(scenario, seed, keep_events=False)
        u = game.state.units
        while not game.over:
            for side in game.sides_to_order():
                orders = game.computer_orders(side)
                count += sum(
                    isinstance(o, Withdraw) and u.side[o.unit] == 1 and not u.routed[o.unit]
                    for o in orders
                )
                game.apply_orders(side, orders)
            game.end_turn()
    return count


def test_the_delay_is_a_plan_of_lines_and_triggers():
    from engine.reference.bench import ratio_battle
    from engine.reference.builder import DELAY_FALL_BACK_SHARE, scenario_data

    data = scenario_data(ratio_battle("delay", 2.0))
    phases = {p["id"]: p for p in data["plans"][1]["phases"]}
    assert phases["fall_back_d0"]["start_when"] == {
        "any": [
            {"strength_below": {"units": ["d0"], "share": DELAY_FALL_BACK_SHARE}},
            {"after": {"phase": "hold", "hours": 12}},  # half of the battle's 24 hours
        ]
    }
    assert phases["fall_back_d0"]["task"] == "fall_back"
    assert phases["fall_back_d0"]["objective"] == [0, 0]
    assert phases["next_line_d0"]["start_when"] == {
        "after": {"phase": "fall_back_d0", "hours": 1}  # 500 m hexes at 2.5 km/h: 12 minutes
    }
    hasty = scenario_data(ratio_battle("hasty", 2.0))
    assert [p["id"] for p in hasty["plans"][1]["phases"]] == ["hold"]


def test_delaying_defenders_fall_back_and_hasty_ones_do_not():
    assert _withdrawals_ordered("hasty") == 0
    assert _withdrawals_ordered("delay") > 0
