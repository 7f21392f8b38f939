"""Rebuild whenever a note is saved."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from flashcards.build import BuildOptions, BuildResult, build
from flashcards.errors import FlashcardsError
from flashcards.reading import NOTE_SUFFIXES

OnBuild = Callable[[BuildResult | None, FlashcardsError | None], None]


def _note_filter(sources: tuple[Path, ...]) -> Callable[[watchfiles.Change, str], bool]:
    files = {s.resolve() for s in sources if not s.is_dir()}
    folders = [s.resolve() for s in sources if s.is_dir()]

    def is_note(_change: watchfiles.Change, path: str) -> bool:
        p = Path(path).resolve()
        if p in files:
            return True
        name = p.name
        return (
            name.lower().endswith(NOTE_SUFFIXES)
            and not name.startswith((".", "~"))
            and any(p.is_relative_to(f) for f in folders)
        )

    return is_note


def watch(options: BuildOptions, on_build: OnBuild, stop: threading.Event | None = None) -> None:
    """Build once, then again after every change to a note, until ``stop`` is set.

    A build that fails with a user error (a note half-saved, a folder
    renamed) is reported through ``on_build`` and watching goes on.
    """
    # Watch folders, not files: editors often replace a file on save, and a
    # watch on the old file would end there.
    folders = sorted({s if s.is_dir() else s.parent for s in options.sources})
    changes = watchfiles.watch(
        *folders,
        watch_filter=_note_filter(options.sources),
        stop_event=stop,
        debounce=400,
        raise_interrupt=False,
        rust_timeout=200,
        yield_on_timeout=True,
    )
    first = True
    for changed in changes:
        # The first (empty) batch comes once the watcher is running, so a
        # note saved during the first build is not missed.
        if changed or first:
            _build_reporting(options, on_build)
            first = False


def _build_reporting(options: BuildOptions, on_build: OnBuild) -> None:
    try:
        result = build(options)
    except FlashcardsError as exc:
        on_build(None, exc)
    else:
        on_build(result, None)
