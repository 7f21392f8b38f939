"""Finding an image by its name anywhere in the notes folder, as Obsidian does.

In Obsidian, ``![[diagram.png]]`` (and ``![](diagram.png)``) names a file
that may sit in any folder of the vault: links are written as the shortest
path that is unique. So when an image is not where its path leads (next to
the note, then from the notes folder's root), every image in the notes
folder whose path ends with it — for a bare name, every image of that name,
letters in any case — is a candidate, and the nearest wins as in Obsidian:
one in the note's own folder, else the one with the shortest path, ties
going by path (never by the order the file system lists them in). Obsidian
does not document its choice; this is the order it is seen to follow.

Hidden folders (``.obsidian``, ``.trash``, ``.git`` …) are not searched, as
Obsidian does not show them.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from flashcards.reading import SKIPPED_DIRS

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".bmp"})


@dataclass(frozen=True)
class Found:
    """The candidates for a name, best first (empty: none)."""

    candidates: tuple[str, ...]
    """Paths relative to the notes folder."""

    @property
    def best(self) -> str | None:
        return self.candidates[0] if self.candidates else None


class Vault:
    """The images of one notes folder, listed once, when first asked for."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._by_name: dict[str, list[str]] | None = None
        self._digest = ""

    @property
    def listed(self) -> bool:
        """Whether the folder was searched (a build that did so depends on what it holds)."""
        return self._by_name is not None

    def digest(self) -> str:
        """A digest of the image paths in the notes folder: equal while no image is added, moved or removed."""
        self._index()
        return self._digest

    def find(self, target: str, note_folder: str) -> Found:
        """The images whose path ends with ``target`` (a relative POSIX path), nearest
        to a note in ``note_folder`` (relative to the notes folder; '.' for its root) first."""
        wanted = PurePosixPath(target.lower())
        if not wanted.parts or ".." in wanted.parts or wanted.is_absolute():
            return Found(())
        suffix = "/" + wanted.as_posix()
        matches = [
            rel for rel in self._index().get(wanted.name, ())
            if ("/" + rel.lower()).endswith(suffix)
        ]
        matches.sort(key=lambda rel: (PurePosixPath(rel).parent.as_posix() != note_folder, len(rel), rel))
        return Found(tuple(matches))

    def _index(self) -> dict[str, list[str]]:
        if self._by_name is None:
            paths = listing(self.root)
            self._by_name = {}
            for rel in paths:
                self._by_name.setdefault(PurePosixPath(rel).name.lower(), []).append(rel)
            self._digest = _digest(paths)
        return self._by_name


def listing(root: Path) -> list[str]:
    """Every image file under ``root`` (relative POSIX paths, sorted), hidden folders left out."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.startswith(".")]
        base = Path(folder).relative_to(root).as_posix()
        for name in files:
            if os.path.splitext(name)[1].lower() in IMAGE_SUFFIXES:
                found.append(name if base == "." else f"{base}/{name}")
    return sorted(found)


def listing_digest(root: Path) -> str:
    """:meth:`Vault.digest` without keeping the listing."""
    return _digest(listing(root))


def _digest(paths: list[str]) -> str:
    return hashlib.sha256("\n".join(paths).encode("utf-8", "surrogateescape")).hexdigest()
