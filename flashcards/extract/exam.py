"""Exam questions: multiple choice and true/false, with their answer keys.

A question is a stem (the paragraph or item before the options, often
quoted; in a section or item given to one question, everything before
them), at least two options lettered from A (or a numbered list with a key),
and a key: markers next to the options, an ``Answer:`` line, a
``<details>`` block or an answer callout after them, or an entry of an
answer key collected at the end of the note (``1. B 2. C``). Explanations
(``解析：``, ``Explanation:``, the rest of an answer block, notes after an
option's marker) go on the back.

Every question found is claimed, answered or not, so its options never
become definitions; a question without a key makes no card and a warning.
"""

from __future__ import annotations

import re

from flashcards import markup
from flashcards.extract import base
from flashcards.extract.exam_keys import answer_keys, key_after
from flashcards.extract.exam_parts import (
    HEADING_NUMBER,
    QUESTION_SECTION,
    SEVERAL,
    STEM_NUMBER,
    TRUE_FALSE,
    TRUE_FALSE_LEAD,
    Option,
    Question,
    lettered,
    parse_key,
    split_marker,
    verdict_of,
)
from flashcards.extract.qa_units import (
    EXPLAIN_LABEL,
    KEY_LABEL,
    Q_LABEL,
    State,
    Unit,
    asks,
    ends_with_question_mark,
    item_units,
    lines_html,
    nested_html,
    plain,
    short,
    strip_quotes,
    units,
)
from flashcards.model import Kind, Section


def find(state: State) -> None:
    """Find every exam question of the document, make its card or warn."""
    found: list[Question] = []
    for section in base.sections(state.doc):
        heading = section.path[-1] if section.path else ""
        dedicated = bool(heading and QUESTION_SECTION.search(heading))
        number = _heading_number(heading) if dedicated else None
        _scan(state, section, units(section.blocks, state.skip()), found, dedicated, number)
    found = answer_keys(state, found)
    for question in found:
        _emit(state, question)


def _heading_number(heading: str) -> int | None:
    hit = HEADING_NUMBER.search(heading)
    return int(hit.group(1) or hit.group(2)) if hit else None


def _scan(state: State, section: Section, parts: list[Unit], found: list[Question], dedicated: bool, number: int | None) -> None:
    index = 0
    while index < len(parts):
        unit = parts[index]
        if state.free(unit) and unit.textual:
            hit = _choice(state, section, parts, index, dedicated, number) or _true_false(state, section, parts, index, number)
            if hit is not None:
                found.append(hit[0])
                index = hit[1]
                continue
        index += 1
    for unit in parts:  # a question written as a list item with its options nested
        if unit.kind == "item" and state.free(unit) and unit.item is not None and (unit.children or "\n" in unit.text):
            _scan(state, section, item_units(unit.item, state.skip()), found, True, unit.number)


# ------------------------------------------------------------ multiple choice


def _choice(state: State, section: Section, parts: list[Unit], index: int, dedicated: bool, number: int | None) -> tuple[Question, int] | None:
    options, end = _lettered_run(state, parts, index)
    numbered = False
    if not options:
        options, end = _numbered_run(state, parts, index)
        numbered = bool(options)
    if not options:
        options, end = _marked_run(state, parts, index)
    if not options:
        return None
    stem_units = _stem(state, parts, index, dedicated)
    if numbered and not _numbered_is_question(stem_units, options, parts, end):
        return None  # an ordinary numbered list after a paragraph
    correct, explanation, after, end = key_after(state, parts, end, numbered, False)
    marked = frozenset(o.key for o in options if o.verdict)
    if correct is None and marked:
        correct = marked
    elif correct is not None and marked and correct != marked:
        state.warn(parts[index].line, "options are marked differently from the answer line; the answer line wins")
    stem, stem_number = _clean_stem([u.text for u in stem_units], stem_units)
    if not stem:
        stem = _heading_stem(section)
    if correct is None and not (stem and _asks(stem[-1])):
        return None  # lettered lines with neither a key nor a question: a list, not an exam question
    line = stem_units[0].line if stem_units else parts[index].line
    state.take([*stem_units, *parts[index:end], *after])
    if not stem:
        state.warn(line, "options without a question, no card made")
        return None
    question = Question(section, line, stem, options, correct, explanation, stem_number or number, numbered)
    return question, max(end, index + 1)


