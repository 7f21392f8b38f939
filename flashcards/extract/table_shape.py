"""Table shapes: which tables teach a contrast, and which of their cells to ask.

Two shapes are worth cards (see ``card-design.md``):

* a **comparison** table names its dimensions down the first column and the
  compared things across the header — ``| 对比维度 | VPC Link | VGW |``,
  often with an empty first header cell;
* an **attribute** table has one thing per row and its attributes across —
  ``| 服务类型 | 网络形态 | … |``, ``| Service | Pricing | … |``.

Either way a cell is "thing · attribute → value". The shape is decided by
the header's words (Chinese and English), then by the section headings. A
table that reads as neither — numbered rows (an execution trace or a ranked
list), a long run of numbers, no usable first column, too many cells — gets a
reason instead of cells, so the build summary can say why it was left out.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from dataclasses import dataclass

from flashcards import markup
from flashcards.model import Table

MAX_ROWS = 20
"""A longer table reads as a data dump, not as facts to learn one by one."""
MAX_COLUMNS = 8
MAX_CELLS = 60
"""More cells than this would flood the deck; the note should be split."""
NUMERIC_ROWS = 8
"""A table of mostly numbers longer than this is a data table."""


class Layout(enum.StrEnum):
    """How a table lays out its facts."""

    COMPARISON = "comparison"
    """Dimensions down the first column, compared things across the header."""
    ATTRIBUTE = "attribute"
    """One thing per row, its attributes across the header."""


@dataclass(frozen=True)
class Cell:
    """One askable cell: ``thing · attribute → value``."""

    row: int
    """Index of the cell's row in ``Table.rows``."""
    column: int
    """Index of the cell's column in ``Table.header``."""
    thing: str
    """Plain text of what the cell is about (a compared thing or a row's thing)."""
    attribute: str
    """Plain text of what is asked about it (a dimension or a column header)."""
    value: str
    """The cell's inline Markdown."""

    @property
    def key(self) -> str:
        """What the cell asks, independent of its value and of the table's order."""
        return f"{self.thing} · {self.attribute}"


@dataclass(frozen=True)
class Shape:
    """What a table is and which of its cells to ask."""

    layout: Layout | None
    """None when the table is not turned into cards (see ``reason``)."""
    cells: tuple[Cell, ...] = ()
    reason: str = ""
    """Why the table is left out, when ``layout`` is None."""
    notes: tuple[tuple[int, str], ...] = ()
    """(row index or -1 for the header, message) for parts of an asked table
    that could not be asked (a row without a name, a nameless column)."""
    examples: tuple[int, ...] = ()
    """Rows left out as example data (``e.g.`` rows, rows that are all ✅ or all
    the same); -1 when the whole table is example data (rows keyed by ids)."""


# First header cell of a comparison table: the dimensions' column.
_DIMENSION = re.compile(
    r"对比|比较|维度|特性|特点|特征|属性|方面|指标|区别|差异|功能|项目|考点|"
    r"\b(?:features?|aspects?|dimensions?|criteria|criterion|propert(?:y|ies)|attributes?|"
    r"characteristics?|comparison|compare|factors?|metrics?|differences?)\b|\bvs\.?\b|\\",
    re.IGNORECASE,
)
# First header cell of an attribute table: what each row is.
_ENTITY = re.compile(
    r"服务|类型|名称|方案|选项|产品|工具|模式|技术|组件|实例|引擎|存储类|术语|概念|参数|命令|配置|字段|算法|方法|协议|"
    r"\b(?:services?|types?|names?|options?|products?|tools?|modes?|technolog(?:y|ies)|components?|"
    r"engines?|class(?:es)?|tiers?|terms?|concepts?|parameters?|commands?|settings?|fields?|"
    r"algorithms?|methods?|protocols?|models?|plans?|solutions?|approach(?:es)?|resources?|items?)\b",
    re.IGNORECASE,
)
# A column that describes rather than names a compared thing.
_DESCRIBES = re.compile(
    r"说明|描述|含义|解释|定义|意义|备注|注释|"
    r"^(?:descriptions?|meanings?|explanations?|definitions?|notes?|remarks?|comments?|details?|values?)$|是否|[?？]",
    re.IGNORECASE,
)
# Attributes a prompt should not name: "X · 含义？" reads better as "X是什么？",
# "超时时间 · 说明？" as "超时时间？".
_DEFINES = re.compile(r"^(?:含义|定义|解释|意义|释义|meanings?|definitions?|explanations?)$", re.IGNORECASE)
_DESCRIBES_ONLY = re.compile(r"^(?:说明|描述|简介|descriptions?|details?|values?|值)$", re.IGNORECASE)
# Columns (or comparison rows) shown on the back but not asked: asides, not facts.
_ASIDE = re.compile(
    r"^(?:备注|注释|注意|其他|notes?|remarks?|comments?|misc|(?:中文|英文)?(?:翻译|译文)|(?:中文|英文)(?:注释|释义|意思)|"
    r"translations?|(?:chinese|english) (?:translation|notes?|meaning))$",
    re.IGNORECASE,
)
# Headings that announce a comparison.
_COMPARE_HEADING = re.compile(r"对比|比较|区别|差异|\bvs\.?\b|versus|compar|difference", re.IGNORECASE)

