"""The engine installed from a wheel works from any folder, and a checkout finds its own files.

The wheel is built once per session (`pip wheel . --no-deps`, a few seconds) and unpacked into a
folder put first on PYTHONPATH, so `python -m engine` runs from the wheel's files, in a folder
outside the checkout, with the dependencies already installed here. That is what `pip install`
of the wheel gives, without spending minutes installing numpy and the rest again: .ci/run does
that whole install into a fresh virtual environment and smoke-tests the `wargame` script itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from engine import __version__, resources
from engine.cli import COMMAND_GROUPS, main
from engine.exit_codes import ExitCode
from engine.scenario_list import collect, default_folders

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))
VARIANTS = sorted(p.name for p in (ROOT / "scenarios" / "variants").glob("*.yaml"))
FONT_NAME = "NotoSansCJKsc-Subset.otf"


# --- the checkout (and an editable install): the repository's own folders ---------------------


def test_a_checkout_finds_the_repository_folders() -> None:
    assert resources.data_root() == ROOT
    assert resources.scenarios_folder() == ROOT / "scenarios"
    assert resources.variants_folder() == ROOT / "scenarios" / "variants"
    assert resources.font_file() == ROOT / "assets" / "fonts" / FONT_NAME
    assert resources.scenario_schema_file() == ROOT / "docs" / "scenario.schema.json"


def test_the_scenario_folders_are_the_local_one_then_the_shipped_one(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert default_folders() == [Path.cwd() / "scenarios"]  # the same folder is listed once
    monkeypatch.chdir(tmp_path)
    assert default_folders() == [ROOT / "scenarios"]  # no ./scenarios here
    (tmp_path / "scenarios").mkdir()
    assert default_folders() == [tmp_path / "scenarios", ROOT / "scenarios"]


def test_list_shows_the_local_scenarios_beside_the_shipped_ones(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    (tmp_path / "scenarios").mkdir()
    shutil.copy(ROOT / "scenarios" / "lion_mountain.yaml", tmp_path / "scenarios" / "mine.yaml")
    monkeypatch.chdir(tmp_path)
    listing = collect([])
    assert [e.path.name for e in listing.entries] == ["mine.yaml", *SHIPPED]
    assert all(e.ok for e in listing.entries)
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("scenarios/mine.yaml: ")
    assert out.splitlines()[-1] == "5 scenarios"


def test_version_names_the_package_and_the_rules(capsys) -> None:
    from engine.sim.versions import rules_version

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out == f"wargame {__version__} (rules {rules_version()})\n"
    assert re.fullmatch(r"wargame \d+\.\d+\.\d+ \(rules [0-9a-f]{12}\)\n", out)


def test_one_table_of_exit_codes() -> None:
    assert [(c.name, int(c)) for c in ExitCode] == [
        ("OK", 0),
        ("BAD_INPUT", 1),
        ("USAGE", 2),
        ("MISSING_EXTRA", 3),
        ("INTERRUPTED", 130),
    ]
    assert main([]) == ExitCode.USAGE
    # no command module keeps numbers of its own beside the table
    sources = [*(ROOT / "engine" / "cli").glob("*.py"), ROOT / "engine" / "scenario_list.py"]
    sources += [ROOT / "engine" / "ui" / "commands.py", ROOT / "engine" / "sim" / "commands.py"]
    for source in sources:
        assert not re.search(r"^EXIT_\w+.*= *\d", source.read_text(), re.M), source


@pytest.mark.parametrize(
    ("raised", "code", "said"),
    [
        (KeyboardInterrupt, ExitCode.INTERRUPTED, "interrupted\n"),
        (BrokenPipeError, ExitCode.OK, ""),
    ],
)
def test_main_turns_an_interrupt_and_a_closed_pipe_into_exit_codes(
    raised: type[BaseException], code: ExitCode, said: str, monkeypatch, capsys
) -> None:
    from engine.cli import validate

    def handler(args) -> int:
        raise raised

    monkeypatch.setattr(validate, "run_validate", handler)
    result = main(["validate", "x.yaml"])
    assert result == code and type(result) is int  # a plain int for SystemExit and scripts
    assert capsys.readouterr().err == said


def test_every_command_group_registers_its_commands() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers()
    for group in COMMAND_GROUPS:
        before = set(commands.choices)
        group.register(commands)
        assert set(commands.choices) > before, group.__name__
    for name in ("validate", "schema", "run", "calibrate", "replay", "new", "play", "edit"):
        assert name in commands.choices
    for name in ("batch", "report", "list"):
        assert name in commands.choices
    assert all("handler" in p._defaults for p in commands.choices.values())


# --- the wheel ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("wargame_engine-*.whl")
    return built


@pytest.fixture(scope="module")
def unpacked(wheel: Path, tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def test_the_wheel_carries_the_scenarios_the_font_and_the_schema(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    bundled = "engine/_bundled/"
    for name in SHIPPED:
        assert f"{bundled}scenarios/{name}" in names
    for name in VARIANTS:
        assert f"{bundled}scenarios/variants/{name}" in names
    assert f"{bundled}assets/fonts/{FONT_NAME}" in names
    assert f"{bundled}assets/fonts/OFL.txt" in names  # the font's licence travels with it
    assert f"{bundled}docs/scenario.schema.json" in names
    assert "engine/rules/coefficients.yaml" in names
    assert "engine/cli/__init__.py" in names
    assert "engine/cli.py" not in names  # nothing stale from an earlier build
    assert not any(n.startswith(("tests/", "scenarios/", "assets/", "docs/")) for n in names)
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read("wargame_engine-" + __version__ + ".dist-info/entry_points.txt")
    assert b"wargame = engine.cli:main" in entry_points


def test_the_wheel_carries_every_file_of_the_package(wheel: Path) -> None:
    """Whatever a room keeps beside its code (coefficients, the reference bench's data and bands,
    report templates) ships: a file type the package-data patterns miss fails here."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    package = ROOT / "engine"
    kept = [
        p.relative_to(ROOT).as_posix()
        for p in package.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and not any(part.startswith(".") for part in p.relative_to(ROOT).parts)
        and p.suffix not in (".pyc", ".pyo")
    ]
    assert kept
    assert sorted(set(kept) - names) == []


