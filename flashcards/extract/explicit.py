"""Cards their authors already marked, in the syntax of other flashcard tools.

Students' vaults hold cards written for other tools; each becomes the card
its author meant, and wins over the heuristics on the same lines:

* Obsidian Spaced Repetition: ``Question::Answer``, and a question over a
  line holding only ``?`` with the answer below, up to the next blank line;
  ``Question:::Answer`` and ``??`` ask both ways (the note's reverse card);
* Obsidian_to_Anki: ``START`` / note type / fields / ``END`` blocks (``Back:``
  or ``Field:`` lines; ``{{c1::…}}`` clozes in a Cloze type keep their
  numbers and hints; a "Basic (and reversed card)" asks both ways), and a
  line tagged ``#flashcard`` answered by the lines under it;
* Logseq: a block tagged ``#card``, its child blocks the answer.

The comments these tools write back (``<!--SR:…-->``, ``<!--ID:…-->``) are
never shown. Lines inside code fences are never read as cards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flashcards import markup
from flashcards.extract import base
from flashcards.model import Document, Extraction, Fact, Kind, Section

_TOOL_COMMENT = re.compile(r"<!--\s*(?:SR:|ID:)[^>]*-->")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_SR_INLINE = re.compile(r"^(?P<q>.*?\S)\s*(?P<sep>:{2,3})\s*(?P<a>\S.*)$")
_SR_SEPARATOR = re.compile(r"^\s*\?{1,2}\s*$")
_START = re.compile(r"^\s*START(?:_CARD)?\s*$")
_END = re.compile(r"^\s*END(?:_CARD)?\s*$")
_STARTI = re.compile(r"^\s*STARTI\s*\[(?P<type>[^\]]+)\]\s*(?P<body>.*?)\s*ENDI\s*$")
_FIELD = re.compile(r"^\s*(?P<name>[A-Z][\w ]{0,30}?):\s?(?P<value>.*)$")
_CARD_TAG = re.compile(r"\s*#(?:flashcards?|card)(?:/[\w/-]*)?\b\s*", re.IGNORECASE)
_LOGSEQ = re.compile(r"^(?P<indent>\s*)[-*+]\s+(?P<q>.*?)\s*(?:#card|>>>)\s*$", re.IGNORECASE)
"""Logseq's ``#card`` block, or RemNote's ``Question >>>`` with the answer in its children."""
_ANKI_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::([^{}]*?))?\}\}", re.DOTALL)
_DECK_LINE = re.compile(r"^\s*TARGET[ _]DECK\s*:", re.IGNORECASE)
"""Obsidian_to_Anki's deck line (``TARGET DECK: Math::Algebra``): not a card."""
_TAGS_LINE = re.compile(r"^\s*(?:#[\w/-]+\s*)+$")
"""A line of tags only (Obsidian SR's ``#flashcards/deck`` over its cards)."""


@dataclass(frozen=True)
class _Card:
    first: int
    """1-based first line of the card in the note."""
    last: int
    question: str
    """Markdown."""
    answer: str
    cloze: bool = False
    both_ways: bool = False
    """Asked both ways: the answer is also the prompt of a reverse card."""


def extract(doc: Document, claimed: frozenset[int] = frozenset()) -> Extraction:
    """The cards marked with another tool's syntax, claiming their lines."""
    lines = [_TOOL_COMMENT.sub("", line.rstrip("\r")) for line in doc.source.split("\n")]
    deck_lines = {i + 1 for i, line in enumerate(lines) if _DECK_LINE.match(line)}
    lines = ["" if i + 1 in deck_lines else line for i, line in enumerate(lines)]
    if not _worth_scanning(doc.source):
        return Extraction(())
    outside = _outside_code(lines)
    marked = _sr_marked(doc)
    found: list[_Card] = []
    taken: set[int] = set(deck_lines) | set(claimed)
    for finder in (_obsidian_to_anki, _logseq, _flashcard_tag, _sr_multiline, lambda ls, o, t: _sr_inline(ls, o, t, marked)):
        for card in finder(lines, outside, taken):
            found.append(card)
            taken.update(range(card.first, card.last + 1))
            # The tags over the card open its paragraph: no other extractor reads it again.
            above = card.first - 1
            while above >= 1 and _TAGS_LINE.match(lines[above - 1]):
                taken.add(above)
                above -= 1
    facts = []
    sections = [s for s in base.sections(doc)]
    for card in sorted(found, key=lambda c: c.first):
        section = _section_at(sections, card.first)
        fact = _fact(doc, section, card)
        if fact is not None:
            facts.append(fact)
    return Extraction(tuple(facts), claimed=frozenset(taken))


def _worth_scanning(source: str) -> bool:
    return any(mark in source for mark in ("::", "?", "START", "#flashcard", "#card", ">>>"))


