"""Batch simulation: seeds, overlays, executors, resume, and the report, end to end.

Kept fast: the 5x3 test battle (milliseconds a game) for most cases, a handful of Furong battles
where the real scenario matters (executors must agree on it, the shipped variants must apply).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import os
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import engine
from engine.cli import main
from engine.headless import play, read_log
from engine.history import metric_values
from engine.rules import coefficients as rules_coefficients
from engine.rules.coefficients import coefficient_names
from engine.scenario import ScenarioError, load_scenario, load_scenario_text
from engine.scenario.overlay import (
    OverlayError,
    apply_overlays,
    command_line_overlay,
    dump_scenario,
    load_overlay,
    parse_overlay,
    validate_data,
)
from engine.scenario.yaml_source import parse
from engine.sim import executors as sim_executors
from engine.sim.plan import PlanError, make_plan
from engine.sim.results import part_files, read_dataset
from engine.sim.runner import run_batch
from engine.sim.seeds import battle_seed
from engine.sim.stats import newcombe, percentile_of, wilson

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"
FURONG = ROOT / "scenarios" / "furong_mountain.yaml"
LION = ROOT / "scenarios" / "lion_mountain.yaml"
VARIANTS = sorted((ROOT / "scenarios" / "variants").glob("furong_*.yaml"))

OVERLAY = """\
name: blue_reinforced
description: Blue has ten more men and its wire is doubled.
scenario: minimal_test
set:
  units[id=blue_1].men: 40
scale:
  obstacles[kind=wire].lines: 2
"""


def rows(out: Path) -> list[dict]:
    """Every battle row of a batch folder, in (arm, index) order."""
    return read_dataset(out).table.to_pylist()


def portable(out: Path) -> list[dict]:
    """rows() with the folder's own path (in the scenario copies' paths and the replay
    commands) written OUT, so that two folders' battles can be compared."""
    here = str(out)
    return [
        {k: v.replace(here, "OUT") if isinstance(v, str) else v for k, v in row.items()}
        for row in read_dataset(out).table.to_pylist()
    ]


def batch(out: Path, *args: str, scenario: Path = MINIMAL) -> int:
    return main(["batch", str(scenario), "--out", str(out), *args])


# ----------------------------------------------------------------------------- seeds, stats


def test_battle_seeds_come_from_the_batch_seed_and_index_alone() -> None:
    children = np.random.SeedSequence(7).spawn(5)
    for index, child in enumerate(children):
        expected = int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        assert battle_seed(7, index) == expected
    seeds = {battle_seed(7, i) for i in range(2000)}
    assert len(seeds) == 2000 and all(0 <= s < 2**63 for s in seeds)
    assert battle_seed(8, 0) != battle_seed(7, 0)


def test_games_meant_to_be_independent_get_seeds_of_their_own() -> None:
    """keyed_seed: a seed per path (battle, replicate), all distinct; the reference bench gives
    each CDB90 battle its own (battles sharing seeds would share their dice, core/dice.py), and
    keeps common seeds where it compares settings pair by pair (turn lengths)."""
    from engine.reference.bench import Settings, load_bands, make_jobs
    from engine.reference.data import load_battles
    from engine.sim.seeds import keyed_seed

    seeds = {keyed_seed(3, battle, k) for battle in range(200) for k in range(10)}
    assert len(seeds) == 2000 and all(0 <= s < 2**63 for s in seeds)
    assert keyed_seed(3, 1, 2) == keyed_seed(3, 1, 2) != keyed_seed(3, 2, 1)
    assert keyed_seed(3, 0, 1, 2) != keyed_seed(3, 1, 2)  # paths of other lengths differ too
    with pytest.raises(ValueError):
        keyed_seed(3, -1)
    settings = Settings.tiny()
    settings = Settings(**{**vars(settings), "cdb90_seeds": 3, "turn_seeds": 3})
    jobs = make_jobs(load_battles()[:4], settings, load_bands())
    battles = [job.seeds for job in jobs if job.key.startswith("cdb90:")]
    assert len(battles) == 4 and len({s for seeds in battles for s in seeds}) == 12
    turns = {job.seeds for job in jobs if job.key.startswith("turn:")}
    assert turns == {(0, 1, 2)}  # common seeds at every turn length


def test_wilson_and_newcombe_intervals() -> None:
    p, low, high = wilson(0, 10)
    assert p == 0 and low == 0 and high == pytest.approx(0.2775, abs=1e-4)
    p, low, high = wilson(5, 10)
    assert (low, high) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    d, low, high = newcombe(50, 100, 30, 100)
    assert d == pytest.approx(0.2) and low < 0.2 < high and low > 0
    assert percentile_of(np.array([1.0, 2.0, 3.0, np.nan]), 2.0) == pytest.approx(50.0)
    assert percentile_of(np.array([1.0, 2.0, 3.0]), 10.0) == 100.0


