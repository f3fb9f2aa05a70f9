"""The one build step pyproject.toml cannot say: ship the repository's top-level data in the wheel.

scenarios/ (with variants/), assets/fonts/ and docs/*.schema.json stay at the top of the
repository, where authors edit them and where the scenarios' modelines point. A wheel can only
install packages, so build_py copies them into the built package as engine/_bundled/, keeping
their relative layout; engine/resources.py finds them there with importlib.resources. An editable
install copies nothing: the package then finds the repository's own folders beside it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = "_bundled"  # engine/resources.py: BUNDLED
SHIPPED = (  # (folder of the repository, the files of it that a user needs)
    ("scenarios", ("*.yaml", "variants/*.yaml")),
    ("assets/fonts", ("*.otf", "OFL.txt")),
    ("docs", ("*.schema.json",)),
)


def shipped_files() -> list[Path]:
    """The repository files that go into engine/_bundled/, relative to the repository."""
    found: list[Path] = []
    for folder, patterns in SHIPPED:
        for pattern in patterns:
            found.extend(p.relative_to(ROOT) for p in sorted((ROOT / folder).glob(pattern)))
    return found


class BuildWithData(build_py):
    """build_py, then the shipped data copied into the built package."""

    def run(self) -> None:
        editable = getattr(self, "editable_mode", False)
        if not editable:
            # build/lib outlives a build: a module since moved or deleted (engine/cli.py before
            # engine/cli/) would otherwise ship again beside its replacement
            shutil.rmtree(Path(self.build_lib) / "engine", ignore_errors=True)
        super().run()
        if editable:
            return  # the editable package reads the repository's folders in place
        target = Path(self.build_lib) / "engine" / BUNDLED
        files = shipped_files()
        if not any(f.parts[0] == "scenarios" for f in files):
            raise SystemExit(f"setup.py: no scenarios found under {ROOT}; cannot build the wheel")
        for relative in files:
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / relative, destination)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        target = Path(self.build_lib) / "engine" / BUNDLED
        extra = [str(target / f) for f in shipped_files()]
        return [*super().get_outputs(include_bytecode), *extra]


setup(cmdclass={"build_py": BuildWithData})
