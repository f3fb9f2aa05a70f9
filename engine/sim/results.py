"""The result files of a batch: one Parquet row per battle, written a chunk at a time.

OUT/battles/part-<arm>-<first>-<last>.parquet holds battles first..last (battle indexes, both
included) of one arm. Each file is written whole to a temporary file and renamed into place, so a
file that exists is complete; a batch that is stopped loses at most the chunks in flight.

Every file also carries, as Parquet key-value metadata under `wargame.batch`, what the report
needs to read its rows without the scenario: the scenario's title, clock and sides, the historical
record (values and ranges as numbers), the men-by-turn curves, and the arms (variant, overrides,
replay file). So `wargame report OUT` needs the Parquet files and nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..atomic import write_atomic
from ..scenario.models import HistoryEntry, Metric, Scenario

RESULTS_FORMAT = 2  # 2: rules_version and ai.<side> columns
METADATA_KEY = b"wargame.batch"
BATTLES_DIR = "battles"
_PART = re.compile(r"^part-([0-9a-f]+)-(\d+)-(\d+)\.parquet$")

# The fixed columns, in order. AI mode, metric, men and curve columns follow; see schema_for().
FIXED_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("arm", pa.string()),
    ("label", pa.string()),
    ("variant", pa.string()),
    ("variant_file", pa.string()),
    ("variant_hash", pa.string()),
    ("overrides", pa.string()),
    ("rules_version", pa.string()),
    ("scenario", pa.string()),
    ("scenario_hash", pa.string()),
    ("run_scenario", pa.string()),
    ("run_scenario_hash", pa.string()),
    ("batch_seed", pa.int64()),
    ("index", pa.int64()),
    ("seed", pa.int64()),
    ("turns", pa.int32()),
    ("winner", pa.string()),
    ("ended", pa.string()),
    ("end_reason", pa.string()),
    ("replay", pa.string()),
)

TIME_METRICS = (Metric.place_fell_at, Metric.crossed_by)


def metric_kind(entry: HistoryEntry) -> str:
    """How the report shows a metric: winner, bool, time (hours), fraction or count."""
    if entry.metric == Metric.winner:
        return "winner"
    if entry.metric in (Metric.position_held, Metric.position_lost, Metric.attack_repelled):
        return "bool"
    if entry.metric in TIME_METRICS:
        return "time"
    if entry.metric == Metric.works_destroyed_fraction:
        return "fraction"
    return "count"


def _hours(moment: datetime | None, start: datetime) -> float | None:
    return None if moment is None else (moment - start).total_seconds() / 3600.0


def _label(entry: HistoryEntry, scenario: Scenario) -> str:
    start = scenario.clock.start
    what = entry.metric.value.replace("_", " ")
    parts = [what]
    if entry.units:
        parts.append(
            ", ".join(entry.units) if len(entry.units) <= 2 else f"{len(entry.units)} units"
        )
    elif entry.side:
        parts.append(entry.side)
    if entry.place:
        parts.append(entry.place)
    if entry.since and entry.at:
        parts.append(f"{entry.since:%d %b %H:%M}–{entry.at:%d %b %H:%M}")
    elif entry.at:
        parts.append(f"at {entry.at:%d %b %H:%M}")
    elif entry.since:
        parts.append(f"from {entry.since:%d %b %H:%M}")
    del start
    return " · ".join(parts)


def history_info(scenario: Scenario) -> list[dict[str, Any]]:
    """The historical record as plain numbers, in the units of the metric columns."""
    start = scenario.clock.start
    items = []
    for entry in scenario.history:
        kind = metric_kind(entry)
        value: float | None = None
        low = high = None
        if entry.range is not None:
            low, high = float(entry.range.min), float(entry.range.max)
        elif entry.time_range is not None:
            low = _hours(entry.time_range.earliest, start)
            high = _hours(entry.time_range.latest, start)
        elif kind == "winner":
            value = 1.0
        elif isinstance(entry.value, bool | int | float):
            value = float(entry.value)
        items.append(
            {
                "id": entry.id,
                "metric": entry.metric.value,
                "kind": kind,
                "label": _label(entry, scenario),
                "side": entry.side,
                "units": list(entry.units or []),
                "place": entry.place,
                "since_h": _hours(entry.since, start),
                "at_h": _hours(entry.at, start),
                "value": value,
                "value_text": str(entry.value) if entry.value is not None else None,
                "min": low,
                "max": high,
                "whose": entry.whose,
                "source": entry.source if isinstance(entry.source, str) else str(entry.source),
                "note": entry.note,
                "echo": entry.echo,
            }
        )
    return items


def curve_groups(scenario: Scenario) -> list[dict[str, Any]]:
    """One men-by-turn curve per group of units that a `men_remaining` history entry with an
    `at` time counts; the entries become the historical points on that curve."""
    groups: dict[tuple, dict[str, Any]] = {}
    for entry in scenario.history:
        if entry.metric != Metric.men_remaining or entry.at is None:
            continue
        units = tuple(sorted(entry.units)) if entry.units else ()
        key = (units, entry.side if not units else None)
        if key not in groups:
            side = entry.side
            if side is None and units:
                owners = {u.side for u in scenario.units if u.id in units}
                side = owners.pop() if len(owners) == 1 else None
            groups[key] = {
                "column": f"curve.{entry.id}",
                "units": list(units),
                "side": side,
                "entries": [],
                "label": (
                    f"{len(units)} units: " + ", ".join(units)
                    if len(units) > 2
                    else (", ".join(units) if units else f"all of {entry.side}")
                ),
                "short": (
                    f"{units[0]} and {len(units) - 1} more"
                    if len(units) > 2
                    else (" + ".join(units) if units else f"all of {entry.side}")
                ),
            }
        groups[key]["entries"].append(entry.id)
    return list(groups.values())


def scenario_info(scenario: Scenario, path: str, text_hash: str) -> dict[str, Any]:
    return {
        "id": scenario.id,
        "title": scenario.title.en,
        "title_zh": scenario.title.zh,
        "path": path,
        "hash": text_hash,
        "clock_start": scenario.clock.start.isoformat(timespec="minutes"),
        "turn_minutes": scenario.clock.turn_minutes,
        "turns": scenario.clock.turns,
        "darkness": [
            scenario.clock.darkness.starts.strftime("%H:%M"),
            scenario.clock.darkness.ends.strftime("%H:%M"),
        ],
        "sides": [
            {"id": side.id, "name": side.name.en, "color": side.color} for side in scenario.sides
        ],
        "summary": scenario.briefing.summary,
    }


def schema_for(scenario: Scenario) -> pa.Schema:
    """The columns of a battle row for this scenario (an arm's scenario: the history is the same
    for every arm unless a variant changes it)."""
    fields = [pa.field(name, kind) for name, kind in FIXED_COLUMNS]
    fields += [pa.field(f"ai.{side.id}", pa.string()) for side in scenario.sides]
    fields += [pa.field(f"metric.{entry.id}", pa.float64()) for entry in scenario.history]
    fields += [pa.field(f"men.{side.id}", pa.list_(pa.float32())) for side in scenario.sides]
    fields += [pa.field(g["column"], pa.list_(pa.float32())) for g in curve_groups(scenario)]
    return pa.schema(fields)


# ------------------------------------------------------------------------- writing, reading


def part_name(arm: str, first: int, last: int) -> str:
    return f"part-{arm}-{first:07d}-{last:07d}.parquet"


def write_part(out: Path, table: pa.Table, metadata: dict[str, Any]) -> Path:
    """Write one chunk's rows atomically; returns the file's path."""
    arms = table.column("arm").unique().to_pylist()
    indexes = table.column("index").to_pylist()
    if len(arms) != 1 or not indexes:
        raise ValueError("a part file holds battles of one arm")
    path = out / BATTLES_DIR / part_name(arms[0], min(indexes), max(indexes))
    table = table.replace_schema_metadata({METADATA_KEY: json.dumps(metadata).encode("utf-8")})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    write_atomic(path, sink.getvalue().to_pybytes())
    return path


def part_files(out: Path) -> list[Path]:
    folder = out / BATTLES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _PART.match(p.name))


TEMPORARY_FOLDERS = ("", BATTLES_DIR, "scenarios", "plots", "csv")
DAMAGED = ".damaged"


def clean_temporaries(out: Path) -> int:
    """Remove the temporary files (see atomic.py: `.NAME.XXXX.tmp`) of writes that were under way
    when a run was killed: chunks, the manifest, scenario copies, the report and its plots."""
    removed = 0
    for name in TEMPORARY_FOLDERS:
        folder = out / name if name else out
        if folder.is_dir():
            for path in folder.glob(".*.tmp"):
                if path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
    return removed


class DamagedPart(Exception):
    """A part file that cannot be read (truncated by a full disk, damaged on the way)."""


def _read(path: Path, columns: list[str] | None = None) -> pa.Table:
    try:
        return pq.read_table(path, columns=columns)
    except (pa.ArrowException, OSError, ValueError) as error:
        raise DamagedPart(f"{path}: {error}") from None


def set_aside(path: Path, reason: str) -> str:
    """Rename a damaged part file to *.damaged (kept for a post-mortem; never read again) and
    return the one-line message that says so. Its battles count as missing, so the next run
    plays them again."""
    target = path.with_name(path.name + DAMAGED)
    path.replace(target)
    first = reason.splitlines()[0] if reason else "unreadable"
    return f"set aside a damaged result file as {target.name} ({first}); its battles are replayed"


def finished(out: Path, messages: list[str] | None = None) -> dict[str, set[int]]:
    """Battle indexes already on disk, by arm (reads two columns of each file). An unreadable
    file is set aside (see set_aside) with a message appended to `messages`."""
    done: dict[str, set[int]] = {}
    for path in part_files(out):
        try:
            table = _read(path, ["arm", "index"])
        except DamagedPart as error:
            note = set_aside(path, str(error).removeprefix(f"{path}: "))
            if messages is not None:
                messages.append(note)
            continue
        for arm, index in zip(
            table.column("arm").to_pylist(), table.column("index").to_pylist(), strict=True
        ):
            done.setdefault(arm, set()).add(int(index))
    return done


@dataclass
class Dataset:
    """Every battle of an output folder, one row each, sorted by arm and index."""

    table: pa.Table
    metadata: dict[str, Any]  # the newest file's, with the arms of every file merged
    files: int
    duplicates: int

    @property
    def rows(self) -> int:
        return self.table.num_rows


def file_metadata(path: Path) -> dict[str, Any]:
    raw = pq.read_schema(path).metadata or {}
    return json.loads(raw.get(METADATA_KEY, b"{}"))


def read_dataset(out: Path, messages: list[str] | None = None) -> Dataset:
    """All part files of `out`, rows deduplicated on (arm, index). A damaged file is skipped and
    set aside, with a message in `messages`. Raises FileNotFoundError when the folder holds no
    readable battles."""
    paths = part_files(out)
    tables = []
    metadata: dict[str, Any] = {}
    arms: dict[str, Any] = {}
    readable = 0
    for path in sorted(paths, key=lambda p: p.stat().st_mtime):
        try:
            table = _read(path)
        except DamagedPart as error:
            note = set_aside(path, str(error).removeprefix(f"{path}: "))
            if messages is not None:
                messages.append(note)
            continue
        readable += 1
        info = json.loads((table.schema.metadata or {}).get(METADATA_KEY, b"{}"))
        arms.update(info.get("arms", {}))
        metadata = info or metadata
        tables.append(table.replace_schema_metadata(None))
    if not tables:
        raise FileNotFoundError(f"{out}: no battle files ({BATTLES_DIR}/part-*.parquet) found")
    table = pa.concat_tables(tables, promote_options="default")
    order = pc.sort_indices(table, sort_keys=[("arm", "ascending"), ("index", "ascending")])
    table = table.take(order)
    keys = list(
        zip(table.column("arm").to_pylist(), table.column("index").to_pylist(), strict=True)
    )
    keep = [i for i, key in enumerate(keys) if i == 0 or key != keys[i - 1]]
    duplicates = len(keys) - len(keep)
    if duplicates:
        table = table.take(pa.array(keep))
    metadata = dict(metadata)
    metadata["arms"] = arms
    return Dataset(table, metadata, readable, duplicates)


def iter_rows(table: pa.Table, columns: Iterable[str]) -> Iterator[dict[str, Any]]:
    data = {name: table.column(name).to_pylist() for name in columns}
    for i in range(table.num_rows):
        yield {name: values[i] for name, values in data.items()}
