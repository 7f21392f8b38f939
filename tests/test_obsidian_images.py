"""Obsidian embeds: ``![[image.png]]`` found by name anywhere in the notes
folder as Obsidian finds it (nearest first, a warning when the name is
ambiguous), ``|300`` a width, ``![[other note]]`` its name — checked in a
real Anki collection."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from anki.collection import Collection

from flashcards import media
from flashcards.vault import Vault
from tests.conftest import import_deck, run_build, write_notes


def _png(rgb: tuple[int, int, int]) -> bytes:
    """A real 2×2 PNG of one colour (each colour its own file and media name)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


RED, GREEN, BLUE = _png((255, 0, 0)), _png((0, 255, 0)), _png((0, 0, 255))


def _note(image: str) -> str:
    """A note whose one card shows ``image`` (on line 8)."""
    return f"# Diagrams\n\n## Network\n\n**Topology**：\n- Drawn here:\n\n  {image}\n- Two subnets.\n"


def _fields(col: Collection) -> str:
    return "\n".join(v for nid in col.find_notes("") for _, v in col.get_note(nid).items())


def _stored(col: Collection) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in Path(col.media.dir()).iterdir()}


def test_a_bare_name_is_found_in_another_folder_of_the_notes(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {
        "courses/net/lesson.md": _note("![[Topology.PNG]]"),  # Obsidian's names ignore case
        "attachments/topology.png": RED,
    })
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert result.warnings == ()
    import_deck(collection, result.deck_path)
    name = media.media_name(RED, ".png")
    assert _stored(collection) == {name: RED}
    assert f'<img src="{name}" alt="">' in _fields(collection)


def test_the_nearest_of_several_wins_and_the_ambiguity_is_a_warning(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {
        "courses/net/lesson.md": _note("![[map.png]]"),
        "courses/net/more/map.png": RED,   # longer path
        "zz/map.png": GREEN,               # shortest path: Obsidian's pick after the note's own folder
        "courses/old/map.png": BLUE,
    })
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert [str(w) for w in result.warnings] == [(
        "courses/net/lesson.md:8: image map.png: 3 files of that name; using zz/map.png, the nearest "
        "(not courses/old/map.png, courses/net/more/map.png): write its folder to choose another"
    )]
    import_deck(collection, result.deck_path)
    assert _stored(collection) == {media.media_name(GREEN, ".png"): GREEN}

    # One in the note's own folder (any case) comes first, and then the name is not ambiguous.
    (notes / "courses" / "net" / "MAP.png").write_bytes(BLUE)
    again = run_build(notes, tmp_path / "out", now=1_790_000_100)
    assert again.warnings[0].message.startswith("image map.png: 4 files of that name; using courses/net/MAP.png")


def test_next_to_the_note_needs_no_search_and_gives_no_warning(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "a/lesson.md": _note("![[map.png]]"), "a/map.png": RED, "b/map.png": GREEN,
    })
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert result.warnings == ()
    assert media.media_name(RED, ".png") in result.cards[0].fields[1]


def test_a_path_is_looked_for_next_to_the_note_then_from_the_root_then_as_the_end_of_a_path(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {
        "a/one.md": _note("![[img/x.png]]"),       # a/img/x.png: next to the note
        "a/img/x.png": RED,
        "b/two.md": _note("![[shared/y.png]]"),    # shared/y.png: from the root
        "shared/y.png": GREEN,
        "c/three.md": _note("![[deep/z.png]]"),    # c/d/deep/z.png: the only path ending so
        "c/d/deep/z.png": BLUE,
        "c/d/notdeep/z.png": RED,
    })
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert result.warnings == ()
    shown = {c.origin.path: c.fields[1] for c in result.cards}
    assert media.media_name(RED, ".png") in shown["a/one.md"]
    assert media.media_name(GREEN, ".png") in shown["b/two.md"]
    assert media.media_name(BLUE, ".png") in shown["c/three.md"]


def test_a_markdown_image_is_found_by_name_too_as_obsidian_shows_it(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"n/lesson.md": _note("![map](map.png)"), "assets/map.png": RED})
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert result.warnings == ()
    assert f'<img src="{media.media_name(RED, ".png")}" alt="map">' in result.cards[0].fields[1]


def test_a_width_is_kept_and_the_card_style_still_fits_it_to_the_screen(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {
        "lesson.md": _note("![[pics/map.png|300]] ![[pics/map.png|120x80]] ![[pics/map.png|a map]]"),
        "pics/map.png": RED,
    })
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert result.warnings == ()
    import_deck(collection, result.deck_path)
    name = media.media_name(RED, ".png")
    fields = _fields(collection)
    assert f'<img src="{name}" alt="" width="300">' in fields
    assert f'<img src="{name}" alt="" width="120" height="80">' in fields
    assert f'<img src="{name}" alt="a map">' in fields
    css = collection.get_note(collection.find_notes("")[0]).note_type()["css"]
    assert ".fc img { max-width: 100%; height: auto;" in css


def test_an_embedded_note_is_its_name_and_a_missing_image_a_warning(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {
        "lesson.md": _note("see ![[Other note#Part]] and ![[nowhere.png]]"),
        "Other note.md": "# Other\n",
        "elsewhere/somewhere.png": RED,
    })
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert [str(w) for w in result.warnings] == [
        "lesson.md:8: image not found: nowhere.png (looked for nowhere.png)",
    ]
    import_deck(collection, result.deck_path)
    fields = _fields(collection)
    assert "see <a class=\"wikilink\">Other note › Part</a> and <span class=\"fc-img-missing\">[nowhere.png]</span>" in fields
    assert "[[" not in fields and not _stored(collection)


def test_adding_an_image_elsewhere_makes_a_rebuild_look_again(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"lesson.md": _note("![[later.png]]")})
    out = tmp_path / "out"
    first = run_build(notes, out, now=1_790_000_000)
    assert [w.message for w in first.warnings] == [
        "image not found: later.png (looked for later.png)"]
    assert run_build(notes, out, now=1_790_000_100).up_to_date

    write_notes(notes, {"assets/deep/later.png": RED})
    found = run_build(notes, out, now=1_790_000_200)
    assert not found.up_to_date and found.warnings == ()
    assert media.media_name(RED, ".png") in found.cards[0].fields[1]
    assert run_build(notes, out, now=1_790_000_300).up_to_date

    write_notes(notes, {"a/later.png": GREEN})  # shorter path: Obsidian would now show this one
    switched = run_build(notes, out, now=1_790_000_400)
    assert not switched.up_to_date
    assert media.media_name(GREEN, ".png") in switched.cards[0].fields[1]


def test_the_choice_does_not_depend_on_the_order_files_are_listed_in(tmp_path: Path) -> None:
    write_notes(tmp_path, {"b/x.png": RED, "a/x.png": GREEN, "a/b/x.png": BLUE, ".trash/x.png": RED})
    vault = Vault(tmp_path)
    assert vault.find("x.png", "c").candidates == ("a/x.png", "b/x.png", "a/b/x.png")
    assert vault.find("b/x.png", "c").candidates == ("b/x.png", "a/b/x.png")
    assert vault.find("../x.png", "c").candidates == ()
