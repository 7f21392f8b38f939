"""Memory-point extraction, driven by fixture notes and their expected facts.

Each ``tests/fixtures/memory/NAME.md`` has a ``NAME.expected``: one line per
fact, ``line kind | key | front or cloze text => back`` in plain text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flashcards import markup
from flashcards.extract import memory
from flashcards.model import Fact, Kind
from flashcards.parse import parse
from flashcards.reading import decode
from tests.conftest import FIXTURES

CASES = sorted((FIXTURES / "memory").glob("*.md"))


def describe(fact: Fact) -> str:
    plain = lambda html: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()  # noqa: E731
    return f"{fact.origin.line} {fact.kind.value} | {fact.key} | {plain(fact.front or fact.text)} => {plain(fact.back)}"


def facts_of(path: Path) -> list[Fact]:
    doc = parse(decode(path.read_bytes()).text, path.name)
    return list(memory.extract(doc).facts)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_memory_fixture_gives_expected_facts(case: Path) -> None:
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert [describe(f) for f in facts_of(case)] == expected


def test_bold_term_with_colon_variants_all_split() -> None:
    for text in ("**VPC Link**：私有通道", "**VPC Link** ：私有通道", "**VPC Link**: 私有通道",
                 "**VPC Link：** 私有通道", "**VPC Link** - 私有通道"):
        assert markup.split_label(text) == ("VPC Link", "私有通道"), text


def test_a_sentence_is_not_mistaken_for_a_label() -> None:
    assert markup.split_label("因为Lambda和API Gateway都是 **AWS原生服务**，它们通信") is None
    assert markup.split_label("See https://example.com: it explains") is None


def test_no_card_ever_asks_a_whole_long_list_at_once() -> None:
    for case in CASES:
        for fact in facts_of(case):
            if fact.kind in (Kind.LIST, Kind.PROCEDURE):
                numbers = set(re.findall(r"\{\{c(\d+)::", fact.text))
                items = fact.text.count("<li>")
                assert len(numbers) == items, "each item is its own cloze"


def test_every_cloze_fact_has_a_deletion_and_every_basic_fact_two_sides() -> None:
    for case in CASES:
        for fact in facts_of(case):
            if fact.kind.is_cloze:
                assert "{{c1::" in fact.text
            else:
                assert fact.front.strip() and fact.back.strip()


def test_editing_a_parent_answer_keeps_its_nested_items_keys() -> None:
    before = "# N\n\n- **Hash索引**：只支持**等值查询**\n  - 注意：不支持范围查询\n"
    after = before.replace("**等值查询**", "**等值查询和IN查询**")
    keys = [[f.key for f in memory.extract(parse(text, "n.md")).facts] for text in (before, after)]
    assert keys[0] == keys[1] == ["Hash索引", "Hash索引 › 注意"]


def _facts_of_text(text: str) -> list[Fact]:
    return list(memory.extract(parse(text, "note.md")).facts)


def test_a_list_under_an_attribute_label_names_the_subject_above_it() -> None:
    [fact] = _facts_of_text("# Locks\n\n## 乐观锁\n\n- 特点：\n  - 读时不加锁\n  - 提交时检查冲突\n")
    assert re.search(r"<div class=lead>乐观锁 · 特点：</div>", fact.text), fact.text
    assert fact.key == "特点："  # the identity is the list's own lead-in, as before


def test_a_matching_answer_keeps_no_option_letter() -> None:
    [fact] = _facts_of_text("# Quiz\n\n## Match the lifecycle methods\n\n- **`onStart()`**: **B) Called when the activity becomes visible**\n")
    assert "{{c1::Called when the activity becomes visible}}" in fact.text, fact.text