def _outside_code(lines: list[str]) -> list[bool]:
    out: list[bool] = []
    fence = ""
    for line in lines:
        opened = _FENCE.match(line)
        if fence:
            out.append(False)
            if opened and opened.group(1)[0] == fence[0]:
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            out.append(False)
            continue
        out.append(not line.startswith(("    ", "\t")) or line.lstrip().startswith(("-", "*", "+")))
    return out


def _sr_marked(doc: Document) -> bool:
    """Whether the note says it holds Spaced Repetition cards (a #flashcards tag,
    SR scheduling comments): then ``a::b`` without spaces is a card too."""
    return "<!--SR:" in doc.source or bool(re.search(r"(?:^|\s)#flashcards\b", doc.source))


# ------------------------------------------------------------ Obsidian SR


def _sr_inline(lines: list[str], outside: list[bool], taken: set[int], marked: bool):
    for index, line in enumerate(lines):
        if index + 1 in taken or not outside[index] or "::" not in line:
            continue
        text = re.sub(r"`[^`]*`|\$[^$]*\$|https?://\S+", lambda m: "\0" * len(m.group(0)), line)
        at = text.find("::")
        if at <= 0:
            continue
        end = at + (3 if text[at : at + 3] == ":::" else 2)
        before, after = text[at - 1], text[end : end + 1]
        spaced = before == " " or after == " "
        if not spaced and not marked:
            continue  # std::vector, fe80::1 — a card only in a note that says it holds cards
        question, answer = line[:at].strip(), line[end:].strip()
        question = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", question)
        if question and answer:
            yield _Card(index + 1, index + 1, question, answer, both_ways=end - at == 3)


def _stops_question(line: str) -> bool:
    """A heading or a line of tags only is no part of the question under it
    (``#flashcards/deck What is…?`` is: the deck tag of that card alone)."""
    return bool(re.match(r"\s*#{1,6}(?:\s|$)", line) or _TAGS_LINE.match(line))


def _sr_multiline(lines: list[str], outside: list[bool], taken: set[int]):
    for index, line in enumerate(lines):
        if index + 1 in taken or not outside[index] or not _SR_SEPARATOR.match(line):
            continue
        start = index
        while start > 0 and lines[start - 1].strip() and (start) not in taken and not _stops_question(lines[start - 1]):
            start -= 1
        end = index + 1
        while end < len(lines) and lines[end].strip():
            end += 1
        question = "\n".join(lines[start:index]).strip()
        answer = "\n".join(lines[index + 1 : end]).strip()
        if question and answer:
            yield _Card(start + 1, end, question, answer, both_ways=line.strip() == "??")


# ------------------------------------------------------------ Obsidian_to_Anki


def _obsidian_to_anki(lines: list[str], outside: list[bool], taken: set[int]):
    index = 0
    while index < len(lines):
        line = lines[index]
        inline = _STARTI.match(line) if outside[index] else None
        if inline:
            front, _, back = inline.group("body").partition("Back:")
            kind = inline.group("type")
            yield _Card(index + 1, index + 1, front.strip(), back.strip(), _is_cloze(kind), _both_ways(kind))
            index += 1
            continue
        if not (outside[index] and _START.match(line)):
            index += 1
            continue
        end = index + 1
        while end < len(lines) and not _END.match(lines[end]):
            end += 1
        if end >= len(lines):
            return  # never closed: not a card block
        body = lines[index + 1 : end]
        kind = body[0].strip() if body else ""
        question, answer = _fields(body[1:])
        if question:
            yield _Card(index + 1, end + 1, question, answer, _is_cloze(kind), _both_ways(kind))
        index = end + 1


def _is_cloze(note_type: str) -> bool:
    return "cloze" in note_type.casefold()


def _both_ways(note_type: str) -> bool:
    """Anki's "Basic (and reversed card)": a card each way."""
    return "and reversed" in note_type.casefold()


def _fields(body: list[str]) -> tuple[str, str]:
    """(question, answer) Markdown of a block's fields: text up to ``Back:`` asks
    and the rest answers; with named fields (``Front:``, ``Title:``…) the first
    asks and the others answer, named unless they are the back."""
    fields: list[tuple[str, list[str]]] = [("", [])]
    for line in body:
        named = _FIELD.match(line)
        if named:
            fields.append((named.group("name"), [named.group("value")]))
        else:
            fields[-1][1].append(line)
    fields = [(name, values) for name, values in fields if name or "\n".join(values).strip()]
    if not fields:
        return "", ""
    (first, values), rest = fields[0], fields[1:]
    question = "\n".join(values).strip()
    if first == "Title" and rest:  # "Title: Mean" then "Front: Formula is?"
        question = f"{question}: " + "\n".join(rest[0][1]).strip()
        rest = rest[1:]
    parts = []
    for name, values in rest:
        value = "\n".join(values).strip()
        if value:
            parts.append(value if name in ("Back", "") else f"**{name}:** {value}")
    return question, "\n\n".join(parts)


