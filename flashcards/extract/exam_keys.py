"""Answer keys of exam questions: after the options, or at the end of the note.

After the options: an ``Answer: B`` / ``正确答案：B、D`` line, a ``<details>``
block or an answer callout, then any explanation (``解析：``,
``Explanation:``, a ``<details>`` titled so). At the end of the note: an
answer-key section (``## 答案``, ``## Answer key``) or a line led by
``答案：``/``Answers:`` with entries such as ``1. B 2. C`` or ``3-AD``,
matched to the numbered questions above them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from flashcards.extract import base
from flashcards.extract.exam_parts import KEY_ENTRY, KEY_SECTION, Question, parse_key
from flashcards.extract.qa_units import (
    EXPLAIN_LABEL,
    KEY_LABEL,
    Container,
    State,
    Unit,
    container,
    group_at,
    lines_html,
    nested_html,
    plain,
    units,
)

# ------------------------------------------------------------ keys after options


def key_after(state: State, parts: list[Unit], at: int, numbered: bool, true_false: bool) -> tuple[frozenset[str] | None, str, list[Unit], int]:
    """The key and explanation written after the options: (keys, HTML, units used, next index)."""
    correct: frozenset[str] | None = None
    html: list[str] = []
    used: list[Unit] = []
    if at < len(parts) and state.free(parts[at]):
        unit = parts[at]
        label = KEY_LABEL.match(unit.text) if unit.textual else None
        parsed = parse_key(label.group("rest"), numbered, true_false) if label else None
        box = container(parts, at) if not unit.textual else None
        if parsed is not None:
            correct = parsed[0]
            group = group_at(state, parts, at)
            html.append(lines_html([parsed[1], *(_unlabel(u.text) for u in group[1:])]) + nested_html(unit))
            used += group
            at += len(group)
        elif box is not None and (box.answers or box.kind in ("details", "callout")):
            keyed = _container_key(box, numbered, true_false)
            if keyed is not None:
                correct = keyed[0]
                html.append(keyed[1])
                used += box.parts
                at += len(box.parts)
    while at < len(parts) and state.free(parts[at]):  # explanation blocks
        unit = parts[at]
        box = container(parts, at) if not unit.textual else None
        if unit.textual and EXPLAIN_LABEL.match(unit.text):
            group = group_at(state, parts, at)
            html.append(lines_html([_unlabel(u.text) for u in group]) + nested_html(unit))
        elif box is not None and box.title and EXPLAIN_LABEL.match(plain(box.title) + "："):
            group = list(box.parts)
            html.append(box.body_html())
        else:
            break
        used += group
        at += len(group)
    return correct, "".join(html), used, at


def _unlabel(text: str) -> str:
    label = EXPLAIN_LABEL.match(text)
    return label.group("rest") if label else text


def _container_key(box: Container, numbered: bool, true_false: bool) -> tuple[frozenset[str], str] | None:
    """The key an answer block gives (in its title or first line) and the rest as HTML."""
    title = KEY_LABEL.match(box.title) if box.title else None
    if title and title.group("rest").strip():
        parsed = parse_key(title.group("rest"), numbered, true_false)
        if parsed is not None:
            return parsed[0], lines_html([parsed[1], *box.lines]) + box.rest
    if box.lines:
        label = KEY_LABEL.match(box.lines[0])
        parsed = parse_key(label.group("rest") if label else box.lines[0], numbered, true_false)
        if parsed is not None:
            return parsed[0], lines_html([parsed[1], *box.lines[1:]]) + box.rest
    return None


# ------------------------------------------------------------ keys at the end


def answer_keys(state: State, found: list[Question]) -> list[Question]:
    """Fill in keys from an answer key written elsewhere (``## 答案`` / ``1. B 2. C``)."""
    found = list(found)
    for section in base.sections(state.doc):
        in_key_section = any(KEY_SECTION.match(_bare_heading(h)) for h in section.path)
        parts = units(section.blocks, state.skip())
        for index, unit in enumerate(parts):
            if not state.free(unit) or not unit.textual:
                continue
            label = KEY_LABEL.match(unit.text)
            text = label.group("rest") if label else (f"{unit.number}. {unit.text}" if unit.number is not None else unit.text)
            entries = list(KEY_ENTRY.finditer(text))
            led = _led_by_key_label(parts, index)
            if not entries or not (in_key_section or led or (label and len(entries) >= 2)):
                continue
            state.take([unit])
            for entry in entries:
                note = text[entry.end() :].strip(" .。:：-—–()（）") if len(entries) == 1 else ""
                _match_entry(state, found, unit.line, int(entry.group("n")), entry.group("a"), note)
    return found


def _bare_heading(heading: str) -> str:
    """A heading without its number, emoji or closing colon: "✅ Answer Key" → "Answer Key"."""
    text = re.sub(r"^[^\w\u3400-\u9fff]+", "", base.strip_ordinal(heading))
    return text.rstrip("：: ")


def _led_by_key_label(parts: list[Unit], index: int) -> bool:
    """An item of a list that follows a bare ``答案：`` / ``Answers:`` line."""
    first = index
    while first > 0 and parts[first - 1].kind == "item" and parts[first - 1].block is parts[index].block:
        first -= 1
    if parts[index].kind != "item" or first == 0:
        return False
    lead = KEY_LABEL.match(parts[first - 1].text) if parts[first - 1].textual else None
    return bool(lead and not lead.group("rest").strip())


def _match_entry(state: State, found: list[Question], line: int, number: int, answer: str, note: str) -> None:
    candidates = [i for i, q in enumerate(found) if q.number == number and q.line < line]
    waiting = [i for i in candidates if found[i].correct is None]
    if not waiting:
        if not candidates:
            state.warn(line, f"answer key entry {number} matches no question above it")
        return
    at = waiting[-1]
    question = found[at]
    parsed = parse_key(answer, question.numbered, question.true_false)
    if parsed is None:
        state.warn(line, f"answer key entry {number} ({answer}) does not fit question {number}")
        return
    explanation = question.explanation + (lines_html([note]) if note else "")
    found[at] = replace(question, correct=parsed[0], explanation=explanation)
