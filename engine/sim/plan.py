"""A batch as a plan: arms x battle indexes, and what is already done.

An arm is one way of playing the scenario: a variant (the baseline, or an overlay file) with any
`--set path=value` data changes, the computer player's modes (`--ai`; `--compare-ai` adds an arm
per other combination), and a point of the `--sweep` grid with any `--set rules.X=V` overrides.
Every arm plays battles 0..games-1, battle i with the same seed in every arm.

OUT/batch.json (the manifest) records the scenario's hash, the batch seed, the computer player's
modes, the rules version and the arms. Running the same command again resumes: the battles already
on disk are skipped. A changed scenario, batch seed, variant file, `--ai` or rules version is
refused rather than mixed with the old battles.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..atomic import write_atomic
from ..headless import scenario_hash
from ..overrides import check_name, parse_override
from ..rules.coefficients import coefficient_names, coefficient_problem, defaults
from ..scenario.errors import Problem, ScenarioError
from ..scenario.loader import LoadedScenario, load_scenario
from ..scenario.models import Scenario
from ..scenario.overlay import (
    Overlay,
    OverlayError,
    apply_overlays,
    command_line_overlay,
    dump_scenario,
    load_overlay,
    validate_data,
)
from ..scenario.yaml_source import parse, read_text
from . import aimodes
from .aimodes import AiModeError, Modes
from .results import BATTLES_DIR, RESULTS_FORMAT, curve_groups, history_info, scenario_info
from .versions import engine_version, rules_version
from .worker import ChunkTask

MANIFEST = "batch.json"
MANIFEST_FORMAT = 2  # 2: the computer player's modes and the rules version
BASELINE = "baseline"


class PlanError(ValueError):
    """A batch cannot be planned: bad arguments or a folder holding another batch."""


@dataclass(frozen=True)
class Arm:
    key: str
    label: str
    variant: str
    variant_file: str
    variant_hash: str
    description: str
    overrides: tuple[tuple[str, float], ...]
    sweep: tuple[tuple[str, float], ...]
    run_scenario: str
    run_scenario_hash: str
    ai: Modes  # each side's computer player mode, as played
    ai_scenario: Modes  # the modes run_scenario gives when nothing overrides them
    ai_compare: Modes  # sides --compare-ai changed, against the batch's modes for this variant
    rules_version: str
    text: str = field(repr=False, compare=False)
    # --posterior: the posterior file's text, each battle's coefficients drawn from it (fit/)
    posterior: str = field(default="", repr=False, compare=False)
    posterior_hash: str = ""

    def info(self) -> dict[str, Any]:
        data = asdict(self)
        del data["text"], data["posterior"]
        data["overrides"] = dict(self.overrides)
        data["sweep"] = dict(self.sweep)
        for name in ("ai", "ai_scenario", "ai_compare"):
            data[name] = dict(getattr(self, name))
        return data


@dataclass
class BatchPlan:
    scenario_path: str
    scenario_hash: str
    scenario: Scenario
    batch_seed: int
    games: int
    arms: list[Arm]
    out: Path
    ai: Modes = ()  # the baseline scenario's modes after --ai: what a resume must match
    rules_version: str = ""  # the engine's rules version (coefficients.yaml, engine version)

    def metadata(self) -> dict[str, Any]:
        """What every part file carries for the report (see results.py)."""
        return {
            "format": RESULTS_FORMAT,
            "scenario": scenario_info(self.scenario, self.scenario_path, self.scenario_hash),
            "history": history_info(self.scenario),
            "curves": curve_groups(self.scenario),
            "batch_seed": self.batch_seed,
            "games": self.games,
            "ai": dict(self.ai),
            "rules_version": self.rules_version,
            "sweep_defaults": self.sweep_defaults(),
            "arms": {arm.key: arm.info() | {"games": self.games} for arm in self.arms},
        }

    def sweep_defaults(self) -> dict[str, float]:
        """The value each swept coefficient has when nothing sweeps it (the scenario's `rules:`,
        else coefficients.yaml): where the report marks the default on a sweep's plots."""
        names = {name for arm in self.arms for name, _ in arm.sweep}
        own = dict(self.scenario.rules or {})
        table = defaults()
        return {name: float(own.get(name, table[name].value)) for name in sorted(names)}

    def tasks(self, done: dict[str, set[int]], chunk: int) -> list[ChunkTask]:
        """Chunks of the battles not yet on disk: runs of consecutive missing indexes, cut into
        pieces of at most `chunk`."""
        tasks = []
        for arm in self.arms:
            have = done.get(arm.key, set())
            missing = [i for i in range(self.games) if i not in have]
            for _, run in itertools.groupby(enumerate(missing), key=lambda p: p[1] - p[0]):
                indexes = [i for _, i in run]
                for start in range(0, len(indexes), chunk):
                    piece = indexes[start : start + chunk]
                    tasks.append(self.task(arm, piece[0], piece[-1]))
        return tasks

    def task(self, arm: Arm, first: int, last: int) -> ChunkTask:
        return ChunkTask(
            arm=arm.key,
            label=arm.label,
            variant=arm.variant,
            variant_file=arm.variant_file,
            variant_hash=arm.variant_hash,
            overrides=arm.overrides,
            scenario=self.scenario_path,
            scenario_hash=self.scenario_hash,
            run_scenario=arm.run_scenario,
            run_scenario_hash=arm.run_scenario_hash,
            ai=arm.ai,
            ai_replay=aimodes.changed(arm.ai, arm.ai_scenario),
            rules_version=arm.rules_version,
            text=arm.text,
            posterior=arm.posterior,
            batch_seed=self.batch_seed,
            first=first,
            last=last,
        )


