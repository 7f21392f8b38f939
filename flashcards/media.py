"""Images in notes → media files in the package, under collision-free names.

A note shows an image as ``![alt](img/x.png)`` (or a raw ``<img src>``);
:func:`flashcards.parse.parse` records each one with its line. Here each is
resolved relative to its note, else found by its name anywhere in the notes
folder as Obsidian finds it (:mod:`flashcards.vault`), confined to the notes
folder (no absolute paths, no ``..`` or symlink leading outside); an image
on the web is downloaded once at build time (:mod:`flashcards.web`). Each is
named after its content (``fc-<hash>.png``): two different files never
share a name, the same file used twice is shipped once, and a changed image
gets a new name, so the note referring to it updates on re-import. A
problem is a warning naming the note and line, never a crash; the card then
shows the image's alt text instead of a broken picture.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from flashcards import web
from flashcards.model import Card, Diagnostic, Document, NoteSummary
from flashcards.package import MediaFile
from flashcards.vault import IMAGE_SUFFIXES, Vault


@dataclass(frozen=True)
class NoteImages:
    """The images of one note that could be shipped, and what went wrong with the others."""

    files: tuple[tuple[str, MediaFile], ...]
    """(src as written in the HTML, media file) for every image found."""
    warnings: tuple[Diagnostic, ...] = ()
    looked_at: tuple[Path, ...] = ()
    """Every file looked for, found or not: a build is up to date only while they stay as they were."""
    unfetched: bool = False
    """An image on the web could not be had this time: the next build tries again."""

    def names(self) -> dict[str, str]:
        return {src: media.name for src, media in self.files}


def resolve(doc: Document | NoteSummary, note_path: Path, vault: Vault, images: web.WebImages) -> NoteImages:
    """Find the files behind ``doc.images`` (``note_path`` is the note's real
    path) in ``vault`` (the notes folder) and, for images on the web, in ``images``."""
    root = vault.root.resolve()
    note_folder = PurePosixPath(doc.path).parent.as_posix()
    files: dict[str, MediaFile] = {}
    warnings: list[Diagnostic] = []
    failed: dict[str, str] = {}
    looked_at: set[Path] = set()
    unfetched = False
    for ref in doc.images:
        remote = web.is_web(ref.src)
        src = web.placeholder(ref.src) if remote else ref.src  # as the card's HTML has it
        if src in files:
            continue
        problem = failed.get(src)
        if problem is None:
            notes: list[str] = []
            if remote:
                found = _download(ref.src, images, looked_at)
                unfetched = unfetched or not isinstance(found, MediaFile)
            else:
                found = _load(ref.src, note_path.parent, note_folder, vault, root, looked_at, notes)
            warnings.extend(Diagnostic(doc.path, ref.line, note) for note in notes)
            if isinstance(found, MediaFile):
                files[src] = found
                continue
            problem = failed[src] = found
        warnings.append(Diagnostic(doc.path, ref.line, problem))
    return NoteImages(tuple(sorted(files.items())), tuple(warnings), tuple(sorted(looked_at)), unfetched)


def _download(url: str, images: web.WebImages, looked_at: set[Path]) -> MediaFile | str:
    found = images.get(url)
    if isinstance(found, str):
        return f"image {url} {found}"
    kept = images.cache_file(url)
    if kept is not None:
        looked_at.add(kept)  # deleting it is how to download the image again
    return MediaFile(media_name(found.data, found.suffix), found.data)


def _load(
    src: str, folder: Path, note_folder: str, vault: Vault, root: Path, looked_at: set[Path], notes: list[str]
) -> MediaFile | str:
    """The media file for one ``src``, or why there is none (files looked for
    are added to ``looked_at``; a remark on a file found is added to ``notes``)."""
    target = unquote(re.split(r"[?#]", src, maxsplit=1)[0]).strip()
    shown = target or src
    if not target:
        return f"image without a file name ({src!r}) left out"
    scheme = _SCHEME.match(target)
    if scheme and len(scheme.group(1)) > 1:
        if scheme.group(1).lower() in ("http", "https"):
            return f"remote image {shown} left out: cards load nothing from the network (save it next to the note)"
        return f"image {shown} left out: only image files inside the notes folder are packaged"
    if scheme or target.startswith(("/", "\\")):
        return f"image {shown} left out: absolute paths are not packaged (use a path relative to the note)"
    target = target.replace("\\", "/")
    candidate = folder / target
    looked_at.add(candidate)
    if not candidate.is_file() and not candidate.is_symlink():
        # Not where its path leads: Obsidian finds it by name anywhere in the vault.
        found = vault.find(target, note_folder)
        if len(found.candidates) > 1:
            others = ", ".join(found.candidates[1:])
            notes.append(f"image {shown}: {len(found.candidates)} files of that name; using {found.best}, "
                         f"the nearest (not {others}): write its folder to choose another")
        if found.best is not None:
            candidate = root / found.best
            looked_at.add(candidate)
    path = candidate.resolve()
    if not path.is_relative_to(root):
        return f"image {shown} left out: it is outside the notes folder {root}"
    if not path.is_file():
        return f"image not found: {shown} (looked for {path.relative_to(root).as_posix()})"
    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        return f"{shown} left out: not an image file ({', '.join(sorted(IMAGE_SUFFIXES))})"
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"image {shown} cannot be read ({exc.strerror or exc})"
    return MediaFile(media_name(data, suffix), data)


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def media_name(data: bytes, suffix: str) -> str:
    """A media file name from the content: equal files share it, different ones never do."""
    return f"fc-{hashlib.sha256(data).hexdigest()[:20]}{suffix.lower()}"


def attach(cards: Iterable[Card], images: NoteImages) -> tuple[tuple[Card, ...], tuple[MediaFile, ...]]:
    """Point the cards' images at their media names; returns the cards and the media they use."""
    names = images.names()
    by_name = {media.name: media for _, media in images.files}
    used: set[str] = set()
    out: list[Card] = []
    for card in cards:
        if any("<img" in value for value in card.fields):
            fields = tuple(rewrite(v, names, used) if "<img" in v else v for v in card.fields)
            card = replace(card, fields=fields)
        out.append(card)
    return tuple(out), tuple(by_name[n] for n in sorted(used))


_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'\b(src|alt)="([^"]*)"', re.IGNORECASE)


def rewrite(fragment: str, names: Mapping[str, str], used: set[str] | None = None) -> str:
    """Replace each ``<img src>`` by its media name; an image that is not shipped
    becomes its alt text (or file name), so no card shows a broken picture.

    ``fragment`` is sanitised HTML (attributes double-quoted); names used are
    added to ``used``.
    """

    def one(match: re.Match[str]) -> str:
        tag = match.group(0)
        attrs = {k.lower(): html.unescape(v) for k, v in _ATTR.findall(tag)}
        name = names.get(attrs.get("src", ""))
        if name is not None:
            if used is not None:
                used.add(name)
            return _ATTR.sub(lambda a: f'src="{name}"' if a.group(1).lower() == "src" else a.group(0), tag)
        label = attrs.get("alt") or PurePosixPath(unquote(attrs.get("src", ""))).name or "image"
        return f'<span class="fc-img-missing">[{html.escape(label, quote=False)}]</span>'

    return _IMG.sub(one, fragment)
