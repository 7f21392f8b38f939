"""The bad-input matrix: notes from old editors, Windows machines, half-saved
files and worse. One fixture per case (``tests/fixtures/badinput/``, made by
``make_fixtures.py``), each with its exact outcome: the cards, the warnings
(file:line) and the encoding reported in the summary.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection

from flashcards.build import BuildResult
from flashcards.model import Card
from flashcards.state import lockfile
from flashcards.state.reconcile import Status
from tests.conftest import FIXTURES, import_deck, run_build, write_notes

BAD = FIXTURES / "badinput"
NOW = 1_790_000_000
TAGS = re.compile(r"<[^>]+>")


def plain(html: str) -> str:
    return TAGS.sub("", html).strip()


def sides(card: Card) -> tuple[int, str, str]:
    """(line, front, back) as plain text; of the back only its first line
    (nested list items follow it on the next lines)."""
    return card.origin.line, plain(card.fields[0]), plain(card.fields[1]).split("\n")[0]


@dataclass(frozen=True)
class Case:
    fixture: str
    cards: tuple[tuple[int, str, str], ...] | str
    """(line, a word the front shows, the back) for each card; or "reference":
    the same cards as ``reference.md``, the note in clean UTF-8."""
    warnings: tuple[str, ...] = ()
    encoding: str | None = None
    """What the summary says the file was read as (None: plain UTF-8)."""
    absent: tuple[str, ...] = ()
    """Text of the note that must reach no card."""


GATEWAY = ((7, "Gateway", "connects the VPC to the outside."),)
CASES = [
    Case("utf8_bom.md", "reference"),
    Case("utf16_le_bom.md", "reference", encoding="utf-16-le"),
    Case("utf16_be_bom.md", "reference", encoding="utf-16-be"),
    Case("utf32_le_bom.md", "reference", encoding="utf-32-le"),
    Case("gbk.md", "reference", encoding="gb18030"),
    Case(
        "gb18030.md",
        ((5, "VPC", "虚拟私有云，隔离的网络环境。"), (7, "子网", "VPC 内的一段 IP 地址范围。"), (9, "网关", "连接 VPC 与外部网络。")),
        encoding="gb18030",
    ),
    Case("big5.md", ((3, "子網", "虛擬私有雲內的一段位址範圍。"),), encoding="cp950"),
    Case("cp1252.md", ((3, "Passerelle", "relie le réseau privé à l’extérieur — « café » inclus."),), encoding="cp1252"),
    Case("crlf.md", "reference"),
    Case("mixed_endings.md", "reference"),
    Case("nul_bytes.md", (), warnings=("nul_bytes.md:1: skipped: binary file (contains NUL bytes)",)),
    Case("png_named_md.md", (), warnings=("png_named_md.md:1: skipped: binary file (contains NUL bytes)",)),
    Case("empty.md", ()),
    Case("bom_only.md", ()),
    Case(
        "truncated_utf8.md",
        ((5, "VPC", "虚拟私有云，隔离的网络环境。"), (7, "子网", "VPC 内的一段 IP 地址范围。"), (9, "网关", "连接 VPC 与外部网络")),
        warnings=("truncated_utf8.md:9: the file ends in the middle of a character (saved by half?); it was dropped",),
    ),
    Case(
        "stray_byte.md",
        ((5, "VPC", "虚拟私有云，隔离的网络环境 caf\ufffd。"), (7, "子网", "VPC 内的一段 IP 地址范围。"), (9, "网关", "连接 VPC 与外部网络。")),
        warnings=("stray_byte.md:5: bytes that are not valid utf-8 were replaced by \ufffd",),
    ),
    Case(
        "deep_list.md",
        tuple((3 + i, f"Term {i + 1}", f"meaning {i + 1}") for i in range(8)) + ((44, "After", "still read"),),
        warnings=("deep_list.md:11: lists or quotes nested too deeply here; the deeper lines are not read",),
        absent=("Term 9", "Term 40"),
    ),
    Case(
        "deep_quote.md",
        # The first quote level is read like the rest of the note; the deeper ones are cut off.
        ((3, "Term 1", "meaning 1"), (84, "After", "still read")),
        warnings=("deep_quote.md:37: lists or quotes nested too deeply here; the deeper lines are not read",),
    ),
    Case(
        "deep_emphasis.md",
        ((3, "Before", "read"), (7, "After", "read")),
        warnings=("deep_emphasis.md:5: formatting nested 50 levels deep (limit 20); paragraph skipped",),
    ),
    Case(
        "unclosed_fence.md",
        ((3, "Gateway", "connects the VPC to the outside."),),
        warnings=("unclosed_fence.md:5: this code block is never closed: the rest of the note is read as code",),
        absent=("Subnet",),
    ),
    Case(
        "bad_yaml.md",
        GATEWAY,
        warnings=("bad_yaml.md:3: front matter is not valid YAML, ignored (while parsing a flow sequence)",),
    ),
    Case(
        "yaml_not_mapping.md",
        GATEWAY,
        warnings=("yaml_not_mapping.md:1: front matter is not a mapping of keys to values, ignored",),
    ),
]


def build_one(tmp_path: Path, fixture: str) -> BuildResult:
    notes = tmp_path / "notes"
    notes.mkdir(parents=True)
    shutil.copyfile(BAD / fixture, notes / fixture)
    return run_build(notes, tmp_path / "out", now=NOW)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[int, str, str], ...]:
    result = build_one(tmp_path_factory.mktemp("reference"), "reference.md")
    assert len(result.cards) == 3 and not result.warnings
    return tuple(sides(c) for c in result.cards)


@pytest.mark.parametrize("case", CASES, ids=[c.fixture for c in CASES])
def test_bad_input_matrix(case: Case, tmp_path: Path, reference) -> None:  # noqa: ANN001
    result = build_one(tmp_path, case.fixture)
    assert [str(w) for w in result.warnings] == list(case.warnings)
    assert dict(result.encodings) == ({case.fixture: case.encoding} if case.encoding else {})
    got = tuple(sides(c) for c in result.cards)
    if case.cards == "reference":
        assert got == reference
    else:
        assert len(got) == len(case.cards), got
        for (line, front, back), (want_line, word, want_back) in zip(got, case.cards, strict=True):
            assert (line, back) == (want_line, want_back)
            assert word in front
    for card in result.cards:
        for value in card.fields:
            assert "\r" not in value and "\x00" not in value
            assert not any(word in value for word in case.absent)
    assert result.deck_path.exists()
    lockfile.load(result.lock_path)  # the lock written is readable


def test_every_fixture_of_the_matrix_has_a_case() -> None:
    fixtures = {p.name for p in BAD.glob("*.md")} - {"reference.md"}
    assert fixtures == {c.fixture for c in CASES}


def test_matrix_builds_into_one_deck_that_anki_imports(tmp_path: Path, collection: Collection) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(BAD, notes, ignore=shutil.ignore_patterns("*.py"))
    result = run_build(notes, tmp_path / "out", now=NOW)
    log = import_deck(collection, result.deck_path)
    assert len(log.new) == len(result.cards) == collection.note_count() > 40
    assert {w.path for w in result.warnings} == {c.fixture for c in CASES if c.warnings}


def test_summary_says_which_encoding_was_assumed(tmp_path: Path) -> None:
    from flashcards.report import summary_text

    result = build_one(tmp_path, "gbk.md")
    assert "  gbk.md: read as gb18030" in summary_text(result).splitlines()


def test_a_five_megabyte_line_is_skipped_quickly_with_a_warning(tmp_path: Path) -> None:
    # Runs of "[" are markdown-it's slowest input: unbounded, 5 MB of them
    # did not finish in ten minutes.
    line = "**Term**: " + "[" * 5_000_000
    notes = write_notes(tmp_path / "notes", {"huge.md": f"# Huge\n\n**Before**: read\n\n{line}\n\n**After**: read\n"})
    start = time.monotonic()
    result = run_build(notes, tmp_path / "out", now=NOW)
    elapsed = time.monotonic() - start
    assert [str(w) for w in result.warnings] == [
        "huge.md:5: a paragraph of 5,000,010 characters is too long to make cards from (limit 10,000); skipped"
    ]
    assert [(line, back) for line, _, back in map(sides, result.cards)] == [(3, "read"), (7, "read")]
    assert elapsed < 30, f"{elapsed:.1f} s"


def test_a_huge_file_named_md_is_skipped_unread(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"ok.md": "**Gateway**: connects\n"})
    with open(notes / "dump.md", "wb") as fh:
        fh.truncate(25_000_000)  # sparse: nothing is actually written or read
    result = run_build(notes, tmp_path / "out", now=NOW)
    assert [str(w) for w in result.warnings] == [
        "dump.md:1: skipped: 25,000,000 bytes is too large for a note (limit 20,000,000)"
    ]
    assert len(result.cards) == 1


def test_a_link_to_a_file_outside_the_notes_folder_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "private" / "id_rsa"
    secret.parent.mkdir()
    secret.write_text("**Secret**: -----BEGIN OPENSSH PRIVATE KEY-----\n")
    notes = write_notes(tmp_path / "notes", {"ok.md": "**Gateway**: connects\n"})
    (notes / "stolen.md").symlink_to(secret)
    (notes / "inside.md").symlink_to(notes / "ok.md")  # a link inside the folder is fine
    result = run_build(notes, tmp_path / "out", now=NOW)
    assert [str(w) for w in result.warnings] == [
        f"stolen.md:1: skipped: a link to {secret}, outside the notes folder; not read"
    ]
    assert sorted(plain(c.fields[1]) for c in result.cards) == ["connects", "connects"]
    assert all("OPENSSH" not in v for c in result.cards for v in c.fields)


def test_the_notes_are_never_written_to(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(BAD, notes, ignore=shutil.ignore_patterns("*.py"))
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in notes.rglob("*.md")}
    run_build(notes, tmp_path / "out", now=NOW)
    (notes / "reference.md").write_text("**Changed**: so the second build writes again\n", encoding="utf-8")
    before[notes / "reference.md"] = ((notes / "reference.md").read_bytes(), (notes / "reference.md").stat().st_mtime_ns)
    run_build(notes, tmp_path / "out", now=NOW + 10)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in notes.rglob("*.md")}
    assert after == before
    # Only the lock file is added next to the notes; no temporary or lock leftovers.
    assert sorted(p.name for p in notes.iterdir() if not p.name.endswith(".md")) == ["flashcards.lock"]


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (b"\x00\x01binary garbage", "skipped: binary file (contains NUL bytes)"),
        (b"", "the file is empty"),
    ],
    ids=["binary", "emptied"],
)
def test_a_note_that_became_unreadable_keeps_its_cards(tmp_path: Path, damage: bytes, why: str) -> None:
    """A crash that empties a note, or a sync that garbles it, must not mark
    its cards removed (the user would delete them, with their reviews)."""
    notes = write_notes(tmp_path / "notes", {"other.md": "**Gateway**: a router at the edge\n"})
    shutil.copyfile(BAD / "reference.md", notes / "reference.md")
    first = run_build(notes, tmp_path / "out", now=NOW)
    assert len(first.cards) == 4
    (notes / "reference.md").write_bytes(damage)
    second = run_build(notes, tmp_path / "out", now=NOW + 100)
    assert [str(w) for w in second.warnings] == [f"reference.md:1: {why}; its 3 card(s) from the last build are kept as they were"]
    assert second.plan.count(Status.REMOVED) == 0
    shipped = {n.card.guid: n.mod for n in second.plan.notes}
    assert shipped == {c.guid: NOW for c in first.cards}
    assert lockfile.load(second.lock_path) == lockfile.load(first.lock_path)
    # Once the note is readable again nothing changed at all.
    shutil.copyfile(BAD / "reference.md", notes / "reference.md")
    third = run_build(notes, tmp_path / "out", now=NOW + 200)
    assert not third.plan.changed and not third.warnings


def test_deleting_a_note_still_removes_its_cards(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"a.md": "**A**: one\n", "b.md": "**B**: two\n"})
    run_build(notes, tmp_path / "out", now=NOW)
    os.remove(notes / "b.md")
    second = run_build(notes, tmp_path / "out", now=NOW + 100)
    assert [c.status.value for c in second.plan.changes] == ["unchanged", "removed"]
