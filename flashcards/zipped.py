"""A zip archive written the same way every time, its deflating spread over every core.

Python's :mod:`zipfile` deflates each entry as one stream on one core. Here
an entry is cut into fixed 1 MiB pieces, each deflated on its own (in
threads: zlib lets go of the GIL) and ended with a sync flush, so that the
pieces joined are one valid deflate stream (as pigz does). The pieces are
the same whatever the number of cores, so the archive's bytes are too:
fixed entry dates, no extra fields, entries in the order given.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

PIECE = 1 << 20
LEVEL = 6
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest a zip can say
_DOS_TIME = 0
_MADE_BY = (3 << 8) | 20  # Unix, zip 2.0
_NEEDS = 20
_FILE_MODE = 0o100644 << 16


Source = bytes | Path
"""An entry's data, or the file holding it (read a piece at a time, never whole)."""


def archive(entries: Sequence[tuple[str, Source]]) -> bytes:
    """A zip archive holding ``entries`` (name, data), each deflated."""
    out: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    with ThreadPoolExecutor(max_workers=_cores()) as pool:
        for name, source in entries:
            packed, crc, size = _deflate(source, pool)
            encoded = name.encode("utf-8")
            if max(size, len(packed), offset) >= 0xFFFFFFFF:
                raise ValueError("an entry of 4 GiB or more needs zip64, which is not written")
            header = struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, _NEEDS, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE,
                crc, len(packed), size, len(encoded), 0,
            )
            directory.append(struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, _MADE_BY, _NEEDS, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE,
                crc, len(packed), size, len(encoded), 0, 0, 0, 0, _FILE_MODE, offset,
            ) + encoded)
            out += [header, encoded, packed]
            offset += len(header) + len(encoded) + len(packed)
    listing = b"".join(directory)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory), len(listing), offset, 0)
    return b"".join(out) + listing + end


def _cores() -> int:
    return os.cpu_count() or 1


def _deflate(source: Source, pool: ThreadPoolExecutor) -> tuple[bytes, int, int]:
    """The deflated data, its CRC-32 and its size; a few pieces in flight at a time."""
    crc, size = 0, 0
    pending: deque[Future[bytes]] = deque()
    done: list[bytes] = []
    for piece, last in _pieces(source):
        crc, size = zlib.crc32(piece, crc), size + len(piece)
        pending.append(pool.submit(_deflate_piece, piece, last))
        if len(pending) > 2 * _cores():
            done.append(pending.popleft().result())
    done.extend(f.result() for f in pending)
    return b"".join(done), crc, size


def _pieces(source: Source) -> Iterator[tuple[bytes | memoryview, bool]]:
    """The data in :data:`PIECE` pieces, each with whether it is the last."""
    if isinstance(source, bytes):
        view = memoryview(source)
        for start in range(0, max(len(source), 1), PIECE):
            yield view[start : start + PIECE], start + PIECE >= len(source)
        return
    with open(source, "rb") as fh:
        piece = fh.read(PIECE)
        while True:
            following = fh.read(PIECE)
            yield piece, not following
            if not following:
                return
            piece = following


def _deflate_piece(piece: bytes | memoryview, last: bool) -> bytes:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(piece) + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
