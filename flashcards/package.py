"""Package: write cards into an .apkg — the only module that touches genanki.

genanki builds the collection database; this module adds what Anki's
importer needs and genanki does not do:

* each note carries its own modification time (``mod``), so unchanged notes
  are skipped on re-import and changed ones update in place;
* each note type carries the time its definition last changed;
* decks named in the descriptions are written even when empty (the root
  deck), and an optional deck options preset (:mod:`flashcards.preset`)
  is added with every deck pointing at it;
* the database is written to a temporary file we remove, and zipped with
  fixed entry dates and deflate, so the same input gives the same bytes;
* the finished file replaces the old one atomically.
"""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import genanki

from flashcards import preset as presets
from flashcards.atomic import write_atomic
from flashcards.cards import note_type
from flashcards.config import PresetSettings
from flashcards.errors import OutputError
from flashcards.model import Card
from flashcards.notetypes import NOTE_TYPES, NoteType, css

ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class PackagedNote:
    """A card as it goes into the package: its tags and mod are final."""

    card: Card
    tags: tuple[str, ...]
    mod: int


@dataclass(frozen=True)
class MediaFile:
    """A file shipped in the package under a collision-free name."""

    name: str
    data: bytes


class _Model(genanki.Model):
    """A genanki model that writes the time its own definition changed."""

    def __init__(self, nt: NoteType, mod: int) -> None:
        super().__init__(
            model_id=nt.model_id,
            name=nt.name,
            fields=[{"name": f} for f in nt.fields],
            templates=[{"name": n, "qfmt": q, "afmt": a} for n, q, a in nt.templates],
            css=css(),
            model_type=genanki.Model.CLOZE if nt.cloze else genanki.Model.FRONT_BACK,
        )
        self.mod = mod

    def to_json(self, timestamp: float, deck_id: int) -> dict:
        return super().to_json(self.mod, deck_id)


class _Note(genanki.Note):
    """A genanki note with its own ``mod`` (genanki stamps one time on all)."""

    def __init__(self, *args, mod: int, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.mod = mod

    def write_to_db(self, cursor, timestamp: float, deck_id: int, id_gen) -> None:  # noqa: ANN001
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


def model_definition(nt: NoteType) -> str:
    """Everything about a note type that Anki stores, to notice changes."""
    return json.dumps([nt.model_id, nt.name, nt.fields, nt.templates, css()], ensure_ascii=False)


def deck_id(name: str) -> int:
    """A stable deck id (Anki matches decks by name; the id only has to be valid)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=6).digest(), "big") | 1 << 48


def write_package(
    path: Path,
    notes: Sequence[PackagedNote],
    model_mods: Mapping[int, int],
    first_id: int,
    deck_descriptions: Mapping[str, str] | None = None,
    media: Sequence[MediaFile] = (),
    preset: PresetSettings | None = None,
) -> bool:
    """Write ``notes`` to ``path`` as an .apkg, atomically and reproducibly.

    ``model_mods`` maps each note type id to its modification time;
    ``first_id`` seeds the note and card ids (a stable number, such as the
    time the deck was first built, in milliseconds). Every deck in
    ``deck_descriptions`` is written, with or without notes. ``preset``, when
    given, ships as the options preset of every deck. Returns False, writing
    nothing, when ``path`` already holds exactly these bytes.
    """
    models = {nt.model_id: _Model(nt, model_mods[nt.model_id]) for nt in NOTE_TYPES}
    descriptions = deck_descriptions or {}
    decks: dict[str, genanki.Deck] = {}
    for note in notes:
        card = note.card
        deck = decks.get(card.deck)
        if deck is None:
            deck = decks[card.deck] = genanki.Deck(deck_id(card.deck), card.deck, descriptions.get(card.deck, ""))
        deck.add_note(
            _Note(
                model=models[note_type(card).model_id],
                fields=list(card.fields),
                guid=card.guid,
                tags=list(note.tags),
                due=card.due,
                mod=note.mod,
            )
        )
    for name in sorted(set(descriptions) - set(decks)):
        decks[name] = genanki.Deck(deck_id(name), name, descriptions[name])
    package = genanki.Package(list(decks.values()))
    # genanki's own write_to_file leaves its temporary database behind.
    try:
        with tempfile.TemporaryDirectory(prefix="flashcards-") as tmp:
            db = Path(tmp) / "collection.anki2"
            conn = sqlite3.connect(db)
            try:
                package.write_to_db(conn.cursor(), max(model_mods.values()), itertools.count(first_id))
                if preset is not None:
                    _add_preset(conn, preset, mod=first_id // 1000)
                conn.commit()
            finally:
                conn.close()
            data = _zip(db.read_bytes(), media)
    except (OSError, sqlite3.Error) as exc:  # a full disk or an unwritable temporary folder
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OutputError(f"{path}: cannot build the deck in {tempfile.gettempdir()} ({reason})") from None
    if path.is_file() and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


def _add_preset(conn: sqlite3.Connection, preset: PresetSettings, mod: int) -> None:
    """Add the preset to the collection's deck configs and point every deck but Default at it."""
    config = presets.schema11(preset, mod)
    dconf_json, decks_json = conn.execute("SELECT dconf, decks FROM col").fetchone()
    dconf, decks = json.loads(dconf_json), json.loads(decks_json)
    dconf[str(config["id"])] = config
    for key, deck in decks.items():
        if key != "1":
            deck["conf"] = config["id"]
    conn.execute("UPDATE col SET dconf = ?, decks = ?", (json.dumps(dconf), json.dumps(decks)))


def _zip(db: bytes, media: Sequence[MediaFile]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        _add(out, "collection.anki2", db)
        index = {str(i): m.name for i, m in enumerate(media)}
        _add(out, "media", json.dumps(index, sort_keys=True).encode())
        for i, item in enumerate(media):
            _add(out, str(i), item.data)
    return buffer.getvalue()


def _add(out: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    out.writestr(info, data, compresslevel=6)
