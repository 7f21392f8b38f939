"""The frozen data passed between the stages of a build.

parse  → :class:`Document` (a section tree of :data:`Block` values)
extract → :class:`Fact` (one learnable thing, its sides already rendered to HTML)
cards  → :class:`Card` (a note ready for Anki: note type, fields, guid, tags, deck)

Every value here is immutable and built only from the notes, so the same
notes always give the same values.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable
from dataclasses import dataclass, field, fields


def _pickled_by_fields(cls: type) -> type:
    """Pickle a slotted dataclass as its class and field values: the default
    for slots looks its fields up on every object, and builds, caches and
    worker processes pickle hundreds of thousands of them."""
    values = operator.attrgetter(*(f.name for f in fields(cls)))
    cls.__reduce__ = lambda self: (type(self), values(self))  # type: ignore[method-assign]
    return cls

# --------------------------------------------------------------------- parse


class _Rendered:
    """A block's HTML is made on first use: most blocks never appear whole on a card."""

    render: Callable[[], str]

    @property
    def html(self) -> str:
        """The block rendered to sanitised HTML."""
        return self.render()


def _renderer() -> Callable[[], str]:
    return field(repr=False, compare=False)  # type: ignore[return-value]


@dataclass(frozen=True)
class Paragraph(_Rendered):
    """A paragraph of inline Markdown."""

    line: int
    """1-based line of the paragraph's first line in the note file."""
    text: str
    """The paragraph's inline Markdown source (lines joined by newlines)."""
    render: Callable[[], str] = _renderer()


@dataclass(frozen=True)
class ListItem(_Rendered):
    """One item of a bullet or ordered list."""

    line: int
    text: str
    """Inline Markdown of the item's first paragraph ('' when it has none)."""
    children: tuple[Block, ...]
    """Blocks after the first paragraph: nested lists, further paragraphs."""
    render: Callable[[], str] = _renderer()


@dataclass(frozen=True)
class ListBlock(_Rendered):
    """A bullet list (``ordered=False``) or an ordered list."""

    line: int
    ordered: bool
    items: tuple[ListItem, ...]
    start: int
    """The number an ordered list starts at (1 for a bullet list)."""
    render: Callable[[], str] = _renderer()


@dataclass(frozen=True)
class Table(_Rendered):
    """A GFM table; cells are inline Markdown, rows padded to the header."""

    line: int
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_lines: tuple[int, ...]
    """The 1-based line of each body row."""
    render: Callable[[], str] = _renderer()


@dataclass(frozen=True)
class Code(_Rendered):
    """A fenced or indented code block."""

    line: int
    info: str
    text: str
    render: Callable[[], str] = _renderer()


@dataclass(frozen=True)
class Quote(_Rendered):
    """A blockquote (also Obsidian-style callouts) holding further blocks."""

    line: int
    children: tuple[Block, ...]
    render: Callable[[], str] = _renderer()


@dataclass(frozen=True)
class Html(_Rendered):
    """A raw HTML block (e.g. ``<details>``), kept as sanitised HTML."""

    line: int
    text: str
    """The raw HTML source."""
    render: Callable[[], str] = _renderer()


Block = Paragraph | ListBlock | Table | Code | Quote | Html


@dataclass(frozen=True)
class Section:
    """A heading and everything under it up to the next heading of its level or above."""

    title: str
    """The heading's inline Markdown ('' for the document's root section)."""
    level: int
    """1–6 for headings, 0 for the root section."""
    line: int
    path: tuple[str, ...]
    """Plain-text headings from the top section down to this one."""
    blocks: tuple[Block, ...]
    children: tuple[Section, ...]
    written_path: tuple[str, ...] = ()
    """The same headings as written (inline Markdown), for display: the
    breadcrumb typesets their math, which the plain path has lost."""

    def walk(self) -> tuple[Section, ...]:
        """This section and all sections below it, in document order."""
        out: list[Section] = [self]
        for child in self.children:
            out.extend(child.walk())
        return tuple(out)


@dataclass(frozen=True)
class ImageRef:
    """An image a note shows (``![alt](src)`` or a raw ``<img src>``)."""

    line: int
    """1-based line of the image in the note file."""
    src: str
    """The ``src`` exactly as it appears in the rendered HTML (Markdown
    links are percent-encoded by then), so it can be found and rewritten."""


@dataclass(frozen=True)
class Document:
    """One parsed note file."""

    path: str
    """Path relative to the notes folder, with forward slashes."""
    title: str
    """Front matter ``title``, else a lone leading H1, else the file name."""
    meta: tuple[tuple[str, object], ...]
    """Front matter as sorted (key, value) pairs."""
    root: Section
    warnings: tuple[Diagnostic, ...] = ()
    images: tuple[ImageRef, ...] = ()
    """Every image the note refers to, in order (the build ships them as media)."""
    written_title: str = ""
    """The title as written (inline Markdown) when it is a heading; '' otherwise."""
    source: str = field(default="", repr=False, compare=False)
    """The note's text as read (for cards written in another tool's line syntax)."""

    def meta_value(self, key: str, default: object = None) -> object:
        return dict(self.meta).get(key, default)


