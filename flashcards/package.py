"""Package: write cards into an .apkg — the only module that touches genanki.

genanki builds the collection database; this module adds what Anki's
importer needs and genanki does not do:

* each note carries its own modification time (``mod``), so unchanged notes
  are skipped on re-import and changed ones update in place;
* each note type carries the time its definition last changed;
* decks named in the descriptions are written even when empty (the root
  deck), and an optional deck options preset (:mod:`flashcards.preset`)
  is added with every deck pointing at it;
* the database is written to a scratch file, copied into its canonical
  form (``VACUUM INTO``: its bytes depend only on the rows it holds) and
  zipped with fixed entry dates and deflate (:mod:`flashcards.state.zipped`), so
  the same input gives the same bytes;
* the finished file replaces the old one atomically.

The scratch database can be kept (in the build cache): a rebuild after
edits that changed only what some cards say then updates those rows in it
and ships it again (:func:`patch_package`), deflating only the parts of the
file that changed — the same bytes as writing the whole package anew.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from flashcards import preset as presets
from flashcards.cards import note_type
from flashcards.config import PresetSettings
from flashcards.errors import OutputError
from flashcards.model import Card
from flashcards.notetypes import NOTE_TYPES, NoteType, css
from flashcards.state import zipped
from flashcards.state.atomic import write_atomic


@dataclass(frozen=True, slots=True)  # many thousands of them
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


def model_definition(nt: NoteType) -> str:
    """Everything about a note type that Anki stores, to notice changes."""
    return json.dumps([nt.model_id, nt.name, nt.fields, nt.templates, css()], ensure_ascii=False)


def deck_id(name: str) -> int:
    """A stable deck id (Anki matches decks by name; the id only has to be valid)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=6).digest(), "big") | 1 << 48


