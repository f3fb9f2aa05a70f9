"""`wargame fit` and its parts: priors, the posterior file, the fit set, ABC-SMC with pyabc on
toy models with a known answer, resuming, and the held-out table (docs/fit.md)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from engine.exit_codes import ExitCode
from engine.fit.posterior import Posterior, parse_posterior, read_posterior
from engine.fit.priors import FitInputError, Prior, choose, load_priors

# the fits need the `fit` extra (the `test` extra brings it); the rest needs only the core
needs_pyabc = pytest.mark.skipif(
    importlib.util.find_spec("pyabc") is None, reason="pip install -e '.[fit]'"
)

TRUE_RATE = 0.02  # fire_casualties_per_firepower_hour of the toy duel's "history"


# ------------------------------------------------------------------------------------ priors


def test_declared_priors_load_and_sit_inside_their_coefficients_ranges():
    priors = load_priors()
    assert {
        "fire_casualties_per_firepower_hour",
        "firepower_machine_gun",
        "close_fire_casualties_per_firepower_hour",
        "melee_rate",
        "break_point_mean",
    } <= set(priors)
    bp = priors["break_point_mean"]
    assert (bp.distribution, bp.a, bp.b) == ("uniform", 0.05, 0.6)
    assert bp.quantile(0.5) == pytest.approx(0.325)
    assert priors["melee_rate"].quantile(0.5) == pytest.approx(np.sqrt(0.0005 * 0.02))
    assert all(p.reason for p in priors.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "break_point_mean:\n  value: 0.2\n  prior: {distribution: uniform, low: 0.1,"
            " high: 3, reason: r}\n",
            "c.yaml:3:50: high 3 is outside break_point_mean's range: it allows at most 1",
        ),
        (
            "melee_rate:\n  prior: {distribution: unifrom, low: 0, high: 1, reason: r}\n",
            "c.yaml:2:25: expected distribution: one of uniform, loguniform, lognormal, got"
            " 'unifrom'; did you mean 'uniform'?",
        ),
        (
            "melee_rate:\n  prior: {distribution: loguniform, low: 0, high: 1, reason: r}\n",
            "c.yaml:2:42: low 0 is outside melee_rate's range: expected low > 0",
        ),
        (
            "break_point_mean:\n  prior: {distribution: lognormal, median: 0.2, sigma: 1,"
            " reason: r}\n",
            "c.yaml:2:10: a lognormal prior has no upper end, but break_point_mean allows at"
            " most 1; use uniform or loguniform inside its range",
        ),
        (
            "melee_rate:\n  prior: {distribution: uniform, low: 0.1, high: 1, reasn: r}\n",
            "c.yaml:2:53: unknown key 'reasn' for a uniform prior; did you mean 'reason'?",
        ),
        (
            "assault_steps_per_hour:\n  prior: {distribution: uniform, low: 1, high: 8,"
            " reason: r}\n",
            "c.yaml:2:10: assault_steps_per_hour is a whole number: a continuous prior cannot"
            " fit it",
        ),
        (
            "melee_rat:\n  prior: {distribution: uniform, low: 1, high: 8, reason: r}\n",
            "c.yaml:1:1: unknown rule coefficient 'melee_rat'; did you mean 'melee_rate'?",
        ),
    ],
)
def test_a_bad_prior_is_refused_with_its_place(text, message):
    with pytest.raises(FitInputError) as caught:
        load_priors(text, "c.yaml")
    assert message in caught.value.problems[0]


def test_choosing_an_unknown_or_priorless_coefficient_says_what_to_do():
    with pytest.raises(FitInputError) as caught:
        choose(["melee_rat", "night_fire_factor"], load_priors())
    first, second = caught.value.problems
    assert first == (
        "--coefficients melee_rat: unknown rule coefficient 'melee_rat'; did you mean 'melee_rate'?"
    )
    assert second.startswith(
        "--coefficients night_fire_factor: no prior for 'night_fire_factor' in"
        " engine/rules/coefficients.yaml; add a `prior:`"
    )


@needs_pyabc
def test_cli_unknown_coefficient_exits_1_without_a_traceback(tmp_path, capsys):
    code = main(["fit", "-c", "melee_rat", "--out", str(tmp_path / "f")])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    assert "did you mean 'melee_rate'?" in err and "Traceback" not in err


def test_cli_without_the_extra_says_how_to_get_it(tmp_path, capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyabc" else real(name, *a)
    )
    code = main(["fit", "-c", "melee_rate", "--out", str(tmp_path / "f")])
    assert code == ExitCode.MISSING_EXTRA == 3
    assert capsys.readouterr().err == (
        "wargame fit: this command needs the fit extra: pip install -e '.[fit]'\n"
    )


# ------------------------------------------------------------------------------ posterior file


def _posterior() -> Posterior:
    return Posterior(
        ("melee_rate", "break_point_mean"),
        np.array([[0.001, 0.1], [0.002, 0.2], [0.004, 0.3]]),
        np.array([0.2, 0.3, 0.5]),
        {"intervals": {}},
    )


def test_posterior_round_trips_and_draws_by_the_battles_seed(tmp_path):
    posterior = _posterior()
    path = posterior.write(tmp_path / "posterior.json")
    again = read_posterior(tmp_path)  # a folder means its posterior.json
    assert again.coefficients == posterior.coefficients
    assert np.array_equal(again.particles, posterior.particles)
    assert [again.draw(s) for s in range(20)] == [posterior.draw(s) for s in range(20)]
    draws = [posterior.draw(s)["melee_rate"] for s in range(3000)]
    shares = [draws.count(v) / len(draws) for v in (0.001, 0.002, 0.004)]
    assert shares == pytest.approx([0.2, 0.3, 0.5], abs=0.03)
    assert json.loads(path.read_text())["format"] == "wargame-posterior"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"format": "wargame-posterior", "version": 1,\n "coefficients": [',
            "p.json:2:19: not a posterior file: Expecting value",
        ),
        ("[1, 2]", 'p.json:1:1: not a posterior file: expected "format"'),
        (
            '{"format": "wargame-posterior", "version": 1, "coefficients": ["melee_rat"],'
            ' "particles": [[0.1]], "weights": [1]}',
            "p.json:1:64: unknown rule coefficient 'melee_rat'; did you mean 'melee_rate'?",
        ),
        (
            '{"format": "wargame-posterior", "version": 1, "coefficients": ["break_point_mean"],'
            ' "particles": [[0.1], [2.0]], "weights": [1, 1]}',
            "a particle's break_point_mean: expected a number >= 0, <= 1, got 2",
        ),
        (
            '{"format": "wargame-posterior", "version": 1, "coefficients": ["melee_rate"],'
            ' "particles": [[0.1]], "weights": [1, 2]}',
            "expected 1 weights >= 0 (one per particle), not all 0",
        ),
        (
            '{"format": "wargame-posterior", "version": 1, "coefficients": ["melee_rate"],'
            ' "particles": [[0.1, 3]], "weights": [1]}',
            "expected a list of particles, each a list of 1 numbers",
        ),
    ],
)
def test_a_corrupt_posterior_file_is_refused_with_its_place(text, message):
    with pytest.raises(FitInputError) as caught:
        parse_posterior(text, "p.json")
    assert message in caught.value.problems[0]


def test_cli_run_with_a_corrupt_posterior_exits_1(tmp_path, capsys):
    bad = tmp_path / "posterior.json"
    bad.write_text("{not json")
    code = main(["run", "scenarios/lion_mountain.yaml", "--posterior", str(bad), "--quiet"])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    assert err.startswith(f"{bad}:1:2: not a posterior file") and "Traceback" not in err


# ------------------------------------------------------------------------- the toy with an answer


def duel_text(value: float | None = None, extra: str = "") -> str:
    """A Lanchester fire fight of the reference bench (800 against 400 in line, both holding),
    six hours, with the defender's men lost as a `use: fit` history metric."""
    from engine.reference.bench import lanchester_battle
    from engine.reference.builder import scenario_text

    text = scenario_text(
        lanchester_battle(2.0), attacker_task="hold", works=False, turn_minutes=60, turns=6
    )
    return text + (
        "history:\n"
        "  - id: defender_lost\n"
        "    metric: men_lost\n"
        "    side: defender\n"
        f"    value: {value if value is not None else 0}\n"
        "    use: fit\n"
        "    whose: the toy duel\n"
        f'    source: "the engine\'s own games, fire_casualties_per_firepower_hour {TRUE_RATE}"\n'
        "  - id: attacker_lost\n"
        "    metric: men_lost\n"
        "    side: attacker\n"
        "    value: 0\n"
        "    whose: the toy duel\n"
        '    source: "held out (no use given)"\n' + extra
    )