_COLOUR_OPEN = re.compile(r"<font\b[^>]*\bcolor\s*=[^>]*>|<span\b[^>]*\bstyle\s*=\s*[\"'][^\"']*\bcolor\s*[:：][^>]*>|<mark>", re.IGNORECASE)
_COLOUR_CLOSE = re.compile(r"</font>|</span>|</mark>", re.IGNORECASE)


def _marked_run(state: State, parts: list[Unit], index: int) -> tuple[tuple[Option, ...], int]:
    """Bullets without letters under a question, the correct ones in colour
    (``<font color="red">``, a coloured span, ``<mark>``): lettered A, B, C… here."""
    first = parts[index]
    if first.kind != "item" or first.number is not None or not state.free(first):
        return (), index
    end = index
    while end < len(parts) and parts[end].kind == "item" and parts[end].block is first.block and state.free(parts[end]):
        end += 1
    items = parts[index:end]
    marked = [bool(_COLOUR_OPEN.search(u.text)) for u in items]
    if not (2 <= len(items) <= 8) or not any(marked) or all(marked):
        return (), index
    options = []
    for number, (unit, correct) in enumerate(zip(items, marked, strict=True)):
        letter = chr(ord("A") + number)
        body = _COLOUR_CLOSE.sub("", _COLOUR_OPEN.sub("", unit.text)).strip()
        options.append(Option(letter, letter, body, "", True if correct else None, nested_html(unit)))
    return tuple(options), end


def _lettered_run(state: State, parts: list[Unit], index: int) -> tuple[tuple[Option, ...], int]:
    first = lettered(parts[index].text)
    if first is None or first[0] != "A":
        return (), index
    raws: list[list[Unit]] = [[parts[index]]]
    expected = "B"
    end = index + 1
    while end < len(parts):
        unit = parts[end]
        if not state.free(unit) or not unit.textual:
            break
        got = lettered(unit.text)
        if got is not None and got[0] == expected:
            raws.append([unit])
            expected = chr(ord(expected) + 1)
        elif _continues(raws[-1][-1], unit):
            raws[-1].append(unit)
        else:
            break
        end += 1
    if len(raws) < 2:
        return (), index
    options = []
    for raw in raws:
        got = lettered(" ".join(u.text.strip() for u in raw))
        assert got is not None
        letter, body, verdict, note = got
        options.append(Option(letter, letter, body, note, verdict, nested_html(raw[0])))
    return tuple(options), end


def _continues(previous: Unit, unit: Unit) -> bool:
    """A wrapped line of an option written in a paragraph."""
    return (
        unit.kind == "line" and previous.kind == "line" and unit.group == previous.group
        and not KEY_LABEL.match(unit.text) and not EXPLAIN_LABEL.match(unit.text)
    )


def _numbered_run(state: State, parts: list[Unit], index: int) -> tuple[tuple[Option, ...], int]:
    unit = parts[index]
    if unit.kind != "item" or unit.number is None:
        return (), index
    if index and parts[index - 1].kind == "item" and parts[index - 1].block is unit.block:
        return (), index  # only from the first item of a list
    end = index
    options = []
    while end < len(parts) and parts[end].kind == "item" and parts[end].block is unit.block and state.free(parts[end]):
        body, verdict, note = split_marker(parts[end].text)
        label = str(parts[end].number)
        options.append(Option(label, label, body, note, verdict, nested_html(parts[end])))
        end += 1
    return (tuple(options), end) if len(options) >= 2 else ((), index)


def _numbered_is_question(stem: list[Unit], options: tuple[Option, ...], parts: list[Unit], end: int) -> bool:
    if not stem or not ends_with_question_mark(plain(stem[-1].text)):
        return False
    if any(o.verdict is not None for o in options):
        return True
    after = parts[end] if end < len(parts) else None
    label = KEY_LABEL.match(after.text) if after is not None and after.textual else None
    return bool(label and parse_key(label.group("rest"), True, False))


