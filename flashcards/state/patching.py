"""A rebuild after edits to a few notes: the last deck patched.

When a build finds that only a few notes changed since the recorded build,
and nothing else it reads or writes did (:meth:`UpToDate.edited`), it reads
just those notes. Each edited note's cards are reconciled with that note's
own lines of the lock (they are one run of lines, see
:func:`lockfile.load_blocks`): cards may be changed, added, removed or
renamed within the note. The deck's kept database then gets just those
notes' rows, the cards of the whole deck are numbered and ordered again
from the recorded :class:`Layout` (where every note's cards are, with their
priority levels), and the deck and the lock are written again with only
those parts changed: the bytes a whole build would write (tests hold the two
to the same bytes), in a fraction of its time.

The build after one that removed cards drops them from the deck (the lock
keeps them as tombstones): it patches too, with no note to read. A card
removed from an edited note is shipped once more as the last deck holds it
(see :mod:`flashcards.state.lastdeck`), as a whole build ships it.

A note reconciled alone gives what the whole build gives as long as no card
of another note takes part: :func:`_on_its_own` checks that no card new to
its note could be one moved from another note (its headings and question
found among another note's unmatched old cards), and that no new card's guid
is taken elsewhere. Anything else — a changed title, front matter or
priority order setting, an image shown on another card, an image from the
web that could not be had, a card moved to a deck no other card uses, more
than a few notes — and :func:`prepare` returns None: the build goes the
whole way.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from flashcards import media, priority
from flashcards.cards import NoteCards
from flashcards.config import Config
from flashcards.model import Card, NoteSummary
from flashcards.notes import NoteResult, Processed, cached, process_notes
from flashcards.package import PackagedNote, patch_package
from flashcards.reading import NoteFile
from flashcards.state import lastdeck, lockfile
from flashcards.state.cache import DeckState
from flashcards.state.reconcile import Change, Plan, Status, across_files, reconcile
from flashcards.state.uptodate import Edits, Inputs, Listing, Outcome, UpToDate
from flashcards.vault import Vault
from flashcards.web import WebImages

MOST = 0.10
"""At most this share of the notes (and at least one) is patched. (On the
1,000-note bench corpus, 96 edited notes were patched in 3.1–3.5 s against
6.8–8.0 s the whole way; past a tenth, the saving is not worth reading so
many notes twice when one of them turns out to need a whole build.)"""


@dataclass(frozen=True)
class Layout:
    """Where the deck's notes are, as the build that wrote it placed them."""

    files: tuple[tuple[str, int], ...]
    """Each note file read (path, how many cards it has), in the order read."""
    guids: tuple[str, ...]
    """Every note the deck holds, in its order: the files' cards, then the
    removed cards shipped once more."""
    levels: bytes
    """Each file card's priority level, in the same order."""
    tombstones: tuple[tuple[str, str], ...]
    """(identity, guid) of every card the lock keeps as removed."""
    first_id: int
    """What the deck's ids start from (see :class:`flashcards.package.Contents`)."""

    @property
    def settled(self) -> bool:
        """Whether the deck ships no removed card (the next build drops them)."""
        return len(self.guids) == len(self.levels)


def layout_of(files: Sequence[tuple[str, NoteCards]], plan: Plan) -> Layout:
    """The layout of the deck a whole build wrote: ``files`` are the notes
    read, with their cards, in order; ``plan`` what it shipped."""
    assert plan.lock is not None
    return Layout(
        files=tuple((rel, len(cards.cards)) for rel, cards in files),
        guids=tuple(n.card.guid for n in plan.notes),
        levels=bytes(level for _, cards in files for level in cards.levels),
        tombstones=tuple(sorted((c.identity, c.guid) for c in plan.lock.cards if c.removed)),
        first_id=plan.lock.created * 1000,
    )


