"""Tables become one card per fact cell, with the row (or small table) on the back."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from anki.collection import Collection

from flashcards import markup
from flashcards.build import BuildResult
from flashcards.extract import extract, tables
from flashcards.extract.table_shape import Layout, classify
from flashcards.model import Card, Fact, Kind, Table
from flashcards.notetypes import BASIC
from flashcards.parse import parse
from flashcards.report import summary_text
from tests.conftest import FIXTURES, deck_notes, import_deck, run_build

TABLES = FIXTURES / "tables"
CASES = sorted(p.stem for p in TABLES.glob("*.md"))
RAW_MARKDOWN = re.compile(r"\*\*|\|\s*-{3,}|^#{1,6}\s|\]\(", re.MULTILINE)
ANSWER = re.compile(r'^<div class="fc-answer">(.*?)</div><div class="fc-table">', re.DOTALL)
PROMPT = re.compile(r'<div class="prompt">(.*?)</div>')
ASKED = re.compile(r'<td class="fc-asked">(.*?)</td>', re.DOTALL)


def _text(fragment: str) -> str:
    """What a reader sees of an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _load(name: str) -> tuple[tuple[Fact, ...], tuple, frozenset[int], dict]:
    source = (TABLES / f"{name}.md").read_text(encoding="utf-8")
    expected = yaml.safe_load((TABLES / f"{name}.yaml").read_text(encoding="utf-8"))
    found = tables.extract(parse(source, f"{name}.md"))
    return found.facts, found.warnings, found.claimed, expected


def _answer_html(fact: Fact) -> str:
    match = ANSWER.match(fact.back)
    assert match, fact.back
    return match.group(1)


@pytest.mark.parametrize("name", CASES)
def test_table_fixture_gives_exactly_the_expected_cells(name: str) -> None:
    facts, warnings, _, expected = _load(name)
    assert [(f.key, _text(_answer_html(f))) for f in facts] == list((expected["cards"] or {}).items())
    prompts = [_text(PROMPT.search(f.front).group(1)) for f in facts]
    for front in expected.get("fronts", []):
        assert front in prompts
    by_key = {f.key: _answer_html(f) for f in facts}
    for key, answer in expected.get("answer_html", {}).items():
        assert by_key[key] == answer
    wanted = expected.get("warnings") or []
    assert len(warnings) == len(wanted), [str(w) for w in warnings]
    for (line, words), warning in zip(wanted, warnings, strict=True):
        assert warning.path == f"{name}.md" and warning.line == line and words in warning.message, str(warning)


@pytest.mark.parametrize("name", [c for c in CASES if yaml.safe_load((TABLES / f"{c}.yaml").read_text("utf-8"))["cards"]])
def test_every_table_card_asks_one_marked_cell_with_both_sides_filled(name: str) -> None:
    facts, _, _, _ = _load(name)
    for fact in facts:
        assert fact.kind is Kind.TABLE and not fact.text
        assert _text(fact.front) and _text(_answer_html(fact)), fact
        assert not _text(fact.front).endswith(("：", ":")), fact.front
        for side in (fact.front, fact.back):
            assert not RAW_MARKDOWN.search(side), side
        asked = ASKED.findall(fact.back)
        assert len(asked) == 1, fact.back
        # The marked cell holds the answer (a lone ✅/❌ gains its yes/no word only above the table).
        assert _text(_answer_html(fact)).startswith(_text(asked[0])) and _text(asked[0])
        assert fact.back.count('<div class="fc-table">') == 1


def test_small_tables_are_shown_whole_and_larger_ones_by_the_asked_row() -> None:
    small, _, _, _ = _load("comparison_chinese")  # 3 rows
    large, _, _, _ = _load("attribute_english")  # 5 rows
    assert all(f.back.count("<tr>") == 1 + 3 for f in small)
    for fact in large:
        assert fact.back.count("<tr>") == 1 + 1
        row_key = fact.key.split(" · ")[0]
        assert f"<td>{markup.escape(row_key)}</td>" in fact.back