@dataclass(frozen=True)
class Contents:
    """Everything a package holds."""

    notes: Sequence[PackagedNote]
    model_mods: Mapping[int, int]
    """Each note type's modification time, by note type id."""
    first_id: int
    """Seeds the note and card ids: a stable number, such as the time the deck
    was first built, in milliseconds."""
    deck_descriptions: Mapping[str, str] = field(default_factory=dict)
    """Every deck named here is written, with or without notes."""
    media: Sequence[MediaFile] = ()
    preset: PresetSettings | None = None
    """Shipped, when given, as the options preset of every deck."""

    def fingerprint(self) -> str:
        """A hash of everything the package would hold: equal fingerprints,
        equal bytes. Far cheaper than building the package."""
        digest = hashlib.sha256()
        head = [sorted(self.model_mods.items()), self.first_id, sorted(self.deck_descriptions.items()),
                [m.name for m in self.media], repr(self.preset), [model_definition(nt) for nt in NOTE_TYPES]]
        digest.update(json.dumps(head, ensure_ascii=False).encode())
        for note in self.notes:
            card = note.card
            row = (card.guid, card.deck, str(card.due), str(note.mod), " ".join(note.tags), "\x1f".join(card.fields))
            digest.update("\x1e".join(row).encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class Written:
    """What writing a package did."""

    changed: bool
    """False when the file already held exactly these bytes (nothing was written)."""
    pieces: tuple[zipped.Piece, ...] | None
    """Where the file's deflated pieces are, for :func:`patch_package`
    (None when its database could not be kept)."""


def write_package(path: Path, contents: Contents, keep: Path | None = None) -> Written:
    """Write ``contents`` to ``path`` as an .apkg, atomically and reproducibly;
    keep its database as ``keep`` (for :func:`patch_package`) when given."""
    notes, model_mods, first_id = contents.notes, contents.model_mods, contents.first_id
    media, preset = contents.media, contents.preset
    models = {nt.model_id: _Model(nt, model_mods[nt.model_id]) for nt in NOTE_TYPES}
    descriptions = contents.deck_descriptions
    decks: dict[str, genanki.Deck] = {}
    for name in sorted({n.card.deck for n in notes} | set(descriptions)):
        decks[name] = genanki.Deck(deck_id(name), name, descriptions.get(name, ""))
    # genanki's own write_to_file leaves its temporary database behind. On
    # disk, not in memory: the database is as large as the deck's text.
    with _scratch(path) as tmp:
        db = Path(tmp) / "scratch.anki2"
        conn = sqlite3.connect(db)
        try:
            conn.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to roll back to
            _write_db(conn.cursor(), decks, models, notes, first_id)
            if preset is not None:
                _add_preset(conn, preset, mod=first_id // 1000)
            conn.commit()
        finally:
            conn.close()
        written = _ship(path, db, media, Path(tmp), known={})
        return written if keep is not None and _kept(db, keep) else Written(written.changed, None)


def _kept(db: Path, keep: Path) -> bool:
    """Move ``db`` to ``keep``; a database that cannot be kept is not left there stale."""
    try:
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(db, keep)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            keep.unlink(missing_ok=True)
        return False


def patch_package(
    path: Path, database: Path, notes: Sequence[PackagedNote], pieces: Sequence[zipped.Piece]
) -> Written | None:
    """Ship ``path`` again with ``notes`` changed in ``database``, the
    database :func:`write_package` kept for the deck now at ``path``
    (whose deflated ``pieces`` it reported).

    Only a note's text, tags and ``mod`` can change this way — the same
    note, cards and deck as before. Returns None, changing nothing, when
    a note is not in the database with the same cards.
    """
    conn = sqlite3.connect(database)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        guids = [n.card.guid for n in notes]
        ids = dict(_in_chunks(conn, "SELECT guid, id FROM notes WHERE guid IN ({})", guids))
        if len(ids) != len(guids):
            return None
        ords: dict[int, list[int]] = {}
        for nid, ord_ in _in_chunks(conn, "SELECT nid, ord FROM cards WHERE nid IN ({}) ORDER BY nid, ord",
                                    list(ids.values())):
            ords.setdefault(nid, []).append(ord_)
        if any(ords.get(ids[n.card.guid]) != card_ords(note_type(n.card), n.card.fields) for n in notes):
            return None
        with zipfile.ZipFile(path) as old:
            index = json.loads(old.read("media"))
            media = [MediaFile(index[str(i)], old.read(str(i))) for i in range(len(index))]
        known = zipped.known_pieces(path.read_bytes(), pieces)
        conn.executemany(
            "UPDATE notes SET mod = ?, tags = ?, flds = ?, sfld = ? WHERE id = ?",
            [(*_note_values(n)[1:], ids[n.card.guid]) for n in notes],
        )
        conn.executemany("UPDATE cards SET mod = ? WHERE nid = ?", [(n.mod, ids[n.card.guid]) for n in notes])
        conn.commit()
    except (OSError, sqlite3.Error, zipfile.BadZipFile, KeyError, ValueError):
        return None  # the kept files are not what they should be: build the whole package
    finally:
        conn.close()
    with _scratch(path) as tmp:
        return _ship(path, database, media, Path(tmp), known)


def _in_chunks(conn: sqlite3.Connection, query: str, values: Sequence) -> Iterator[tuple]:
    """Rows of ``query`` over ``values`` (an IN list), within SQLite's limit on parameters."""
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        yield from conn.execute(query.format(",".join("?" * len(chunk))), chunk)


@contextlib.contextmanager
def _scratch(path: Path) -> Iterator[str]:
    """A scratch folder; a full disk or an unwritable temporary folder is an OutputError."""
    try:
        with tempfile.TemporaryDirectory(prefix="flashcards-") as tmp:
            yield tmp
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OutputError(f"{path}: cannot build the deck in {tempfile.gettempdir()} ({reason})") from None


def _ship(path: Path, db: Path, media: Sequence[MediaFile], tmp: Path, known: dict[bytes, bytes]) -> Written:
    """Zip ``db`` in its canonical form with ``media`` and write it to ``path``
    unless it already holds exactly these bytes."""
    canonical = tmp / "collection.anki2"
    conn = sqlite3.connect(db)
    try:
        conn.execute("VACUUM INTO ?", (str(canonical),))
    finally:
        conn.close()
    packed = _zip(canonical, media, known)
    if path.is_file() and path.read_bytes() == packed.data:
        return Written(False, packed.pieces)
    write_atomic(path, packed.data)
    return Written(True, packed.pieces)


def _write_db(
    cursor: sqlite3.Cursor,
    decks: dict[str, genanki.Deck],
    models: dict[int, _Model],
    notes: Sequence[PackagedNote],
    first_id: int,
) -> None:
    """The collection database: genanki's schema, decks and note types, then
    every note and card inserted in bulk with the note's own ``mod``.

    (genanki's own writer re-reads and re-writes the deck table for every
    deck and stamps one time on every note.)
    """
    cursor.executescript(_TABLES)
    cursor.executescript(APKG_COL)
    decks_json, models_json = cursor.execute("SELECT decks, models FROM col").fetchone()
    all_decks, all_models = json.loads(decks_json), json.loads(models_json)
    for deck in decks.values():
        all_decks[str(deck.deck_id)] = deck.to_json()
    root = min(decks.values(), key=lambda d: d.name).deck_id if decks else 1
    for model_id, model in models.items():
        all_models[str(model_id)] = model.to_json(0, root)
    cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(all_decks), json.dumps(all_models)))
    # Ids in order: a note's id, then its cards' ids. Rows are made as
    # SQLite takes them (not held in lists: they are the whole deck's text);
    # each note's card ordinals are kept, a few bytes a note, for the second pass.
    ords, counts = array("L"), array("L")
    for note in notes:
        found = card_ords(note_type(note.card), note.card.fields)
        ords.extend(found)
        counts.append(len(found))

    def note_rows() -> Iterator[tuple]:
        nid = first_id
        for note, count in zip(notes, counts, strict=True):
            guid, mod, tags, flds, sfld = _note_values(note)
            yield (nid, guid, note_type(note.card).model_id, mod, -1, tags, flds, sfld, 0, 0, "")
            nid += 1 + count

    def card_rows() -> Iterator[tuple]:
        nid, at = first_id, 0
        for note, count in zip(notes, counts, strict=True):
            did = decks[note.card.deck].deck_id
            for k in range(count):
                cid, ord_ = nid + 1 + k, ords[at + k]
                yield (cid, nid, did, ord_, note.mod, -1, 0, 0, note.card.due, 0, 0, 0, 0, 0, 0, 0, 0, "")
            nid, at = nid + 1 + count, at + count

    cursor.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", note_rows())
    cursor.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", card_rows())
    cursor.executescript(_INDEXES)  # built once the rows are in: a sort, not one insert per row


