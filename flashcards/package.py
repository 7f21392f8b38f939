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

Each note's and card's id is drawn from its guid (:func:`_ids`), not from
where it is in the deck, so a card added or removed leaves every other row
as it was (but for new cards' order, ``due``). The scratch database can be
kept (in the build cache): a rebuild after a few notes were edited then
changes just their rows in it and ships it again (:func:`patch_package`),
deflating only the parts of the file that changed — the same bytes as
writing the whole package anew.
"""

from __future__ import annotations

import contextlib
import filecmp
import functools
import hashlib
import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
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
    path: Path,
    database: Path,
    notes: Sequence[PackagedNote],
    gone: Sequence[str],
    shifts: Sequence[tuple[int, int, int]],
    first_id: int,
    pieces: Sequence[zipped.Piece],
) -> Written | None:
    """Ship ``path`` again from ``database``, the database :func:`write_package`
    kept for the deck now at ``path`` (whose deflated ``pieces`` it reported),
    with ``notes`` added or changed (their cards' ``due`` too), the notes
    whose guids are ``gone`` deleted, and the other cards' ``due`` moved as
    ``shifts`` say: (first, last, by) adds ``by`` to a due from ``first`` to
    ``last`` — the bytes :func:`write_package` would write for the notes
    the database then holds.

    Returns None when that cannot be done so: when the cards would use other
    decks than they do, when a note or card added or removed would move
    another one's id (see :func:`_ids`), or when the kept files are not what
    they should be. The database is then left changed or not: the caller
    builds the whole package.
    """
    conn = sqlite3.connect(database)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        decks = conn.execute("SELECT DISTINCT did FROM cards ORDER BY did").fetchall()
        if shifts:  # (first: the rows changed below get their own due)
            cases = " ".join(f"WHEN due BETWEEN {int(a)} AND {int(b)} THEN {int(by)}" for a, b, by in shifts)
            conn.execute(f"UPDATE cards SET due = due + CASE {cases} ELSE 0 END "
                         "WHERE due BETWEEN ? AND ?", (shifts[0][0], shifts[-1][1]))
        if not _patch_rows(conn, notes, gone, first_id):
            return None
        if conn.execute("SELECT DISTINCT did FROM cards ORDER BY did").fetchall() != decks:
            return None
        with zipfile.ZipFile(path) as old:
            index = json.loads(old.read("media"))
            media = [MediaFile(index[str(i)], old.read(str(i))) for i in range(len(index))]
        known = zipped.known_pieces(path.read_bytes(), pieces)
        conn.commit()
    except (OSError, sqlite3.Error, zipfile.BadZipFile, KeyError, ValueError):
        return None  # the kept files are not what they should be: build the whole package
    finally:
        conn.close()
    with _scratch(path) as tmp:
        return _ship(path, database, media, Path(tmp), known)


def _patch_rows(conn: sqlite3.Connection, notes: Sequence[PackagedNote], gone: Sequence[str], first_id: int) -> bool:
    """Change the rows of ``notes`` and delete those of ``gone`` (guids), in
    notes and cards; False when that would move another row's id."""
    nids: dict[str, int] = {}
    for guid in (*(n.card.guid for n in notes), *gone):
        found = conn.execute("SELECT guid FROM notes WHERE id = ?", (_home(guid, first_id),)).fetchone()
        if found is not None and found[0] != guid:
            return False  # (its home is taken: it may have been pushed along, or not be here)
        if found is not None:
            nids[guid] = _home(guid, first_id)
    if any(guid not in nids for guid in gone):
        return False
    held = {(nid, ord_): cid for cid, nid, ord_ in _in_chunks(
        conn, "SELECT id, nid, ord FROM cards WHERE nid IN ({})", list(nids.values()))}
    cards = {(_home(n.card.guid, first_id), o): n for n in notes for o in card_ords(note_type(n.card), n.card.fields)}
    rows_gone = sorted((cid for key, cid in held.items() if key not in cards), reverse=True)
    if not _deleted(conn, "cards", rows_gone) or not _deleted(conn, "notes", sorted(
            (nids[guid] for guid in gone), reverse=True)):
        return False
    for note in notes:
        guid, mod, tags, flds, sfld = _note_values(note)
        nid, mid = _home(guid, first_id), note_type(note.card).model_id
        if guid in nids:
            conn.execute("UPDATE notes SET mid = ?, mod = ?, tags = ?, flds = ?, sfld = ? WHERE id = ?",
                         (mid, mod, tags, flds, sfld, nid))
        elif not _inserted(conn, "notes", nid, (nid, guid, mid, mod, -1, tags, flds, sfld, 0, 0, "")):
            return False
    for (nid, ord_), note in cards.items():
        did, due = deck_id(note.card.deck), note.card.due
        if (nid, ord_) in held:
            conn.execute("UPDATE cards SET did = ?, mod = ?, due = ? WHERE id = ?",
                         (did, note.mod, due, held[nid, ord_]))
        else:
            cid = _home(f"{note.card.guid}\x1f{ord_}", first_id)
            if not _inserted(conn, "cards", cid, (cid, nid, did, ord_, note.mod, -1, 0, 0, due, 0, 0, 0, 0, 0, 0, 0, 0, "")):
                return False
    return True


def _in_chunks(conn: sqlite3.Connection, query: str, values: Sequence) -> Iterator[tuple]:
    """Rows of ``query`` over ``values`` (an IN list), within SQLite's limit on parameters."""
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        yield from conn.execute(query.format(",".join("?" * len(chunk))), chunk)


def _deleted(conn: sqlite3.Connection, table: str, ids: Sequence[int]) -> bool:
    """Delete rows by id, highest first; False when the row after one is
    there (it may have been pushed along by it: :func:`_ids` would now give
    it a lower one)."""
    for rowid in ids:
        conn.execute(f"DELETE FROM {table} WHERE id = ?", (rowid,))
        if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (rowid + 1,)).fetchone():
            return False
    return True


def _inserted(conn: sqlite3.Connection, table: str, rowid: int, row: tuple) -> bool:
    """Insert a row at its home id; False when that is taken."""
    if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (rowid,)).fetchone():
        return False
    conn.execute(f"INSERT INTO {table} VALUES ({','.join('?' * len(row))})", row)
    return True


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
    # Zipped to a scratch file and compared with the deck a chunk at a time:
    # the whole deck is never in memory, nor the one it replaces.
    packed, pieces = tmp / "deck.apkg", []
    with open(packed, "wb") as fh:
        fh.writelines(_zip(canonical, media, known, pieces))
    if path.is_file() and filecmp.cmp(path, packed, shallow=False):
        return Written(False, tuple(pieces))
    with open(packed, "rb") as fh:
        write_atomic(path, iter(functools.partial(fh.read, zipped.PIECE), b""))
    return Written(True, tuple(pieces))


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
    # Rows are made as SQLite takes them (not held in lists: they are the
    # whole deck's text). Ids from the guids, a card's with its ordinal.
    nids = _ids([n.card.guid for n in notes], first_id)
    ords = [card_ords(note_type(n.card), n.card.fields) for n in notes]
    cids = iter(_ids([f"{n.card.guid}\x1f{o}" for n, os_ in zip(notes, ords, strict=True) for o in os_], first_id))
    card_ids = [(nid, [(next(cids), o) for o in os_]) for nid, os_ in zip(nids, ords, strict=True)]

    def note_rows() -> Iterator[tuple]:
        for note, (nid, _) in zip(notes, card_ids, strict=True):
            guid, mod, tags, flds, sfld = _note_values(note)
            yield (nid, guid, note_type(note.card).model_id, mod, -1, tags, flds, sfld, 0, 0, "")

    def card_rows() -> Iterator[tuple]:
        for note, (nid, cards) in zip(notes, card_ids, strict=True):
            did = decks[note.card.deck].deck_id
            for cid, ord_ in cards:
                yield (cid, nid, did, ord_, note.mod, -1, 0, 0, note.card.due, 0, 0, 0, 0, 0, 0, 0, 0, "")

    cursor.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", note_rows())
    cursor.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", card_rows())
    cursor.executescript(_INDEXES)  # built once the rows are in: a sort, not one insert per row


