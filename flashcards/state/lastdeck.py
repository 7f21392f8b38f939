"""What the last deck shipped, read back for cards shipped again without their notes.

The lock keeps no card's fields (see :mod:`flashcards.state.lockfile`), yet
two kinds of card are shipped once more as Anki last got them: a card that
left the notes (tagged, so it can be found and deleted in Anki) and the
cards of a note file that could not be read this time. Their fields and
tags come from the deck the last build wrote, found by guid. A card the
last deck does not hold (deleted, or built elsewhere) is left out of this
deck: Anki keeps it as it is.
"""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Shipped:
    """A note as the last deck holds it."""

    fields: tuple[str, ...]
    tags: tuple[str, ...]


def shipped(deck: Path, guids: Collection[str]) -> dict[str, Shipped]:
    """The notes of ``guids`` that the package at ``deck`` holds, by guid."""
    if not guids:
        return {}
    wanted = sorted(guids)
    found: dict[str, Shipped] = {}
    try:
        with zipfile.ZipFile(deck) as package, tempfile.TemporaryDirectory(prefix="flashcards-") as tmp:
            package.extract("collection.anki2", tmp)
            conn = sqlite3.connect(Path(tmp) / "collection.anki2")
            try:
                for at in range(0, len(wanted), 500):  # (SQLite's limit on parameters)
                    chunk = wanted[at : at + 500]
                    query = f"SELECT guid, flds, tags FROM notes WHERE guid IN ({','.join('?' * len(chunk))})"
                    for guid, flds, tags in conn.execute(query, chunk):
                        found[guid] = Shipped(tuple(flds.split("\x1f")), tuple(tags.split()))
            finally:
                conn.close()
    except (OSError, KeyError, zipfile.BadZipFile, sqlite3.Error):
        return {}  # no last deck (a fresh clone, a deleted output folder): nothing to ship again
    return found
