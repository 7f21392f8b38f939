"""Cards written in other flashcard tools' syntax become the cards their authors meant.

Fixtures in ``tests/fixtures/explicit/`` (invented notes in each tool's
syntax) are built through the real pipeline and imported into Anki.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from anki.collection import Collection

from tests.conftest import FIXTURES, import_deck, run_build

EXPLICIT = FIXTURES / "explicit"


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _cards(tmp_path: Path, name: str) -> dict[str, tuple[str, str]]:
    """Each card of one fixture: plain question → (kind, plain answer or cloze text)."""
    notes = tmp_path / "notes"
    notes.mkdir(exist_ok=True)
    shutil.copy(EXPLICIT / name, notes / name)
    result = run_build(notes, tmp_path / "out", dry_run=True)
    out = {}
    for card in result.cards:
        if card.kind.is_cloze:
            out[_plain(card.fields[0])] = (card.kind.value, _plain(card.fields[0]))
        else:
            out[_plain(card.fields[0])] = (card.kind.value, _plain(card.fields[1]))
    return out


def test_obsidian_spaced_repetition_cards(tmp_path: Path) -> None:
    cards = _cards(tmp_path, "sr.md")
    assert cards["Default TTL on Linux"] == ("question", "64")
    assert cards["Ethernet MTU"] == ("question", "1500 bytes")
    assert cards["Which port does DNS use?"] == ("question", "53, over UDP and TCP")
    # The scheduling comments are never shown.
    assert not any("SR:" in q or "SR:" in a for q, (_, a) in cards.items())


def test_double_colons_in_code_and_names_are_no_card_in_an_ordinary_note(tmp_path: Path) -> None:
    cards = _cards(tmp_path, "plain.md")
    assert cards["Default gateway"] == ("question", "10.0.0.1")  # spaced: written as a card
    assert not any("vector" in q or "std" in q or "fe80" in q for q in cards)


def test_obsidian_to_anki_blocks_and_flashcard_lines(tmp_path: Path) -> None:
    cards = _cards(tmp_path, "o2a.md")
    assert cards["What is the molar volume of an ideal gas at STP?"] == ("question", "22.7 dm³ per mole")
    assert cards["Who proposed the atomic model with a nucleus?"] == ("question", "Ernest Rutherford")
    assert cards["溶解度"] == ("question", "solubility")
    # The deck line is not a card; the ID comments are never shown.
    assert not any("TARGET" in q or "ID:" in q or "ID:" in a for q, (_, a) in cards.items())
    cloze = [text for kind, text in cards.values() if kind == "memory"]
    assert cloze == ["The noble gases sit in group {{c1::18}} and are {{c2::inert::reactivity}}."]


def test_logseq_card_blocks(tmp_path: Path) -> None:
    cards = _cards(tmp_path, "logseq.md")
    assert cards["What is an isotope?"] == ("question", "Atoms of one element with different numbers of neutrons")
    assert len(cards) == 1


def test_explicit_cards_import_into_anki_with_their_cloze_numbers_and_hints(tmp_path: Path, collection: Collection) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(EXPLICIT, notes)
    result = run_build(notes, tmp_path / "out")
    log = import_deck(collection, result.deck_path)
    assert len(log.new) == len(result.cards) == 9
    cloze = [collection.get_note(n) for n in collection.find_notes("note:*Cloze")]
    assert len(cloze) == 1
    cards = sorted(cloze[0].cards(), key=lambda c: c.ord)
    assert [c.ord for c in cards] == [0, 1]  # c1 and c2, as written
    assert "reactivity" in cards[1].question()  # the hint shows where the deletion is
    for cid in collection.find_cards(""):
        card = collection.get_card(cid)
        assert _plain(card.question()) and _plain(card.answer())


def test_notes_and_lines_switched_off_by_their_author_give_no_card(tmp_path: Path, collection: Collection) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "draft.md").write_text("---\nflashcards: false\n---\n**Draft term**: not ready\n", encoding="utf-8")
    (notes / "mixed.md").write_text(
        "# Mixed\n\n**Kept**: a card\n\n<!-- flashcards: off -->\n**Hidden**: no card\n\nHidden question::no card\n"
        "<!-- flashcards: on -->\n\n**Also kept**: a card\n",
        encoding="utf-8",
    )
    result = run_build(notes, tmp_path / "out")
    assert sorted(c.label for c in result.cards) == ["Also kept", "Kept"]
    assert sorted((x.path, x.line, x.reason) for x in result.left_out) == [
        ("draft.md", 1, "switched off by the author"), ("mixed.md", 5, "switched off by the author"),
    ]
    log = import_deck(collection, result.deck_path)
    assert len(log.new) == 2
