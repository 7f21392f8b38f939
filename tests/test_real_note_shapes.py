"""Shapes of real study notes, and what must never become a card.

The specification is ``shared/docs/real-notes.md``: its sections "Shapes to
recognise" and "What must never become a card". Each shape and each rule has
one invented note in ``tests/fixtures/realnotes/`` (``shape-*.md`` and
``rule-*.md``). The expectations below are what a careful student would
expect of the deck built from that note, written from the document, not
from what the tool happens to output.

Lines are found by their text (:func:`line_of`), so a fixture can be edited
without renumbering the expectations.
"""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from anki.collection import Collection

from flashcards.build import BuildResult
from flashcards.model import Card, Kind
from flashcards.notetypes import BASIC_FIELDS, CLOZE_FIELDS
from tests.conftest import FIXTURES, import_deck, run_build, run_cli

REAL = FIXTURES / "realnotes"
NOTES = sorted(REAL.glob("*.md"))
SHAPES = [p for p in NOTES if p.name.startswith("shape-")]
RULES = [p for p in NOTES if p.name.startswith("rule-")]
NOW = 1_790_000_000

_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::[^}]*)?\}\}", re.DOTALL)
_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|li|div|tr|h\d|blockquote|pre|table|ul|ol)>|<(?:li|p|div|tr)\b[^>]*>", re.IGNORECASE)
_CODE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)
_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
REVEAL_LABELS = re.compile(
    r"^(?:show|hide|answers?|solutions?|reveal|details|click(?: here)? to (?:reveal|show|see).*|答案|解析|查看答案|点击.*)[?？:：]?$",
    re.IGNORECASE,
)


# ------------------------------------------------------------------ helpers


def visible(fragment: str) -> str:
    """The words an HTML fragment shows, one line per block."""
    text = _BLOCK_END.sub("\n", fragment)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def flat(fragment: str) -> str:
    return re.sub(r"\s+", " ", visible(fragment)).strip()


def shown_cloze(text: str) -> str:
    """A cloze text with every deletion shown."""
    return _CLOZE.sub(lambda m: m.group(2), text)


def line_of(note: str, words: str) -> int:
    """The 1-based line of ``note`` (a fixture name) holding ``words``."""
    for number, line in enumerate((REAL / note).read_text(encoding="utf-8").splitlines(), 1):
        if words in line:
            return number
    raise AssertionError(f"{words!r} is not in {note}")


@dataclass(frozen=True)
class Side:
    """A card as its student sees it, in plain text."""

    card: Card
    fields: dict[str, str]

    @property
    def kind(self) -> Kind:
        return self.card.kind

    @property
    def line(self) -> int:
        return self.card.origin.line

    @property
    def front(self) -> str:
        if self.kind.is_cloze:
            return flat(shown_cloze(self.fields["Text"]))
        return flat(self.fields["Front"])

    @property
    def asks(self) -> str:
        """The breadcrumb and the front: everything shown before the answer."""
        return f"{flat(self.fields['Context'])} {self.front}"

    @property
    def back(self) -> str:
        if self.kind.is_cloze:
            return f"{flat(shown_cloze(self.fields['Text']))} {flat(self.fields['Back'])}".strip()
        return flat(self.fields["Back"])

    @property
    def everything(self) -> str:
        return " ".join(flat(shown_cloze(v)) for k, v in self.fields.items() if k not in ("Source", "Lang"))

    def deletions(self) -> list[str]:
        return [m.group(2) for m in _CLOZE.finditer(self.fields.get("Text", ""))]

    def __str__(self) -> str:
        return f"{self.card.origin.path}:{self.line} [{self.kind.value}] {self.asks!r} => {self.back[:120]!r}"


def sides(result: BuildResult, note: str) -> list[Side]:
    out = []
    for card in result.cards:
        if card.origin.path == note:
            names = CLOZE_FIELDS if card.kind.is_cloze else BASIC_FIELDS
            out.append(Side(card, dict(zip(names, card.fields))))
    return out


def listing(cards: list[Side]) -> str:
    return "\n".join(map(str, cards)) or "(no cards)"


def fold(text: str) -> str:
    return text.casefold()


def find(cards: list[Side], asks: tuple[str, ...], back: tuple[str, ...] = ()) -> list[Side]:
    """The cards whose breadcrumb+front shows every word of ``asks`` and whose back every word of ``back``."""
    return [
        c for c in cards
        if all(fold(w) in fold(c.asks) for w in asks) and all(fold(w) in fold(c.back) for w in back)
    ]