# ---------------------------------------------------------------------------------- overlays


def _minimal_data():
    text = MINIMAL.read_text(encoding="utf-8")
    return parse(text, str(MINIMAL))


def test_overlay_operations_on_the_plain_data() -> None:
    data, source = _minimal_data()
    overlay = parse_overlay(
        OVERLAY
        + "shift:\n  clock.turns: 2\n  clock.start: 90min\n"
        + "add:\n  obstacles:\n    - {kind: wire, hexes: [[1, 1]], lines: 1}\n"
        + "remove:\n  - units[blue_1].posture\n",
        "o.yaml",
    )
    merged, merged_source = apply_overlays(data, source, [overlay])
    scenario = validate_data(merged, merged_source, coefficient_names())
    blue = next(u for u in scenario.units if u.id == "blue_1")
    assert blue.men == 40 and blue.posture.value == "hasty"  # removed: back to the default
    assert [o.lines for o in scenario.obstacles] == [2, 1]
    assert scenario.clock.turns == 8 and scenario.clock.start.strftime("%H:%M") == "06:30"
    assert data["units"][1]["men"] == 30, "the input data is not changed"
    again = load_scenario_text(dump_scenario(merged, ["header"]), "x.yaml").scenario
    assert again == scenario


def test_overlay_errors_are_located_with_did_you_mean(tmp_path: Path) -> None:
    data, source = _minimal_data()
    text = (
        "name: broken\n"  # 1
        "set:\n"  # 2
        "  units[id=blue_l].men: 40\n"  # 3
        "  units[blue_1].mne: 40\n"  # 4
        "  obstacles[kind=wyre].lines: 2\n"  # 5
        "remove:\n"  # 6
        "  - units[id=red_1].weapons[3]\n"  # 7
    )
    with pytest.raises(OverlayError) as caught:
        apply_overlays(data, source, [parse_overlay(text, "broken.yaml")])
    assert [str(p) for p in caught.value.problems] == [
        "broken.yaml:3:8: set units[id=blue_l].men: no item of units has id 'blue_l';"
        " did you mean 'blue_1'?",
        "broken.yaml:4:17: set units[blue_1].mne: no key 'mne' in units[blue_1];"
        " did you mean 'men'?",
        "broken.yaml:5:12: set obstacles[kind=wyre].lines: no item of obstacles has kind 'wyre';"
        " did you mean 'wire'?",
        "broken.yaml:7:28: remove units[id=red_1].weapons[3]: units[id=red_1].weapons has 1"
        " items (0 to 0)",
    ]
    # values that fit the paths but not the format are located in the overlay too
    bad_values = "name: bad\nset:\n  units[blue_1].men: -3\n  units[red_1].at: nowhere\n"
    merged, merged_source = apply_overlays(data, source, [parse_overlay(bad_values, "v.yaml")])
    with pytest.raises(OverlayError) as caught:
        validate_data(merged, merged_source, coefficient_names())
    messages = [str(p) for p in caught.value.problems]
    assert messages[0].startswith("v.yaml:3:3: units[1] (blue_1).men: expected a number >= 0")
    assert messages[1].startswith("v.yaml:4:3: unknown place 'nowhere'")
    with pytest.raises(OverlayError) as caught:
        parse_overlay("name: x\ndescripton: y\nsett:\n  a: 1\n", "k.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "k.yaml:2:1: unknown key 'descripton' in the overlay; did you mean 'description'?",
        "k.yaml:3:1: unknown key 'sett' in the overlay; did you mean 'set'?",
    ]


def test_bad_variants_and_arguments_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nset:\n  units[id=blue_l].men: 40\n", encoding="utf-8")
    out = tmp_path / "out"
    assert batch(out, "--games", "2", "--variant", str(bad)) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3:8: set units[id=blue_l].men: no item of units has id 'blue_l';" in err
    assert "did you mean 'blue_1'?" in err and "Traceback" not in err
    assert not out.exists(), "nothing is written for a batch that cannot start"

    assert batch(out, "--games", "2", "--variant", str(tmp_path / "nope.yaml")) == 1
    assert "nope.yaml: no such file" in capsys.readouterr().err

    assert batch(out, "--games", "2", "--set", "rules.melee_rat=2") == 2
    assert "unknown rule coefficient 'melee_rat'; did you mean 'melee_rate'?" in (
        capsys.readouterr().err
    )
    assert batch(out, "--games", "2", "--sweep", "rules.melee_rate=1:2") == 2
    assert "expected LOW:HIGH:N" in capsys.readouterr().err
    assert batch(out, "--games", "2", "--set", "units[id=blue_1].mne=3") == 1
    assert (
        "--set units[id=blue_1].mne=3: set units[id=blue_1].mne: no key 'mne' in"
        " units[id=blue_1]; did you mean 'men'?" in capsys.readouterr().err
    )


