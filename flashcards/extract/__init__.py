"""Extract: find the learnable content of a parsed note.

Each kind of content has its own module with one function
``extract(doc, claimed) -> Extraction``. They run in the order listed: a
block or list item one extractor turns into facts is *claimed* (by its
line) and left alone by those after it, so an exam question's options are
not read again as definitions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from flashcards import markup
from flashcards.extract import commands, explicit, gate, memory, questions, tables
from flashcards.model import Document, Extraction, Fact, Kind, LeftOut

Extractor = Callable[[Document, frozenset[int]], Extraction]

EXTRACTORS: tuple[tuple[str, Extractor], ...] = (
    ("explicit", explicit.extract),
    ("questions", questions.extract),
    ("commands", commands.extract),
    ("tables", tables.extract),
    ("memory", memory.extract),
)


def extract(doc: Document, skipped: frozenset[str] = gate.DEFAULT_SKIPPED) -> Extraction:
    """Run every extractor over one document; ``skipped``: the headings whose
    sections give no cards (see :func:`flashcards.extract.gate.skip_rule`)."""
    facts = []
    warnings = list(doc.warnings)
    if doc.meta_value("flashcards", True) is False:  # front matter "flashcards: false"
        return Extraction((), tuple(warnings), left_out=(LeftOut(doc.path, 1, gate.SWITCHED_OFF, "the whole note"),))
    off, left_out = switched_off(doc)
    claimed: frozenset[int] = off
    for _name, extractor in EXTRACTORS:
        found = extractor(doc, claimed)
        facts.extend(found.facts)
        warnings.extend(found.warnings)
        left_out.extend(found.left_out)
        claimed |= found.claimed
    two_sided = []
    for fact in facts:
        if has_two_sides(fact):
            two_sided.append(fact)
        else:
            left_out.append(LeftOut(fact.origin.path, fact.origin.line, gate.EMPTY_SIDE, fact.key[:60]))
    kept, gated = gate.sift(two_sided, skipped)
    left_out.extend(gated)
    left_out.sort(key=lambda x: (x.line, x.reason))
    merged = same_question_once(sorted(kept, key=lambda f: f.origin.line))
    return Extraction(tuple(merged), tuple(warnings), claimed, tuple(left_out))


def same_question_once(facts: list[Fact]) -> list[Fact]:
    """Facts that ask the very same question under the same headings, as one
    card holding every answer: two cards with one front and different backs
    leave the learner guessing which is wanted (a term defined twice, a row
    named twice). Identity and place are the first one's."""
    first: dict[tuple[str, tuple[str, ...], str], int] = {}
    out: list[Fact] = []
    for fact in facts:
        if fact.kind.is_cloze or fact.kind is Kind.MCQ or fact.both_ways:
            out.append(fact)
            continue
        asks = (fact.kind.value, fact.origin.headings, fact.front)
        if asks in first:
            kept = out[first[asks]]
            if fact.back != kept.back:
                out[first[asks]] = replace(kept, back=f"{kept.back}<hr class=fc-more>{fact.back}")
            continue
        first[asks] = len(out)
        out.append(fact)
    return out


_SWITCH = re.compile(r"^\s*<!--\s*flashcards\s*:\s*(off|on)\s*-->\s*$", re.IGNORECASE)


def switched_off(doc: Document) -> tuple[frozenset[int], list[LeftOut]]:
    """Lines between ``<!-- flashcards: off -->`` and ``<!-- flashcards: on -->``
    (or the end of the note), which no extractor reads."""
    off: set[int] = set()
    left: list[LeftOut] = []
    if "flashcards" not in doc.source:
        return frozenset(), left
    lines = doc.source.splitlines()
    start = 0
    for number, line in enumerate(lines, start=1):
        found = _SWITCH.match(line)
        if found and found.group(1).lower() == "off" and not start:
            start = number
        elif found and start:
            off.update(range(start, number + 1))
            left.append(LeftOut(doc.path, start, gate.SWITCHED_OFF, f"lines {start}–{number}"))
            start = 0
    if start:
        off.update(range(start, len(lines) + 1))
        left.append(LeftOut(doc.path, start, gate.SWITCHED_OFF, f"lines {start}–{len(lines)}"))
    return frozenset(off), left


def has_two_sides(fact: Fact) -> bool:
    """Whether every card the fact makes shows something on both sides.

    A last guard for every extractor: text can render to nothing once
    sanitised (``Q:<br>``, a bold ``<script>``), and a cloze whose only
    content is its deletion asks nothing.
    """
    if not fact.kind.is_cloze:
        return markup.has_content(fact.front) and markup.has_content(fact.back)
    deletions = _CLOZE.findall(fact.text)
    if not deletions or not all(markup.has_content(body) for _, body in deletions):
        return False
    text = gate.without_lead(fact.text)  # the subject shown above asks nothing by itself
    for number in {n for n, _ in deletions}:
        question = _CLOZE.sub(lambda m: "" if m.group(1) == number else m.group(2), text)
        if not markup.has_content(question):
            return False
    return True


_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.S)
