"""Finding note files and reading them as text, whatever editor wrote them."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from flashcards.errors import SourceError

NOTE_SUFFIXES = (".md", ".markdown")
SKIPPED_DIRS = {".git", ".obsidian", ".trash", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class NoteFile:
    """A note file found under a source."""

    path: Path
    """Absolute path."""
    rel: str
    """Path relative to its notes folder, with forward slashes."""


@dataclass(frozen=True)
class NoteText:
    """A note file's text, decoded and with line endings normalised."""

    text: str
    encoding: str
    """The encoding used; anything but utf-8 is reported in the summary."""


class UnreadableNote(Exception):
    """A note that cannot be read as text (binary, undecodable)."""


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
            yield path.resolve()


def _common_root(paths: list[Path]) -> Path:
    folders = [p if p.is_dir() else p.parent for p in paths]
    root = folders[0]
    for folder in folders[1:]:
        while not folder.is_relative_to(root):
            root = root.parent
    return root


def decode(data: bytes) -> NoteText:
    """Decode a note's bytes: UTF-8 (with or without BOM), UTF-16 with BOM,
    else whatever charset-normalizer finds most likely (GBK notes…).

    Line endings become ``\\n``. Raises UnreadableNote for binary data.
    """
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = data.decode("utf-16"), "utf-16"
    elif b"\x00" in data:
        raise UnreadableNote("binary file (contains NUL bytes)")
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _guess(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise UnreadableNote("binary file (contains NUL characters)")
    return NoteText(text, encoding)


def _guess(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableNote("not text in any known encoding")
    return str(best), best.encoding