def raw_leftovers(field: str) -> list[str]:
    """Markdown syntax a student would see on a card side (outside code and math)."""
    text = _CODE.sub(" ", field)
    text = _MATH.sub(" ", text)
    text = shown_cloze(text)
    shown = visible(text)
    found = []
    checks = {
        "==highlight==": r"==\S|\S==",
        "[[wikilink]]": r"\[\[|\]\]",
        ":::": r":::",
        "!!! admonition": r"!!!",
        "**": r"\*\*",
        "callout marker": r"\[![A-Za-z]+\]",
        "leading '- '": r"(?m)^- ",
        "heading marker": r"(?m)^#{1,6} ",
        "$ outside math": r"\$",
        "raw HTML tag": r"</?(?:details|summary|u|mark)\b",
        "trailing #tag": r"(?:^|\s)#[^\s#]+\s*$",
    }
    for name, pattern in checks.items():
        if re.search(pattern, shown):
            found.append(name)
    if shown and re.fullmatch(r"(?:#[^\s#]+\s*)+", shown):
        found.append("#tag as a whole side")
    return found


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """Every realnotes fixture built once, through the real pipeline."""
    base = tmp_path_factory.mktemp("realnotes")
    notes = base / "notes"
    notes.mkdir()
    for note in NOTES:
        shutil.copy(note, notes / note.name)
    return run_build(notes, base / "out", now=NOW)


# ------------------------------------------------------------------ shapes

# note -> [(words the breadcrumb+front shows, words the back shows, kind or None)]
SHAPE_CARDS: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], Kind | None]]] = {
    # consecutive term：value lines are one paragraph, each line an item
    "shape-lines-without-markers.md": [
        (("先来先服务",), ("到达就绪队列的顺序",), None),
        (("短作业优先",), ("估计运行时间最短",), None),
        (("时间片轮转",), ("固定长度的时间片",), None),
    ],
    # X 是/指 …, X is/refers to …
    "shape-definitional-prose.md": [
        (("聚簇索引",), ("按照索引键的顺序物理存储",), None),
        (("Memoization",), ("storing the result of a function call",), None),
        (("covering index",), ("contains every column a query reads",), None),
        (("乐观锁",), ("提交时再检查版本",), None),
        (("悲观锁",), ("访问前先加锁",), None),
        (("根端口",), ("路径开销最低",), None),
        (("Designated Port",), ("forwards frames away",), None),
        (("Heapsort",), ("builds a heap from the input",), None),  # ("He…" is no pronoun)
    ],
    # the summary is a label: the question is what comes before it
    "shape-question-reveal.md": [
        (("DNS use for ordinary queries", "TCP", "ICMP"), ("UDP",), Kind.MCQ),
        (("What port does HTTPS listen on",), ("443",), Kind.QUESTION),
        (("解析为 MAC 地址", "DHCP"), ("ARP",), Kind.MCQ),
        (("What does the TTL field of an IP packet limit",), ("router hops",), Kind.QUESTION),
        (("What does NAT translate",), ("Private addresses and ports",), Kind.QUESTION),
    ],
    # > [!question] with the answer in its body or a nested > > [!success]-; > [!tip] memory points
    "shape-question-callouts.md": [
        (("git fetch 和 git pull 有什么区别",), ("只下载远程的提交", "fetch 之后再 merge"), Kind.QUESTION),
        (("What does git stash do",), ("shelves uncommitted changes",), Kind.QUESTION),
        (("rebase",), ("改写提交历史",), None),
    ],
    # ::: tip and !!! note: content, with the marker lines removed
    "shape-containers.md": [
        (("计算属性",), ("基于响应式依赖缓存结果",), None),
        (("Virtual DOM",), ("plain JavaScript objects",), None),
    ],
    # a numbered task (with or without a space after the number) and the fence that solves it
    "shape-task-solution.md": [
        (("查看当前目录下的所有文件",), ("ls -a",), Kind.QUESTION),
        (("创建一个名为 backup 的目录",), ("mkdir backup",), Kind.QUESTION),
        (("统计文件 access.log 的行数",), ("wc -l access.log",), Kind.QUESTION),
    ],
    # in a note of tasks, a heading (and the task under it) is answered by its code block
    "shape-fenced-tasks.md": [
        (("撤销最近一次提交但保留改动",), ("git reset --soft HEAD~1",), Kind.QUESTION),
        (("创建分支", "新建名为 hotfix 的分支"), ("git switch -c hotfix",), Kind.QUESTION),
        (("查看某一行的作者", "第 10 行"), ("git blame -L 10,10 app.py",), Kind.QUESTION),
    ],
    # a cell made of bold-labelled parts: one card per part, under the table's subject
    "shape-labelled-cells.md": [
        (("B+ 树索引 · 结构 叶子节点",), ("存放全部数据",), Kind.TABLE),
        (("B+ 树索引", "非叶子节点"), ("只存放键",), Kind.TABLE),
        (("B+ 树索引 · 优缺点 优点",), ("范围查询快", "磁盘读写少"), Kind.TABLE),
        (("B+ 树索引 · 优缺点 缺点",), ("插入时可能分裂页",), Kind.TABLE),
        (("What is Write-ahead logging",), ("written to a log before",), Kind.TABLE),
        (("Write-ahead logging", "Purpose"), ("recovery after a crash",), Kind.TABLE),
        (("Write-ahead logging", "Cost"), ("written twice",), Kind.TABLE),
    ],
    # an item over a short list of unmarked sub-items: a term and what it says, or a lead-in and how it ends
    "shape-nested-answers.md": [
        (("What is the law of supply",), ("higher price, more quantity supplied",), Kind.DEFINITION),
        (("Supply is elastic when following a price change",), ("quantity supplied changes a lot",), Kind.DEFINITION),
        (("At the equilibrium price",), ("quantity supplied equals quantity demanded",), Kind.DEFINITION),
    ],
    # Question？ #flashcard, # 面试官：…？, a bold line ending in ？ and its answer
    "shape-question-lines.md": [
        (("HashMap 的默认初始容量是多少",), ("16", "0.75"), Kind.QUESTION),
        (("HashMap 为什么线程不安全",), ("互相覆盖写入",), Kind.QUESTION),
        (("ArrayList 扩容时新容量是原来的多少倍",), ("1.5 倍",), Kind.QUESTION),
    ],
    # ```text / un-languaged fences holding mnemonics are content
    "shape-text-fence.md": [
        (("元素周期表前十位",), ("氢氦锂铍硼，碳氮氧氟氖",), None),
        (("OSI layers",), ("All People Seem To Need Data Processing",), None),
    ],
}

