"""Parallel and cached builds give exactly the bytes of a clean serial build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.corpus import add_one, edit_one, generate, remove_one
from flashcards import notes
from flashcards.errors import StrictModeError
from flashcards.state.reconcile import Status
from tests.conftest import import_deck, run_build

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


NET = """# Networking

## Terms

**Subnet**：a smaller network inside a larger one.

**Gateway**：the router that connects a subnet to others.

**Topology**：![net](img/x.png) two subnets, and ![gone](img/gone.png) one missing.

| Protocol | Port |
|---|---|
| HTTP | 80 |
| SSH | 22 |
"""


NEW, UPD, REN, REM = Status.NEW, Status.UPDATED, Status.RENAMED, Status.REMOVED


NET2 = "# Networking\n\n## Devices\n\n**Hub**：repeats every frame to every port.\n"


def _generated(vault: Path) -> Path:
    """A folder of generated notes (not net.md or net2.md)."""
    return min(p for p in (vault / "notes").iterdir() if p.is_dir() and p.name != "img")


def _move_card(vault: Path) -> None:
    """Move the Subnet card from net.md to net2.md, under the same headings."""
    card = "**Subnet**：a smaller network within a larger one."
    _rewrite(vault, card, "")
    path = vault / "notes" / "net2.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n## Key terms\n\n{card}\n", encoding="utf-8")


def _rewrite(vault: Path, old: str, new: str, note: str = "net.md") -> None:
    path = vault / "notes" / note
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_an_edit_to_what_cards_say_patches_the_last_deck_to_the_bytes_of_a_whole_build(
    tmp_path: Path, collection
) -> None:
    a, b = _twin_vaults(tmp_path, notes.PARALLEL_FROM + 4)
    for vault in (a, b):
        (vault / "notes" / "net.md").write_text(NET, encoding="utf-8")
        (vault / "notes" / "net2.md").write_text(NET2, encoding="utf-8")
        (vault / "notes" / "img").mkdir()
        (vault / "notes" / "img" / "x.png").write_bytes(b"\x89PNG one")
    run_build(a / "notes", a / "out", now=NOW, jobs=1, cache=False)
    run_build(b / "notes", b / "out", now=NOW)
    _same_output(a, b)
    import_deck(collection, b / "out" / "flashcards.apkg")
    before = collection.note_count()

    # (edit, patched?, changes {status: cards}): each built whole in a, cached in b, at the same moment.
    steps = [
        (lambda v: _rewrite(v, "inside a larger one", "carved out of a larger one"), True, {UPD: 1}),
        (lambda v: _rewrite(v, "| SSH | 22 |", "| SSH | 2222 |"), True, {UPD: 2}),  # both rows show the table
        (lambda v: _rewrite(v, "two subnets", "two linked subnets"), True, {UPD: 1}),  # a card with images
        # The same images in the note, one no longer on a card: the deck ships fewer.
        (lambda v: _rewrite(v, "**Topology**：![net](img/x.png)", "![net](img/x.png)\n\n**Topology**："), False, {}),
        (lambda v: edit_one(v / "notes", seed=3), True, {UPD: 1}),  # a generated note
        (lambda v: {edit_one(v / "notes", seed=s) for s in (4, 5)}, True, {UPD: 2}),  # two notes
        (lambda v: _rewrite(v, "# Networking\n", "# Networking\n\n\n"), True, {}),  # cards only moved
        (lambda v: _rewrite(v, "| Protocol", "**Switch**：forwards frames.\n\n| Protocol"), True, {NEW: 1}),  # added
        (lambda v: _rewrite(v, "## Terms", "## Key terms"), True, {REN: 6}),  # renamed cards
        (lambda v: _rewrite(v, "**Gateway**：the router that connects a subnet to others.", ""), True, {REM: 1}),
        (lambda v: _rewrite(v, "carved out of", "within"), True, {UPD: 1}),  # (and the removed card dropped)
        (lambda v: _rewrite(v, "frames.", "frames between ports."), True, {UPD: 1}),
        (lambda v: add_one(_generated(v), seed=1), True, {NEW: 1}),  # a generated note
        (lambda v: remove_one(_generated(v), seed=1), True, {REM: 1}),
        (lambda v: None, True, {}),  # nothing else: the removed card is dropped from the deck
        # The removed Gateway back: its old guid, restored.
        (lambda v: _rewrite(v, "**Switch**", "**Gateway**：the router that connects a subnet to others.\n\n**Switch**"),
         True, {UPD: 1}),
        # Two cards trade places within the note: only their order in the deck changes.
        (lambda v: _rewrite(v, "**Switch**：forwards frames between ports.", "")
         or _rewrite(v, "**Subnet**", "**Switch**：forwards frames between ports.\n\n**Subnet**"), True, {}),
        (lambda v: add_one(_generated(v), seed=2) and remove_one(_generated(v), seed=3),
         True, {NEW: 1, REM: 1}),  # in two notes at once
        # A card moved to another note: matched across notes, so built whole.
        (lambda v: _move_card(v), False, {}),
        (lambda v: (v / "out" / ".flashcards-cache" / "flashcards.apkg.anki2").unlink(missing_ok=True), False, {}),
    ]
    for step, (edit, patched, changes) in enumerate(steps, start=1):
        for vault in (a, b):
            edit(vault)
        whole = run_build(a / "notes", a / "out", now=NOW + step, jobs=1, cache=False)
        result = run_build(b / "notes", b / "out", now=NOW + step)
        assert (step, result.patched, result.warnings) == (step, patched, whole.warnings)
        if patched:
            counts = {s: result.plan.count(s) for s in Status if s is not Status.UNCHANGED and result.plan.count(s)}
            assert (step, counts) == (step, changes)
            assert (step, {s: whole.plan.count(s) for s in Status}) == (step, {s: result.plan.count(s) for s in Status})
            assert (step, result.written) == (step, whole.written)
        _same_output(a, b)

    # Anki takes the patched deck as it takes any rebuild: notes updated in place.
    log = import_deck(collection, b / "out" / "flashcards.apkg")
    # New: Switch and two generated cards (the cards removed are only tagged removed).
    assert collection.note_count() == before + 3 and len(log.new) == 3
    fields = [collection.get_note(n).fields for n in collection.find_notes("within")]
    assert len(fields) == 1 and "2222" not in fields[0][1]


def test_an_edit_that_adds_a_warning_patches_nothing_under_strict(tmp_path: Path) -> None:
    vault = tmp_path / "notes"
    vault.mkdir()
    (vault / "net.md").write_text(NET, encoding="utf-8")
    run_build(vault, tmp_path / "out", now=NOW)
    deck = (tmp_path / "out" / "flashcards.apkg").read_bytes()
    (vault / "net.md").write_text(NET.replace("inside", "within") + "\n```\nunclosed\n", encoding="utf-8")
    with pytest.raises(StrictModeError, match="never closed"):
        run_build(vault, tmp_path / "out", now=NOW + 1, strict=True)
    assert (tmp_path / "out" / "flashcards.apkg").read_bytes() == deck
    result = run_build(vault, tmp_path / "out", now=NOW + 2)
    assert result.patched and result.written and any("never closed" in str(w) for w in result.warnings)
    again = run_build(vault, tmp_path / "out", now=NOW + 3)
    assert again.up_to_date and again.warnings == result.warnings


def test_another_version_of_the_program_builds_the_deck_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flashcards.state import cache

    vault = tmp_path / "notes"
    vault.mkdir()
    (vault / "net.md").write_text(NET, encoding="utf-8")
    run_build(vault, tmp_path / "out", now=NOW)
    # Every note reads as changed (its cache key holds the program's version);
    # the deck's kept database is another version's work: not patched.
    monkeypatch.setattr(cache, "code_version", lambda: "another version")
    result = run_build(vault, tmp_path / "out", now=NOW + 1)
    assert not result.patched and not result.up_to_date
    (vault / "net.md").write_text(NET.replace("inside", "within"), encoding="utf-8")
    assert run_build(vault, tmp_path / "out", now=NOW + 2).patched  # (its own, next time)


def test_ids_pushed_along_by_a_shared_home_are_patched_only_when_no_other_id_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashcards import package

    # 263 notes and 316 cards, each among 2,048 homes: ids pushed along, so
    # adding or removing a card often would move another's.
    monkeypatch.setattr(package, "SPREAD", 1 << 11)
    a, b = _twin_vaults(tmp_path, 6)
    run_build(a / "notes", a / "out", now=NOW, jobs=1, cache=False)
    run_build(b / "notes", b / "out", now=NOW)
    _same_output(a, b)
    patched = []
    steps = [*(lambda v, s=s: add_one(v / "notes", seed=s) for s in range(1, 5)),
             *(lambda v, s=s: remove_one(v / "notes", seed=s) for s in range(1, 5))]
    for step, edit in enumerate(steps, start=1):
        for vault in (a, b):
            edit(vault)
        run_build(a / "notes", a / "out", now=NOW + step, jobs=1, cache=False)
        patched.append(run_build(b / "notes", b / "out", now=NOW + step).patched)
        _same_output(a, b)
    assert True in patched and False in patched  # (both ways taken: the check is exercised)


STEPS = """# Glycolysis