# ----------------------------------------------------------------------------- arguments


def parse_sets(
    assignments: Sequence[str],
) -> tuple[dict[str, float], list[str]]:
    """`--set` arguments: `rules.X=V` become rule overrides (as in `wargame run`); any other
    path changes the scenario's data (see overlay.py)."""
    rules: dict[str, float] = {}
    data: list[str] = []
    for text in assignments:
        head = text.split("=", 1)[0].strip()
        if head.startswith("rules.") and "[" not in head:
            try:
                name, value = parse_override(text)
            except ValueError as error:
                raise PlanError(str(error)) from None
            rules[name] = value
        else:
            data.append(text)
    return rules, data


def parse_sweeps(specs: Sequence[str]) -> list[tuple[str, list[float]]]:
    """`--sweep rules.X=LOW:HIGH:N`: N evenly spaced values from LOW to HIGH, both included."""
    sweeps = []
    for spec in specs:
        head, sep, body = spec.partition("=")
        name = head.strip().removeprefix("rules.")
        if not head.strip().startswith("rules.") or not sep:
            raise PlanError(f"--sweep {spec}: expected rules.NAME=LOW:HIGH:N")
        try:
            check_name(name, f"--sweep {spec}")
        except ValueError as error:
            raise PlanError(str(error)) from None
        parts = body.split(":")
        try:
            low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
            if len(parts) != 3 or count < 1:
                raise ValueError
        except (ValueError, IndexError):
            raise PlanError(
                f"--sweep {spec}: expected LOW:HIGH:N with N a whole number >= 1, e.g. 0.5:2:4"
            ) from None
        values = [float(f"{v:.10g}") for v in np.linspace(low, high, count)]
        for value in (values[0], values[-1]):
            problem = coefficient_problem(name, value)
            if problem:
                raise PlanError(f"--sweep {spec}: {name} {problem}")
        if any(existing == name for existing, _ in sweeps):
            raise PlanError(f"--sweep {spec}: {name} is swept twice")
        sweeps.append((name, values))
    return sweeps


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]


def _label(variant: str, ai: Modes, sides: int, sweep: tuple[tuple[str, float], ...]) -> str:
    parts = [variant]
    if ai:
        parts.append(aimodes.label(ai, sides))
    if sweep:
        # repr: the shortest text that reads back as the same float, so 0.08000001 and
        # 0.08000002 stay apart in labels (":g" made both 0.08)
        parts.append(", ".join(f"{name}={value!r}" for name, value in sweep))
    return " · ".join(parts)


def load_base(path: str) -> tuple[LoadedScenario, str, Any, Any]:
    """The scenario, its text's hash, and its plain data with source marks (for overlays)."""
    loaded = load_scenario(path, coefficient_names=coefficient_names())
    text = read_text(Path(path), path)
    data, source = parse(text, path)
    return loaded, text, data, source


