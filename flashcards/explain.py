"""``flashcards explain``: what each line of a note became, and why.

Each note goes through the build's own per-note pipeline
(:func:`flashcards.notes.read_note`: decode → parse → extract → cards), so
what is shown is what a build makes. Every non-blank line is then accounted
for: the card(s) it starts, the card it is part of (an answer under its
question, the items of a list), what was left out there and why (the quality
gate's reason, a question without an answer, a table that holds data, a kind
of card switched off in the configuration), lines switched off by the
author, or text not read as a fact (headings, prose). Nothing is written.

Which lines belong to a card is read from the note's blocks: a line that
starts no card itself belongs with the nearest card or left-out candidate
above it in its block, or — when an extractor used its block — in its section.
"""

from __future__ import annotations

import bisect
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flashcards.cards import note_type
from flashcards.config import Config
from flashcards.extract import gate, switched_off
from flashcards.model import Block, Card, Document, ListBlock, ListItem, Quote, Table
from flashcards.notes import read_note
from flashcards.package import card_ords
from flashcards.reading import NoteFile, UnreadableNote, find_notes, read_bytes
from flashcards.state.lockfile import LOCK_NAME

CARD = "card"
"""The line starts one or more cards (``cards`` lists them)."""
PART = "part_of_card"
"""The line is read into the card(s) that start on ``of_line``."""
LEFT_OUT = "left_out"
"""Something here could have been a card and was left out (``left_out`` says why)."""
OFF = "switched_off"
"""The author switched the line off (``<!-- flashcards: off -->``, front matter ``flashcards: false``)."""
NOT_A_FACT = "not_a_fact"
"""Headings, front matter and prose no extractor reads as a fact."""
STATUSES = (CARD, PART, LEFT_OUT, OFF, NOT_A_FACT)

SCHEMA_VERSION = 1

_NO_CARD = ("no card made", "not turned into cards")
"""What the extractors' warnings say when a candidate made no card (an
unanswered question, a table that holds data): such a warning is a left-out reason."""
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::[^{}]*?)?\}\}", re.DOTALL)


@dataclass(frozen=True)
class ShownCard:
    """A note the build makes, as explain shows it."""

    kind: str
    front: str
    """The front as plain text: block lines joined by " / ", cloze deletions in ⟦ ⟧."""
    anki_cards: int
    """How many cards Anki makes of it (a cloze per number, a reverse card)."""


@dataclass(frozen=True)
class Reason:
    """Why a candidate made no card."""

    reason: str
    what: str = ""
    """What the candidate asked, when known."""
    detail: str = ""


@dataclass(frozen=True)
class Line:
    """What one non-blank line of a note became."""

    number: int
    text: str
    status: str
    """One of :data:`STATUSES`."""
    cards: tuple[ShownCard, ...] = ()
    left_out: tuple[Reason, ...] = ()
    warnings: tuple[str, ...] = ()
    of_line: int | None = None
    """For a line that continues a card or candidate: the line it starts on."""
    note: str = ""
    """``heading`` or ``front matter`` for such lines; '' otherwise."""


@dataclass(frozen=True)
class Explained:
    """One note, line by line."""

    path: Path
    source: str
    """The note as its cards name it (relative to the notes folder)."""
    title: str = ""
    lines: tuple[Line, ...] = ()
    unread: str = ""
    """Why the note was not read ('' when it was)."""
    warnings: tuple[str, ...] = ()
    """Warnings about the note that name no line of it."""

    @property
    def cards(self) -> tuple[ShownCard, ...]:
        return tuple(c for line in self.lines for c in line.cards)

    @property
    def left_out(self) -> tuple[Reason, ...]:
        return tuple(r for line in self.lines if line.of_line is None for r in line.left_out)


# ------------------------------------------------------------------ explaining


def explain(sources: Sequence[Path], config: Config) -> list[Explained]:
    """Every note under ``sources``, line by line; raises SourceError for a missing source."""
    found_root, files = find_notes(list(sources))
    root = notes_root(found_root)
    out = []
    for found in files:
        note = NoteFile(found.path, found.path.relative_to(root).as_posix())
        try:
            data = read_bytes(note, root)
        except UnreadableNote as exc:
            out.append(Explained(note.path, note.rel, unread=f"skipped: {exc}"))
            continue
        out.append(explain_note(note, data, config))
    return out


