"""The lock file: what the last build shipped, so rebuilds keep every card's guid.

It lives next to the notes (``flashcards.lock``) and is meant to be
committed with them: a fresh clone on another machine then rebuilds the
same guids and modification times. It is JSON, one card per entry, sorted,
so diffs stay readable.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import BinaryIO

import orjson

from flashcards.errors import LockFileError
from flashcards.state.atomic import write_atomic

LOCK_NAME = "flashcards.lock"
VERSION = 1


@dataclass(frozen=True, slots=True)  # many thousands of them
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
    """``path:line`` as its Source field shows it: where it was found when its
    content last changed (a card that only moved keeps the line Anki has)."""
    deck: str
    label: str
    fields: tuple[str, ...] | None
    """The note's fields as shipped; None when not read into memory (they
    are most of the lock): :meth:`Lock.fields_of` reads them on demand."""
    tags: tuple[str, ...]
    removed: int = 0
    """When it disappeared from the notes (0 while it is still there)."""
    clozes: tuple[str, ...] = ()
    """A list or procedure note's items by cloze number (see :mod:`flashcards.state.clozes`);
    left out of the file when empty (other cards, and entries older than it)."""


_CARD_FIELDS = {f.name: f for f in fields(LockedCard)}
# The annotations are strings here ("str", "int", "tuple[str, ...]").
_STRINGS = tuple(n for n, f in _CARD_FIELDS.items() if f.type == "str")
_INTS = tuple(n for n, f in _CARD_FIELDS.items() if f.type == "int")
_LISTS = tuple(n for n, f in _CARD_FIELDS.items() if str(f.type).startswith("tuple"))
_REQUIRED = tuple(n for n, f in _CARD_FIELDS.items() if f.default is MISSING)


@dataclass(frozen=True)
class Lock:
    """The whole lock file."""

    created: int
    """When the first build ran (seconds); seeds note ids."""
    note_types: tuple[tuple[int, str, int], ...] = ()
    """(model id, definition hash, mod) for each note type."""
    cards: tuple[LockedCard, ...] = field(default=())
    path: Path | None = field(default=None, compare=False, repr=False)
    """The file it was read from."""
    lines: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    """Where each card read without its fields is in that file (by guid): (start, end) bytes."""

    def by_identity(self) -> dict[str, LockedCard]:
        return {c.identity: c for c in self.cards}

    def fields_of(self, card: LockedCard) -> tuple[str, ...]:
        """A card's fields, read from the file if they were not kept in memory."""
        if card.fields is not None:
            return card.fields
        return tuple(orjson.loads(self.line_of(card))["fields"])

    def line_of(self, card: LockedCard, opened: BinaryIO | None = None) -> bytes:
        """The card's line as read (the JSON object, without the comma), from
        the file or from ``opened``, the same file already open."""
        start, end = self.lines[card.guid]
        assert self.path is not None
        with contextlib.nullcontext(opened) if opened else open(self.path, "rb") as fh:
            fh.seek(start)
            return fh.read(end - start)


def lock_path(notes_root: Path) -> Path:
    return notes_root / LOCK_NAME


def load(path: Path) -> Lock | None:
    """The lock at ``path``, or None when there is none yet."""
    if not path.exists():
        return None
    try:
        data, lines = _by_line(path) or (_parse(path.read_bytes()), {})
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("version") != VERSION:
            raise ValueError(f"unknown version {data.get('version')!r}")
        cards = tuple(c if isinstance(c, LockedCard) else _card(c) for c in _list(data, "cards"))
        note_types = tuple((_int(m), _str(h), _int(t)) for m, h, t in _list(data, "note_types"))
        lock = Lock(created=_int(data.get("created")), note_types=note_types, cards=cards, path=path, lines=lines)
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        # (UnicodeDecodeError and json's errors are ValueErrors; absurdly
        # nested JSON raises RecursionError.)
        where, reason = str(path), str(exc) or type(exc).__name__
        if isinstance(exc, json.JSONDecodeError):
            where, reason = f"{path}:{exc.lineno}", f"{exc.msg}, column {exc.colno}"
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


