"""Cards written in other flashcard tools' syntax become the cards their authors meant.

Fixtures in ``tests/fixtures/explicit/`` (invented notes in each tool's
syntax) are built through the real pipeline and imported into Anki.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from anki.cards import Card as AnkiCard
from anki.collection import Collection

from flashcards.build import BuildResult
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
    assert len(log.new) == len(result.cards) == 23
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


# ------------------------------------------- asked both ways; deck tags (issue 16)

T0 = 1_790_000_000


def _sides(card: AnkiCard) -> tuple[str, str]:
    """What a card asks and what its back shows under the answer line, as plain text
    (the breadcrumb and source left out; a back hidden by card.css left out too)."""
    question = card.question()
    answer = card.answer().split('<hr id="answer">', 1)[-1]  # (a cloze may have no answer line)
    answer = re.sub(r'<div class="fc-source">.*', "", answer, flags=re.DOTALL)
    if 'class="fc-back fc-reversed"' in answer:  # card.css hides .fc-two-way there
        answer = re.sub(r'<div class="fc-two-way">.*?</div>', "", answer, flags=re.DOTALL)
    front = re.split(r'<div class="fc-front[^"]*">', question, maxsplit=1)[1]
    return _plain(front), _plain(answer)


def _by_note(col: Collection) -> dict[str, list[tuple[str, str]]]:
    """Each note's cards, by what its first card asks: [(question, answer)] in template order."""
    out = {}
    for nid in col.find_notes(""):
        cards = sorted(col.get_note(nid).cards(), key=lambda c: c.ord)
        out[_sides(cards[0])[0]] = [_sides(c) for c in cards]
    return out


def test_cards_asked_both_ways_give_a_card_each_way(tmp_path: Path, collection: Collection) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(EXPLICIT / "both-ways.md", notes / "both-ways.md")
    result = run_build(notes, tmp_path / "out", now=T0)
    import_deck(collection, result.deck_path)
    assert _by_note(collection) == {
        "France": [("France", "Paris")],
        "Germany": [("Germany", "Berlin"), ("Berlin", "Germany")],
        "Japan": [("Japan", "Tokyo"), ("Tokyo", "Japan")],
        "The chemical symbol of gold": [("The chemical symbol of gold", "Au"), ("Au", "The chemical symbol of gold")],
        "The chemical symbol of silver": [("The chemical symbol of silver", "Ag")],
    }
    assert collection.card_count() == 8
    # A one-way card's note has no reverse card at all, not a blank one.
    for cid in collection.find_cards(""):
        assert "front of this card is blank" not in collection.get_card(cid).question()


def test_obsidian_to_anki_basic_and_reversed_notes_give_a_card_each_way(tmp_path: Path, collection: Collection) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(EXPLICIT / "o2a.md", notes / "o2a.md")
    import_deck(collection, run_build(notes, tmp_path / "out", now=T0).deck_path)
    by_note = _by_note(collection)
    assert by_note["Avogadro constant"] == [("Avogadro constant", "6.022 × 10²³ per mole"),
                                            ("6.022 × 10²³ per mole", "Avogadro constant")]
    assert collection.card_count() == 7  # Basic, Cloze (2), STARTI, #flashcard, and both ways (2)


def test_the_same_notes_give_the_same_deck_bytes(tmp_path: Path) -> None:
    built = []
    for twin in ("a", "b"):
        notes = tmp_path / twin / "notes"
        shutil.copytree(EXPLICIT, notes)
        built.append(run_build(notes, tmp_path / twin / "out", now=T0).deck_path.read_bytes())
    assert built[0] == built[1]


def _review_all(col: Collection) -> None:
    """Answer every card due today once ('easy': out of the day's queue), in every deck."""
    from anki.scheduler.v3 import CardAnswer

    for did in (d.id for d in col.decks.all_names_and_ids()):
        col.decks.select(did)
        while queued := col.sched.get_queued_cards(fetch_limit=1).cards:
            card = col.get_card(queued[0].card.id)
            card.start_timer()
            col.sched.answer_card(col.sched.build_answer(card=card, states=queued[0].states, rating=CardAnswer.EASY))


