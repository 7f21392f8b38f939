"""Parallel and cached builds give exactly the bytes of a clean serial build."""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.corpus import edit_one, generate
from flashcards import notes
from flashcards.reconcile import Status
from tests.conftest import run_build

NOW = 1_790_000_000


def _twin_vaults(tmp_path: Path, count: int) -> tuple[Path, Path]:
    generate(tmp_path / "a" / "notes", count)
    shutil.copytree(tmp_path / "a" / "notes", tmp_path / "b" / "notes")
    return tmp_path / "a", tmp_path / "b"


def _same_output(a: Path, b: Path) -> None:
    assert (a / "out" / "flashcards.apkg").read_bytes() == (b / "out" / "flashcards.apkg").read_bytes()
    assert (a / "notes" / "flashcards.lock").read_bytes() == (b / "notes" / "flashcards.lock").read_bytes()


def test_parallel_cached_builds_match_a_clean_serial_build(tmp_path: Path) -> None:
    count = notes.PARALLEL_FROM + 4  # enough notes for worker processes
    a, b = _twin_vaults(tmp_path, count)
    serial = dict(jobs=1, cache=False)
    parallel = dict(jobs=2, cache=True)

    run_build(a / "notes", a / "out", now=NOW, **serial)
    run_build(b / "notes", b / "out", now=NOW, **parallel)
    _same_output(a, b)

    # Nothing changed: the cached build rewrites nothing and reports nothing new.
    again = run_build(b / "notes", b / "out", now=NOW + 10, **parallel)
    assert not again.written and again.plan.count(Status.UNCHANGED) == len(again.cards)
    _same_output(a, b)

    # One note edited: the cached build reads only it, and still matches.
    for vault in (a, b):
        edit_one(vault / "notes", seed=3)
    run_build(a / "notes", a / "out", now=NOW + 20, **serial)
    edited = run_build(b / "notes", b / "out", now=NOW + 20, **parallel)
    assert edited.written and edited.plan.count(Status.UPDATED) == 1
    _same_output(a, b)


def test_a_damaged_cache_is_recomputed_not_trusted(tmp_path: Path) -> None:
    a, b = _twin_vaults(tmp_path, 3)
    run_build(a / "notes", a / "out", now=NOW, jobs=1, cache=False)
    run_build(b / "notes", b / "out", now=NOW, jobs=1)
    cached = sorted((b / "out" / ".flashcards-cache").glob("*.pickle"))
    assert len(cached) == 3
    cached[0].write_bytes(b"not a pickle")
    (b / "out" / "flashcards.apkg").unlink()
    run_build(b / "notes", b / "out", now=NOW + 10, jobs=1)
    _same_output(a, b)