# note -> [(a card's breadcrumb+front, words its back must NOT show)]: answers do not run together
SEPARATE_ANSWERS = [
    ("shape-definitional-prose.md", ("悲观锁",), "提交时再检查版本"),
    ("shape-lines-without-markers.md", ("先来先服务",), "估计运行时间最短"),
    ("shape-lines-without-markers.md", ("短作业优先",), "固定长度的时间片"),
    ("shape-question-reveal.md", ("TTL field",), "Private addresses"),
    ("shape-question-reveal.md", ("NAT translate",), "router hops"),
]

# note -> words no card may show anywhere (paragraphs that only explain, empty reveal blocks)
SHAPE_NOTHING = [
    ("shape-definitional-prose.md", "执行计划"),
    ("shape-definitional-prose.md", "debugging"),
    ("shape-question-reveal.md", "traceroute"),
]


@pytest.mark.parametrize(
    ("note", "asks", "back", "kind"),
    [(note, *card) for note, cards in SHAPE_CARDS.items() for card in cards],
    ids=[f"{note[6:-3]}:{card[0][0]}" for note, cards in SHAPE_CARDS.items() for card in cards],
)
def test_shape_gives_the_card_a_student_expects(
    deck: BuildResult, note: str, asks: tuple[str, ...], back: tuple[str, ...], kind: Kind | None
) -> None:
    cards = sides(deck, note)
    matching = find(cards, asks, back)
    assert matching, f"no card asks {asks} with {back} on its back; the note gave:\n{listing(cards)}"
    if kind is not None:
        assert any(c.kind is kind for c in matching), f"expected a {kind.value} card:\n{listing(matching)}"
    assert len(matching) == 1 or len({c.back for c in matching}) == 1, (
        f"several cards ask {asks} with different answers:\n{listing(matching)}"
    )