def _card(entry: object, keep_fields: bool = True) -> LockedCard:
    """One card entry, checked field by field (a hand-edited lock may hold anything)."""
    if not isinstance(entry, dict):
        raise ValueError("a card entry is not an object")
    if entry.keys() != _CARD_FIELDS.keys():
        unknown = entry.keys() - _CARD_FIELDS.keys()
        if unknown:
            raise ValueError(f"unknown card field {sorted(unknown)[0]!r}")
        missing = [n for n in _REQUIRED if n not in entry]
        if missing:
            raise ValueError(f"a card entry has no {missing[0]!r}")
    for name in _STRINGS:
        if name in entry and not isinstance(entry[name], str):
            raise ValueError(f"{entry[name]!r} is not a string")
    for name in _INTS:
        if name in entry:
            _int(entry[name])
    values = dict(entry)
    for name in _LISTS:
        if name not in entry:
            continue
        value = entry[name]
        if type(value) is not list or (value and set(map(type, value)) != {str}):
            raise ValueError(f"card field {name!r} is not a list of strings")
        values[name] = tuple(value)
    if not keep_fields:
        values["fields"] = None
    return LockedCard(**values)


_CARDS_OPEN = b', "cards": [\n'


def _by_line(path: Path) -> tuple[dict, dict[str, tuple[int, int]]] | None:
    """The lock read a card (a line) at a time, as :func:`save` writes it,
    each card's fields checked and left in the file, and where each card's
    line is. None when it is not laid out that way (edited by hand) or a line
    is not valid: the file is then read whole, for the error's line and column."""
    cards: list[LockedCard] = []
    lines: dict[str, tuple[int, int]] = {}
    try:
        with open(path, "rb") as fh:
            first = fh.readline()
            if not first.endswith(_CARDS_OPEN):
                return None
            head = orjson.loads(first[: -len(_CARDS_OPEN)] + b"}")
            if not isinstance(head, dict) or "cards" in head or head.get("version") != VERSION:
                return None
            offset, ended = len(first), False
            for line in fh:
                if line == b"]}\n":
                    ended = True
                    break
                if line == b"\n" and not cards:  # no cards at all
                    offset += len(line)
                    continue
                body = line[:-2] if line.endswith(b",\n") else line.rstrip(b"\n")
                card = _card(orjson.loads(body), keep_fields=False)
                lines[card.guid] = (offset, offset + len(body))
                cards.append(card)
                offset += len(line)
            if not ended or fh.read(1):
                return None
    except (orjson.JSONDecodeError, ValueError, TypeError):
        return None
    return {**head, "cards": cards}, lines


def _parse(data: bytes) -> object:
    """JSON from the lock's bytes: orjson for speed; on an error, json again
    for its message with a line and column."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data.decode("utf-8"))


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


def dumps(lock: Lock, loaded: Lock | None = None) -> bytes:
    """The lock as JSON: stable key order, one card per line (readable diffs)."""
    return b"".join(_pieces(lock, loaded))


def _pieces(lock: Lock, loaded: Lock | None) -> Iterator[bytes]:
    """The lock's bytes a card (a line) at a time: it can be large."""
    head = orjson.dumps(
        {"version": VERSION, "created": lock.created, "note_types": [list(t) for t in sorted(lock.note_types)]},
        option=orjson.OPT_SORT_KEYS,
    )
    yield head[:-1] + _CARDS_OPEN
    cards = sorted(lock.cards, key=lambda c: (c.identity, c.guid))
    with open(loaded.path, "rb") if loaded and loaded.path else contextlib.nullcontext() as old:
        for i, card in enumerate(cards):
            yield (b",\n" if i else b"") + _line(card, loaded, old)
    yield b"\n]}\n"


def _line(card: LockedCard, loaded: Lock | None, opened: BinaryIO | None) -> bytes:
    if card.fields is None:  # exactly as read: its line, copied
        assert opened is not None and loaded is not None, "a card without its fields comes from the lock loaded"
        return loaded.line_of(card, opened)
    line = orjson.dumps(card, option=orjson.OPT_SORT_KEYS)  # a dataclass: the object of its fields
    return b"{" + line[len(_NO_CLOZES) :] if line.startswith(_NO_CLOZES) else line


_NO_CLOZES = b'{"clozes":[],'  # (sorted first of the keys)


# ------------------------------------------------- one note file's cards at a time


@dataclass(frozen=True)
class Block:
    """One note file's cards in a lock file :func:`save` wrote: sorted by
    identity, and every identity starting with the file's path, they are
    one run of lines."""

    lock: Lock
    """The lock's head with only these cards (their fields left in the file)."""
    start: int
    end: int
    """The run's bytes in the file (start == end: the file has no cards)."""
    source: bytes = field(repr=False, compare=False)
    """The whole file as read (one object shared by the blocks of one load)."""