def test_shipped_furong_variants_apply_and_replay_from_their_written_file(tmp_path: Path) -> None:
    assert {p.name for p in VARIANTS} >= {
        "furong_no_minefield.yaml",
        "furong_relief_12h_later.yaml",
        "furong_double_artillery_rounds.yaml",
        "furong_no_aircraft.yaml",
    }
    plan = make_plan(
        str(FURONG), tmp_path, games=1, batch_seed=3, variant_files=[str(p) for p in VARIANTS]
    )
    base = load_scenario(FURONG).scenario
    by_name = {arm.variant: arm for arm in plan.arms}
    for arm in plan.arms[1:]:
        scenario = load_scenario_text(arm.text, arm.run_scenario).scenario
        assert scenario != base, arm.variant
    no_mines = load_scenario_text(by_name["no_minefield"].text).scenario
    assert not [o for o in no_mines.obstacles if o.kind == "minefield"]
    assert not load_scenario_text(by_name["no_aircraft"].text).scenario.air_strikes
    late = load_scenario_text(by_name["relief_12h_later"].text).scenario
    assert late.clock.turns == base.clock.turns + 12
    assert (late.reinforcements[0].time - base.reinforcements[0].time).total_seconds() == 43200
    more = load_scenario_text(by_name["double_artillery_rounds"].text).scenario
    assert more.ammunition[0].rounds == 2 * base.ammunition[0].rounds


# ----------------------------------------------------------------------- batches end to end