@pytest.mark.parametrize(("note", "asks", "not_back"), SEPARATE_ANSWERS, ids=lambda v: str(v)[:20])
def test_each_line_or_block_is_its_own_card(deck: BuildResult, note: str, asks: tuple[str, ...], not_back: str) -> None:
    cards = find(sides(deck, note), asks)
    assert cards, f"no card asks {asks}:\n{listing(sides(deck, note))}"
    for card in cards:
        assert not_back not in card.back, f"two items ran together: {card}"


@pytest.mark.parametrize(("note", "words"), SHAPE_NOTHING, ids=lambda v: str(v)[:20])
def test_explaining_paragraphs_and_empty_reveal_blocks_give_no_card(deck: BuildResult, note: str, words: str) -> None:
    cards = sides(deck, note)
    assert not [c for c in cards if fold(words) in fold(c.everything)], listing(cards)


def test_lines_without_markers_give_one_card_per_line(deck: BuildResult) -> None:
    note = "shape-lines-without-markers.md"
    lines = {line_of(note, t) for t in ("先来先服务", "短作业优先", "时间片轮转")}
    cards = [c for c in sides(deck, note) if c.line in lines]
    assert sorted(c.line for c in cards) == sorted(lines), listing(sides(deck, note))


def test_multiple_choice_behind_a_reveal_block_marks_the_key(deck: BuildResult) -> None:
    cards = sides(deck, "shape-question-reveal.md")
    for asks, key in ((("DNS",), "UDP"), (("MAC 地址",), "ARP")):
        mcq = [c for c in find(cards, asks) if c.kind is Kind.MCQ]
        assert mcq, listing(cards)
        marked = re.findall(r'<li class="fc-correct">(.*?)</li>', mcq[0].fields["Back"], re.DOTALL)
        assert [flat(m) for m in marked if key in flat(m)], f"{key} not marked correct: {mcq[0].fields['Back']}"


def test_inline_marks_are_cloze_deletions_one_per_marked_span(deck: BuildResult) -> None:
    note = "shape-inline-marks.md"
    expected = {
        "同步双方的初始序列号": ["同步双方的初始序列号"],  # ==highlight==
        "8 字节": ["8 字节"],  # <u>underline</u>
        "多路复用": ["多路复用"],  # bold inside a sentence
        "资源分配": ["资源分配", "CPU 调度"],  # two marks, two deletions
    }
    cards = sides(deck, note)
    for words, deletions in expected.items():
        line = line_of(note, words)
        at = [c for c in cards if c.line == line and c.kind.is_cloze]
        assert at, f"no cloze card for line {line}:\n{listing(cards)}"
        assert sorted(at[0].deletions()) == sorted(deletions), at[0].fields["Text"]


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.stem)
def test_no_card_shows_raw_syntax_on_either_side(deck: BuildResult, path: Path) -> None:
    problems = []
    for card in sides(deck, path.name):
        for name, value in card.fields.items():
            if name in ("Source", "Lang"):
                continue
            for leftover in raw_leftovers(value):
                problems.append(f"{card.card.origin.path}:{card.line} {name}: {leftover}: {flat(value)[:100]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTES, ids=lambda p: p.stem)
def test_no_front_is_a_reveal_label(deck: BuildResult, path: Path) -> None:
    for card in sides(deck, path.name):
        if not card.kind.is_cloze:
            assert not REVEAL_LABELS.match(card.front), str(card)


# ------------------------------------------------------------------- rules

# note -> (words, where): no card may show ``words`` in its breadcrumb+front ("asks") or anywhere ("any")
NEVER: dict[str, list[tuple[str, str]]] = {
    "rule-boilerplate.md": [
        ("林小满", "any"), ("2023-04-01", "any"), ("数据结构课第三周讲义", "any"), ("掌握内容", "any"),
        ("算法设计手册", "any"), ("归并排序那一篇", "any"), ("all rights reserved", "any"),
        ("堆排序", "any"),  # the table of contents
    ],
    "rule-link-only-answer.md": [
        ("Deployment", "asks"), ("Service", "asks"), ("Ingress", "asks"), ("StatefulSet", "asks"),
        ("kubernetes.io", "any"), ("Luksa", "any"),
    ],
    "rule-question-answer.md": [
        ("事务隔离级别", "asks"), ("幻读", "asks"), ("串行执行", "any"), ("不可重复读", "any"),
    ],
    "rule-reveal-label.md": [
        ("Click to reveal", "asks"), ("show", "asks"),
    ],
    "rule-exercise-without-answer.md": [
        ("次握手", "any"), ("____", "any"), ("地址的长度是", "any"), ("四次挥手", "any"), ("router", "any"),
    ],
    "rule-example-data.md": [
        # Rows that are all ✅ tell nothing apart; a column that is all ✅ still
        # contrasts with the others (免费版 · 审计日志 ❌ / 专业版 · 审计日志 ✅), so it stays.
        ("100", "asks"), ("110", "asks"), ("e.g.", "asks"), ("私有仓库", "asks"), ("代码审查", "asks"),
    ],
    "rule-raw-syntax.md": [
        ("栈", "asks"), ("#数据结构", "any"),
    ],
}

# the card each rule fixture must still give (the rule drops the bad candidate, not its neighbours)
RULE_KEEPS: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "rule-boilerplate.md": [(("快速排序",), ("选一个基准元素",))],
    "rule-link-only-answer.md": [(("Pod",), ("最小的调度单位",))],
    "rule-question-answer.md": [(("脏读",), ("尚未提交的数据",))],
    "rule-example-data.md": [(("IPv4", "地址长度"), ("32 位",))],
    "rule-raw-syntax.md": [
        (("欧拉公式",), ()),
        (("函数记法",), ("表示从 X 到 Y 的映射",)),
        (("a[1:3]",), ("取下标 1 和 2",)),
        (("端口映射",), ("docker run -p 8080:80 nginx", "转发到容器的 80 端口")),
        (("健康检查",), ("http://localhost:8080/health", "服务正常")),
        (("二分查找",), ("有序数组", "每次排除一半")),
        (("哈希表",), ("平均 O(1) 查找",)),
        (("TCP",), ("面向连接的", "可靠", "传输协议")),
        (("队列",), ("先进先出", "入队在尾部")),
    ],
}

