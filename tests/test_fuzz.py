"""Arbitrary notes never crash a build: nothing but our own errors is raised,
and every card Anki makes from them has two non-empty sides.

Hypothesis writes Markdown-ish text (headings, bold, colons, lists, tables,
fences, HTML, cloze braces, CJK, stray bytes…) or raw bytes into a note; the
cards are added to a real Anki collection and rendered there.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashcards.build import BuildOptions, build
from flashcards.cards import note_type
from flashcards.errors import FlashcardsError
from flashcards.model import Card
from tests.conftest import import_deck
from tests.test_security import FORBIDDEN

FRAGMENTS = [
    "# ", "## ", "### ", "#### ", "\n# Title\n", "\n## 总结\n", "\n## Key points\n", "\n## 考点\n",
    "**", "*", "_", "__", "~~", "`", "```", "```python\n", "~~~", "    ",
    "：", ":", " - ", "- ", "* ", "+ ", "1. ", "2) ", "> ", ">> ", "\n", "\n\n", "\r\n", "\r", "\t",
    "|", "| a | b |\n|---|---|\n", "---\n", "---\ntitle: x\n---\n", "***",
    "<br>", "<details>", "</details>", "<summary>", "<u>", "</u>", "<sub>", "<div>", "</div>",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<img src=\"http://e.com/a.png\">",
    "[a](javascript:alert(1))", "![i](http://e.com/i.png)", "[sound:http://e.com/a.mp3]",
    "{{c1::", "}}", "{{", "::", "$", "$$", "\\(", "\\)", "\\[", "\\]", "&amp;", "&#", "<!--", "-->",
    "总结", "记忆要点", "关键", "VPC", "是", "？", "?", "。", "，", "\u3000", "\ufeff", "\u200b",
    "选项", "A. ", "B. ", "Q:", "A:", "答案：", "Term", "definition", "**VPC Link**：", "- **默认**：",
]
fragments = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=12).map("".join)
words = st.text(st.sampled_from("abcXYZ 12 网络子网关总结？。“”\u3000*_`<>[]{}:：|\\"), min_size=1, max_size=12)
# Lines shaped like what extractors look for: "- **Term**：body", "1. step", "# heading".
card_line = st.tuples(
    st.sampled_from(["", "- ", "* ", "1. ", "2. ", "> ", "  - ", "    ", "#", "## ", "| "]),
    st.sampled_from(["**", "", "*", "`"]),
    words,
    st.sampled_from(["**", "", "*"]),
    st.sampled_from(["：", ": ", " - ", "", "："]),
    st.one_of(words, fragments),
    st.sampled_from(["", " **key**", " “quoted”", " |", "<br>", " {{c1::x}}"]),
).map("".join)
markdownish = st.lists(
    st.one_of(card_line, card_line, fragments), max_size=16
).flatmap(lambda lines: st.sampled_from(["\n", "\n\n", "\r\n"]).map(lambda sep: sep.join(lines)))
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "gb18030", "cp1252", "cp950"]
note_bytes = st.one_of(
    markdownish.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.tuples(markdownish, st.sampled_from(ENCODINGS)).map(lambda te: te[0].encode(te[1], "ignore")),
    st.binary(max_size=300),
)

REGION = re.compile(r'<div class="fc-(?:head|source|extra)">.*?</div>', re.S)
BLANK = re.compile(r'<span class="cloze"[^>]*>\[\.\.\.\]</span>|\[\.\.\.\]')
TAG = re.compile(r"<(?!img\b)[^>]*>")


def visible(html: str) -> str:
    """What a card side shows besides the breadcrumb, source and extra: text or images."""
    text = TAG.sub("", REGION.sub("", html)).replace("&nbsp;", " ")
    return re.sub(r"[\s\u200b\ufeff]+", "", text)


@pytest.fixture(scope="module")
def anki(tmp_path_factory: pytest.TempPathFactory, sample_deck) -> Iterator[Collection]:  # noqa: ANN001
    """A collection holding our note types (imported with the sample deck)."""
    col = Collection(str(tmp_path_factory.mktemp("fuzz") / "collection.anki2"))
    import_deck(col, sample_deck.deck_path)
    try:
        yield col
    finally:
        col.close()


def check_sides(col: Collection, card: Card) -> None:
    """Add the card's note to Anki, render every card it makes, remove it."""
    model = col.models.get(note_type(card).model_id)
    note = col.new_note(model)
    for name, value in zip(note.keys(), card.fields, strict=True):
        note[name] = value
    col.add_note(note, col.decks.id("Fuzz"))
    try:
        made = note.cards()
        assert made, f"Anki makes no card from {card.fields}"
        for made_card in made:
            out = made_card.render_output(reload=True)
            question = visible(out.question_text)
            answer = visible(out.answer_text)
            assert BLANK.sub("", question), f"empty front: {out.question_text}"
            assert answer and answer != question, f"empty back: {out.answer_text}"
    finally:
        col.remove_notes([note.id])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=note_bytes)
def test_arbitrary_notes_build_or_fail_with_our_error(anki: Collection, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "notes"
        notes.mkdir()
        (notes / "note.md").write_bytes(data)
        try:
            result = build(BuildOptions(sources=(notes,), output=Path(tmp) / "out", dry_run=True), now=1_790_000_000)
        except FlashcardsError:
            return
    for card in result.cards:
        for value in card.fields:
            assert "\x00" not in value and "\r" not in value
            for pattern in FORBIDDEN:
                assert not pattern.search(value), value
        check_sides(anki, card)
