"""Questions become cards: exam questions, Q&A pairs, inline and heading questions.

Fixtures: ``tests/fixtures/questions/<case>.md`` is a note, ``<case>.yaml`` what
it must give — every question card (kind, line, question, the correct options
of an exam question, words its back and extra must hold), every warning, and
how many memory cards the rest of the note gives.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from anki.collection import Collection

from flashcards.build import BuildOptions, BuildResult, build
from flashcards.extract import extract, questions
from flashcards.extract.base import normalise_key
from flashcards.model import Fact, Kind
from flashcards.parse import parse
from flashcards.report import summary_text
from tests.conftest import FIXTURES, deck_notes, import_deck, run_build, write_notes

CASES = sorted((FIXTURES / "questions").glob("*.md"))
QA_KINDS = {Kind.MCQ, Kind.QUESTION}
MEMORY_KINDS = {Kind.DEFINITION, Kind.MEMORY, Kind.LIST, Kind.PROCEDURE}
RAW_MARKDOWN = re.compile(r"\*\*|\|\s*-{3,}|^#{1,6}\s|\[!\w+\]", re.MULTILINE)
KEY_GIVEN_AWAY = re.compile(r"fc-correct|✓|✅|→\s*(?:正确|错误)|\((?:correct|wrong)\)|答案|Answer", re.IGNORECASE)


def _expected(path: Path) -> dict:
    return yaml.safe_load(path.with_suffix(".yaml").read_text(encoding="utf-8"))


def _facts(path: Path):  # noqa: ANN202
    return extract(parse(path.read_text(encoding="utf-8"), path.name))


def visible(fragment: str) -> str:
    """The words an HTML fragment shows."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def correct_options(back: str) -> list[str]:
    """The letters (or, for true/false, the words) of the options marked correct."""
    out = []
    for found in re.finditer(r'<li class="fc-correct">(.*?)</li>', back, re.DOTALL):
        letter = re.search(r'<span class="fc-letter">(\w+)\.</span>', found.group(1))
        out.append(letter.group(1) if letter else visible(found.group(1)).replace("✓", "").strip())
    return out


def _qa(facts: tuple[Fact, ...]) -> list[Fact]:
    return [f for f in facts if f.kind in QA_KINDS]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fixture_gives_exactly_the_expected_question_cards(path: Path) -> None:
    found = _facts(path)
    expected = _expected(path)
    cards = _qa(found.facts)
    assert [(f.kind.value, f.origin.line, normalise_key(f.key)) for f in cards] == [
        (c["kind"], c["line"], normalise_key(c["question"])) for c in expected["cards"]
    ]
    for fact, card in zip(cards, expected["cards"]):
        assert visible(fact.front) and visible(fact.back), f"empty side at line {fact.origin.line}"
        if fact.kind is Kind.MCQ:
            assert correct_options(fact.back) == card["correct"]
        for words in card.get("back", []):
            assert words in fact.back, f"line {fact.origin.line}: {words!r} not in {fact.back}"
        for words in card.get("not_back", []):
            assert words not in fact.back
        for words in card.get("extra", []):
            assert words in fact.extra, f"line {fact.origin.line}: {words!r} not in {fact.extra}"


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_fixture_warns_once_per_unanswered_question_and_nothing_else(path: Path) -> None:
    found = _facts(path)
    expected = _expected(path)["warnings"]
    got = sorted((w.line, w.message) for w in found.warnings)
    assert [line for line, _ in got] == sorted(w["line"] for w in expected)
    for (line, message), want in zip(got, sorted(expected, key=lambda w: w["line"])):
        assert message.startswith(want["text"]), (line, message)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_question_lines_are_not_read_again_as_memory_points(path: Path) -> None:
    doc = parse(path.read_text(encoding="utf-8"), path.name)
    taken = questions.extract(doc).claimed
    memory = [f for f in extract(doc).facts if f.kind in MEMORY_KINDS]
    assert not [f.key for f in memory if f.origin.line in taken]
    assert not any(f.key.startswith(("选项", "A.", "B.")) for f in memory)
    assert len(memory) == _expected(path)["memory_cards"], [f.key for f in memory]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_exam_question_front_does_not_give_the_key_away(path: Path) -> None:
    for fact in _qa(_facts(path).facts):
        if fact.kind is Kind.MCQ:
            assert not KEY_GIVEN_AWAY.search(fact.front), fact.front
            assert 'class="fc-options' in fact.front and 'class="fc-options' in fact.back
            assert fact.back.count("fc-tick") == len(correct_options(fact.back)) >= 1


def test_the_question_extractor_runs_first_after_cards_marked_by_their_authors() -> None:
    from flashcards.extract import EXTRACTORS

    assert [name for name, _ in EXTRACTORS][:2] == ["explicit", "questions"]


# ------------------------------------------------------------ end to end through Anki


def _notes_by_kind(col: Collection, kind: Kind) -> list:
    return [col.get_note(nid) for nid in col.find_notes(f"tag:kind::{kind.value}")]


