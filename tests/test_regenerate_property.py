"""Property: whatever sequence of edits, Anki ends up holding each current card
exactly once, with its current content, and nothing it held is lost."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from anki.collection import Collection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.state.reconcile import REMOVED_TAG
from tests.conftest import deck_notes, import_deck, run_build

WORDS = ["缓存", "索引", "事务", "锁", "分片", "副本", "日志", "快照", "routing", "quorum", "lease", "vector clock"]


@dataclass
class Notes:
    """A small model of a note file: sections holding term definitions."""

    sections: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    counter: int = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def markdown(self) -> str:
        out = ["# 分布式系统笔记", ""]
        for heading, items in self.sections:
            out += [f"## {heading}", ""]
            out += [f"- **{term}**：{body}" for term, body in items]
            out.append("")
        return "\n".join(out)


EDITS = st.sampled_from(["answer", "reword", "heading", "delete", "add", "swap", "move"])


def _apply(notes: Notes, edit: str, pick: int) -> None:
    sections = [s for s in notes.sections if s[1]]
    if not sections:
        edit = "add"
    if edit == "add":
        heading, items = notes.sections[pick % len(notes.sections)]
        items.append((notes.fresh("新概念") + WORDS[pick % len(WORDS)], notes.fresh("新的解释")))
        return
    heading, items = sections[pick % len(sections)]
    i = pick % len(items)
    term, body = items[i]
    if edit == "answer":
        items[i] = (term, body + "，" + notes.fresh("补充"))
    elif edit == "reword":
        items[i] = (term + "机制", body)
    elif edit == "heading":
        index = notes.sections.index((heading, items))
        notes.sections[index] = (notes.fresh("章节"), items)
    elif edit == "delete":
        del items[i]
    elif edit == "swap" and len(notes.sections) > 1:
        notes.sections.reverse()
    elif edit == "move" and len(notes.sections) > 1:
        del items[i]
        target = notes.sections[(notes.sections.index((heading, items)) + 1) % len(notes.sections)]
        target[1].append((term, body))


def _check(col: Collection, result, seen: dict[int, str], now: int) -> None:  # noqa: ANN001
    shipped = deck_notes(result.deck_path)  # (a build may patch the last deck: read what it holds)
    assert all(0 < mod <= now for _, _, mod in shipped.values()), "mod never 0, never in the future"
    current = {guid: fields for guid, (fields, tags, _) in shipped.items() if REMOVED_TAG not in tags}
    live = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        if REMOVED_TAG not in note.tags:
            assert note.guid not in live, "two live notes with one guid"
            live[note.guid] = note
    assert set(live) == set(current), "Anki holds exactly the current cards (others tagged removed)"
    for guid, fields in current.items():
        assert tuple(live[guid].fields) == fields, "current content arrived"
    for nid, guid in seen.items():
        assert col.get_note(nid).guid == guid, "no note is lost or replaced"
    seen.update({n.id: n.guid for n in live.values()})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(EDITS, st.integers(min_value=0, max_value=50)), min_size=1, max_size=6))
def test_random_edit_sequences_never_duplicate_or_lose_notes(edits: list[tuple[str, int]]) -> None:
    notes = Notes(
        sections=[
            ("一、基础", [("缓存", "用空间换时间"), ("索引", "加速查询的数据结构")]),
            ("二、进阶", [("分片", "把数据水平拆分"), ("副本", "同一数据的多份拷贝")]),
        ]
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        note_file = folder / "notes" / "distributed.md"
        note_file.parent.mkdir()
        col = Collection(str(folder / "collection.anki2"))
        try:
            seen: dict[int, str] = {}
            now = 1_790_000_000
            note_file.write_text(notes.markdown(), encoding="utf-8")
            result = run_build(note_file.parent, folder / "out", now=now)
            import_deck(col, result.deck_path)
            _check(col, result, seen, now)
            for edit, pick in edits:
                _apply(notes, edit, pick)
                note_file.write_text(notes.markdown(), encoding="utf-8")
                now += 60
                result = run_build(note_file.parent, folder / "out", now=now)
                import_deck(col, result.deck_path)
                _check(col, result, seen, now)
        finally:
            col.close()