@dataclass(frozen=True)
class NoteSummary:
    """What the stages after extraction need of a note: no section tree, so
    it is small enough to cache and to pass between processes."""

    path: str
    title: str
    meta: tuple[tuple[str, object], ...]
    section_tags: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    """The notes' own ``#tags`` on lines of their own, by section path."""
    images: tuple[ImageRef, ...] = ()
    deck_tags: tuple[tuple[int, str], ...] = ()
    """``#flashcards/…`` tags that name decks, with their lines (0: front matter)."""

    def meta_value(self, key: str, default: object = None) -> object:
        return dict(self.meta).get(key, default)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)  # many thousands of them
class Diagnostic:
    """A warning about a note, pointing at the file and line it concerns."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@_pickled_by_fields
@dataclass(frozen=True, slots=True)
class LeftOut:
    """A candidate the quality gate did not make a card of, and why."""

    path: str
    line: int
    reason: str
    """One of the reasons named in :mod:`flashcards.extract.gate`."""
    what: str
    """What the candidate asked (its key), for the report."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason} — {self.what}"


# ------------------------------------------------------------------- extract


class Kind(enum.StrEnum):
    """What a fact is; each kind always becomes the same note type."""

    DEFINITION = "definition"
    """A term and what it means (basic card)."""
    MEMORY = "memory"
    """A statement with its key phrases to recall (cloze card)."""
    LIST = "list"
    """A short list asked item by item (cloze card)."""
    PROCEDURE = "procedure"
    """Ordered steps asked step by step (cloze card)."""
    TABLE = "table"
    """One cell of a comparison or attribute table (basic card)."""
    MCQ = "mcq"
    """A multiple-choice or true/false exam question (basic card)."""
    QUESTION = "question"
    """A question and its answer: heading, inline or explicit Q/A (basic card)."""

    @property
    def is_cloze(self) -> bool:
        return self in (Kind.MEMORY, Kind.LIST, Kind.PROCEDURE)


@_pickled_by_fields
@dataclass(frozen=True, slots=True)  # many thousands of them
class Origin:
    """Where a fact comes from."""

    path: str
    line: int
    title: str
    """The note's title."""
    headings: tuple[str, ...]
    """Plain-text heading path of the section holding the fact."""
    written: tuple[str, ...] = ()
    """The title and headings as written (inline Markdown, '' for a title that
    is not a heading), for the breadcrumb; () when not known."""


@dataclass(frozen=True, slots=True)  # many thousands of them
class Fact:
    """One learnable thing found in a note, with its sides rendered to HTML.

    Basic kinds fill ``front`` and ``back``; cloze kinds fill ``text`` with
    ``{{cN::…}}`` deletions (``back`` then holds optional extra context).
    """

    kind: Kind
    origin: Origin
    key: str
    """What the fact asks, in words that survive edits of the answer (a term,
    a question stem, a table row and column). With the origin's path,
    headings and kind it makes the fact's identity."""
    front: str = ""
    back: str = ""
    text: str = ""
    extra: str = ""
    """More context shown after the answer (HTML)."""
    reverse: str = ""
    """A prompt for an optional reverse card (HTML); '' for none."""
    both_ways: bool = False
    """Its author asked for the reverse card too (Obsidian SR's ``:::`` and
    ``??``): it is made whatever the configuration says of reverse cards."""


@dataclass(frozen=True)
class Extraction:
    """What the extractors found in one document."""

    facts: tuple[Fact, ...]
    warnings: tuple[Diagnostic, ...] = ()
    claimed: frozenset[int] = frozenset()
    """Source lines of the blocks and list items this extractor turned into
    facts; extractors after it leave them alone."""
    left_out: tuple[LeftOut, ...] = ()
    """Candidates not carded (the quality gate's, and whole tables left out)."""


# --------------------------------------------------------------------- cards


@_pickled_by_fields
@dataclass(frozen=True, slots=True)  # many thousands of them
class Card:
    """A note ready to be written into a package."""

    identity: str
    """The stable identity key from which the guid is derived."""
    guid: str
    kind: Kind
    fields: tuple[str, ...]
    """Values for the note type's fields, in its field order."""
    tags: tuple[str, ...]
    deck: str
    due: int
    """Position among new cards: lower is introduced first."""
    origin: Origin
    label: str = field(default="", compare=False)
    """A short plain-text name for reports."""

    def introduced_at(self, due: int) -> Card:
        """This card at position ``due`` among new cards (every card of a build
        comes through here; ``dataclasses.replace`` takes over twice as long)."""
        return Card(self.identity, self.guid, self.kind, self.fields, self.tags, self.deck, due, self.origin, self.label)
