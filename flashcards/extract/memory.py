"""Memory points: definitions, key statements, short lists and procedures.

What is learnable is found by shape and by the words notes use:

* a bold (or short plain) label and a colon — ``**VPC Link**：…``,
  ``- **默认模式**：…``, ``SAP考点：…`` — is a definition: the label asks,
  the body answers. When the body has bold phrases the fact becomes a cloze
  on them instead, the label staying visible;
* a statement with bold phrases is a cloze on those phrases; in summary
  sections (总结, 记忆要点, Key points …) quoted phrases serve when nothing
  is bold;
* an ordered list (procedure) or a short list under a lead-in is one note
  asked item by item: item *i* is cloze *i*, the others stay visible, so no
  card asks for a whole set at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flashcards import markup
from flashcards.extract import base, prompts, statements
from flashcards.model import (
    Block,
    Code,
    Document,
    Extraction,
    Fact,
    Kind,
    ListBlock,
    ListItem,
    Paragraph,
    Quote,
    Section,
)

SUMMARY_HEADING = re.compile(
    r"记忆要点|要点|重点|总结|小结|结论|考点|必记|必考|速记|口诀|"
    r"key\s*points?|key\s*takeaways?|takeaways?|summary|summaries|remember|"
    r"exam\s*tips?|tl;?dr|cheat\s*sheet|conclusions?|recap|must[- ]know",
    re.IGNORECASE,
)
MAX_SET = 12
"""Lists longer than this are not asked as one note."""
MIN_SET = 2


@dataclass
class _State:
    doc: Document
    claimed: frozenset[int]
    chinese: bool
    facts: list[Fact]
    used: set[int]


def extract(doc: Document, claimed: frozenset[int] = frozenset()) -> Extraction:
    """Find the memory points of one document."""
    state = _State(doc, claimed, base.is_chinese(doc), [], set())
    for section in base.sections(doc):
        _section(state, section)
    return Extraction(tuple(state.facts), claimed=frozenset(state.used))


def _section(state: _State, section: Section) -> None:
    summary = base.heading_matches(section, SUMMARY_HEADING)
    blocks = section.blocks
    for index, block in enumerate(blocks):
        if _taken(state, block):
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) and not _taken(state, blocks[index + 1]) else None
        if isinstance(block, Paragraph):
            _paragraph(state, section, block, following, summary)
        elif isinstance(block, Code) and is_prose(block):
            _prose_fence(state, section, block, summary, alone=len(blocks) == 1)
        elif isinstance(block, Quote):
            _quote(state, section, block, summary)
        elif isinstance(block, ListBlock):
            lead = _heading_lead(section) if index == 0 else ""
            if len(blocks) == 1 and not section.children and not lead and _lone_list(state, section, block):
                continue
            _list(state, section, block, lead, summary, parent="")


_PROSE_INFO = re.compile(r"^(?:text|txt|plain|plaintext|markdown|md|note|notes)$", re.IGNORECASE)
_CODE_LIKE = re.compile(
    r"[{};=<>$|\\/_@#]|\s--?\w|^\s*(?:def|class|import|return|select|sudo|cd|ls|git|npm|pip|kubectl|docker)\b",
    re.MULTILINE | re.IGNORECASE,
)


def is_prose(block: Code) -> bool:
    """A fence that holds prose or a mnemonic, not code: ```` ```text ````, or
    no language and nothing code-like in it (content, not code)."""
    if _PROSE_INFO.match(block.info.strip()):
        return bool(block.text.strip())
    return not block.info.strip() and bool(block.text.strip()) and not _CODE_LIKE.search(block.text)


def _prose_fence(state: _State, section: Section, block: Code, summary: bool, alone: bool) -> None:
    """Its ``term：value`` lines are items; a fence standing alone under a
    heading (a mnemonic) is what the heading asks for."""
    lines = block.text.rstrip("\n").split("\n")
    made = False
    # A fence's first line is its ``` line; an indented block starts with its text.
    source = state.doc.source.split("\n")
    fenced = 0 < block.line <= len(source) and source[block.line - 1].lstrip().startswith(("```", "~~~"))
    for offset, line in enumerate(lines, start=1 if fenced else 0):
        line = re.sub(r"^\s*[-*+]\s+", "", line)  # a list written inside the block
        if line.strip() and _statement(state, section, block.line + offset, line.strip(), (), summary, parent=""):
            made = True
    if made or not alone or not section.path:
        return
    heading = prompts.subject_of(section) or base.strip_ordinal(section.path[-1])
    zh = prompts.asks_in_chinese(heading, state.chinese)
    answer = "<br>".join(markup.escape(line) for line in lines)
    front = f"<div class=prompt>{markup.escape(heading)}{'？' if zh else '?'}</div>"
    _add(state, section, block.line, Kind.DEFINITION, key=heading, front=front, back=f"<p>{answer}</p>")


