"""End to end: the sample notes build into a deck that real Anki imports well."""

from __future__ import annotations

import re
from collections import Counter

from anki.collection import Collection

from flashcards.build import BuildResult
from flashcards.model import Kind
from flashcards.notetypes import BASIC, CLOZE
from tests.conftest import import_deck

RAW_MARKDOWN = re.compile(r"\*\*|\|\s*-{3,}|^#{1,6}\s", re.MULTILINE)
MEMORY_KINDS = {Kind.DEFINITION, Kind.MEMORY, Kind.LIST, Kind.PROCEDURE}


def test_sample_deck_imports_with_every_card_rendering(sample_deck: BuildResult, collection: Collection) -> None:
    log = import_deck(collection, sample_deck.deck_path)
    assert len(log.new) == len(sample_deck.cards)
    assert not log.conflicting
    assert collection.note_count() == len(sample_deck.cards)
    for cid in collection.find_cards(""):
        card = collection.get_card(cid)
        out = card.render_output(reload=True)
        question = re.sub(r"<[^>]+>", "", out.question_text).strip()
        answer = re.sub(r"<[^>]+>", "", out.answer_text).strip()
        assert question and answer, f"empty side on card {cid}"
        assert "{{" not in out.question_text


def test_sample_deck_has_at_least_twenty_memory_points_with_breadcrumb_and_source(
    sample_deck: BuildResult, collection: Collection
) -> None:
    import_deck(collection, sample_deck.deck_path)
    memory = [c for c in sample_deck.cards if c.kind in MEMORY_KINDS]
    assert len(memory) >= 20
    for nid in collection.find_notes(""):
        note = collection.get_note(nid)
        assert note["Context"].count("›") >= 1, note["Context"]
        assert re.fullmatch(r"[\w./-]+\.md:\d+", note["Source"]), note["Source"]


def test_sample_deck_fields_hold_no_raw_markdown(sample_deck: BuildResult, collection: Collection) -> None:
    import_deck(collection, sample_deck.deck_path)
    for nid in collection.find_notes(""):
        note = collection.get_note(nid)
        for name, value in note.items():
            assert not RAW_MARKDOWN.search(value), f"{name}: {value[:120]}"


def test_sample_deck_uses_our_note_types_decks_and_tags(sample_deck: BuildResult, collection: Collection) -> None:
    import_deck(collection, sample_deck.deck_path)
    names = {m["name"] for m in collection.models.all()}
    assert {BASIC.name, CLOZE.name} <= names
    for nt in (BASIC, CLOZE):
        model = collection.models.get(nt.model_id)
        assert model is not None and [f["name"] for f in model["flds"]] == list(nt.fields)
    decks = {d.name for d in collection.decks.all_names_and_ids()}
    assert "Flashcards::VPC Link vs Virtual Private Gateway (VGW)：核心区别" in decks
    assert "Flashcards::serverless api gateway networking" in decks
    kinds = Counter()
    for nid in collection.find_notes(""):
        note = collection.get_note(nid)
        assert all(" " not in tag for tag in note.tags)
        kind_tags = [t for t in note.tags if t.startswith("kind::")]
        assert len(kind_tags) == 1
        kinds[kind_tags[0]] += 1
        assert any(t.startswith("topic::") for t in note.tags)
    assert kinds == Counter(f"kind::{c.kind.value}" for c in sample_deck.cards)
