"""The deck's zip archive: readable by any zip reader, the same bytes every time."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from flashcards.state import zipped


def _entries() -> list[tuple[str, bytes]]:
    rng = random.Random(7)
    words = [bytes(rng.choice(b"abcdefgh \xe4\xb8\xad") for _ in range(rng.randint(1, 9))) for _ in range(500)]
    big = b" ".join(rng.choice(words) for _ in range(700_000))  # several 1 MiB pieces, compressible
    return [("collection.anki2", big), ("media", b"{}"), ("0", bytes(rng.randrange(256) for _ in range(5000))), ("1", b"")]


def test_any_zip_reader_gets_back_every_entry() -> None:
    entries = _entries()
    assert len(entries[0][1]) > 3 * zipped.PIECE
    data = zipped.archive(entries).data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every entry's CRC checks out
        assert [(i.filename, i.compress_type) for i in archive.infolist()] == [
            (name, zipfile.ZIP_DEFLATED) for name, _ in entries
        ]
        assert [archive.read(name) for name, _ in entries] == [d for _, d in entries]
    assert len(data) < len(entries[0][1]) / 2


@pytest.mark.parametrize("cores", [1, 2, 5])
def test_the_bytes_do_not_depend_on_the_number_of_cores(cores: int, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = zipped.archive(_entries()).data
    monkeypatch.setattr(zipped, "_cores", lambda: cores)
    assert zipped.archive(_entries()).data == expected


def test_an_entry_read_from_a_file_is_the_same_as_from_memory(tmp_path: Path) -> None:
    entries = _entries()
    for name, data in entries:
        (tmp_path / name).write_bytes(data)
    assert zipped.archive([(name, tmp_path / name) for name, _ in entries]).data == zipped.archive(entries).data


def test_known_pieces_are_reused_and_give_the_bytes_of_deflating_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = _entries()
    first = zipped.archive(entries)
    name, data = entries[0]
    middle = 2 * zipped.PIECE + 10
    changed = [(name, data[:middle] + b"edited" + data[middle + 6 :]), *entries[1:]]
    deflated = []
    real = zipped.zlib.compressobj
    monkeypatch.setattr(zipped.zlib, "compressobj", lambda *a: deflated.append(a) or real(*a))
    patched = zipped.archive(changed, zipped.known_pieces(first.data, first.pieces))
    assert len(deflated) == 1  # only the changed piece
    monkeypatch.undo()
    assert patched.data == zipped.archive(changed).data
    # A piece equal to the last piece of an entry is not taken for a middle one (its ending differs).
    cut = [(name, data[: 2 * zipped.PIECE]), *entries[1:]]
    whole = [(name, data[: 3 * zipped.PIECE]), *entries[1:]]
    known = zipped.known_pieces(zipped.archive(cut).data, zipped.archive(cut).pieces)
    assert zipped.archive(whole, known).data == zipped.archive(whole).data