def load_blocks(path: Path, files: Sequence[str]) -> list[Block] | None:
    """The blocks of ``files`` (note paths) in the lock at ``path``, or None
    when it is not laid out as :func:`save` writes it. Found by bisection,
    reading only the lines of these files and a few more."""
    try:
        data = path.read_bytes()
        body = data.index(b"\n") + 1
        if not data[:body].endswith(_CARDS_OPEN) or not data.endswith(b"\n]}\n"):
            return None
        head = orjson.loads(data[: body - len(_CARDS_OPEN)] + b"}")
        note_types = tuple((_int(m), _str(h), _int(t)) for m, h, t in head["note_types"])
        lines = _Lines(data, body, len(data) - len(b"\n]}\n"))
        blocks = []
        for rel in files:
            # Identities starting with rel + "\x1f" sort from it to just before rel + "\x20".
            start, end = lines.first(rel + "\x1f"), lines.first(rel + "\x20")
            spans, at = [], start
            while at < end:
                spans.append((at, lines.end(at)))
                at = lines.following(spans[-1][1])
            cards = tuple(_card(orjson.loads(data[a:b]), keep_fields=False) for a, b in spans)
            where = {c.guid: span for c, span in zip(cards, spans, strict=True)}
            lock = Lock(created=_int(head["created"]), note_types=note_types, cards=cards, path=path, lines=where)
            blocks.append(Block(lock, start, spans[-1][1] if spans else start, data))
    except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return None
    return blocks


class _Lines:
    """The card lines of a lock file's bytes (``body`` to ``end``), each ended by ",\\n" but the last."""

    def __init__(self, data: bytes, body: int, end: int) -> None:
        self.data, self.body, self.stop = data, body, end

    def end(self, start: int) -> int:
        found = self.data.find(b",\n", start, self.stop)
        return self.stop if found < 0 else found

    def following(self, at: int) -> int:
        """Where the first line starting at or after ``at`` starts (``stop`` if none)."""
        if at <= self.body:
            return self.body if self.stop > self.body else self.stop
        found = self.data.find(b",\n", at - 2, self.stop)
        return self.stop if found < 0 else found + 2

    def identity(self, start: int) -> str:
        return orjson.loads(self.data[start : self.end(start)])["identity"]

    def first(self, target: str) -> int:
        """Where the first line whose identity is not below ``target`` starts (``stop`` if none)."""
        low, high = self.following(self.body), self.stop  # lines before low are below; from high on, not
        while low < high:
            mid = self.following((low + high) // 2)
            if mid >= high:  # no line starts between the middle and high: look at low's line
                if self.identity(low) >= target:
                    return low
                low = self.following(low + 1)
            elif self.identity(mid) < target:
                low = self.following(mid + 1)
            else:
                high = mid
        return high


def save_blocks(path: Path, changed: Sequence[tuple[Block, Lock]]) -> None:
    """Write the lock at ``path`` (the file the blocks were loaded from, as it
    was) atomically with each block's cards replaced by those of the lock
    paired with it (the same head, the same note file): the bytes
    :func:`save` would write for the whole lock."""
    data = changed[0][0].source
    opened = io.BytesIO(data)  # (unchanged cards' lines are copied from it)
    pieces, at = [], 0
    for block, lock in sorted(changed, key=lambda c: c[0].start):
        assert block.source is data and (lock.created, lock.note_types) == (block.lock.created, block.lock.note_types)
        cards = sorted(lock.cards, key=lambda c: (c.identity, c.guid))
        pieces += [data[at : block.start], b",\n".join(_line(c, block.lock, opened) for c in cards)]
        at = block.end
    pieces.append(data[at:])
    write_atomic(path, pieces)


def save(path: Path, lock: Lock, loaded: Lock | None = None) -> None:
    """Write the lock atomically — unless it is the lock ``loaded`` from
    ``path``, card for card (the very same entries: nothing to compare).
    Cards whose fields were left in ``loaded``'s file are copied from it."""
    if loaded is not None and same_entries(lock, loaded) and path.exists():
        return
    write_atomic(path, _pieces(lock, loaded))


def same_entries(lock: Lock, loaded: Lock) -> bool:
    """Whether ``lock`` is ``loaded`` again: the same head and the very same card entries."""
    return (
        (lock.created, sorted(lock.note_types)) == (loaded.created, sorted(loaded.note_types))
        and len(lock.cards) == len(loaded.cards)
        and {id(c) for c in lock.cards} == {id(c) for c in loaded.cards}
    )
