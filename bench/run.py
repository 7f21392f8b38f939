"""Benchmark the build on synthetic vaults and compare it with the floor.

    python -m bench.run [--notes 100 1000] [--repeat K] [--json FILE]

For each corpus size: generate the notes (:mod:`bench.corpus`), then, each
measurement in a fresh process (:mod:`bench.measure`) so peak memory is its
own:

* the floor — markdown-it-py alone parsing every note (our configuration),
  plus genanki alone writing as many plain two-field notes, of the same
  average size, as the build shipped; both single-process;
* a clean build (no lock, empty output): wall and CPU time, ratio to the
  floor, cards per second, peak memory (see :func:`measure`);
* a rebuild with nothing changed, and rebuilds after editing one card's
  text, adding one card and removing one card, each in one note (checking
  the plan says exactly that one change, whether the last deck was patched,
  and that the last rebuild of each kind left exactly the deck and lock a
  clean serial build of the same notes writes).

Times are the best of K runs (noise on a shared machine only adds time);
peak memory is the largest seen. CPU time counts worker processes too. The
rebuilds' targets are judged with process start included (interpreter start
and imports, against the full build's whole process).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.corpus import DEFAULT_SEED, add_one, edit_one, edit_token, generate, remove_one

ROOT = Path(__file__).resolve().parent.parent
NOW = 1_790_000_000
TARGETS = {"ratio": 1.2, "unchanged": 0.05, "one note": 0.10, "peak_mb": 300.0, "lock_bytes": 200.0,
           "peak_5000_mb": 400.0}


@dataclass(frozen=True)
class Timing:
    """One kind of measurement over its repeats: best wall and CPU time, largest peak."""

    wall: float
    cpu: float
    peak_mb: float
    process: float = 0.0
    """Best wall time of the whole process: interpreter start and imports too."""

    @classmethod
    def of(cls, runs: list[dict]) -> Timing:
        return cls(min(r["wall"] for r in runs), min(r["cpu"] for r in runs), max(r["peak_mb"] for r in runs),
                   min(r.get("process", 0.0) for r in runs))

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu, max(self.peak_mb, other.peak_mb),
                      self.process + other.process)


@dataclass(frozen=True)
class Rebuild:
    """Rebuilds after one kind of change to one note, one per repeat."""

    timing: Timing
    statuses: list[dict[str, int]]
    expected: bool
    """The plan said exactly the one change made, every time."""
    patched: list[bool]
    """Whether each patched the last deck (see flashcards.state.patching)."""
    in_deck: bool
    """The text the change added is in the deck, every time (True when it adds none)."""
    as_clean: bool
    """The last one left the deck and lock a clean serial build of the same notes writes."""


@dataclass(frozen=True)
class Figures:
    """What one corpus size measured (seconds, MB)."""

    notes: int
    corpus_kb: float
    cards: int
    kinds: dict[str, int]
    repeats: int
    parse_floor: Timing
    genanki_floor: Timing
    build: Timing
    build_process: float
    """The clean build's whole process: interpreter start and imports too."""
    imports: float
    unchanged: Timing
    unchanged_identical: bool
    """The nothing-changed rebuild left the deck's bytes as they were."""
    edited: Rebuild
    added: Rebuild
    removed: Rebuild
    load: tuple[float, float]
    """1-minute load average before and after."""
    lock_bytes: int = 0
    """The size of the lock the clean build wrote."""

    @property
    def lock_per_card(self) -> float:
        return self.lock_bytes / max(self.cards, 1)

    @property
    def floor(self) -> Timing:
        return self.parse_floor + self.genanki_floor

    @property
    def ratio(self) -> float:
        return self.build.wall / self.floor.wall

    @property
    def cpu_ratio(self) -> float:
        return self.build.cpu / self.floor.cpu

    @property
    def peak_mb(self) -> float:
        return max(self.build.peak_mb, self.unchanged.peak_mb, *(r.timing.peak_mb for r in self.rebuilds.values()))

    @property
    def rebuilds(self) -> dict[str, Rebuild]:
        return {"edited": self.edited, "added": self.added, "removed": self.removed}

    def share(self, t: Timing, key: str) -> float:
        """A rebuild's time as a share of the full build's: with process start
        (``key="wall"``: each whole process), or CPU time."""
        return t.process / self.build_process if key == "wall" else t.cpu / self.build.cpu

    def verdicts(self, key: str) -> dict[str, bool]:
        """Whether each target is met, judged on wall (``key="wall"``; the
        rebuilds' with process start) or CPU time."""
        build, floor = getattr(self.build, key), getattr(self.floor, key)
        verdicts = {
            f"full <= {TARGETS['ratio']}x floor": build <= TARGETS["ratio"] * floor,
            "unchanged <= 5% of full": self.share(self.unchanged, key) <= TARGETS["unchanged"],
        }
        for name, r in self.rebuilds.items():
            verdicts[f"{name} <= 10% of full, as clean"] = (
                self.share(r.timing, key) <= TARGETS["one note"] and r.in_deck and r.as_clean and r.expected
            )
        verdicts["peak < 300 MB"] = self.peak_mb < TARGETS["peak_mb"]
        verdicts["lock <= 200 bytes a card"] = self.lock_per_card <= TARGETS["lock_bytes"]
        if self.notes == 5000:
            verdicts["5,000 notes: clean build's peak < 400 MB"] = self.build.peak_mb < TARGETS["peak_5000_mb"]
        return verdicts


