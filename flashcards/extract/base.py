"""What every extractor shares: the section walk, origins, language words."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from flashcards import markup
from flashcards.model import (
    Block,
    Document,
    ListBlock,
    ListItem,
    Origin,
    Quote,
    Section,
)


def sections(doc: Document) -> Iterator[Section]:
    """Every section of the document in order, the root (preamble) first."""
    yield from doc.root.walk()


def origin(doc: Document, section: Section, line: int) -> Origin:
    """Where a fact found at ``line`` of ``section`` comes from."""
    written = (doc.written_title, *section.written_path)
    return Origin(path=doc.path, line=line, title=doc.title, headings=section.path, written=written)


def is_chinese(doc: Document) -> bool:
    """Whether the note is written mainly in Chinese (prompts follow it). A
    note with kana is a Japanese one, or notes on Japanese: Chinese only when
    its CJK characters outnumber its Latin words (an English note on kanji
    asks in English)."""
    sample = doc.title + " ".join(s.title for s in doc.root.walk())
    if not markup.has_cjk(sample):
        return False
    if not _KANA.search(doc.source):
        return True
    return len(_HAN.findall(doc.source)) > len(_LATIN_WORD.findall(doc.source))


_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def list_items(blocks: tuple[Block, ...]) -> Iterator[ListItem]:
    """Every list item in the blocks, nested ones included, in order."""
    for block in blocks:
        if isinstance(block, ListBlock):
            for item in block.items:
                yield item
                yield from list_items(item.children)
        elif isinstance(block, Quote):
            yield from list_items(block.children)


def heading_matches(section: Section, pattern: re.Pattern[str]) -> bool:
    """Whether this section's heading or any heading above it matches."""
    return any(pattern.search(h) for h in section.path)


@functools.lru_cache(maxsize=16384)  # identities ask for the same headings again and again
def normalise_key(text: str) -> str:
    """A key that ignores case, width, spacing, bold and trailing punctuation."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[*_`~]", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip(":：?？。.!！;；,， ")


# Leading section numbers: "一、", "1.", "1)", "(二)", "Step 3:", "第三章".
ORDINAL = re.compile(
    r"^\s*(?:(?:step|part|chapter|section)\s*\d+\s*[:.)]?|\d+(?:\.\d+)*[.)、]?(?=\s)|第?[一二三四五六七八九十百]+[、．)）章节部分]|第\d+[章节部分]|\d+[、）)]|[（(][一二三四五六七八九十\d]+[)）])\s*",
    re.IGNORECASE,
)


def strip_ordinal(heading: str) -> str:
    """A heading without its number, so renumbering sections keeps identities."""
    return ORDINAL.sub("", heading, count=1).strip() or heading.strip()


def block_lines(block: Block | ListItem) -> frozenset[int]:
    """The source lines of a block or list item and of everything inside it.

    Claiming these leaves nothing of the block for later extractors.
    """
    lines = {block.line}
    children: tuple[Block, ...] = ()
    if isinstance(block, ListBlock):
        children = tuple(block.items)  # type: ignore[arg-type]
    elif isinstance(block, (ListItem, Quote)):
        children = block.children
    for child in children:
        lines |= block_lines(child)
    return frozenset(lines)


