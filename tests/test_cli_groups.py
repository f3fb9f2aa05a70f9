"""The command line builds only the group of the command it is given (engine/cli/__init__.py):
each group names exactly the commands it registers, and a command's parser built alone reads and
explains its arguments exactly as the whole `wargame` parser does."""

from __future__ import annotations

import argparse

import pytest

from engine.cli import COMMAND_GROUPS, build_parser, main

ALL_COMMANDS = [name for group in COMMAND_GROUPS for name in group.COMMANDS]


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@pytest.mark.parametrize("group", COMMAND_GROUPS, ids=lambda g: g.__name__)
def test_each_group_names_exactly_the_commands_it_registers(group) -> None:
    commands = argparse.ArgumentParser().add_subparsers()
    group.register(commands)
    assert sorted(commands.choices) == sorted(group.COMMANDS)


def test_no_command_is_in_two_groups() -> None:
    assert len(ALL_COMMANDS) == len(set(ALL_COMMANDS))


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_a_command_built_alone_is_the_same_command(command: str) -> None:
    alone = subcommands(build_parser(command))
    assert set(alone) == next(set(g.COMMANDS) for g in COMMAND_GROUPS if command in g.COMMANDS)
    whole = subcommands(build_parser())[command]
    assert alone[command].format_help() == whole.format_help()
    handlers = [p.get_default("handler") for p in (alone[command], whole)]
    assert len({(h.__module__, h.__qualname__) for h in handlers}) == 1  # some are lambdas


def test_the_command_line_builds_only_the_named_group(monkeypatch, capsys) -> None:
    built: list[str | None] = []
    original = build_parser

    def spy(command: str | None = None) -> argparse.ArgumentParser:
        built.append(command)
        return original(command)

    monkeypatch.setattr("engine.cli.build_parser", spy)
    assert main(["validate", "-q", "tests/data/minimal.yaml"]) == 0
    assert main([]) == 2  # no command: the whole parser, for the help it prints
    with pytest.raises(SystemExit):
        main(["nonesuch"])  # not a command: the whole parser, for its list of choices
    assert built == ["validate", None, None]
    assert "invalid choice: 'nonesuch'" in capsys.readouterr().err