def test_small_batch_end_to_end_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variant = tmp_path / "blue_reinforced.yaml"
    variant.write_text(OVERLAY, encoding="utf-8")
    out = tmp_path / "run"
    args = ["--games", "12", "--seed", "5", "--workers", "2", "--chunk", "4"]
    sweep = ["--sweep", "rules.melee_rate=0.5:1.5:2"]
    assert batch(out, *args, "--variant", str(variant), *sweep) == 0
    err = capsys.readouterr().err
    assert "played 72 battles" in err and "report:" in err
    table = rows(out)
    assert len(table) == 72  # 2 variants x (2 sweep points + the default value) x 12
    labels = {r["label"] for r in table}
    assert labels == {
        "baseline",  # the default value: the baseline a sweep is read against
        "baseline · melee_rate=0.5",
        "baseline · melee_rate=1.5",
        "blue_reinforced",
        "blue_reinforced · melee_rate=0.5",
        "blue_reinforced · melee_rate=1.5",
    }
    first = table[0]
    assert set(first) >= {"seed", "variant", "turns", "winner", "ended", "metric.held", "replay"}
    assert first["seed"] == battle_seed(5, first["index"])
    # the row replays: the file and seed it names give the same battle
    variant_row = next(r for r in table if r["label"] == "blue_reinforced · melee_rate=1.5")
    assert variant_row["run_scenario"] == str(out / "scenarios" / "blue_reinforced.yaml")
    assert "--set rules.melee_rate=" in variant_row["replay"]
    overrides = json.loads(variant_row["overrides"])
    scenario = load_scenario(variant_row["run_scenario"]).scenario
    state = play(scenario, variant_row["seed"], overrides=overrides, keep_events=False).state
    assert state.winner == variant_row["winner"] and state.turn == variant_row["turns"]
    assert metric_values(state)["held"] == variant_row["metric.held"]
    assert (out / "plots" / "sweep_melee_rate.png").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    # the sweep at full size, its default marked, every arm ranked against the default baseline
    assert '<img class="plot" src="plots/sweep_melee_rate.png"' in page
    assert "Values: 0.5, 1.5; default 0.0106." in page  # melee_rate
    assert page.count('<td class="rank') == 5
    # every arm's histograms, the convergence plot, CSV beside the Parquet
    assert len(list((out / "plots").glob("metric_held__*.png"))) == 5  # all but the baseline
    assert page.count('<details class="arm">') == 5
    assert (out / "plots" / "convergence.png").exists()
    assert "plots/convergence.png" in page
    battles_csv = (out / "csv" / "battles.csv").read_text(encoding="utf-8").splitlines()
    assert len(battles_csv) == 73 and battles_csv[0].startswith("arm,label,variant,")
    arms_csv = (out / "csv" / "arms.csv").read_text(encoding="utf-8").splitlines()
    assert len(arms_csv) == 7 and "held_median_low" in arms_csv[0]
    assert '<a href="csv/battles.csv">' in page
    # the sweep and convergence plots are real PNGs with something drawn in them
    for name in ("sweep_melee_rate.png", "convergence.png"):
        data = (out / "plots" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, name
    # ties in the ranking are shown as ties: "=N", marked, with the note that explains them
    ranked = [r for r in csv.DictReader(io.StringIO("\n".join(arms_csv))) if r["rank"]]
    assert len(ranked) == 5
    tied = [r for r in ranked if r["tied"] == "1"]
    assert tied, "12 battles an arm: some intervals overlap"
    for row in ranked:
        cell = (
            f'<td class="rank tie">={row["rank"]}</td>'
            if row["tied"] == "1"
            else f'<td class="rank">{row["rank"]}</td>'
        )
        assert cell in page, cell
    assert "<b>Ties:</b>" in page


def test_identical_rows_serial_process_pool_and_dask(tmp_path: Path) -> None:
    common = ["--games", "3", "--seed", "11", "--no-report", "--compare-ai"]  # 4 arms
    assert batch(tmp_path / "serial", *common, "--workers", "1", scenario=FURONG) == 0
    assert batch(tmp_path / "pool", *common, "--workers", "2", "--chunk", "1", scenario=FURONG) == 0
    dask = ["--dask", "local", "--workers", "2", "--chunk", "2"]
    assert batch(tmp_path / "dask", *common, *dask, scenario=FURONG) == 0
    serial = portable(tmp_path / "serial")
    assert len(serial) == 12
    assert {(r["ai.roc"], r["ai.ija"]) for r in serial} == {
        (a, b) for a in ("plan", "adaptive") for b in ("plan", "adaptive")
    }
    assert portable(tmp_path / "pool") == serial
    assert portable(tmp_path / "dask") == serial
    assert len(part_files(tmp_path / "pool")) == 12 and len(part_files(tmp_path / "dask")) == 8


def test_a_dead_worker_is_retried_not_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = tmp_path / "reference"
    assert batch(reference, "--games", "16", "--workers", "1", "--no-report") == 0
    monkeypatch.setenv(sim_executors.FAULT_ENV, f"worker-exit-once:{tmp_path / 'died'}")
    plan = make_plan(str(MINIMAL), tmp_path / "pool", games=16, batch_seed=0)
    executor = sim_executors.PoolExecutor(2)
    outcome = run_batch(plan, executor, chunk=4)
    assert (tmp_path / "died").exists(), "a worker did die"
    assert outcome.restarts >= 1 and outcome.played == 16
    assert portable(tmp_path / "pool") == portable(reference)


def test_resume_after_a_run_killed_mid_way(tmp_path: Path) -> None:
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "engine", "batch", str(MINIMAL), "--out", str(out)]
    command += ["--games", "40", "--chunk", "5", "--workers", "1", "--no-report"]
    env = dict(os.environ, WARGAME_SIM_FAULT="kill-after:3")
    first = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert first.returncode == -9, first.stderr  # SIGKILL: no chance to clean up
    assert len(part_files(out)) == 3
    (out / "battles" / ".part-deadbeef.parquet.tmp").write_bytes(b"half a file")
    env.pop("WARGAME_SIM_FAULT")
    second = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert second.returncode == 0, second.stderr
    assert "resuming: 15 of 40 battles already" in second.stderr
    assert "played 25 battles" in second.stderr
    assert "removed 1 unfinished chunk file" in second.stderr
    assert not list((out / "battles").glob(".*.tmp"))
    clean = tmp_path / "clean"
    assert batch(clean, "--games", "40", "--workers", "1", "--chunk", "40", "--no-report") == 0
    assert portable(out) == portable(clean)
    # a changed batch seed is refused rather than mixed in
    assert batch(out, "--games", "40", "--seed", "1", "--no-report") == 2


def test_report_builds_from_the_parquet_files_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "furong"
    variant = VARIANTS[0]
    args = ["--games", "4", "--workers", "1", "--no-report", "--variant", str(variant)]
    assert batch(out, *args, scenario=FURONG) == 0
    alone = tmp_path / "copied"
    (alone / "battles").mkdir(parents=True)
    for path in part_files(out):
        (alone / "battles" / path.name).write_bytes(path.read_bytes())
    capsys.readouterr()
    assert main(["report", str(alone)]) == 0
    page = (alone / "report.html").read_text(encoding="utf-8")
    assert "Defense of Furong Mountain" in page
    assert "History inside the spread" in page and "What-ifs" in page
    # replays play the copy of the scenario in the batch's folder, not the live file
    assert f"wargame run {out / 'scenarios' / 'baseline.yaml'} --seed " in page
    assert "8</div>" in page  # battles covered
    plots = {p.name for p in (alone / "plots").glob("*.png")}
    assert {"outcomes.png", "men_by_turn.png", "variants.png", "metric_winner.png"} <= plots
    for name in plots:
        assert (alone / "plots" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["report", str(tmp_path / "empty")]) == 1
    assert "no battle files" in capsys.readouterr().err


