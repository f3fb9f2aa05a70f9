"""Throw broken scenario files at the loader and the game; count every traceback, hang and unlocated
message.

    python benchmarks/fuzz_scenarios.py --seed 1 --count 10000 [--scenario FILE ...] [--turns 6]

Each case takes one shipped scenario (scenarios/*.yaml) and applies one to three structured
mutations of the kinds a person or a broken tool produces: lines deleted or duplicated, a value
swapped for one of another type, numbers made negative, huge, fractional, NaN or text, keys
misspelt, indentation changed, the file truncated at a random byte, random bytes inserted (invalid
UTF-8, control characters), explicit YAML tags (`!!int x`, `!!float abc`, `!!binary`), integers of
thousands of digits, dates near the ends of the calendar, references swapped for other ids or
numbers. About half the cases also shorten the game to a few turns, so that the end of the game
(victory, history metrics) is reached too.

Then, in this one process, the mutated file is validated exactly as `wargame validate` does
(`load_scenario` with the rules' coefficient names); a file that validates is played for a few
turns (all of them when the game is that short) under both computer-player modes, `plan` and
`adaptive`, and a finished game is measured against history. What counts as a failure:
- a traceback: any exception other than ScenarioError out of validation, any exception out of play;
- a hang: a case still running after --timeout seconds (5 by default);
- an unlocated message: a problem without file:line:col (other than the few about the whole file),
  or one whose line or column lies outside the file (a column counted in bytes, say).

Each distinct failure (exception type and where it was raised, or the message's wording with its
numbers taken out) is printed once, with the count, the first case's number and a reproducer: the
mutations shrunk to those that still give the failure, and the lines they change. The exit status is
1 when anything failed. `run(...)` is the importable core: tests/test_fuzz.py runs a short seeded
slice of it.
"""

from __future__ import annotations

import argparse
import difflib
import random
import re
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine import headless, history  # noqa: E402
from engine.rules.coefficients import coefficient_names  # noqa: E402
from engine.scenario import ScenarioError, load_scenario  # noqa: E402
from engine.scenario.models import Scenario  # noqa: E402

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
# Problems that are about the whole file, where no line can be named.
WHOLE_FILE = (
    "file is empty",
    "file is larger",
    "file is ",  # "file is N bytes; scenario files are limited to ..."
    "text is larger",
    "no such file",
    "is a directory",
    "cannot read file",
)


# --------------------------------------------------------------------------------- mutations


@dataclass(frozen=True)
class Edit:
    """Replace `length` bytes at `offset` with `insert`: one mutation, applied to the bytes of the
    file as the earlier mutations left them."""

    kind: str
    offset: int
    length: int
    insert: bytes

    def apply(self, data: bytes) -> bytes:
        offset = min(self.offset, len(data))
        return data[:offset] + self.insert + data[offset + self.length :]


