"""Priority: the words notes use to mark importance, and the order new cards come in.

Signals are read from every fact the same way, whatever extracted it:

* the front matter (``priority: high``), the note title and each heading on
  the fact's path — a word anywhere in a heading marks the whole section;
* the fact's own text — a word inside a *marker*: a bold, highlighted or
  cloze phrase, a quoted or bracketed phrase (``（必记）``, ``“陷阱题”``,
  ``[must-know]``) or a label before a colon (``SAP考点：…``, ``Trap: …``),
  each short. A word merely used in a sentence is not a marker.

Scopes are read from the outside in: a high or medium word raises the level,
a low word (选学, further reading) sets it, so an optional subsection of a
core chapter is low and a must-know point in an optional chapter is high.
Mark words (traps, exam tips) add tags wherever they are found.
"""

from __future__ import annotations

import enum
import functools
import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flashcards.config import PrioritySettings
from flashcards.model import Fact

MAX_MARKER = 20
"""Longest phrase (in characters) that counts as a marker inside a fact's text."""


class Level(enum.IntEnum):
    """How important a card is; higher is introduced earlier."""

    LOW = 0
    NORMAL = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def tag(self) -> str:
        """The tag's last part ('' for normal: it carries no tag)."""
        return "" if self is Level.NORMAL else self.name.lower()


@dataclass(frozen=True)
class Signals:
    """What the notes say about one fact's importance."""

    level: Level = Level.NORMAL
    marks: tuple[str, ...] = ()
    """Mark names found (``trap``, ``tip``), in that order."""


@dataclass(frozen=True, eq=False)  # hashed by identity: its methods' caches look it up on every call
class Matcher:
    """The keyword sets in use, compiled (one per configuration, see :func:`matcher`)."""

    levels: tuple[tuple[Level, re.Pattern[str] | None], ...]
    marks: tuple[tuple[str, re.Pattern[str] | None], ...]

    @functools.lru_cache(maxsize=16384)  # noqa: B019  (a few matchers per run; titles, headings and markers repeat)
    def signals_of(self, text: str) -> tuple[Level | None, frozenset[str]]:
        """The level the words in ``text`` mark (high beats medium beats low;
        None if none), and the marks they make."""
        norm = _norm(text)
        levels = [level for level, pattern in self.levels if pattern is not None and pattern.search(norm)]
        marks = frozenset(name for name, pattern in self.marks if pattern is not None and pattern.search(norm))
        return (max(levels) if levels else None), marks


MARK_NAMES = ("trap", "tip")


@functools.lru_cache(maxsize=8)
def matcher(settings: PrioritySettings) -> Matcher:
    """Compile the keyword sets in use."""
    sets = settings.active()
    levels = tuple(
        (level, _pattern(w for s in sets for w in getattr(s, level.name.lower())))
        for level in (Level.HIGH, Level.MEDIUM, Level.LOW)
    )
    marks = tuple((name, _pattern(w for s in sets for w in getattr(s, name))) for name in MARK_NAMES)
    return Matcher(levels, marks)


def assess(fact: Fact, m: Matcher, declared: str = "") -> Signals:
    """The signals for one fact: front matter ``declared`` level, title, headings, markers."""
    declared = declared if isinstance(declared, str) else ""  # (front matter may hold anything)
    level, marks = _where(m, declared, (fact.origin.title, *fact.origin.headings))
    level, found = _narrow(m, level, markers(fact))
    marks = marks | found
    return Signals(level, tuple(n for n in MARK_NAMES if n in marks))


@functools.lru_cache(maxsize=4096)  # every fact of a section is in the same place
def _where(m: Matcher, declared: str, scopes: tuple[str, ...]) -> tuple[Level, frozenset[str]]:
    """The level and marks of the place a fact is in: declared, then title and each heading."""
    level, marks = _declared(declared), frozenset[str]()
    for scope in scopes:
        level, found = _narrow(m, level, [scope])
        marks |= found
    return level, marks


def _narrow(m: Matcher, level: Level, texts: Sequence[str]) -> tuple[Level, frozenset[str]]:
    """The level once the narrower scope ``texts`` is read, and the marks in it.
    A scope's strongest word wins over a wider scope's, except that LOW
    (and a LOW before it) always takes the scope's own level."""
    strongest: Level | None = None
    marks = frozenset[str]()
    for text in texts:
        found, marked = m.signals_of(text)
        if found is not None and (strongest is None or found > strongest):
            strongest = found
        if marked:
            marks |= marked
    if strongest is None:
        return level, marks
    if strongest is Level.LOW or level is Level.LOW:
        return strongest, marks
    return max(level, strongest), marks


