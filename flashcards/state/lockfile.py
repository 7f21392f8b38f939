"""The lock file: what the last build shipped, so rebuilds keep every card's guid.

It lives next to the notes (``flashcards.lock``) and is meant to be
committed with them: a fresh clone on another machine then rebuilds the
same guids and modification times. It keeps what telling cards apart needs,
not what they say — about 150 bytes a card. One JSON value a line:

* a head: ``{"version": 2, "created": …, "note_types": […], "card": [column names]}``;
* for each note file (and deck), sorted: ``{"file": "path.md", "deck": "Deck::Name"}``;
* under it, one line for each of its cards, sorted:
  ``[headings, kind, key, guid, hash, mod, line, sketch]``, then ``clozes``,
  ``removed`` and ``two_way`` (1 for a card asked both ways) when they are
  not empty.

So a diff shows one line for each card that changed. A lock of version 1
(every card's fields, tags and label; one JSON document) is read too, and
written back in this form: every guid is kept.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from flashcards.errors import LockFileError
from flashcards.model import Kind
from flashcards.notetypes import BASIC, CLOZE
from flashcards.state import clozes, sketch
from flashcards.state.atomic import write_atomic

LOCK_NAME = "flashcards.lock"
VERSION = 2
COLUMNS = ("headings", "kind", "key", "guid", "hash", "mod", "line", "sketch", "clozes", "removed", "two_way")
"""What a card's line holds, in order (its identity is the file's path and the first three)."""
_REQUIRED = COLUMNS.index("clozes")
_LISTS = ("list", "procedure")
"""Kinds whose cards keep their items' cloze numbers (see :mod:`flashcards.state.clozes`)."""


@dataclass(frozen=True, slots=True)  # many thousands of them
class LockedCard:
    """One card as last shipped."""

    guid: str
    identity: str
    """``path \\x1f headings \\x1f kind \\x1f key``: where it is and what it asks."""
    hash: str
    """Hash of everything shipped for the note (fields, tags, deck), but the line in Source."""
    mod: int
    """When its content last changed (seconds): the note's ``mod`` in Anki."""
    line: int
    """The line its Source field shows: where it was found when its content
    last changed (a card that only moved keeps the line Anki has)."""
    deck: str
    sketch: str
    """Its text in a few bytes, to recognise it reworded (see :mod:`flashcards.state.sketch`)."""
    removed: int = 0
    """When it disappeared from the notes (0 while it is still there)."""
    clozes: tuple[str, ...] = ()
    """A list or procedure note's items by cloze number (see :mod:`flashcards.state.clozes`)."""
    two_way: bool = False
    """Whether it was shipped asked both ways (its Reverse field filled)."""

    @property
    def parts(self) -> list[str]:
        """Path, headings, kind and key."""
        return self.identity.rsplit("\x1f", 3)

    @property
    def path(self) -> str:
        return self.parts[0]

    @property
    def kind(self) -> str:
        return self.parts[2]

    @property
    def source(self) -> str:
        """``path:line`` as its Source field shows it."""
        return f"{self.path}:{self.line}"

    @property
    def label(self) -> str:
        """What the report calls it: its last heading and its question, as its identity keeps them."""
        _, headings, _, key = self.parts
        where = headings.rpartition(" › ")[2]
        return f"{where} › {key}" if where else key


@dataclass(frozen=True)
class Lock:
    """The whole lock file."""

    created: int
    """When the first build ran (seconds); seeds note ids."""
    note_types: tuple[tuple[int, str, int], ...] = ()
    """(model id, definition hash, mod) for each note type."""
    cards: tuple[LockedCard, ...] = field(default=())
    older: bool = field(default=False, compare=False)
    """Read from a lock of an older version: saved in this one even when nothing changed."""

    def by_identity(self) -> dict[str, LockedCard]:
        return {c.identity: c for c in self.cards}


def lock_path(notes_root: Path) -> Path:
    return notes_root / LOCK_NAME


