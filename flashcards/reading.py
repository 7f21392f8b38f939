"""Finding note files and reading them as text, whatever editor wrote them."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from flashcards.errors import SourceError
from flashcards.model import Diagnostic

NOTE_SUFFIXES = (".md", ".markdown")
MAX_NOTE_BYTES = 20_000_000
"""Larger files named .md are not notes (a log, a dump) and are skipped."""
SKIPPED_DIRS = {".git", ".obsidian", ".trash", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class NoteFile:
    """A note file found under a source."""

    path: Path
    """Absolute path, as found (a link is not resolved)."""
    rel: str
    """Path relative to its notes folder, with forward slashes."""


@dataclass(frozen=True)
class NoteText:
    """A note file's text, decoded and with line endings normalised."""

    text: str
    encoding: str
    """The encoding used; anything but utf-8 is reported in the summary."""
    warnings: tuple[Diagnostic, ...] = ()
    """Problems met while decoding (bytes that were not valid text)."""


class UnreadableNote(Exception):
    """A note that cannot be read as text (binary, undecodable, outside the notes folder)."""


def find_notes(sources: list[Path]) -> tuple[Path, list[NoteFile]]:
    """The notes folder (common root) and every note file under the sources.

    A source may be a folder (searched recursively) or a single file.
    """
    resolved: list[Path] = []
    for source in sources:
        if not source.exists():
            raise SourceError(f"{source}: no such file or folder")
        resolved.append(source.resolve())
    root = _common_root(resolved)
    found: dict[Path, NoteFile] = {}
    for source in resolved:
        candidates = [source] if source.is_file() else sorted(_walk(source))
        for path in candidates:
            found.setdefault(path, NoteFile(path, path.relative_to(root).as_posix()))
    if not found:
        names = ", ".join(str(s) for s in sources)
        raise SourceError(f"{names}: no Markdown notes (*.md) found")
    return root, sorted(found.values(), key=lambda n: n.rel)


def _walk(folder: Path):
    for path in folder.rglob("*"):
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.suffix.lower() in NOTE_SUFFIXES and path.is_file():
            yield path  # not resolved: a link keeps its name inside the folder


def _common_root(paths: list[Path]) -> Path:
    folders = [p if p.is_dir() else p.parent for p in paths]
    root = folders[0]
    for folder in folders[1:]:
        while not folder.is_relative_to(root):
            root = root.parent
    return root


def read_bytes(note: NoteFile, root: Path) -> bytes:
    """The bytes of one note found under ``root``.

    Raises UnreadableNote for links that lead outside the notes folder (a
    shared folder could otherwise pull any file on the machine into a deck)
    and for files too large to be notes; SourceError when the file cannot be
    read at all.
    """
    target = note.path.resolve()
    if not target.is_relative_to(root):
        raise UnreadableNote(f"a link to {target}, outside the notes folder; not read")
    try:
        size = note.path.stat().st_size
        if size > MAX_NOTE_BYTES:
            raise UnreadableNote(f"{size:,} bytes is too large for a note (limit {MAX_NOTE_BYTES:,})")
        return note.path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{note.path}: cannot read ({exc.strerror or exc})") from None


def decode(data: bytes, name: str = "") -> NoteText:
    """Decode a note's bytes: UTF-8 (with or without BOM), UTF-16/32 with BOM,
    else the most likely legacy encoding (GBK/GB18030 notes, Windows-1252…).

    Line endings become ``\\n``. Raises UnreadableNote for binary data.
    ``name`` labels the warnings about invalid bytes.
    """
    problem: _Problem | None = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text, problem = _decode_lenient(data[len(bom):], codec)
            encoding = "utf-8-sig" if codec == "utf-8" else codec
            break
    else:
        if b"\x00" in data:
            raise UnreadableNote("binary file (contains NUL bytes)")
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            text, encoding, problem = _guess(data, exc)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise UnreadableNote("binary file (contains NUL characters)")
    warnings = (Diagnostic(name, *problem),) if problem else ()
    return NoteText(text, encoding, warnings)


# UTF-32 first: its little-endian BOM starts like UTF-16's.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# A file with at most this many invalid bytes per valid multi-byte character
# is UTF-8 damaged in places (a stray byte, a botched edit), not a legacy
# encoding: GBK Chinese has about five invalid sequences per accidentally
# valid one.
_DAMAGED_UTF8 = 0.2


_Problem = tuple[int, str]
"""(line, message) of a decoding problem."""


def _replaced(encoding: str, text_before: str) -> _Problem:
    return _line_of(text_before), f"bytes that are not valid {encoding} were replaced by \ufffd"


def _decode_lenient(data: bytes, codec: str) -> tuple[str, _Problem | None]:
    """Decode, replacing invalid bytes (and saying where the first one was)."""
    try:
        return data.decode(codec), None
    except UnicodeDecodeError as exc:
        return data.decode(codec, errors="replace"), _replaced(codec, data[: exc.start].decode(codec, "replace"))


def _line_of(text_before: str) -> int:
    return text_before.count("\n") + (text_before.count("\r") - text_before.count("\r\n")) + 1


def _guess(data: bytes, error: UnicodeDecodeError) -> tuple[str, str, _Problem | None]:
    """Text, encoding and any problem, for bytes that are not clean UTF-8."""
    if error.start >= len(data) - 3 and error.reason == "unexpected end of data":
        text = data[: error.start].decode("utf-8")
        return text, "utf-8", (_line_of(text), "the file ends in the middle of a character (saved by half?); it was dropped")
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    multibyte = len(_WIDE.findall(text)) - invalid
    if multibyte and invalid <= _DAMAGED_UTF8 * multibyte:
        return text, "utf-8", _replaced("utf-8", text[: text.index("\ufffd")])
    for codec in ("gb18030", "cp950"):
        chinese = _as_chinese(data, codec)
        if chinese is not None:
            return chinese, codec, None
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableNote("not text in any known encoding")
    if best.coherence == 0:
        # Too short for charset-normalizer to recognise a language (it then
        # picks Urdu or Central European code pages for "réécrire été"):
        # assume Windows-1252, what Western editors on Windows save.
        try:
            return data.decode("cp1252"), "cp1252", None
        except UnicodeDecodeError:
            pass
    return str(best), best.encoding, None


def _as_chinese(data: bytes, codec: str) -> str | None:
    """The text if the bytes read in ``codec`` give mostly Chinese characters, else None.

    Tried before charset-normalizer, which often takes short Chinese notes
    for Korean or Japanese. GB18030 (a superset of GBK and GB2312) comes
    first, then Big5 (cp950): Big5 or Japanese bytes read as GB18030 give
    kana, symbols or private-use characters, which this refuses. (Korean
    EUC-KR bytes do read as common Chinese characters; Korean notes are
    expected in UTF-8.)
    """
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    wide = _WIDE.findall(text)
    if not wide or any(_KANA.match(ch) for ch in wide):
        return None
    # Notes use common characters (GB2312; Big5 level 1): rare ones are what
    # Western text (a letter with an accent before a plain one) turns into.
    common = sum(1 for ch in wide if _common(ch, codec))
    return text if common >= 0.9 * len(wide) else None


def _common(ch: str, codec: str) -> bool:
    if codec == "gb18030":
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True
    encoded = ch.encode(codec)
    return len(encoded) == 2 and encoded[0] <= 0xC6  # Big5 symbols and level 1


_WIDE = re.compile(r"[^\x00-\x7f]")
_KANA = re.compile(r"[\u3040-\u30ff]")