def test_fixture_deck_imports_and_every_question_card_has_two_sides(tmp_path: Path, collection: Collection) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for case in CASES:
        shutil.copy(case, notes / case.name)
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    log = import_deck(collection, result.deck_path)
    assert len(log.new) == len(result.cards)
    expected = sum(len(_expected(c)["cards"]) for c in CASES)
    qa_notes = _notes_by_kind(collection, Kind.MCQ) + _notes_by_kind(collection, Kind.QUESTION)
    assert len(qa_notes) == expected
    for note in qa_notes:
        for card in note.cards():
            out = card.render_output(reload=True)
            question = visible(out.question_text)
            answer = visible(out.answer_text.split('<hr id="answer">', 1)[-1])
            assert question and answer, note["Source"]
            for name, value in note.items():
                assert not RAW_MARKDOWN.search(value), f"{note['Source']} {name}: {value[:120]}"
            assert not visible(note["Back"]).endswith(("：", ":")), note["Back"]
    for note in _notes_by_kind(collection, Kind.MCQ):
        out = note.cards()[0].render_output(reload=True)
        assert "fc-correct" not in out.question_text
        assert "fc-correct" in out.answer_text and "✓" in out.answer_text
    summary = summary_text(result)
    for warning in _expected(FIXTURES / "questions" / "unanswered.md")["warnings"]:
        assert f"warning: unanswered.md:{warning['line']}: {warning['text']}" in summary


def test_sample_notes_give_two_exam_questions_keyed_b_two_inline_and_the_heading_question(
    sample_deck: BuildResult, collection: Collection
) -> None:
    import_deck(collection, sample_deck.deck_path)
    exams = _notes_by_kind(collection, Kind.MCQ)
    assert len(exams) == 2
    for note in exams:
        assert correct_options(note["Back"]) == ["B"]
        assert note["Front"].count("<li>") == 3
        assert "真题示例" in note["Context"]
    asked = {visible(n["Front"]): n for n in _notes_by_kind(collection, Kind.QUESTION)}
    assert set(asked) == {
        "为什么不需要VPC Link？",
        "为什么不需要Private Endpoint？",
        "为什么EC2需要VPC Link，而Serverless不需要？",
    }
    heading = asked["为什么EC2需要VPC Link，而Serverless不需要？"]
    assert "托管式连通" in heading["Back"] and "用户完全管理的网络" in heading["Back"]
    assert "<table" not in heading["Back"]  # the table is the table extractor's
    assert visible(asked["为什么不需要VPC Link？"]["Back"]).startswith("因为Fargate节点已经接入用户的VPC")
    for nid in collection.find_notes("tag:kind::definition"):
        assert "选项" not in collection.get_note(nid)["Front"]


EXAM_NOTE = """# 练习

## 真题示例1：
“以下哪种网络配置是必需的？”
- 选项A：VPC Link → 错误；
- 选项B：用户VPC和子网 → 正确；
- 选项C：Private Endpoint → 错误。

解析：Fargate节点部署在用户VPC的子网中。

## 细节
- 为什么不需要VPC Link？：因为Ingress已经是访问入口。
"""


def test_editing_options_explanation_or_answer_updates_the_same_notes(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {"exam.md": EXAM_NOTE})
    first = run_build(notes, tmp_path / "out", now=1_790_000_000)
    import_deck(collection, first.deck_path)
    guids = {c.kind: c.guid for c in first.cards if c.kind in QA_KINDS}
    assert set(guids) == QA_KINDS

    edited = (
        EXAM_NOTE.replace("用户VPC和子网 → 正确", "用户VPC和私有子网 → 错误")
        .replace("Private Endpoint → 错误。", "Private Endpoint与子网 → 正确。")
        .replace("Fargate节点部署在用户VPC的子网中", "Fargate节点运行在用户的私有子网")
        .replace("因为Ingress已经是访问入口", "因为Ingress本身就是入口")
    )
    write_notes(notes, {"exam.md": edited})
    second = run_build(notes, tmp_path / "out", now=1_790_000_100)
    assert set(guids.values()) <= set(deck_notes(second.deck_path))
    log = import_deck(collection, second.deck_path)
    assert len(log.new) == 0 and len(log.updated) == 2
    exam = _notes_by_kind(collection, Kind.MCQ)[0]
    assert correct_options(exam["Back"]) == ["C"]
    assert "用户VPC和私有子网" in exam["Front"] and "运行在用户的私有子网" in exam["Extra"]
    assert "Ingress本身就是入口" in _notes_by_kind(collection, Kind.QUESTION)[0]["Back"]


def test_a_note_of_unanswered_questions_builds_no_card(tmp_path: Path) -> None:
    source = FIXTURES / "questions" / "unanswered.md"
    notes = write_notes(tmp_path / "notes", {"unanswered.md": source.read_text(encoding="utf-8")})
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert result.cards == ()
    assert len(result.warnings) == len(_expected(source)["warnings"])


def test_a_question_heading_with_math_keeps_its_math_for_mathjax(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "stats.md").write_text("# Stats\n\n## 为什么 $\\chi^2$ 检验要求期望频数不小于5？\n\n因为近似分布要求样本足够大。\n", encoding="utf-8")
    [card] = build(BuildOptions(sources=(notes,), output=tmp_path / "out", dry_run=True)).cards
    assert card.fields[0] == "<div class=prompt>为什么 \\(\\chi^2\\) 检验要求期望频数不小于5？</div>"