def machine() -> dict[str, str]:
    """nproc, CPU model, RAM and Python version of this machine."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        ram = f"{mem_kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration):
        ram = "unknown"
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# ------------------------------------------------------------ subprocesses


def measure(*args: str | Path | int) -> dict:
    """Run one :mod:`bench.measure` task in a fresh process and return its figures.

    Peak memory is the larger of the largest single process's peak RSS
    (``ru_maxrss``) and the memory of its whole process tree sampled from
    /proc every 50 ms, so a build that spreads over workers is charged for
    all of them at once. The tree's memory is the sum of PSS (proportional
    set size): a page that forked workers share with the build is counted
    once, not once per process as a sum of RSS would.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.measure", *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampled = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            sampled[0] = max(sampled[0], _tree_pss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"bench.measure {' '.join(map(str, args))} failed:\n{err}")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["peak_mb"] = max(figures["peak_mb"], sampled[0])
    figures["process"] = time.perf_counter() - start
    return figures


def _tree_pss_mb(pid: int) -> float:
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # the process ended while we looked
    return total / 1024


# ------------------------------------------------------------------ a corpus


def bench(n: int, repeats: int, seed: int, log=print) -> Figures:  # noqa: ANN001
    """Generate ``n`` notes and measure floor, clean build and rebuilds."""
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="flashcards-bench-") as tmp:
        notes, out = Path(tmp) / "notes", Path(tmp) / "out"
        paths = generate(notes, n, seed)
        corpus_kb = sum(p.stat().st_size for p in paths) / 1024
        log(f"  {n} notes, {corpus_kb:.0f} KB")

        clean = []
        for k in range(repeats):
            (notes / "flashcards.lock").unlink(missing_ok=True)
            shutil.rmtree(out, ignore_errors=True)
            clean.append(measure("build", notes, out, NOW))
            log(f"  clean build {k + 1}/{repeats}: {clean[-1]['wall']:.2f} s")
        first = clean[0]
        if first["status"]["new"] != first["cards"]:
            raise RuntimeError(f"a clean build should make every card new: {first['status']}")
        deck = Path(first["deck"])
        digest = _sha(deck)
        lock_bytes = (notes / "flashcards.lock").stat().st_size

        parse = [measure("parse-floor", notes) for _ in range(repeats)]
        field = max(1, round(first["field_chars"] / 2))
        write = [measure("genanki-floor", notes, first["notes_shipped"], field) for _ in range(repeats)]
        log(f"  floor: parse {min(p['wall'] for p in parse):.2f} s, genanki {min(w['wall'] for w in write):.2f} s")

        unchanged = []
        for k in range(repeats):
            unchanged.append(measure("build", notes, out, NOW + 1))
            if unchanged[-1]["status"]["unchanged"] != first["cards"]:
                raise RuntimeError(f"nothing changed, yet: {unchanged[-1]['status']}")
        identical = _sha(deck) == digest
        log(f"  unchanged rebuild: {min(u['wall'] for u in unchanged):.2f} s")

        def edit(k: int) -> str:
            edit_one(notes, seed=k + 1)
            return edit_token(k + 1)

        def add(k: int) -> str:
            add_one(notes, seed=101 + k)
            return edit_token(101 + k)

        def remove(k: int) -> str:
            remove_one(notes, seed=k + 1)
            return ""

        now = NOW + 2
        rebuilds = {}
        for name, change, status in (("edited", edit, "updated"), ("added", add, "new"), ("removed", remove, "removed")):
            rebuilds[name] = _rebuilds(change, status, notes, out, now, repeats, Path(tmp) / f"clean-{name}")
            now += repeats
            log(f"  {name} rebuild: {rebuilds[name].timing.wall:.2f} s (process {rebuilds[name].timing.process:.2f} s)")

    return Figures(
        notes=n, corpus_kb=corpus_kb, cards=first["cards"], kinds=first["kinds"], repeats=repeats,
        parse_floor=Timing.of(parse), genanki_floor=Timing.of(write), build=Timing.of(clean),
        build_process=min(r["process"] for r in clean), imports=min(r["imports"] for r in clean),
        unchanged=Timing.of(unchanged), unchanged_identical=identical,
        **rebuilds,
        load=(load0, os.getloadavg()[0]), lock_bytes=lock_bytes,
    )


