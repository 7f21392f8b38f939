"""The build: notes in, an Anki package out — read top to bottom.

read → parse → extract → cards → reconcile with the lock → package.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flashcards import lockfile, media
from flashcards.cards import make_cards
from flashcards.config import Config
from flashcards.decks import deck_descriptions
from flashcards.errors import SourceError
from flashcards.extract import extract
from flashcards.model import Card, Diagnostic, Document, Fact, Kind
from flashcards.package import MediaFile, write_package
from flashcards.parse import parse
from flashcards.reading import UnreadableNote, decode, find_notes
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
    for note in files:
        try:
            text = decode(note.path.read_bytes())
        except UnreadableNote as exc:
            warnings.append(Diagnostic(note.rel, 1, f"skipped: {exc}"))
            continue
        except OSError as exc:
            raise SourceError(f"{note.path}: cannot read ({exc.strerror or exc})") from None
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
    lock = _load_lock(lock_path, options.rebuild_ids)
    plan = reconcile(cards, lock, now)

    deck_path = options.output / f"{_slug(config.deck.root)}.apkg"
    written = False
    if not options.dry_run:
        # Written only when its bytes change: a changed preset or description
        # counts as much as a changed card.
        with_cards = {c.origin.path for c in cards}
        written = write_package(
            deck_path, plan.notes, plan.model_mods, first_id=plan.lock.created * 1000,
            deck_descriptions=deck_descriptions((d for d, _ in parsed if d.path in with_cards), config.deck),
            media=tuple(shipped[name] for name in sorted(shipped)),
            preset=config.preset if config.preset.ship else None,
        )
    if not options.dry_run:
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


def _load_lock(path: Path, rebuild_ids: bool) -> lockfile.Lock | None:
    if rebuild_ids:
        return None
    return lockfile.load(path)


def _slug(name: str) -> str:
    import re

    slug = re.sub(r"[^\w.-]+", "-", name.strip(), flags=re.UNICODE).strip("-").lower()
    return slug or "deck"
