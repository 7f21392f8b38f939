"""`watch` rebuilds when a note is saved and survives a broken moment."""

from __future__ import annotations

import queue
import threading
from pathlib import Path

from flashcards.build import BuildOptions
from flashcards.state.reconcile import Status
from flashcards.watch import watch


def test_watch_rebuilds_on_save_and_survives_a_missing_note_folder(sample_notes: Path, tmp_path: Path) -> None:
    events: queue.Queue = queue.Queue()
    stop = threading.Event()
    note = sample_notes / "vpc-link-vs-vgw.md"
    options = BuildOptions(sources=(note,), output=tmp_path / "out")
    thread = threading.Thread(target=watch, args=(options, lambda r, e: events.put((r, e)), stop), daemon=True)
    thread.start()
    try:
        first, error = events.get(timeout=30)
        assert error is None and first.plan.count(Status.NEW) == len(first.cards)

        text = note.read_text(encoding="utf-8")
        note.write_text(text.replace("**单向私有通道**", "**单向私有隧道**"), encoding="utf-8")
        second, error = events.get(timeout=30)
        assert error is None
        assert [c.label for c in second.plan.changes if c.status is Status.UPDATED] == ["记忆要点 › VPC Link"]

        note.unlink()  # an editor that deletes and rewrites the file
        _, error = events.get(timeout=30)
        assert error is not None and "no such file" in str(error)
        note.write_text(text, encoding="utf-8")
        third, error = events.get(timeout=30)
        assert error is None and third.written
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
