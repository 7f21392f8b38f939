"""Each note's share of a build: decode → parse → extract → cards.

Notes do not depend on each other until cards are ordered, so this stage
runs on every core, and its result is cached by the note's content: a
rebuild re-reads only the notes that changed (see :mod:`flashcards.state.cache`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flashcards.cards import NoteCards, note_cards, summarize
from flashcards.config import Config
from flashcards.extract import extract, gate
from flashcards.model import Diagnostic, Document, Extraction, LeftOut, NoteSummary
from flashcards.parse import parse
from flashcards.progress import QUIET, WORTH_SHOWING, Progress
from flashcards.reading import NoteFile, UnreadableNote, decode
from flashcards.state import cache

PARALLEL_FROM = 16
"""Fewer notes than this to process are done in this process: starting
workers costs more than it saves."""


@dataclass(frozen=True)
class NoteResult:
    """What one note file contributes to a build."""

    rel: str
    summary: NoteSummary | None
    """None when the note could not be read (see ``unread``)."""
    cards: NoteCards
    warnings: tuple[Diagnostic, ...] = ()
    encoding: str = "utf-8"
    unread: str = ""
    """Why the note was not read ('' when it was): its cards are then kept as they were."""
    left_out: tuple[LeftOut, ...] = ()
    """What the quality gate did not card (see :mod:`flashcards.extract.gate`)."""


@dataclass(frozen=True)
class Processed:
    """Every note's result, and what the cache should learn once the build succeeded."""

    results: tuple[NoteResult, ...]
    keys: tuple[str, ...]
    fresh: frozenset[int]
    """Indexes of the results computed this time (not found in the cache)."""

    spooled: Spool | None = None
    """The new results as the cache stores them (pickled), for :meth:`save`;
    None when nothing is to be cached."""

    def save(self, cache_dir: Path, used: set[str] | None = None) -> None:
        """Store the new results and forget those no note uses any more
        (``used``: every note's key, when these results are only some notes')."""
        for i in sorted(self.fresh):
            packed = self.spooled.get(i) if self.spooled is not None else cache.pack(self.results[i])
            if packed is not None:
                cache.store(cache_dir, self.keys[i], packed)
        cache.prune(cache_dir, set(self.keys) if used is None else used)


class Spool:
    """Pickled results kept in an unnamed temporary file, not in memory (a
    5,000-note vault's are some 200 MB): the cache learns them only once the
    deck is written, and until then the build holds them unpickled anyway.
    The file goes away when the spool does, however the build ends."""

    def __init__(self) -> None:
        # Open as long as the spool lives: closed, and gone, with it.
        self._file = tempfile.TemporaryFile(prefix="flashcards-results-")  # noqa: SIM115
        self._where: dict[int, tuple[int, int]] = {}
        self._end = 0

    def add(self, index: int, data: bytes) -> None:
        self._file.seek(self._end)
        self._file.write(data)
        self._where[index] = (self._end, len(data))
        self._end += len(data)

    def get(self, index: int) -> bytes | None:
        if index not in self._where:
            return None
        start, length = self._where[index]
        self._file.seek(start)
        return self._file.read(length)


def note_keys(notes: Sequence[tuple[NoteFile, bytes]], config: Config) -> tuple[str, ...]:
    """Each note's cache key: its bytes, its path, the configuration and this program's code."""
    settings = repr(config).encode()
    return tuple(cache.key(settings, note.rel.encode(), data) for note, data in notes)


def process_notes(
    notes: Sequence[tuple[NoteFile, bytes]],
    keys: Sequence[str],
    config: Config,
    cache_dir: Path | None,
    jobs: int,
    progress: Progress = QUIET,
) -> Processed:
    """Results for every note, in the order given, from the cache where it
    has them and from ``jobs`` processes for the rest.

    The cache is keyed by the note's bytes, the configuration and this
    program's own code, so nothing stale is ever reused. Nothing is written
    here: the build saves the cache once it has written the deck.
    """
    results = [cached(cache_dir, k) if cache_dir else None for k in keys]
    todo = [i for i, r in enumerate(results) if r is None]
    work = [(notes[i][0].rel, notes[i][1], config) for i in todo]
    if len(work) >= WORTH_SHOWING:
        progress.stage("Reading notes", len(work))
    # Kept for the cache, pickled as it stores them (when there is a cache).
    spooled = Spool() if cache_dir is not None and todo else None
    if jobs > 1 and len(work) >= PARALLEL_FROM:
        # fork: workers start at once with everything already imported. On
        # any exception (Ctrl-C included) the pool's exit terminates them.
        # Results come back pickled, as the cache keeps them.
        context = multiprocessing.get_context("fork")
        with context.Pool(min(jobs, len(work)), initializer=_die_with_parent) as pool:
            chunks = max(1, len(work) // (jobs * 24))  # small enough that no worker waits long at the end
            for i, data in zip(todo, pool.imap(_process_packed, work, chunksize=chunks), strict=True):
                results[i] = pickle.loads(data)
                if spooled is not None:
                    spooled.add(i, data)
                progress.advance()
    else:
        for i, one in zip(todo, work, strict=True):
            results[i] = process_note(*one)
            if spooled is not None:
                spooled.add(i, cache.pack(results[i]))
            progress.advance()
    return Processed(tuple(r for r in results if r is not None), tuple(keys), frozenset(todo), spooled)


def process_note(rel: str, data: bytes, config: Config) -> NoteResult:
    """Decode, parse and extract one note, and make its cards."""
    return read_note(rel, data, config).result


@dataclass(frozen=True)
class NoteReading:
    """One note through :func:`process_note`, with what the stages made on
    the way (for ``flashcards explain``, which must see what the build sees)."""

    result: NoteResult
    doc: Document | None = None
    """The parsed note (None when it was not read)."""
    found: Extraction | None = None
    """Everything the extractors found, before cards were made of it."""


def read_note(rel: str, data: bytes, config: Config) -> NoteReading:
    """:func:`process_note`, keeping the parsed note and what was extracted."""
    try:
        text = decode(data, rel)
    except UnreadableNote as exc:
        return NoteReading(NoteResult(rel, None, NoteCards((), ()), unread=f"skipped: {exc}"))
    if not text.text.strip():
        return NoteReading(
            NoteResult(rel, None, NoteCards((), ()), tuple(text.warnings), text.encoding, unread="the file is empty")
        )
    doc = parse(text.text, rel)
    found = extract(doc, gate.skip_rule(config.cards.skipped_headings()))
    summary = summarize(doc)
    result = NoteResult(
        rel, summary, note_cards(summary, found.facts, config), (*text.warnings, *found.warnings), text.encoding,
        left_out=found.left_out,
    )
    return NoteReading(result, doc, found)


def cached(cache_dir: Path, key: str) -> NoteResult | None:
    """The result stored under ``key``, if any."""
    found = cache.load(cache_dir, key)
    return found if isinstance(found, NoteResult) else None


def _process_packed(args: tuple[str, bytes, Config]) -> bytes:
    return cache.pack(process_note(*args))


def _die_with_parent() -> None:
    """A worker ends when the build does, even if the build is killed outright
    (a worker left behind would hold the terminal's output open)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)
