"""The build: notes in, an Anki package out — read top to bottom.

read → for each note (in parallel, cached): decode → parse → extract → cards
→ images (from the notes folder, or downloaded once from the web) → order all
cards → reconcile with the lock → package.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from flashcards import media, web
from flashcards.cards import NoteCards, in_order
from flashcards.config import Config
from flashcards.decks import deck_descriptions
from flashcards.errors import StrictModeError
from flashcards.model import Card, Diagnostic, Kind, LeftOut, NoteSummary
from flashcards.notes import note_keys, process_notes
from flashcards.package import Contents, MediaFile, write_package
from flashcards.progress import QUIET, WORTH_SHOWING, Progress
from flashcards.reading import NoteFile, UnreadableNote, find_notes, read_bytes
from flashcards.state import atomic, buildlock, lastdeck, lockfile, patching
from flashcards.state.cache import DeckState, cache_dir_for
from flashcards.state.reconcile import Change, Plan, Status, reconcile
from flashcards.state.uptodate import Outcome, UpToDate, inputs_of
from flashcards.vault import Vault


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where."""

    sources: tuple[Path, ...]
    output: Path
    config: Config = field(default_factory=Config)
    """Decks, tags, priorities, kinds of card, deck preset (see :mod:`flashcards.config`)."""
    dry_run: bool = False
    rebuild_ids: bool = False
    """Ignore an unreadable lock file and start a new one."""
    strict: bool = False
    """Fail, writing nothing, when any warning is raised."""
    jobs: int = 0
    """Processes for reading notes; 0 for one per core."""
    cache: bool = True
    """Reuse the results for notes unchanged since the last build."""


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the summary and for scripts."""

    notes_root: Path
    files: tuple[str, ...]
    cards: tuple[Card, ...]
    """Every card built; empty when the build was :attr:`up_to_date` or :attr:`patched`."""
    plan: Plan
    warnings: tuple[Diagnostic, ...]
    encodings: tuple[tuple[str, str], ...]
    """(file, encoding) for files not read as plain UTF-8."""
    deck_path: Path
    lock_path: Path
    written: bool
    kinds: tuple[tuple[Kind, int], ...]
    """How many cards of each kind the deck holds."""
    left_out: tuple[LeftOut, ...] = ()
    """What the quality gate did not make cards of, and why."""
    up_to_date: bool = False
    """Nothing the deck is built from changed since the last build, so
    nothing was read again: ``plan`` then only counts the deck's cards as unchanged."""
    patched: bool = False
    """Only a few notes changed, so the last deck was patched (see
    :mod:`flashcards.state.patching`): ``plan`` lists the edited notes' cards and
    counts the others as unchanged."""

    def cards_by_kind(self) -> dict[Kind, int]:
        return dict(self.kinds)