def _quote(state: _State, section: Section, block: Quote, summary: bool) -> None:
    """A quote or a ``> [!tip] Title`` callout: its memory points, the
    callout's marker line left out."""
    title = ""
    for child in block.children:
        if isinstance(child, Paragraph):
            marker = _CALLOUT_MARKER.match(child.text)
            if marker and child is block.children[0]:
                # "> [!tip] TCP handshake": the callout's facts are about its title.
                named = markup.plain_text(marker.group("title")).strip()
                title = "" if not named or _MARKER.fullmatch(named) or prompts.CONTAINER.fullmatch(named) else named
            text = _CALLOUT_MARKER.sub("", child.text, count=1).strip()
            if text:
                for offset, line in enumerate(text.split("\n")) if "\n" in text else [(0, text)]:
                    if _statement(state, section, child.line + offset, line.strip(), (), summary, parent=title):
                        state.used.add(child.line)
        elif isinstance(child, ListBlock):
            _list(state, section, child, "", summary, parent=title)


_CALLOUT_MARKER = re.compile(r"^\s*\[![\w-]+\][+-]?(?P<title>[^\n]*)(?:\n|$)")


def _taken(state: _State, block: Block) -> bool:
    """Whether a block is already used; a list only when all its items are
    (its first item shares its line, so the line alone does not say)."""
    if block.line in state.used:
        return True
    if isinstance(block, ListBlock):
        return all(item.line in state.claimed for item in block.items)
    return block.line in state.claimed


def _paragraph(state: _State, section: Section, para: Paragraph, following: Block | None, summary: bool) -> None:
    text = para.text.strip()
    label = markup.split_label(text)
    if label and not label[1] and isinstance(following, ListBlock):
        # "**VPC Link**：" followed by its bullets: a definition answered by the list.
        state.used.add(following.line)
        _definition(state, section, para.line, label[0], following.html, parent="")
        return
    if text.endswith(tuple(markup.COLONS)) and isinstance(following, ListBlock):
        state.used.add(following.line)
        _list(state, section, following, markup.plain_text(text), summary, parent="")
        return
    lines = [ln.strip() for ln in text.split("\n")]
    labelled = [ln for ln in lines if (found := markup.split_label(ln)) and found[1]]
    if len(lines) >= 2 and len(labelled) >= 2 and len(labelled) * 2 >= len(lines):
        # "术语：定义" lines with no list markers render as one paragraph: each line is an item.
        for offset, line in enumerate(lines):
            _statement(state, section, para.line + offset, line, (), summary, parent="")
        return
    _statement(state, section, para.line, text, (), summary, parent="")


def _list(state: _State, section: Section, block: ListBlock, lead: str, summary: bool, parent: str) -> None:
    items = [i for i in block.items if i.line not in state.claimed]
    labelled = sum(1 for i in items if _label(i) is not None)
    # Definitions stay separate unless the heading says the list is one
    # whole (steps, scenarios, reasons).
    as_set = (
        MIN_SET <= len(items) <= MAX_SET
        and (block.ordered or bool(lead))
        and (labelled * 2 < len(items) or bool(_LEAD_WORDS.search(lead)))
        and not any(_label(i) is None and i.children for i in items)
    )
    if as_set:
        _set(state, section, block, items, lead or _heading_lead(section) or parent)
        return
    for item in items:
        _item(state, section, item, summary, parent)


