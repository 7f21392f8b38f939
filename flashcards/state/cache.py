"""The build cache: results for unchanged notes, and what the deck on disk holds.

It lives with the built deck (``output/.flashcards-cache/``), not among the
notes, so a notes folder only ever gains its lock file. Everything in it is
keyed by content (the note's bytes, the configuration, this program's own
code), so nothing stale is reused; it is safe to delete at any time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import cache
from pathlib import Path

from flashcards.errors import OutputError
from flashcards.state import atomic

CACHE_DIR = ".flashcards-cache"


def cache_dir_for(output: Path) -> Path:
    """Where the cache lives: beside the decks built into ``output``."""
    return output / CACHE_DIR


def key(*parts: bytes) -> str:
    """A cache key for these parts and this version of the program."""
    digest = hashlib.sha256()
    for part in (code_version().encode(), *parts):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()[:40]


@cache
def code_version() -> str:
    """A hash of this program's own source: a new version never reuses old results."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".css") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def load(cache_dir: Path, name: str) -> object | None:
    """The object stored under ``name``, or None (missing or damaged: recompute)."""
    return read(cache_dir / f"{name}.pickle")


def pack(value: object) -> bytes:
    """``value`` as it is stored."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def store(cache_dir: Path, name: str, packed: bytes) -> None:
    """Store a value :func:`pack` made under ``name``."""
    write(cache_dir / f"{name}.pickle", packed)


def read(path: Path) -> object | None:
    """The object :func:`pack` wrote to ``path``, or None (missing or damaged)."""
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def write(path: Path, data: bytes) -> None:
    """Write a cache file. Not flushed to disk: after a power cut a damaged
    file is recomputed; one that cannot be written only makes the next build slower."""
    try:
        atomic.write_atomic(path, data, durable=False)
    except OutputError:
        pass


def remove(path: Path) -> None:
    """Delete a cache file, if it is there."""
    try:
        os.unlink(path)
    except OSError:
        pass


Signature = tuple[int, int, int] | None
"""A file's size, modification time and inode; None when it does not exist."""


def signature(path: Path) -> Signature:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def prune(cache_dir: Path, keep: set[str]) -> None:
    """Delete stored objects not named in ``keep``."""
    try:
        entries = list(os.scandir(cache_dir))
    except OSError:
        return
    for entry in entries:
        if entry.name.endswith(".pickle") and entry.name[: -len(".pickle")] not in keep:
            remove(Path(entry.path))


class DeckState:
    """What the last build wrote to a deck file: a fingerprint of its
    contents, so an unchanged deck is not built again just to find it has
    the same bytes; and the database it kept and where the file's deflated
    pieces are, so a rebuild after an edit can patch the deck
    (:func:`flashcards.package.patch_package`). Trusted only while the deck
    and the database are as that build left them."""

    def __init__(self, cache_dir: Path, deck: Path) -> None:
        self.cache_dir = cache_dir
        self.path = cache_dir / f"{deck.name}.state"
        self.deck = deck
        self.database = cache_dir / f"{deck.name}.anki2"

    def holds(self, fingerprint: str) -> bool:
        """Whether the deck on disk is the one built from ``fingerprint``."""
        state = self._read()
        return state is not None and state[0] == fingerprint

    def pieces(self) -> tuple | None:
        """The deck's deflated pieces, if its database is kept and both are as written."""
        state = self._read()
        return state[1] if state is not None else None

    def record(self, fingerprint: str | None, pieces: tuple | None) -> None:
        """Record the deck just written (``fingerprint`` None: not known;
        ``pieces`` None: its database was not kept)."""
        state = (code_version(), fingerprint, pieces, signature(self.deck), signature(self.database))
        write(self.path, pack(state))

    def forget(self) -> None:
        """Before changing the deck or its database."""
        remove(self.path)

    def _read(self) -> tuple | None:
        found = read(self.path)
        if not isinstance(found, tuple) or len(found) != 5:
            return None
        version, fingerprint, pieces, deck, database = found
        # (Another version of this program may write its databases otherwise.)
        if version != code_version() or deck != signature(self.deck) or database != signature(self.database):
            return None
        return fingerprint, pieces