def notes_root(folder: Path) -> Path:
    """The notes folder a build would name cards from: the nearest folder at
    or above ``folder`` holding a lock file (a build's notes folder), else ``folder``."""
    for candidate in (folder, *folder.parents):
        if (candidate / LOCK_NAME).is_file():
            return candidate
    return folder


def explain_note(note: NoteFile, data: bytes, config: Config) -> Explained:
    """One note's lines, from the build's own reading of it."""
    reading = read_note(note.rel, data, config)
    result, doc, found = reading.result, reading.doc, reading.found
    if doc is None or found is None:
        return Explained(note.path, note.rel, unread=result.unread, warnings=tuple(w.message for w in result.warnings))
    wanted = set(config.cards.kinds)
    skipped = gate.skip_rule(config.cards.skipped_headings())
    events: dict[int, _Events] = {}

    def at(line: int) -> _Events:
        return events.setdefault(line, _Events())

    for card in result.cards.cards:
        at(card.origin.line).cards.append(shown(card))
    for fact in found.facts:
        if fact.kind.value not in wanted:
            at(fact.origin.line).left_out.append(
                Reason(f"kind {fact.kind.value!r} is not in cards.kinds", fact.key[:60])
            )
    shape = _Shape(doc)
    for x in result.left_out:
        if x.reason == gate.SWITCHED_OFF:
            continue  # shown on every line switched off
        detail = ""
        if x.reason == gate.BOILERPLATE:
            heading = gate.skipping_heading(shape.headings_at(x.line), skipped)
            detail = f"in the section {heading!r}, which gives no cards" if heading else ""
        at(x.line).left_out.append(Reason(x.reason, x.what, detail))
    loose: list[str] = []
    lines = doc.source.split("\n")
    for w in result.warnings:
        if not 1 <= w.line <= len(lines):
            loose.append(w.message)
        elif any(phrase in w.message for phrase in _NO_CARD):
            reason, _, what = w.message.partition(", no card made: ")  # "question has no answer, no card made: …"
            at(w.line).left_out.append(Reason(f"{reason}, no card made" if what else reason, what))
        else:
            at(w.line).warnings.append(w.message)

    whole_off = doc.meta_value("flashcards", True) is False
    off, _ = switched_off(doc)
    front_matter = _front_matter_lines(lines)
    explained: list[Line] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.rstrip("\r")
        if not text.strip():
            continue
        here = events.get(number)
        warnings = tuple(here.warnings) if here else ()
        if number in front_matter:
            explained.append(Line(number, text, OFF if whole_off else NOT_A_FACT, warnings=warnings, note="front matter"))
        elif whole_off or number in off:
            explained.append(Line(number, text, OFF, warnings=warnings))
        elif here and (here.cards or here.left_out):
            status = CARD if here.cards else LEFT_OUT
            explained.append(Line(number, text, status, tuple(here.cards), tuple(here.left_out), warnings))
        else:
            explained.append(_continuing(number, text, warnings, shape, events, found.claimed, skipped))
    return Explained(note.path, note.rel, doc.title, tuple(explained), warnings=tuple(loose))


@dataclass
class _Events:
    """What the build made or left out at one line."""

    cards: list[ShownCard] = field(default_factory=list)
    left_out: list[Reason] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _continuing(
    number: int, text: str, warnings: tuple[str, ...], shape: _Shape, events: dict[int, _Events],
    claimed: frozenset[int], skipped: frozenset[str],
) -> Line:
    """A line that starts nothing: part of the card or candidate it continues, or not a fact."""
    anchor = shape.anchor(number)
    starts = [line for line in range(anchor, number) if line in events and _counts(events[line])]
    source = starts[-1] if starts else None
    skipping = gate.skipping_heading(shape.headings_at(number), skipped)
    off_note = f"in the section {skipping!r}, which gives no cards" if skipping else ""
    if source is None and number in shape.heading_lines:
        return Line(number, text, NOT_A_FACT, warnings=warnings, note="heading" + (f"; {off_note}" if off_note else ""))
    whole_list = shape.list_of.get(anchor)  # an extractor that takes a list claims its first line
    header = shape.row_of.get(anchor)
    if source is None and header is not None and header in events and _counts(events[header]):
        source = header  # a row of a table taken (or left out) whole
    if source is None and (anchor in claimed or number in claimed or (whole_list in claimed and whole_list not in events)):
        if anchor in shape.tables:  # a table's header and rule line: read with its rows
            rows = [r for r in shape.tables[anchor] if r in events]
            source = next((r for r in rows if events[r].cards), next((r for r in rows if _counts(events[r])), None))
        else:  # an answer, the items of a list, options: read with the card above them in their section,
            # else with the question a heading above asks ("## Why …?" answered under "### 核心原因")
            start = shape.section_of.get(anchor, 0)
            above = [line for line in events if start <= line < anchor and _counts(events[line])]
            asking = [h for h in shape.heading_chain(start) if h in events and events[h].cards]
            source = max(above) if above else asking[0] if asking else None
        if source is None:  # an extractor read it (an answer key at the end of the note …) into cards elsewhere
            return Line(number, text, PART, warnings=warnings)
    if source is None:
        return Line(number, text, NOT_A_FACT, warnings=warnings, note=off_note)
    there = events[source]
    return Line(number, text, PART if there.cards else LEFT_OUT, (), tuple(there.left_out) if not there.cards else (),
                warnings, of_line=source)


