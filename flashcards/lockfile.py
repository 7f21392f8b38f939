"""The lock file: what the last build shipped, so rebuilds keep every card's guid.

It lives next to the notes (``flashcards.lock``) and is meant to be
committed with them: a fresh clone on another machine then rebuilds the
same guids and modification times. It is JSON, one card per entry, sorted,
so diffs stay readable.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flashcards.atomic import write_atomic
from flashcards.errors import LockFileError

LOCK_NAME = "flashcards.lock"
VERSION = 1


@dataclass(frozen=True)
class LockedCard:
    """One card as last shipped."""

    guid: str
    identity: str
    kind: str
    hash: str
    """Hash of everything shipped for the note (fields, tags, deck)."""
    mod: int
    """When its content last changed (seconds): the note's ``mod`` in Anki."""
    source: str
    """``path:line`` where it was found."""
    deck: str
    label: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    removed: int = 0
    """When it disappeared from the notes (0 while it is still there)."""


@dataclass(frozen=True)
class Lock:
    """The whole lock file."""

    created: int
    """When the first build ran (seconds); seeds note ids."""
    note_types: tuple[tuple[int, str, int], ...] = ()
    """(model id, definition hash, mod) for each note type."""
    cards: tuple[LockedCard, ...] = field(default=())

    def by_identity(self) -> dict[str, LockedCard]:
        return {c.identity: c for c in self.cards}


def lock_path(notes_root: Path) -> Path:
    return notes_root / LOCK_NAME


def load(path: Path) -> Lock | None:
    """The lock at ``path``, or None when there is none yet."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        cards = tuple(
            LockedCard(**{**c, "fields": tuple(c["fields"]), "tags": tuple(c["tags"])}) for c in data["cards"]
        )
        note_types = tuple((int(m), str(h), int(t)) for m, h, t in data["note_types"])
        lock = Lock(created=int(data["created"]), note_types=note_types, cards=cards)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LockFileError(
            f"{path}: the lock file is unreadable ({exc}). It keeps your cards' identities: "
            "restore it from version control, or run with --rebuild-ids to start a new one "
            "(cards whose headings or questions changed since may then arrive as duplicates)."
        ) from None
    guids = [c.guid for c in lock.cards]
    if len(set(guids)) != len(guids):
        raise LockFileError(f"{path}: the lock file lists a guid twice; restore it or run with --rebuild-ids")
    return lock


def dumps(lock: Lock) -> str:
    """The lock as JSON text: stable key order, one card per entry."""
    cards = sorted(lock.cards, key=lambda c: (c.identity, c.guid))
    rows = ",\n".join(json.dumps(asdict(c), ensure_ascii=False, sort_keys=True) for c in cards)
    head = json.dumps(
        {"version": VERSION, "created": lock.created, "note_types": [list(t) for t in sorted(lock.note_types)]},
        ensure_ascii=False,
        sort_keys=True,
    )
    return head[:-1] + ', "cards": [\n' + rows + "\n]}\n"


def save(path: Path, lock: Lock) -> None:
    """Write the lock atomically (unchanged content is not rewritten)."""
    text = dumps(lock)
    if path.exists() and path.read_text(encoding="utf-8", errors="replace") == text:
        return
    write_atomic(path, text.encode("utf-8"))