# Cells that hold no fact: empty, dashes, "N/A", "?".
_BLANK = re.compile(r"^(?:[-–—_/?？.…\s]*|n\s*/\s*a|n\.a\.|na|tbd|todo)$", re.IGNORECASE)
_NUMBER = re.compile(
    r"^[~≈<>≤≥±+\-−]?\s*[$¥€£]?\s*\d[\d,.\s]*(?:[%‰x×]|[a-zA-Zµ]{1,4}|个|次|秒|毫秒|分钟|小时|天|月|年|元|倍)?"
    r"(?:\s*/\s*[a-zA-Z\u4e00-\u9fff]{1,6})?$"
)
# Row names that only count: 1, #2, 第3步, Step 4, 第一轮 — a trace or a ranking.
_ORDINAL_KEY = re.compile(
    r"^(?:#?\d+[.)、:]?|第?[\d一二三四五六七八九十]+[步轮次行项]|(?:step|round|pass|iteration|t|i)\s*\d+)$",
    re.IGNORECASE,
)


_ID_KEY = re.compile(r"^(?:#?\d{2,6}|\*|rule\s*#?\d+|规则\s*\d+)$", re.IGNORECASE)
_EXAMPLE_KEY = re.compile(r"^(?:e\.?\s?g\.?|ex\.?|example|examples|sample|例|例如|示例|举例|样例)[:：]?$", re.IGNORECASE)


def _all_same(cells: tuple[str, ...]) -> bool:
    """A row whose cells all say the same (all ✅): it tells nothing apart."""
    values = [plain(c) for c in cells if not is_blank(c)]
    return len(values) >= 2 and len(set(values)) == 1


def plain(cell: str) -> str:
    """A cell's inline Markdown as one line of plain text."""
    return markup.plain_text(cell)


def is_blank(cell: str) -> bool:
    """Whether a cell holds no fact (``-``, empty, ``N/A``; an image is a fact)."""
    return bool(_BLANK.match(plain(cell))) and "![" not in cell and "<img" not in cell.lower()


def prompt_form(attribute: str) -> str:
    """How to ask for an attribute: "define", "describe" (name only the thing) or ""."""
    if _DEFINES.match(attribute):
        return "define"
    if _DESCRIBES_ONLY.match(attribute):
        return "describe"
    return ""


def classify(table: Table, headings: tuple[str, ...] = (), title: str = "") -> Shape:
    """Decide a table's layout and its askable cells, or why it is left out."""
    header = tuple(plain(h) for h in table.header)
    rows = [(i, row) for i, row in enumerate(table.rows) if not all(is_blank(c) for c in row)]
    reason = _not_facts(header, [row for _, row in rows])
    if reason:
        return Shape(None, reason=reason)
    layout = _layout(header, headings, title)
    if sum(1 for _, row in rows if _ID_KEY.match(plain(row[0]))) * 2 > len(rows) >= 2:
        # Rule 100, 110, *: sample rows of a configuration, shown whole on one card.
        return Shape(None, reason="example data: rows keyed by ids", examples=(-1,))
    examples = [i for i, row in rows if _EXAMPLE_KEY.match(plain(row[0])) or _all_same(row[1:])]
    rows = [(i, row) for i, row in rows if i not in examples]
    cells: list[Cell] = []
    notes: list[tuple[int, str]] = []
    askable_columns = [c for c in range(1, len(header)) if header[c]]
    if len(askable_columns) < len(header) - 1:
        notes.append((-1, "a column has no header; its cells are not asked"))
    keys = Counter(plain(row[0]) for _, row in rows)
    for index, row in rows:
        name = plain(row[0])
        if not name:
            notes.append((index, "row has nothing in its first column; its cells are not asked"))
            continue
        if keys[name] > 1:
            notes.append((index, f"another row is also named '{name}'; its cards are told apart by order only"))
        for column in askable_columns:
            if is_blank(row[column]):
                continue
            if layout is Layout.COMPARISON:
                thing, attribute = header[column], name
            else:
                thing, attribute = name, header[column]
            if _ASIDE.match(attribute):
                continue
            cells.append(Cell(index, column, thing, attribute, row[column]))
    if not cells:
        return Shape(None, reason="no cell holds a fact to ask", examples=tuple(examples))
    return Shape(layout, tuple(cells), notes=tuple(notes), examples=tuple(examples))


def _not_facts(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """Why a table is not a table of facts ('' when it is)."""
    if len(header) < 2:
        return "a one-column table is a list, not a comparison"
    if not rows:
        return "the table has no rows"
    if len(header) > MAX_COLUMNS:
        return f"{len(header)} columns is too wide to ask cell by cell"
    if len(rows) > MAX_ROWS:
        return f"{len(rows)} rows reads as a data dump; split it to get cards"
    keys = [plain(row[0]) for row in rows]
    named = [k for k in keys if k]
    if len(named) * 2 <= len(keys):
        return "the first column does not name its rows"
    if len(rows) >= 3 and sum(1 for k in named if _ORDINAL_KEY.match(k)) * 5 >= len(named) * 4:
        return "its rows are numbered steps (a trace or sequence), not things to compare"
    values = [plain(c) for row in rows for c in row[1:] if not is_blank(c)]
    numeric = sum(1 for v in values if _NUMBER.match(v))
    if len(rows) > NUMERIC_ROWS and values and numeric * 2 >= len(values):
        return f"{len(rows)} rows of mostly numbers reads as a data table"
    if len(values) > MAX_CELLS:
        return f"{len(values)} cells would flood the deck; split the table to get cards"
    return ""


def _layout(header: tuple[str, ...], headings: tuple[str, ...], title: str) -> Layout:
    first, others = header[0], header[1:]
    if any(_DESCRIBES.search(h) for h in others):
        return Layout.ATTRIBUTE  # "| 参数 | 说明 |": the columns describe, they are not things
    if not first or _DIMENSION.search(first):
        return Layout.COMPARISON
    if _ENTITY.search(first):
        return Layout.ATTRIBUTE
    # Unnamed first column: a few named columns under a "vs"/对比 heading are the compared things.
    if len(others) <= 4 and any(_COMPARE_HEADING.search(h) for h in (title, *headings)):
        return Layout.COMPARISON
    return Layout.ATTRIBUTE