def _item(state: _State, section: Section, item: ListItem, summary: bool, parent: str) -> None:
    text = item.text.strip()
    label = _label(item)
    nested = [b for b in item.children if isinstance(b, ListBlock)]
    if label and not label[1] and nested:
        state.used.add(item.line)
        _definition(state, section, item.line, label[0], _html(tuple(nested)), parent)
        return
    term = _heading_item(text)
    if term and item.children and not nested:
        # "- **变温**" with its answer below it (a quote, a paragraph): the item names a term.
        state.used.add(item.line)
        _definition(state, section, item.line, term, _html(item.children), parent)
        return
    answers = _plain_answers(item)
    if answers is not None and not markup.strong_spans(text) and not text.endswith(tuple(markup.COLONS)):
        # ("- Clinical pearls:" over its items is a list asked item by item, below.)
        if len(answers[0].items) >= MIN_SET:
            # "- 洋务运动的失败" over its reasons: asked one by one, never the set at once.
            state.used.add(item.line)
            lead = text.strip().rstrip(",，")
            shown, shown_html = markup.plain_text(lead), markup.inline_html(lead)
            if parent and prompts.is_attribute(shown) and _subject(parent):  # "- 桥接模式" › "- 缺点" › items
                shown, shown_html = f"{_subject(parent)} · {shown}", f"{markup.escape(_subject(parent))} · {shown_html}"
            _set(state, section, answers[0], list(answers[0].items), shown, shown_html)
            return
        if term and not _CONDITION.match(term):
            # "- The law of demand" over "- gives us the direction": the term and what it says.
            state.used.add(item.line)
            _definition(state, section, item.line, term, _html(answers), parent)
            return
        if _LEAD_IN.search(markup.plain_text(text)) or (term and _CONDITION.match(term)):
            # "- At high P and low Q," over "- Demand is elastic": a lead-in and how it ends.
            state.used.add(item.line)
            _continued(state, section, item.line, text, _html(answers), parent)
            return
    leads_in = text.endswith(tuple(markup.COLONS)) and bool(nested)
    # ("- **新增内容**：…具体包括：" over its items: the items are asked one by one
    # below; a definition holding them all would ask the set at once as well.)
    if text and not (leads_in and label) and _statement(state, section, item.line, text, item.children, summary, parent):
        state.used.add(item.line)
    lead = markup.plain_text(text) if text.endswith(tuple(markup.COLONS)) else ""
    for child in nested:
        _list(state, section, child, lead, summary, parent=markup.plain_text(text))


MAX_ANSWER_ITEMS = 4
MAX_ANSWER_ITEM = 120
"""Sub-items longer or more numerous than this are notes of their own, not an answer."""
_LEAD_IN = re.compile(r"(?:[,，、]|\b(?:if|when|whenever|because|since|unless|while)\b(?:\s+\S+){0,5}|(?:如果|若|当)\S{0,12}时?)\s*$", re.IGNORECASE)
"""A line that does not end a sentence: it continues in the sub-items below it."""
_CONDITION = re.compile(r"^(?:at|in|on|for|with|during|after|before|under|when|if|在|当|若)\b", re.IGNORECASE)
"""``At the midpoint``: a circumstance, not a term, however short."""


def _plain_answers(item: ListItem) -> tuple[ListBlock] | None:
    """An item's only child, a short list of short unmarked sub-items with
    nothing under them — what answers the item — or None."""
    if len(item.children) != 1 or not isinstance(item.children[0], ListBlock):
        return None
    items = item.children[0].items
    if not 1 <= len(items) <= MAX_ANSWER_ITEMS:
        return None
    return (item.children[0],) if all(_short_plain(sub) for sub in items) else None


def _short_plain(item: ListItem) -> bool:
    """An item that can only answer what is above it: short, unmarked,
    unlabelled, not a question or a link, with nothing under it (marked or
    labelled items are facts of their own; a table of contents points)."""
    plain = markup.plain_text(item.text).strip()
    return bool(
        plain and not item.children and len(plain) <= MAX_ANSWER_ITEM and not plain.endswith(("?", "？"))
        and not _LINK_ONLY.fullmatch(item.text.strip())
        and not markup.strong_spans(item.text) and _label(item) is None
    )


