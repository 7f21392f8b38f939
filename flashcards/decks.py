"""Decks: which deck each note's cards go to, and what each deck says about itself.

Anki matches decks by name, so names depend only on the configuration, the
note's title or folder and its deck tags — never on anything that changes
between builds.

Deck tags are Obsidian Spaced Repetition's: ``#flashcards/sub/deck`` puts
cards in ``<root>::sub::deck`` (the plugin's ``flashcards`` deck is our root
deck), whatever ``split`` says. As in the plugin, a tag on a line of its own
(or in a heading or a paragraph) holds for the cards after it, up to the next
deck tag; a tag on the line a card starts on holds for that card alone; one
in the front matter holds for the whole note, up to a deck tag in its text.
A bare ``#flashcards`` names no deck: the cards under it go to the note's own
deck (``<root>::<note title>`` by default), as they do without any tag.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePosixPath

from flashcards import markup, tags
from flashcards.config import DeckSettings
from flashcards.model import Block, Document, ListBlock, NoteSummary, Paragraph, Quote

DECK_TAG = "flashcards"
"""The tag whose branches name decks (``#flashcards/sub/deck``)."""


def deck_name(root: str, title: str) -> str:
    """``Root::Note title`` (``::`` inside a title would nest decks, so it goes)."""
    sub = _part(title) or "Untitled"
    return f"{root}::{sub}" if root else sub


def deck_for(doc: Document | NoteSummary, settings: DeckSettings) -> str:
    """The deck a note's cards go to unless a deck tag says otherwise."""
    if settings.split == "none":
        return settings.root
    if settings.split == "folder":
        folders = [_part(p) for p in PurePosixPath(doc.path).parent.parts]
        return "::".join(p for p in (settings.root, *folders) if p) or "Default"
    return deck_name(settings.root, doc.title)


def card_decks(note: NoteSummary, settings: DeckSettings, lines: Sequence[int]) -> list[str]:
    """The deck of each of a note's cards, given the line each card starts on
    (see the module docstring for the rule)."""
    own = deck_for(note, settings)
    if not note.deck_tags:
        return [own] * len(lines)
    starts = set(lines)
    alone: dict[int, str] = {}  # a card's own line: its first deck tag
    running: dict[int, str] = {}  # other lines: their first deck tag, for the cards after
    for line, tag in note.deck_tags:
        (alone if line in starts else running).setdefault(line, tag)
    since = sorted(running)
    out = []
    for line in lines:
        tag = alone.get(line)
        if tag is None:
            at = bisect.bisect_right(since, line)
            tag = running[since[at - 1]] if at else ""
        out.append(tagged_deck(tag, settings) or own)
    return out


def tagged_deck(tag: str, settings: DeckSettings) -> str:
    """The deck a deck tag names (``flashcards/sub/deck`` → ``<root>::sub::deck``),
    or '' for a bare ``flashcards`` (and for '')."""
    parts = [_part(p) for p in tag.split("/")[1:]]
    return "::".join(p for p in (settings.root, *parts) if p) if any(parts) else ""


def deck_tags(doc: Document) -> tuple[tuple[int, str], ...]:
    """The note's deck tags (``flashcards`` and its branches) in order, each
    with its line: 0 for the front matter's."""
    found = [(0, t) for t in tags.front_matter_tags(doc) if _names_deck(t)]
    if not _MENTIONED.search(doc.source):
        return tuple(found)  # (most notes: their text is not walked)
    for line, text in _text_lines(doc):
        if "#" in text:
            found.extend((line, t) for t in tags.inline_tags(text) if _names_deck(t))
    return tuple(found)


_MENTIONED = re.compile(rf"#{DECK_TAG}", re.IGNORECASE)


def _names_deck(tag: str) -> bool:
    return tag.split("/", 1)[0].casefold() == DECK_TAG


def _text_lines(doc: Document) -> Iterator[tuple[int, str]]:
    """Each line of the note's headings, paragraphs and list items (not code), with its number."""
    for section in doc.root.walk():
        if section.level:
            yield section.line, section.title
        yield from _block_lines(section.blocks)


def _block_lines(blocks: Iterable[Block]) -> Iterator[tuple[int, str]]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield from enumerate(block.text.split("\n"), start=block.line)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from enumerate(item.text.split("\n"), start=item.line)
                yield from _block_lines(item.children)
        elif isinstance(block, Quote):
            yield from _block_lines(block.children)


def deck_descriptions(notes: Iterable[tuple[NoteSummary, Iterable[str]]], settings: DeckSettings) -> dict[str, str]:
    """Every deck the notes' cards fill, the root included, with its description.

    ``notes`` pairs each note with the decks its cards are in. A deck holding
    one note's cards describes it by title and source path; a deck holding
    several notes' cards lists the notes. With descriptions off every value is ''.
    """
    members: dict[str, list[NoteSummary]] = {}
    for note, decks in notes:
        for deck in set(decks):
            members.setdefault(deck, []).append(note)
    out: dict[str, str] = {}
    if settings.root and settings.root not in members:
        out[settings.root] = _root_description(settings) if settings.descriptions else ""
    for deck in sorted(members):
        out[deck] = _describe(members[deck]) if settings.descriptions else ""
    return out


def _describe(docs: list[NoteSummary]) -> str:
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
