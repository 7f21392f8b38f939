"""Write files so that a crash at any moment leaves the old file or the new one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from flashcards.errors import OutputError


def write_atomic(path: Path, data: bytes | Iterable[bytes], durable: bool = True) -> None:
    """Replace ``path`` with ``data`` (bytes, or pieces written one after
    another): a temporary file in the same folder,
    flushed to disk, then renamed over the target (and the rename flushed;
    neither when not ``durable``, for files that are only a cache).

    A crash, Ctrl-C or full disk before the rename leaves the old file as it
    was; only a killed process can leave its temporary file behind (see
    :func:`remove_leftovers`).
    """
    folder = path.parent
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(20, "not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_prefix(path), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({_reason(exc, folder)})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            # mkstemp creates 0600; give the file the mode a normal write would.
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
            fh.writelines([data] if isinstance(data, bytes) else data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({_reason(exc, folder)})") from None
    finally:
        with suppress(OSError):
            os.unlink(tmp)
    if durable:
        _fsync_folder(folder)


def remove_leftovers(path: Path) -> None:
    """Remove temporary files a killed process left while writing ``path``.

    Call it only while no other process may be writing ``path`` (under the
    build lock).
    """
    with suppress(OSError):
        for leftover in path.parent.glob(_prefix(path) + "*.tmp"):
            with suppress(OSError):
                leftover.unlink()


def _prefix(path: Path) -> str:
    return f".{path.name}."


def _reason(exc: OSError, folder: Path) -> str:
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return f"{_existing_file(folder)} is a file, not a folder"
    return exc.strerror or str(exc)


def _existing_file(folder: Path) -> Path:
    """The part of ``folder`` that exists as a file (why it cannot be made)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate
    return folder


def _fsync_folder(folder: Path) -> None:
    # The rename itself reaches the disk only when the folder is flushed.
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