def _history(col: Collection) -> dict[tuple[str, int], tuple[int, int]]:
    """(first card's question, template ord) → (card id, reviews) for every card."""
    out = {}
    for nid in col.find_notes(""):
        cards = col.get_note(nid).cards()
        asks = _sides(min(cards, key=lambda c: c.ord))[0]
        for card in cards:
            out[(asks, card.ord)] = (card.id, card.reps)
    return out


def test_switching_between_one_way_and_both_ways_keeps_review_history(tmp_path: Path, collection: Collection) -> None:
    notes = tmp_path / "notes"
    note = notes / "n.md"
    notes.mkdir()

    def build(text: str, now: int) -> BuildResult:
        note.write_text(f"# Capitals\n\n{text}\n", encoding="utf-8")
        result = run_build(notes, tmp_path / "out", now=now)
        import_deck(collection, result.deck_path)
        return result

    build("Germany :: Berlin\n\nWhich is bigger?\n?\nThe sun", T0)
    _review_all(collection)
    one_way = _history(collection)
    assert {k: reps for k, (_, reps) in one_way.items()} == {("Germany", 0): 1, ("Which is bigger?", 0): 1}

    # Both ways: each note keeps its forward card and its reviews, and gains a reverse card.
    result = build("Germany ::: Berlin\n\nWhich is bigger?\n??\nThe sun", T0 + 100)
    assert [c.status.value for c in result.plan.changes] == ["updated", "updated"]
    both = _history(collection)
    assert {k: both[k] for k in one_way} == one_way
    assert {k: reps for k, (_, reps) in both.items() if k not in one_way} == {("Germany", 1): 0, ("Which is bigger?", 1): 0}
    assert _by_note(collection)["Germany"] == [("Germany", "Berlin"), ("Berlin", "Germany")]
    _review_all(collection)
    reviewed = _history(collection)
    assert all(reps == 1 for _, reps in reviewed.values())

    # A rebuild after editing the answer updates both cards in place.
    build("Germany ::: Berlin (since 1990)\n\nWhich is bigger?\n??\nThe sun", T0 + 200)
    assert _history(collection) == reviewed
    assert _by_note(collection)["Germany"] == [("Germany", "Berlin (since 1990)"), ("Berlin (since 1990)", "Germany")]

    # One way again: the forward cards keep everything; Anki never deletes a
    # card, so each reverse card stays, blank, and the report says how to delete it.
    result = build("Germany :: Berlin (since 1990)\n\nWhich is bigger?\n?\nThe sun", T0 + 300)
    assert _history(collection) == reviewed
    assert [c.detail for c in result.plan.changes] == [
        "no reverse card any more: it is blank in Anki (Tools › Empty Cards deletes it)"
    ] * 2
    blank = [collection.get_card(cid) for (_, ord_), (cid, _) in reviewed.items() if ord_ == 1]
    assert all("front of this card is blank" in card.question() for card in blank)
    assert collection.note_count() == 2