def _continued(state: _State, section: Section, line: int, text: str, answer_html: str, parent: str) -> None:
    """A lead-in line asked as written, its continuation below it the answer."""
    shown = markup.plain_text(text).strip().rstrip(",，:： ")
    front = _lead(state, section, parent, shown, title=True)
    front += f"<div class=prompt>{markup.inline_html(text.strip().rstrip(',，:： '))} …</div>"
    _add(state, section, line, Kind.DEFINITION, key=_join(parent, shown), front=front, back=answer_html)


def _heading_item(text: str) -> str:
    """The term a list item names when it is only that term: all bold, or a few
    words with no sentence punctuation ('' otherwise)."""
    plain = markup.plain_text(text).strip().rstrip(markup.COLONS).strip()
    if not plain or len(plain) > 30 or re.search(r"[。，,.;；！!？?]", plain):
        return ""
    whole_bold = bool(re.fullmatch(r"(\*\*|__)[^*_]+\1[:：]?", text.strip()))
    return plain if whole_bold or len(plain.split()) <= 4 else ""


def _label(item: ListItem) -> tuple[str, str] | None:
    return markup.split_label(item.text) if item.text else None


def _statement(
    state: _State, section: Section, line: int, text: str, below: tuple[Block, ...], summary: bool, parent: str
) -> bool:
    """A definition or a key statement (``below`` it: blocks shown with the
    answer); returns whether it made a fact."""
    several = statements.attributes(text)
    if several is not None:
        # "二项分布，X ~ B(n,p)，期望：np，方差：np(1-p)": one card per attribute of the subject.
        subject, pairs = several
        for attribute, value in pairs:
            lead, prompt = prompts.ask(subject, attribute, chinese_note=state.chinese)
            front = (f"<div class=lead>{markup.escape(lead)}</div>" if lead else "") + f"<div class=prompt>{markup.inline_html(prompt)}</div>"
            _add(state, section, line, Kind.DEFINITION, key=_join(parent, f"{subject} · {attribute}"),
                 front=front, back=markup.inline_html(value))
        return True
    label = markup.split_label(text)
    if label and label[1]:
        term, body = label
        # A matching exercise's answer ("`onStart()`: **B) Called when…**") keeps no option letter.
        body = _OPTION_LETTER.sub(r"\1", body, count=1)
        if markup.strong_spans(body) or (summary and _quoted(body) != body):
            cloze, _ = markup.cloze_html(_quoted(body) if not markup.strong_spans(body) else body)
            shown = markup.inline_html(term)
            html = f"<b>{shown}</b>：{cloze}" if state.chinese else f"<b>{shown}</b>: {cloze}"
            # "**缺点**：…" says whose only above it; a term under a heading shows the heading.
            attribute = prompts.is_attribute(markup.plain_text(term))
            html = _lead(state, section, parent, markup.plain_text(term), title=attribute) + html
            _add(state, section, line, Kind.MEMORY, key=_join(parent, term), text=html, extra=_html(below))
        else:
            _definition(state, section, line, term, markup.inline_html(body) + _html(below), parent)
        return True
    if text.endswith(tuple(markup.COLONS)) and not markup.strong_spans(text):
        return False  # a lead-in line, not a statement
    source = text if markup.strong_spans(text) else (_quoted(text) if summary else "")
    if not source:
        found = statements.definitions(text)
        if not found:
            return False  # prose that only explains
        for term, meaning in found:
            _definition(state, section, line, term, markup.inline_html(meaning) + _html(below), parent)
        return True
    cloze, count = markup.cloze_html(source)
    if not count:
        return False
    cloze = _lead(state, section, parent, markup.plain_text(source)) + cloze
    _add(state, section, line, Kind.MEMORY, key=_join(parent, _visible(source)), text=cloze, extra=_html(below))
    return True


def _html(blocks: tuple[Block, ...]) -> str:
    return "".join(b.html for b in blocks)


