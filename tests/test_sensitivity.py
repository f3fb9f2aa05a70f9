"""`wargame sensitivity`: Morris and Sobol (SALib) on functions with known answers, the ranges
taken from coefficients.yaml's bounds, the battles played through the batch machinery with the
same seeds at every point, bad input, and the command end to end on a small scenario.

Kept fast: the known-answer functions cost nothing; the real engine plays a few Lion Mountain
battles (a few tens of ms each) and the minimal test battle."""

from __future__ import annotations

import json
import math
import shlex
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("SALib")

from SALib.test_functions import Ishigami

from engine.cli import main
from engine.fit import sensitivity as sens
from engine.fit.priors import load_priors
from engine.headless import play
from engine.history import metric_values
from engine.rules.coefficients import coefficient_names
from engine.scenario import load_scenario
from engine.sim.seeds import battle_seed

ROOT = Path(__file__).resolve().parent.parent
LION = ROOT / "scenarios" / "lion_mountain.yaml"
MINIMAL = ROOT / "tests" / "data" / "minimal.yaml"

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-math.pi, math.pi]] * 3}
# Ishigami (a = 7, b = 0.1): the analytic indices (Saltelli et al., Global Sensitivity Analysis:
# The Primer, 2008, §4.1; SALib's own tests use the same figures).
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])


def _scenario(path: Path):
    return load_scenario(path, coefficient_names=coefficient_names()).scenario


# ----------------------------------------------------------------------------- known answers


def test_sobol_recovers_the_ishigami_indices_inside_their_intervals():
    result = sens.sobol_indices(Ishigami.evaluate, ISHIGAMI, base=1024, seed=3)
    assert result.points.shape == (1024 * 5, 3)
    s1, st = result.S1[0], result.ST[0]
    # each analytic index inside the estimate's 95 % interval, widened by a little for the
    # interval's own error (the bootstrap half-widths here are 0.02 to 0.08)
    assert np.all(np.abs(s1 - ISHIGAMI_S1) <= result.S1_conf[0] + 0.02), (s1, result.S1_conf)
    assert np.all(np.abs(st - ISHIGAMI_ST) <= result.ST_conf[0] + 0.02), (st, result.ST_conf)
    # and the story the indices tell: x3 acts only through its interaction with x1
    assert s1[2] < 0.05 < 0.2 < st[2]


@pytest.mark.parametrize("seed", [0, 5])
def test_sobol_is_the_same_for_the_same_seed(seed):
    # seed 0 too: SALib's sobol.analyze would take an int 0 for "no seed" (`if seed:`) and
    # bootstrap its intervals from numpy's global generator
    np.random.seed(1)
    one = sens.sobol_indices(Ishigami.evaluate, ISHIGAMI, base=64, seed=seed)
    np.random.seed(2)
    two = sens.sobol_indices(Ishigami.evaluate, ISHIGAMI, base=64, seed=seed)
    assert np.array_equal(one.points, two.points)
    assert np.array_equal(one.ST, two.ST) and np.array_equal(one.S1_conf, two.S1_conf)
    assert np.array_equal(one.ST_conf, two.ST_conf)


def test_sobol_base_is_rounded_up_to_a_power_of_two():
    result = sens.sobol_indices(Ishigami.evaluate, ISHIGAMI, base=20, seed=0)
    assert len(result.points) == 32 * 5