def _rebuilds(change, status: str, notes: Path, out: Path, now: int, repeats: int, twin: Path) -> Rebuild:  # noqa: ANN001
    """``repeats`` rebuilds, each after ``change(k)`` (which returns the text it
    put in a card, or ""): the plan should say exactly one card ``status``.
    Before the last, the notes, lock and last deck are copied to ``twin``, to
    build them clean, serially and uncached at the same moment, for the bytes."""
    runs, in_deck = [], True
    for k in range(repeats):
        text = change(k)
        if k == repeats - 1:
            shutil.copytree(notes, twin / "notes")
            # The last deck too (not the cache): a removed card is shipped once
            # more, tagged, from the deck the user's output folder holds.
            (twin / "out").mkdir(parents=True)
            for deck in out.glob("*.apkg"):
                shutil.copy2(deck, twin / "out" / deck.name)
        runs.append(measure("build", notes, out, now + k))
        in_deck &= not text or _deck_has(Path(runs[-1]["deck"]), text)
    statuses = [r["status"] for r in runs]
    expected = all(s[status] == 1 and sum(s.values()) - s["unchanged"] == 1 for s in statuses)
    return Rebuild(Timing.of(runs), statuses, expected, [r["patched"] for r in runs], in_deck,
                   _as_clean(twin, now + repeats - 1, Path(runs[-1]["deck"]), notes / "flashcards.lock"))


def _as_clean(twin: Path, now: int, deck: Path, lock: Path) -> bool:
    """Whether a clean serial build of the notes in ``twin`` at ``now`` writes
    ``deck`` and ``lock``. (In a process of its own: this one's memory would
    count in the peaks of the processes it starts next.)"""
    clean = Path(measure("clean-build", twin / "notes", twin / "out", now)["deck"])
    same = clean.read_bytes() == deck.read_bytes() and (twin / "notes" / lock.name).read_bytes() == lock.read_bytes()
    shutil.rmtree(twin)
    return same


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _deck_has(apkg: Path, text: str) -> bool:
    """Whether any note in the package's database contains ``text``."""
    with tempfile.TemporaryDirectory(prefix="bench-deck-") as tmp:
        with zipfile.ZipFile(apkg) as z:
            z.extract("collection.anki2", tmp)
        conn = sqlite3.connect(Path(tmp) / "collection.anki2")
        try:
            return conn.execute("select count(*) from notes where flds like ?", (f"%{text}%",)).fetchone()[0] > 0
        finally:
            conn.close()


