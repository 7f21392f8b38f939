"""Anki tags: hierarchical (``a::b``), no spaces, a sane length."""

from __future__ import annotations

import re

from flashcards.extract.base import strip_ordinal

MAX_PART = 40
"""Longest part of a hierarchical tag, in characters."""


def clean_part(text: str) -> str:
    """One tag part: spaces become ``_``, characters Anki treats specially go."""
    text = re.sub(r"[\s\u3000]+", "_", text.strip())
    text = re.sub(r"[\"'`*:#,;，；：。？?！!（）()\[\]{}<>]+", "", text)
    text = re.sub(r"_+", "_", text).strip("_")
    return text[:MAX_PART].rstrip("_")


def join(*parts: str) -> str:
    """A hierarchical tag from parts; empty parts are dropped."""
    return "::".join(p for p in (clean_part(p) for p in parts) if p)


def topic(title: str, headings: tuple[str, ...]) -> str:
    """``topic::<note title>::<section>…`` with section numbers dropped."""
    return join("topic", title, *(strip_ordinal(h) for h in headings))
