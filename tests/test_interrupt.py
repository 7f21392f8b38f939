"""Nothing lost: a build killed at any moment, or several started at once,
leaves a deck that Anki imports and a lock file that loads.

Real processes (``python -m flashcards build``) are killed with SIGKILL or
interrupted with SIGINT (Ctrl-C) after random, seeded delays spread over a
whole build; after each one the deck on disk is imported into a real
collection and the lock file is loaded.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from anki.collection import Collection

from flashcards.model import Card, Kind, Origin
from flashcards.state import buildlock, lockfile
from flashcards.state.reconcile import content_hash
from tests.conftest import ROOT, deck_notes, import_deck, run_cli, write_notes

FILES, TERMS = 40, 40
VERSION = re.compile(r"meaning \d+ v(\d+)")
INTERRUPTED = "Error: interrupted; the deck and lock file are each either as before or complete\n"


def write_version(notes: Path, version: int) -> None:
    """The same cards every version; their answers say which version they are."""
    write_notes(notes, {
        f"topic{i:02}.md": f"# Topic {i}\n\n" + "".join(f"**Term {i}-{j}**: meaning {j} v{version}\n\n" for j in range(TERMS))
        for i in range(FILES)
    })


def deck_version(deck: Path, scratch: Path) -> int:
    """Import the deck into a fresh collection; the version all its cards carry."""
    scratch.mkdir(parents=True)
    col = Collection(str(scratch / "collection.anki2"))
    try:
        log = import_deck(col, deck)
        assert len(log.new) == FILES * TERMS == col.note_count()
        versions = {VERSION.search(col.get_note(nid)["Back"]).group(1) for nid in col.find_notes("")}
    finally:
        col.close()
    assert len(versions) == 1, versions
    return int(versions.pop())


def lock_version(lock: Path, deck: Path) -> int:
    versions = _lock_versions(lock, deck, "")
    assert len(versions) == 1, versions
    return versions.pop()


def _lock_versions(lock: Path, deck: Path, file: str) -> set[int]:
    """The versions the lock's cards (of ``file``, or all) record. The lock
    keeps no fields, only a hash of them: each card's fields as ``deck``
    holds them are tried with each version's text until one has that hash."""
    loaded = lockfile.load(lock)
    assert loaded is not None and len(loaded.cards) == FILES * TERMS
    shipped = deck_notes(deck)
    found = set()
    for c in loaded.cards:
        if not c.source.startswith(file):
            continue
        fields, tags, _ = shipped[c.guid]
        for version in range(40):
            text = tuple(VERSION.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + str(version), f) for f in fields)  # noqa: B023
            card = Card(identity=c.identity, guid=c.guid, kind=Kind(c.kind), fields=text, tags=tags, deck=c.deck,
                        due=0, origin=Origin(c.path, c.line, "", ()))
            if content_hash(card, tags) == c.hash:
                found.add(version)
                break
        else:
            found.add(-1)
    return found