def _note_values(note: PackagedNote) -> tuple[str, int, str, str, str]:
    """A note row's guid, mod, tags, flds and sfld."""
    card = note.card
    return card.guid, note.mod, " " + " ".join(note.tags) + " ", "\x1f".join(card.fields), card.fields[0]


# genanki's schema, its indexes apart (the canonical copy does not depend on when they were made).
_TABLES, _, _INDEXES = APKG_SCHEMA.partition("CREATE INDEX")
_INDEXES = "CREATE INDEX" + _INDEXES
assert "CREATE INDEX" not in _TABLES and "CREATE TABLE" not in _INDEXES


_CLOZE_NUMBER = re.compile(r"\{\{c(\d+)::.+?\}\}", re.DOTALL)


def card_ords(nt: NoteType, fields: Sequence[str]) -> list[int]:
    """The cards a note has (template ordinals), as Anki generates them.

    Cloze: one per cloze number in Text. Basic: Forward when Front is filled,
    Reverse when the Reverse field is (its template is wrapped in
    ``{{#Reverse}}``).
    """
    values = dict(zip(nt.fields, fields, strict=True))
    if nt.cloze:
        numbers = {int(n) for n in _CLOZE_NUMBER.findall(values["Text"]) if int(n) > 0}
        return sorted(n - 1 for n in numbers) or [0]
    return [ord_ for ord_, name in enumerate(("Front", "Reverse")) if values[name]]


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


def _zip(db: Path, media: Sequence[MediaFile], known: dict[bytes, bytes]) -> zipped.Archive:
    index = {str(i): m.name for i, m in enumerate(media)}
    return zipped.archive([
        ("collection.anki2", db),
        ("media", json.dumps(index, sort_keys=True).encode()),
        *((str(i), item.data) for i, item in enumerate(media)),
    ], known)
