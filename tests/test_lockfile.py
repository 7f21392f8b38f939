"""The lock file read a line at a time: fields stay in the file until asked for."""

from __future__ import annotations

import json
from pathlib import Path

from flashcards.state import lockfile
from flashcards.state.lockfile import Lock, LockedCard

CARDS = tuple(
    LockedCard(
        guid=f"g{i}", identity=f"a.md\x1f标题\x1fdefinition\x1fterm {i}", kind="definition", hash=f"{i:032x}",
        mod=1_790_000_000 + i, source=f"a.md:{i + 3}", deck="Flashcards::A", label=f"术语 {i}",
        fields=(f"<b>term {i}</b>", f"含义 {i}, \"quoted\"\n", "", f"a.md:{i + 3}", "", "", "zh-Hans"),
        tags=("kind::definition", f"t{i}"), removed=0 if i % 3 else 1_790_000_500,
    )
    for i in range(5)
)


def test_a_saved_lock_reads_back_without_fields_and_saves_to_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / lockfile.LOCK_NAME
    lock = Lock(created=1_790_000_000, note_types=((1, "h", 2),), cards=CARDS)
    lockfile.save(path, lock)
    written = path.read_bytes()

    loaded = lockfile.load(path)
    assert loaded is not None and all(c.fields is None for c in loaded.cards)
    assert [loaded.fields_of(c) for c in loaded.cards] == [c.fields for c in CARDS]
    assert [c.guid for c in loaded.cards] == [c.guid for c in CARDS]
    assert lockfile.dumps(loaded, loaded) == written  # lines copied from the file as they were

    # One card changed: the others are copied, the changed one written anew.
    changed = LockedCard(**{**{n: getattr(loaded.cards[1], n) for n in lockfile._CARD_FIELDS}, "mod": 1, "fields": ("x",) * 7})
    lockfile.save(path, Lock(loaded.created, loaded.note_types, (loaded.cards[0], changed, *loaded.cards[2:])), loaded)
    again = lockfile.load(path)
    assert again is not None
    assert [again.fields_of(c) for c in again.cards] == [CARDS[0].fields, ("x",) * 7, *(c.fields for c in CARDS[2:])]


def test_a_lock_laid_out_by_hand_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / lockfile.LOCK_NAME
    lockfile.save(path, Lock(created=1, cards=CARDS))
    path.write_text(json.dumps(json.loads(path.read_text("utf-8")), indent=4, ensure_ascii=False), "utf-8")
    loaded = lockfile.load(path)
    assert loaded is not None and [c.fields for c in loaded.cards] == [c.fields for c in CARDS]


def test_an_empty_lock_reads_back(tmp_path: Path) -> None:
    path = tmp_path / lockfile.LOCK_NAME
    lockfile.save(path, Lock(created=7))
    assert lockfile.load(path) == Lock(created=7)


def _card(path: str, n: int) -> LockedCard:
    return LockedCard(
        guid=f"{path}-{n}", identity=f"{path}\x1fh\x1fdefinition\x1fterm {n}", kind="definition", hash="0" * 32,
        mod=1, source=f"{path}:{n}", deck="D", label=f"t{n}", fields=(f"f{n}",) * 7, tags=(),
    )


def test_a_note_files_block_is_found_by_bisection_and_replaced_to_the_bytes_of_a_whole_save(tmp_path: Path) -> None:
    # Paths that are prefixes of one another, non-ASCII, one card or many.
    paths = ["a.md", "a.md.bak", "a/b.md", "b.md", "笔记/网络.md", "z.md"]
    cards = tuple(_card(p, n) for i, p in enumerate(paths) for n in range(1 + 7 * i % 5))
    path = tmp_path / lockfile.LOCK_NAME
    lock = Lock(created=5, note_types=((1, "h", 2),), cards=cards)
    lockfile.save(path, lock)
    asked = [*paths, "missing.md", "a", ""]
    blocks = lockfile.load_blocks(path, asked)
    assert blocks is not None
    for rel, block in zip(asked, blocks, strict=True):
        mine = sorted((c for c in cards if c.identity.startswith(rel + "\x1f")), key=lambda c: c.identity)
        assert [c.guid for c in block.lock.cards] == [c.guid for c in mine], rel
        assert [block.lock.fields_of(c) for c in block.lock.cards] == [c.fields for c in mine]

    # Two blocks replaced, one card of them as read: the bytes a whole save of the changed lock writes.
    first, second = blocks[1], blocks[4]
    original = {c.guid: c for c in cards}
    new_first = tuple(LockedCard(**{**_fields(original[c.guid]), "mod": 9}) for c in first.lock.cards)
    renamed = tuple(LockedCard(**{**_fields(original[c.guid]), "label": "x"}) for c in second.lock.cards[1:])
    whole = tmp_path / "whole.lock"
    by_guid = {c.guid: c for c in (*new_first, *renamed)}
    lockfile.save(whole, Lock(5, ((1, "h", 2),), tuple(by_guid.get(c.guid, c) for c in cards)))
    head = (5, ((1, "h", 2),))
    lockfile.save_blocks(path, [
        (second, Lock(*head, (second.lock.cards[0], *renamed))), (first, Lock(*head, new_first)),
    ])
    assert path.read_bytes() == whole.read_bytes()


def _fields(card: LockedCard) -> dict:
    return {n: getattr(card, n) for n in lockfile._CARD_FIELDS}


def test_an_empty_lock_has_empty_blocks(tmp_path: Path) -> None:
    path = tmp_path / lockfile.LOCK_NAME
    lockfile.save(path, Lock(created=7))
    blocks = lockfile.load_blocks(path, ["a.md"])
    assert blocks is not None and blocks[0].lock.cards == ()