def load(path: Path) -> Lock | None:
    """The lock at ``path``, or None when there is none yet."""
    if not path.exists():
        return None
    try:
        data = path.read_bytes()
        lock = _read(data) or _read_version_1(_parse(data))
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        # (UnicodeDecodeError and json's errors are ValueErrors; absurdly
        # nested JSON raises RecursionError.)
        where, reason = str(path), str(exc) or type(exc).__name__
        if isinstance(exc, json.JSONDecodeError):
            where, reason = f"{path}:{exc.lineno}", f"{exc.msg}, column {exc.colno}"
        elif isinstance(exc, _LineError):
            where, reason = f"{path}:{exc.line}", str(exc.__cause__ or exc)
        elif isinstance(exc, OSError) and exc.strerror:
            reason = exc.strerror
        raise LockFileError(
            f"{where}: the lock file is unreadable ({reason}). It keeps your cards' identities: "
            "restore it from version control, or run with --rebuild-ids to start a new one "
            "(cards whose headings or questions changed since may then arrive as duplicates)."
        ) from None
    guids = [c.guid for c in lock.cards]
    if len(set(guids)) != len(guids):
        raise LockFileError(f"{path}: the lock file lists a guid twice; restore it or run with --rebuild-ids")
    return lock


class _LineError(ValueError):
    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}")
        self.line = line


def _read(data: bytes) -> Lock | None:
    """A lock of this version, or None when ``data`` does not start as one does."""
    first, _, body = data.partition(b"\n")
    try:
        head = orjson.loads(first)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(head, dict) or head.get("version") != VERSION:
        return None
    columns = tuple(head.get("card", ()))
    if columns != COLUMNS[: len(columns)] or len(columns) < _REQUIRED:
        raise _LineError(1) from ValueError("unknown card columns")  # (a lock before two_way has fewer)
    cards = []
    path = deck = None
    for number, line in enumerate(body.splitlines(), start=2):
        try:
            value = orjson.loads(line)
            if isinstance(value, dict):
                path, deck = _str(value.get("file")), _str(value.get("deck"))
            elif path is None or deck is None:
                raise ValueError("a card before its file")
            else:
                cards.append(_card(value, path, deck))
        except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
            raise _LineError(number) from exc
    note_types = tuple((_int(m), _str(h), _int(t)) for m, h, t in _list(head, "note_types"))
    return Lock(created=_int(head.get("created")), note_types=note_types, cards=tuple(cards))


def _card(value: object, path: str, deck: str) -> LockedCard:
    """One card's line, checked (a hand-edited lock may hold anything)."""
    if not isinstance(value, list) or not _REQUIRED <= len(value) <= len(COLUMNS):
        raise ValueError(f"a card is a list of {_REQUIRED} to {len(COLUMNS)} values")
    headings, kind, key, guid, digest, mod, line, sketched = value[:_REQUIRED]
    items = value[_REQUIRED] if len(value) > _REQUIRED else []
    if type(items) is not list or (items and set(map(type, items)) != {str}):
        raise ValueError("clozes is not a list of strings")
    identity = "\x1f".join((path, _str(headings), _str(kind), _str(key)))
    return LockedCard(
        guid=_str(guid), identity=identity, hash=_str(digest), mod=_int(mod), line=_int(line), deck=deck,
        sketch=_str(sketched), removed=_int(value[_REQUIRED + 1]) if len(value) > _REQUIRED + 1 else 0,
        clozes=tuple(items), two_way=bool(_int(value[_REQUIRED + 2])) if len(value) > _REQUIRED + 2 else False,
    )


