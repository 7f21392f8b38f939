"""What the question extractors share: units, labels, answer containers.

A section's blocks are read as a flat run of *units*: each line of a
paragraph, each list item, each other block. Exam questions and Q&A pairs
are patterns over such runs (a stem, option lines, an ``Answer:`` line …)
whether the note writes them as one paragraph, as a list or as separate
blocks. Units remember which source lines they stand for, so whatever is
turned into a card can be claimed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flashcards import markup
from flashcards.extract import base
from flashcards.extract.gate import REVEAL
from flashcards.model import (
    Block,
    Code,
    Diagnostic,
    Document,
    Fact,
    Html,
    Kind,
    LeftOut,
    ListBlock,
    ListItem,
    Paragraph,
    Quote,
    Section,
    Table,
)


@dataclass(frozen=True)
class Unit:
    """A line of a paragraph, a list item, or a whole other block."""

    kind: str
    """``line``, ``item``, ``quote``, ``html``, ``table`` or ``code``."""
    line: int
    text: str = ""
    """Inline Markdown of a line or of an item's first paragraph."""
    group: int = 0
    """For lines: the first line of their paragraph (lines of one paragraph share it)."""
    block: Block | None = None
    """The block the unit comes from (an item's list)."""
    item: ListItem | None = None
    number: int | None = None
    """An item's number in an ordered list."""
    claim: frozenset[int] = frozenset()
    """The source lines to claim when the unit is used."""

    @property
    def textual(self) -> bool:
        return self.kind in ("line", "item")

    @property
    def children(self) -> tuple[Block, ...]:
        return self.item.children if self.item is not None else ()

    @property
    def ident(self) -> tuple[str, int]:
        return (self.kind, self.line)


def units(blocks: Iterable[Block], skip: frozenset[int] | set[int]) -> list[Unit]:
    """The units of some blocks, leaving out blocks and items on ``skip`` lines."""
    out: list[Unit] = []
    for block in blocks:
        if isinstance(block, ListBlock):
            start = block.start
            for index, item in enumerate(block.items):
                if item.line not in skip:
                    number = start + index if block.ordered else None
                    out.append(Unit("item", item.line, item.text, item.line, block, item, number, base.block_lines(item)))
            continue
        if block.line in skip:
            continue
        if isinstance(block, Paragraph):
            out.extend(_lines(block.text, block.line, block, frozenset({block.line})))
        elif isinstance(block, Quote):
            out.append(Unit("quote", block.line, block=block, claim=base.block_lines(block)))
        elif isinstance(block, Html):
            out.append(Unit("html", block.line, block.text, block=block, claim=frozenset({block.line})))
        elif isinstance(block, Table):
            out.append(Unit("table", block.line, block=block))  # tables belong to the table extractor
        elif isinstance(block, Code):
            out.append(Unit("code", block.line, block=block, claim=frozenset({block.line})))
    return out


def item_units(item: ListItem, skip: frozenset[int] | set[int]) -> list[Unit]:
    """An item read on its own: the lines of its text, then its children."""
    head = _lines(item.text, item.line, None, frozenset({item.line})) if item.text else []
    return head + units(item.children, skip)


def _lines(text: str, first: int, block: Block | None, claim: frozenset[int]) -> list[Unit]:
    return [
        Unit("line", first + offset, line, first, block, None, None, claim)
        for offset, line in enumerate(text.split("\n"))
        if line.strip()
    ]


def render(parts: Sequence[Unit]) -> str:
    """HTML for units in order: lines of a paragraph together, items in their list."""
    out: list[str] = []
    index = 0
    while index < len(parts):
        unit = parts[index]
        if unit.kind == "line":
            run = [u for u in _run(parts, index, lambda u: u.kind == "line" and u.group == unit.group)]
            out.append("<p>" + "<br>".join(markup.inline_html(u.text) for u in run) + "</p>")
            index += len(run)
        elif unit.kind == "item":
            run = _run(parts, index, lambda u: u.kind == "item" and u.block is unit.block)
            tag = "ol" if isinstance(unit.block, ListBlock) and unit.block.ordered else "ul"
            start = f' start="{run[0].number}"' if tag == "ol" and run[0].number not in (None, 1) else ""
            out.append(f"<{tag}{start}>" + "".join(item_html(u) for u in run) + f"</{tag}>")
            index += len(run)
        else:
            out.append(block_html(unit.block) if unit.block is not None else "")
            index += 1
    return "".join(out)


