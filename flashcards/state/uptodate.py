"""Knowing, cheaply, that a build would change nothing.

A build that wrote its deck and lock records a stamp of everything it read —
this program's code, the configuration, every note's bytes, the images it
looked for (and, when it searched the notes folder for an image by name, the
list of images there) — with the state of the lock and deck it left, and the
summary it reported. The next build makes the stamp again from the notes alone: when
nothing differs, reading, reconciling and packaging every note again could
only give the same bytes, so it reports the recorded summary and stops.

A build that could not read a note file or could not download an image
from the web is not recorded. One that shipped removed cards is recorded as
not *settled*: the next build turns them into tombstones, so it is never up
to date, but it can patch the deck.

When only some notes changed, the record says which, and keeps the layout
of the deck written (where each note's cards are in it), so that the build
can try to patch the last deck rather than build it again
(:mod:`flashcards.state.patching`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flashcards.model import Diagnostic, Kind, LeftOut
from flashcards.state.cache import Signature, pack, read, remove, signature, write
from flashcards.vault import listing_digest


@dataclass(frozen=True)
class Outcome:
    """What an up-to-date build reports: the last build's cards and warnings."""

    kinds: tuple[tuple[Kind, int], ...]
    warnings: tuple[Diagnostic, ...]
    encodings: tuple[tuple[str, str], ...]
    left_out: tuple[LeftOut, ...] = ()


@dataclass(frozen=True)
class Inputs:
    """What a build reads."""

    settings: str
    """A digest of the notes folder and the configuration."""
    notes: tuple[tuple[str, str], ...]
    """Each note's path and content key (which covers this program's code too)."""


def inputs_of(root: Path, config_repr: str, notes: Sequence[tuple[str, str]]) -> Inputs:
    settings = hashlib.sha256(f"{root}\x1e{config_repr}".encode("utf-8", "surrogateescape")).hexdigest()
    return Inputs(settings, tuple(notes))


Listing = tuple[str, str] | None
"""The notes folder and a digest of the images in it (see
:meth:`flashcards.vault.Vault.digest`), when a build searched it for an
image by name; None when it did not."""


@dataclass(frozen=True)
class Edits:
    """Notes changed since the recorded build, everything else as it was."""

    notes: tuple[tuple[int, str], ...]
    """(index among the notes read, content key last time) of each changed note."""
    outcome: Outcome
    files: tuple[Path, ...]
    """The lock, the deck and the images the recorded build looked at."""
    listing: Listing = None
    layout: object = None
    """The layout recorded with the build (None if none was)."""


@dataclass(frozen=True)
class _Record:
    inputs: Inputs
    files: tuple[tuple[str, Signature], ...]
    outcome: Outcome
    listing: Listing = None
    settled: bool = True


class UpToDate:
    """The record of the last build into one deck (kept in the build cache)."""

    def __init__(self, cache_dir: Path, deck: Path) -> None:
        self.path = cache_dir / f"{deck.name}.uptodate"
        self.layout_path = cache_dir / f"{deck.name}.layout"

    def check(self, inputs: Inputs) -> Outcome | None:
        """The recorded outcome if the build was settled and the inputs, and
        every file the last build read or wrote, are as they were; else None."""
        record = self._files_as_they_were()
        return record.outcome if record is not None and record.settled and record.inputs == inputs else None

    def edited(self, inputs: Inputs) -> Edits | None:
        """Which notes changed, when nothing else did (the same settings, the
        same note files, the lock, deck and images as they were); else None."""
        record = self._files_as_they_were()
        if record is None or record.inputs.settings != inputs.settings:
            return None
        old, new = record.inputs.notes, inputs.notes
        if [rel for rel, _ in old] != [rel for rel, _ in new]:
            return None
        changed = tuple((i, was[1]) for i, (was, now) in enumerate(zip(old, new, strict=True)) if was != now)
        files = tuple(Path(name) for name, _ in record.files)
        layout = read(self.layout_path) if self.layout_path.absolute() in files else None
        return Edits(changed, record.outcome, files, record.listing, layout)

    def _files_as_they_were(self) -> _Record | None:
        record = read(self.path)
        if not isinstance(record, _Record) or any(signature(Path(name)) != sig for name, sig in record.files):
            return None
        if record.listing is not None and listing_digest(Path(record.listing[0])) != record.listing[1]:
            return None  # an image was added, moved or removed: one found by name may be another now
        return record

    def record(
        self,
        inputs: Inputs,
        files: Iterable[Path],
        outcome: Outcome,
        listing: Listing = None,
        layout: object = None,
        settled: bool = True,
    ) -> None:
        """Remember a build whose rebuild would change nothing (or, not
        ``settled``, only turn removed cards into tombstones); ``files`` are the
        lock, the deck and the images it looked for (written last, after them),
        ``listing`` the images in the notes folder if it searched them by name,
        ``layout`` what a patch needs to know of the deck. Paths are kept
        absolute: the next build may run from another folder."""
        paths = {p.absolute() for p in files} - {self.layout_path.absolute()}
        if layout is not None:
            write(self.layout_path, pack(layout))
            paths.add(self.layout_path.absolute())
        else:
            remove(self.layout_path)
        signed = tuple((str(p), signature(p)) for p in sorted(paths))
        write(self.path, pack(_Record(inputs, signed, outcome, listing, settled)))

    def forget(self) -> None:
        remove(self.path)