def _parse(data: bytes) -> object:
    """JSON from the lock's bytes: orjson for speed; on an error, json again
    for its message with a line and column."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data.decode("utf-8"))


# ------------------------------------------------------------------ version 1

_V1_FIELDS = ("guid", "identity", "kind", "hash", "mod", "source", "deck", "label", "fields", "tags", "removed", "clozes")
_V1_REQUIRED = _V1_FIELDS[:10]
_TEXT = CLOZE.fields.index("Text")
_REVERSE = BASIC.fields.index("Reverse")
_BASIC_KINDS = frozenset(k.value for k in Kind if not k.is_cloze)


def _read_version_1(data: object) -> Lock:
    """A lock of version 1 (one JSON document, every card's fields), in this version's terms."""
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("version") != 1:
        raise ValueError(f"unknown version {data.get('version')!r}")
    cards = tuple(_card_version_1(c) for c in _list(data, "cards"))
    note_types = tuple((_int(m), _str(h), _int(t)) for m, h, t in _list(data, "note_types"))
    return Lock(created=_int(data.get("created")), note_types=note_types, cards=cards, older=True)


def _card_version_1(entry: object) -> LockedCard:
    """One card entry of version 1, checked: its fields become a sketch, and
    a list's items their cloze numbers when it recorded none."""
    if not isinstance(entry, dict):
        raise ValueError("a card entry is not an object")
    unknown = entry.keys() - set(_V1_FIELDS)
    if unknown:
        raise ValueError(f"unknown card field {sorted(unknown)[0]!r}")
    missing = [n for n in _V1_REQUIRED if n not in entry]
    if missing:
        raise ValueError(f"a card entry has no {missing[0]!r}")
    for name in ("guid", "identity", "kind", "hash", "source", "deck", "label"):
        _str(entry[name])
    for name in ("fields", "tags", "clozes"):
        value = entry.get(name, [])
        if type(value) is not list or (value and set(map(type, value)) != {str}):
            raise ValueError(f"card field {name!r} is not a list of strings")
    fields, identity = entry["fields"], entry["identity"]
    numbers = tuple(entry.get("clozes", ()))
    if not numbers and entry["kind"] in _LISTS and fields:  # (numbered by position, as its Text shows)
        numbers = clozes.recorded(fields[_TEXT])
    return LockedCard(
        guid=entry["guid"], identity=identity, hash=entry["hash"][:HASH_CHARS], mod=_int(entry["mod"]),
        line=_line_of(entry["source"]), deck=entry["deck"], sketch=sketch.sketch(sketch.card_text(fields)),
        removed=_int(entry.get("removed", 0)), clozes=numbers,
        two_way=entry["kind"] in _BASIC_KINDS and len(fields) > _REVERSE and bool(fields[_REVERSE]),
    )


HASH_CHARS = 16
"""A content hash's length in the lock (64 bits: ample to tell a card's versions apart)."""


def _line_of(source: str) -> int:
    line = source.rpartition(":")[2]
    return int(line) if line.isdigit() else 0


# ------------------------------------------------------------------ checks


def _list(data: dict, key: str) -> list:
    value = data.get(key)
    if not isinstance(value, list):
        raise ValueError(f"{key!r} is not a list")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{value!r} is not a whole number")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a string")
    return value


# ------------------------------------------------------------------ writing


def dumps(lock: Lock) -> bytes:
    """The lock's bytes: a head line, then each note file's line and its cards' lines, sorted."""
    return b"".join(_pieces(lock))


def _pieces(lock: Lock) -> Iterator[bytes]:
    head = {"version": VERSION, "created": lock.created, "note_types": [list(t) for t in sorted(lock.note_types)]}
    yield orjson.dumps({**head, "card": COLUMNS}) + b"\n"
    yield from _body(lock.cards)