def test_comparison_and_attribute_layouts_are_told_apart_by_header_words() -> None:
    def layout(header: tuple[str, ...], headings: tuple[str, ...] = ()) -> Layout | None:
        table = Table(1, header, (tuple(f"v{i}" for i in range(len(header))), ("k2", *("x",) * (len(header) - 1))), (3, 4), lambda: "")
        return classify(table, headings).layout

    assert layout(("对比维度", "VPC Link", "VGW")) is Layout.COMPARISON
    assert layout(("", "S3", "EBS")) is Layout.COMPARISON
    assert layout(("Feature", "SQS", "SNS")) is Layout.COMPARISON
    assert layout(("服务类型", "网络形态", "是否需要VPC Link")) is Layout.ATTRIBUTE
    assert layout(("Service", "Pricing", "Limit")) is Layout.ATTRIBUTE
    assert layout(("特性", "说明")) is Layout.ATTRIBUTE
    assert layout(("Layer", "TCP", "UDP"), ("TCP vs UDP",)) is Layout.COMPARISON
    assert layout(("Layer", "TCP", "UDP")) is Layout.ATTRIBUTE


def test_skipped_tables_are_not_claimed_and_asked_ones_are() -> None:
    _, _, claimed, _ = _load("trace")
    assert claimed == frozenset()
    facts, _, claimed, _ = _load("table_in_list")
    assert claimed == {7, 13}
    assert [f.origin.line for f in facts] == [9, 9, 15, 15]
    # A list item claimed by an earlier extractor keeps its table from being read again.
    source = (TABLES / "table_in_list.md").read_text(encoding="utf-8")
    later = tables.extract(parse(source, "table_in_list.md"), claimed=frozenset({11}))
    assert [f.key for f in later.facts] == ["数据库层 › 单AZ · 故障切换", "数据库层 › 多AZ · 故障切换"]


def _first_table(name: str) -> Table:
    doc = parse((TABLES / f"{name}.md").read_text(encoding="utf-8"), f"{name}.md")
    return next(b for s in doc.root.walk() for b in s.blocks if isinstance(b, Table))


def test_reverse_prompt_only_for_values_that_tell_the_things_apart() -> None:
    shape = classify(_first_table("comparison_chinese"))
    cell = next(c for c in shape.cells if c.key == "S3 · 存储类型")
    prompt = tables.reverse_prompt(shape, cell, chinese=True)
    assert _text(prompt) == "S3 / EBS" + "存储类型为「对象存储」的是哪一个？"

    matrix_shape = classify(_first_table("check_matrix"))
    assert all(tables.reverse_prompt(matrix_shape, c, chinese=False) == "" for c in matrix_shape.cells)

    same = Table(1, ("服务", "是否需要VPC Link"), (("Lambda", "否"), ("EKS", "否"), ("EC2", "是")), (3, 4, 5), lambda: "")
    same_shape = classify(same)
    assert [bool(tables.reverse_prompt(same_shape, c, chinese=True)) for c in same_shape.cells] == [False, False, True]


def test_line_breaks_in_cells_separate_words_in_plain_text() -> None:
    assert markup.plain_text("文档<br>位置") == "文档 位置"
    assert markup.plain_text("a<br/>b <span>c</span>") == "a b c"


# ------------------------------------------------------------------ sample notes


def _table_cards(result: BuildResult, path: str) -> list[Card]:
    return [c for c in result.cards if c.kind is Kind.TABLE and c.origin.path == path]


def test_sample_tables_give_16_and_12_cell_cards_with_context_and_row(sample_deck: BuildResult) -> None:
    vpc = _table_cards(sample_deck, "vpc-link-vs-vgw.md")
    serverless = _table_cards(sample_deck, "serverless-api-gateway-networking.md")
    assert len(vpc) == 16 and len(serverless) == 12
    fields = BASIC.fields
    for card in vpc + serverless:
        values = dict(zip(fields, card.fields, strict=True))
        assert _text(values["Front"]) and _text(values["Back"])
        assert values["Context"].count("›") >= 1
        assert "fc-asked" in values["Back"] and '<div class="fc-table">' in values["Back"]
    assert {_text(dict(zip(fields, c.fields))["Front"]) for c in vpc} >= {"VPC Link · 流量方向？", "Virtual Private Gateway (VGW) · 流量方向？"}
    flow = next(c for c in vpc if "流量方向" in c.fields[0] and "VPC Link ·" in c.fields[0])
    # The row on the back shows both compared things' traffic direction.
    assert "双向（VPC↔外部网络）" in flow.fields[1] and "核心区别对比表" in flow.fields[2]