def due_order(levels: Sequence[Level], order: str) -> list[int]:
    """The ``due`` of each card: position among new cards.

    ``priority``: higher levels first, document order within a level;
    ``document``: document order.
    """
    if order == "document":
        return list(range(len(levels)))
    ranked = sorted(range(len(levels)), key=lambda i: (-levels[i], i))
    due = [0] * len(levels)
    for position, index in enumerate(ranked):
        due[index] = position
    return due


# ------------------------------------------------------------------ markers

_EMPHASIS = re.compile(r"<(strong|b|mark|em)\b[^>]*>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_CLOZE = re.compile(r"\{\{c\d+::(.*?)\}\}", re.DOTALL)
_BRACKETED = re.compile(r"【([^】]+)】|\[([^\]]+)\]|（([^）]+)）|\(([^)]+)\)|“([^”]+)”|「([^」]+)」|\"([^\"]+)\"")
_BLOCK = re.compile(r"<(?:br|/?p|/?li|/?div|/?ul|/?ol|/?tr|/?td|/?th|hr)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_LABEL = re.compile(r"^\s*([^:：。；;！!？?]{1,%d}?)\s*[:：]" % MAX_MARKER)
_CODE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1>", re.DOTALL | re.IGNORECASE)
# A table on a card is context around the answer (a comparison's other cells):
# a marker in another cell is not about this fact.
_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL | re.IGNORECASE)


def markers(fact: Fact) -> list[str]:
    """The short marker phrases in a fact's text: emphasis, brackets, labels.

    Code and tables shown on the card are left out (see ``_TABLE``).
    """
    # The term or label the extractor asked about (after any " › " lead).
    found: list[str] = [fact.key.rsplit(" › ", 1)[-1]]
    for field in (fact.front, fact.text, fact.back):
        tagged = "<" in field
        source, lowered = field, field.lower() if tagged else ""
        if "<pre" in lowered or "<code" in lowered:  # (the patterns ignore case too)
            source = _CODE.sub(" ", source)
        if "<table" in lowered:
            source = _TABLE.sub(" ", source)
        if tagged:
            for m in _EMPHASIS.finditer(source):
                found.append(_plain(m.group(2)))
        if "{{c" in source:
            for m in _CLOZE.finditer(source):
                found.append(_plain(m.group(1)))
        for text in _lines(source) if tagged else (_plain(source),):
            if ":" in text or "：" in text:
                label = _LABEL.match(text)
                if label:
                    found.append(label.group(1))
            for m in _BRACKETED.finditer(text):
                found.append(next(g for g in m.groups() if g is not None))
    return [f.strip() for f in found if f.strip() and len(f.strip()) <= MAX_MARKER]


def _lines(source: str) -> list[str]:
    """The plain text between block-level tags (one pass over the whole field,
    unless a separator turns up in the text itself)."""
    flat, breaks = _BLOCK.subn("\x1e", source)
    lines = _plain(flat).split("\x1e")
    return lines if len(lines) == breaks + 1 else [_plain(line) for line in _BLOCK.split(source)]


def _plain(fragment: str) -> str:
    if "<" in fragment:
        fragment = _TAG.sub("", fragment)
    return html.unescape(fragment).replace("\u200b", "")


# ------------------------------------------------------------------ matching


def _norm(text: str) -> str:
    """Case, width, hyphens and spacing do not matter: ``Must-Know`` = ``must know``."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\-_]+", " ", text)


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for a list of words; Latin words match whole words (plurals too)."""
    parts: list[str] = []
    for word in sorted({_norm(w).strip() for w in words if w.strip()}, key=lambda w: (-len(w), w)):
        body = re.escape(word).replace(r"\ ", " ")
        if re.search(r"[a-z0-9]", word):
            body = rf"(?<![a-z0-9]){body}(?:s|es)?(?![a-z0-9])"
        parts.append(body)
    return re.compile("|".join(parts)) if parts else None


def _declared(value: object) -> Level:
    if isinstance(value, str) and value.strip().upper() in Level.__members__:
        return Level[value.strip().upper()]
    return Level.NORMAL