def test_rows_do_not_depend_on_chunk_size(tmp_path: Path) -> None:
    tables = []
    for chunk in (1, 7):
        plan = make_plan(str(MINIMAL), tmp_path / str(chunk), games=9, batch_seed=2)
        run_batch(plan, sim_executors.Executor(), chunk=chunk)
        tables.append(portable(tmp_path / str(chunk)))
    assert tables[0] == tables[1]
    assert isinstance(read_dataset(tmp_path / "1").table, pa.Table)


def test_command_line_data_changes_apply_to_every_arm(tmp_path: Path) -> None:
    overlay = command_line_overlay(["units[id=blue_1].men=5"])
    assert overlay is not None
    plan = make_plan(str(MINIMAL), tmp_path, games=1, batch_seed=0, sets=["units[id=blue_1].men=5"])
    scenario = load_scenario_text(plan.arms[0].text).scenario
    assert next(u for u in scenario.units if u.id == "blue_1").men == 5
    assert plan.arms[0].run_scenario.endswith("baseline.yaml")
    with pytest.raises(ScenarioError, match="no such file"):
        load_overlay(tmp_path / "missing.yaml")


# ------------------------------------------------------------------ the computer player's modes


def test_ai_option_sets_the_modes_every_arm_plays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--games", "4", "--workers", "1", "--no-report"]
    assert batch(tmp_path / "plain", *common, scenario=LION) == 0
    assert batch(tmp_path / "ai", *common, "--ai", "ija=adaptive", scenario=LION) == 0
    plain, adaptive = rows(tmp_path / "plain"), rows(tmp_path / "ai")
    assert {(r["ai.roc"], r["ai.ija"]) for r in plain} == {("plan", "plan")}
    assert {(r["ai.roc"], r["ai.ija"]) for r in adaptive} == {("plan", "adaptive")}
    assert {r["label"] for r in adaptive} == {"baseline"}  # --ai is for every arm, like --set
    assert [r["seed"] for r in adaptive] == [r["seed"] for r in plain]
    assert all(r["rules_version"] == plain[0]["rules_version"] for r in plain + adaptive)
    # the mode was played: the rows are the games play() gives with it, not the default's
    scenario = load_scenario(LION).scenario
    for row in adaptive:
        state = play(scenario, row["seed"], ai_modes={1: "adaptive"}, keep_events=False).state
        assert metric_values(state)["lion_mountain_fell"] == row["metric.lion_mountain_fell"]
    fell = [r["metric.lion_mountain_fell"] for r in plain]
    assert fell != [r["metric.lion_mountain_fell"] for r in adaptive]
    # and its replay command plays that same battle
    row = adaptive[0]
    words = shlex.split(row["replay"])
    assert words[:2] == ["wargame", "run"] and words[-2:] == ["--ai", "ija=adaptive"]
    log = tmp_path / "game.jsonl"
    capsys.readouterr()
    assert main([*words[1:], "-q", "--events", str(log)]) == 0
    final = next(item for item in read_log(log) if item["kind"] == "final")
    expected = play(scenario, row["seed"], ai_modes={1: "adaptive"}, keep_events=False).state
    assert final["state_hash"] == expected.state_hash() and final["winner"] == row["winner"]
    assert main(["replay", str(log)]) == 0
    assert "matches" in capsys.readouterr().out


def test_compare_ai_adds_an_arm_per_combination_and_the_report_names_them(
    tmp_path: Path,
) -> None:
    out = tmp_path / "compare"
    assert batch(out, "--games", "4", "--workers", "1", "--compare-ai", scenario=LION) == 0
    table = rows(out)
    modes = {r["label"]: (r["ai.roc"], r["ai.ija"]) for r in table}
    assert modes == {
        "baseline": ("plan", "plan"),
        "baseline · ai: roc=adaptive": ("adaptive", "plan"),
        "baseline · ai: ija=adaptive": ("plan", "adaptive"),
        "baseline · ai: both adaptive": ("adaptive", "adaptive"),
    }
    assert len(table) == 16 and len({r["arm"] for r in table}) == 4
    by_arm = {}
    for r in table:
        by_arm.setdefault(r["label"], []).append(r)
    assert [r["seed"] for r in by_arm["baseline · ai: both adaptive"]] == [
        r["seed"] for r in by_arm["baseline"]
    ]  # common random numbers across the modes too
    assert by_arm["baseline · ai: both adaptive"][0]["replay"].endswith(
        "--ai roc=adaptive --ai ija=adaptive"
    )
    assert "--ai" not in by_arm["baseline"][0]["replay"]
    manifest = json.loads((out / "batch.json").read_text(encoding="utf-8"))
    assert manifest["ai"] == {"roc": "plan", "ija": "plan"}
    assert {r["rules_version"] for r in table} == {manifest["rules_version"]}
    page = (out / "report.html").read_text(encoding="utf-8")
    for label in modes:
        assert f"{label}</td>" in page or f"<b>{label}</b>" in page, label
    assert "Median battle of baseline · ai: both adaptive" in page
    assert "--ai roc=adaptive --ai ija=adaptive" in page
    assert "computer player: roc plan, ija plan" in page