@dataclass(frozen=True)
class Rows:
    """What changes in the deck's database (see :func:`flashcards.package.patch_package`)."""

    notes: tuple[PackagedNote, ...]
    """The edited notes' cards (their ``due`` set) and the cards they lost, shipped once more."""
    gone: tuple[str, ...]
    """Guids of the notes the deck no longer holds."""
    shifts: tuple[tuple[int, int, int], ...]
    """How the other cards' ``due`` moves."""


@dataclass(frozen=True)
class Patch:
    """What patching the last deck would change."""

    plans: tuple[tuple[lockfile.Block, Plan], ...]
    """Each edited note's lines of the lock, and its reconciled cards."""
    processed: Processed
    """The edited notes' results, for the cache."""
    outcome: Outcome
    """What the build reports: the last outcome with the edited notes' warnings and cards."""
    files: tuple[Path, ...]
    layout: Layout
    """The deck's layout once patched."""
    rows: Rows
    """What changes in the deck's database."""
    reordered: bool
    """Whether the deck's notes change order (a card added, removed or moved,
    or one the last deck shipped as removed dropped), even if none changed."""
    listing: Listing
    """The notes folder's images, when a note's image was found by name (see :class:`UpToDate`)."""

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(c for _, plan in self.plans for c in plan.changes)


def prepare(
    read: Sequence[tuple[NoteFile, bytes]],
    keys: Sequence[str],
    edits: Edits,
    config: Config,
    cache_dir: Path,
    vault: Vault,
    images: WebImages,
    deck_path: Path,
    lock_path: Path,
    now: int,
    jobs: int,
) -> Patch | None:
    """The patch for ``edits``, or None when the deck must be built whole."""
    layout = edits.layout
    if not isinstance(layout, Layout) or [rel for rel, _ in layout.files] != [note.rel for note, _ in read]:
        return None
    if len(edits.notes) > max(1, MOST * len(read)):
        return None
    edited = [read[i] for i, _ in edits.notes]
    new_keys = [keys[i] for i, _ in edits.notes]
    processed = process_notes(edited, new_keys, config, cache_dir, jobs)
    cards: list[tuple[Card, ...]] = []
    image_warnings = []
    kinds = Counter(dict(edits.outcome.kinds))
    for (i, old_key), (note, _), new in zip(edits.notes, edited, processed.results, strict=True):
        old = cached(cache_dir, old_key)
        if old is None or len(old.cards.cards) != layout.files[i][1] or not _same_note(old, new):
            return None
        assert new.summary is not None
        found = media.resolve(new.summary, note.path, vault, images)
        if found.unfetched:  # (a build that could not have an image is not recorded: the whole way)
            return None
        attached, used = media.attach(new.cards.cards, found)
        if used != media.attach(old.cards.cards, found)[1]:  # the deck would ship other images
            return None
        cards.append(attached)
        image_warnings.extend(found.warnings)
        kinds.subtract(c.kind for c in old.cards.cards)
        kinds.update(c.kind for c in new.cards.cards)
    rels = [new.rel for new in processed.results]
    blocks = lockfile.load_blocks(lock_path, rels) if rels else []
    if blocks is None:
        return None
    plans = []
    last_deck = functools.partial(lastdeck.shipped, deck_path)  # (read only when a card was removed)
    for block, attached in zip(blocks, cards, strict=True):
        plan = reconcile(attached, block.lock, now, last_deck=last_deck)
        assert plan.lock is not None
        if plan.warnings or plan.lock.note_types != block.lock.note_types:
            return None
        plans.append((block, plan))
    if not _on_its_own(plans, cards, set(rels), layout):
        return None
    notes = zip(edits.notes, plans, processed.results, strict=True)
    edited_at = {i: (plan, new.cards) for (i, _), (_, plan), new in notes}
    placed, rows = _placed(layout, edited_at, config)
    warnings = [w for w in edits.outcome.warnings if w.path not in rels]
    warnings.extend(w for new in processed.results for w in new.warnings)
    warnings.extend(image_warnings)
    warnings.sort(key=lambda w: (w.path, w.line))
    left_out = [x for x in edits.outcome.left_out if x.path not in rels]
    left_out.extend(x for new in processed.results for x in new.left_out)
    left_out.sort(key=lambda x: (x.path, x.line))
    counted = tuple(sorted((kind, n) for kind, n in kinds.items() if n > 0))
    outcome = Outcome(counted, tuple(warnings), edits.outcome.encodings, tuple(left_out))
    reordered = (placed.guids, placed.levels) != (layout.guids, layout.levels)
    listing = edits.listing or ((str(vault.root), vault.digest()) if vault.listed else None)
    return Patch(tuple(plans), processed, outcome, edits.files, placed, rows, reordered, listing)


