"""Tables: one card per fact cell of a comparison or attribute table.

The front asks for one cell — ``VPC Link · 流量方向？`` — and the back gives
the value above the row it sits in (the whole table when it is small), the
asked cell marked with the ``fc-asked`` class, so every answer shows the
contrast with the things it is compared with. Which tables qualify and which
cells are asked is decided in :mod:`flashcards.extract.table_shape`; a table
left out is named in the build summary with the reason.

A cell's key is ``thing · attribute`` in plain text: with the note and the
heading path it is the card's identity, so editing a value updates the same
Anki note and reordering rows or columns keeps every card.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from flashcards import markup
from flashcards.extract import base, prompts, statements
from flashcards.extract.table_shape import (
    Cell,
    Shape,
    classify,
    is_blank,
    plain,
    prompt_form,
)
from flashcards.extract.gate import EXAMPLE_DATA
from flashcards.model import (
    Block,
    Diagnostic,
    Document,
    Extraction,
    Fact,
    Kind,
    LeftOut,
    ListBlock,
    Quote,
    Section,
    Table,
)

WHOLE_TABLE_ROWS = 4
WHOLE_TABLE_COLUMNS = 5
"""A table this small is shown whole on the back; a larger one shows the asked row."""

_YES = re.compile(r"^(?:✅|✔️?|✓|☑️?|√|🟢)$")
_NO = re.compile(r"^(?:❌|✖️?|✗|✘|×|⛔|🔴)$")


@dataclass(frozen=True)
class _Found:
    """A table with where it sits: its section and the list item introducing it."""

    table: Table
    section: Section
    lead: str
    """Plain text of the list item holding the table ('' for a top-level table)."""


def extract(doc: Document, claimed: frozenset[int] = frozenset()) -> Extraction:
    """One fact per askable cell of every comparison or attribute table."""
    chinese = base.is_chinese(doc)
    facts: list[Fact] = []
    warnings: list[Diagnostic] = []
    left_out: list[LeftOut] = []
    used: set[int] = set()
    for found in _tables(doc, claimed):
        table = found.table
        shape = classify(table, found.section.path, doc.title)
        for row in shape.examples:
            lines = table.row_lines if row < 0 else (table.row_lines[row],)
            left_out.extend(LeftOut(doc.path, line, EXAMPLE_DATA, plain(table.rows[table.row_lines.index(line)][0]))
                            for line in lines)
        if -1 in shape.examples:
            # Sample rows of a rule table: the table is shown whole, on one card about it.
            facts.append(_about(doc, found, table))
            used.add(table.line)
            continue
        if shape.layout is None:
            warnings.append(Diagnostic(doc.path, table.line, f"table not turned into cards: {shape.reason}"))
            continue
        for row, message in shape.notes:
            line = table.row_lines[row] if row >= 0 else table.line
            warnings.append(Diagnostic(doc.path, line, f"table: {message}"))
        # Sibling tables share their row and column labels ("maskulin · Dativ"):
        # with an empty corner cell, the heading above names what the table is about.
        subject = prompts.subject_of(found.section)
        if subject and any(prompts.names(plain(h), subject) for h in table.header[1:] if plain(h)):
            subject = prompts.subject_above(found.section)  # "### 支原体肺炎" over a table comparing it with another
        corner = plain(table.header[0])
        # A corner cell that is empty, generic ("Content") or restates the heading
        # ("Relativpronomen" under "## Relativpronomen"): the heading is the subject.
        names_subject = corner and subject and prompts.names(subject, corner)
        lead = found.lead or ("" if corner and not _GENERIC_CORNER.match(corner) and not names_subject else subject)
        # A "Description" column asked by the thing alone, unless another column is asked too.
        alone = len({c.attribute for c in shape.cells}) == 1
        for cell in shape.cells:
            # The prompt asks in the language of what it asks about.
            zh = prompts.asks_in_chinese(cell.key, chinese)
            parts = statements.labelled_parts(cell.value)
            if parts:
                # "**Components**: … <br> **Connectors**: …": one card per labelled part.
                facts.extend(_part(doc, found, table, cell, lead or subject, label, body, chinese) for label, body in parts)
                continue
            facts.append(
                Fact(
                    kind=Kind.TABLE,
                    origin=base.origin(doc, found.section, table.row_lines[cell.row]),
                    key=_join(found.lead, cell.key),
                    # A row named by an attribute ("Context", "优点") is about the heading's subject.
                    front=front_html(cell, lead or (subject if prompts.is_attribute(cell.thing) else ""), zh, alone),
                    back=back_html(table, cell, zh),
                    # Offered always; cards.py keeps it only when the
                    # configuration turns reverse cards on for tables.
                    reverse=reverse_prompt(shape, cell, zh),
                )
            )
        used.add(table.line)
    return Extraction(tuple(facts), tuple(warnings), frozenset(used), tuple(left_out))


_GENERIC_CORNER = re.compile(
    r"^(?:contents?|items?|aspects?|attributes?|properties|property|features?|details?|dimensions?|criteria|"
    r"项目|内容|方面|属性|特性|特点|维度|要点|对比项|比较项)$",
    re.IGNORECASE,
)
"""A corner cell naming no thing: the rows are attributes of the heading's subject."""