def make_plan(
    scenario_path: str,
    out: Path,
    *,
    games: int,
    batch_seed: int,
    variant_files: Sequence[str] = (),
    sets: Sequence[str] = (),
    sweeps: Sequence[str] = (),
    baseline: bool = True,
    ai: Sequence[str] = (),
    compare_ai: bool = False,
    posterior: str = "",
) -> BatchPlan:
    """Load the scenario and overlays, and build the arms. Raises ScenarioError (located
    problems), OverlayError or PlanError.

    `ai` are `--ai SIDE=MODE` values: the computer player's mode of a side in every arm.
    `compare_ai` adds, beside each arm, one arm per other combination of the sides' modes."""
    if games < 1:
        raise PlanError("--games must be at least 1")
    if batch_seed < 0:
        raise PlanError("--seed must be >= 0")
    if out.exists() and not out.is_dir():
        raise PlanError(f"--out {out}: exists and is not a folder; the results go in a folder")
    loaded, text, data, source = load_base(scenario_path)
    text_hash = scenario_hash(text)
    sides = aimodes.side_ids(loaded.scenario)
    try:
        chosen = aimodes.parse_ai(ai, sides)
    except AiModeError as error:
        raise PlanError(str(error)) from None
    rules, data_sets = parse_sets(sets)
    grid_axes = parse_sweeps(sweeps)
    common = command_line_overlay(data_sets)
    overlays: list[tuple[str, Overlay | None]] = [(BASELINE, None)] if baseline else []
    problems: list[Problem] = []
    for name in variant_files:
        try:
            overlays.append((name, load_overlay(name)))
        except ScenarioError as error:
            problems.extend(error.problems)
    if problems:
        raise OverlayError(problems)
    if not overlays:
        raise PlanError("--no-baseline needs at least one --variant")
    seen: dict[str, str] = {}
    for file, overlay in overlays:
        name = overlay.name if overlay else BASELINE
        if name in seen:
            raise PlanError(f"{file}: variant name '{name}' is also used by {seen[name]}")
        seen[name] = file
    grid = list(itertools.product(*[[(n, v) for v in values] for n, values in grid_axes])) or [()]
    if grid_axes and () not in grid:
        # the default value of every swept coefficient: the baseline the sweep is read against
        grid.append(())
    arms: list[Arm] = []
    for file, overlay in overlays:
        applied = [o for o in (common, overlay) if o is not None]
        name = overlay.name if overlay else BASELINE
        if applied:
            merged, merged_source = apply_overlays(data, source, applied)
            scenario = validate_data(merged, merged_source, coefficient_names())
            header = [
                f"Generated by `wargame batch` for replays: {scenario_path} (hash {text_hash})",
                *(
                    [f"with the variant {name} ({file}, hash {overlay.text_hash})"]
                    if overlay
                    else []
                ),
                *([f"with {common.description}"] if common else []),
                "Do not edit: change the scenario or the overlay and run the batch again.",
            ]
            run_text = dump_scenario(merged, header)
            run_path = str(out / "scenarios" / f"{name}.yaml")
        else:
            # a copy in the output folder, as variants are: replays must not follow later edits
            # of the live file (the text is the same, so is its hash and the arm's key)
            scenario = loaded.scenario
            run_text, run_path = text, str(out / "scenarios" / f"{BASELINE}.yaml")
        run_hash = scenario_hash(run_text)
        variant_hash = overlay.text_hash if overlay else ""
        description = overlay.description if overlay else "The scenario as written."
        own_modes = aimodes.default_modes(scenario)
        modes = aimodes.with_choices(own_modes, chosen)
        choices = [modes, *aimodes.alternatives(modes)] if compare_ai else [modes]
        for played in choices:
            compared = aimodes.changed(played, modes)
            for point in grid:
                overrides = dict(rules)
                overrides.update(dict(point))
                pairs = tuple(sorted(overrides.items()))
                drawn = scenario_hash(posterior) if posterior else ""  # a new arm per posterior
                parts = [name, run_hash, json.dumps(pairs), json.dumps(played)]
                key = _key(*parts, drawn) if drawn else _key(*parts)
                arms.append(
                    Arm(
                        key=key,
                        label=_label(name, compared, len(sides), tuple(point))
                        + (" · posterior" if posterior else ""),
                        variant=name,
                        variant_file=file if overlay else "",
                        variant_hash=variant_hash,
                        description=(
                            f"{description} {aimodes.describe(compared, modes)}"
                            if compared
                            else description
                        ),
                        overrides=pairs,
                        sweep=tuple(point),
                        run_scenario=run_path,
                        run_scenario_hash=run_hash,
                        ai=played,
                        ai_scenario=own_modes,
                        ai_compare=compared,
                        rules_version=rules_version(scenario.rules, overrides),
                        text=run_text,
                        posterior=posterior,
                        posterior_hash=drawn,
                    )
                )
    return BatchPlan(
        scenario_path=scenario_path,
        scenario_hash=text_hash,
        scenario=loaded.scenario,
        batch_seed=batch_seed,
        games=games,
        arms=arms,
        out=out,
        ai=aimodes.with_choices(aimodes.default_modes(loaded.scenario), chosen),
        rules_version=rules_version(),
    )