def _run(parts: Sequence[Unit], start: int, same) -> list[Unit]:  # noqa: ANN001
    run = []
    for unit in parts[start:]:
        if not same(unit):
            break
        run.append(unit)
    return run


def item_html(unit: Unit) -> str:
    """One list item as ``<li>``, its text and nested blocks."""
    assert unit.item is not None
    return "<li>" + markup.inline_html(unit.text) + "".join(block_html(b) for b in unit.item.children) + "</li>"


def nested_html(unit: Unit) -> str:
    """HTML of the blocks nested under a list item ('' for anything else)."""
    return "".join(block_html(b) for b in unit.children)


def block_html(block: Block) -> str:
    """A block's HTML as a card shows it (tables come wrapped, see markup)."""
    if isinstance(block, Html):
        return markdown_html(block.text)
    return block.html


def markdown_html(text: str) -> str:
    """Render a Markdown (or raw HTML with Markdown inside) fragment."""
    md = markup.markdown()
    return markup.block_html(md.parse(text))


def lines_html(lines: Sequence[str]) -> str:
    """Inline Markdown lines as one paragraph ('' when there is nothing)."""
    texts = [line for line in lines if line.strip()]
    if texts:  # a clause ending in "；" reads as cut off once it stands alone
        texts[-1] = texts[-1].rstrip(" ；;，,")
    kept = [markup.inline_html(line) for line in texts if line.strip()]
    return "<p>" + "<br>".join(kept) + "</p>" if kept else ""


def has_text(fragment: str) -> bool:
    """Whether an HTML fragment shows any words (an image or formula counts)."""
    if re.search(r"<img\b|\\\(|\\\[", fragment):
        return True
    return bool(html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip(" \t\n\u3000:：;；,，.。"))


# ------------------------------------------------------------ words and labels

plain = markup.plain_text

_TRAILING = " \t\u3000*_\"'”’」』)）]】"
_ZH_ASKS = re.compile(r"为什么|为何|如何|怎么|怎样|什么|是否|哪|吗|呢|多少|能否|可否|是不是|有没有|何时|何为")
_EN_ASKS = re.compile(
    r"^(?:why|how|what|when|where|which|who|whom|whose|is|are|was|were|do|does|did|can|could|should|would|will|"
    r"shall|may|must|has|have)\b",
    re.IGNORECASE,
)


def ends_with_question_mark(text: str) -> bool:
    """Whether plain text ends with ``?`` or ``？`` (closing quotes and brackets aside)."""
    return text.rstrip(_TRAILING).endswith(("?", "？"))


def asks(text: str) -> bool:
    """Whether plain text is worded as a question (question words, not just a mark)."""
    stripped = strip_quotes(text)
    return bool(_ZH_ASKS.search(stripped) or _EN_ASKS.match(stripped))


def strip_quotes(text: str) -> str:
    """Text without the quotation marks that wrap the whole of it."""
    stripped = text.strip()
    for left, right in (("“", "”"), ('"', '"'), ("「", "」"), ("『", "』"), ("‘", "’")):
        if len(stripped) > 2 and stripped.startswith(left) and stripped.endswith(right):
            inner = stripped[1:-1]
            if left not in inner and right not in inner:
                return inner.strip()
    return stripped


def labelled(label: str, separators: str = ":：") -> re.Pattern[str]:
    """A pattern for ``Label: rest`` that tolerates bold around the label and colon."""
    return re.compile(
        rf"^\s*(?:\*\*|__)?\s*(?:{label})\s*(?:\*\*|__)?\s*[{separators}]\s*(?:\*\*|__)?\s*(?P<rest>.*)$",
        re.IGNORECASE | re.DOTALL,
    )