def _stem(state: State, parts: list[Unit], index: int, dedicated: bool) -> list[Unit]:
    """The units before the options that ask the question."""
    stem: list[Unit] = []
    at = index - 1
    first = parts[index]
    if first.kind == "line":  # earlier lines of the paragraph holding the options
        while at >= 0 and parts[at].kind == "line" and parts[at].group == first.group and state.free(parts[at]):
            stem.insert(0, parts[at])
            at -= 1
    groups = 1 if stem else 0
    while at >= 0 and groups < 4:
        unit = parts[at]
        if not state.free(unit) or not unit.textual or unit.children:
            break
        group = [unit]
        if unit.kind == "line":
            while at - len(group) >= 0 and parts[at - len(group)].kind == "line" and parts[at - len(group)].group == unit.group:
                group.insert(0, parts[at - len(group)])
        text = plain(" ".join(u.text for u in group))
        if KEY_LABEL.match(group[0].text) or EXPLAIN_LABEL.match(group[0].text):
            break
        if groups and (not dedicated or text.endswith(tuple(markup.COLONS)) or ends_with_question_mark(text)):
            break  # a lead-in or another question, not this stem
        stem = group + stem
        groups += 1
        at -= len(group)
    return stem


def _clean_stem(texts: list[str], stem_units: list[Unit]) -> tuple[tuple[str, ...], int | None]:
    """Stem paragraphs without the question number, a ``Q:`` label or wrapping quotes."""
    paragraphs: list[str] = []
    previous = None
    for text, unit in zip(texts, stem_units):
        if previous is not None and unit.kind == "line" and previous.kind == "line" and unit.group == previous.group:
            paragraphs[-1] += "\n" + text
        else:
            paragraphs.append(text)
        previous = unit
    number = stem_units[0].number if stem_units else None
    if paragraphs:
        paragraphs[0] = re.sub(r"^#{1,6}(?=\S)", "", paragraphs[0])  # "###1." — a heading missing its space
        numbered = STEM_NUMBER.match(paragraphs[0])
        if numbered:
            number = int(numbered.group("n"))
            paragraphs[0] = paragraphs[0][numbered.end() :]
        label = Q_LABEL.match(paragraphs[0])
        if label:
            paragraphs[0] = label.group("rest")
    cleaned = tuple(strip_quotes(p) for p in paragraphs if p.strip())
    return cleaned, number


_BLANK = re.compile(r"[（(]\s*[)）]|_{2,}|以下|下列|哪|which|following", re.IGNORECASE)


def _asks(stem: str) -> bool:
    """Whether a stem reads as an exam question even before its key is found."""
    text = plain(stem)
    return ends_with_question_mark(text) or asks(text) or bool(_BLANK.search(text)) or text.endswith(tuple(markup.COLONS))


def _heading_stem(section: Section) -> tuple[str, ...]:
    """A heading that itself asks is the stem of the options right under it."""
    heading = section.path[-1] if section.path else ""
    tail = base.strip_ordinal(heading)
    return (tail,) if ends_with_question_mark(tail) else ()


# ------------------------------------------------------------ true / false


def _true_false(state: State, section: Section, parts: list[Unit], index: int, number: int | None) -> tuple[Question, int] | None:
    unit = parts[index]
    prefixed = TRUE_FALSE.match(unit.text)
    if prefixed:
        statement = prefixed.group("rest").strip()
        if plain(statement).endswith(tuple(markup.COLONS)):
            return None  # "判断下列说法：" leads a list of statements
    elif unit.kind == "item" and _judged_list(parts, index, section):
        statement = unit.text
    else:
        return None
    body, verdict, note = split_marker(statement)
    if verdict is None and not prefixed:
        return None
    chinese = markup.has_cjk(body)
    options = (Option("T", "", "正确" if chinese else "True"), Option("F", "", "错误" if chinese else "False"))
    correct = None if verdict is None else frozenset({"T" if verdict else "F"})
    letters = _verdict_options(state, parts, index + 1)
    keyed, explanation, after, end = key_after(state, parts, index + 1 + len(letters), False, not letters)
    if letters:  # "A) True  B) False": asked as lettered options, keyed by letter
        options = tuple(Option(k, k, options[0].body if v == "T" else options[1].body) for k, v in letters.items())
        if correct is not None:
            correct = frozenset(k for k, v in letters.items() if v in correct)
    after = [*parts[index + 1 : index + 1 + len(letters)], *after]
    correct = correct or keyed
    explanation = (lines_html([note]) if note else "") + nested_html(unit) + explanation
    stem, stem_number = _clean_stem([body], [unit])
    state.take([unit, *after])
    question = Question(section, unit.line, stem, options, correct, explanation, stem_number or number, true_false=not letters)
    return question, end


