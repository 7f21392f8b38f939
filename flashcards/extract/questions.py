"""Questions and their answers: exam questions, Q&A pairs, inline and heading questions.

Runs first of all extractors, in three passes over each note:

1. exam questions (:mod:`flashcards.extract.exam`);
2. questions written in the text —
   explicit pairs (``Q:``/``A:``, ``问：``/``答：``, ``**Q.**``),
   ``<details><summary>question</summary>answer</details>``, FAQ callouts
   (``> [!faq]- question``), inline questions (``为什么不需要VPC Link？：因为…``),
   and questions standing alone (a bold FAQ question, a bullet or paragraph
   that only asks) answered by what follows them or is nested under them;
3. question headings (:mod:`flashcards.extract.question_headings`).

A question with no answer anywhere makes no card and a warning; its lines
are still claimed so no later extractor makes a card from half of it.
"""

from __future__ import annotations

import re

from flashcards import markup
from flashcards.extract import base, exam, question_headings
from flashcards.extract.qa_units import (
    A_LABEL,
    Q_LABEL,
    State,
    Unit,
    asks,
    block_html,
    container,
    ends_with_question_mark,
    group_at,
    has_text,
    item_units,
    lines_html,
    nested_html,
    plain,
    prompt_html,
    render,
    short,
    units,
)
from flashcards.model import Code, Document, Extraction, Kind, Section

MAX_QUESTION = 200
"""Longer "questions" are prose that happens to end with a question mark."""
MAX_FOLLOWING = 4
"""How many blocks after a standalone question can make its answer."""

_INLINE = re.compile(
    r"^\s*(?:(?P<bold>\*\*|__)(?P<qb>[^\n*_]{2,150}?[?？])\s*(?P=bold)|(?P<qp>[^\n?？*_][^\n?？]{1,149}?[?？]))"
    r"\s*(?P<colon>[:：])?\s*(?P<a>\S.*)$",
    re.DOTALL,
)
_SAME_LINE_ANSWER = re.compile(r"\s(?:\*\*|__)?(?:A\d{0,3}|答|Answer)\s*(?:\*\*|__)?[:：]\s*(?:\*\*|__)?", re.IGNORECASE)
_FAQ_CALLOUTS = ("faq", "question", "help", "q")


def extract(doc: Document, claimed: frozenset[int] = frozenset()) -> Extraction:
    """Find the questions of one document and the answers the note gives them."""
    state = State(doc, claimed, base.is_chinese(doc))
    exam.find(state)
    for section in base.sections(doc):
        _scan(state, section, units(section.blocks, state.skip()), lead="")
    question_headings.find(state)
    warnings = tuple(sorted(state.warnings, key=lambda w: w.line))
    return Extraction(tuple(state.facts), warnings, frozenset(state.used), tuple(state.left_out))


def _scan(state: State, section: Section, parts: list[Unit], lead: str) -> None:
    index = 0
    while index < len(parts):
        unit = parts[index]
        following = None
        if state.free(unit):
            following = (
                _explicit(state, section, parts, index, lead)
                or _box(state, section, parts, index, lead)
                or _inline(state, section, parts, index, lead)
                or _standalone(state, section, parts, index, lead)
                or _task(state, section, parts, index, lead)
            )
        index = following or index + 1
    for unit in parts:  # questions inside nested lists
        if unit.kind == "item" and state.free(unit) and unit.item is not None and unit.children:
            parent = plain(unit.text).rstrip("：: ")
            _scan(state, section, [u for u in item_units(unit.item, state.skip()) if u.kind != "line"], parent[:60])


def _card(state: State, section: Section, line: int, question: str, answer: str, lead: str, parts: list[Unit]) -> None:
    """A question card, or a warning when the answer is empty; the parts are claimed either way."""
    state.take(parts)
    text = plain(question)
    if not has_text(answer):
        state.warn(line, f"question has no answer, no card made: {short(text)}")
        return
    state.add(Kind.QUESTION, section, line, text, prompt_html(question, lead), markup.sanitize(answer))


# ------------------------------------------------------------ Q: / A:


