"""One measurement, run in a fresh process by :mod:`bench.run`; prints JSON.

    python -m bench.measure parse-floor NOTES
    python -m bench.measure genanki-floor NOTES COUNT FIELD_CHARS
    python -m bench.measure build NOTES OUTPUT NOW
    python -m bench.measure clean-build NOTES OUTPUT NOW    (serial, uncached)

Imports happen before the clock starts (their cost is reported apart), so
the floor and the build are timed over the same kind of work: from reading
the notes to the last byte written.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


class _Clock:
    """Wall and CPU time of a block, CPU including waited-for worker processes."""

    def __enter__(self) -> _Clock:
        self.wall0 = time.perf_counter()
        self.cpu0 = _cpu()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = _cpu() - self.cpu0


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_mb() -> float:
    """Peak RSS of this process (and of the largest worker it waited for), MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024  # Linux reports KB


def _note_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.md") if p.is_file())


def parse_floor(notes: Path) -> dict:
    """markdown-it-py alone: read every note and parse it, nothing more."""
    t0 = time.perf_counter()
    from flashcards import markup

    imports = time.perf_counter() - t0
    with _Clock() as clock:
        md = markup.markdown()
        tokens = 0
        for path in _note_files(notes):
            tokens += len(md.parse(path.read_bytes().decode("utf-8")))
    return {"wall": clock.wall, "cpu": clock.cpu, "imports": imports, "tokens": tokens}


def genanki_floor(notes: Path, count: int, field_chars: int) -> dict:
    """genanki alone: ``count`` plain two-field notes of ``field_chars`` characters each."""
    t0 = time.perf_counter()
    import genanki

    imports = time.perf_counter() - t0
    # Field text cut from the corpus itself, so it has the same mix of
    # Chinese, English and markup as the cards; prepared before the clock.
    text = "".join(p.read_text(encoding="utf-8") for p in _note_files(notes)).replace("\n", " ")
    need = 2 * count * field_chars
    text = (text * (need // max(len(text), 1) + 1))[:need]
    fields = [[text[i:i + field_chars], text[i + field_chars:i + 2 * field_chars]]
              for i in range(0, need, 2 * field_chars)]
    model = genanki.Model(1607392319, "Floor", fields=[{"name": "Front"}, {"name": "Back"}],
                          templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])
    with tempfile.TemporaryDirectory(prefix="bench-genanki-") as tmp:
        # genanki.Package.write_to_file leaves its database in tempfile's
        # folder: point that at our own so it goes away with it.
        tempfile.tempdir = tmp
        try:
            with _Clock() as clock:
                deck = genanki.Deck(2059400110, "Floor")
                for i, pair in enumerate(fields):
                    deck.add_note(genanki.Note(model=model, fields=pair, guid=f"floor{i}"))
                genanki.Package(deck).write_to_file(os.path.join(tmp, "floor.apkg"), timestamp=1_790_000_000)
        finally:
            tempfile.tempdir = None
    return {"wall": clock.wall, "cpu": clock.cpu, "imports": imports, "notes": len(fields)}


def build(notes: Path, output: Path, now: int, clean: bool = False) -> dict:
    """The real build through the library, as the CLI runs it (``clean``:
    serially and without the cache, as the bytes every build must give)."""
    t0 = time.perf_counter()
    from flashcards.build import BuildOptions
    from flashcards.build import build as run_build
    from flashcards.state.reconcile import Status

    imports = time.perf_counter() - t0
    with _Clock() as clock:
        options = {"jobs": 1, "cache": False} if clean else {}
        result = run_build(BuildOptions(sources=(notes,), output=output, **options), now=now)
    shipped = result.plan.notes
    chars = sum(len(f) for n in shipped for f in n.card.fields)
    return {
        "wall": clock.wall,
        "cpu": clock.cpu,
        "imports": imports,
        "cards": sum(n for _, n in result.kinds),
        "up_to_date": result.up_to_date,
        "patched": result.patched,
        "notes_shipped": len(shipped),
        "field_chars": chars / max(len(shipped), 1),
        "status": {s.value: result.plan.count(s) for s in Status},
        "written": result.written,
        "deck": str(result.deck_path),
        "kinds": {k.value: n for k, n in result.cards_by_kind().items()},
    }


def main(argv: list[str]) -> None:
    task, *args = argv
    if task == "parse-floor":
        out = parse_floor(Path(args[0]))
    elif task == "genanki-floor":
        out = genanki_floor(Path(args[0]), int(args[1]), int(args[2]))
    elif task in ("build", "clean-build"):
        out = build(Path(args[0]), Path(args[1]), int(args[2]), clean=task == "clean-build")
    else:
        raise SystemExit(f"unknown task {task!r}")
    out["peak_mb"] = _peak_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