def _part(doc: Document, found: _Found, table: Table, cell: Cell, subject: str, label: str, body: str, chinese: bool) -> Fact:
    """One labelled part of a cell, asked ``subject · row › label？``."""
    zh = prompts.asks_in_chinese(label, chinese)
    row = "" if cell.thing.rstrip().endswith(("?", "？")) or prompts.names(subject, cell.thing) else cell.thing
    lead = " · ".join(x for x in (subject, row) if x)
    prompt = f"{label}{'？' if zh else '?'}"
    if prompt_form(label) == "define" and lead:  # "**Definition**: …" defines the subject
        prompt, lead = (f"{lead}是什么？" if zh else f"What is {lead}?"), ""
    head = f'<div class="lead">{markup.escape(lead)}</div>' if lead else ""
    answer = f'<div class="fc-answer">{answer_html(body, zh)}</div>'
    return Fact(
        kind=Kind.TABLE,
        origin=base.origin(doc, found.section, table.row_lines[cell.row]),
        key=_join(found.lead, f"{cell.key} › {label}"),
        front=head + f'<div class="prompt">{markup.escape(prompt)}</div>',
        back=answer + table_html(table, (cell.row,), asked=(cell.row, cell.column)),
    )


def _about(doc: Document, found: _Found, table: Table) -> Fact:
    """One card showing a table of examples whole: asked by what it is about."""
    subject = found.lead or prompts.subject_of(found.section, doc.title) or "table"
    zh = markup.has_cjk(subject)
    front = f'<div class="prompt">{markup.escape(subject)}{"？" if zh else "?"}</div>'
    back = table_html(table, range(len(table.rows)), asked=(-1, -1))
    return Fact(kind=Kind.TABLE, origin=base.origin(doc, found.section, table.line), key=subject, front=front, back=back)


def _tables(doc: Document, claimed: frozenset[int]) -> Iterator[_Found]:
    """Every unclaimed table, including those inside list items and quotes."""
    for section in base.sections(doc):
        yield from _in_blocks(section, section.blocks, "", claimed)


def _in_blocks(section: Section, blocks: tuple[Block, ...], lead: str, claimed: frozenset[int]) -> Iterator[_Found]:
    for block in blocks:
        if isinstance(block, Table) and block.line not in claimed:
            yield _Found(block, section, lead)
        elif isinstance(block, ListBlock):
            # A list shares its line with its first item: claims are checked per item.
            for item in block.items:
                if item.line in claimed:
                    continue
                # "- 对比：" introducing a table names what the table is about.
                item_lead = plain(item.text).rstrip(markup.COLONS).strip() or lead
                yield from _in_blocks(section, item.children, item_lead, claimed)
        elif isinstance(block, Quote) and block.line not in claimed:
            yield from _in_blocks(section, block.children, lead, claimed)


def _join(lead: str, key: str) -> str:
    return f"{lead[:40]} › {key}" if lead else key


def front_html(cell: Cell, lead: str, chinese: bool, alone: bool = True) -> str:
    """The question: ``thing · attribute？`` under the list item that introduces the table."""
    head = f'<div class="lead">{markup.escape(lead)}</div>' if lead else ""
    return head + f'<div class="prompt">{markup.escape(prompt_text(cell, chinese, alone))}</div>'


def back_html(table: Table, cell: Cell, chinese: bool) -> str:
    """The value, then the row (or the small table) with the asked cell marked."""
    small = len(table.rows) <= WHOLE_TABLE_ROWS and len(table.header) <= WHOLE_TABLE_COLUMNS
    rows = range(len(table.rows)) if small else (cell.row,)
    answer = f'<div class="fc-answer">{answer_html(cell.value, chinese)}</div>'
    # Sanitised already: every cell is inline_html's output inside our own tags.
    return answer + table_html(table, rows, asked=(cell.row, cell.column))


def answer_html(value: str, chinese: bool) -> str:
    """A cell's value as HTML; a lone ✅/❌ also says yes or no in words."""
    html = markup.inline_html(value)
    text = plain(value)
    if _YES.match(text):
        return f"{html} {'是' if chinese else 'Yes'}"
    if _NO.match(text):
        return f"{html} {'否' if chinese else 'No'}"
    return html


def table_html(table: Table, rows: range | tuple[int, ...], asked: tuple[int, int]) -> str:
    """The header and the given body rows, the asked (row, column) cell marked."""
    head = "".join(f"<th>{markup.inline_html(h)}</th>" for h in table.header)
    body = []
    for r in rows:
        cells = []
        for c, value in enumerate(table.rows[r]):
            mark = ' class="fc-asked"' if (r, c) == asked else ""
            cells.append(f"<td{mark}>{markup.inline_html(value)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<div class="fc-table"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def reverse_prompt(shape: Shape, cell: Cell, chinese: bool) -> str:
    """A prompt asking the other way — given the value, which thing? — or ''.

    Only a value that tells its thing apart from the others compared on the
    same attribute can be asked backwards (three ``否`` cannot). Reverse
    cards are off by default: ``cards.reverse`` in the configuration.
    """
    text = plain(cell.value)
    if is_blank(cell.value) or _YES.match(text) or _NO.match(text):
        return ""
    same = [c for c in shape.cells if c.attribute == cell.attribute and c is not cell]
    if not same or any(base.normalise_key(plain(c.value)) == base.normalise_key(text) for c in same):
        return ""
    things = " / ".join(dict.fromkeys([cell.thing, *(c.thing for c in same)]))
    if chinese:
        prompt = f"{cell.attribute}为「{text}」的是哪一个？"
    else:
        prompt = f"Which one has {cell.attribute}: “{text}”?"
    return f'<div class="lead">{markup.escape(things)}</div><div class="prompt">{markup.escape(prompt)}</div>'


def prompt_text(cell: Cell, chinese: bool, alone: bool = True) -> str:
    """The question in words: ``VPC Link · 流量方向？``, ``CIDR是什么？``, ``超时时间？``
    (a description column asks by the thing alone when it is the only column asked)."""
    form = prompt_form(cell.attribute)
    if form == "define":
        return f"{cell.thing}是什么？" if chinese else f"What is {cell.thing}?"
    asked = cell.thing if form == "describe" and alone else cell.key
    return asked.rstrip(":：?？ ") + ("？" if chinese else "?")