def _counts(events: _Events) -> bool:
    return bool(events.cards or events.left_out)


def shown(card: Card) -> ShownCard:
    """A card as explain shows it: its kind, its front as plain text, how many Anki cards it makes."""
    front = card.fields[0]  # Front, or a cloze note's Text
    # (as many as the package makes: a cloze per number, a second for a filled Reverse field)
    return ShownCard(card.kind.value, plain_front(front), len(card_ords(note_type(card), card.fields)))


def plain_front(front_html: str) -> str:
    """A front as plain text: one line per block joined by " / ", cloze deletions in ⟦ ⟧."""
    text = _CLOZE.sub(lambda m: f"⟦{m.group(2)}⟧", front_html)
    return " / ".join(gate.visible(text).splitlines())


class _Shape:
    """Where a note's headings and blocks start, so a line can be put with the block it belongs to."""

    def __init__(self, doc: Document) -> None:
        self.heading_lines: set[int] = set()
        self.tables: dict[int, tuple[int, ...]] = {}
        self.section_of: dict[int, int] = {}
        self.list_of: dict[int, int] = {}
        """Each list item's list (by first line)."""
        self.parent_of: dict[int, int] = {}
        """Each section's enclosing section (by heading line)."""
        self.row_of: dict[int, int] = {}
        """Each table row's table (by its header line)."""
        self._headings: list[tuple[int, tuple[str, ...]]] = []
        starts: set[int] = set()
        for section in doc.root.walk():
            self.parent_of.update((child.line, section.line) for child in section.children)
            if section.level:
                self.heading_lines.add(section.line)
                starts.add(section.line)
            self._headings.append((section.line, section.path))
            for line in self._block_lines(section.blocks):
                starts.add(line)
                self.section_of[line] = section.line
        self._starts = sorted(starts)
        self._headings.sort()
        lines = doc.source.split("\n")
        before = lines[: self._starts[0] - 1] if self._starts else lines
        for number, text in enumerate(before, start=1):
            if re.match(r"^ {0,3}#{1,6}(?:\s|$)", text):
                self.heading_lines.add(number)  # the title's heading, taken out of the section tree

    def _block_lines(self, blocks: Iterable[Block | ListItem]) -> Iterable[int]:
        for block in blocks:
            yield block.line
            if isinstance(block, ListBlock):
                self.list_of.update((item.line, block.line) for item in block.items)
                yield from self._block_lines(block.items)
            elif isinstance(block, (ListItem, Quote)):
                yield from self._block_lines(block.children)
            elif isinstance(block, Table):
                self.tables[block.line] = block.row_lines
                self.row_of.update((row, block.line) for row in block.row_lines)
                yield from block.row_lines

    def anchor(self, line: int) -> int:
        """The start of the heading or block holding ``line`` (0 before any)."""
        at = bisect.bisect_right(self._starts, line)
        return self._starts[at - 1] if at else 0

    def heading_chain(self, section_line: int) -> list[int]:
        """A section's heading line, then its enclosing sections', innermost first."""
        chain = [section_line]
        while chain[-1] in self.parent_of and self.parent_of[chain[-1]] not in chain:
            chain.append(self.parent_of[chain[-1]])
        return chain

    def headings_at(self, line: int) -> tuple[str, ...]:
        """The heading path of the section holding ``line``."""
        at = bisect.bisect_right(self._headings, (line, (chr(0x10FFFF),)))
        return self._headings[at - 1][1] if at else ()