def test_sample_table_lines_are_claimed_so_memory_points_leave_them_alone(sample_notes: Path) -> None:
    source = (sample_notes / "vpc-link-vs-vgw.md").read_text(encoding="utf-8")
    found = extract(parse(source, "vpc-link-vs-vgw.md"))
    assert 17 in found.claimed
    assert not [f for f in found.facts if f.kind is not Kind.TABLE and 17 <= f.origin.line <= 26]


def _notes_by_front(col: Collection) -> dict[str, object]:
    notes = {}
    for nid in col.find_notes("tag:kind::table"):
        note = col.get_note(nid)
        notes[_text(note["Front"])] = note
    return notes


def _answer_shown(col: Collection, note) -> str:  # noqa: ANN001
    out = note.cards()[0].render_output(reload=True)
    match = re.search(r'<div class="fc-answer">(.*?)</div>', out.answer_text, re.DOTALL)
    assert match, out.answer_text
    return _text(match.group(1))


def test_sample_cell_cards_answer_through_real_anki(sample_deck: BuildResult, collection: Collection) -> None:
    import_deck(collection, sample_deck.deck_path)
    notes = _notes_by_front(collection)
    assert len(notes) == 28
    assert _answer_shown(collection, notes["VPC Link · 流量方向？"]) == "单向（API Gateway→VPC）"
    assert _answer_shown(collection, notes["Lambda（默认） · 是否需要VPC Link/Private Endpoint？"]) == "否"
    question = notes["VPC Link · 流量方向？"].cards()[0].render_output(reload=True).question_text
    assert "核心区别对比表" in question and "单向" not in question


def test_table_fixtures_import_into_anki_with_no_empty_side(tmp_path: Path, collection: Collection) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for case in CASES:
        shutil.copy(TABLES / f"{case}.md", notes / f"{case}.md")
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    log = import_deck(collection, result.deck_path)
    table_cards = [c for c in result.cards if c.kind is Kind.TABLE]
    assert len(table_cards) == sum(len(yaml.safe_load((TABLES / f"{c}.yaml").read_text("utf-8"))["cards"] or {}) for c in CASES)
    assert len(log.new) == len(result.cards)
    for cid in collection.find_cards("tag:kind::table"):
        out = collection.get_card(cid).render_output(reload=True)
        assert _text(out.question_text) and _text(out.answer_text)
        assert "fc-asked" in out.answer_text and "fc-asked" not in out.question_text
    summary = summary_text(result)
    assert "warning: data_dump.md:5: table not turned into cards" in summary
    assert "warning: trace.md:14: table not turned into cards" in summary


# --------------------------------------------------------------------- identity


def _swap_columns(line: str, a: int, b: int) -> str:
    cells = line.strip().strip("|").split("|")
    cells[a], cells[b] = cells[b], cells[a]
    return "|" + "|".join(cells) + "|"


_GRID = (("对比维度", "S3", "EBS", "EFS"), ("存储类型", "对象", "块", "文件"), ("访问", "HTTP", "挂载", "NFS"), ("范围", "区域", "单AZ", "-"))


