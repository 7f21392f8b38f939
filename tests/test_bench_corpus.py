"""The benchmark corpus: deterministic, and exercising every kind of card.

The benchmark (``python -m bench.run``) is only as good as its notes: they
must be the same on every machine, and they must make the extractors do all
the work real notes make them do. No timing here — figures live in the README.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.corpus import edit_one, edit_token, generate
from flashcards.extract import extract
from flashcards.model import Kind
from flashcards.parse import parse
from flashcards.reading import UnreadableNote, decode
from flashcards.state.reconcile import Status
from tests.conftest import FIXTURES, SAMPLE_NOTES, import_deck, run_build


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.md"))}


def test_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", 12, seed=7)
    generate(tmp_path / "b", 12, seed=7)
    generate(tmp_path / "c", 12, seed=8)
    a, b, c = (_tree(tmp_path / x) for x in "abc")
    assert a == b
    assert a != c


def test_a_small_corpus_is_the_start_of_a_large_one(tmp_path: Path) -> None:
    generate(tmp_path / "small", 4, seed=7)
    generate(tmp_path / "large", 9, seed=7)
    small, large = _tree(tmp_path / "small"), _tree(tmp_path / "large")
    assert small.items() <= large.items()


def test_notes_are_spread_over_folders_and_sized_like_real_notes(tmp_path: Path) -> None:
    paths = generate(tmp_path, 30)
    assert len({p.parent for p in paths}) >= 5
    sizes = sorted(p.stat().st_size for p in paths)
    assert sizes[0] >= 2_500 and sizes[len(sizes) // 2] <= 8_000 and sizes[-1] <= 12_000
    texts = [p.read_text(encoding="utf-8") for p in paths]
    for shape in ("## 一、", "**：", "| 对比维度 |", "### 真题示例1：", "- 选项A：", "## 总结：",
                  "1. ", "\n=====", "**: ", "Answer: ", "→ wrong"):
        assert any(shape in t for t in texts), shape


def test_edit_one_changes_one_answer_in_one_note(tmp_path: Path) -> None:
    generate(tmp_path / "a", 10)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    before = _tree(tmp_path / "a")
    edited = edit_one(tmp_path / "a", seed=3)
    assert edit_one(tmp_path / "b", seed=3) == tmp_path / "b" / edited.relative_to(tmp_path / "a")
    after = _tree(tmp_path / "a")
    assert after == _tree(tmp_path / "b")
    changed = [name for name in after if after[name] != before[name]]
    assert changed == [edited.relative_to(tmp_path / "a").as_posix()]
    old_lines = before[changed[0]].decode().split("\n")
    new_lines = after[changed[0]].decode().split("\n")
    diff = [(o, n) for o, n in zip(old_lines, new_lines, strict=True) if o != n]
    assert len(diff) == 1 and edit_token(3) in diff[0][1]


def _kinds_the_extractors_find() -> set[Kind]:
    """Every kind of card the extractors make from the sample notes and fixtures."""
    kinds: set[Kind] = set()
    for path in [*SAMPLE_NOTES.glob("*.md"), *FIXTURES.rglob("*.md")]:
        try:
            text = decode(path.read_bytes()).text
        except UnreadableNote:
            continue
        kinds |= {f.kind for f in extract(parse(text, path.name)).facts}
    return kinds


def test_five_notes_build_cards_of_every_kind_and_import_into_anki(tmp_path: Path, collection) -> None:  # noqa: ANN001
    generate(tmp_path / "notes", 5)
    result = run_build(tmp_path / "notes", tmp_path / "out", now=1_790_000_000)
    expected = _kinds_the_extractors_find()
    assert {Kind.DEFINITION, Kind.MEMORY, Kind.LIST, Kind.PROCEDURE} <= expected
    assert expected <= set(result.cards_by_kind())
    assert not result.warnings
    import_deck(collection, result.deck_path)
    assert collection.note_count() == len(result.cards)
    # An edit reaches the deck as one updated card.
    edit_one(tmp_path / "notes", seed=1)
    again = run_build(tmp_path / "notes", tmp_path / "out", now=1_790_000_100)
    assert again.plan.count(Status.UPDATED) == 1
    assert again.plan.count(Status.UNCHANGED) == len(result.cards) - 1 == sum(again.cards_by_kind().values()) - 1
    import_deck(collection, again.deck_path)
    found = collection.find_notes(f'"{edit_token(1)}"')
    assert len(found) == 1 and collection.note_count() == len(result.cards)
