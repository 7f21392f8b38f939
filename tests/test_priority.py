"""Priority: importance words in headings, markers and front matter become tags and new-card order."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from flashcards.cards import make_cards
from flashcards.config import Config
from flashcards.config_file import parse_config
from flashcards.extract import extract
from flashcards.model import Fact, Kind, Origin
from flashcards.parse import parse
from flashcards.priority import Level, assess, due_order, markers, matcher
from tests.conftest import FIXTURES

CASES = sorted(p.stem for p in (FIXTURES / "priority").glob("*.md"))


def cards_for(path: Path, config: Config | None = None):  # noqa: ANN201
    doc = parse(path.read_text(encoding="utf-8"), path.name)
    return make_cards([(doc, extract(doc).facts)], config or Config())


def signal_tags(card) -> str:  # noqa: ANN001
    found = [t for t in card.tags if t.startswith(("priority::", "exam::"))]
    return " ".join(found) or "-"


@pytest.mark.parametrize("case", CASES)
def test_fixture_cards_carry_the_expected_priority_and_marks(case: str) -> None:
    source = FIXTURES / "priority" / f"{case}.md"
    expected = {}
    for line in (FIXTURES / "priority" / f"{case}.expected").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            number, _, tags = line.partition(":")
            expected[int(number)] = tags.strip()
    got = {c.origin.line: signal_tags(c) for c in cards_for(source)}
    assert got == expected


def test_new_cards_come_high_first_then_medium_then_the_rest_then_low_each_in_document_order() -> None:
    cards = cards_for(FIXTURES / "priority" / "headings_zh.md")
    by_due = [c.origin.line for c in sorted(cards, key=lambda c: c.due)]
    assert by_due == [14, 18, 5, 6, 23, 24, 22, 25, 10]
    assert sorted(c.due for c in cards) == list(range(len(cards)))


def test_document_order_can_be_chosen_instead() -> None:
    config = parse_config(tomllib.loads("[priority]\norder = 'document'"))
    cards = cards_for(FIXTURES / "priority" / "headings_zh.md", config)
    assert [c.due for c in cards] == list(range(len(cards)))
    assert [c.origin.line for c in cards] == sorted(c.origin.line for c in cards)


def test_priority_words_come_from_the_configuration() -> None:
    config = parse_config(tomllib.loads("[keywords.zh]\nhigh = ['其他']\nmedium = []\n[tags]\npriority = 'p'\n"))
    tags = {c.origin.line: [t for t in c.tags if t.startswith("p::")] for c in cards_for(FIXTURES / "priority" / "headings_zh.md", config)}
    assert tags[22] == ["p::high"]  # under 三、其他
    assert tags[5] == []  # 核心 is no longer a word


def test_a_language_left_out_of_the_configuration_is_not_matched() -> None:
    config = parse_config(tomllib.loads("[priority]\nlanguages = ['zh']"))
    cards = cards_for(FIXTURES / "priority" / "english.md", config)
    assert all(signal_tags(c) == "-" for c in cards)


def _fact(headings: tuple[str, ...], front: str = "", back: str = "", text: str = "", key: str = "thing",
          title: str = "Note") -> Fact:
    kind = Kind.MEMORY if text else Kind.DEFINITION
    return Fact(kind, Origin("n.md", 1, title, headings), key, front=front, back=back, text=text)


@pytest.mark.parametrize(
    ("fact", "level", "marks"),
    [
        (_fact(("Intro",)), Level.NORMAL, ()),
        (_fact(("五、真题映射（必记）", "示例")), Level.HIGH, ("tip",)),
        (_fact(("Must-Know Commands",)), Level.HIGH, ()),
        (_fact(("MUST KNOW",)), Level.HIGH, ()),
        (_fact(("Pitfalls",)), Level.MEDIUM, ("trap",)),
        (_fact(("Keyboards",)), Level.NORMAL, ()),  # "key" words match whole words only
        (_fact(("Basics",), back="<p>This is <strong>易错</strong>：别混淆</p>"), Level.MEDIUM, ("trap",)),
        (_fact(("Basics",), text="<b>考点</b>：{{c1::无需VPC Link}}"), Level.MEDIUM, ("tip",)),
        (_fact(("Basics",), text="{{c1::必考}}的一点"), Level.HIGH, ()),
        (_fact(("Basics",), back="<p>这是常见的“陷阱题”（选项中若出现“配置VPC Link”，为错误答案）</p>"), Level.MEDIUM, ("trap",)),
        (_fact(("Basics",), back="<p>a long sentence that mentions a trap and must-know in passing</p>"), Level.NORMAL, ()),
        (_fact(("Basics",), back="<pre><code>**必考**</code></pre>"), Level.NORMAL, ()),
        (_fact(("Basics",), back='<div>单向</div><table><tr><td class="fc-asked">单向</td></tr>'
                                 "<tr><td>双向（易错）</td></tr></table>"), Level.NORMAL, ()),
        (_fact(("必考", "选学")), Level.LOW, ()),
        (_fact(("选学", "必考")), Level.HIGH, ()),
        (_fact(("核心", "必记", "关键")), Level.HIGH, ()),
        (_fact((), title="必考：网络"), Level.HIGH, ()),
        (_fact(("A",), key="Exam tip"), Level.MEDIUM, ("tip",)),
        (_fact(("A",), key="子网 › 陷阱"), Level.MEDIUM, ("trap",)),
    ],
)
def test_signals_are_read_from_headings_and_markers(fact: Fact, level: Level, marks: tuple[str, ...]) -> None:
    signals = assess(fact, matcher(Config().priority))
    assert (signals.level, signals.marks) == (level, marks)


def test_front_matter_priority_is_the_outermost_scope() -> None:
    m = matcher(Config().priority)
    assert assess(_fact(("A",)), m, declared="high").level is Level.HIGH
    assert assess(_fact(("选学",)), m, declared="high").level is Level.LOW
    assert assess(_fact(("A",)), m, declared="nonsense").level is Level.NORMAL
    assert assess(_fact(("A",)), m, declared=["high"]).level is Level.NORMAL  # type: ignore[arg-type]  (YAML may say anything)


def test_markers_are_short_phrases_only() -> None:
    fact = _fact(("A",), back="<p><strong>" + "很长的粗体" * 10 + "</strong></p><p>标签：内容</p>", key="x")
    assert markers(fact) == ["x", "标签"]


def test_due_order_is_stable_within_a_level() -> None:
    levels = [Level.NORMAL, Level.HIGH, Level.LOW, Level.HIGH, Level.MEDIUM]
    assert due_order(levels, "priority") == [3, 0, 4, 1, 2]
    assert due_order(levels, "document") == [0, 1, 2, 3, 4]