## Steps of glycolysis

1. Hexokinase traps **glucose** as glucose-6-phosphate
2. Phosphofructokinase commits **the pathway**
3. Pyruvate kinase makes **pyruvate**
"""


def test_an_item_added_to_or_removed_from_a_list_note_patches_its_cards(tmp_path: Path) -> None:
    a, b = _twin_vaults(tmp_path, 3)
    for vault in (a, b):
        (vault / "notes" / "steps.md").write_text(STEPS, encoding="utf-8")
    run_build(a / "notes", a / "out", now=NOW, jobs=1, cache=False)
    run_build(b / "notes", b / "out", now=NOW)
    item = "2. Aldolase splits **fructose-1,6-bisphosphate**\n"
    steps = [
        lambda v: _rewrite(v, "3. Pyruvate", item.replace("2.", "3.") + "4. Pyruvate", note="steps.md"),  # a card more
        lambda v: _rewrite(v, "2. Phosphofructokinase commits **the pathway**\n", "", note="steps.md"),  # one fewer
    ]
    for step, edit in enumerate(steps, start=1):
        for vault in (a, b):
            edit(vault)
        whole = run_build(a / "notes", a / "out", now=NOW + step, jobs=1, cache=False)
        result = run_build(b / "notes", b / "out", now=NOW + step)
        assert result.patched and result.plan.count(Status.UPDATED) == whole.plan.count(Status.UPDATED) == 1
        _same_output(a, b)
