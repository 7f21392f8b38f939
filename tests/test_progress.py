"""The progress bar: shown on a terminal for builds with many notes to read, never otherwise."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from bench.corpus import edit_one, generate
from flashcards.build import BuildOptions, build
from flashcards.progress import WORTH_SHOWING, on_terminal
from tests.conftest import run_cli

NOW = 1_790_000_000


def _terminal() -> tuple[Console, io.StringIO]:
    screen = io.StringIO()
    return Console(file=screen, force_terminal=True, width=100), screen


def _build(notes: Path, out: Path, console: Console) -> None:
    with on_terminal(console) as progress:
        build(BuildOptions(sources=(notes,), output=out, jobs=2), now=NOW, progress=progress)


def test_a_terminal_sees_a_bar_while_many_notes_are_read_and_none_for_a_quick_rebuild(tmp_path: Path) -> None:
    count = WORTH_SHOWING + 4
    generate(tmp_path / "notes", count)
    console, screen = _terminal()
    _build(tmp_path / "notes", tmp_path / "out", console)
    shown = screen.getvalue()
    assert "Reading notes" in shown and f"{count}/{count}" in shown and "Writing the deck" in shown

    edit_one(tmp_path / "notes", seed=2)  # one note to read again: a moment, no bar
    console, screen = _terminal()
    _build(tmp_path / "notes", tmp_path / "out", console)
    assert "Reading notes" not in screen.getvalue()


def test_no_bar_when_output_is_not_a_terminal(tmp_path: Path) -> None:
    generate(tmp_path / "notes", WORTH_SHOWING + 4)
    done = run_cli("build", tmp_path / "notes", "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "Reading notes" not in done.stdout and "\x1b[" not in done.stdout
    assert done.stdout.startswith("Read ")