def test_morris_elementary_effects_of_a_linear_function_are_its_slopes():
    problem = {"num_vars": 3, "names": ["a", "b", "dummy"], "bounds": [[0, 1]] * 3}

    def linear(x: np.ndarray) -> np.ndarray:
        return 3 * x[:, 0] - x[:, 1]

    result = sens.morris_screen(linear, problem, trajectories=6, seed=1)
    assert result.points.shape == (6 * 4, 3)
    np.testing.assert_allclose(result.mu_star[0], [3.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(result.mu[0], [3.0, -1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(result.sigma[0], [0.0, 0.0, 0.0], atol=1e-12)
    assert result.ranking() == ["a", "b", "dummy"]


def test_morris_ranks_ishigami_and_skips_outputs_with_gaps():
    def with_gap(x: np.ndarray) -> np.ndarray:
        y = Ishigami.evaluate(x)
        gap = np.where(x[:, 0] > 0, np.nan, y)  # a metric whose event sometimes never happens
        return np.column_stack([y, gap])

    result = sens.morris_screen(with_gap, ISHIGAMI, trajectories=20, seed=2)
    assert result.ranking()[0] in {"x1", "x2"} and result.ranking()[-1] == "x3"
    assert result.skipped == ["1"] and np.all(np.isnan(result.mu_star[1]))


def test_one_at_a_time_moves_one_coefficient_to_each_end():
    ranges = [sens.Range("a", 1.0, 0.5, 2.0), sens.Range("b", 10.0, 5.0, 20.0)]
    seen = []

    def model(x: np.ndarray) -> np.ndarray:
        seen.extend(map(tuple, x))
        return x[:, :1] * 100 + x[:, 1:]

    baseline, low, high = sens.one_at_a_time(model, ranges, ["b", "a"])
    assert seen == [(1, 10), (1, 5), (1, 20), (0.5, 10), (2, 10)]
    assert baseline.tolist() == [110.0]
    assert low.tolist() == [[105.0, 60.0]] and high.tolist() == [[120.0, 210.0]]


# ----------------------------------------------------------------------------- ranges, metrics


def test_ranges_are_the_value_plus_or_minus_the_spread_inside_the_bounds():
    ranges, left_out = sens.coefficient_ranges(
        {"melee_rate": 0.004},
        ["killed_fraction", "resolve_readily_captured_fraction", "melee_rate"],
        spread=0.3,
        priors={},  # none declared: every range is the spread's
    )
    by_name = {r.name: r for r in ranges}
    assert (by_name["killed_fraction"].low, by_name["killed_fraction"].high) == pytest.approx(
        (0.175, 0.325)
    )
    # 0.9 x 1.3 would pass the coefficient's max of 1: clipped to it
    capture = by_name["resolve_readily_captured_fraction"]
    assert (capture.low, capture.high) == pytest.approx((0.63, 1.0))
    # the scenario's own value is the centre, not coefficients.yaml's
    assert by_name["melee_rate"].value == 0.004
    assert (by_name["melee_rate"].low, by_name["melee_rate"].high) == pytest.approx(
        (0.0028, 0.0052)
    )
    assert left_out == []


def test_a_declared_prior_gives_the_range_instead_of_the_spread():
    from engine.fit.priors import Prior

    priors = {
        "melee_rate": Prior("melee_rate", "loguniform", 0.0005, 0.02, "r"),
        "break_point_mean": Prior("break_point_mean", "uniform", 0.05, 0.6, "r"),
        "water_exposure": Prior("water_exposure", "lognormal", 1.5, 0.5, "r"),
        "night_fire_factor": Prior("night_fire_factor", "uniform", 0.6, 0.9, "r"),
    }
    names = ["melee_rate", "break_point_mean", "water_exposure", "night_fire_factor"]
    ranges, _ = sens.coefficient_ranges(
        {"night_fire_factor": 0.5},
        [*names, "killed_fraction"],
        explicit={"break_point_mean": (0.1, 0.3)},
        priors=priors,
    )
    got = {r.name: (r.low, r.high, r.source) for r in ranges}
    assert got["melee_rate"] == (0.0005, 0.02, "prior")
    assert got["break_point_mean"] == (0.1, 0.3, "range")  # --range wins over the prior
    # a lognormal's 5-95 % quantiles: the median times exp(∓1.6449 sigma)
    low, high, source = got["water_exposure"]
    assert (low, high) == pytest.approx((0.6590, 3.4141), abs=1e-4) and source == "prior"
    # the scenario's value below the prior: the range is widened to take it in
    assert got["night_fire_factor"] == (0.5, 0.9, "prior")
    assert got["killed_fraction"] == pytest.approx((0.175, 0.325, "spread"))


def test_the_priors_of_coefficients_yaml_are_used_and_said_in_the_report():
    ranges, _ = sens.coefficient_ranges()
    by_name = {r.name: r for r in ranges}
    for name, prior in load_priors().items():
        r = by_name[name]
        assert (r.low, r.high, r.source) == (prior.low, prior.high, "prior"), name
    assert by_name["killed_fraction"].source == "spread"
    run = _run([0.5, 0.25, 0.75, 0.5], [0.5, 0.0])
    run.ranges[0] = replace(run.ranges[0], source="prior")
    assert "| `a` | 0.7–1.3 (value 1; *prior*) |" in sens.markdown(run)
    assert "| `b` | 1.4–2.6 (value 2) |" in sens.markdown(run)
    assert [r["source"] for r in run.as_dict()["ranges"]] == ["prior", "spread"]


def test_every_coefficient_gets_a_range_by_default_and_counts_are_played_whole():
    ranges, left_out = sens.coefficient_ranges()
    assert len(ranges) + len(left_out) == len(coefficient_names())
    steps = next(r for r in ranges if r.name == "assault_steps_per_hour")
    assert steps.whole and steps.play_value(3.4) == 3.0 and steps.play_value(4.6) == 5.0
    for r in ranges:
        assert r.low < r.high and r.low <= r.value <= r.high


def test_explicit_ranges_are_checked_against_the_bounds():
    ranges, _ = sens.coefficient_ranges(
        None, ["melee_rate"], explicit={"melee_rate": (0.001, 0.01)}
    )
    assert (ranges[0].low, ranges[0].high) == (0.001, 0.01)
    with pytest.raises(sens.SensitivityError) as error:
        sens.coefficient_ranges(None, [], explicit={"killed_fraction": (0.1, 2.0)})
    assert str(error.value) == (
        "--range killed_fraction=0.1:2: killed_fraction expected a number >= 0, <= 1, got 2"
    )
    with pytest.raises(sens.SensitivityError, match="expected LOW < HIGH"):
        sens.coefficient_ranges(None, [], explicit={"melee_rate": (0.004, 0.002)})


def test_an_unknown_coefficient_gets_did_you_mean():
    with pytest.raises(sens.SensitivityError) as error:
        sens.coefficient_ranges(None, ["melee_rat"])
    assert str(error.value) == "unknown rule coefficient 'melee_rat'; did you mean 'melee_rate'?"


def test_parse_range():
    assert sens.parse_range("rules.melee_rate=0.002:0.004") == ("melee_rate", (0.002, 0.004))
    for bad in ("melee_rate", "melee_rate=0.002", "melee_rate=a:b"):
        with pytest.raises(sens.SensitivityError, match="expected NAME=LOW:HIGH"):
            sens.parse_range(bad)


def test_metrics_by_name():
    lion = _scenario(LION)
    metrics = sens.parse_metrics("win, win.roc,river_crossed,win", lion)
    assert [(m.name, m.column, m.side) for m in metrics] == [
        ("win.ija", "winner", "ija"),  # history's winner at Lion Mountain
        ("win.roc", "winner", "roc"),
        ("river_crossed", "metric.river_crossed", None),
    ]
    with pytest.raises(sens.SensitivityError) as error:
        sens.parse_metrics("win,river_crosed", lion)
    assert "unknown metric 'river_crosed'; did you mean 'river_crossed'?" in str(error.value)
    with pytest.raises(sens.SensitivityError, match="at least one"):
        sens.parse_metrics(" , ", lion)


def test_a_metric_is_averaged_over_the_battles_where_it_happened():
    import pyarrow as pa

    table = pa.table({"winner": ["roc", "ija", None, "roc"], "metric.x": [1.0, None, 3.0, None]})
    assert sens.Metric("win.roc", "winner", "roc").value(table) == 0.5
    assert sens.Metric("x", "metric.x").value(table) == 2.0
    empty = pa.table({"metric.x": pa.array([None, None], pa.float64())})
    assert math.isnan(sens.Metric("x", "metric.x").value(empty))


# ----------------------------------------------------------------------------- the battles


def test_a_design_point_plays_the_batch_seeds_with_its_coefficients(tmp_path):
    ranges, _ = sens.coefficient_ranges(
        None, ["fire_casualties_per_firepower_hour", "assault_steps_per_hour"]
    )
    lion = _scenario(LION)
    metrics = sens.parse_metrics("win.ija,river_crossed", lion)
    model = sens.BattleModel(str(LION), ranges, metrics, games=3, batch_seed=11, out=tmp_path)
    points = np.array([[0.007, 3.4], [0.013, 4.6]])
    outputs = model(points)
    assert model.battles == 6 and model.points == 2
    for point, output in zip(points, outputs, strict=True):
        overrides = {"fire_casualties_per_firepower_hour": point[0]}
        overrides["assault_steps_per_hour"] = float(round(point[1]))
        states = [
            play(lion, battle_seed(11, i), overrides=overrides, keep_events=False).state
            for i in range(3)
        ]
        wins = sum(s.winner == "ija" for s in states) / 3
        crossed = [metric_values(s)["river_crossed"] for s in states]
        crossed = [c for c in crossed if c is not None]
        assert output[0] == wins
        assert output[1] == (np.mean(crossed) if crossed else None)
    command = model.replay_command(points[0], index=2)
    assert f"--seed {battle_seed(11, 2)}" in command
    assert "--set rules.assault_steps_per_hour=3.0" in command
    assert "--set rules.fire_casualties_per_firepower_hour=0.007" in command


def _cli(tmp_path: Path, *extra: str) -> list[str]:
    return [
        "sensitivity", str(LION), "--metric", "win,river_crossed", "--out", str(tmp_path),
        "--games", "2", "--coefficients",
        "fire_casualties_per_firepower_hour,night_fire_factor,assault_steps_per_hour",
        "--trajectories", "2", "--sobol", "4", "--top", "2", "--workers", "1", *extra,
    ]  # fmt: skip


def test_the_command_end_to_end_and_again_the_same(tmp_path, capsys):
    first, second = tmp_path / "one", tmp_path / "two"
    assert main(_cli(first)) == 0
    err = capsys.readouterr().err
    assert "morris: 8 design points" in err and "sobol: 16 design points" in err
    assert "tornado: 5 design points" in err
    data = json.loads((first / "sensitivity.json").read_text())
    assert data["format"] == sens.FORMAT
    assert data["battles"] == (8 + 16) * 2 + 5 * 2 * sens.TORNADO_GAMES_FACTOR
    assert data["games_per_point"] == 2 and len(data["top"]) == 2
    assert set(data["morris"]["by_metric"]) == {"win.ija", "river_crossed"}
    assert data["sobol"]["points"] == 16
    assert data["command"].startswith(f"wargame sensitivity {LION} --metric win,river_crossed")
    assert "hinges" in data["headline"]["river_crossed"]
    # battle 0 of the baseline point replays from the scenario copy written beside the figures
    replay = shlex.split(data["replay"])
    assert replay[:3] == ["wargame", "run", str(first / "scenarios" / "baseline.yaml")]
    assert replay[3:5] == ["--seed", str(battle_seed(0, 0))]
    assert "rules.night_fire_factor=0.5" in replay
    assert main(replay[1:]) == 0
    for name in ("sensitivity.md", "morris_points.csv", "sobol_points.csv"):
        assert (first / name).stat().st_size > 0
    assert (first / "tornado_win.ija.png").read_bytes()[:4] == b"\x89PNG"
    header = (first / "morris_points.csv").read_text().splitlines()[0]
    assert header == (
        "fire_casualties_per_firepower_hour,night_fire_factor,assault_steps_per_hour,"
        "win.ija,river_crossed"
    )
    # the same command, the same figures (only the time taken differs)
    assert main(_cli(second)) == 0
    again = json.loads((second / "sensitivity.json").read_text())
    for item in (data, again):
        for key in ("seconds", "stages", "command", "replay"):
            item.pop(key)
    assert again == data
    assert (first / "morris_points.csv").read_text() == (second / "morris_points.csv").read_text()


def test_bad_input_is_one_line_and_nothing_is_written(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(_cli(out, "--metric", "rivr_crossed")) == 1
    assert capsys.readouterr().err.strip() == (
        "--metric rivr_crossed: unknown metric 'rivr_crossed'; did you mean 'river_crossed'?"
        " (this scenario has: win, win.roc, win.ija, river_crossed, crossing_battalion_losses,"
        " works_destroyed, lion_mountain_fell, defenders_fell_back, winner)"
    )
    assert main(_cli(out, "--coefficients", "night_fire_facter")) == 1
    assert capsys.readouterr().err.strip() == (
        "unknown rule coefficient 'night_fire_facter'; did you mean 'night_fire_factor'?"
    )
    assert main(_cli(out, "--range", "killed_fraction=0:1.5")) == 1
    assert "killed_fraction expected a number >= 0, <= 1, got 1.5" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.read_text().replace("men: ", "mne: ", 1))
    assert main(["sensitivity", str(bad), "--out", str(out)]) == 1
    assert f"{bad}:" in capsys.readouterr().err
    assert not out.exists()


def test_without_salib_the_command_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "SALib", None)  # import SALib now raises ImportError
    assert main(["sensitivity", str(LION), "--out", str(tmp_path / "x")]) == 3  # MISSING_EXTRA
    assert capsys.readouterr().err.strip() == (
        "wargame sensitivity needs SALib, in the optional extra 'fit': pip install -e '.[fit]'"
    )


def test_batch_with_sensitivity_adds_the_section_to_the_report(tmp_path, capsys, monkeypatch):
    from engine.fit import sens_command

    monkeypatch.setattr(
        sens_command, "BATCH_SETTINGS", {"games": 1, "trajectories": 2, "sobol": 4, "top": 2}
    )
    out = tmp_path / "batch"
    command = ["batch", str(MINIMAL), "--games", "3", "--out", str(out), "--workers", "1"]
    assert main([*command, "--sensitivity"]) == 0
    err = capsys.readouterr().err
    points = 2 * (len(coefficient_names()) + 1)
    assert f"morris: {points} design points" in err
    data = json.loads((out / "sensitivity" / "sensitivity.json").read_text())
    assert data["command"].startswith(f"wargame sensitivity {MINIMAL} --metric win --out")
    assert data["games_per_point"] == 1 and len(data["top"]) == 2
    page = (out / "report.html").read_text()
    assert "What the result hinges on" in page
    ((metric, headline),) = data["headline"].items()  # no winner in its history: the first side
    assert metric == "win.red" and headline in page
    assert "sensitivity/tornado_win.red.png" in page
    # resumed: the same screening is not played again; the report is rebuilt with it
    assert main([*command, "--sensitivity"]) == 0
    assert "sensitivity: already in" in capsys.readouterr().err
    assert main(["report", str(out)]) == 0
    assert "What the result hinges on" in (out / "report.html").read_text()


def test_batch_without_sensitivity_has_no_section(tmp_path):
    out = tmp_path / "batch"
    assert main(["batch", str(MINIMAL), "-n", "2", "--out", str(out), "--workers", "1"]) == 0
    assert "What the result hinges on" not in (out / "report.html").read_text()


def test_batch_sensitivity_without_salib_stops_before_the_batch(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "SALib", None)
    out = tmp_path / "batch"
    assert main(["batch", str(MINIMAL), "-n", "2", "--out", str(out), "--sensitivity"]) == 3
    assert capsys.readouterr().err.strip() == (
        "--sensitivity: wargame sensitivity needs SALib, in the optional extra 'fit':"
        " pip install -e '.[fit]'"
    )
    assert not out.exists()


def test_without_sobol_the_top_comes_from_morris(tmp_path, capsys):
    out = tmp_path / "out"
    command = [
        "sensitivity", str(LION), "--metric", "river_crossed", "--out", str(out), "--games", "1",
        "--coefficients", "fire_casualties_per_firepower_hour,night_fire_factor",
        "--trajectories", "2", "--sobol", "0", "--workers", "1",
    ]  # fmt: skip
    assert main(command) == 0
    err = capsys.readouterr().err
    assert "sobol:" not in err and "tornado: 5 design points" in err
    data = json.loads((out / "sensitivity.json").read_text())
    assert "sobol" not in data and not (out / "sobol_points.csv").exists()
    assert data["battles"] == 2 * 3 * 1 + 5 * sens.TORNADO_GAMES_FACTOR
    assert data["tornado_games_per_point"] == sens.TORNADO_GAMES_FACTOR
    morris = [row["name"] for row in data["morris"]["by_metric"]["river_crossed"]]
    assert data["top"] == morris
    assert "| – | – |" in (out / "sensitivity.md").read_text()  # no S1, no ST


def test_an_interrupted_run_writes_nothing(tmp_path, capsys, monkeypatch):
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(kwargs.get("dry_run"))
        if not kwargs.get("dry_run"):
            raise KeyboardInterrupt

    monkeypatch.setattr(sens, "run_sensitivity", interrupted)
    out = tmp_path / "out"
    assert main(_cli(out)) == 130
    assert calls == [True, None]  # checked first, then run
    assert "interrupted: nothing was written" in capsys.readouterr().err
    assert not (out / "sensitivity.json").exists()


def _run(outputs: list[float], mu_star: list[float]) -> sens.SensitivityRun:
    """A finished run's figures, made by hand, for the sentences the report prints."""
    names = ["a", "b"]
    ranges = [sens.Range("a", 1.0, 0.7, 1.3), sens.Range("b", 2.0, 1.4, 2.6)]
    shape = (1, 2)
    morris = sens.MorrisResult(
        names, np.array([mu_star]), np.zeros(shape), np.zeros(shape), np.zeros(shape),
        np.zeros((len(outputs), 2)), np.array(outputs)[:, None],
    )  # fmt: skip
    return sens.SensitivityRun(
        scenario="x.yaml", metrics=[sens.Metric("win.red", "winner", "red")], ranges=ranges,
        left_out=[], games=8, seed=0, morris=morris, sobol=None, top=names,
        baseline=np.array([0.5]), low=np.array([[0.25, 0.5]]), high=np.array([[0.75, 0.5]]),
        battles=0, seconds=0.0,
    )  # fmt: skip


def test_the_headline_names_what_moves_the_result_and_says_when_nothing_does():
    moving = _run([0.5, 0.25, 0.75, 0.5] * 5, [0.5, 0.0])
    assert moving.headline() == (
        "The share of battles red wins (0.5 with every coefficient at its value) hinges most on"
        " a (Morris μ* 0.5; 0.25 at 0.7, 0.75 at 1.3)."
    )
    steady = _run([1.0] * 20, [0.0, 0.0])
    assert steady.headline() == (
        "The share of battles red wins was 1 at every one of the 20 points screened: within"
        " these ranges it hinges on no coefficient."
    )
    almost = _run([1.0] * 19 + [0.875], [0.0, 0.125])
    assert almost.headline() == (
        "The share of battles red wins was 1 at 19 of the 20 points screened: within these"
        " ranges it hardly hinges on any coefficient (what moved it at all: b (Morris μ* 0.125;"
        " 0.5 at 1.4, 0.5 at 2.6))."
    )