@pytest.fixture(scope="module")
def duel_file(tmp_path_factory) -> Path:
    """The duel whose 'history' is the engine's mean over 8 games at TRUE_RATE."""
    from engine.headless import play
    from engine.history import measure
    from engine.scenario.loader import load_scenario_text

    scenario = load_scenario_text(duel_text(), "duel").scenario
    entry = scenario.history[0]
    overrides = {"fire_casualties_per_firepower_hour": TRUE_RATE}
    lost = [
        measure(play(scenario, s, overrides=overrides, keep_events=False).state, entry)
        for s in range(1000, 1008)
    ]
    path = tmp_path_factory.mktemp("duel") / "duel.yaml"
    path.write_text(duel_text(float(np.mean(lost))))
    return path


@pytest.fixture(scope="module")
def duel_fit(duel_file, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fit") / "duel"
    code = main(
        ["fit", "-c", "fire_casualties_per_firepower_hour", "--no-reference",
         "--scenario", str(duel_file), "--seeds", "4", "--population", "30",
         "--generations", "3", "-j", "1", "--out", str(out), "--holdout", str(duel_file),
         "--holdout-games", "10"]
    )  # fmt: skip
    assert code == ExitCode.OK
    return out


@needs_pyabc
def test_fit_recovers_the_duels_coefficient_inside_its_90_interval(duel_fit):
    posterior = read_posterior(duel_fit / "posterior.json")
    interval = posterior.meta["intervals"]["fire_casualties_per_firepower_hour"]
    assert interval["p5"] <= TRUE_RATE <= interval["p95"]
    prior = load_priors()["fire_casualties_per_firepower_hour"]
    # the data narrowed it: under half the prior's 90 % width is left
    assert interval["p95"] - interval["p5"] < 0.5 * (prior.quantile(0.95) - prior.quantile(0.05))
    ((name, value),) = posterior.meta["fit_set"].items()  # only the `use: fit` metric
    assert name.endswith(".defender_lost") and value > 0
    assert len(posterior.weights) == 30 and posterior.meta["generation"] == 2


@needs_pyabc
def test_fit_writes_the_report_the_command_and_the_held_out_table(duel_fit):
    report = (duel_fit / "report.md").read_text()
    command = (duel_fit / "command.txt").read_text().strip()
    assert command.startswith("wargame fit --coefficients fire_casualties_per_firepower_hour")
    assert f"Reproduce: `{command}`" in report
    for section in ("## Coefficients", "## Convergence", "## Held out: "):
        assert section in report
    assert "| `attacker_lost` |" in report  # held out: in the held-out table
    assert "| `defender_lost` |" not in report.split("## Held out")[1]  # fitted: not there
    for plot in ("pairs", "intervals", "convergence"):
        assert (duel_fit / "plots" / f"{plot}.png").stat().st_size > 1000


@needs_pyabc
def test_fit_resumes_from_pyabcs_database_and_refuses_another_fit_in_the_same_folder(
    duel_fit, duel_file, capsys
):
    args = ["fit", "-c", "fire_casualties_per_firepower_hour", "--no-reference",
            "--scenario", str(duel_file), "--seeds", "4", "--population", "30", "-j", "1",
            "--out", str(duel_fit)]  # fmt: skip
    assert main([*args, "--generations", "4"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "generation 4/4" in out and "generation 1/4" not in out  # only the one missing
    assert read_posterior(duel_fit).meta["generation"] == 3
    code = main([*args[:2], "melee_rate", *args[3:], "--generations", "4"])
    assert code == ExitCode.BAD_INPUT
    assert "holds another fit (different coefficients)" in capsys.readouterr().err


@needs_pyabc
def test_a_held_out_metric_cannot_be_fitted(duel_file, tmp_path, capsys):
    code = main(["fit", "-c", "melee_rate", "--no-reference", "--scenario", str(duel_file),
                 "--metric", "attacker_lost", "--out", str(tmp_path / "f")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT
    line = duel_file.read_text().splitlines().index("  - id: attacker_lost") + 1
    assert err.startswith(f"{duel_file}:{line}:9: history metric 'attacker_lost' is held out")


@needs_pyabc
def test_a_fit_set_with_no_metrics_is_refused(tmp_path, capsys):
    code = main(["fit", "-c", "melee_rate", "--no-reference", "--out", str(tmp_path / "f")])
    assert code == ExitCode.BAD_INPUT
    assert capsys.readouterr().err.startswith("the fit set has no metrics")
    code = main(["fit", "-c", "melee_rate", "--no-reference", "--scenario",
                 "scenarios/lion_mountain.yaml", "--out", str(tmp_path / "f")])  # fmt: skip
    assert code == ExitCode.BAD_INPUT
    assert "no history metric is marked `use: fit`" in capsys.readouterr().err


class SquareLawDuel:
    """A square-law duel in hourly steps with Poisson losses: B loses `melee_rate` men per man
    of A an hour (the coefficient's name only labels the toy's one parameter)."""

    def __call__(self, p):
        k = float(p["melee_rate"])
        rng = np.random.default_rng(int(k * 1e12) % 2**32)
        a, b = 1000.0, 800.0
        for _ in range(10):
            la, lb = rng.poisson(0.01 * b), rng.poisson(k * a)
            a, b = max(a - la, 0.0), max(b - lb, 0.0)
        return {"a": a, "b": b}


@needs_pyabc
def test_abc_recovers_a_known_lanchester_coefficient_pure(tmp_path):
    """The same check on a model with no engine in it, the true rate 0.02."""
    from engine.fit.run import posterior_of, run_abc

    Duel = SquareLawDuel
    prior = Prior("melee_rate", "loguniform", 0.001, 0.1, "toy")
    observed = Duel()({"melee_rate": 0.02})
    history = run_abc(Duel(), [prior], observed, tmp_path, population=60, generations=4)
    interval = posterior_of(history, [prior]).meta["intervals"]["melee_rate"]
    assert interval["p5"] <= 0.02 <= interval["p95"]
    assert interval["p95"] / interval["p5"] < 3  # from a prior spanning a factor of 100


# ------------------------------------------------------------------------- --posterior elsewhere


def test_batch_rows_with_a_posterior_replay_exactly(tmp_path, capsys):
    """Each battle's coefficients are drawn by its seed; its row records them, and its replay
    command (or `wargame run --posterior` with that seed) plays the very same battle."""
    import pyarrow.parquet as pq

    from engine.headless import play
    from engine.history import metric_values
    from engine.scenario.loader import load_scenario

    posterior = _posterior()
    posterior.write(tmp_path / "post" / "posterior.json")
    out = tmp_path / "batch"
    code = main(["batch", "scenarios/lion_mountain.yaml", "-n", "3", "--out", str(out), "-j",
                 "1", "--posterior", str(tmp_path / "post"), "--no-report"])  # fmt: skip
    assert code == ExitCode.OK
    rows = pq.read_table(out / "battles").to_pylist()
    assert len(rows) == 3 and all(r["label"] == "baseline · posterior" for r in rows)
    scenario = load_scenario("scenarios/lion_mountain.yaml").scenario
    for row in rows:
        drawn = json.loads(row["overrides"])
        assert drawn == posterior.draw(row["seed"])
        for name, value in drawn.items():
            assert f"--set rules.{name}={value!r}" in row["replay"]
        state = play(scenario, row["seed"], overrides=drawn, keep_events=False).state
        assert state.winner == row["winner"]
        values = metric_values(state)
        for key, value in values.items():
            assert row[f"metric.{key}"] == value
    capsys.readouterr()
    seed = rows[0]["seed"]
    assert main(["run", "scenarios/lion_mountain.yaml", "--seed", str(seed), "--posterior",
                 str(tmp_path / "post"), "--quiet"]) == ExitCode.OK  # fmt: skip
    err = capsys.readouterr().err
    assert err.startswith(f"coefficients drawn from {tmp_path / 'post'} for seed {seed}: ")
    assert all(f"rules.{n}={v!r}" in err for n, v in json.loads(rows[0]["overrides"]).items())


def test_calibrate_with_a_posterior_draws_each_games_coefficients(tmp_path, capsys):
    from engine.calibration import spreads
    from engine.scenario.loader import load_scenario

    posterior = _posterior()
    posterior.write(tmp_path / "posterior.json")
    assert main(["calibrate", "scenarios/lion_mountain.yaml", "--games", "4", "--posterior",
                 str(tmp_path / "posterior.json")]) == ExitCode.OK  # fmt: skip
    out = capsys.readouterr().out
    assert out.startswith(f"Coefficients of each game drawn from {tmp_path / 'posterior.json'}")
    scenario = load_scenario("scenarios/lion_mountain.yaml").scenario
    drawn, _ = spreads(scenario, 4, draw=posterior.draw)
    by_hand = {}
    for seed in range(4):
        one, _ = spreads(scenario, 1, first_seed=seed, overrides=posterior.draw(seed))
        for row in one:
            by_hand.setdefault(row.entry.id, []).extend(row.values.tolist())
    for row in drawn:
        assert np.array_equal(row.values, np.array(by_hand[row.entry.id]), equal_nan=True)


def test_a_database_without_its_settings_is_not_resumed_blindly(tmp_path):
    from engine.fit.run import check_resume

    assert check_resume(tmp_path, {"coefficients": ["melee_rate"]}) is False  # a new fit
    (tmp_path / "fit.db").write_bytes(b"")
    with pytest.raises(FitInputError) as caught:
        check_resume(tmp_path, {"coefficients": ["melee_rate"]})
    assert caught.value.problems == [
        f"{tmp_path}: holds fit.db but not fit.json; give a new --out (or delete fit.db to"
        " start again)"
    ]


@needs_pyabc
def test_a_one_process_fit_repeats_exactly(tmp_path):
    from engine.fit.run import posterior_of, run_abc

    prior = Prior("melee_rate", "loguniform", 0.001, 0.1, "toy")
    observed = SquareLawDuel()({"melee_rate": 0.02})
    runs = [
        posterior_of(
            run_abc(SquareLawDuel(), [prior], observed, tmp_path / str(k), population=20,
                    generations=2, seed=4),
            [prior],
        ).particles
        for k in range(2)
    ]  # fmt: skip
    assert np.array_equal(runs[0], runs[1])


@needs_pyabc
def test_fitting_a_coefficient_that_set_fixes_is_bad_usage(tmp_path, capsys):
    code = main(["fit", "-c", "melee_rate", "--set", "rules.melee_rate=0.1", "--out",
                 str(tmp_path / "f")])  # fmt: skip
    assert code == ExitCode.USAGE
    assert capsys.readouterr().err == (
        "--set rules.melee_rate: melee_rate is being fitted (--coefficients); fix it with --set"
        " only when it is not fitted\n"
    )


# ------------------------------------------------------------------------- interrupt and resume


def _toy_fit_args(duel_file: Path, out: Path) -> list[str]:
    """A fit small enough to interrupt and resume in seconds: one seed, 12 particles, -j 1."""
    return ["fit", "-c", "fire_casualties_per_firepower_hour", "--no-reference",
            "--scenario", str(duel_file), "--seeds", "1", "--population", "12",
            "--generations", "2", "-j", "1", "--out", str(out)]  # fmt: skip


def _interrupted_line(out: Path) -> str:
    db = out / "fit.db"
    return f"interrupted: the finished generations are in {db}; the same command resumes\n"


def _resumes_from_generation_2(args: list[str], out: Path, capsys, total: int = 2) -> None:
    """The same command again: generation 1 is not played again, the posterior is written."""
    assert main(args) == ExitCode.OK
    printed = capsys.readouterr().out
    assert f"generation 2/{total}" in printed and f"generation 1/{total}" not in printed
    assert read_posterior(out / "posterior.json").meta["generation"] == total - 1
    assert (out / "report.md").exists() and (out / "command.txt").exists()


@needs_pyabc
def test_an_interrupted_fit_exits_130_with_one_line_and_the_same_command_resumes(
    duel_file, tmp_path, capsys, monkeypatch
):
    """Ctrl-C in the middle of generation 2 (a KeyboardInterrupt from the model, once the first
    generation is in the database): exit 130, one line on stderr, generation 1 kept, and the same
    command plays generation 2 only."""
    from engine.fit import model as fit_model
    from engine.fit import run as fit_run
    from engine.fit.run import generations_of

    out = tmp_path / "fit"
    args = _toy_fit_args(duel_file, out)
    saved = {"generations": 0, "calls_after": 0}
    emit, call = fit_run._Progress.emit, fit_model.Model.__call__

    def counting_emit(self, record):
        emit(self, record)
        if str(record.msg).startswith("Accepted:"):
            saved["generations"] += 1

    def interrupting_call(self, parameters):
        if saved["generations"] >= 1:
            saved["calls_after"] += 1
            if saved["calls_after"] == 3:  # a few particles into generation 2
                raise KeyboardInterrupt
        return call(self, parameters)

    monkeypatch.setattr(fit_run._Progress, "emit", counting_emit)
    monkeypatch.setattr(fit_model.Model, "__call__", interrupting_call)
    assert main(args) == ExitCode.INTERRUPTED == 130
    captured = capsys.readouterr()
    assert captured.err == _interrupted_line(out)
    assert "generation 1/2" in captured.out and "generation 2/2" not in captured.out
    assert not (out / "posterior.json").exists()  # nothing half-done is written
    import pyabc

    kept = generations_of(pyabc.History(f"sqlite:///{out / 'fit.db'}", _id=1))
    assert [g.t for g in kept] == [0]  # the finished generation, not the half-played one

    monkeypatch.setattr(fit_model.Model, "__call__", call)
    _resumes_from_generation_2(args, out, capsys)


@needs_pyabc
def test_sigint_to_a_running_fit_exits_130_without_a_traceback_and_it_resumes(
    duel_file, tmp_path, capsys
):
    """The same with a real SIGINT to a `wargame fit` process, sent as soon as it has printed
    its first generation, so that it is playing generation 2's particles (where a fit spends its
    time): exit 130, the one line on stderr and nothing else (no traceback). 24 games a particle
    make a generation last seconds, not the toy's tenth of a second: long enough that the
    signal cannot come after the fit is done."""
    import os
    import signal
    import subprocess
    import sys

    out = tmp_path / "fit"
    args = _toy_fit_args(duel_file, out)
    args[args.index("--seeds") + 1] = "24"
    root = Path(__file__).resolve().parent.parent
    code = "import sys; from engine.cli import main; sys.exit(main(sys.argv[1:]))"
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root), "PYTHONFAULTHANDLER": "1"},
    )
    try:
        for line in process.stdout:
            if line.startswith("generation 1/2"):
                process.send_signal(signal.SIGINT)
                break
        rest, err = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        # (seen once in CI under load, not reproduced: a SIGINT the fit never answered) SIGABRT
        # makes the child's faulthandler print where every thread stands
        process.send_signal(signal.SIGABRT)
        try:
            rest, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, err = process.communicate()
        pytest.fail(f"no exit 5 min after SIGINT; stdout:\n{rest}\nstderr:\n{err}")
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert err == _interrupted_line(out)
    assert "generation 2/2" not in rest
    _resumes_from_generation_2(args, out, capsys)