_VERDICT_OPTION = re.compile(r"^\s*\(?([AB])[.．)）:：]\s*(true|false|正确|错误|对|错)\s*$", re.IGNORECASE)


def _verdict_options(state: State, parts: list[Unit], at: int) -> dict[str, str]:
    """``A) True`` / ``B) False`` lines after a true/false statement: letter → T/F."""
    found: dict[str, str] = {}
    while at + len(found) < len(parts) and len(found) < 2:
        unit = parts[at + len(found)]
        option = _VERDICT_OPTION.match(plain(unit.text)) if unit.textual and state.free(unit) else None
        if option is None:
            break
        found[option.group(1).upper()] = "T" if verdict_of(option.group(2)) else "F"
    return found if len(found) == 2 else {}


def _judged_list(parts: list[Unit], index: int, section: Section) -> bool:
    """Whether a list item is one of a list of statements to judge (``判断下列说法：``)."""
    first = index
    while first > 0 and parts[first - 1].kind == "item" and parts[first - 1].block is parts[index].block:
        first -= 1
    lead = parts[first - 1].text if first > 0 and parts[first - 1].textual else (section.path[-1] if section.path else "")
    return bool(TRUE_FALSE_LEAD.search(plain(lead)))


# ------------------------------------------------------------ the card


def _emit(state: State, question: Question) -> None:
    stem_text = " ".join(plain(p) for p in question.stem)
    if question.correct is None:
        state.warn(question.line, f"exam question has no answer key, no card made: {short(stem_text)}")
        return
    unknown = sorted(question.correct - {o.key for o in question.options})
    if unknown:
        state.warn(question.line, f"answer {', '.join(unknown)} is not an option of the question, no card made: {short(stem_text)}")
        return
    chinese = markup.has_cjk(stem_text)
    front = "".join(f"<p>{markup.inline_html(p)}</p>" for p in question.stem[:-1])
    front += f"<div class=prompt>{markup.inline_html(question.stem[-1])}</div>"
    if len(question.correct) > 1 and not SEVERAL.search(stem_text):
        count = len(question.correct)
        front += f"<div class=lead>{f'（多选，选出 {count} 项）' if chinese else f'(choose {count})'}</div>"
    front += _options_html(question, marked=False)
    names = [o.body if question.true_false else o.label for o in question.options if o.key in question.correct]
    key_line = ("答案：" + "、".join(names)) if chinese else ("Answer: " + ", ".join(names))
    # The back holds every option again, marked: the template hides the
    # front's unmarked copy on the back (card.css), so each shows once.
    back = f"<p class=fc-key><strong>{markup.escape(key_line)}</strong></p>" + _options_html(question, marked=True)
    state.add(Kind.MCQ, question.section, question.line, stem_text, markup.sanitize(front), markup.sanitize(back),
              markup.sanitize(question.explanation))


def _options_html(question: Question, marked: bool) -> str:
    """The options as lettered boxes; on the back the correct ones carry a class and a ✓."""
    items = []
    for option in question.options:
        letter = f'<span class="fc-letter">{markup.escape(option.label)}.</span> ' if option.label else ""
        body = markup.inline_html(option.body)
        if marked and question.correct is not None and option.key in question.correct:
            note = f'<div class="fc-note">{markup.inline_html(option.note)}</div>' if option.note else ""
            items.append(f'<li class="fc-correct">{letter}{body} <span class="fc-tick">✓</span>{note}{option.more}</li>')
        elif marked:
            note = f'<div class="fc-note">{markup.inline_html(option.note)}</div>' if option.note else ""
            items.append(f"<li>{letter}{body}{note}{option.more}</li>")
        else:
            items.append(f"<li>{letter}{body}</li>")
    # Options that carry their own letters (or true/false words) say so, so the
    # stylesheet does not draw a second letter in front of them.
    lettered = all(o.label for o in question.options) or question.true_false
    return f'<ol class="fc-options{" fc-lettered" if lettered else ""}">' + "".join(items) + "</ol>"
