"""The build: notes in, an Anki package out — read top to bottom.

read → parse → extract → cards → reconcile with the lock → package.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flashcards import atomic, buildlock, lockfile, media
from flashcards.cards import make_cards
from flashcards.config import Config
from flashcards.decks import deck_descriptions
from flashcards.errors import StrictModeError
from flashcards.extract import extract
from flashcards.model import Card, Diagnostic, Document, Fact, Kind
from flashcards.package import MediaFile, write_package
from flashcards.parse import parse
from flashcards.reading import UnreadableNote, find_notes, read_note
from flashcards.reconcile import Plan, reconcile


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


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the summary and for scripts."""

    notes_root: Path
    files: tuple[str, ...]
    cards: tuple[Card, ...]
    plan: Plan
    warnings: tuple[Diagnostic, ...]
    encodings: tuple[tuple[str, str], ...]
    """(file, encoding) for files not read as plain UTF-8."""
    deck_path: Path
    lock_path: Path
    written: bool

    def cards_by_kind(self) -> dict[Kind, int]:
        return dict(sorted(Counter(c.kind for c in self.cards).items()))


def build(options: BuildOptions, now: int | None = None) -> BuildResult:
    """Build the deck for ``options``; ``now`` (seconds) stamps changed cards."""
    now = int(time.time()) if now is None else now
    root, files = find_notes(list(options.sources))
    warnings: list[Diagnostic] = []
    encodings: list[tuple[str, str]] = []
    parsed: list[tuple[Document, tuple[Fact, ...]]] = []
    shipped: dict[str, MediaFile] = {}
    unread: list[tuple[str, str]] = []  # (file, why): its cards are kept, not removed
    for note in files:
        try:
            text = read_note(note, root)
        except UnreadableNote as exc:
            unread.append((note.rel, f"skipped: {exc}"))
            continue
        warnings.extend(text.warnings)
        if not text.text.strip():
            unread.append((note.rel, "the file is empty"))
            continue
        if text.encoding not in ("utf-8", "utf-8-sig"):
            encodings.append((note.rel, text.encoding))
        doc = parse(text.text, note.rel)
        found = extract(doc)
        images = media.resolve(doc, note.path, root)
        facts, used = media.attach(found.facts, images)
        warnings.extend((*found.warnings, *images.warnings))
        shipped.update((m.name, m) for m in used)
        parsed.append((doc, facts))

    config = options.config
    cards = make_cards(parsed, config)
    lock_path = lockfile.lock_path(root)
    deck_path = options.output / f"{_slug(config.deck.root)}.apkg"
    written = False
    # One build at a time from reading the lock to writing it; the deck is
    # written before the lock, each atomically, so an interruption anywhere
    # leaves a deck and lock that the next build brings up to date.
    one_at_a_time = contextlib.nullcontext() if options.dry_run else buildlock.exclusive(root)
    with one_at_a_time:
        lock = _load_lock(lock_path, options.rebuild_ids)
        warnings.extend(_unread_warnings(unread, lock))
        warnings.sort(key=lambda w: (w.path, w.line))
        plan = reconcile(cards, lock, now, keep=frozenset(rel for rel, _ in unread))
        if options.strict and (warnings or plan.warnings):
            raise StrictModeError(_strict_message([*map(str, warnings), *plan.warnings]))
        if not options.dry_run:
            atomic.remove_leftovers(deck_path)  # from builds killed mid-write
            atomic.remove_leftovers(lock_path)
            # Written only when its bytes change: a changed preset or
            # description counts as much as a changed card.
            with_cards = {c.origin.path for c in cards}
            written = write_package(
                deck_path, plan.notes, plan.model_mods, first_id=plan.lock.created * 1000,
                deck_descriptions=deck_descriptions((d for d, _ in parsed if d.path in with_cards), config.deck),
                media=tuple(shipped[name] for name in sorted(shipped)),
                preset=config.preset if config.preset.ship else None,
            )
            lockfile.save(lock_path, plan.lock)
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
    )


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
