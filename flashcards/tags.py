"""Anki tags: hierarchical (``a::b``), no spaces, a sane length.

Besides the tags a build derives (kind, topic, source, priority), the notes'
own tags arrive too: front matter ``tags:`` (a list or a comma/space
separated string) and inline ``#tags`` — in a heading (for its section), on a
line of their own (for the section they stand in) or in a fact's text (for
that fact). ``#a/b`` nests like ``a::b``, as in Obsidian.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable

from flashcards.extract.base import strip_ordinal
from flashcards.model import Document, Fact, Paragraph, Section

MAX_PART = 40
"""Longest part of a hierarchical tag, in characters."""
MAX_TAG = 100
"""Longest topic tag; deeper headings are left out past it."""

# Separators become "_", decoration goes; Anki's own specials (space, ':', '"') never stay.
_SEPARATORS = re.compile(r"[\s\u3000:：,，;；。、/\\|（(\[【{<《]+")
_DROPPED = re.compile(r"[\"'`*#?？!！）)\]】}>》“”‘’「」『』]+")
_PARENTHETICAL = re.compile(r"\s*(?:（[^）]*）|\([^)]*\)|【[^】]*】|\[[^\]]*\])")


@functools.lru_cache(maxsize=16384)  # a build asks for the same few parts over and over
def clean_part(text: str) -> str:
    """One tag part: separators become ``_``, characters Anki treats specially go.

    Longer than :data:`MAX_PART`: an aside in brackets goes first, then the
    part is cut at a word boundary where there is one.
    """
    part = _clean(text)
    if len(part) > MAX_PART:
        part = _clean(_PARENTHETICAL.sub("", text)) or part
    if len(part) > MAX_PART:
        cut = part[: MAX_PART + 1]
        boundary = cut.rfind("_")
        part = cut[:boundary] if boundary >= MAX_PART // 2 else part[:MAX_PART]
    return part.strip("_")


def _clean(text: str) -> str:
    text = _DROPPED.sub("", _SEPARATORS.sub("_", text.strip()))
    return re.sub(r"_+", "_", text).strip("_")


def join(*parts: str) -> str:
    """A hierarchical tag from parts; empty parts are dropped."""
    return "::".join(p for p in (clean_part(p) for p in parts) if p)


@functools.lru_cache(maxsize=4096)  # every card of a section asks for the same tag
def topic(title: str, headings: tuple[str, ...], prefix: str = "topic") -> str:
    """``topic::<note title>::<section>…`` with section numbers and #tags dropped.

    Past :data:`MAX_TAG` characters the deepest headings are left out, so the
    tag stays a branch of the same tree.
    """
    if not prefix:
        return ""
    parts = [clean_part(_INLINE_TAG.sub("", strip_ordinal(p))) for p in (title, *headings)]
    tag = join(prefix, *parts)
    while len(tag) > MAX_TAG and len(parts) > 1:
        parts.pop()
        tag = join(prefix, *parts)
    return tag


# ------------------------------------------------------------ the notes' tags

# Obsidian's rule: '#' after a space (or line start), then letters, digits, _ - /;
# at least one character that is not a digit (#1 is not a tag).
_INLINE_TAG = re.compile(r"(?:^|(?<=[\s(（\[【,，、;；]))#(?=[\w\-/]*[^\W\d])([\w\-/]+)")
_CODE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1>", re.DOTALL | re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]+>")


def inline_tags(text: str) -> list[str]:
    """The ``#tags`` in plain text, as written (without ``#``)."""
    if "#" not in text:
        return []
    return [t.strip("-/") for t in _INLINE_TAG.findall(text) if t.strip("-/")]


def front_matter_tags(doc: Document) -> list[str]:
    """Tags listed in the front matter (``tags:`` or ``tag:``), as written."""
    found: list[str] = []
    for key in ("tags", "tag"):
        value = doc.meta_value(key)
        items = value if isinstance(value, list) else [value] if value is not None else []
        for item in items:
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                found.extend(t.lstrip("#") for t in re.split(r"[,，\s]+", str(item)) if t.lstrip("#"))
    return found


def section_tags(doc: Document) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Tags on lines of their own (``#aws #networking``), by the section holding them."""
    out: dict[tuple[str, ...], tuple[str, ...]] = {}

    def visit(section: Section) -> None:
        found = [
            tag
            for block in section.blocks
            if isinstance(block, Paragraph) and not _INLINE_TAG.sub("", block.text).strip()
            for tag in inline_tags(block.text)
        ]
        if found:
            out[section.path] = tuple(found)
        for child in section.children:
            visit(child)

    visit(doc.root)
    return out


def fact_tags(fact: Fact, doc_tags: Iterable[str], by_section: dict[tuple[str, ...], tuple[str, ...]]) -> list[str]:
    """Every tag of the notes' own that applies to a fact, as written."""
    found = list(doc_tags)
    headings = fact.origin.headings
    for depth in range(len(headings) + 1):
        found.extend(by_section.get(headings[:depth], ()))
    for text in (fact.origin.title, *headings):
        found.extend(inline_tags(text))
    for field in (fact.front, fact.back, fact.text, fact.extra):
        if "#" not in field:  # "&#35;" has one too
            continue
        plain = html.unescape(_HTML_TAG.sub(" ", _CODE.sub(" ", field)))
        found.extend(inline_tags(plain))
    return found


@functools.lru_cache(maxsize=4096)
def user_tag(tag: str, prefix: str = "") -> str:
    """A tag of the notes' own as an Anki tag: ``a/b`` nests as ``a::b``."""
    parts = [p for p in re.split(r"/|::", tag) if p]
    return join(prefix, *parts) if parts else ""