def build(options: BuildOptions, now: int | None = None, progress: Progress = QUIET) -> BuildResult:
    """Build the deck for ``options``; ``now`` (seconds) stamps changed cards;
    ``progress`` hears about the stages of a long build."""
    with _cycle_collector_paused():
        return _build(options, int(time.time()) if now is None else now, progress)


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """A build makes millions of objects and keeps most of them to the end;
    they hold no reference cycles to reclaim, yet Python's cycle collector
    would walk them over and over (a fifth of a rebuild's time). It pauses
    for the build, in the worker processes too (they fork from here)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(options: BuildOptions, now: int, progress: Progress) -> BuildResult:
    root, files = find_notes(list(options.sources))
    config = options.config
    read: list[tuple[NoteFile, bytes]] = []
    unread: list[tuple[str, str]] = []  # (file, why): its cards are kept, not removed
    for note in files:
        try:
            read.append((note, read_bytes(note, root)))
        except UnreadableNote as exc:
            unread.append((note.rel, f"skipped: {exc}"))
    cache_dir = None if options.dry_run or not options.cache else cache_dir_for(options.output)
    keys = note_keys(read, config)
    lock_path = lockfile.lock_path(root)
    deck_path = options.output / f"{_slug(config.deck.root)}.apkg"
    jobs = options.jobs or os.cpu_count() or 1
    record = UpToDate(cache_dir, deck_path) if cache_dir is not None and not options.rebuild_ids else None
    inputs = inputs_of(root, repr(config), [(n.rel, k) for (n, _), k in zip(read, keys, strict=True)])
    vault, images = Vault(root), _web_images(options)
    if record is not None and cache_dir is not None and not unread:
        with buildlock.exclusive(root):
            outcome = record.check(inputs)
            if outcome is not None:
                return _without_cards(options, root, files, outcome, (), deck_path, lock_path, up_to_date=True)
            edits = record.edited(inputs)
            patch = edits and patching.prepare(
                read, keys, edits, config, cache_dir, vault, images, deck_path, lock_path, now, jobs
            )
            if patch:
                if options.strict and patch.outcome.warnings:
                    raise StrictModeError(_strict_message([str(w) for w in patch.outcome.warnings]))
                written = patching.apply(patch, cache_dir, deck_path, lock_path, record, inputs)
                if written is not None:
                    return _without_cards(
                        options, root, files, patch.outcome, patch.changes, deck_path, lock_path,
                        written=written, patched=True,
                    )

    processed = process_notes(read, keys, config, cache_dir, jobs, progress)
    if len(processed.fresh) >= WORTH_SHOWING:
        progress.stage("Writing the deck")

    warnings: list[Diagnostic] = []
    encodings: list[tuple[str, str]] = []
    per_note: list[tuple[str, NoteCards]] = []
    left_out: list[LeftOut] = []
    summaries: list[NoteSummary] = []
    shipped: dict[str, MediaFile] = {}
    looked_at: list[Path] = []
    unfetched = False
    # Every note's web images first, downloaded side by side (what the cache holds is not).
    images.prefetch(ref.src for r in processed.results if r.summary for ref in r.summary.images if web.is_web(ref.src))
    for (note, _), result in zip(read, processed.results, strict=True):
        warnings.extend(result.warnings)
        left_out.extend(result.left_out)
        if result.summary is None:
            unread.append((result.rel, result.unread))
            continue
        if result.encoding not in ("utf-8", "utf-8-sig"):
            encodings.append((result.rel, result.encoding))
        found = media.resolve(result.summary, note.path, vault, images)
        cards, used = media.attach(result.cards.cards, found)
        warnings.extend(found.warnings)
        looked_at.extend(found.looked_at)
        unfetched = unfetched or found.unfetched
        shipped.update((m.name, m) for m in used)
        per_note.append((result.rel, NoteCards(cards, result.cards.levels)))
        summaries.append(result.summary)
    cards = in_order((note for _, note in per_note), config)
    # Each card's text is in ``cards`` now; what the notes' results and bytes
    # held besides goes (the results the cache is to learn are spooled).
    del read
    processed = replace(processed, results=())
    kinds = tuple(sorted(Counter(c.kind for c in cards).items()))

    written = False
    # One build at a time from reading the lock to writing it; the deck is
    # written before the lock, each atomically, so an interruption anywhere
    # leaves a deck and lock that the next build brings up to date.
    one_at_a_time = contextlib.nullcontext() if options.dry_run else buildlock.exclusive(root)
    with one_at_a_time:
        lock = _load_lock(lock_path, options.rebuild_ids)
        warnings.extend(_unread_warnings(unread, lock))
        warnings.sort(key=lambda w: (w.path, w.line))
        last_deck = functools.partial(lastdeck.shipped, deck_path)
        plan = reconcile(cards, lock, now, keep=frozenset(rel for rel, _ in unread), last_deck=last_deck)
        if options.strict and (warnings or plan.warnings):
            raise StrictModeError(_strict_message([*map(str, warnings), *plan.warnings]))
        if not options.dry_run:
            atomic.remove_leftovers(deck_path)  # from builds killed mid-write
            atomic.remove_leftovers(lock_path)
            # Written only when its bytes change: a changed preset or
            # description counts as much as a changed card.
            decks_of: dict[str, set[str]] = {}
            for card in cards:
                decks_of.setdefault(card.origin.path, set()).add(card.deck)
            contents = Contents(
                notes=plan.notes, model_mods=plan.model_mods, first_id=plan.lock.created * 1000,
                deck_descriptions=deck_descriptions(
                    ((n, decks_of[n.path]) for n in summaries if n.path in decks_of), config.deck
                ),
                media=tuple(shipped[name] for name in sorted(shipped)),
                preset=config.preset if config.preset.ship else None,
            )
            state = DeckState(cache_dir, deck_path) if cache_dir is not None else None
            wanted = contents.fingerprint() if state is not None else ""
            shipped = None
            if state is None or not state.holds(wanted):
                if state is not None:
                    state.forget()
                shipped = write_package(deck_path, contents, keep=state.database if state is not None else None)
                written = shipped.changed
            lockfile.save(lock_path, plan.lock, loaded=lock)
            if state is not None:
                processed.save(state.cache_dir)
                if shipped is not None:
                    state.record(wanted, shipped.pieces)
            if not unread:
                images.prune(ref.src for n in summaries for ref in n.images if web.is_web(ref.src))
            if record is not None:
                if unread or unfetched:
                    record.forget()  # the next build still has something to do
                else:  # (not settled while it ships removed cards: the next build drops them)
                    outcome = Outcome(kinds, tuple(warnings), tuple(encodings), tuple(left_out))
                    listing = (str(root), vault.digest()) if vault.listed else None
                    layout = patching.layout_of(per_note, plan)
                    record.record(
                        inputs, [lock_path, deck_path, *looked_at], outcome, listing, layout, settled=layout.settled
                    )
    return BuildResult(
        notes_root=root,
        files=tuple(n.rel for n in files),
        cards=cards,
        plan=plan,
        warnings=tuple(warnings),
        encodings=tuple(encodings),
        deck_path=deck_path,
        lock_path=lock_path,
        written=written,
        kinds=kinds,
        left_out=tuple(left_out),
    )


def _web_images(options: BuildOptions) -> web.WebImages:
    """Where this build's images from the web come from: the build cache, else
    the web (a dry run reads the cache but adds nothing to it)."""
    settings = options.config.images
    return web.WebImages(
        cache_dir_for(options.output) / "web", settings.download, settings.download_timeout,
        settings.download_max_mb << 20, store=not options.dry_run,
    )


def _without_cards(
    options: BuildOptions,
    root: Path,
    files: list[NoteFile],
    outcome: Outcome,
    changes: tuple[Change, ...],
    deck_path: Path,
    lock_path: Path,
    written: bool = False,
    up_to_date: bool = False,
    patched: bool = False,
) -> BuildResult:
    """The result of a build that read none or few of the notes: ``outcome``
    says what the deck holds, ``changes`` what changed (every other card is unchanged)."""
    if options.strict and outcome.warnings:
        raise StrictModeError(_strict_message([str(w) for w in outcome.warnings]))
    others = sum(n for _, n in outcome.kinds) - sum(1 for c in changes if c.status is not Status.REMOVED)
    unchanged = (_UNCHANGED,) * others
    return BuildResult(
        notes_root=root,
        files=tuple(n.rel for n in files),
        cards=(),
        plan=Plan(notes=(), lock=None, changes=changes + unchanged, warnings=(), model_mods={}),
        warnings=outcome.warnings,
        encodings=outcome.encodings,
        deck_path=deck_path,
        lock_path=lock_path,
        written=written,
        kinds=outcome.kinds,
        left_out=outcome.left_out,
        up_to_date=up_to_date,
        patched=patched,
    )


_UNCHANGED = Change(Status.UNCHANGED, "", "", "")
"""Stands for each card a build did not read again."""


def _unread_warnings(unread: list[tuple[str, str]], lock: lockfile.Lock | None) -> list[Diagnostic]:
    """Warn about files not read; an empty file that had cards is worth a warning too."""
    out = []
    for rel, why in unread:
        had = sum(1 for c in (lock.cards if lock else ()) if not c.removed and c.source.rpartition(":")[0] == rel)
        if had:
            out.append(Diagnostic(rel, 1, f"{why}; its {had} card(s) from the last build are kept as they were"))
        elif why.startswith("skipped"):
            out.append(Diagnostic(rel, 1, why))
    return out


def _strict_message(warnings: list[str]) -> str:
    lines = "\n".join(f"  warning: {w}" for w in warnings)
    return f"{len(warnings)} warning(s) and --strict: nothing was written\n{lines}"


def _load_lock(path: Path, rebuild_ids: bool) -> lockfile.Lock | None:
    if rebuild_ids:
        return None
    return lockfile.load(path)


def _slug(name: str) -> str:
    import re

    slug = re.sub(r"[^\w.-]+", "-", name.strip(), flags=re.UNICODE).strip("-").lower()
    return slug or "deck"