@settings(max_examples=40, deadline=None)
@given(rows=st.permutations(range(1, 4)), columns=st.permutations(range(1, 4)))
def test_any_order_of_rows_and_columns_asks_the_same_cells(rows: list[int], columns: list[int]) -> None:
    def cells(row_order: list[int], column_order: list[int]) -> set[tuple[str, str]]:
        order = [0, *column_order]
        lines = ["| " + " | ".join(_GRID[0][c] for c in order) + " |", "|" + "---|" * 4]
        lines += ["| " + " | ".join(_GRID[r][c] for c in order) + " |" for r in row_order]
        found = tables.extract(parse("## 对比\n\n" + "\n".join(lines) + "\n", "g.md"))
        return {(f.key, _text(_answer_html(f))) for f in found.facts}

    original = cells([1, 2, 3], [1, 2, 3])
    assert len(original) == 8 and ("EBS · 访问", "挂载") in original
    assert cells(rows, columns) == original


def _guids(result: BuildResult) -> dict[str, str]:
    return {c.fields[0]: c.guid for c in result.cards if c.kind is Kind.TABLE}


def test_reordering_rows_and_columns_keeps_every_cell_card(sample_notes: Path, tmp_path: Path, collection: Collection) -> None:
    first = run_build(sample_notes, tmp_path / "out", now=1_790_000_000)
    import_deck(collection, first.deck_path)
    note_file = sample_notes / "vpc-link-vs-vgw.md"
    lines = note_file.read_text(encoding="utf-8").splitlines()
    table = list(range(16, 26))  # 0-based: header, delimiter, 8 rows
    for i in table:
        lines[i] = _swap_columns(lines[i], 1, 2)
    body = [lines[i] for i in table[2:]]
    for i, row in zip(table[2:], reversed(body), strict=True):
        lines[i] = row
    note_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    second = run_build(sample_notes, tmp_path / "out", now=1_790_000_100)
    # (The rebuild may patch the last deck, so what it holds is read from the deck.)
    shipped = {f[0]: (guid, ANSWER.match(f[1])) for guid, (f, _, _) in deck_notes(second.deck_path).items()}
    assert {front: guid for front, (guid, answer) in shipped.items() if answer} == _guids(first)
    answers = {front: answer.group(1) for front, (_, answer) in shipped.items() if answer}
    assert answers == {c.fields[0]: ANSWER.match(c.fields[1]).group(1) for c in first.cards if c.kind is Kind.TABLE}
    log = import_deck(collection, second.deck_path)
    assert not log.new and not log.conflicting
    assert collection.note_count() == len(first.cards)


def test_editing_a_cell_updates_the_same_anki_note_and_keeps_its_history(
    sample_notes: Path, tmp_path: Path, collection: Collection
) -> None:
    from anki.scheduler.v3 import CardAnswer

    first = run_build(sample_notes, tmp_path / "out", now=1_790_000_000)
    import_deck(collection, first.deck_path)
    note = _notes_by_front(collection)["VPC Link · 流量方向？"]
    card = note.cards()[0]
    # Study the card's deck with no daily limit, so this card can be answered.
    config = collection.decks.config_dict_for_deck_id(card.did)
    config["new"]["perDay"] = 9999
    collection.decks.update_config(config)
    collection.decks.select(card.did)
    collection.sched.reposition_new_cards([card.id], starting_from=0, step_size=1, randomize=False, shift_existing=True)
    top = collection.sched.get_queued_cards(fetch_limit=1).cards[0]
    assert top.card.id == card.id
    card = collection.get_card(card.id)
    card.start_timer()
    collection.sched.answer_card(collection.sched.build_answer(card=card, states=top.states, rating=CardAnswer.GOOD))

    note_file = sample_notes / "vpc-link-vs-vgw.md"
    text = note_file.read_text(encoding="utf-8")
    assert "单向（API Gateway→VPC）" in text
    note_file.write_text(text.replace("单向（API Gateway→VPC）", "单向（仅由API Gateway发起→VPC）"), encoding="utf-8")
    second = run_build(sample_notes, tmp_path / "out", now=1_790_000_100)
    log = import_deck(collection, second.deck_path)

    assert not log.new and len(log.updated) >= 1
    assert collection.note_count() == len(first.cards)
    again = collection.get_note(note.id)
    assert again.guid == note.guid
    assert _answer_shown(collection, again) == "单向（仅由API Gateway发起→VPC）"
    assert collection.get_card(card.id).reps == 1
