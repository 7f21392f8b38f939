"""New-card order and the shipped deck preset, checked in a real Anki collection."""

from __future__ import annotations

import tomllib
from pathlib import Path

from anki.collection import Collection

from flashcards.build import BuildResult
from flashcards.config_file import parse_config
from flashcards.preset import preset_id
from tests.conftest import import_deck, run_build, write_notes

MUST_KNOW = "必记"


def served_guids(col: Collection, deck: str, limit: int = 100) -> list[str]:
    """The notes of the new cards Anki's scheduler serves from ``deck``, in order."""
    col.decks.select(col.decks.id_for_name(deck))
    queued = col.sched.get_queued_cards(fetch_limit=limit).cards
    return [col.get_note(q.card.note_id).guid for q in queued]


def assert_first(served: list[str], first: set[str]) -> None:
    """Every note in ``first`` is served before any other note."""
    others = [i for i, g in enumerate(served) if g not in first]
    cut = others[0] if others else len(served)
    assert first <= set(served[:cut]), (len(first), served[:cut])


def must_know(result: BuildResult) -> set[str]:
    return {c.guid for c in result.cards if any(MUST_KNOW in h for h in c.origin.headings)}


def test_the_must_know_section_gives_high_priority_cards(sample_deck: BuildResult, collection: Collection) -> None:
    high = must_know(sample_deck)
    assert len(high) >= 4
    import_deck(collection, sample_deck.deck_path)
    for nid in collection.find_notes(""):
        note = collection.get_note(nid)
        assert ("priority::high" in note.tags) == (note.guid in high), (note.guid, note.tags)
    assert set(collection.find_notes("tag:priority::high")) == {
        nid for nid in collection.find_notes("") if collection.get_note(nid).guid in high
    }
    assert {c.due for c in sample_deck.cards if c.guid in high} == set(range(len(high)))


def test_with_the_preset_must_know_cards_are_served_first_from_the_root_deck(
    sample_deck: BuildResult, collection: Collection
) -> None:
    import_deck(collection, sample_deck.deck_path, with_deck_configs=True)
    served = served_guids(collection, "Flashcards")
    assert len(served) == 30  # the preset's new cards per day
    assert_first(served, must_know(sample_deck))
    # then medium before the rest, whatever deck they are in
    rank = {"priority::high": 3, "priority::medium": 2, "priority::low": 0}
    level = {c.guid: max((rank[t] for t in c.tags if t in rank), default=1) for c in sample_deck.cards}
    levels = [level[g] for g in served]
    assert levels == sorted(levels, reverse=True)
    assert 2 in levels


def test_with_anki_default_options_must_know_cards_come_first_in_their_deck(
    sample_deck: BuildResult, collection: Collection
) -> None:
    # The desktop default: no presets. Anki then gathers deck by deck, so the
    # order holds inside each note's deck.
    import_deck(collection, sample_deck.deck_path)
    deck = next(c.deck for c in sample_deck.cards if c.guid in must_know(sample_deck))
    served = served_guids(collection, deck)
    assert_first(served, must_know(sample_deck))


def _configs(col: Collection) -> dict[int, tuple]:
    return {
        c["id"]: (c["name"], c["new"]["perDay"], tuple(c["new"]["delays"]), c["rev"]["maxIvl"])
        for c in col.decks.all_config()
    }


def _user_presets(col: Collection) -> None:
    default = col.decks.get_config(1)
    default["new"]["perDay"] = 7
    col.decks.update_config(default)
    mine = col.decks.add_config_returning_id("Mine")
    conf = col.decks.get_config(mine)
    conf["new"]["perDay"] = 3
    col.decks.update_config(conf)


def _deck_presets(col: Collection, prefix: str = "Flashcards") -> dict[str, int]:
    return {
        d.name: col.decks.config_dict_for_deck_id(d.id)["id"]
        for d in col.decks.all_names_and_ids()
        if d.name.startswith(prefix)
    }


def test_import_without_presets_leaves_the_users_presets_alone(sample_deck: BuildResult, collection: Collection) -> None:
    _user_presets(collection)
    before = _configs(collection)
    import_deck(collection, sample_deck.deck_path)  # the desktop default: with_deck_configs=False
    assert _configs(collection) == before
    decks = _deck_presets(collection)
    assert len(decks) == 3 and set(decks.values()) == {1}


def test_import_with_presets_applies_the_shipped_preset_to_every_deck(
    sample_deck: BuildResult, collection: Collection
) -> None:
    _user_presets(collection)
    before = _configs(collection)
    import_deck(collection, sample_deck.deck_path, with_deck_configs=True)
    ours = preset_id(parse_config({}).preset)
    decks = _deck_presets(collection)
    assert set(decks) == {
        "Flashcards",
        "Flashcards::serverless api gateway networking",
        "Flashcards::VPC Link vs Virtual Private Gateway (VGW)：核心区别",
    }
    assert set(decks.values()) == {ours}
    after = _configs(collection)
    assert {k: v for k, v in after.items() if k != ours} == before  # the user's presets are untouched
    conf = collection.decks.get_config(ours)
    assert conf["name"] == "flashcards · exam prep"
    assert conf["new"]["perDay"] == 30 and conf["new"]["delays"] == [1.0, 10.0, 60.0]
    assert conf["lapse"]["delays"] == [10.0] and conf["rev"]["maxIvl"] == 180 and conf["rev"]["perDay"] == 300
    assert conf["new"]["bury"] is True
    assert (conf["newGatherPriority"], conf["newSortOrder"]) == (1, 1)  # by position across decks, as gathered


def test_a_changed_preset_reaches_anki_and_an_import_without_presets_keeps_it(
    tmp_path: Path, collection: Collection
) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# A\n\n## 必记\n\n- **Term**：meaning\n"})
    first = run_build(notes, tmp_path / "out", now=1_790_000_000)
    import_deck(collection, first.deck_path, with_deck_configs=True)
    config = parse_config(tomllib.loads("[preset]\nnew_per_day = 12\nlearning_steps = ['15m', '1d']"))
    second = run_build(notes, tmp_path / "out", now=1_790_000_100, config=config)
    assert second.written  # a preset change alone rewrites the deck
    import_deck(collection, second.deck_path, with_deck_configs=True)
    new_id = preset_id(config.preset)
    assert set(_deck_presets(collection).values()) == {new_id}
    conf = collection.decks.get_config(new_id)
    assert conf["new"]["perDay"] == 12 and conf["new"]["delays"] == [15.0, 1440.0]
    assert collection.decks.get_config(preset_id(parse_config({}).preset)) is not None  # the old one stays
    import_deck(collection, second.deck_path)  # without presets: decks keep what they have
    assert set(_deck_presets(collection).values()) == {new_id}


def test_a_deck_built_without_a_preset_never_changes_presets(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# A\n\n- **Term**：meaning\n"})
    config = parse_config(tomllib.loads("[preset]\nship = false"))
    result = run_build(notes, tmp_path / "out", now=1_790_000_000, config=config)
    before = _configs(collection)
    import_deck(collection, result.deck_path, with_deck_configs=True)
    assert _configs(collection) == before
    assert set(_deck_presets(collection).values()) == {1}


def test_rebuilding_unchanged_notes_writes_nothing(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "# A\n\n- **Term**：meaning\n"})
    first = run_build(notes, tmp_path / "out", now=1_790_000_000)
    data = first.deck_path.read_bytes()
    again = run_build(notes, tmp_path / "out", now=1_790_000_500)
    assert first.written and not again.written
    assert again.deck_path.read_bytes() == data
