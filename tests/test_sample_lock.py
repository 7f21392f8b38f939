"""Decks built before the extraction changed keep every card and its reviews.

``tests/fixtures/sample_lock/flashcards.lock`` is the samples' lock as the
release before the real-notes work committed it: it holds what that release
shipped (each card's guid, fields, tags, deck). A user who imported that deck
and reviewed it, then rebuilds with this version, must
see their cards update in place: no card whose fact still exists may come
back as new, and no review may be lost. The old deck is rebuilt from the
lock's own record of it, imported into a real Anki collection and reviewed
there before the new build is imported over it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from anki.collection import Collection

from flashcards.model import Card, Kind, Origin
from flashcards.package import Contents, PackagedNote, write_package
from flashcards.state import lockfile
from flashcards.state.reconcile import Status
from tests.conftest import FIXTURES, SAMPLE_NOTES, import_deck, run_build
from tests.test_regenerate import _review_all, _snapshot


def _deck_from_lock(lock: dict, path: Path) -> Path:
    """The package the committed lock (version 1: every card's fields) describes, as that release shipped it."""
    notes = []
    for due, entry in enumerate(c for c in lock["cards"] if not c["removed"]):
        where, _, line = entry["source"].rpartition(":")
        card = Card(
            identity=entry["identity"], guid=entry["guid"], kind=Kind(entry["kind"]), fields=tuple(entry["fields"]),
            tags=tuple(entry["tags"]), deck=entry["deck"], due=due, origin=Origin(where, int(line), "", ()),
        )
        notes.append(PackagedNote(card, card.tags, entry["mod"]))
    model_mods = {model_id: mod for model_id, _, mod in lock["note_types"]}
    write_package(path, Contents(notes=notes, model_mods=model_mods, first_id=lock["created"] * 1000))
    return path


def test_rebuilding_the_samples_over_the_committed_lock_updates_in_place_and_keeps_reviews(
    tmp_path: Path, collection: Collection
) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(SAMPLE_NOTES, notes)
    shutil.copy(FIXTURES / "sample_lock" / "flashcards.lock", notes / "flashcards.lock")
    old_lock = lockfile.load(notes / "flashcards.lock")
    assert old_lock is not None and old_lock.cards and old_lock.older
    shipped = [c for c in old_lock.cards if not c.removed]

    committed = json.loads((notes / "flashcards.lock").read_text("utf-8"))
    import_deck(collection, _deck_from_lock(committed, tmp_path / "old.apkg"))
    reviewed = _review_all(collection, limit=len(shipped) * 3)
    assert reviewed >= 20  # as many as a day of new cards allows
    before = _snapshot(collection)

    result = run_build(notes, tmp_path / "out", now=old_lock.created + 86_400)
    assert result.plan.count(Status.NEW) == 0, [c.label for c in result.plan.changes if c.status is Status.NEW]
    assert result.plan.count(Status.REMOVED) == 0
    assert result.plan.count(Status.UPDATED) > 0  # prompts reworded since: they update in place
    assert {c.guid for c in result.cards} == {c.guid for c in shipped}

    # The lock is rewritten in this version, every guid kept, and a build on it changes nothing more.
    new_lock = lockfile.load(notes / "flashcards.lock")
    assert new_lock is not None and not new_lock.older
    assert (notes / "flashcards.lock").read_text("utf-8").startswith('{"version":2,')
    assert {c.guid for c in new_lock.cards} == {c["guid"] for c in committed["cards"]}
    again = run_build(notes, tmp_path / "out", now=old_lock.created + 2 * 86_400, cache=False)
    assert not again.plan.changed

    log = import_deck(collection, result.deck_path)
    assert len(log.new) == 0
    after = _snapshot(collection)
    assert after.keys() == before.keys()
    for guid, (nid, cards) in before.items():
        assert after[guid][0] == nid
        # Same cards, and each keeps its scheduling (interval, due, reviews).
        assert after[guid][1] == cards, guid