# note -> groups of lines (by their text): each group is one candidate the build must name,
# in ``left_out`` (the quality gate) or, for a question left unanswered, in a warning
NAMED: dict[str, list[tuple[str, ...]]] = {
    "rule-boilerplate.md": [
        ("作者：",), ("date:",), ("source:",), ("掌握内容：",), ("- 参考：",), ("See also:",), ("Copyright:",),
    ],
    "rule-link-only-answer.md": [("Deployment：",), ("Service：",), ("Ingress：",), ("StatefulSet：",)],
    "rule-question-answer.md": [
        ("## 为什么需要事务隔离级别？", "那如果所有事务都串行执行"),
        ("什么是幻读？",),
    ],
    "rule-reveal-label.md": [
        # the <details> block opens on the line above its summary
        ("<details>", "<summary>Click to reveal the answer", "Canberra"),
        ("<summary>show", "The Nile"),
    ],
    "rule-exercise-without-answer.md": [
        ("TCP 建立连接需要", "IPv4 地址的长度是"),  # one fill-in list: one candidate
        ("请思考",), ("Which layer does a router",),
    ],
    "rule-example-data.md": [
        ("| 规则号", "| 100 |", "| 110 |", "| * |"),
        ("| e.g. |",),
        ("| 私有仓库 |", "| 代码审查 |"),
    ],
    "rule-raw-syntax.md": [("栈：#数据结构",)],
}
QUESTION_LIKE = {"rule-question-answer.md", "rule-exercise-without-answer.md", "rule-reveal-label.md"}
"""Notes where an unanswered question may be named by a warning instead of ``left_out``."""


@pytest.mark.parametrize(
    ("note", "words", "where"),
    [(note, w, where) for note, items in NEVER.items() for w, where in items],
    ids=[f"{note[5:-3]}:{w}" for note, items in NEVER.items() for w, _ in items],
)
def test_rule_candidate_makes_no_card(deck: BuildResult, note: str, words: str, where: str) -> None:
    cards = sides(deck, note)
    hits = [c for c in cards if fold(words) in fold(c.asks if where == "asks" else c.everything)]
    assert not hits, f"{words!r} became a card:\n{listing(hits)}"