def test_bad_ai_values_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    cases = {
        "rco=adaptive": "--ai rco=adaptive: unknown side 'rco'; did you mean 'roc'?"
        " (the sides are roc, ija)",
        "ija=adaptve": "--ai ija=adaptve: unknown mode 'adaptve'; did you mean 'adaptive'?",
        "ija": "--ai ija: expected SIDE=MODE, e.g. ija=adaptive",
    }
    for value, message in cases.items():
        assert batch(out, "--games", "2", "--ai", value, scenario=LION) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert batch(out, "--ai", "roc=plan", "--ai", "roc=adaptive", scenario=LION) == 2
    assert "roc is already given mode 'plan'" in capsys.readouterr().err
    assert not out.exists(), "nothing is written for a batch that cannot start"
    assert main(["run", str(LION), "--ai", "jia=plan", "-q"]) == 2
    assert "unknown side 'jia'; did you mean 'ija'?" in capsys.readouterr().err


def test_resume_refuses_a_changed_rules_version_or_ai(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    common = ["--games", "3", "--workers", "1", "--no-report"]
    assert batch(out, *common) == 0
    version = json.loads((out / "batch.json").read_text(encoding="utf-8"))["rules_version"]
    capsys.readouterr()
    assert batch(out, *common) == 0  # nothing changed: resumes, nothing to play
    assert "resuming: 3 of 3" in capsys.readouterr().err

    monkeypatch.setattr(engine, "__version__", "99.0.0")
    assert batch(out, *common) == 2
    err = capsys.readouterr().err
    assert f"played with rules version {version} (engine " in err and "engine 99.0.0" in err
    monkeypatch.undo()

    defaults = rules_coefficients.defaults()
    changed = dict(defaults)
    changed["melee_rate"] = dataclasses.replace(
        defaults["melee_rate"], value=defaults["melee_rate"].value * 2
    )
    monkeypatch.setattr(rules_coefficients, "defaults", lambda: changed)
    assert batch(out, *common) == 2
    assert "coefficients.yaml or the engine has changed" in capsys.readouterr().err
    monkeypatch.undo()

    assert batch(out, *common, "--ai", "red=plan") == 2  # minimal.yaml: both sides adaptive
    err = capsys.readouterr().err
    assert "computer player plays red=adaptive, blue=adaptive" in err
    assert "asks for red=plan, blue=adaptive" in err
    assert batch(out, *common, "--ai", "red=adaptive") == 0  # the same modes, said aloud
    assert len(rows(out)) == 3


def test_a_worker_with_other_rules_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = make_plan(str(MINIMAL), tmp_path, games=2, batch_seed=0)
    monkeypatch.setattr(engine, "__version__", "99.0.0")  # the worker's engine is another
    with pytest.raises(PlanError, match="install the same version of the engine"):
        run_batch(plan, sim_executors.Executor())
    assert not part_files(tmp_path)


# ------------------------------------------------------------------------- overlay schema

OVERLAY_SCHEMA = ROOT / "docs" / "overlay.schema.json"


def test_committed_overlay_schema_is_current_and_printed_by_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from engine.scenario.overlay_schema import overlay_json_schema, overlay_json_schema_text

    assert OVERLAY_SCHEMA.read_text(encoding="utf-8") == overlay_json_schema_text(), (
        "docs/overlay.schema.json is stale: run"
        " `wargame schema --overlay -o docs/overlay.schema.json`"
    )
    assert main(["schema", "--overlay"]) == 0
    assert json.loads(capsys.readouterr().out) == overlay_json_schema()


def test_overlay_schema_keys_and_descriptions() -> None:
    """The schema's keys are the ones overlay.py reads; every property says what it means and
    its unit (or that it has none)."""
    from engine.scenario.overlay import OVERLAY_KEYS
    from engine.scenario.overlay_schema import overlay_json_schema

    schema = overlay_json_schema()
    assert tuple(schema["properties"]) == OVERLAY_KEYS
    assert schema["additionalProperties"] is False
    for name, prop in schema["properties"].items():
        text = prop.get("description", "")
        assert len(text) > 40, name
        assert "unit" in text or "hours" in text, name


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.name)
def test_shipped_overlays_declare_and_pass_the_overlay_schema(path: Path) -> None:
    import jsonschema

    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../docs/overlay.schema.json"
    schema = json.loads(OVERLAY_SCHEMA.read_text(encoding="utf-8"))
    data, _ = parse(path.read_text(encoding="utf-8"), str(path))
    jsonschema.validate(data, schema)
    load_overlay(path)  # and the engine reads it


