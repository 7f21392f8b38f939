"""Cards: turn facts into notes ready for Anki (fields, identity, tags, deck)."""

from __future__ import annotations

import base64
import functools
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from flashcards import markup, priority, tags
from flashcards.config import Config
from flashcards.decks import card_decks, deck_tags
from flashcards.extract.base import normalise_key, strip_ordinal
from flashcards.model import Card, Document, Fact, NoteSummary
from flashcards.notetypes import BASIC, CLOZE, NoteType


def note_type(card_or_fact: Card | Fact) -> NoteType:
    """The note type a fact or card uses (fixed by its kind)."""
    return CLOZE if card_or_fact.kind.is_cloze else BASIC


@dataclass(frozen=True)
class _Draft:
    """A fact on its way to becoming a card, before new-card order is known."""

    fact: Fact
    identity: str
    deck: str
    signals: priority.Signals
    own_tags: tuple[str, ...]


def make_cards(
    notes: Iterable[tuple[NoteSummary | Document, tuple[Fact, ...]]], config: Config
) -> tuple[Card, ...]:
    """Cards for every fact of the kinds wanted, with unique identities, in
    the order new cards are introduced (see :func:`note_cards`, :func:`in_order`)."""
    return in_order([note_cards(note, facts, config) for note, facts in notes], config)


def summarize(doc: Document) -> NoteSummary:
    """What later stages need of a parsed note."""
    return NoteSummary(
        doc.path, doc.title, doc.meta, tuple(tags.section_tags(doc).items()), doc.images, deck_tags(doc)
    )


@dataclass(frozen=True)
class NoteCards:
    """One note's cards in document order, each with its priority level."""

    cards: tuple[Card, ...]
    levels: tuple[priority.Level, ...]


def note_cards(note: NoteSummary | Document, facts: tuple[Fact, ...], config: Config) -> NoteCards:
    """One note's cards, before the order among all new cards is known.

    Identities hold the note's path, so making them unique within the note
    makes them unique in the deck.
    """
    if isinstance(note, Document):
        note = summarize(note)
    match = priority.matcher(config.priority)
    wanted = set(config.cards.kinds)
    facts = tuple(f for f in facts if f.kind.value in wanted)
    decks = card_decks(note, config.deck, [f.origin.line for f in facts])
    doc_tags = tags.front_matter_tags(note)
    by_section = dict(note.section_tags)
    declared = note.meta_value("priority", "")
    cards: list[Card] = []
    levels: list[priority.Level] = []
    seen: Counter[str] = Counter()
    for fact, deck in zip(facts, decks, strict=True):
        identity = identity_of(fact)
        seen[identity] += 1
        if seen[identity] > 1:  # the same thing asked twice in one section
            identity = f"{identity}#{seen[identity]}"
        signals = priority.assess(fact, match, declared)
        own = tuple(tags.fact_tags(fact, doc_tags, by_section))
        cards.append(_card(_Draft(fact, identity, deck, signals, own), 0, config))
        levels.append(signals.level)
    return NoteCards(tuple(cards), tuple(levels))


def in_order(notes: Iterable[NoteCards], config: Config) -> tuple[Card, ...]:
    """All notes' cards with their ``due``: by priority, then document order."""
    notes = list(notes)
    cards = [c for n in notes for c in n.cards]
    levels = [level for n in notes for level in n.levels]
    dues = priority.due_order(levels, config.priority.order)
    return tuple(card.introduced_at(due) for card, due in zip(cards, dues, strict=True))


def identity_of(fact: Fact) -> str:
    """Where a fact comes from and what it asks — never its answer.

    Section numbers and formatting are ignored so renumbering headings or
    bolding a word keeps every card's identity.
    """
    return "\x1f".join((fact.origin.path, _heading_key(fact.origin.headings), fact.kind.value, normalise_key(fact.key)))


