"""Extract: find the learnable content of a parsed note.

Each kind of content has its own module with one function
``extract(doc, claimed) -> Extraction``. They run in the order listed: a
block or list item one extractor turns into facts is *claimed* (by its
line) and left alone by those after it, so an exam question's options are
not read again as definitions.
"""

from __future__ import annotations

from collections.abc import Callable

from flashcards.extract import memory, questions, tables
from flashcards.model import Document, Extraction

Extractor = Callable[[Document, frozenset[int]], Extraction]

EXTRACTORS: tuple[tuple[str, Extractor], ...] = (
    ("questions", questions.extract),
    ("tables", tables.extract),
    ("memory", memory.extract),
)


def extract(doc: Document) -> Extraction:
    """Run every extractor over one document."""
    facts = []
    warnings = list(doc.warnings)
    claimed: frozenset[int] = frozenset()
    for _name, extractor in EXTRACTORS:
        found = extractor(doc, claimed)
        facts.extend(found.facts)
        warnings.extend(found.warnings)
        claimed |= found.claimed
    facts.sort(key=lambda f: f.origin.line)
    return Extraction(tuple(facts), tuple(warnings), claimed)