def _decks(tmp_path: Path, collection: Collection, **options: object) -> dict[str, str]:
    """question → Anki deck of every card (first card of a note; reverse cards as 'question (reverse)')."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for name in ("decks.md", "plain.md"):
        shutil.copy(EXPLICIT / name, notes / name)
    result = run_build(notes, tmp_path / "out", now=T0, **options)
    import_deck(collection, result.deck_path)
    out = {}
    for nid in collection.find_notes(""):
        cards = sorted(collection.get_note(nid).cards(), key=lambda c: c.ord)
        asks = _sides(cards[0])[0]
        for card in cards:
            out[asks + (" (reverse)" if card.ord else "")] = collection.decks.name(card.did)
    return out


def test_deck_tags_put_cards_in_the_decks_they_name(tmp_path: Path, collection: Collection) -> None:
    decks = _decks(tmp_path, collection)
    assert {q: d for q, d in decks.items() if q != "Default gateway"} == {
        "Hydrogen": "Flashcards::chemistry",  # the front matter's tag: the whole note…
        "Iron": "Flashcards::chemistry::metals",  # …up to a tag in its text, which holds for the cards after it
        "Copper": "Flashcards::chemistry::metals",
        "Copper (reverse)": "Flashcards::chemistry::metals",
        "Gold": "Flashcards::trivia",  # on the card's own line: that card only
        "The densest metal": "Flashcards::trivia",
        "Silver": "Flashcards::chemistry::metals",
        "Zinc": "Flashcards::chemistry::metals",  # a tag in a code block is no tag
        "Neon": "Flashcards::Elements",  # a bare #flashcards: the note's own deck
    }
    # A note without deck tags keeps the deck it always had.
    assert decks["Default gateway"] == "Flashcards::Shell notes"


def test_deck_tags_hang_under_the_root_deck_whatever_the_split(tmp_path: Path, collection: Collection) -> None:
    from flashcards.config import Config, DeckSettings

    decks = _decks(tmp_path, collection, config=Config(deck=DeckSettings(root="Study", split="none")))
    assert decks["Iron"] == "Study::chemistry::metals"
    assert decks["Neon"] == decks["Default gateway"] == "Study"


_KEPT = "#flashcards/trivia The densest metal\n?\nOsmium\n\nSilver :: Ag\n\n```\n#flashcards/not-a-deck\n```\n\n"
"""The lines of decks.md between its Gold and Zinc cards."""


def test_a_patched_rebuild_gives_the_bytes_of_a_whole_build(tmp_path: Path) -> None:
    """Edits to notes with deck tags and cards asked both ways: the cached
    build patches the last deck, byte for byte what a whole build writes,
    also when a note gains or loses a reverse card (``::`` to ``:::``) or
    cards in several decks are removed at once."""
    vaults = {}
    for twin in ("whole", "patched"):
        shutil.copytree(EXPLICIT, tmp_path / twin / "notes")
        run_build(tmp_path / twin / "notes", tmp_path / twin / "out", now=T0, cache=twin == "patched")
        vaults[twin] = tmp_path / twin
    edits = [
        ("decks.md", "Iron :: Fe", "Iron :: Fe (ferrum)", True),
        ("decks.md", "# Elements\n", "# Elements\n\nA line above every card.\n", True),  # tags and cards move down
        ("both-ways.md", "Germany ::: Berlin", "Germany ::: Berlin (since 1990)", True),
        ("both-ways.md", "France :: Paris", "France ::: Paris", True),
        ("both-ways.md", "Germany ::: Berlin", "Germany :: Berlin", True),
        # Removed, in two decks: shipped once more in the order a whole build ships them, then dropped.
        ("decks.md", f"#flashcards/trivia Gold :: Au\n\n{_KEPT}Zinc :: Zn\n", _KEPT, True),
        ("decks.md", "Silver :: Ag\n", "Silver :: Ag (argentum)\n", True),  # (and the removed two dropped)
    ]
    for step, (name, old, new, patched) in enumerate(edits, start=1):
        built = {}
        for twin, vault in vaults.items():
            note = vault / "notes" / name
            text = note.read_text(encoding="utf-8")
            assert old in text, (step, old)
            note.write_text(text.replace(old, new, 1), encoding="utf-8")
            built[twin] = run_build(vault / "notes", vault / "out", now=T0 + step, cache=twin == "patched")
        assert built["patched"].patched == patched, (name, new)
        assert built["whole"].deck_path.read_bytes() == built["patched"].deck_path.read_bytes()
        assert built["whole"].lock_path.read_bytes() == built["patched"].lock_path.read_bytes()
