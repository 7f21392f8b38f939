"""Errors users understand: every mistake is one line ``Error: …`` naming the
path (and line), exit code 1, no traceback; nothing half-written is left.

These run the real command in a subprocess: the exit code and the exact
stderr are the contract (README, "Errors and exit codes").
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flashcards.cli import app
from flashcards.state import buildlock, lockfile
from tests.conftest import FIXTURES, run_cli, write_notes

NOTE = "# Networking\n\n**Gateway**: connects the VPC to the outside.\n"
KEEPS = (
    "It keeps your cards' identities: restore it from version control, or run with --rebuild-ids "
    "to start a new one (cards whose headings or questions changed since may then arrive as duplicates)."
)


def one_error(result, expected: str) -> None:  # noqa: ANN001
    """Exit code 1 and exactly one line on stderr: ``Error: <expected>``."""
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"Error: {expected}\n"


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    return write_notes(tmp_path / "notes", {"net.md": NOTE})


def test_missing_source_folder(tmp_path: Path) -> None:
    one_error(run_cli("build", "nope", "-o", "out", cwd=tmp_path), "nope: no such file or folder")


def test_no_notes_found(tmp_path: Path) -> None:
    write_notes(tmp_path / "empty", {"readme.txt": "not a note"})
    one_error(run_cli("build", "empty", cwd=tmp_path), "empty: no Markdown notes (*.md) found")


def test_output_below_a_file(tmp_path: Path, notes: Path) -> None:
    result = run_cli("build", "notes", "-o", "notes/net.md/decks", cwd=tmp_path)
    one_error(result, "notes/net.md/decks/flashcards.apkg: cannot write (notes/net.md is a file, not a folder)")
    assert not (notes / "flashcards.lock").exists()


def test_deck_path_taken_by_a_folder(tmp_path: Path, notes: Path) -> None:
    (tmp_path / "out" / "flashcards.apkg").mkdir(parents=True)
    one_error(run_cli("build", "notes", "-o", "out", cwd=tmp_path), "out/flashcards.apkg: cannot write (Is a directory)")
    assert not (notes / "flashcards.lock").exists()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["flashcards.apkg"]  # no temporary file left


CORRUPT_LOCKS = {
    "truncated": ('{"version": 1,\n "created": 1,\n "cards": [\n', ":4", "Expecting value, column 1"),
    "not json": ("<<<<<<< HEAD\n", ":1", "Expecting value, column 1"),
    "not an object": ("[]", "", "not a JSON object"),
    "other version": ('{"version": 9}', "", "unknown version 9"),
    "card not an object": ('{"version": 1, "created": 1, "note_types": [], "cards": [7]}', "", "a card entry is not an object"),
    "wrong type": (
        json.dumps({"version": 1, "created": 1, "note_types": [], "cards": [
            {"guid": 5, "identity": "i", "kind": "definition", "hash": "h", "mod": 1, "source": "a.md:1",
             "deck": "D", "label": "l", "fields": ["f"], "tags": []}]}),
        "", "5 is not a string",
    ),
    "binary": (b"\xff\xfe\x00garbage", "", "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
    "absurdly nested": ("[" * 100_000, "", "maximum recursion depth exceeded while decoding a JSON array from a unicode string"),
}


@pytest.mark.parametrize("content", CORRUPT_LOCKS.values(), ids=CORRUPT_LOCKS.keys())
def test_corrupt_lock_file(tmp_path: Path, notes: Path, content: tuple[str | bytes, str, str]) -> None:
    text, line, reason = content
    lock = notes / "flashcards.lock"
    lock.write_bytes(text if isinstance(text, bytes) else text.encode())
    result = run_cli("build", "notes", "-o", "out", cwd=tmp_path)
    one_error(result, f"{lock.resolve()}{line}: the lock file is unreadable ({reason}). {KEEPS}")
    assert not (tmp_path / "out").exists()


def test_rebuild_ids_is_the_way_out_of_a_corrupt_lock(tmp_path: Path, notes: Path) -> None:
    lock = notes / "flashcards.lock"
    lock.write_text("<<<<<<< HEAD\n")
    result = run_cli("build", "notes", "-o", "out", "--rebuild-ids", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert len(lockfile.load(lock).cards) == 1


def test_lock_file_listing_a_guid_twice(tmp_path: Path, notes: Path) -> None:
    run_cli("build", "notes", "-o", "out", cwd=tmp_path)
    lock = notes / "flashcards.lock"
    lines = lock.read_text().splitlines()
    card = json.loads(lines[-1])
    lock.write_text("\n".join([*lines, json.dumps([card[0], card[1], "another", *card[3:]])]) + "\n")
    one_error(
        run_cli("build", "notes", "-o", "out", cwd=tmp_path),
        f"{lock.resolve()}: the lock file lists a guid twice; restore it or run with --rebuild-ids",
    )


def test_strict_fails_on_a_warning_and_writes_nothing(tmp_path: Path, notes: Path) -> None:
    (notes / "bad.md").write_bytes((FIXTURES / "badinput" / "bad_yaml.md").read_bytes())
    result = run_cli("build", "notes", "-o", "out", "--strict", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: 1 warning(s) and --strict: nothing was written\n"
        "  warning: bad.md:3: front matter is not valid YAML, ignored (while parsing a flow sequence)\n"
    )
    assert not (tmp_path / "out").exists() and not (notes / "flashcards.lock").exists()
    # Without --strict the same notes build, and the warning carries file:line.
    result = run_cli("build", "notes", "-o", "out", cwd=tmp_path)
    assert result.returncode == 0
    assert "warning: bad.md:3: front matter is not valid YAML" in result.stdout


def test_strict_passes_without_warnings(tmp_path: Path, notes: Path) -> None:
    result = run_cli("build", "notes", "-o", "out", "--strict", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert (tmp_path / "out" / "flashcards.apkg").exists()


def test_unknown_option_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("build", "--no-such-option", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such option: --no-such-option" in result.stderr and "Traceback" not in result.stderr


def _small_disk() -> None:
    # A "full disk" for this process only: writing past 64 KiB fails with
    # EFBIG (SIGXFSZ ignored so the write returns an error instead of killing).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def test_full_disk_leaves_the_previous_deck_and_lock(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    # Meanings that do not compress, so the deck itself is past the limit.
    meaning = lambda i, j: hashlib.sha256(f"{i}-{j}".encode()).hexdigest() * 2  # noqa: E731
    write_notes(notes, {f"n{i}.md": "".join(f"**Term {i}-{j}**: {meaning(i, j)}\n\n" for j in range(60)) for i in range(20)})
    assert run_cli("build", "notes", "-o", "out", cwd=tmp_path).returncode == 0
    deck, lock = tmp_path / "out" / "flashcards.apkg", notes / "flashcards.lock"
    before = deck.read_bytes(), lock.read_bytes()
    (notes / "n0.md").write_text("**Changed**: so the deck is written again\n", encoding="utf-8")
    result = run_cli("build", "notes", "-o", "out", cwd=tmp_path, preexec_fn=_small_disk)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("Error: out/flashcards.apkg: cannot ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert (deck.read_bytes(), lock.read_bytes()) == before
    assert sorted(p.name for p in deck.parent.iterdir()) == [".flashcards-cache", "flashcards.apkg"]
    assert sorted(p.name for p in notes.iterdir() if not p.name.endswith(".md")) == ["flashcards.lock"]


def test_busy_notes_folder_is_a_clear_error(tmp_path: Path, notes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(buildlock, "WAIT_SECONDS", 0.3)
    monkeypatch.chdir(tmp_path)
    folder = notes.resolve()
    with buildlock.exclusive(folder):
        result = CliRunner().invoke(app, ["build", "notes", "-o", "out"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {folder}: another build is running on these notes (process {os.getpid()}) "
        "(waited 0.3 s); try again when it has finished\n"
    )
    assert not (tmp_path / "out").exists()
    # Released: the next build runs and leaves no lock file behind.
    result = CliRunner().invoke(app, ["build", "notes", "-o", "out"])
    assert result.exit_code == 0, result.stderr
    assert not (folder / buildlock.LOCK_NAME).exists()


def test_version_is_printed_like_every_cli_prints_it() -> None:
    from importlib.metadata import version

    from flashcards.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"flashcards {version('flashcards')}\n"