def _definition(state: _State, section: Section, line: int, term: str, answer_html: str, parent: str) -> None:
    """``term`` answered by ``answer_html``, asked about its subject: the
    parent item's label, else the section's heading (see :mod:`prompts`)."""
    subject = _subject_for(state, section, parent, title=True)
    lead, prompt = prompts.ask(
        subject, markup.plain_text(term), marker=bool(_MARKER.fullmatch(term)),
        chinese_note=state.chinese,
    )
    front = f"<div class=lead>{markup.escape(lead)}</div>" if lead else ""
    front += f"<div class=prompt>{markup.inline_html(prompt)}</div>"
    _add(state, section, line, Kind.DEFINITION, key=_join(parent, term), front=front, back=answer_html)


def _lead(state: _State, section: Section, parent: str, shown: str, title: bool = False) -> str:
    """The subject above a memory point that does not name it itself (the
    note's title only when ``title``: a statement is about its section)."""
    subject = _subject_for(state, section, parent, title=title)
    if not subject or prompts.names(shown, subject) or prompts.names(subject, shown):
        return ""
    return f"<div class=lead>{markup.escape(subject)}</div>"


_OPTION_LETTER = re.compile(r"^(\*\*|__)?[A-H][).．]\s+")


def _subject_for(state: _State, section: Section, parent: str, title: bool = False) -> str:
    """What a fact under ``parent`` (or directly in the section) is about: the
    parent item's label, with the section's subject in front when that label
    only names an attribute ("特点：" → "乐观锁 · 特点")."""
    own = _subject(parent)
    heading = prompts.subject_of(section, state.doc.title if title else "")
    if own and heading and prompts.is_attribute(own) and not prompts.names(own, heading):
        return f"{heading} · {own}"
    return own or heading


def _subject(parent: str) -> str:
    """A parent list item as a subject: its label, or its text when short."""
    if not parent:
        return ""
    label = markup.split_label(parent)
    text = (label[0] if label else parent).rstrip(markup.COLONS).strip()
    return text if len(text) <= 40 else ""


_GLOSS = re.compile(r"(?P<word>[^()（）\s][^()（）]{0,40}?)\s*[(（](?P<gloss>[^()（）]{1,60})[)）]")
"""A vocabulary item: a word and its meaning in brackets."""


def _set(state: _State, section: Section, block: ListBlock, items: list[ListItem], lead: str, lead_html: str = "") -> None:
    """One note asking a list item by item: item i is cloze i (``lead_html``:
    the lead as written, math and all, when it is an item of the note)."""
    tag = "ol" if block.ordered else "ul"
    parts = []
    glossed = [_GLOSS.fullmatch(item.text.strip()) for item in items]
    for number, item in enumerate(items, start=1):
        gloss = glossed[number - 1]
        if markup.strong_spans(item.text):
            html, _ = markup.cloze_html(item.text, start=number, same_number=True)
        elif all(glossed):
            # "- dürfen (to be allowed)" in a list of such: the word asks, its gloss answers.
            word, said = gloss.group("word"), gloss.group("gloss")
            html = f"{markup.inline_html(word)} ({markup.cloze(number, markup.inline_html(said))})"
        else:
            html = markup.cloze(number, markup.inline_html(item.text))
        parts.append(f"<li>{html}</li>")
        state.used.add(item.line)
    state.used.add(block.line)
    shown = lead
    if lead and prompts.is_attribute(lead.rstrip(markup.COLONS)):  # "特点：" says whose above it
        subject = prompts.subject_of(section)
        shown = f"{subject} · {lead}" if subject and not prompts.names(lead, subject) else lead
    head = f"<div class=lead>{lead_html or markup.escape(shown)}</div>" if shown else ""
    kind = Kind.PROCEDURE if block.ordered else Kind.LIST
    key = lead or (section.path[-1] if section.path else "list")
    _add(state, section, block.line, kind, key=key, text=f"{head}<{tag}>{''.join(parts)}</{tag}>")


MAX_LONE_ITEMS = 8