def _wargame(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`wargame ARGS` run from the unpacked wheel, in a folder outside the checkout."""
    env = {**os.environ, "PYTHONPATH": str(site), "SDL_VIDEODRIVER": "dummy"}
    env["SDL_AUDIODRIVER"] = "dummy"
    return subprocess.run(
        [sys.executable, "-m", "engine", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_installed_engine_works_from_any_folder(unpacked: Path, tmp_path: Path) -> None:
    bundled = unpacked / "engine" / "_bundled"

    version = _wargame(unpacked, tmp_path, "--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith(f"wargame {__version__} (rules ")

    listed = _wargame(unpacked, tmp_path, "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[-1] == "4 scenarios"
    paths = [line.split(": ")[0] for line in listed.stdout.splitlines() if line.startswith("/")]
    assert paths == [str(bundled / "scenarios" / name) for name in SHIPPED]

    lion = bundled / "scenarios" / "lion_mountain.yaml"
    checked = _wargame(unpacked, tmp_path, "validate", "-q", str(lion))
    assert (checked.returncode, checked.stdout, checked.stderr) == (0, "", "")
    played = _wargame(unpacked, tmp_path, "run", str(lion), "--seed", "1", "-q")
    assert played.returncode == 0, played.stderr
    assert "historical metrics matched" in played.stdout

    made = _wargame(unpacked, tmp_path, "new", "mine.yaml")
    assert made.returncode == 0, made.stderr
    first = (tmp_path / "mine.yaml").read_text(encoding="utf-8").splitlines()[0]
    schema = os.path.relpath(bundled / "docs" / "scenario.schema.json", tmp_path)
    assert first == f"# yaml-language-server: $schema={schema}"
    assert (tmp_path / schema).is_file()
    assert _wargame(unpacked, tmp_path, "validate", "-q", "mine.yaml").returncode == 0

    schema_text = _wargame(unpacked, tmp_path, "schema")
    assert schema_text.returncode == 0
    assert schema_text.stdout == (ROOT / "docs" / "scenario.schema.json").read_text("utf-8")

    # ./scenarios, when there is one, comes first, and the shipped ones stay listed
    (tmp_path / "scenarios").mkdir()
    shutil.copy(lion, tmp_path / "scenarios" / "mine.yaml")
    listed = _wargame(unpacked, tmp_path, "list")
    assert listed.stdout.startswith("scenarios/mine.yaml: ")
    assert listed.stdout.splitlines()[-1] == "5 scenarios"


def test_the_installed_window_draws_chinese(unpacked: Path, tmp_path: Path) -> None:
    """The window's font comes from the wheel: 芙 is a full-width glyph, not pygame's default
    font's narrow empty box; `wargame play` without a scenario offers the shipped ones."""
    script = (
        "import pygame; pygame.font.init()\n"
        "from engine.ui import fonts\n"
        "from engine.ui.app import scenario_files\n"
        "print(fonts.font_path())\n"
        "print(fonts.font(20).metrics('芙')[0][4])\n"
        "print(len(scenario_files()), scenario_files()[0].parent)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(unpacked), "SDL_VIDEODRIVER": "dummy"}
    env["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    path, advance, offered, folder = done.stdout.split()
    assert path == str(unpacked / "engine" / "_bundled" / "assets" / "fonts" / FONT_NAME)
    assert int(advance) == 20
    assert (int(offered), folder) == (
        len(SHIPPED),
        str(unpacked / "engine" / "_bundled" / "scenarios"),
    )
