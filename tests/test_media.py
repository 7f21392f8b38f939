"""Images in notes: found with their lines, confined to the notes folder,
shipped as content-named media that real Anki stores, never a crash."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from anki.collection import Collection

from flashcards import media
from flashcards.config import Config, ImageSettings
from flashcards.parse import parse
from flashcards.state.reconcile import Status
from tests.conftest import import_deck, run_build, write_notes

PNG_A = bytes.fromhex("89504e470d0a1a0a") + b"picture A"
PNG_B = bytes.fromhex("89504e470d0a1a0a") + b"picture B"


def _definition(image: str) -> str:
    return f"# Diagrams\n\n## Network\n\n**Topology**：\n- Drawn here:\n\n  {image}\n- Two subnets.\n"


def _fields(col: Collection) -> str:
    return "\n".join(v for nid in col.find_notes("") for _, v in col.get_note(nid).items())


def test_image_ships_under_its_content_name_and_anki_stores_it(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": _definition("![two subnets](img/topology.png)"),
                                             "img/topology.png": PNG_A})
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert not result.warnings
    import_deck(collection, result.deck_path)
    name = media.media_name(PNG_A, ".png")
    assert f'<img src="{name}" alt="two subnets">' in _fields(collection)
    assert (Path(collection.media.dir()) / name).read_bytes() == PNG_A


def test_same_image_twice_ships_once_and_same_file_names_in_two_folders_do_not_collide(
    tmp_path: Path, collection: Collection
) -> None:
    notes = write_notes(tmp_path / "notes", {
        "a/net.md": _definition("![a](img/x.png)") + "\n**Again**：\n- ![a again](img/x.png)\n- same picture\n",
        "a/img/x.png": PNG_A,
        "b/net.md": _definition("![b](img/x.png)"),
        "b/img/x.png": PNG_B,
    })
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert not result.warnings
    import_deck(collection, result.deck_path)
    stored = {p.name: p.read_bytes() for p in Path(collection.media.dir()).iterdir()}
    assert stored == {media.media_name(PNG_A, ".png"): PNG_A, media.media_name(PNG_B, ".png"): PNG_B}


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG_B)
    return secret


PROBLEMS = [
    ("missing", "![gone](img/nope.png)", "image not found: img/nope.png", "[gone]"),
    ("parent escape", "![up](../secret.png)", "image ../secret.png left out: it is outside the notes folder", "[up]"),
    ("absolute", "![abs](/etc/secret.png)", "image /etc/secret.png left out: absolute paths are not packaged", "[abs]"),
    ("symlink out", "![link](img/link.png)", "image img/link.png left out: it is outside the notes folder", "[link]"),
    ("offline", "![far](https://example.com/x.png)", "image https://example.com/x.png not downloaded: offline", "[far]"),
    ("not an image", "![doc](img/notes.txt)", "img/notes.txt left out: not an image file", "[doc]"),
    ("raw html", '<img src="img/none.png" alt="raw">', "image not found: img/none.png", "[raw]"),
]


@pytest.mark.parametrize(("case", "image", "message", "shown"), PROBLEMS, ids=[p[0] for p in PROBLEMS])
def test_an_image_that_cannot_ship_is_a_warning_with_file_and_line_and_the_card_shows_its_alt_text(
    tmp_path: Path, collection: Collection, case: str, image: str, message: str, shown: str
) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": _definition(image), "img/notes.txt": "text"})
    if case == "symlink out":
        os.symlink(_outside(tmp_path), notes / "img" / "link.png")
    _outside(tmp_path)
    config = Config(images=ImageSettings(download=case != "offline"))
    result = run_build(notes, tmp_path / "out", now=1_790_000_000, config=config)
    assert len(result.warnings) == 1 and str(result.warnings[0]).startswith(f"net.md:8: {message}")
    import_deck(collection, result.deck_path)
    fields = _fields(collection)
    assert "<img" not in fields and not os.listdir(collection.media.dir())
    if shown:
        assert f'<span class="fc-img-missing">{shown}</span>' in fields


def test_a_changed_image_gets_a_new_name_and_its_note_updates_in_place(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": _definition("![t](img/t.png)"), "img/t.png": PNG_A})
    first = run_build(notes, tmp_path / "out", now=1_790_000_000)
    import_deck(collection, first.deck_path)
    (notes / "img" / "t.png").write_bytes(PNG_B)
    second = run_build(notes, tmp_path / "out", now=1_790_000_100)
    assert [c.status for c in second.plan.changes] == [Status.UPDATED]
    log = import_deck(collection, second.deck_path)
    assert len(log.updated) == 1
    assert media.media_name(PNG_B, ".png") in _fields(collection)
    assert (Path(collection.media.dir()) / media.media_name(PNG_B, ".png")).read_bytes() == PNG_B


def test_unchanged_notes_with_images_rebuild_to_the_same_bytes(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": _definition("![t](img/t.png)"), "img/t.png": PNG_A})
    first = run_build(notes, tmp_path / "out1", now=1_790_000_000).deck_path.read_bytes()
    (notes / "flashcards.lock").unlink()
    second = run_build(notes, tmp_path / "out2", now=1_790_000_000).deck_path.read_bytes()
    assert first == second


def test_parse_records_every_image_with_its_own_line() -> None:
    doc = parse(
        "# T\n\nfirst line\nsecond ![a](a.png) and <img src='b&amp;c.png'>\n\n"
        "| x | y |\n|---|---|\n| 1 | ![c](<图 c.png>) |\n\n<div>\n\n<img src=\"d.png\">\n</div>\n",
        "t.md",
    )
    assert [(i.line, i.src) for i in doc.images] == [
        (4, "a.png"), (4, "b&c.png"), (8, "%E5%9B%BE%20c.png"), (12, "d.png"),
    ]


def test_rewrite_points_known_images_at_media_and_keeps_other_attributes() -> None:
    used: set[str] = set()
    out = media.rewrite('<p><img src="a&amp;b.png" alt="A"> <img alt="B" src="x.png"></p>', {"a&b.png": "fc-1.png"}, used)
    assert out == '<p><img src="fc-1.png" alt="A"> <span class="fc-img-missing">[B]</span></p>'
    assert used == {"fc-1.png"}
    assert re.fullmatch(r"fc-[0-9a-f]{20}\.jpg", media.media_name(b"x", ".JPG"))


def test_an_obsidian_embed_ships_its_image_and_a_sized_one_keeps_its_width_not_as_alt(
    tmp_path: Path, collection: Collection
) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": _definition("![[topology.png]] and ![[topology.png|300]]"),
                                             "topology.png": PNG_A})
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert not result.warnings
    import_deck(collection, result.deck_path)
    name = media.media_name(PNG_A, ".png")
    fields = _fields(collection)
    assert fields.count(f'<img src="{name}" alt="">') == 1
    assert fields.count(f'<img src="{name}" alt="" width="300">') == 1
    assert "[[" not in fields and "|300" not in fields
    assert (Path(collection.media.dir()) / name).read_bytes() == PNG_A
