"""One build at a time per notes folder.

A build reads the lock file, then writes the deck and the lock file; two
builds interleaving those steps could pair one build's deck with the other's
lock. The build holds an OS file lock (``filelock``: ``flock`` on Unix) on
``.flashcards-build.lock`` in the notes folder for that span. The operating
system drops the lock when its process dies, so a crashed or killed build
never blocks the next one; the file itself is removed when the build ends
(one left behind by a killed build is harmless and goes with the next build).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from filelock import FileLock, Timeout

from flashcards.errors import BusyError, OutputError

LOCK_NAME = ".flashcards-build.lock"
WAIT_SECONDS = 10.0
"""How long a build waits for another one on the same notes to finish."""


@contextmanager
def exclusive(folder: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the build lock of ``folder`` (waiting up to ``wait`` seconds for it)."""
    path = folder / LOCK_NAME
    wait = WAIT_SECONDS if wait is None else wait
    lock = FileLock(str(path), timeout=wait)
    try:
        lock.acquire()
    except Timeout:
        raise BusyError(
            f"{folder}: another build is running on these notes{_holder(path)} "
            f"(waited {wait:g} s); try again when it has finished"
        ) from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the build lock ({exc.strerror or exc})") from None
    try:
        with suppress(OSError):
            path.write_text(f"{os.getpid()}\n", encoding="ascii")  # for the message above
        yield
    finally:
        # Unlinked while still held: a build waiting on this file notices its
        # name is gone once it gets the lock, and starts again on a new file.
        with suppress(OSError):
            path.unlink()
        lock.release()


def _holder(path: Path) -> str:
    try:
        pid = int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return ""
    return f" (process {pid})"