_NUMBER = re.compile(rb"(?<![\w.#-])-?\d+(\.\d+)?(?![\w:.-])")
_KEY = re.compile(rb"^(\s*-?\s*)([A-Za-z_][A-Za-z0-9_]*)(:)")
_VALUE = re.compile(rb"^(\s*-?\s*[A-Za-z_][A-Za-z0-9_]*:[ ]+)([^#\n|>][^\n]*)$")
_MOMENT = re.compile(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")
_HEX = re.compile(rb"\[\s*-?\d+\s*,\s*-?\d+\s*\]")
_REF_KEY = re.compile(
    rb"^(\s*-?\s*(?:side|at|place|weapon|target|objective|fall_back_to|rear|parent|value|id)"
    rb":[ ]+)([^#\n]+)$"
)

HUGE_DIGITS = b"9" * 200_000  # beyond Python's 4300-digit int limit: PyYAML raises inside

VALUES: tuple[bytes, ...] = (
    b'"text"',
    b"abc",
    b"[1, 2]",
    b"[1.5, 2]",
    b"[-1, 0]",
    b"[]",
    b"{}",
    b"{a: 1}",
    b"true",
    b"yes",
    b"no",
    b"null",
    b"~",
    b"''",
    b"0",
    b"-3",
    b"0.5",
    b"12",
    b".nan",
    b".inf",
    b"-.inf",
    b"1e400",
    b"1e-400",
    b"1_000",
    b"0x1F",
    b"0o17",
    b"99999999999999999999999999",
    b"9" * 5000,
    b"1945-05-21T05:00",
    b"1945-05-21",
    b'"19:30"',
    b"19:30",
    b"'25:00'",
    b"1945-13-41T05:00",
    b"1945-05-21T05:00:00+09:00",
    b"9999-12-31T23:00",
    b"0001-01-01T00:00",
    b"!!binary aGVsbG8=",
    b"!!int x",
    b"!!float abc",
    b"!!timestamp 1945",
    b"!!bool maybe",
    b"!!null x",
    b"!!set {a, b}",
    b"!!omap [a: 1]",
    b"!!python/object:os.system x",
    b"!custom 3",
    b"*nowhere",
    b"&anchor 3",
    b"|\n  block\n",
    b"[[[[1]]]]",
    b"a: b: c",
    b"'unterminated",
    b'"\\x00 escaped nul"',
    b"\xe8\x8a\x99\xe8\x93\x89",  # 芙蓉: text where anything else belongs
)
NUMBERS: tuple[Callable[[bytes], bytes], ...] = (
    lambda n: b"-" + n.lstrip(b"-"),
    lambda n: n + b"000000000",
    lambda n: n + b"000000000000000000000000000000",
    lambda n: n + b".5",
    lambda n: n + b".000001",
    lambda n: b".nan",
    lambda n: b".inf",
    lambda n: b"-.inf",
    lambda n: b"1e308",
    lambda n: b"1e400",
    lambda n: b"text",
    lambda n: b"0",
    lambda n: b"-0.0",
    lambda n: b"!!int x",
    lambda n: b"!!float abc",
    lambda n: b"!!int " + n,
    lambda n: b"!!float " + n,
    lambda n: b"!!str " + n,
    lambda n: HUGE_DIGITS,
    lambda n: b"9" * 4400,
    lambda n: b"2147483648",
    lambda n: b"9223372036854775808",
    lambda n: b"18446744073709551616",
)
MOMENTS: tuple[bytes, ...] = (
    b"9999-12-31T23:00",
    b"9999-12-31T20:00",
    b"9998-12-31T05:00",
    b"0001-01-01T00:00",
    b"1945-13-41T05:00",
    b"1945-02-30T05:00",
    b"1945-05-21T25:00",
    b"1945-05-21T05:00:00+09:00",
    b"1945-05-21T05:00Z",
    b"1945-05-21 05:00",
    b"1945-05-21",
    b"1945-05-21T05:00:00.123456",
    b"1944-05-21T05:00",
    b"1946-05-21T05:00",
    b"!!timestamp x",
)
BYTES: tuple[bytes, ...] = (
    b"\xff",
    b"\xfe\xff",
    b"\xc3",
    b"\xc3\x28",
    b"\xe4\xb8",
    b"\xed\xa0\x80",  # a UTF-16 surrogate encoded in UTF-8: invalid
    b"\x0c",  # form feed
    b"\x7f",  # DEL
    b"\x00",
    b"\x1b",
    b"\x07",
    b"\r",
    b"\t",
    "\x85".encode(),
    "\u2028".encode(),
    "\ufeff".encode(),
    "\ufffe".encode(),
    "\U0001f600".encode(),
    "芙".encode(),
    b"#",
    b":",
    b"- ",
    b"&a ",
    b"*a",
    b"{",
    b"[",
    b"'",
    b'"',
    b"%YAML 1.1\n---\n",
    b"---\n",
    b"...\n",
)
TAGS: tuple[bytes, ...] = (
    b"!!int ",
    b"!!float ",
    b"!!binary ",
    b"!!timestamp ",
    b"!!bool ",
    b"!!str ",
    b"!!null ",
    b"!!seq ",
    b"!!map ",
    b"!!set ",
    b"!!omap ",
    b"!!pairs ",
    b"!local ",
    b"!<tag:yaml.org,2002:int> ",
    b"!!python/name:os.system ",
)


def _lines(data: bytes) -> list[tuple[int, bytes]]:
    """(offset, line without its newline) of each line."""
    found, offset = [], 0
    for line in data.split(b"\n"):
        found.append((offset, line))
        offset += len(line) + 1
    return found


def _pick_line(rng: random.Random, data: bytes, pattern: re.Pattern[bytes] | None = None):
    lines = _lines(data)
    if pattern is not None:
        lines = [(o, line) for o, line in lines if pattern.search(line)]
    return rng.choice(lines) if lines else None


def _mutations(rng: random.Random, data: bytes) -> Iterator[Edit | None]:
    """One mutation of each kind that applies, lazily; the caller picks one at random."""
    kind = rng.choice(
        (
            "delete_line",
            "duplicate_line",
            "swap_value",
            "swap_value",
            "number",
            "number",
            "nudge",
            "nudge",
            "nudge",
            "misspell_key",
            "indent",
            "truncate",
            "bytes",
            "bytes",
            "tag",
            "moment",
            "hex",
            "reference",
            "clock",
        )
    )
    if kind in ("delete_line", "duplicate_line"):
        picked = _pick_line(rng, data)
        if picked:
            offset, line = picked
            if kind == "delete_line":
                yield Edit(kind, offset, len(line) + 1, b"")
            else:
                yield Edit(kind, offset, 0, line + b"\n")
    elif kind == "swap_value":
        picked = _pick_line(rng, data, _VALUE)
        if picked:
            offset, line = picked
            match = _VALUE.match(line)
            assert match
            yield Edit(kind, offset + match.start(2), len(match.group(2)), rng.choice(VALUES))
    elif kind == "number":
        picked = _pick_line(rng, data, _NUMBER)
        if picked:
            offset, line = picked
            match = rng.choice(list(_NUMBER.finditer(line)))
            yield Edit(
                kind, offset + match.start(), len(match.group()), rng.choice(NUMBERS)(match.group())
            )
    elif kind == "nudge":  # a plausible number: the file often still validates, and plays
        picked = _pick_line(rng, data, _NUMBER)
        if picked:
            offset, line = picked
            match = rng.choice(list(_NUMBER.finditer(line)))
            value = float(match.group()) * rng.choice((0.0, 0.1, 0.5, 0.9, 1.1, 2.0, 3.0))
            text = f"{value:g}" if b"." in match.group() else str(round(value))
            yield Edit(kind, offset + match.start(), len(match.group()), text.encode())
    elif kind == "misspell_key":
        picked = _pick_line(rng, data, _KEY)
        if picked:
            offset, line = picked
            match = _KEY.match(line)
            assert match
            key = bytearray(match.group(2))
            at = rng.randrange(len(key))
            how = rng.randrange(4)
            if how == 0 and len(key) > 1:
                del key[at]
            elif how == 1:
                key.insert(at, rng.choice(b"abcdefghijklmnopqrstuvwxyz_"))
            elif how == 2 and len(key) > 1:
                other = (at + 1) % len(key)
                key[at], key[other] = key[other], key[at]
            else:
                key = bytearray(key.upper())
            yield Edit(kind, offset + match.start(2), len(match.group(2)), bytes(key))
    elif kind == "indent":
        picked = _pick_line(rng, data)
        if picked:
            offset, line = picked
            spaces = len(line) - len(line.lstrip(b" "))
            if spaces and rng.random() < 0.5:
                yield Edit(kind, offset, rng.randint(1, spaces), b"")
            else:
                yield Edit(kind, offset, 0, b" " * rng.randint(1, 4))
    elif kind == "truncate":
        at = rng.randrange(len(data) + 1)
        yield Edit(kind, at, len(data) - at, b"")
    elif kind == "bytes":
        at = rng.randrange(len(data) + 1)
        if rng.random() < 0.8:
            insert = rng.choice(BYTES)
        else:
            insert = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        yield Edit(kind, at, rng.choice((0, 0, 1)), insert)
    elif kind == "tag":
        picked = _pick_line(rng, data, _VALUE)
        if picked:
            offset, line = picked
            match = _VALUE.match(line)
            assert match
            yield Edit(kind, offset + match.start(2), 0, rng.choice(TAGS))
    elif kind == "moment":
        picked = _pick_line(rng, data, _MOMENT)
        if picked:
            offset, line = picked
            match = _MOMENT.search(line)
            assert match
            yield Edit(kind, offset + match.start(), len(match.group()), rng.choice(MOMENTS))
    elif kind == "hex":
        picked = _pick_line(rng, data, _HEX)
        if picked:
            offset, line = picked
            match = rng.choice(list(_HEX.finditer(line)))
            a, b = rng.randint(0, 40), rng.randint(0, 40)
            shapes = (
                f"[{a}.5, {b}]",
                f"[{a}, {b}.0]",
                f"[-{a}, {b}]",
                f"[{a}, {b}, 1]",
                f"[{a}]",
                f"[{a}, 99999999999999999999]",
                f"[{a}, .nan]",
                f'["{a}", {b}]',
                f"[{a}, {b}]",
                f"[true, {b}]",
            )
            yield Edit(
                kind, offset + match.start(), len(match.group()), rng.choice(shapes).encode()
            )
    elif kind == "reference":
        picked = _pick_line(rng, data, _REF_KEY)
        if picked:
            offset, line = picked
            match = _REF_KEY.match(line)
            assert match
            ids = re.findall(rb"\bid: ([a-z][a-z0-9_]*)", data)
            choices = [b"3", b"3.5", b"true", b"[1, 2]", b"{a: 1}", b"null", b"Red", b"x" * 70]
            if ids:
                choices += [rng.choice(ids) for _ in range(4)]
            yield Edit(kind, offset + match.start(2), len(match.group(2)), rng.choice(choices))
    elif kind == "clock":
        key = rng.choice((b"turn_minutes", b"turns", b"start"))
        match = re.search(rb"\n  " + key + rb": ([^\n#]+)", data)
        if match:
            values = {
                b"turn_minutes": (b"1440", b"5", b"4", b"1441", b"99999999999999999999", b"10**9"),
                b"turns": (b"10000", b"10001", b"0", b"1", b"99999999999999999999"),
                b"start": MOMENTS,
            }[key]
            yield Edit(kind, match.start(1), len(match.group(1)), rng.choice(values))
    yield None


def _shorten(rng: random.Random, data: bytes) -> Edit | None:
    """Make the game a few turns long, so that the fuzzer reaches its end."""
    match = re.search(rb"\n  turns: (\d+)", data)
    if match is None:
        return None
    return Edit("shorten", match.start(1), len(match.group(1)), str(rng.randint(1, 4)).encode())


def make_case(rng: random.Random, base: bytes) -> list[Edit]:
    edits: list[Edit] = []
    data = base
    if rng.random() < 0.5 and (edit := _shorten(rng, data)):
        edits.append(edit)
        data = edit.apply(data)
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        for _attempt in range(5):
            edit = next(_mutations(rng, data))
            if edit is not None:
                edits.append(edit)
                data = edit.apply(data)
                break
    return edits


def apply(base: bytes, edits: Sequence[Edit]) -> bytes:
    data = base
    for edit in edits:
        data = edit.apply(data)
    return data


# ------------------------------------------------------------------------------- running a case


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so that no `except Exception` in the engine eats it."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def ring(_signum: int, _frame: object) -> None:
        raise Hang()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _Stop(Exception):
    pass


def play(scenario: Scenario, seed: int, mode: str, max_turns: int) -> None:
    """Play up to `max_turns` turns with the computer on both sides in `mode`; when the game ends
    within them, measure it against history. The one place that knows the game's API."""
    turns = 0

    def count(_state: object, events: list) -> None:
        nonlocal turns
        for event in events:
            headless.event_line(event)
        turns += 1
        if turns >= max_turns:
            raise _Stop

    try:
        record = headless.play(
            scenario, seed, ai_modes={0: mode, 1: mode}, keep_events=False, on_turn=count
        )
    except _Stop:
        return
    history.compare(record.state)
    history.metric_values(record.state)


@dataclass
class Failure:
    kind: str  # "traceback", "hang", "unlocated", "mislocated"
    signature: str
    detail: str


def _where(error: BaseException) -> str:
    """The innermost frame of ours (engine/...) where `error` was raised."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/engine/" in f.filename.replace("\\", "/")]
    frame = (ours or frames or [None])[-1]
    if frame is None:
        return "?"
    name = frame.filename.replace("\\", "/")
    name = name[name.rfind("/engine/") + 1 :] if "/engine/" in name else Path(name).name
    return f"{name}:{frame.lineno} in {frame.name}"


def _template(message: str) -> str:
    """A message with its particulars (numbers, quoted words) taken out, to group alike ones."""
    text = re.sub(r"'[^']*'", "'…'", message)
    return re.sub(r"\d+", "N", text)


def check_problems(error: ScenarioError, data: bytes, display: str) -> list[Failure]:
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    found = []
    for problem in error.problems:
        shown = str(problem)
        if problem.line <= 0:
            if not problem.message.startswith(WHOLE_FILE) or problem.file != display:
                found.append(
                    Failure("unlocated", "unlocated: " + _template(problem.message), shown)
                )
            continue
        if not shown.startswith(f"{display}:{problem.line}:{problem.column}: "):
            found.append(Failure("unlocated", "badly formed: " + _template(problem.message), shown))
        elif (
            problem.line > len(lines) + 1
            or problem.column < 1
            or problem.column > len(lines[min(problem.line, len(lines)) - 1]) + 2
        ):
            found.append(
                Failure("mislocated", "outside the file: " + _template(problem.message), shown)
            )
    return found


def run_case(
    data: bytes, *, seed: int, workdir: Path, max_turns: int, timeout: float
) -> tuple[bool, list[Failure]]:
    """(whether the file validated, the failures found)."""
    path = workdir / "case.yaml"
    path.write_bytes(data)
    display = str(path)
    stage = "validate"
    try:
        with deadline(timeout):
            try:
                loaded = load_scenario(path, coefficient_names=coefficient_names())
            except ScenarioError as error:
                return False, check_problems(error, data, display)
            for mode in ("plan", "adaptive"):
                stage = f"play ({mode})"
                play(loaded.scenario, seed, mode, max_turns)
    except Hang as error:
        failure = Failure("hang", f"hang in {stage} at {_where(error)}", f"over {timeout:g} s")
        return stage != "validate", [failure]
    except Exception as error:
        where = _where(error)
        summary = f"{type(error).__name__}: {str(error)[:300]}"
        failure = Failure("traceback", f"{type(error).__name__} in {stage} at {where}", summary)
        return stage != "validate", [failure]
    return True, []


# ----------------------------------------------------------------------------------- reporting


def _shrink(
    base: bytes, edits: list[Edit], signature: str, attempt: Callable[[bytes], list[Failure]]
) -> list[Edit]:
    """Drop mutations one at a time while the same failure still happens (cheap delta debugging:
    at most one try per mutation)."""
    kept = list(edits)
    for edit in list(edits):
        if len(kept) == 1:
            break
        trial = [e for e in kept if e is not edit]
        if any(f.signature == signature for f in attempt(apply(base, trial))):
            kept = trial
    return kept


def describe(base: bytes, data: bytes, limit: int = 6) -> list[str]:
    """The lines a case changes, as a diff without context (long lines cut)."""
    old = base.decode("utf-8", errors="backslashreplace").split("\n")
    new = data.decode("utf-8", errors="backslashreplace").split("\n")
    shown = []
    for line in difflib.unified_diff(old, new, lineterm="", n=0):
        if line.startswith(("---", "+++")):
            continue
        shown.append(line if len(line) <= 140 else line[:137] + "...")
        if len(shown) >= limit:
            shown.append("...")
            break
    return shown


@dataclass
class Group:
    failure: Failure
    count: int = 0
    first_case: str = ""
    reproducer: list[str] = field(default_factory=list)


@dataclass
class Summary:
    cases: int = 0
    validated: int = 0
    refused: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(
        default_factory=lambda: {"traceback": 0, "hang": 0, "unlocated": 0, "mislocated": 0}
    )
    groups: dict[str, Group] = field(default_factory=dict)

    @property
    def failures(self) -> int:
        return sum(self.counts.values())

    def record(
        self,
        validated: bool,
        failures: list[Failure],
        base: bytes,
        edits: list[Edit],
        case: str,
        attempt: Callable[[bytes], list[Failure]] | None,
    ) -> None:
        """Count one case, and each failure under its signature: the first of a kind is kept
        with its case label (`case`) and a reproducer, shrunk with `attempt` unless it is None.
        Both fuzz harnesses tally their cases here."""
        self.cases += 1
        if validated:
            self.validated += 1
        else:
            self.refused += 1
        for failure in failures:
            self.counts[failure.kind] += 1
            group = self.groups.get(failure.signature)
            if group is None:
                kept = edits
                if attempt is not None:
                    kept = _shrink(base, edits, failure.signature, attempt)
                group = Group(
                    failure,
                    first_case=f"{case}; mutations: {', '.join(e.kind for e in kept)}",
                    reproducer=describe(base, apply(base, kept)),
                )
                self.groups[failure.signature] = group
            group.count += 1

    def text(self) -> str:
        lines = [
            f"{self.cases} cases in {self.seconds:.0f} s: {self.validated} validated (then played"
            f" under both computer-player modes), {self.refused} refused",
            "tracebacks {traceback}, hangs {hang}, unlocated messages {unlocated},"
            " mislocated messages {mislocated}".format(**self.counts),
        ]
        for group in sorted(self.groups.values(), key=lambda g: -g.count):
            lines.append("")
            lines.append(f"== {group.failure.signature}  ({group.count} cases)")
            lines.append(f"   first: case {group.first_case}")
            lines.append(f"   {group.failure.detail}")
            lines.extend(f"   {line}" for line in group.reproducer)
        return "\n".join(lines)


def run(
    *,
    seed: int,
    count: int,
    scenarios: Sequence[Path] = SCENARIOS,
    max_turns: int = 6,
    timeout: float = 5.0,
    shrink: bool = True,
    progress: Callable[[int, Summary], None] | None = None,
) -> Summary:
    """Run `count` seeded cases; the same seed and count give the same cases."""
    bases = [(path.name, path.read_bytes()) for path in scenarios]
    summary = Summary()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fuzz_") as folder:
        workdir = Path(folder)

        def attempt(data: bytes, case_seed: int) -> list[Failure]:
            return run_case(
                data, seed=case_seed, workdir=workdir, max_turns=max_turns, timeout=timeout
            )[1]

        for number in range(count):
            rng = random.Random(f"{seed}:{number}")
            name, base = bases[number % len(bases)]
            edits = make_case(rng, base)
            data = apply(base, edits)
            case_seed = rng.randrange(2**31)
            validated, failures = run_case(
                data, seed=case_seed, workdir=workdir, max_turns=max_turns, timeout=timeout
            )
            summary.record(
                validated,
                failures,
                base,
                edits,
                f"{seed}:{number} ({name}, game seed {case_seed})",
                (lambda d, s=case_seed: attempt(d, s)) if shrink else None,
            )
            summary.seconds = time.perf_counter() - started
            if progress is not None:
                progress(number, summary)
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--scenario", type=Path, action="append", help="default: scenarios/*.yaml")
    parser.add_argument("--turns", type=int, default=6, help="turns played per game (cap)")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds before a case hangs")
    parser.add_argument("--no-shrink", action="store_true")
    args = parser.parse_args(argv)

    def progress(number: int, summary: Summary) -> None:
        if (number + 1) % 500 == 0:
            print(
                f"... {number + 1} cases, {summary.failures} failures, {summary.seconds:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    summary = run(
        seed=args.seed,
        count=args.count,
        scenarios=args.scenario or SCENARIOS,
        max_turns=args.turns,
        timeout=args.timeout,
        shrink=not args.no_shrink,
        progress=progress,
    )
    print(summary.text())
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
