"""Tags and deck structure as they arrive in a real Anki collection."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from anki.collection import Collection

from flashcards import tags
from flashcards.build import BuildResult
from flashcards.cards import make_cards
from flashcards.config import Config
from flashcards.config_file import parse_config
from flashcards.model import Fact, Kind, Origin
from flashcards.package import Contents, write_package
from flashcards.parse import parse
from flashcards.state.reconcile import reconcile
from tests.conftest import import_deck, run_build, write_notes

TAGGED = """---
tags: [aws, exam/sap]
---
# Networking

#vpc #routing

## Subnets

- **Subnet**：an IP address range #ipv4

## Gateways #gw

- **NAT gateway**：outbound access only
- **C# client**：not a tag (C#), nor is #1 or `#code`
"""


def anki_tags(col: Collection) -> dict[str, set[str]]:
    """Each note's tags by its first field's text."""
    out = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        out[note.fields[0]] = set(note.tags)
    return out


def test_sample_tags_are_valid_hierarchical_anki_tags(sample_deck: BuildResult, collection: Collection) -> None:
    import_deck(collection, sample_deck.deck_path)
    shipped = {c.guid: c.tags for c in sample_deck.cards}
    for nid in collection.find_notes(""):
        note = collection.get_note(nid)
        assert sorted(note.tags, key=str.casefold) == sorted(shipped[note.guid], key=str.casefold)  # unchanged by Anki
        for tag in note.tags:
            assert tag.strip() == tag and not any(ch.isspace() or ch in '"' for ch in tag), tag
            assert "::" in tag and all(tag.split("::")), tag
            assert len(tag) <= tags.MAX_TAG, tag
        topic = [t for t in note.tags if t.startswith("topic::")]
        assert len(topic) == 1
        assert any(t.startswith("source::") for t in note.tags)
    # The must-know section's topic, its section number dropped, CJK kept.
    assert collection.find_notes("tag:topic::serverless_api_gateway_networking::SAP真题考点映射_必记::*")
    assert collection.find_notes("tag:topic::VPC_Link_vs_Virtual_Private_Gateway_核心区别::记忆要点")
    assert collection.find_notes("tag:exam::trap")


def test_front_matter_and_inline_tags_arrive_in_anki(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": TAGGED})
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    import_deck(collection, result.deck_path)
    got = anki_tags(collection)
    common = {"aws", "exam::sap", "vpc", "routing"}
    subnet = next(v for k, v in got.items() if "Subnet" in k)
    nat = next(v for k, v in got.items() if "NAT gateway" in k)
    client = next(v for k, v in got.items() if "C# client" in k)
    assert common | {"ipv4"} <= subnet and "gw" not in subnet
    assert common | {"gw", "topic::Networking::Gateways"} <= nat and "ipv4" not in nat
    assert {t for t in client if "::" not in t} == {"aws", "vpc", "routing", "gw"}


def test_the_notes_tags_can_get_a_prefix_and_derived_tags_can_be_renamed_or_dropped(
    tmp_path: Path, collection: Collection
) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": TAGGED})
    config = parse_config(tomllib.loads("[tags]\nuser = 'mine'\nsource = ''\nkind = 'card::kind'\n"))
    result = run_build(notes, tmp_path / "out", now=1_790_000_000, config=config)
    import_deck(collection, result.deck_path)
    subnet = next(v for k, v in anki_tags(collection).items() if "Subnet" in k)
    assert {"mine::aws", "mine::exam::sap", "mine::ipv4", "card::kind::definition"} <= subnet
    assert not any(t.startswith("source::") for t in subnet)


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("tags: aws, exam/sap", {"aws", "exam::sap"}),
        ("tags: '#aws #exam/sap'", {"aws", "exam::sap"}),
        ("tag: [aws]", {"aws"}),
        ("tags: {not: a list}", set()),
    ],
)
def test_front_matter_tags_in_every_usual_form(front_matter: str, expected: set[str]) -> None:
    doc = parse(f"---\n{front_matter}\n---\n# T\n\n- **A**：b\n", "t.md")
    assert {tags.user_tag(t) for t in tags.front_matter_tags(doc)} == expected


def test_long_topics_stay_a_branch_of_the_same_tree() -> None:
    headings = tuple(f"第{n}章 一个相当长的标题，用来测试标签长度的限制是否生效" for n in "一二三四")
    tag = tags.topic("A note title", headings)
    assert len(tag) <= tags.MAX_TAG < len(tags.join("topic", "A note title", *headings))
    # the deepest headings are left out: the tag is the topic of a shallower section
    assert tag in {tags.topic("A note title", headings[:depth]) for depth in range(1, len(headings))}
    assert all(len(part) <= tags.MAX_PART for part in tag.split("::"))


NOTES = {
    "top.md": "# Top note\n\n- **Alpha**：first\n",
    "aws/vpc.md": "# VPC\n\n- **Subnet**：range\n",
    "aws/iam.md": "# IAM\n\n- **Role**：identity\n",
    "k8s/pods.md": "# Pods\n\n- **Pod**：unit\n",
}


def deck_of(col: Collection) -> dict[str, str]:
    return {col.get_note(col.get_card(cid).nid).fields[0]: col.decks.name(col.get_card(cid).did) for cid in col.find_cards("")}


def test_one_subdeck_per_note_file_described_by_title_and_path(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", NOTES)
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    import_deck(collection, result.deck_path)
    decks = deck_of(collection)
    assert {v for k, v in decks.items() if "Subnet" in k} == {"Flashcards::VPC"}
    assert set(decks.values()) == {"Flashcards::VPC", "Flashcards::IAM", "Flashcards::Pods", "Flashcards::Top note"}
    desc = collection.decks.by_name("Flashcards::VPC")["desc"]
    assert "VPC" in desc and "aws/vpc.md" in desc
    assert "flashcards" in collection.decks.by_name("Flashcards")["desc"]


def test_one_subdeck_per_folder(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", NOTES)
    config = parse_config(tomllib.loads("[deck]\nroot = 'Study::Cloud'\nsplit = 'folder'"))
    result = run_build(notes, tmp_path / "out", now=1_790_000_000, config=config)
    assert result.deck_path.name == "study-cloud.apkg"
    import_deck(collection, result.deck_path)
    decks = deck_of(collection)
    by_term = {term: deck for front, deck in decks.items() for term in ("Alpha", "Subnet", "Role", "Pod") if term in front}
    assert by_term == {
        "Alpha": "Study::Cloud",
        "Subnet": "Study::Cloud::aws",
        "Role": "Study::Cloud::aws",
        "Pod": "Study::Cloud::k8s",
    }
    desc = collection.decks.by_name("Study::Cloud::aws")["desc"]
    assert "aws/iam.md" in desc and "aws/vpc.md" in desc and "IAM" in desc


def test_all_in_the_root_deck_and_no_descriptions(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", NOTES)
    config = parse_config(tomllib.loads("[deck]\nsplit = 'none'\ndescriptions = false"))
    result = run_build(notes, tmp_path / "out", now=1_790_000_000, config=config)
    import_deck(collection, result.deck_path)
    assert set(deck_of(collection).values()) == {"Flashcards"}
    assert collection.decks.by_name("Flashcards")["desc"] == ""


def test_only_the_kinds_asked_for_are_made(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(
        tmp_path / "notes",
        {"n.md": "# N\n\n- **Term**：meaning\n- A statement with a **key phrase** in it\n"},
    )
    every = run_build(notes, tmp_path / "all", now=1_790_000_000, dry_run=True)
    assert {c.kind for c in every.cards} == {Kind.DEFINITION, Kind.MEMORY}
    config = parse_config(tomllib.loads("[cards]\nkinds = ['definition']"))
    result = run_build(notes, tmp_path / "out", now=1_790_000_000, config=config)
    assert {c.kind for c in result.cards} == {Kind.DEFINITION}
    import_deck(collection, result.deck_path)
    assert collection.card_count() == 1


def _table_fact(reverse: str) -> Fact:
    origin = Origin("t.md", 3, "Compare", ("核心区别对比表",))
    return Fact(
        Kind.TABLE, origin, "VPC Link · 流量方向",
        front="<div class=prompt>VPC Link · 流量方向？</div>", back="单向", reverse=reverse,
    )


@pytest.mark.parametrize(("setting", "cards_per_note"), [("", 1), ("reverse = ['table']", 2)])
def test_reverse_cards_for_tables_only_when_switched_on(
    tmp_path: Path, collection: Collection, setting: str, cards_per_note: int
) -> None:
    config = parse_config(tomllib.loads(f"[cards]\n{setting}"))
    doc = parse("# Compare\n", "t.md")
    cards = make_cards([(doc, (_table_fact("<div class=prompt>流量方向为「单向」的是哪一个？</div>"),))], config)
    plan = reconcile(cards, None, 1_790_000_000)
    write_package(tmp_path / "t.apkg", Contents(plan.notes, plan.model_mods, first_id=1_790_000_000_000))
    import_deck(collection, tmp_path / "t.apkg")
    assert collection.note_count() == 1
    assert collection.card_count() == cards_per_note
    if cards_per_note == 2:
        reverse = next(collection.get_card(c) for c in collection.find_cards("card:Reverse"))
        assert "单向" in reverse.question() and "VPC Link" in reverse.answer()


def test_reverse_is_off_by_default() -> None:
    assert Config().cards.reverse == ()