KEY_LABEL = labelled(
    r"正确答案|参考答案|标准答案|答案(?:与解析)?|正确选项|correct\s+answers?|right\s+answers?|correct\s+options?|"
    r"answers?|ans|key|solution"
)
EXPLAIN_LABEL = labelled(r"答案解析|解析|详解|解释|说明|原因|理由|分析|explanation|explained|rationale|reasoning|reason|why")
Q_LABEL = labelled(r"Q\s*\d{0,3}|question\s*\d{0,3}|问题?\s*\d{0,3}|提问", ":：.．")
A_LABEL = labelled(r"A\s*\d{0,3}|answer|答|回答|解答|答案", ":：.．")

def is_reveal_label(text: str) -> bool:
    """Whether a title only says "open me" (``show``, ``Click to reveal Answer``, ``🔍 答案``)."""
    bare = re.sub(r"[^\w\s\u3400-\u9fff&]", " ", text)
    return bool(REVEAL.fullmatch(re.sub(r"\s+", " ", bare).strip()))


ANSWER_TITLE = re.compile(
    r"^(?:show\s+|see\s+|view\s+|reveal\s+|点击)?(?:查看|显示)?(?:the\s+)?(?:参考|正确)?(?:答案|解析|解答|answers?|solutions?|key|"
    r"explanation)\b",
    re.IGNORECASE,
)


# ------------------------------------------------------------ answer containers


@dataclass(frozen=True)
class Container:
    """A ``<details>`` block, a callout or a quote that may hold an answer."""

    kind: str
    """``details``, ``callout`` or ``quote``."""
    title: str
    """The summary or callout title (inline Markdown), '' when there is none."""
    callout: str
    """The callout type in lower case (``success``, ``faq`` …), '' for others."""
    lines: tuple[str, ...]
    """The body's first paragraph, line by line (inline Markdown)."""
    rest: str
    """The body after that paragraph, as HTML."""
    parts: tuple[Unit, ...]
    """The units the container spans."""

    @property
    def answers(self) -> bool:
        """Whether it is labelled as an answer (``<summary>Answer</summary>``, ``[!success]``, ``> **Answer:**``)."""
        if self.callout in ("success", "answer", "check", "done", "solution"):
            return True
        if self.title and (ANSWER_TITLE.match(plain(self.title)) or is_reveal_label(plain(self.title))):
            return True
        return self.kind == "quote" and bool(self.lines) and bool(KEY_LABEL.match(self.lines[0]))

    def body_html(self) -> str:
        return lines_html(self.lines) + self.rest