def _body(cards: Sequence[LockedCard]) -> Iterator[bytes]:
    """The lines of ``cards``: grouped by file and deck, each group sorted.

    Each group is sorted when its turn comes: the split identities of every
    card at once would take more memory than the cards (a 5,000-note vault's
    lock is sorted for some 150 MB)."""
    groups: dict[tuple[str, str], list[LockedCard]] = {}
    for card in cards:
        groups.setdefault((card.parts[0], card.deck), []).append(card)
    for path, deck in sorted(groups):
        yield orjson.dumps({"file": path, "deck": deck}) + b"\n"
        group = sorted(((c.parts, c) for c in groups.pop((path, deck))), key=lambda pc: (pc[0][1:], pc[1].guid))
        for (_, headings, kind, key), card in group:
            row: list = [headings, kind, key, card.guid, card.hash, card.mod, card.line, card.sketch]
            if card.clozes or card.removed or card.two_way:
                row.append(list(card.clozes))
            if card.removed or card.two_way:
                row.append(card.removed)
            if card.two_way:
                row.append(1)
            yield orjson.dumps(row) + b"\n"


def save(path: Path, lock: Lock, loaded: Lock | None = None) -> None:
    """Write the lock atomically — unless it is the lock ``loaded`` from
    ``path``, card for card (the very same entries: nothing to compare) and
    of this version."""
    if loaded is not None and not loaded.older and same_entries(lock, loaded) and path.exists():
        return
    write_atomic(path, _pieces(lock))


def same_entries(lock: Lock, loaded: Lock) -> bool:
    """Whether ``lock`` is ``loaded`` again: the same head and the very same card entries."""
    return (
        (lock.created, sorted(lock.note_types)) == (loaded.created, sorted(loaded.note_types))
        and len(lock.cards) == len(loaded.cards)
        and {id(c) for c in lock.cards} == {id(c) for c in loaded.cards}
    )


# ------------------------------------------------- one note file's cards at a time


@dataclass(frozen=True)
class Block:
    """One note file's lines in a lock file :func:`save` wrote: its file
    line(s) and its cards, one run of lines."""

    lock: Lock
    """The lock's head with only these cards."""
    start: int
    end: int
    """The run's bytes in the file (start == end: the file has no cards)."""
    source: bytes = field(repr=False, compare=False)
    """The whole file as read (one object shared by the blocks of one load)."""


_FILE_LINE = re.compile(rb'^\{"file":("(?:[^"\\]|\\.)*"),', re.MULTILINE)


def load_blocks(path: Path, files: Sequence[str]) -> list[Block] | None:
    """The blocks of ``files`` (note paths) in the lock at ``path``, or None
    when it is not a lock of this version. Only these files' lines are read."""
    try:
        data = path.read_bytes()
        first = data.index(b"\n") + 1
        head = orjson.loads(data[:first])
        if not isinstance(head, dict) or head.get("version") != VERSION or tuple(head.get("card", ())) != COLUMNS:
            return None
        created, note_types = _int(head["created"]), tuple((_int(m), _str(h), _int(t)) for m, h, t in head["note_types"])
        found = [(orjson.loads(m.group(1)), m.start()) for m in _FILE_LINE.finditer(data, first)]
        paths = [p for p, _ in found]
        if paths != sorted(paths):
            return None
        blocks = []
        for rel in files:
            lo, hi = bisect.bisect_left(paths, rel), bisect.bisect_right(paths, rel)
            start = found[lo][1] if lo < len(found) else len(data)
            end = found[hi][1] if hi < len(found) else len(data)
            read = _read(data[:first] + data[start:end])
            if read is None or any(c.path != rel for c in read.cards):
                return None
            blocks.append(Block(Lock(created, note_types, read.cards), start, end, data))
    except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return None
    return blocks


def save_blocks(path: Path, changed: Sequence[tuple[Block, Lock]]) -> None:
    """Write the lock at ``path`` (the file the blocks were loaded from, as it
    was) atomically with each block's cards replaced by those of the lock
    paired with it (the same head, the same note file): the bytes
    :func:`save` would write for the whole lock."""
    data = changed[0][0].source
    pieces, at = [], 0
    for block, lock in sorted(changed, key=lambda c: c[0].start):
        assert block.source is data and (lock.created, lock.note_types) == (block.lock.created, block.lock.note_types)
        pieces += [data[at : block.start], *_body(lock.cards)]
        at = block.end
    pieces.append(data[at:])
    write_atomic(path, pieces)
