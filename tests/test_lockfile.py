"""The lock file: one line a card, sorted, no fields; older locks read and rewritten."""

from __future__ import annotations

import dataclasses
import difflib
import json
from pathlib import Path

from flashcards.state import lockfile
from flashcards.state.lockfile import Lock, LockedCard
from flashcards.state.sketch import card_text, sketch

CARDS = tuple(
    LockedCard(
        guid=f"g{i}", identity=f"a.md\x1f标题 › 小节\x1fdefinition\x1fterm {i}", hash=f"{i:016x}",
        mod=1_790_000_000 + i, line=i + 3, deck="Flashcards::A", sketch=sketch(f"term {i} 含义 {i}"),
        removed=0 if i % 3 else 1_790_000_500, clozes=("一", "", "三") if i == 4 else (), two_way=i in (1, 3),
    )
    for i in range(5)
)


def test_a_saved_lock_reads_back_and_saves_to_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / lockfile.LOCK_NAME
    lock = Lock(created=1_790_000_000, note_types=((1, "h", 2),), cards=CARDS)
    lockfile.save(path, lock)
    written = path.read_bytes()

    loaded = lockfile.load(path)
    assert loaded == lock and not loaded.older
    assert lockfile.dumps(loaded) == written
    lines = written.decode().splitlines()
    assert len(lines) == 2 + len(CARDS)  # the head, the file's line, a line for each card
    assert json.loads(lines[1]) == {"file": "a.md", "deck": "Flashcards::A"}
    assert loaded.cards[1].label == "小节 › term 1" and loaded.cards[1].source == "a.md:4"


def test_a_one_card_edit_is_a_one_line_diff(tmp_path: Path) -> None:
    path = tmp_path / lockfile.LOCK_NAME
    lockfile.save(path, Lock(created=1, cards=CARDS))
    before = path.read_text("utf-8").splitlines()
    edited = dataclasses.replace(CARDS[2], hash="f" * 16, mod=1_790_009_999, sketch=sketch("term 2 另一个含义"))
    lockfile.save(path, Lock(created=1, cards=(*CARDS[:2], edited, *CARDS[3:])))
    after = path.read_text("utf-8").splitlines()
    changed = [d for d in difflib.unified_diff(before, after, n=0, lineterm="") if d[:1] in "+-" and d[:3] not in ("+++", "---")]
    assert len(changed) == 2 and changed[0].startswith("-") and changed[1].startswith("+"), changed
    assert '"g2"' in changed[0] and '"g2"' in changed[1]


def test_cards_are_sorted_whatever_order_they_come_in(tmp_path: Path) -> None:
    one, two = tmp_path / "one.lock", tmp_path / "two.lock"
    lockfile.save(one, Lock(created=1, cards=CARDS))
    lockfile.save(two, Lock(created=1, cards=tuple(reversed(CARDS))))
    assert one.read_bytes() == two.read_bytes()


def test_an_empty_lock_reads_back(tmp_path: Path) -> None:
    path = tmp_path / lockfile.LOCK_NAME
    lockfile.save(path, Lock(created=7))
    assert lockfile.load(path) == Lock(created=7)


def test_a_version_1_lock_is_read_with_every_guid_and_saved_in_this_version(tmp_path: Path) -> None:
    fields = ["<ul><li>{{c1::甲}}</li><li>{{c2::乙}}</li></ul>", "", "ctx", "a.md:3", "", "", "zh-Hans"]
    entry = {
        "guid": "G1", "identity": "a.md\x1fh\x1flist\x1f步骤", "kind": "list", "hash": "ab" * 16, "mod": 5,
        "source": "a.md:3", "deck": "D", "label": "h › 步骤", "fields": fields, "tags": ["t"], "removed": 0,
    }
    path = tmp_path / lockfile.LOCK_NAME
    path.write_text(json.dumps({"version": 1, "created": 1, "note_types": [[1, "h", 2]], "cards": [entry]}), "utf-8")
    old = lockfile.load(path)
    assert old is not None and old.older
    (card,) = old.cards
    assert (card.guid, card.identity, card.mod, card.line, card.deck) == ("G1", entry["identity"], 5, 3, "D")
    assert card.hash == "ab" * 8 and card.clozes == ("甲", "乙")  # (numbered by position, as its Text shows)
    assert card.sketch == sketch(card_text(fields))

    lockfile.save(path, old, loaded=old)  # rewritten even though nothing changed
    again = lockfile.load(path)
    assert again == old and not again.older
    assert path.read_text("utf-8").startswith('{"version":2,')


def _card(path: str, n: int) -> LockedCard:
    return LockedCard(
        guid=f"{path}-{n}", identity=f"{path}\x1fh\x1fdefinition\x1fterm {n}", hash="0" * 16,
        mod=1, line=n, deck="D", sketch=sketch(f"t{n}"),
    )


def test_a_note_files_block_is_found_and_replaced_to_the_bytes_of_a_whole_save(tmp_path: Path) -> None:
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
        assert block.lock.cards == tuple(mine)

    # Two blocks replaced, one card of them as read: the bytes a whole save of the changed lock writes.
    first, second = blocks[1], blocks[4]
    new_first = tuple(dataclasses.replace(c, mod=9) for c in first.lock.cards)
    renamed = tuple(dataclasses.replace(c, line=99) for c in second.lock.cards[1:])
    whole = tmp_path / "whole.lock"
    by_guid = {c.guid: c for c in (*new_first, *renamed)}
    lockfile.save(whole, Lock(5, ((1, "h", 2),), tuple(by_guid.get(c.guid, c) for c in cards)))
    head = (5, ((1, "h", 2),))
    lockfile.save_blocks(path, [
        (second, Lock(*head, (second.lock.cards[0], *renamed))), (first, Lock(*head, new_first)),
    ])
    assert path.read_bytes() == whole.read_bytes()


def test_an_empty_lock_has_empty_blocks(tmp_path: Path) -> None:
    path = tmp_path / lockfile.LOCK_NAME
    lockfile.save(path, Lock(created=7))
    blocks = lockfile.load_blocks(path, ["a.md"])
    assert blocks is not None and blocks[0].lock.cards == ()
