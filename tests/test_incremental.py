"""Parallel and cached builds give exactly the bytes of a clean serial build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.corpus import edit_one, generate
from flashcards import notes
from flashcards.errors import StrictModeError
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
    assert again.up_to_date and not again.written
    assert again.plan.count(Status.UNCHANGED) == sum(again.cards_by_kind().values()) > count
    _same_output(a, b)

    # One note edited: the cached build reads only it, and still matches.
    for vault in (a, b):
        edit_one(vault / "notes", seed=3)
    run_build(a / "notes", a / "out", now=NOW + 20, **serial)
    edited = run_build(b / "notes", b / "out", now=NOW + 20, **parallel)
    assert edited.written and edited.plan.count(Status.UPDATED) == 1
    _same_output(a, b)


def _up_to_date(vault: Path, now: int) -> bool:
    return run_build(vault / "notes", vault / "out", now=now).up_to_date


def test_a_build_is_up_to_date_only_while_nothing_it_reads_or_writes_changed(tmp_path: Path) -> None:
    a, b = _twin_vaults(tmp_path, 3)
    for vault in (a, b):
        (vault / "notes" / "img").mkdir()
        (vault / "notes" / "img" / "x.png").write_bytes(b"\x89PNG one")
        with (vault / "notes" / "pics.md").open("w", encoding="utf-8") as fh:
            fh.write("# Pics\n\n**Topology**：![net](img/x.png) two subnets\n")
    run_build(a / "notes", a / "out", now=NOW, jobs=1, cache=False)
    first_lock = (a / "notes" / "flashcards.lock").read_bytes()
    assert not _up_to_date(b, NOW)
    assert _up_to_date(b, NOW + 1)
    _same_output(a, b)

    def changed(vault: Path) -> None:  # each change: not up to date once, the same bytes as a clean build
        run_build(vault / "notes", vault / "out", now=NOW + 2, jobs=1, cache=False)

    for change in (
        lambda v: (v / "notes" / "img" / "x.png").write_bytes(b"\x89PNG two"),  # an image, not a note
        lambda v: (v / "out" / "flashcards.apkg").unlink(),  # the deck
        lambda v: (v / "out" / "flashcards.apkg").write_bytes(b"damaged"),
        lambda v: (v / "notes" / "flashcards.lock").write_bytes(first_lock),  # the lock (restored from git)
        lambda v: (v / "notes" / "pics.md").unlink(),  # a note removed: tagged once, then a tombstone
    ):
        for vault in (a, b):
            change(vault)
        changed(a)
        assert not _up_to_date(b, NOW + 2)
        _same_output(a, b)
    assert not _up_to_date(b, NOW + 3)  # the removed card's tombstone
    changed(a)  # (a clean build at the same moment)
    assert _up_to_date(b, NOW + 3)
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


def test_an_up_to_date_build_repeats_its_warnings_and_strict_still_fails(tmp_path: Path) -> None:
    vault = tmp_path / "notes"
    vault.mkdir()
    (vault / "net.md").write_text("# Net\n\n**Topology**：![net](img/gone.png) two subnets\n", encoding="utf-8")
    first = run_build(vault, tmp_path / "out", now=NOW)
    again = run_build(vault, tmp_path / "out", now=NOW + 1)
    assert again.up_to_date and again.warnings == first.warnings
    assert "image not found" in str(again.warnings[0])
    with pytest.raises(StrictModeError):
        run_build(vault, tmp_path / "out", now=NOW + 2, strict=True)


def test_a_changed_setting_or_a_dry_run_reads_the_notes_again(tmp_path: Path) -> None:
    from flashcards.config import Config, TagSettings

    generate(tmp_path / "notes", 2)
    out = tmp_path / "out"
    run_build(tmp_path / "notes", out, now=NOW)
    assert run_build(tmp_path / "notes", out, now=NOW).up_to_date
    assert not run_build(tmp_path / "notes", out, now=NOW, dry_run=True).up_to_date
    other = Config(tags=TagSettings(kind="type"))
    rebuilt = run_build(tmp_path / "notes", out, now=NOW + 1, config=other)
    assert not rebuilt.up_to_date and rebuilt.written
    assert all(any(t.startswith("type::") for t in c.tags) for c in rebuilt.cards)
    assert run_build(tmp_path / "notes", out, now=NOW + 2, config=other).up_to_date