@pytest.mark.parametrize(
    ("note", "asks", "back"),
    [(note, *keep) for note, keeps in RULE_KEEPS.items() for keep in keeps],
    ids=[f"{note[5:-3]}:{keep[0][0]}" for note, keeps in RULE_KEEPS.items() for keep in keeps],
)
def test_rule_keeps_the_real_fact_next_to_the_dropped_one(
    deck: BuildResult, note: str, asks: tuple[str, ...], back: tuple[str, ...]
) -> None:
    cards = sides(deck, note)
    assert find(cards, asks, back), f"no card asks {asks} with {back}:\n{listing(cards)}"


@pytest.mark.parametrize(
    ("note", "group"),
    [(note, group) for note, groups in NAMED.items() for group in groups],
    ids=[f"{note[5:-3]}:{group[0]}" for note, groups in NAMED.items() for group in groups],
)
def test_dropped_candidate_is_named_with_its_line_and_a_reason(
    deck: BuildResult, note: str, group: tuple[str, ...]
) -> None:
    lines = {line_of(note, words) for words in group}
    named = {x.line: x.reason for x in deck.left_out if x.path == note and x.reason}
    if note in QUESTION_LIKE:
        named.update({w.line: w.message for w in deck.warnings if w.path == note})
    assert lines & set(named), (
        f"{note}:{sorted(lines)} ({group[0]!r}) is not named; the build named "
        f"{sorted(named.items()) or 'nothing'} for this note"
    )


def test_example_rule_table_is_shown_on_the_back_of_a_card_about_it(deck: BuildResult) -> None:
    """"Show such tables on the back of a card about them instead": its rows are not lost."""
    cards = sides(deck, "rule-example-data.md")
    about = [c for c in cards if "10.0.0.0/8" in c.back and "100" not in c.asks and "110" not in c.asks]
    assert about, listing(cards)


def test_no_split_at_a_colon_inside_math_brackets_code_or_a_url(deck: BuildResult) -> None:
    cards = sides(deck, "rule-raw-syntax.md")
    for card in cards:
        front = card.front.rstrip("？?").strip()
        assert not front.endswith(("$f", "f", "a[1", "-p 8080", "http", "访问 http")), str(card)
        assert not card.back.startswith(("X \\to", "3]", "80 nginx", "//localhost")), str(card)
    for name in ("欧拉公式", "函数记法"):
        math = [c for c in find(cards, (name,)) if "\\(" in (c.fields.get("Back", "") + c.fields.get("Text", ""))]
        assert math, f"{name}: its formula is not kept whole as math:\n{listing(cards)}"
    notation = find(cards, ("函数记法",))
    assert notation and "f: X \\to Y" in (notation[0].fields.get("Back", "") + notation[0].fields.get("Text", ""))