def start_build(cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flashcards", "build", "notes", "-o", "out"],
        cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def leftovers(tmp_path: Path) -> list[str]:
    """Temporary files and build locks lying around."""
    names = [p.name for folder in (tmp_path / "notes", tmp_path / "out") for p in folder.iterdir()]
    return sorted(n for n in names if n.endswith(".tmp") or n == buildlock.LOCK_NAME)


def test_killed_builds_leave_the_previous_deck_and_lock(tmp_path: Path) -> None:
    notes, deck, lock = tmp_path / "notes", tmp_path / "out" / "flashcards.apkg", tmp_path / "notes" / "flashcards.lock"
    write_version(notes, 0)
    assert run_cli("build", "notes", "-o", "out", cwd=tmp_path).returncode == 0
    write_version(notes, 1)
    started = time.monotonic()  # how long a rebuild takes here
    assert run_cli("build", "notes", "-o", "out", cwd=tmp_path).returncode == 0
    duration = time.monotonic() - started
    state = (1, 1)  # versions of the deck and the lock on disk
    rng = random.Random(20260122)
    outcomes = []
    # A random moment in each round's slice of the build: four slices cover
    # start-up, reading and parsing; six the end, where the deck and the lock
    # are written (and a little after it).
    slices = [(0.8 * i / 4, 0.8 * (i + 1) / 4) for i in range(4)]
    slices += [(0.8 + 0.6 * i / 6, 0.8 + 0.6 * (i + 1) / 6) for i in range(6)]
    rounds = len(slices)
    for round_, (low, high) in enumerate(slices, start=2):
        write_version(notes, round_)
        how = signal.SIGINT if round_ % 3 == 0 else signal.SIGKILL
        process = start_build(tmp_path)
        time.sleep(duration * rng.uniform(low, high))
        process.send_signal(how)
        _, stderr = process.communicate(timeout=120)
        if how == signal.SIGINT:
            # Ctrl-C: our message (130) during the build; typer's silent 130
            # around it (parsing options, printing the summary); Python's own
            # exit before the program started or while it ended; or it had finished.
            assert (process.returncode, stderr) in {(130, INTERRUPTED), (130, "")} or process.returncode in (0, -2), stderr
        now = deck_version(deck, tmp_path / f"check{round_}"), lock_version(lock, deck)
        # Each file is the previous one or this build's; and the lock is
        # never newer than the deck (the deck is written first).
        assert now[0] in (state[0], round_) and now[1] in (state[1], round_), (state, now)
        assert now[1] != round_ or now[0] == round_, now
        outcomes.append((how.name, process.returncode, now))
        state = now
    # Some kills came before the deck was written, some after.
    assert any(o[2][0] == r for r, o in enumerate(outcomes, 2)), outcomes
    assert any(o[2][0] != r for r, o in enumerate(outcomes, 2)), outcomes
    # The next build is not blocked by anything a killed one left; it brings
    # the deck and lock up to date and cleans up after the killed ones.
    result = run_cli("build", "notes", "-o", "out", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert deck_version(deck, tmp_path / "final") == lock_version(lock, deck) == rounds + 1
    assert leftovers(tmp_path) == []


def test_builds_started_together_do_not_corrupt_anything(tmp_path: Path) -> None:
    notes, deck, lock = tmp_path / "notes", tmp_path / "out" / "flashcards.apkg", tmp_path / "notes" / "flashcards.lock"
    write_version(notes, 0)
    assert run_cli("build", "notes", "-o", "out", cwd=tmp_path).returncode == 0
    write_version(notes, 1)
    processes = [start_build(tmp_path) for _ in range(3)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in processes]
    for p in processes:
        p.stdout.close()
        p.stderr.close()
    # The lock makes them take turns: every one succeeds (the later ones find
    # nothing left to change) and no file is mixed from two builds.
    assert results == [(0, "")] * 3
    assert deck_version(deck, tmp_path / "check") == lock_version(lock, deck) == 1
    assert leftovers(tmp_path) == []


def write_first(notes: Path, version: int) -> None:
    """A new version of the first note only: a rebuild patches the last deck."""
    write_notes(notes, {"topic00.md": "# Topic 0\n\n" + "".join(f"**Term 0-{j}**: meaning {j} v{version}\n\n" for j in range(TERMS))})


def first_versions(deck: Path, lock: Path, scratch: Path) -> tuple[int, int]:
    """The version the first note's cards carry in the deck (imported into a
    fresh collection, every card there) and in the lock."""
    scratch.mkdir(parents=True)
    col = Collection(str(scratch / "collection.anki2"))
    try:
        assert len(import_deck(col, deck).new) == FILES * TERMS == col.note_count()
        backs = [col.get_note(nid)["Back"] for nid in col.find_notes('"Front:*Term 0-*"')]
    finally:
        col.close()
    versions = {VERSION.search(t).group(1) for t in backs}
    assert len(backs) == TERMS and len(versions) == 1, versions
    in_lock = _lock_versions(lock, deck, "topic00.md:")
    assert len(in_lock) == 1, in_lock
    return int(versions.pop()), in_lock.pop()


def test_killed_patching_builds_leave_the_previous_deck_and_lock_and_a_patchable_state(tmp_path: Path) -> None:
    from flashcards.state.cache import CACHE_DIR
    from tests.conftest import run_build

    notes, deck, lock = tmp_path / "notes", tmp_path / "out" / "flashcards.apkg", tmp_path / "notes" / "flashcards.lock"
    write_version(notes, 0)
    assert run_cli("build", "notes", "-o", "out", cwd=tmp_path).returncode == 0
    write_first(notes, 1)
    started = time.monotonic()
    assert run_cli("build", "notes", "-o", "out", cwd=tmp_path).returncode == 0
    duration = time.monotonic() - started
    state, rng, outcomes = (1, 1), random.Random(20261122), []
    # A random moment in each round's slice: from start-up to past the end.
    slices = [(0.2 + 0.13 * i, 0.2 + 0.13 * (i + 1)) for i in range(10)]
    for round_, (low, high) in enumerate(slices, start=2):
        write_first(notes, round_)
        process = start_build(tmp_path)
        time.sleep(duration * rng.uniform(low, high))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=120)
        now = first_versions(deck, lock, tmp_path / f"check{round_}")
        assert now[0] in (state[0], round_) and now[1] in (state[1], round_), (state, now)
        assert now[1] != round_ or now[0] == round_, now
        outcomes.append(now)
        state = now
    assert any(o[0] == r for r, o in enumerate(outcomes, 2)), outcomes
    assert any(o[0] != r for r, o in enumerate(outcomes, 2)), outcomes

    # Whatever the kills left, the next build brings everything up to date and
    # the one after patches the deck to exactly the bytes of a whole build.
    assert run_cli("build", "notes", "-o", "out", cwd=tmp_path).returncode == 0
    twin = tmp_path / "twin"
    shutil.copytree(notes, twin / "notes")
    for folder in (notes, twin / "notes"):
        write_first(folder, 99)
    whole = run_build(twin / "notes", twin / "out", now=1_890_000_000, jobs=1, cache=False)
    patched = run_build(notes, tmp_path / "out", now=1_890_000_000)
    assert patched.patched and not whole.patched
    assert deck.read_bytes() == whole.deck_path.read_bytes() and lock.read_bytes() == (twin / "notes" / lockfile.LOCK_NAME).read_bytes()
    assert leftovers(tmp_path) == [] and not list((tmp_path / "out" / CACHE_DIR).glob("*.partial"))
