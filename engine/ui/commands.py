"""`wargame play`: the window's subcommand, registered by engine/cli/ with one call.

pygame is imported only once a window is really to be opened, so `wargame --help` and the other
subcommands never load it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..arguments import seed
from ..exit_codes import EXIT_INPUT, EXIT_USAGE  # the one table of exit codes

AUTOSAVE = Path("(the newest autosave)")  # `--load` given without a file


def add_play_command(commands) -> None:
    play = commands.add_parser(
        "play",
        help="play a battle in a window, against the computer or hot-seat",
        description="Open a window with the scenario's briefing, then play it against the"
        " computer or a second person at the same machine. Without a scenario, offers a list.",
    )
    play.add_argument("scenario", nargs="?", metavar="SCENARIO.yaml")
    play.add_argument("--seed", type=seed, default=1, help="random seed (default 1)")
    play.add_argument(
        "--load",
        type=Path,
        nargs="?",
        const=AUTOSAVE,
        metavar="SAVE.jsonl",
        help="go on with a saved game (with no file: the newest autosave, written on quitting)",
    )
    play.add_argument(
        "--variant",
        action="append",
        metavar="FILE",
        help="apply a what-if overlay to the scenario (repeatable; as in wargame batch)",
    )
    play.add_argument(
        "--size", default="1280x720", metavar="WxH", help="window size (default 1280x720)"
    )
    play.add_argument(
        "--saves", type=Path, metavar="DIR", help="folder for saved games (default: the user's)"
    )
    play.set_defaults(handler=run_play)

    edit = commands.add_parser(
        "edit",
        help="edit a scenario's map in a window and save it back, comments and all",
        description="Open the map editor: paint terrain and heights, move units and places,"
        " draw works and river paths. Saving rewrites only what was edited; a scenario with"
        " problems is not saved.",
    )
    edit.add_argument("scenario", metavar="SCENARIO.yaml")
    edit.add_argument(
        "--size", default="1280x720", metavar="WxH", help="window size (default 1280x720)"
    )
    edit.set_defaults(handler=run_edit)


def no_display_reason() -> str | None:
    """Why no window can be opened here, or None if one can (X11 or Wayland on Linux and BSD;
    always on macOS and Windows; or an SDL video driver chosen explicitly)."""
    if os.environ.get("SDL_VIDEODRIVER"):
        return None
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"--size {text}: expected WIDTHxHEIGHT, e.g. 1280x720") from None
    return max(width, 640), max(height, 480)


def _window_size(command: str, size: str, instead: str) -> tuple[int, int] | int:
    """The window size asked for, or the exit code when no window can be opened here (with one
    line saying why and what to do `instead`) or the size is not WIDTHxHEIGHT."""
    reason = no_display_reason()
    if reason:
        print(f"wargame {command}: {reason}; {instead}", file=sys.stderr)
        return EXIT_INPUT
    try:
        return _size(size)
    except ValueError as error:
        print(error, file=sys.stderr)
        return EXIT_USAGE


def run_play(args: argparse.Namespace) -> int:
    target = args.scenario or "SCENARIO.yaml"  # with none named, the window offers the list
    size = _window_size("play", args.size, f"to play without a window: wargame run {target}")
    if isinstance(size, int):
        return size
    loaded = None
    session = None
    if args.load:
        from .session import SaveError, Session, latest_autosave

        if args.load == AUTOSAVE:
            from .app import default_save_dir

            folder = args.saves or default_save_dir()
            args.load = latest_autosave(folder)
            if args.load is None:
                print(
                    f"wargame play --load: no autosave in {folder} (a game is autosaved when"
                    " it is quit); name a save: wargame play --load SAVE.jsonl",
                    file=sys.stderr,
                )
                return EXIT_INPUT
        try:
            session = Session.load(args.load, args.scenario)
        except SaveError as error:
            print(error, file=sys.stderr)
            return EXIT_INPUT
    elif args.scenario:
        from ..cli.common import load_with_variants

        loaded = load_with_variants(args.scenario, args.variant)  # prints what is wrong
        if loaded is None:
            return EXIT_INPUT
    try:
        import pygame

        from .app import App

        app = App(size, save_dir=args.saves)
    except pygame.error as error:
        print(
            f"wargame play: cannot open a window ({error}); to play without one: wargame run"
            f" {args.scenario or 'SCENARIO.yaml'}",
            file=sys.stderr,
        )
        return EXIT_INPUT
    if session is not None:
        app.open("game", session)
    elif loaded is not None:
        app.open("briefing", loaded, seed=args.seed)
    else:
        app.open("list")
    return app.run()


def run_edit(args: argparse.Namespace) -> int:
    from ..rules.coefficients import coefficient_names
    from ..scenario import ScenarioError
    from ..scenario.document import ScenarioDocument

    if not Path(args.scenario).exists():
        print(
            f"wargame edit: {args.scenario}: no such file; to start a new scenario there:"
            f" wargame new {args.scenario}",
            file=sys.stderr,
        )
        return EXIT_INPUT
    try:
        document = ScenarioDocument.open(args.scenario)
    except ScenarioError as error:  # not YAML, or a file the editor cannot change safely
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"wargame edit: the editor cannot open {args.scenario}", file=sys.stderr)
        return EXIT_INPUT
    problems = document.check(coefficient_names()).problems
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(
            f"wargame edit: {args.scenario} has {len(problems)} problem(s); the editor opens"
            " valid scenarios, so fix these in the file first (wargame validate lists them)",
            file=sys.stderr,
        )
        return EXIT_INPUT
    instead = f"edit the YAML by hand, and check it with wargame validate {args.scenario}"
    size = _window_size("edit", args.size, instead)
    if isinstance(size, int):
        return size
    try:
        import pygame

        from .app import App

        app = App(size)
    except pygame.error as error:
        print(f"wargame edit: cannot open a window ({error})", file=sys.stderr)
        return EXIT_INPUT
    app.open("editor", document)
    return app.run()