def _flashcard_tag(lines: list[str], outside: list[bool], taken: set[int]):
    """``术语 #flashcard`` then the answer on the lines below, up to a blank line."""
    for index, line in enumerate(lines):
        if index + 1 in taken or not outside[index] or not re.search(r"#flashcards?\s*$", line.rstrip()):
            continue
        if line.lstrip().startswith(("-", "*", "+")) and re.search(r"#card", line):
            continue
        question = _CARD_TAG.sub(" ", line).strip()
        end = index + 1
        while end < len(lines) and lines[end].strip():
            end += 1
        answer = "\n".join(lines[index + 1 : end]).strip()
        if not answer:  # the answer comes after a blank line: the paragraphs up to the next card
            end = index + 1
            while end < len(lines) and not re.search(r"#flashcards?\s*$", lines[end].rstrip()) and not lines[end].startswith("#"):
                end += 1
            answer = "\n".join(lines[index + 1 : end]).strip()
        if question and answer:
            yield _Card(index + 1, end, question, answer)


# ------------------------------------------------------------ Logseq


def _logseq(lines: list[str], outside: list[bool], taken: set[int]):
    for index, line in enumerate(lines):
        found = _LOGSEQ.match(line) if outside[index] or line.lstrip().startswith("-") else None
        if found is None or index + 1 in taken:
            continue
        depth = _width(found.group("indent"))
        end = index + 1
        while end < len(lines) and (not lines[end].strip() or _width(re.match(r"\s*", lines[end]).group(0)) > depth):
            end += 1
        children = [ln for ln in lines[index + 1 : end] if ln.strip()]
        answer = _dedent_block(children)
        if answer:
            yield _Card(index + 1, end, found.group("q"), answer)


def _width(indent: str) -> int:
    return len(indent.replace("\t", "    "))


def _dedent_block(children: list[str]) -> str:
    if not children:
        return ""
    expanded = [c.replace("\t", "    ") for c in children]
    cut = min(len(c) - len(c.lstrip()) for c in expanded)
    return "\n".join(c[cut:] for c in expanded)


# ------------------------------------------------------------ facts


def _section_at(sections: list[Section], line: int) -> Section:
    at = sections[0]
    for section in sections:
        if section.line <= line:
            at = section
    return at


def _fact(doc: Document, section: Section, card: _Card) -> Fact | None:
    origin = base.origin(doc, section, card.first)
    question = _CARD_TAG.sub(" ", card.question).strip()
    if card.cloze or (_ANKI_CLOZE.search(question) and not card.answer.strip()):
        text = _cloze_html(question)
        if "{{c" not in text:
            return None
        return Fact(Kind.MEMORY, origin, key=markup.plain_text(_ANKI_CLOZE.sub(r"\2", question))[:120],
                    text=text, extra=_block(card.answer))
    front = f"<div class=prompt>{_block(question)}</div>"
    key = markup.plain_text(question.replace("\n", " "))[:200]
    back = _block(card.answer)
    if not card.both_ways:
        return Fact(Kind.QUESTION, origin, key=key, front=front, back=back)
    # The reverse card asks with the answer and shows the question; its back
    # hides the answer a second time (``fc-two-way``, see card.css). The key
    # is the question's either way, so switching ``::`` to ``:::`` keeps the
    # note and the forward card's reviews, and adds the reverse card.
    return Fact(Kind.QUESTION, origin, key=key, front=front, back=f'<div class="fc-two-way">{back}</div>',
                reverse=f"<div class=prompt>{back}</div>", both_ways=True)


def _block(text: str) -> str:
    """Markdown (several lines, lists, math) to sanitised HTML."""
    if not text.strip():
        return ""
    return markup.block_html(markup.markdown().parse(text, {}))


def _cloze_html(text: str) -> str:
    """Markdown holding Anki clozes, rendered with the clozes kept as written
    (numbers and hints); ``==highlight==`` numbers on after them."""
    deletions: list[tuple[str, str, str]] = []

    def hold(m: re.Match[str]) -> str:
        deletions.append((m.group(1), m.group(2), m.group(3) or ""))
        return f"\ue010{len(deletions) - 1}\ue011"

    held = _ANKI_CLOZE.sub(hold, text)
    html = _block(held)

    def put(m: re.Match[str]) -> str:
        number, body, hint = deletions[int(m.group(1))]
        inner = markup.inline_html(body)
        return markup.cloze(int(number), inner)[:-2] + (f"::{markup.escape(hint)}" if hint else "") + "}}"

    return re.sub("\ue010(\\d+)\ue011", put, html)