def test_verbose_dry_run_names_each_left_out_candidate_with_file_and_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for note in RULES:
        shutil.copy(note, notes / note.name)
    done = run_cli("build", "--dry-run", "--verbose", notes, "--output", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert re.search(r"^Left out: \d+ \(", done.stdout, re.MULTILINE), done.stdout
    for note, texts in (("rule-boilerplate.md", ("作者：", "Copyright:")), ("rule-link-only-answer.md", ("Deployment：",))):
        for text in texts:
            assert f"left out {note}:{line_of(note, text)}: " in done.stdout, done.stdout


# ------------------------------------------------------------ end to end through Anki


def _expected_anki_cards(card: Card) -> int:
    if card.kind.is_cloze:
        return len({m.group(1) for m in _CLOZE.finditer(card.fields[0])})
    return 1 + bool(dict(zip(BASIC_FIELDS, card.fields))["Reverse"].strip())


def test_all_fixtures_import_into_anki_and_no_card_side_is_empty(tmp_path: Path, collection: Collection) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for note in NOTES:
        shutil.copy(note, notes / note.name)
    result = run_build(notes, tmp_path / "out", now=NOW)
    assert result.cards
    log = import_deck(collection, result.deck_path)
    assert len(log.new) == len(result.cards)
    assert collection.note_count() == len(result.cards)
    assert collection.card_count() == sum(_expected_anki_cards(c) for c in result.cards)
    empty = []
    for cid in collection.find_cards(""):
        card = collection.get_card(cid)
        out = card.render_output(reload=True)
        question = flat(out.question_text)
        answer = flat(out.answer_text.split('<hr id="answer">', 1)[-1])
        note = card.note()
        where = note["Source"]
        if not question or not answer:
            empty.append(f"{where}: question={question[:60]!r} answer={answer[:60]!r}")
        if note.note_type()["type"] == 1:  # cloze: the question hides something
            if "[...]" not in question and "[…]" not in question and "fc-cloze" not in out.question_text:
                empty.append(f"{where}: cloze question hides nothing: {question[:60]!r}")
        else:
            front = flat(note["Front"])
            back = flat(note["Back"])
            if not front or not back:
                empty.append(f"{where}: Front={front[:60]!r} Back={back[:60]!r}")
    assert not empty, "\n".join(empty)


# ------------------------------------------------------------------ commented commands


def test_commented_commands_are_a_procedure_asked_step_by_step(deck: BuildResult) -> None:
    cards = sides(deck, "shape-commented-commands.md")
    procedures = [c for c in cards if c.kind is Kind.PROCEDURE]
    assert len(procedures) == 1, listing(cards)
    steps = procedures[0]
    hidden = [re.sub(r"\s+", " ", html.unescape(d)) for d in steps.deletions()]
    assert hidden == [
        "docker stop web",
        "docker run --rm -v webdata:/data -v $(pwd):/backup busybox \\ tar czf /backup/webdata.tgz /data",
        "scp webdata.tgz new-host:/tmp/",
    ], listing(cards)
    for label in ("停止容器", "打包数据卷", "拷贝到新主机"):  # each step's comment stays visible as its prompt
        assert label in flat(re.sub(r"\{\{c\d+::.*?\}\}", "", steps.fields["Text"], flags=re.DOTALL)), steps
    assert "停机迁移" in steps.asks  # the line above the block says what the procedure does
    assert "docs.docker.com" not in steps.everything  # a reference comment names no step


def test_a_lone_command_or_comments_without_commands_give_no_procedure(deck: BuildResult) -> None:
    cards = sides(deck, "shape-commented-commands.md")
    assert not find(cards, ("查看日志",)), listing(cards)
    assert not [c for c in cards if "未使用的镜像" in c.everything], listing(cards)


def test_a_single_code_section_in_a_tutorial_is_not_a_task(deck: BuildResult) -> None:
    assert not sides(deck, "rule-one-code-section.md")


def test_each_step_of_a_command_procedure_is_its_own_card_in_anki(tmp_path: Path, collection: Collection) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(REAL / "shape-commented-commands.md", notes)
    result = run_build(notes, tmp_path / "out", now=NOW)
    import_deck(collection, result.deck_path)
    questions = sorted(
        flat(collection.get_card(cid).render_output(reload=True).question_text) for cid in collection.find_cards("")
    )
    assert len(questions) == 3
    assert all("[...]" in q for q in questions)
    assert any("docker stop web" not in q and "scp webdata.tgz" in q for q in questions)


def test_sub_items_that_are_links_or_questions_answer_nothing(deck: BuildResult) -> None:
    cards = sides(deck, "shape-nested-answers.md")
    assert not [c for c in cards if "Perfect competition" in c.everything], listing(cards)
    assert not [c for c in cards if "What shifts the supply curve" in c.everything], listing(cards)
    # a lead-in ending in a colon stays a list asked item by item
    shifters = [c for c in cards if "Shifters" in c.asks]
    assert [c.kind for c in shifters] == [Kind.LIST], listing(cards)


def test_a_term_over_several_sub_items_is_asked_item_by_item(deck: BuildResult) -> None:
    cards = sides(deck, "shape-nested-answers.md")
    found = [c for c in cards if "Determinants of supply" in c.asks]
    assert [c.kind for c in found] == [Kind.LIST], listing(cards)
    assert found[0].deletions() == ["number of sellers", "producer expectations"]


def test_a_heading_over_a_lone_short_list_asks_for_its_items(deck: BuildResult) -> None:
    cards = sides(deck, "shape-nested-answers.md")
    found = [c for c in cards if "Elastic supply" in flat(c.fields["Text"] if c.kind.is_cloze else c.fields["Front"])]
    assert [c.kind for c in found] == [Kind.LIST], listing(cards)
    assert found[0].deletions() == ["Quantity supplied is responsive to price", "Supply curve is flat"]
    # an exercise heading over its task, and a placeholder answer, give nothing
    assert not [c for c in cards if "Draw the supply curve" in c.everything or "To-do" in c.everything], listing(cards)


def test_a_vocabulary_list_hides_each_meaning_and_shows_its_word(deck: BuildResult) -> None:
    cards = sides(deck, "shape-nested-answers.md")
    found = [c for c in cards if "Modalverben" in flat(c.fields.get("Text", ""))]
    assert [c.kind for c in found] == [Kind.LIST], listing(cards)
    assert found[0].deletions() == ["can, to be able to", "may, to be allowed to", "must"]
    assert "dürfen" in flat(re.sub(r"\{\{c\d+::.*?\}\}", "", found[0].fields["Text"]))


def test_one_question_asked_twice_is_one_card_with_both_answers(deck: BuildResult) -> None:
    """A front another card shows word for word with a different answer is a
    defect (real-notes.md): the learner cannot know which answer is wanted."""
    cards = sides(deck, "rule-same-question.md")
    fronts = [(c.asks, c.kind) for c in cards]
    assert len(fronts) == len(set(fronts)), listing(cards)
    shake = find(cards, ("三次握手",))
    assert len(shake) == 1 and "交换三个报文段" in shake[0].back and "已失效的连接请求" in shake[0].back, listing(cards)
    http = [c for c in cards if "HTTP ·" in c.asks or c.asks.endswith("HTTP?")]
    assert len(http) == 1 and "80" in http[0].back and "8080" in http[0].back, listing(cards)


def test_a_corner_cell_restating_the_heading_puts_the_subject_on_the_front(deck: BuildResult) -> None:
    """Sibling tables share their row and column labels (der/die/das ·
    Nominativ/Dativ): only the subject tells their cards apart."""
    cards = [c for c in sides(deck, "shape-labelled-cells.md") if "die · Dativ" in c.front]
    assert len(cards) == 1 and "Relativpronomen" in cards[0].front, listing(cards)


def test_a_tip_that_says_what_to_do_is_not_asked_as_a_term(deck: BuildResult) -> None:
    cards = sides(deck, "shape-tips-and-parts.md")
    tips = [c for c in cards if "Understand scenarios" in c.front or "Flag and review" in c.front]
    assert len(tips) == 2, listing(cards)
    assert not [c for c in tips if "What is" in c.front], listing(tips)


def test_a_part_number_is_not_left_in_the_subject(deck: BuildResult) -> None:
    cards = [c for c in sides(deck, "shape-tips-and-parts.md") if "OSI" in c.front]
    assert len(cards) == 1 and "网络基础" in cards[0].front and "分：" not in cards[0].front, listing(cards)


def test_a_heading_that_is_the_term_asked_takes_its_subject_from_the_heading_above(deck: BuildResult) -> None:
    cards = [c for c in sides(deck, "shape-nested-answers.md") if "Combined with ampicillin" in c.front]
    assert len(cards) == 1 and "Gentamicin" in cards[0].front, listing(cards)


def test_a_heading_naming_one_of_the_compared_things_is_not_the_subject(deck: BuildResult) -> None:
    cards = [c for c in sides(deck, "shape-labelled-cells.md") if "流感病毒" in c.back]
    assert cards and all("病毒性肺炎和支原体肺炎" in c.front for c in cards), listing(cards)


def test_a_callout_title_is_the_subject_and_block_ids_are_never_shown(deck: BuildResult) -> None:
    cards = sides(deck, "shape-obsidian-bits.md")
    handshake = [c for c in cards if "three" in c.deletions()]
    assert len(handshake) == 1 and "TCP handshake" in flat(handshake[0].fields["Text"]), listing(cards)
    assert not [c for c in cards if "^" in c.everything], listing(cards)
    mtu = find(cards, ("MTU",), ("1500 bytes on Ethernet",))
    assert len(mtu) == 1, listing(cards)


def test_a_question_answered_under_a_no_card_heading_is_still_a_card(deck: BuildResult) -> None:
    cards = sides(deck, "shape-questions-in-skipped-sections.md")
    assert len(find(cards, ("resource requests",), ("kubectl describe pod web",))) == 1, listing(cards)
    assert not [c for c in cards if "documentation site" in c.everything], listing(cards)


def test_a_description_column_next_to_another_asked_column_names_itself(deck: BuildResult) -> None:
    cards = [c for c in sides(deck, "shape-labelled-cells.md") if c.back.startswith("a subspace of the domain")]
    assert len(cards) == 1 and "Description" in cards[0].front, listing(cards)