@functools.lru_cache(maxsize=4096)  # every card of a section has the same headings
def _heading_key(headings: tuple[str, ...]) -> str:
    return " › ".join(normalise_key(strip_ordinal(h)) for h in headings)


def guid_for(identity: str) -> str:
    """A short, stable Anki guid for an identity."""
    digest = hashlib.blake2b(identity.encode("utf-8"), digest_size=12).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def context_html(fact: Fact) -> str:
    """The breadcrumb: note title › section › subsection."""
    return _breadcrumb(fact.origin.title, fact.origin.headings, fact.origin.written)


@functools.lru_cache(maxsize=4096)
def _breadcrumb(title: str, headings: tuple[str, ...], written: tuple[str, ...]) -> str:
    """Plain text, but math in a heading stays math for MathJax (its plain
    form is raw TeX): each part as written when known."""
    plain = (title, *headings)
    if len(written) != len(plain):
        written = ("",) * len(plain)
    parts = (markup.plain_html(w) if w else markup.escape(p) for p, w in zip(plain, written, strict=True) if p)
    return " › ".join(parts)


def source_text(fact: Fact) -> str:
    return f"{fact.origin.path}:{fact.origin.line}"


def source_field(source: str) -> str:
    """The Source field showing ``path:line``."""
    return markup.escape(source)


def _lang(fact: Fact) -> str:
    sample = fact.front + fact.text + fact.origin.title
    return "zh-Hans" if markup.has_cjk(sample) else "en"


def _card(draft: _Draft, due: int, config: Config) -> Card:
    fact = draft.fact
    nt = note_type(fact)
    common = {
        "Context": context_html(fact),
        "Source": source_field(source_text(fact)),
        "Extra": fact.extra,
        "Lang": _lang(fact),
    }
    if nt.cloze:
        values = {"Text": fact.text, "Back": fact.back, **common}
    else:
        # An empty Reverse field means no reverse card (see notetypes.BASIC).
        reverse = fact.reverse if fact.both_ways or fact.kind.value in config.cards.reverse else ""
        values = {"Front": fact.front, "Back": fact.back, "Reverse": reverse, **common}
    fields = tuple(values.get(name, "") for name in nt.fields)
    return Card(
        identity=draft.identity,
        guid=guid_for(draft.identity),
        kind=fact.kind,
        fields=fields,
        tags=card_tags(draft, config),
        deck=draft.deck,
        due=due,
        origin=fact.origin,
        label=_label(fact),
    )


def card_tags(draft: _Draft, config: Config) -> tuple[str, ...]:
    """kind, topic, source, priority and mark tags, then the notes' own; no duplicates."""
    t, fact = config.tags, draft.fact
    found = [
        _prefixed(t.kind, fact.kind.value),
        tags.topic(fact.origin.title, fact.origin.headings, t.topic),
        _source_tag(t.source, fact.origin.path),
        _prefixed(t.priority, draft.signals.level.tag) if draft.signals.level.tag else "",
        *(_prefixed(t.mark, mark) for mark in draft.signals.marks),
        *(tags.user_tag(own, t.user) for own in draft.own_tags),
    ]
    unique: dict[str, str] = {}
    for tag in found:
        if tag:
            unique.setdefault(tag.casefold(), tag)  # Anki folds tag case
    return tuple(unique.values())


@functools.lru_cache(maxsize=4096)
def _source_tag(prefix: str, path: str) -> str:
    return _prefixed(prefix, str(PurePosixPath(path).with_suffix("")))


@functools.lru_cache(maxsize=4096)  # the same few tags on every card of a note
def _prefixed(prefix: str, value: str) -> str:
    """``prefix::value``; '' when the prefix is '' (that tag is switched off)."""
    return tags.join(*prefix.split("::"), value) if prefix else ""


def _label(fact: Fact) -> str:
    where = " › ".join(strip_ordinal(h) for h in fact.origin.headings[-1:])
    key = fact.key if len(fact.key) <= 50 else fact.key[:49] + "…"
    return f"{where} › {key}" if where else key
