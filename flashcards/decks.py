"""Decks: which deck each note's cards go to, and what each deck says about itself.

Anki matches decks by name, so names depend only on the configuration and
the note's title or folder — never on anything that changes between builds.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from flashcards import markup
from flashcards.config import DeckSettings
from flashcards.model import Document


def deck_name(root: str, title: str) -> str:
    """``Root::Note title`` (``::`` inside a title would nest decks, so it goes)."""
    sub = _part(title) or "Untitled"
    return f"{root}::{sub}" if root else sub


def deck_for(doc: Document, settings: DeckSettings) -> str:
    """The deck a note's cards go to."""
    if settings.split == "none":
        return settings.root
    if settings.split == "folder":
        folders = [_part(p) for p in PurePosixPath(doc.path).parent.parts]
        return "::".join(p for p in (settings.root, *folders) if p) or "Default"
    return deck_name(settings.root, doc.title)


def deck_descriptions(docs: Iterable[Document], settings: DeckSettings) -> dict[str, str]:
    """Every deck the notes fill, the root included, with its description.

    A note's deck describes it by title and source path; a deck holding
    several notes lists them. With descriptions off every value is ''.
    """
    members: dict[str, list[Document]] = {}
    for doc in docs:
        members.setdefault(deck_for(doc, settings), []).append(doc)
    out: dict[str, str] = {}
    if settings.root and settings.root not in members:
        out[settings.root] = _root_description(settings) if settings.descriptions else ""
    for deck in sorted(members):
        out[deck] = _describe(members[deck]) if settings.descriptions else ""
    return out


def _describe(docs: list[Document]) -> str:
    if len(docs) == 1:
        doc = docs[0]
        return f"<b>{markup.escape(doc.title)}</b><br><small>{markup.escape(doc.path)}</small>"
    items = "".join(
        f"<li>{markup.escape(d.title)} <small>({markup.escape(d.path)})</small></li>"
        for d in sorted(docs, key=lambda d: d.path)
    )
    return f"<ul>{items}</ul>"


def _root_description(settings: DeckSettings) -> str:
    per = {"file": "one subdeck per note file", "folder": "one subdeck per folder"}.get(settings.split, "")
    return "Cards made from your Markdown notes by flashcards" + (f": {per}." if per else ".")


def _part(text: str) -> str:
    return text.replace("::", "：").strip()