def _lone_list(state: _State, section: Section, block: ListBlock) -> bool:
    """A section that is only a short list of short unmarked items under a
    heading naming a term (``#### 人工半合成`` over ``- 阿米卡星、奈替米星``):
    the heading asks, the items answer — one by one when there are several.
    Returns whether it made a fact."""
    items = [i for i in block.items if i.line not in state.claimed]
    heading = prompts.subject_of(section)
    if block.ordered or any(markup.plain_text(i.text).rstrip().endswith((".", "。", "!", "！")) for i in items):
        return False  # steps are asked as a procedure; sentences state things of their own
    if not items or len(items) > MAX_LONE_ITEMS or not heading or not _term_heading(section.path):
        return False
    if not all(_short_plain(item) for item in items):
        return False
    if len(items) == 1:
        # The heading is the term: whose it is, the heading above says.
        state.used.add(items[0].line)
        lead, prompt = prompts.ask(prompts.subject_above(section, state.doc.title), heading, chinese_note=state.chinese)
        front = (f"<div class=lead>{markup.escape(lead)}</div>" if lead else "") + f"<div class=prompt>{markup.escape(prompt)}</div>"
        _add(state, section, items[0].line, Kind.DEFINITION, key=heading, front=front, back=markup.inline_html(items[0].text))
        return True
    _set(state, section, block, items, heading)
    return True


_VERSION = re.compile(r"^v?\d+(?:\.\d+)+|^\d{4}[-/.]\d{1,2}|\[\d")
_LINK_ONLY = re.compile(r"(?:\[[ xX]\]\s*)?(?:\[[^\]]*\]\([^)]*\)|\[\[[^\]]*\]\]|<?https?://\S+>?)")


_EXERCISE = re.compile(
    r"^(?:exercise|question|task|problem|lab|q|练习|习题|题目?|例题?|作业|added|changed|fixed|removed|deprecated|security)\s*\d*$",
    re.IGNORECASE,
)
"""Headings over items that are tasks or change-log entries, not what a term means."""


def _term_heading(path: tuple[str, ...]) -> bool:
    """Whether a section's heading names a term (not a question, a container
    word such as 总结, an exercise, a version or a date, nor a sentence), and
    no heading above it is a version (a change log)."""
    text = base.strip_ordinal(markup.plain_text(path[-1])).strip()
    return (
        0 < len(text) <= 30
        and not text.endswith(("?", "？", ":", "："))
        and not prompts.CONTAINER.fullmatch(text)
        and not _EXERCISE.match(text)
        and not any(_VERSION.match(base.strip_ordinal(h).strip()) for h in path)
        and not re.search(r"[。.!！;；]", text)
    )


def _heading_lead(section: Section) -> str:
    """A heading that introduces a list (``VPC Link工作流程：``, ``Steps``)."""
    if not section.path:
        return ""
    heading = section.path[-1]
    if heading.endswith(tuple(markup.COLONS)) or _LEAD_WORDS.search(heading):
        return heading.rstrip(markup.COLONS).strip()
    return ""


_MARKER = re.compile(
    r"(?:\w{0,8})(?:考点|注意|提示|陷阱|易错|重点|必记|必考|警告)|"
    r"(?:exam\s+)?(?:note|tip|trap|pitfall|warning|important|remember|caution)s?",
    re.IGNORECASE,
)
_LEAD_WORDS = re.compile(r"流程|步骤|场景|过程|方法|原因|steps?|procedure|process|workflow|scenarios?|use cases?|when to use", re.IGNORECASE)
_QUOTES = re.compile(r"“([^”*]{1,40})”|「([^」*]{1,40})」|\"([^\"*]{1,40})\"")


def _quoted(text: str) -> str:
    """Quoted phrases made bold, so they can serve as cloze deletions."""
    return _QUOTES.sub(lambda m: "“**" + next(g for g in m.groups() if g) + "**”", text)


def _visible(text: str) -> str:
    """The part of a statement that stays visible on a cloze card (its key)."""
    without = re.sub(r"\*\*[^*]+\*\*", "…", text)
    return markup.plain_text(without)[:80]


def _join(parent: str, key: str) -> str:
    """A nested item's key: under its parent's label when it has one, so
    editing the parent's answer does not change the child's identity."""
    if not parent:
        return key
    label = markup.split_label(parent)
    return f"{(label[0] if label else parent)[:40]} › {key}"


def _add(state: _State, section: Section, line: int, kind: Kind, key: str, **sides: str) -> None:
    state.facts.append(Fact(kind=kind, origin=base.origin(state.doc, section, line), key=key, **sides))
