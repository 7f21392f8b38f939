"""A zip archive written the same way every time, its deflating spread over every core.

Python's :mod:`zipfile` deflates each entry as one stream on one core. Here
an entry is cut into fixed 1 MiB pieces, each deflated on its own (in
threads: zlib lets go of the GIL) and ended with a sync flush, so that the
pieces joined are one valid deflate stream (as pigz does). The pieces are
the same whatever the number of cores, so the archive's bytes are too:
fixed entry dates, no extra fields, entries in the order given.

Because each piece is deflated on its own, an archive can be made again
from a changed entry by deflating only the pieces that changed: pass the
last archive's pieces as ``known`` (see :class:`Piece`).
"""

from __future__ import annotations

import hashlib
import os
import struct
import zlib
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Piece:
    """Where one deflated piece lies in an archive, by the digest of its data."""

    digest: bytes
    offset: int
    length: int


@dataclass(frozen=True)
class Archive:
    data: bytes
    pieces: tuple[Piece, ...]


def archive(entries: Sequence[tuple[str, Source]], known: Mapping[bytes, bytes] | None = None) -> Archive:
    """A zip archive holding ``entries`` (name, data), each deflated; a piece
    whose data's digest is in ``known`` is taken from there, not deflated again
    (:func:`known_pieces` reads them from the last archive)."""
    pieces: list[Piece] = []
    data = b"".join(stream(entries, pieces, known))
    return Archive(data, tuple(pieces))


def stream(
    entries: Sequence[tuple[str, Source]], pieces: list[Piece], known: Mapping[bytes, bytes] | None = None
) -> Iterator[bytes]:
    """:func:`archive`'s bytes a part at a time, so they can go to a file
    without the whole archive in memory (an entry's deflated pieces are held
    until they are written: its header, first, gives their size and CRC);
    ``pieces`` learns where each deflated piece lies."""
    directory: list[bytes] = []
    offset = 0
    with ThreadPoolExecutor(max_workers=_cores()) as pool:
        for name, source in entries:
            packed_pieces, crc, size = _deflate(source, pool, known or {})
            packed_size = sum(len(p) for _, p in packed_pieces)
            encoded = name.encode("utf-8")
            if max(size, packed_size, offset) >= 0xFFFFFFFF:
                raise ValueError("an entry of 4 GiB or more needs zip64, which is not written")
            header = struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, _NEEDS, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE,
                crc, packed_size, size, len(encoded), 0,
            )
            directory.append(struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, _MADE_BY, _NEEDS, 0, zlib.DEFLATED, _DOS_TIME, _DOS_DATE,
                crc, packed_size, size, len(encoded), 0, 0, 0, 0, _FILE_MODE, offset,
            ) + encoded)
            yield header + encoded
            offset += len(header) + len(encoded)
            for digest, piece in packed_pieces:
                pieces.append(Piece(digest, offset, len(piece)))
                offset += len(piece)
                yield piece
            del packed_pieces
    listing = b"".join(directory)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory), len(listing), offset, 0)
    yield listing + end


def known_pieces(data: bytes, pieces: Sequence[Piece]) -> dict[bytes, bytes]:
    """The deflated pieces of an archive's ``data``, by digest."""
    return {p.digest: data[p.offset : p.offset + p.length] for p in pieces}


def _cores() -> int:
    return os.cpu_count() or 1


def _deflate(
    source: Source, pool: ThreadPoolExecutor, known: Mapping[bytes, bytes]
) -> tuple[list[tuple[bytes, bytes]], int, int]:
    """The deflated pieces (digest, bytes), the data's CRC-32 and its size;
    a few pieces in flight at a time."""
    crc, size = 0, 0
    pending: deque[Future[tuple[bytes, bytes]]] = deque()
    done: list[tuple[bytes, bytes]] = []
    for piece, last in _pieces(source):
        crc, size = zlib.crc32(piece, crc), size + len(piece)
        pending.append(pool.submit(_deflate_piece, piece, last, known))
        if len(pending) > 2 * _cores():
            done.append(pending.popleft().result())
    done.extend(f.result() for f in pending)
    return done, crc, size


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


def _deflate_piece(piece: bytes | memoryview, last: bool, known: Mapping[bytes, bytes]) -> tuple[bytes, bytes]:
    # A piece's bytes depend on its data and on whether it ends the entry.
    digest = hashlib.blake2b(piece, digest_size=16, person=b"last" if last else b"").digest()
    found = known.get(digest)
    if found is not None:
        return digest, found
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return digest, packer.compress(piece) + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