def _same_note(old: NoteResult, new: NoteResult) -> bool:
    """Whether ``new`` leaves the deck as ``old`` did but for its cards: the
    same title, front matter and images (the deck descriptions and media),
    cards in the same decks, and cards still, or still none."""
    if old.summary is None or new.summary is None or new.encoding != old.encoding:
        return False
    if _placeless(new.summary) != _placeless(old.summary):
        return False
    decks = {c.deck for c in old.cards.cards}
    return {c.deck for c in new.cards.cards} == decks and bool(old.cards.cards) == bool(new.cards.cards)


def _placeless(summary: NoteSummary) -> NoteSummary:
    """A note's summary but for the lines its images are on (they only place
    warnings) and its deck tags (they only place its cards in decks: each
    card's deck is reconciled with it, and :func:`_same_note` compares the
    decks the note's cards use, which the deck descriptions are made from)."""
    return replace(summary, images=tuple(replace(image, line=0) for image in summary.images), deck_tags=())


def _on_its_own(
    plans: Sequence[tuple[lockfile.Block, Plan]], cards: Sequence[Sequence[Card]], edited: set[str], layout: Layout
) -> bool:
    """Whether reconciling each edited note alone gave what reconciling all
    notes at once gives: no card new to its note (one whose identity its
    lines of the lock do not hold) has the headings and question of an
    unmatched old card of another note, or of a new card of another note;
    and no new guid is held by another note's card (those the deck holds are
    checked by :func:`patch_package`: their ids are taken)."""
    old_keys: list[set[tuple[str, str, str]]] = []
    new_keys: list[set[tuple[str, str, str]]] = []
    guids: list[set[str]] = []
    for (block, _), note in zip(plans, cards, strict=True):
        identities = {c.identity for c in note}
        locked = block.lock.by_identity()
        taken = {locked[i].guid for i in identities if i in locked}
        old_keys.append({across_files(c.identity) for c in block.lock.cards if c.guid not in taken})
        new_keys.append({across_files(c.identity) for c in note if c.identity not in locked})
        guids.append({c.guid for c in block.lock.cards})
    outside = {across_files(identity) for identity, _ in layout.tombstones
               if identity.partition("\x1f")[0] not in edited}
    outside_guids = {guid for identity, guid in layout.tombstones if identity.partition("\x1f")[0] not in edited}
    for n, (_, plan) in enumerate(plans):
        others = set(outside)
        other_guids = set(outside_guids)
        for m in range(len(plans)):
            if m != n:
                others |= old_keys[m] | new_keys[m]
                other_guids |= guids[m] | {c.guid for c in plans[m][1].changes if c.status is Status.NEW}
        if new_keys[n] & others:
            return False
        if any(c.status is Status.NEW and c.guid in other_guids for c in plan.changes):
            return False
    return True