def test_overlay_schema_flags_what_the_editor_should() -> None:
    import jsonschema

    schema = json.loads(OVERLAY_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    good = {"name": "late_relief", "shift": {"reinforcements[0].time": "12h"}}
    assert not list(validator.iter_errors(good))
    for bad in (
        {"name": "x", "descripton": "typo"},  # a misspelt key
        {"name": "x", "sett": {"clock.turns": 3}},
        {"name": "Bad Name", "set": {"clock.turns": 3}},
        {"name": "x", "scale": {"units[0].men": "double"}},
        {"name": "x", "shift": {"reinforcements[0].time": "12 hours"}},
    ):
        assert list(validator.iter_errors(bad)), bad


def test_median_interval_exact_order_statistics() -> None:
    from engine.sim.stats import median_interval

    rng = np.random.default_rng(3)
    hundred = rng.permutation(np.arange(1.0, 101.0))
    with_gaps = np.concatenate([hundred, [np.nan] * 7])
    assert median_interval(with_gaps) == (40.0, 61.0)  # ranks 40 and 61 of 100, as tables give
    ten = rng.permutation(np.arange(10.0, 101.0, 10.0))
    assert median_interval(ten) == (10.0, 100.0)  # ranks 1 and 10: j = floor(1.9), k = ceil(9.1)
    assert median_interval(np.array([4.0, 2.0, 9.0, 7.0, 5.0]), z=1.0) == (2.0, 9.0)
    assert median_interval(np.array([3.5])) == (3.5, 3.5)
    low, high = median_interval(np.array([np.nan]))
    assert math.isnan(low) and math.isnan(high)


def test_ranks_share_a_place_where_intervals_overlap() -> None:
    from types import SimpleNamespace

    from engine.sim.stats import assign_ranks

    deltas = [
        (0.30, 0.20, 0.40),
        (0.25, 0.15, 0.35),  # overlaps the first: =1
        (0.00, -0.10, 0.10),  # clear of the first: rank 3
        (-0.05, -0.12, 0.02),  # overlaps the third: =3
        (-0.50, -0.60, -0.40),  # clear: rank 5, alone
        (None),  # no interval (no battles): never tied
    ]
    arms = [SimpleNamespace(delta=d, rank=0, tied=False) for d in deltas]
    assign_ranks(arms)
    assert [(a.rank, a.tied) for a in arms] == [
        (1, True),
        (1, True),
        (3, True),
        (3, True),
        (5, False),
        (6, False),
    ]


SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("scenario", SCENARIO_FILES, ids=lambda p: p.stem)
def test_a_battle_in_the_middle_of_a_chunk_replays_alone_as_its_row(
    tmp_path: Path, scenario: Path
) -> None:
    """Battle 2 of a chunk of 4 (the dice keyed by its own seed, never by its neighbours'),
    replayed alone by the row's own `replay` command, plays the same battle event for event:
    the men of each side at every turn's end, the turns, the end and the winner are the row's."""
    out = tmp_path / "batch"
    args = ["--games", "4", "--chunk", "4", "--workers", "1", "--seed", "5", "--no-report"]
    assert batch(out, *args, scenario=scenario) == 0
    row = next(r for r in rows(out) if r["index"] == 2)
    log = tmp_path / "alone.jsonl"
    words = shlex.split(row["replay"])
    assert words[:2] == ["wargame", "run"]
    assert main([*words[1:], "--events", str(log), "-q"]) == 0
    entries = read_log(log)
    ended = [e for e in entries if e.get("kind") == "turn_ended"]
    (over,) = [e for e in entries if e.get("kind") == "game_ended"]
    for side in (s.id for s in load_scenario(scenario).scenario.sides):
        assert row[f"men.{side}"][1:] == [float(e["men"].get(side, 0)) for e in ended]
    assert over["winner"] == row["winner"] and over["reason"] == row["end_reason"]
    assert len(ended) == row["turns"]


def test_chunk_columns_made_from_buffers_are_what_pa_array_makes() -> None:
    """The worker builds its columns from numpy buffers (pa.array would import pandas in every
    worker): nulls, empty and non-ASCII strings, the integer and float columns and the float32
    lists must come out as pa.array makes them."""
    from engine.sim.worker import _column, _float_lists

    texts = ["roc", None, "", "芙蓉山 · 'quoted'", None, "ija"]
    assert _column(texts, pa.string()).equals(pa.array(texts, pa.string()))
    assert _column([None, None], pa.string()).equals(pa.array([None, None], pa.string()))
    for same in (["roc"] * 7, ["芙蓉山"] * 3, [""] * 4, ["ija"]):  # a chunk's arm, scenario...
        assert _column(same, pa.string()).equals(pa.array(same, pa.string()))
    numbers = [1.5, None, -0.0, 1e300, None, 3.0, 2.0, 7.0, None]  # past a byte of validity
    assert _column(numbers, pa.float64()).equals(pa.array(numbers, pa.float64()))
    assert _column([2**62 + 1, 0], pa.int64()).equals(pa.array([2**62 + 1, 0], pa.int64()))
    assert _column([61, 3], pa.int32()).equals(pa.array([61, 3], pa.int32()))
    rows = [np.array([900, 850, 16_777_217]), np.array([5], np.int64), np.array([1.1, 0.3])]
    kind = pa.list_(pa.float32())
    expected = pa.array([[float(x) for x in row] for row in rows], kind)
    assert _float_lists(rows, kind).equals(expected)


def test_a_chunks_replay_commands_are_each_battles_own(tmp_path: Path) -> None:
    """`replay_commands` quotes the words around the seed once: each must be the battle's own
    `replay_command`, overrides and modes that need quoting included."""
    plan = make_plan(
        str(MINIMAL),
        tmp_path / "out",
        games=3,
        batch_seed=2,
        sweeps=["rules.night_speed_factor=0.5:0.9:2"],
    )
    for arm in plan.arms:
        task = dataclasses.replace(plan.task(arm, 0, 2), run_scenario="a folder/with 'quotes'.yaml")
        seeds = [battle_seed(2, i) for i in range(3)]
        assert task.replay_commands(seeds) == [task.replay_command(s) for s in seeds]
        assert all("'" in command for command in task.replay_commands(seeds))


def test_running_median_is_each_heads_median() -> None:
    """The convergence plot's running median (two heaps) is np.median of every head of the
    battles, NaNs left out, ties and even counts included: the exact values, not close ones."""
    from engine.sim.stats import running_median

    rng = np.random.default_rng(7)
    for trial in range(120):
        size = int(rng.integers(0, 50))
        values = (
            rng.choice([1.0, 2.0, 3.5, 0.1, 7.25, np.nan], size)
            if trial % 2
            else rng.normal(size=size)
        )
        expected = np.full(size, np.nan)
        for i in range(size):
            head = values[: i + 1][~np.isnan(values[: i + 1])]
            if head.size:
                expected[i] = float(np.median(head))
        counts, medians = running_median(values)
        assert np.array_equal(counts, np.arange(1, size + 1))
        assert np.array_equal(medians, expected, equal_nan=True)
    assert running_median(np.array([np.nan, 4.0, 1.0]))[1].tolist()[1:] == [4.0, 2.5]


def test_curve_matrix_of_a_parquet_column_is_the_lists_matrix() -> None:
    """A list column read from its offsets and values at once gives the matrix its Python lists
    give: each battle's value by turn, its last past its end, NaN for an empty list; over
    several chunks, a cut `length`, ints and floats."""
    import pyarrow as pa

    from engine.sim.stats import curve_matrix

    rng = np.random.default_rng(11)
    for trial in range(60):
        lists = [
            [int(x) for x in rng.integers(0, 900, int(rng.integers(0, 8)))]
            for _ in range(int(rng.integers(1, 10)))
        ]
        kind = pa.list_(pa.int64() if trial % 2 else pa.float32())
        half = len(lists) // 2
        column = pa.chunked_array([pa.array(lists[:half], kind), pa.array(lists[half:], kind)])
        for length in (None, 3, 10):
            expected = curve_matrix(column.to_pylist(), length)
            assert np.array_equal(curve_matrix(column, length), expected, equal_nan=True)
    column = pa.chunked_array([pa.array([[5, 4], [], [9]], pa.list_(pa.int64()))])
    assert curve_matrix(column, 3).tolist()[0] == [5.0, 4.0, 4.0]
    assert np.isnan(curve_matrix(column, 3)[1]).all()