SPREAD = 1 << 30
"""Ids lie from ``first_id`` to about this much above it (in ms: 12 days)."""


def _ids(keys: Sequence[str], first_id: int) -> list[int]:
    """An id for each key (a note's guid; a card's, with its ordinal):
    ``first_id`` plus a number drawn from the key below :data:`SPREAD` (its
    *home*); keys whose homes meet take the following free numbers, in order
    of home and key.

    So a note or card added or removed moves no other's id — but for the
    rare one pushed along, which :func:`patch_package` leaves to a whole
    build. (Anki matches notes by guid and cards by note and ordinal: an id
    only has to be unique. But it orders the database's rows, whose bytes a
    patched deck must keep.)
    """
    ids = [0] * len(keys)
    last = -1
    for home, _, i in sorted((_home(k, first_id), k, i) for i, k in enumerate(keys)):
        last = ids[i] = max(home, last + 1)
    return ids


def _home(key: str, first_id: int) -> int:
    return first_id + int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % SPREAD


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


def _zip(
    db: Path, media: Sequence[MediaFile], known: dict[bytes, bytes], pieces: list[zipped.Piece]
) -> Iterator[bytes]:
    index = {str(i): m.name for i, m in enumerate(media)}
    return zipped.stream([
        ("collection.anki2", db),
        ("media", json.dumps(index, sort_keys=True).encode()),
        *((str(i), item.data) for i, item in enumerate(media)),
    ], pieces, known)