def _placed(layout: Layout, edited: dict[int, tuple[Plan, NoteCards]], config: Config) -> tuple[Layout, Rows]:
    """The layout once the ``edited`` notes (by index among the files) have
    their new cards, and the rows that change in the deck."""
    files, guids, levels = [], [], bytearray()
    ghosts: list[PackagedNote] = []
    kept: list[tuple[int, int, int]] = []  # (old position, new position, cards) of each file not edited
    edited_notes: list[tuple[int, PackagedNote]] = []  # (new position, note) of each edited file's card
    was: list[str] = list(layout.guids[len(layout.levels) :])  # the notes that may go: removed last time, edited
    at = 0
    for i, (rel, count) in enumerate(layout.files):
        if i in edited:
            plan, cards = edited[i]
            live = len(cards.cards)
            files.append((rel, live))
            edited_notes.extend(enumerate(plan.notes[:live], start=len(guids)))
            guids.extend(n.card.guid for n in plan.notes[:live])
            levels.extend(cards.levels)
            ghosts.extend(plan.notes[live:])
            was.extend(layout.guids[at : at + count])
        else:
            files.append((rel, count))
            kept.append((at, len(guids), count))
            guids.extend(layout.guids[at : at + count])
            levels.extend(layout.levels[at : at + count])
        at += count
    # Removed cards go last, as the whole lock lists them (by identity), due 0.
    ghosts.sort(key=lambda n: (n.card.identity, n.card.guid))
    dues = priority.due_order(levels, config.priority.order)  # type: ignore[arg-type]  (levels as ints)
    old_dues = priority.due_order(layout.levels, config.priority.order)  # type: ignore[arg-type]
    # How far each card not edited moves in new-card order, by its old due.
    moves: list[int | None] = [None] * len(old_dues)
    for old, new, count in kept:
        for k in range(count):
            moves[old_dues[old + k]] = dues[new + k] - old_dues[old + k]
    notes = [replace(n, card=replace(n.card, due=dues[i])) for i, n in edited_notes] + ghosts
    shipped = {n.card.guid for n in notes}
    tombstones = {t for t in layout.tombstones if t[0].partition("\x1f")[0] not in {layout.files[i][0] for i in edited}}
    for plan, _ in edited.values():
        assert plan.lock is not None
        tombstones.update((c.identity, c.guid) for c in plan.lock.cards if c.removed)
    placed = replace(layout, files=tuple(files), guids=(*guids, *(n.card.guid for n in ghosts)), levels=bytes(levels),
                     tombstones=tuple(sorted(tombstones)))
    return placed, Rows(tuple(notes), tuple(g for g in was if g not in shipped), _shifts(moves))


def _shifts(moves: Sequence[int | None]) -> tuple[tuple[int, int, int], ...]:
    """(first, last, by): the runs of old dues that move by the same amount
    (an edited card's due, None, joins any run: its row is written anew)."""
    runs: list[list[int]] = []
    for due, by in enumerate(moves):
        if by is None:
            continue
        if runs and runs[-1][2] == by:
            runs[-1][1] = due
        else:
            runs.append([due, due, by])
    return tuple((first, last, by) for first, last, by in runs if by)


def apply(
    patch: Patch, cache_dir: Path, deck_path: Path, lock_path: Path, record: UpToDate, inputs: Inputs
) -> bool | None:
    """Write the patched deck and lock, and record them; returns whether the
    deck changed, or None when the deck's kept database does not hold these
    notes as expected (nothing is written then: the whole build must run)."""
    state = DeckState(cache_dir, deck_path)
    pieces = state.pieces()
    if pieces is None:
        return None
    changed = any(c.status is not Status.UNCHANGED for c in patch.changes)
    relocked = [(block, plan.lock) for block, plan in patch.plans
                if plan.lock is not None and not lockfile.same_entries(plan.lock, block.lock)]
    if changed or relocked or patch.reordered:
        # Forgotten first: whatever happens next, the next build trusts neither record.
        record.forget()
    written = None
    if changed or patch.reordered:  # (else only the lines cards are on changed: the deck stays as it is)
        state.forget()
        rows = patch.rows
        written = patch_package(deck_path, state.database, rows.notes, rows.gone, rows.shifts, patch.layout.first_id,
                                pieces)
        if written is None:
            return None
        state.record(None, written.pieces)
    if relocked:
        lockfile.save_blocks(lock_path, relocked)
    patch.processed.save(cache_dir, used={key for _, key in inputs.notes})
    record.record(inputs, patch.files, patch.outcome, patch.listing, patch.layout, settled=patch.layout.settled)
    return written is not None and written.changed
