"""A rebuild after edits that changed only what some cards say: the last deck patched.

When a build finds that only a few notes changed since the recorded build,
and nothing else it reads or writes did (:meth:`UpToDate.edited`), it reads
just those notes. If each still makes the same cards as last time — the same
identities, kinds, decks and priorities, the same title, front matter and
images (the image files themselves are unchanged, or the build would not be
here) — then only the cards' text, tags and ``mod`` can differ from what the
last build shipped. Each edited note's cards are then reconciled with that
note's own lines of the lock (they are one run of lines), their rows are
updated in the database the last build kept, and the deck and the lock are
written again with only those parts changed: the bytes a whole build would
write (a test holds the two to the same bytes), in a fraction of its time.

Anything else — a card added, removed or renamed, a changed priority, an
image shown on another card, an image from the web that could not be had,
more than a few notes — and :func:`prepare` returns None: the build goes the
whole way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from flashcards import media
from flashcards.config import Config
from flashcards.model import NoteSummary
from flashcards.notes import NoteResult, Processed, cached, process_notes
from flashcards.package import patch_package
from flashcards.reading import NoteFile
from flashcards.state import lockfile
from flashcards.state.cache import DeckState
from flashcards.state.reconcile import Change, Plan, Status, reconcile
from flashcards.state.uptodate import Edits, Inputs, Listing, Outcome, UpToDate
from flashcards.vault import Vault
from flashcards.web import WebImages

MOST = 0.10
"""At most this share of the notes (and at least one) is patched. (On the
1,000-note bench corpus, 96 edited notes were patched in 3.1–3.5 s against
6.8–8.0 s the whole way; past a tenth, the saving is not worth reading so
many notes twice when one of them turns out to need a whole build.)"""


@dataclass(frozen=True)
class Patch:
    """What patching the last deck would change."""

    plans: tuple[tuple[lockfile.Block, Plan], ...]
    """Each edited note's lines of the lock, and its reconciled cards."""
    processed: Processed
    """The edited notes' results, for the cache."""
    outcome: Outcome
    """What the build reports: the last outcome with the edited notes' warnings."""
    files: tuple[Path, ...]
    listing: Listing = None

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
    lock_path: Path,
    now: int,
    jobs: int,
) -> Patch | None:
    """The patch for ``edits``, or None when the deck must be built whole."""
    if len(edits.notes) > max(1, MOST * len(read)):
        return None
    edited = [read[i] for i, _ in edits.notes]
    new_keys = [keys[i] for i, _ in edits.notes]
    processed = process_notes(edited, new_keys, config, cache_dir, jobs)
    cards, image_warnings = [], []
    for (_, old_key), (note, _), new in zip(edits.notes, edited, processed.results, strict=True):
        old = cached(cache_dir, old_key)
        if old is None or not _same_cards(old, new):
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
    blocks = lockfile.load_blocks(lock_path, [new.rel for new in processed.results])
    if blocks is None:
        return None
    plans = []
    for block, attached in zip(blocks, cards, strict=True):
        plan = reconcile(attached, block.lock, now)
        assert plan.lock is not None
        if plan.warnings or plan.lock.note_types != block.lock.note_types:
            return None
        if any(c.status not in (Status.UNCHANGED, Status.UPDATED) for c in plan.changes):
            return None
        plans.append((block, plan))
    rels = {new.rel for new in processed.results}
    warnings = [w for w in edits.outcome.warnings if w.path not in rels]
    warnings.extend(w for new in processed.results for w in new.warnings)
    warnings.extend(image_warnings)
    warnings.sort(key=lambda w: (w.path, w.line))
    left_out = [x for x in edits.outcome.left_out if x.path not in rels]
    left_out.extend(x for new in processed.results for x in new.left_out)
    left_out.sort(key=lambda x: (x.path, x.line))
    outcome = Outcome(edits.outcome.kinds, tuple(warnings), edits.outcome.encodings, tuple(left_out))
    listing = edits.listing or ((str(vault.root), vault.digest()) if vault.listed else None)
    return Patch(tuple(plans), processed, outcome, edits.files, listing)


def _same_cards(old: NoteResult, new: NoteResult) -> bool:
    """Whether ``new`` makes the cards ``old`` made, but for what they say."""
    if old.summary is None or new.summary is None or new.encoding != old.encoding:
        return False
    if _placeless(new.summary) != _placeless(old.summary):
        return False
    shape = [(c.identity, c.kind, c.deck) for c in old.cards.cards]
    return new.cards.levels == old.cards.levels and [(c.identity, c.kind, c.deck) for c in new.cards.cards] == shape


def _placeless(summary: NoteSummary) -> NoteSummary:
    """A note's summary but for the lines its images are on (they only place
    warnings) and its deck tags are on (they only place cards in decks, which
    :func:`_same_cards` compares)."""
    return replace(
        summary,
        images=tuple(replace(image, line=0) for image in summary.images),
        deck_tags=tuple((0, tag) for _, tag in summary.deck_tags),
    )


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
    updated = [n for _, plan in patch.plans for n, c in zip(plan.notes, plan.changes, strict=True)
               if c.status is Status.UPDATED]
    relocked = [(block, plan.lock) for block, plan in patch.plans
                if plan.lock is not None and not lockfile.same_entries(plan.lock, block.lock)]
    if updated or relocked:  # (else nothing changed but where cards are: the deck and lock stay as they are)
        # Forgotten first: whatever happens next, the next build trusts neither record.
        record.forget()
    if updated:
        state.forget()
        written = patch_package(deck_path, state.database, updated, pieces)
        if written is None:
            return None
        state.record(None, written.pieces)
    if relocked:
        lockfile.save_blocks(lock_path, relocked)
    patch.processed.save(cache_dir, used={key for _, key in inputs.notes})
    record.record(inputs, patch.files, patch.outcome, patch.listing)
    return bool(updated)