# ------------------------------------------------------------------------------ manifest


def read_manifest(out: Path) -> dict[str, Any] | None:
    path = out / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PlanError(f"{path}: cannot read the batch manifest: {error}") from None


def check_and_record(plan: BatchPlan) -> dict[str, Any]:
    """Refuse to mix this batch with a different one already in OUT; then write the manifest
    (arms of earlier runs kept) and the scenario files that replays need."""
    out = plan.out
    old = read_manifest(out)
    if old is None and any((out / BATTLES_DIR).glob("part-*.parquet")):
        raise PlanError(f"{out}: holds battles but no {MANIFEST}; use another --out")
    arms = {arm.key: arm.info() for arm in plan.arms}
    if old is not None:
        if old.get("scenario_hash") != plan.scenario_hash:
            raise PlanError(
                f"{out} holds a batch of {old.get('scenario')} with hash"
                f" {old.get('scenario_hash')}, but {plan.scenario_path} now has hash"
                f" {plan.scenario_hash}: the scenario has changed. Use another --out (or delete"
                " the folder) to start a new batch."
            )
        if int(old.get("batch_seed", -1)) != plan.batch_seed:
            raise PlanError(
                f"{out} holds a batch with --seed {old.get('batch_seed')}, not {plan.batch_seed};"
                " use the same seed to resume, or another --out"
            )
        if "rules_version" not in old or "ai" not in old:
            raise PlanError(
                f"{out} holds a batch started by an older wargame, which did not record the rules"
                " version or the computer player's modes; use another --out (or delete the"
                " folder) to start a new batch."
            )
        if old["rules_version"] != plan.rules_version:
            raise PlanError(
                f"{out} holds a batch played with rules version {old['rules_version']} (engine"
                f" {old.get('engine_version', '?')}), but the rules are now version"
                f" {plan.rules_version} (engine {engine_version()}): coefficients.yaml or the"
                " engine has changed. Use another --out (or delete the folder) to start a new"
                " batch."
            )
        played = old["ai"] if isinstance(old["ai"], dict) else {}
        if played != dict(plan.ai):
            raise PlanError(
                f"{out} holds a batch whose computer player plays {_modes_text(played)}, but this"
                f" command asks for {aimodes.text(plan.ai)} (--ai): use the same --ai to resume,"
                " or another --out."
            )
        for key, info in old.get("arms", {}).items():
            if key in arms:
                if info.get("rules_version") != arms[key]["rules_version"]:
                    raise PlanError(
                        f"{out}: arm '{info.get('label')}' was played with rules version"
                        f" {info.get('rules_version')}, but would now play with"
                        f" {arms[key]['rules_version']}; use another --out"
                    )
                continue
            clash = next((a for a in plan.arms if a.label == info.get("label")), None)
            if clash is not None:
                raise PlanError(
                    f"{out}: arm '{clash.label}' has changed since the batch started"
                    f" ({clash.variant_file or 'the --set changes'} differ); use another --out"
                )
            arms[key] = info
    for arm in plan.arms:
        if arm.run_scenario != plan.scenario_path:
            write_atomic(arm.run_scenario, arm.text)
    manifest = {
        "format": MANIFEST_FORMAT,
        "scenario": plan.scenario_path,
        "scenario_hash": plan.scenario_hash,
        "batch_seed": plan.batch_seed,
        "ai": dict(plan.ai),
        "rules_version": plan.rules_version,
        "engine_version": engine_version(),
        "games": max(plan.games, int(old.get("games", 0)) if old else 0),
        "arms": arms,
    }
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def _modes_text(modes: dict[str, Any]) -> str:
    return ", ".join(f"{side}={mode}" for side, mode in modes.items()) or "(none recorded)"
