"""Where a build's time goes: cProfile (CPU clock) over a clean build and a rebuild.

    python -m bench.hotspots [--notes 1000] [--phases clean,unchanged,edited] [--top 25] [--save FILE.prof]

Generates the corpus, profiles a clean build, a rebuild with nothing
changed and a rebuild after editing one note (``--phases`` picks), and
prints for each the time per pipeline stage and the functions with the most
time of their own. The CPU clock keeps the attribution honest
on a busy machine; cProfile roughly doubles the times, so compare shares,
not seconds, with ``bench.run``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import tempfile
import time
from pathlib import Path

from bench.corpus import DEFAULT_SEED, edit_one, generate

# (label, file ending, function): cumulative time of each is one line of the breakdown.
STAGES = (
    ("find + read + decode", "flashcards/reading.py", "find_notes"),
    ("  decode", "flashcards/reading.py", "decode"),
    ("parse (parse.parse)", "flashcards/parse.py", "parse"),
    ("  markdown-it md.parse", "markdown_it/main.py", "parse"),
    ("  SyntaxTreeNode", "markdown_it/tree.py", "__init__"),
    ("  block HTML (render + nh3)", "flashcards/markup.py", "block_html"),
    ("extract", "flashcards/extract/__init__.py", "extract"),
    ("  inline re-parse (markup.inline_tokens)", "flashcards/markup.py", "inline_tokens"),
    ("  cloze_html", "flashcards/markup.py", "cloze_html"),
    ("make_cards", "flashcards/cards.py", "make_cards"),
    ("lock load", "flashcards/lockfile.py", "load"),
    ("reconcile", "flashcards/reconcile.py", "reconcile"),
    ("write_package", "flashcards/package.py", "write_package"),
    ("  genanki Deck.write_to_db (all decks)", "genanki/deck.py", "write_to_db"),
    ("  genanki Note.write_to_db", "genanki/note.py", "write_to_db"),
    ("  zip", "flashcards/package.py", "_zip"),
    ("lock save", "flashcards/lockfile.py", "save"),
    ("  lock dumps (JSON)", "flashcards/lockfile.py", "dumps"),
    ("nh3.clean (anywhere)", "~", "<built-in method nh3.nh3.clean>"),
)


def profile_build(notes: Path, output: Path, now: int) -> tuple[pstats.Stats, float]:
    """Profile one build; returns the stats and the CPU seconds it took unprofiled-ish."""
    from flashcards.build import BuildOptions, build

    profiler = cProfile.Profile(time.process_time)
    start = time.process_time()
    profiler.enable()
    build(BuildOptions(sources=(notes,), output=output), now=now)
    profiler.disable()
    return pstats.Stats(profiler), time.process_time() - start


def breakdown(stats: pstats.Stats) -> list[tuple[str, float, int]]:
    """(stage, cumulative CPU seconds, calls) for each of :data:`STAGES` that ran."""
    rows = []
    table = stats.stats  # type: ignore[attr-defined]
    for label, ending, name in STAGES:
        calls, total = 0, 0.0
        for (file, _line, func), (_cc, nc, _tt, ct, _callers) in table.items():
            if func == name and file.replace("\\", "/").endswith(ending):
                calls, total = calls + nc, total + ct
        if calls:
            rows.append((label, total, calls))
    return rows


def top(stats: pstats.Stats, n: int) -> str:
    """The ``n`` functions with the most time of their own, paths shortened."""
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(n)
    text = out.getvalue()
    text = text[text.index("   ncalls"):] if "   ncalls" in text else text
    for prefix in (str(Path(pstats.__file__).parent) + "/", str(Path(__file__).resolve().parent.parent) + "/"):
        text = text.replace(prefix, "")
    return re.sub(r"\S*/site-packages/", "", text)


PHASES = ("clean", "unchanged", "edited")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--phases", default=",".join(PHASES),
                        help="which builds to profile: clean, unchanged (rebuild), edited (rebuild after edit_one)")
    parser.add_argument("--save", type=Path, help="write each profile to FILE-<phase>.prof (for snakeviz etc.)")
    args = parser.parse_args(argv)
    wanted = set(args.phases.split(","))
    with tempfile.TemporaryDirectory(prefix="flashcards-profile-") as tmp:
        notes, out = Path(tmp) / "notes", Path(tmp) / "out"
        generate(notes, args.notes, args.seed)
        for k, phase in enumerate(PHASES):
            if phase == "edited":
                edit_one(notes, seed=1)
            if phase not in wanted:
                if phase == "clean":  # the rebuilds need its lock and deck
                    profile_build(notes, out, 1_790_000_000)
                continue
            stats, cpu = profile_build(notes, out, 1_790_000_000 + k)
            if args.save:
                stats.dump_stats(args.save.with_name(f"{args.save.stem}-{phase}.prof"))
            print(f"== {phase} build, {args.notes} notes: {cpu:.1f} s CPU under the profiler")
            for label, seconds, calls in breakdown(stats):
                print(f"   {label:42} {seconds:8.2f} s {100 * seconds / cpu:5.1f}%  ({calls} calls)")
            print(f"-- top {args.top} functions by own time\n{top(stats, args.top)}", flush=True)


if __name__ == "__main__":
    main()