_DETAILS = re.compile(
    r"^\s*<details\b[^>]*>\s*(?:<summary\b[^>]*>(?P<summary>.*?)</summary>)?(?P<body>.*?)(?P<close></details>)?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_CALLOUT = re.compile(r"^\s*\[!(?P<type>[\w-]+)\][-+]?\s*(?P<title>.*)$")


def container(parts: Sequence[Unit], index: int) -> Container | None:
    """The answer container starting at ``parts[index]``, if there is one."""
    unit = parts[index]
    if unit.kind == "quote" and isinstance(unit.block, Quote):
        return _quote(unit)
    if unit.kind != "html":
        return None
    found = _DETAILS.match(unit.text)
    if not found:
        return None
    title = found.group("summary") or ""
    if found.group("close"):
        lines, rest = _split_body(found.group("body"))
        return Container("details", title.strip(), "", lines, rest, (unit,))
    # A blank line ends an HTML block: the body is the blocks up to "</details>".
    inner: list[Unit] = []
    for later in parts[index + 1 :]:
        if later.kind == "html" and "</details>" in later.text.lower():
            lines, rest = _split_units(inner)
            return Container("details", title.strip(), "", lines, rest, (unit, *inner, later))
        inner.append(later)
    return None


def _quote(unit: Unit) -> Container:
    assert isinstance(unit.block, Quote)
    children = list(unit.block.children)
    callout, title = "", ""
    lines: list[str] = []
    if children and isinstance(children[0], Paragraph):
        lines = [line for line in children.pop(0).text.split("\n") if line.strip()]
        head = _CALLOUT.match(lines[0]) if lines else None
        if head:
            callout, title = head.group("type").lower(), head.group("title").strip()
            lines = lines[1:]
    if not lines and children and isinstance(children[0], Paragraph):
        lines = [line for line in children.pop(0).text.split("\n") if line.strip()]
    rest = "".join(block_html(b) for b in children)
    return Container("callout" if callout else "quote", title, callout, tuple(lines), rest, (unit,))


def _split_body(raw: str) -> tuple[tuple[str, ...], str]:
    """Raw ``<details>`` body → its first paragraph's lines and the rest as HTML."""
    text = re.sub(r"</?(?:p|div|br)\b[^>]*>", "\n\n", raw, flags=re.IGNORECASE).strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not paragraphs:
        return (), ""
    lines = tuple(line.strip() for line in paragraphs[0].split("\n") if line.strip())
    rest = markdown_html("\n\n".join(paragraphs[1:])) if len(paragraphs) > 1 else ""
    return lines, rest


def _split_units(inner: Sequence[Unit]) -> tuple[tuple[str, ...], str]:
    if inner and inner[0].kind == "line":
        group = inner[0].group
        first = [u for u in _run(inner, 0, lambda u: u.kind == "line" and u.group == group)]
        return tuple(u.text for u in first), render(inner[len(first) :])
    return (), render(inner)


# ------------------------------------------------------------ extractor state


@dataclass
class State:
    """What the question extractor has found so far in one document."""

    doc: Document
    claimed: frozenset[int]
    """Lines earlier extractors took."""
    chinese: bool
    facts: list[Fact] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    """Lines turned into questions (claimed for the extractors after this one)."""
    taken: set[tuple[str, int]] = field(default_factory=set)
    left_out: list[LeftOut] = field(default_factory=list)
    """Candidates that are not questions after all (a reveal label with nothing asked)."""

    def leave(self, line: int, reason: str, what: str) -> None:
        self.left_out.append(LeftOut(self.doc.path, line, reason, what))

    def skip(self) -> frozenset[int]:
        """Lines no longer available to a new pass."""
        return self.claimed | frozenset(self.used)

    def free(self, unit: Unit) -> bool:
        return unit.ident not in self.taken and unit.line not in self.claimed

    def take(self, parts: Iterable[Unit]) -> None:
        for unit in parts:
            self.taken.add(unit.ident)
            self.used |= unit.claim

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Diagnostic(self.doc.path, line, message))

    def add(self, kind: Kind, section: Section, line: int, key: str, front: str, back: str, extra: str = "") -> bool:
        """Add a fact unless a side would be empty (then warn); returns whether it was added."""
        if not has_text(front) or not has_text(back):
            self.warn(line, f"question has no answer, no card made: {short(key)}")
            return False
        self.facts.append(
            Fact(kind=kind, origin=base.origin(self.doc, section, line), key=key, front=front, back=back, extra=extra)
        )
        return True


def group_at(state: State, parts: Sequence[Unit], at: int) -> list[Unit]:
    """A unit and, for a line, the further free lines of its paragraph."""
    group = [parts[at]]
    if parts[at].kind != "line":
        return group
    while at + len(group) < len(parts):
        later = parts[at + len(group)]
        if later.kind != "line" or later.group != parts[at].group or not state.free(later):
            break
        group.append(later)
    return group


def short(text: str, limit: int = 40) -> str:
    """A question shortened for a warning."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def prompt_html(question_md: str, lead: str = "") -> str:
    """The front of a question card: an optional muted lead, then the question."""
    head = f"<div class=lead>{markup.escape(lead)}</div>" if lead else ""
    return f"{head}<div class=prompt>{markup.inline_html(question_md)}</div>"