def _explicit(state: State, section: Section, parts: list[Unit], index: int, lead: str) -> int | None:
    unit = parts[index]
    label = Q_LABEL.match(unit.text) if unit.textual else None
    if not label or not label.group("rest").strip():
        return None
    question_lines = [label.group("rest")]
    answer = ""
    same = _SAME_LINE_ANSWER.search(question_lines[0])
    if same:
        question_lines, answer = [question_lines[0][: same.start()]], lines_html([question_lines[0][same.end() :]])
    group = group_at(state, parts, index)
    for offset, line in enumerate(group[1:], start=1):
        found = A_LABEL.match(line.text)
        if found and not answer:
            answer = lines_html([found.group("rest"), *(u.text for u in group[offset + 1 :])])
            break
        if not answer:
            question_lines.append(line.text)
    used = list(group)
    end = index + len(group)
    question = "\n".join(question_lines).strip()
    follows = end < len(parts) and parts[end].textual and bool(A_LABEL.match(parts[end].text))
    if not (answer or follows or ends_with_question_mark(plain(question)) or asks(plain(question))):
        return None  # "Q3: revenue grew", "问题：冷启动慢" name something; they do not ask
    if not answer and unit.children:
        answer = nested_html(unit)
    elif not answer:
        answer, more, end = _answer_after(state, parts, end)
        used += more
    elif unit.children:
        answer += nested_html(unit)
    _card(state, section, unit.line, question, answer, lead, used)
    return end


def _answer_after(state: State, parts: list[Unit], at: int) -> tuple[str, list[Unit], int]:
    """An answer written after a question: an ``A:`` paragraph and what continues it, an
    answer block, or the plain blocks that follow, up to the next question."""
    if at >= len(parts) or not state.free(parts[at]):
        return "", [], at
    unit = parts[at]
    box = container(parts, at) if not unit.textual else None
    if box is not None and (box.answers or box.kind == "details"):
        return box.body_html(), list(box.parts), at + len(box.parts)
    found = A_LABEL.match(unit.text) if unit.textual else None
    if found:
        group = group_at(state, parts, at)
        html = lines_html([found.group("rest"), *(u.text for u in group[1:])]) + nested_html(unit)
        more, end = _following(state, parts, at + len(group))
        return html + render(more), group + more, end
    more, end = _following(state, parts, at)
    return render(more), more, end


def _following(state: State, parts: list[Unit], at: int) -> tuple[list[Unit], int]:
    """Blocks after a question, up to the next question (at most a few)."""
    taken: list[Unit] = []
    blocks = 0
    while at < len(parts):
        unit = parts[at]
        if not state.free(unit) or (unit.textual and (_asks_alone(unit.text) or Q_LABEL.match(unit.text))):
            break
        box = container(parts, at) if not unit.textual else None
        if box is not None and box.title and not box.answers:
            break  # a <details> or FAQ callout asking the next question
        same_list = unit.kind == "item" and bool(taken) and taken[-1].kind == "item" and taken[-1].block is unit.block
        if not same_list:
            if blocks == MAX_FOLLOWING:
                break
            blocks += 1
        group = group_at(state, parts, at)
        taken += group
        at += len(group)
    return taken, at


# ------------------------------------------------------------ details, FAQ callouts


def _box(state: State, section: Section, parts: list[Unit], index: int, lead: str) -> int | None:
    unit = parts[index]
    if unit.textual:
        return None
    box = container(parts, index)
    if box is None or not box.title or box.answers:
        return None
    if box.kind == "details" or (box.kind == "callout" and box.callout in _FAQ_CALLOUTS):
        _card(state, section, unit.line, box.title, box.body_html(), lead, list(box.parts))
        return index + len(box.parts)
    return None


# ------------------------------------------------------------ inline and standalone


