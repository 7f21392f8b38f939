"""Knowing, cheaply, that a build would change nothing.

A build that wrote its deck and lock records a stamp of everything it read —
this program's code, the configuration, every note's bytes, the images it
looked for — with the state of the lock and deck it left, and the summary it
reported. The next build makes the stamp again from the notes alone: when
nothing differs, reading, reconciling and packaging every note again could
only give the same bytes, so it reports the recorded summary and stops.

A build is recorded only when a second one would give the same result: not
when it shipped removed cards (the next build turns them into tombstones) or
could not read a note file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flashcards.cache import Signature, pack, read, signature, write
from flashcards.model import Diagnostic, Kind


@dataclass(frozen=True)
class Outcome:
    """What an up-to-date build reports: the last build's cards and warnings."""

    kinds: tuple[tuple[Kind, int], ...]
    warnings: tuple[Diagnostic, ...]
    encodings: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Record:
    inputs: str
    files: tuple[tuple[str, Signature], ...]
    outcome: Outcome


def inputs_digest(root: Path, config_repr: str, notes: Sequence[tuple[str, str]]) -> str:
    """A digest of what a build reads: the notes folder, the configuration and
    each note's (path, content key) — content keys already cover this program's code."""
    digest = hashlib.sha256()
    for part in (str(root), config_repr, *(f"{rel}\0{key}" for rel, key in notes)):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\x1e")
    return digest.hexdigest()


class UpToDate:
    """The record of the last build into one deck (kept in the build cache)."""

    def __init__(self, cache_dir: Path, deck: Path) -> None:
        self.path = cache_dir / f"{deck.name}.uptodate"

    def check(self, inputs: str) -> Outcome | None:
        """The recorded outcome if the inputs, and every file the last build
        read or wrote, are as they were; else None."""
        record = read(self.path)
        if not isinstance(record, _Record) or record.inputs != inputs:
            return None
        if any(signature(Path(name)) != sig for name, sig in record.files):
            return None
        return record.outcome

    def record(self, inputs: str, files: Iterable[Path], outcome: Outcome) -> None:
        """Remember a build whose rebuild would change nothing; ``files`` are the
        lock, the deck and the images it looked for (written last, after them)."""
        write(self.path, pack(_Record(inputs, tuple((str(p), signature(p)) for p in sorted(set(files))), outcome)))

    def forget(self) -> None:
        try:
            os.unlink(self.path)
        except OSError:
            pass
