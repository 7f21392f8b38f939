"""Cards: turn facts into notes ready for Anki (fields, identity, tags, deck)."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from flashcards import markup, tags
from flashcards.extract.base import normalise_key, strip_ordinal
from flashcards.model import Card, Document, Fact
from flashcards.notetypes import BASIC, CLOZE, NoteType


@dataclass(frozen=True)
class DeckSettings:
    """How cards are placed in decks."""

    root: str = "Flashcards"
    """The root deck; each note file gets a subdeck named after its title."""


def note_type(card_or_fact: Card | Fact) -> NoteType:
    """The note type a fact or card uses (fixed by its kind)."""
    return CLOZE if card_or_fact.kind.is_cloze else BASIC


def make_cards(docs: Iterable[tuple[Document, tuple[Fact, ...]]], settings: DeckSettings) -> tuple[Card, ...]:
    """Cards for every fact, in document order, with unique identities."""
    cards: list[Card] = []
    seen: Counter[str] = Counter()
    for doc, facts in docs:
        deck = deck_name(settings.root, doc.title)
        for fact in facts:
            identity = identity_of(fact)
            seen[identity] += 1
            if seen[identity] > 1:  # the same thing asked twice in one section
                identity = f"{identity}#{seen[identity]}"
            cards.append(_card(fact, identity, deck, due=len(cards)))
    return tuple(cards)


def identity_of(fact: Fact) -> str:
    """Where a fact comes from and what it asks — never its answer.

    Section numbers and formatting are ignored so renumbering headings or
    bolding a word keeps every card's identity.
    """
    headings = " › ".join(normalise_key(strip_ordinal(h)) for h in fact.origin.headings)
    return "\x1f".join((fact.origin.path, headings, fact.kind.value, normalise_key(fact.key)))


def guid_for(identity: str) -> str:
    """A short, stable Anki guid for an identity."""
    digest = hashlib.blake2b(identity.encode("utf-8"), digest_size=12).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def deck_name(root: str, title: str) -> str:
    """``Root::Note title`` (``::`` inside a title would nest decks, so it goes)."""
    sub = title.replace("::", "：").strip() or "Untitled"
    return f"{root}::{sub}" if root else sub


def context_html(fact: Fact) -> str:
    """The breadcrumb: note title › section › subsection."""
    parts = (fact.origin.title, *fact.origin.headings)
    return " › ".join(markup.escape(p) for p in parts if p)


def source_text(fact: Fact) -> str:
    return f"{fact.origin.path}:{fact.origin.line}"


def _lang(fact: Fact) -> str:
    sample = fact.front + fact.text + fact.origin.title
    return "zh-Hans" if markup.has_cjk(sample) else "en"


def _card(fact: Fact, identity: str, deck: str, due: int) -> Card:
    nt = note_type(fact)
    common = {
        "Context": context_html(fact),
        "Source": markup.escape(source_text(fact)),
        "Extra": fact.extra,
        "Lang": _lang(fact),
    }
    if nt.cloze:
        values = {"Text": fact.text, "Back": fact.back, **common}
    else:
        values = {"Front": fact.front, "Back": fact.back, "Reverse": fact.reverse, **common}
    fields = tuple(values.get(name, "") for name in nt.fields)
    card_tags = (
        tags.join("kind", fact.kind.value),
        tags.topic(fact.origin.title, fact.origin.headings),
        tags.join("source", str(PurePosixPath(fact.origin.path).with_suffix(""))),
    )
    return Card(
        identity=identity,
        guid=guid_for(identity),
        kind=fact.kind,
        fields=fields,
        tags=tuple(dict.fromkeys(t for t in card_tags if t)),
        deck=deck,
        due=due,
        origin=fact.origin,
        label=_label(fact),
    )


def _label(fact: Fact) -> str:
    where = " › ".join(strip_ordinal(h) for h in fact.origin.headings[-1:])
    key = fact.key if len(fact.key) <= 50 else fact.key[:49] + "…"
    return f"{where} › {key}" if where else key