# ------------------------------------------------------------------ report


def report(f: Figures, cores: int) -> str:
    """The figures of one corpus size as a table, with the targets (``cores``: this machine's)."""
    kinds = ", ".join(f"{n} {k}" for k, n in f.kinds.items())
    share = lambda t: (f"{100 * t.wall / f.build.wall:.1f}% of full (CPU {100 * t.cpu / f.build.cpu:.1f}%; "  # noqa: E731
                       f"process start included {100 * f.share(t, 'wall'):.1f}%)")
    rows = [
        ("floor: markdown-it parse", f.parse_floor, ""),
        ("floor: genanki write", f.genanki_floor, f"{f.cards} plain 2-field notes"),
        ("floor (sum)", f.floor, ""),
        ("full build", f.build, f"{f.ratio:.2f}x floor (CPU {f.cpu_ratio:.2f}x), {f.cards / f.build.wall:.0f} cards/s"),
        ("rebuild, nothing changed", f.unchanged, share(f.unchanged)),
        ("rebuild, one card's text", f.edited.timing, share(f.edited.timing)),
        ("rebuild, one card added", f.added.timing, share(f.added.timing)),
        ("rebuild, one card removed", f.removed.timing, share(f.removed.timing)),
    ]
    lines = [
        f"== {f.notes} notes ({f.corpus_kb:.0f} KB) -> {f.cards} cards ({kinds})",
        f"   times: best of {f.repeats}; memory: largest; load average {f.load[0]:.2f} before, {f.load[1]:.2f} after",
        f"   {'':26} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}",
    ]
    lines += [f"   {name:26} {t.wall:8.2f} {t.cpu:8.2f} {t.peak_mb:8.0f}  {note}" for name, t, note in rows]
    lines += [
        f"   full build's CPU spread evenly over {cores} cores, nothing left serial: {f.build.cpu / cores:.2f} s = "
        f"{f.build.cpu / cores / f.floor.wall:.2f}x floor (the least wall time this much work can take here)",
        (f"   clean build process, start to exit: {f.build_process:.2f} s (imports {f.imports:.2f} s); "
         f"processes of the rebuilds: nothing changed {f.unchanged.process:.2f} s, "
         + ", ".join(f"{name} {r.timing.process:.2f} s" for name, r in f.rebuilds.items())),
        f"   clean build's peak memory (largest process or the process tree's PSS): {f.build.peak_mb:.0f} MB",
        f"   lock file: {f.lock_bytes / 1024 / 1024:.1f} MB, {f.lock_per_card:.0f} bytes a card",
        f"   unchanged rebuild leaves the deck byte-identical: {_yes(f.unchanged_identical)}",
    ]
    for name, r in f.rebuilds.items():
        lines.append(
            f"   {name}: plan says exactly that one card: {_yes(r.expected) if r.expected else f'NO {r.statuses}'}; "
            f"in the deck: {_yes(r.in_deck)}; patched: {'/'.join(map(_yes, r.patched))}; "
            f"same bytes as a clean serial build: {_yes(r.as_clean)}"
        )
    for key in ("wall", "cpu"):
        judged = "; ".join(f"{name}: {'met' if good else 'MISSED'}" for name, good in f.verdicts(key).items())
        lines.append(f"   targets ({key}): {judged}")
    return "\n".join(lines)


def _yes(value: bool) -> str:
    return "yes" if value else "NO"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (best is kept)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    info = machine()
    print(f"machine: {info['nproc']} cores, {info['cpu']}, {info['ram']} RAM, Python {info['python']}, {info['platform']}")
    results = []
    for n in args.notes:
        print(f"measuring {n} notes ...", flush=True)
        figures = bench(n, args.repeat, args.seed, log=lambda s: print(s, flush=True))
        print(report(figures, int(info["nproc"])), flush=True)
        results.append(figures)
    if args.json:
        payload = {"machine": info, "results": [asdict(r) | {"ratio": r.ratio, "cpu_ratio": r.cpu_ratio} for r in results]}
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
