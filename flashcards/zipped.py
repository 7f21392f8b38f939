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
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

PIECE = 1 << 20
LEVEL = 6
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest a zip can say
_DOS_TIME = 0
_MADE_BY = (3 << 8) | 20  # Unix, zip 2.0
_NEEDS = 20
_FILE_MODE = 0o100644 << 16


def archive(entries: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip archive holding ``entries`` (name, data), each deflated."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        deflated = [(name, data, b"".join(pool.map(_deflate_piece, *_pieces(data)))) for name, data in entries]
    out: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for name, data, packed in deflated:
        encoded = name.encode("utf-8")
        crc, size, packed_size = zlib.crc32(data), len(data), len(packed)
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
        out += [header, encoded, packed]
        offset += len(header) + len(encoded) + packed_size
    listing = b"".join(directory)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory), len(listing), offset, 0)
    return b"".join(out) + listing + end


def _pieces(data: bytes) -> tuple[list[memoryview], list[bool]]:
    view = memoryview(data)
    starts = range(0, max(len(data), 1), PIECE)
    return [view[s : s + PIECE] for s in starts], [s + PIECE >= len(data) for s in starts]


def _deflate_piece(piece: memoryview, last: bool) -> bytes:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(piece) + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