def _front_matter_lines(lines: list[str]) -> set[int]:
    """The lines of a ``---`` front matter block opening the note."""
    if not lines or lines[0].strip() != "---":
        return set()
    for number, text in enumerate(lines[1:], start=2):
        if text.strip() in ("---", "..."):
            return set(range(1, number + 1))
    return set()


# ------------------------------------------------------------------ showing

TEXT_WIDTH = 44
"""Columns of each line's text shown in the human report."""
FRONT_WIDTH = 60

_SHOWN_STATUS = {CARD: "card", PART: "part of card", LEFT_OUT: "left out", OFF: "switched off", NOT_A_FACT: "not a fact"}


def as_text(notes: Sequence[Explained]) -> str:
    """The report for people: each note's lines, numbered and aligned."""
    out: list[str] = []
    width = max((len(str(n.lines[-1].number)) for n in notes if n.lines), default=1)
    for note in notes:
        if out:
            out.append("")
        out.append(_heading(note))
        if note.unread:
            out.append(f"  not read: {note.unread}")
        for line in note.lines:
            prefix = f"  {line.number:>{width}}  {_fit(line.text.strip(), TEXT_WIDTH)}  "
            blank = " " * _cells(prefix)
            for i, said in enumerate(_said(line)):
                out.append((prefix if i == 0 else blank) + said)
        out.extend(f"  warning: {w}" for w in note.warnings)
    return "\n".join(out)


def _heading(note: Explained) -> str:
    cards = note.cards
    anki = sum(c.anki_cards for c in cards)
    reasons = Counter(r.reason for r in note.left_out)
    left = f"; left out {sum(reasons.values())}" + (
        " (" + ", ".join(f"{n} {r}" for r, n in sorted(reasons.items(), key=lambda x: (-x[1], x[0]))) + ")"
        if reasons else ""
    )
    return f"{note.source} — {len(cards)} note(s), {anki} card(s) in Anki{left}"


def _said(line: Line) -> list[str]:
    """What the report says of a line, one entry per row."""
    status = _SHOWN_STATUS[line.status]
    rows: list[str] = []
    if line.status == CARD:
        for card in line.cards:
            count = f" ×{card.anki_cards}" if card.anki_cards != 1 else ""
            rows.append(f"card{count:<3} {card.kind:<10} {_fit(card.front, FRONT_WIDTH, pad=False)}")
        rows.extend(f"left out: {_reason(r)}" for r in line.left_out)
    elif line.status == PART:
        rows.append(f"part of the card on line {line.of_line}" if line.of_line else "part of cards elsewhere in the note")
    elif line.status == LEFT_OUT:
        where = f" (with line {line.of_line})" if line.of_line else ""
        rows.extend(f"left out{where}: {_reason(r)}" for r in line.left_out)
    elif line.status == OFF:
        rows.append("switched off by the author")
    else:
        rows.append(status + (f" ({line.note})" if line.note else ""))
    rows.extend(f"warning: {w}" for w in line.warnings)
    return rows


def _reason(reason: Reason) -> str:
    return reason.reason + (f" — {reason.detail}" if reason.detail else "")


def _cells(text: str) -> int:
    """Terminal columns ``text`` takes (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def _fit(text: str, width: int, pad: bool = True) -> str:
    """``text`` cut to ``width`` columns (with …), padded to it when ``pad``."""
    text = re.sub(r"\s+", " ", text)
    if _cells(text) > width:
        cut = ""
        for ch in text:
            if _cells(cut + ch) > width - 1:
                break
            cut += ch
        text = cut + "…"
    return text + " " * (width - _cells(text)) if pad else text


def as_json(notes: Sequence[Explained]) -> str:
    """The report for scripts (schema: README, "Explaining a note")."""
    data = {
        "version": SCHEMA_VERSION,
        "notes": [
            {
                "path": str(note.path),
                "source": note.source,
                "title": note.title,
                "unread": note.unread or None,
                "cards": len(note.cards),
                "anki_cards": sum(c.anki_cards for c in note.cards),
                "left_out": len(note.left_out),
                "warnings": list(note.warnings),
                "lines": [
                    {
                        "line": line.number,
                        "text": line.text,
                        "status": line.status,
                        "of_line": line.of_line,
                        "note": line.note or None,
                        "cards": [{"kind": c.kind, "front": c.front, "anki_cards": c.anki_cards} for c in line.cards],
                        "left_out": [{"reason": r.reason, "what": r.what, "detail": r.detail} for r in line.left_out],
                        "warnings": list(line.warnings),
                    }
                    for line in note.lines
                ],
            }
            for note in notes
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