def _inline(state: State, section: Section, parts: list[Unit], index: int, lead: str) -> int | None:
    """``为什么不需要VPC Link？：因为…``, ``**Why not NAT?** Because…``."""
    unit = parts[index]
    if not unit.textual or (unit.kind == "line" and index and parts[index - 1].kind == "line" and parts[index - 1].group == unit.group):
        return None  # only at the start of a paragraph or item
    found = _INLINE.match(unit.text)
    if not found:
        return None
    question = (found.group("qb") or found.group("qp")).strip()
    asked = plain(question)
    bold = bool(found.group("bold"))
    if not _balanced(asked):
        return None  # "Lambda（是否需要VPC Link？否）": a question inside brackets, not a leading one
    if not (found.group("colon") or bold or asks(asked)) or not has_text(markup.inline_html(found.group("a"))):
        return None
    group = group_at(state, parts, index)
    answer = lines_html([found.group("a"), *(u.text for u in group[1:])]) + nested_html(unit)
    _card(state, section, unit.line, question, answer, lead, group)
    return index + len(group)


def _balanced(text: str) -> bool:
    return all(text.count(left) == text.count(right) for left, right in ("()", "（）", "“”", "[]", "【】"))


def _asks_alone(text: str) -> bool:
    """A line or item that is a question and nothing else."""
    asked = plain(text)
    return 0 < len(asked) <= MAX_QUESTION and ends_with_question_mark(asked) and not _answered_inline(text)


def _answered_inline(text: str) -> bool:
    found = _INLINE.match(text)
    return bool(found and has_text(markup.inline_html(found.group("a"))))


def _standalone(state: State, section: Section, parts: list[Unit], index: int, lead: str) -> int | None:
    """A paragraph, first line or bullet that only asks; its answer follows or is nested under it."""
    unit = parts[index]
    if not unit.textual or not _asks_alone(unit.text.split("\n")[0]):
        return None
    if unit.kind == "line" and index and parts[index - 1].kind == "line" and parts[index - 1].group == unit.group:
        return None
    group = group_at(state, parts, index)
    end = index + len(group)
    if len(group) > 1:  # "**How do I …?**" with the answer on the next lines
        answer, used = lines_html([u.text for u in group[1:]]), list(group)
    elif unit.kind == "item":
        answer, used = nested_html(unit) or _item_text_rest(unit), [unit]
    else:
        answer, more, end = _answer_after(state, parts, end)
        used = group + more
    _card(state, section, unit.line, unit.text.split("\n")[0], answer, lead, used)
    return end


_NUMBERED_TASK = re.compile(r"^\s*\d{1,3}\s*[.、．)）]\s*\S")


def _task(state: State, section: Section, parts: list[Unit], index: int, lead: str) -> int | None:
    """A numbered task (``2.创建一个…``, ``3. Scale the deployment``) solved by the
    code block right after it (or nested under its list item)."""
    unit = parts[index]
    if not unit.textual:
        return None
    numbered = unit.number is not None or (unit.kind == "line" and _NUMBERED_TASK.match(unit.text))
    if not numbered:
        return None
    if unit.kind == "item":
        task = re.sub(r"^\s*\d{1,3}\s*[.、．)）]\s*", "", unit.text)
        if any(isinstance(b, Code) for b in unit.children):
            _card(state, section, unit.line, task, nested_html(unit), lead, [unit])
            return index + 1
        after = parts[index + 1] if index + 1 < len(parts) else None
        last = after is None or after.block is not unit.block
        if not (last and after is not None and state.free(after) and isinstance(after.block, Code) and not after.textual):
            return None
        # "3. 统计…" then the fence under it, not indented: the fence still answers it.
        _card(state, section, unit.line, task, block_html(after.block), lead, [unit, after])
        return index + 2
    group = group_at(state, parts, index)
    end = index + len(group)
    if end >= len(parts) or not state.free(parts[end]) or not isinstance(parts[end].block, Code):
        return None
    task = re.sub(r"^\s*\d{1,3}\s*[.、．)）]\s*", "", "\n".join(u.text for u in group))
    _card(state, section, unit.line, task, block_html(parts[end].block), lead, [*group, parts[end]])
    return end + 1


def _item_text_rest(unit: Unit) -> str:
    lines = unit.text.split("\n")[1:]
    return lines_html(lines)
