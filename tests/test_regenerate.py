"""Regenerating after note edits updates cards in place and keeps every review.

Everything is checked in a real Anki collection: build → import → review →
edit the notes → rebuild → import with the desktop defaults.
"""

from __future__ import annotations

import re
from pathlib import Path

from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer

from flashcards.notetypes import BASIC
from flashcards.state.reconcile import REMOVED_TAG, Status
from tests.conftest import deck_notes, import_deck, run_build

T0 = 1_790_000_000


def _review_all(col: Collection, limit: int) -> int:
    """Answer up to ``limit`` queued cards 'good'; returns how many were answered."""
    col.decks.select(col.decks.id_for_name("Flashcards"))
    done = 0
    for _ in range(limit):
        queued = col.sched.get_queued_cards(fetch_limit=1).cards
        if not queued:
            break
        card = col.get_card(queued[0].card.id)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=queued[0].states, rating=CardAnswer.GOOD))
        done += 1
    return done


def _snapshot(col: Collection) -> dict[str, tuple[int, list[tuple[int, int, int, int]]]]:
    """guid → (note id, [(card id, ivl, due, reps)…])."""
    out = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        cards = sorted((c.id, c.ivl, c.due, c.reps) for c in note.cards())
        out[note.guid] = (nid, cards)
    return out


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture drift: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _guid_of(result, pattern: str) -> str:  # noqa: ANN001
    matches = [c.guid for c in result.plan.changes if re.search(pattern, c.label)]
    assert len(matches) == 1, (pattern, matches)
    return matches[0]


def test_edits_update_in_place_and_keep_reviews(sample_notes: Path, tmp_path: Path, collection: Collection) -> None:
    out = tmp_path / "out"
    first = run_build(sample_notes, out, now=T0)
    import_deck(collection, first.deck_path)
    assert _review_all(collection, 15) == 15
    revlog_before = collection.db.scalar("select count() from revlog")
    before = _snapshot(collection)
    reviewed = {guid for guid, (_, cards) in before.items() if any(reps for *_, reps in cards)}

    guid_answer = _guid_of(first, r"默认模式$")
    guid_reworded = _guid_of(first, r"核心特点$")
    guid_heading = _guid_of(first, r"六、记忆要点 › VPC Link$|记忆要点 › VPC Link$")
    guid_removed = _guid_of(first, r"类比$")
    guid_cell = _guid_of(first, r"› VPC Link · 流量方向$")
    guid_mcq = _guid_of(first, r"真题示例1")
    guid_inline = _guid_of(first, r"为什么不需要Private Endpoint？$")

    vpc = sample_notes / "vpc-link-vs-vgw.md"
    srv = sample_notes / "serverless-api-gateway-networking.md"
    _edit(srv, "默认运行在 **AWS托管的VPC** 中", "默认运行在 **AWS托管的Lambda服务VPC** 中")  # change an answer
    _edit(srv, "**核心特点**：", "**核心特性**：")  # reword a question
    _edit(vpc, "| 单向（API Gateway→VPC） |", "| 单向（API Gateway → VPC内资源） |")  # a table cell
    _edit(srv, "- 选项C：必须给Lambda配置Private Endpoint → 错误。", "- 选项C：必须给Lambda配置Private Endpoint和NAT → 错误。")
    _edit(srv, "方向相反，自然不需要。", "方向相反，所以不需要。")  # an inline answer
    _edit(vpc, "## 六、**记忆要点**", "## 六、**记忆口诀**")  # rename a heading
    _edit(srv, "- 类比：就像同一个大楼里的两个部门，不需要走外部马路，通过内部走廊就能通信——AWS就是这个“大楼”，内部服务间的通信由AWS自动打通。\n", "")  # delete
    _edit(srv, "## 总结：", "## 补充要点\n- **冷启动**：首次调用需要 **初始化执行环境**\n\n## 总结：")  # add
    # reorder sections: 四 and 五 swap places, and are renumbered
    text = vpc.read_text(encoding="utf-8")
    four = text[text.index("## 四、"):text.index("## 五、")]
    five = text[text.index("## 五、"):text.index("## 六、")]
    text = text.replace(four + five, five.replace("## 五、", "## 四、") + four.replace("## 四、", "## 五、"))
    vpc.write_text(text, encoding="utf-8")
    vpc.rename(sample_notes / "vpc-link-and-vgw.md")  # rename a note file

    second = run_build(sample_notes, out, now=T0 + 100)
    log = import_deck(collection, second.deck_path)
    assert not log.conflicting

    statuses = {c.guid: c.status for c in second.plan.changes}
    assert statuses[guid_answer] is Status.UPDATED
    assert statuses[guid_reworded] is Status.RENAMED
    assert statuses[guid_heading] is Status.RENAMED
    assert statuses[guid_removed] is Status.REMOVED
    assert statuses[guid_mcq] is statuses[guid_inline] is Status.UPDATED
    assert statuses[guid_cell] is Status.RENAMED  # its file was renamed too; content checked below
    new = [c for c in second.plan.changes if c.status is Status.NEW]
    assert [c.label for c in new] == ["补充要点 › 冷启动"]
    renamed_by_file = [c for c in second.plan.changes if c.status is Status.RENAMED and "vpc-link-and-vgw.md" in c.source]
    assert len(renamed_by_file) == len([c for c in first.cards if c.origin.path == "vpc-link-vs-vgw.md"])

    after = _snapshot(collection)
    # No duplicates: every old note is still one note, plus exactly the one new card.
    assert len(after) == len(before) + 1
    assert collection.note_count() == len(before) + 1
    for guid, (nid, cards) in before.items():
        assert after[guid][0] == nid
        if guid in reviewed:
            assert [c[:3] for c in after[guid][1]] == [c[:3] for c in cards], "scheduling kept"
    assert collection.db.scalar("select count() from revlog") == revlog_before

    note = collection.get_note(after[guid_answer][0])
    assert "AWS托管的Lambda服务VPC" in note["Text"]
    assert "核心特性" in collection.get_note(after[guid_reworded][0])["Front"]
    assert "记忆口诀" in collection.get_note(after[guid_heading][0])["Context"]
    assert REMOVED_TAG in collection.get_note(after[guid_removed][0]).tags
    assert "单向（API Gateway → VPC内资源）" in collection.get_note(after[guid_cell][0])["Back"]
    assert "Private Endpoint和NAT" in collection.get_note(after[guid_mcq][0])["Front"]
    assert "所以不需要" in collection.get_note(after[guid_inline][0])["Back"]
    assert len(log.new) == 1


def test_rebuild_of_unchanged_notes_is_byte_identical_and_anki_skips_every_note(
    sample_notes: Path, tmp_path: Path, collection: Collection
) -> None:
    out = tmp_path / "out"
    first = run_build(sample_notes, out, now=T0)
    data = first.deck_path.read_bytes()
    lock = first.lock_path.read_bytes()
    import_deck(collection, first.deck_path)

    again = run_build(sample_notes, out, now=T0 + 500)
    assert not again.plan.changed
    assert again.plan.count(Status.UNCHANGED) == len(first.cards)
    assert first.lock_path.read_bytes() == lock

    first.deck_path.unlink()  # force a full rewrite: same bytes
    rewritten = run_build(sample_notes, out, now=T0 + 900)
    assert rewritten.written
    assert rewritten.deck_path.read_bytes() == data

    log = import_deck(collection, rewritten.deck_path)
    assert len(log.duplicate) == len(first.cards)
    assert not log.new and not log.updated


def test_note_moved_to_another_deck_is_reported(sample_notes: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_build(sample_notes, out, now=T0)
    _edit(sample_notes / "vpc-link-vs-vgw.md", "# VPC Link vs Virtual Private Gateway (VGW)：核心区别", "# VPC Link 与 VGW")
    second = run_build(sample_notes, out, now=T0 + 10)
    assert any("moved from deck" in w for w in second.plan.warnings)


def test_dry_run_writes_nothing(sample_notes: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_build(sample_notes, out, now=T0, dry_run=True)
    assert result.plan.count(Status.NEW) == len(result.cards)
    assert not out.exists()
    assert not result.lock_path.exists()


def test_corrupt_lock_file_stops_the_build_until_rebuild_ids(sample_notes: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from flashcards.cli import app

    out = tmp_path / "out"
    first = run_build(sample_notes, out, now=T0)
    first.lock_path.write_text('{"version": 1, "cards": [', encoding="utf-8")
    runner = CliRunner()
    failed = runner.invoke(app, ["build", str(sample_notes), "--output", str(out)])
    assert failed.exit_code == 1
    assert "Error:" in failed.output and "flashcards.lock" in failed.output and "--rebuild-ids" in failed.output
    assert first.lock_path.read_text(encoding="utf-8") == '{"version": 1, "cards": ['  # never silently reset

    rebuilt = runner.invoke(app, ["build", str(sample_notes), "--output", str(out), "--rebuild-ids"])
    assert rebuilt.exit_code == 0, rebuilt.output
    second = run_build(sample_notes, out, now=T0 + 10)
    # Guids come from identities, so a new lock finds the same guids again.
    assert {n.card.guid for n in second.plan.notes} == {n.card.guid for n in first.plan.notes}


def test_json_report_lists_changes_for_scripts(sample_notes: Path, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from flashcards.cli import app

    out = tmp_path / "out"
    run_build(sample_notes, out, now=T0)
    _edit(sample_notes / "vpc-link-vs-vgw.md", "**单向私有通道**", "**单向专用通道**")
    result = CliRunner().invoke(app, ["build", str(sample_notes), "--output", str(out), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dry_run"] is True and data["written"] is False
    assert data["counts"]["updated"] == 1
    assert [c["card"] for c in data["changes"]] == ["记忆要点 › VPC Link"]


def test_a_line_added_above_cards_moves_them_without_updating_them(
    sample_notes: Path, tmp_path: Path, collection: Collection
) -> None:
    out = tmp_path / "out"
    first = run_build(sample_notes, out, now=T0)
    import_deck(collection, first.deck_path)
    note = collection.get_note(collection.find_notes('"Source:vpc-link-vs-vgw.md:*"')[-1])
    note["Extra"] = "my own mnemonic"  # an edit made in Anki
    collection.update_note(note)

    _edit(sample_notes / "vpc-link-vs-vgw.md", "## 一、", "> 复习日期：周五\n\n## 一、")
    second = run_build(sample_notes, out, now=T0 + 100)
    assert not second.plan.changed
    log = import_deck(collection, second.deck_path)
    assert not log.updated
    assert collection.get_note(note.id)["Extra"] == "my own mnemonic"

    # Moved again, and built twice more: still nothing to update, and the deck
    # keeps showing the line Anki has (the lock read without its fields).
    shown = note["Source"]
    _edit(sample_notes / "vpc-link-vs-vgw.md", "> 复习日期：周五", "> 复习日期：周五\n>\n> 再看一遍")
    third = run_build(sample_notes, out, now=T0 + 200)
    fourth = run_build(sample_notes, out, now=T0 + 300)
    assert not third.plan.changed and fourth.up_to_date
    shipped = deck_notes(third.deck_path)
    assert shipped[note.guid][0][BASIC.fields.index("Source")] == shown
    assert not import_deck(collection, third.deck_path).updated


def test_a_card_removed_with_no_last_deck_is_reported_and_left_to_anki(sample_notes: Path, tmp_path: Path) -> None:
    import shutil

    from flashcards.state import lockfile

    out = tmp_path / "out"
    first = run_build(sample_notes, out, now=T0)
    guid = _guid_of(first, r"类比$")
    shutil.rmtree(out)  # a fresh clone: the lock, but no deck built here yet
    line = "- 类比：就像同一个大楼里的两个部门，不需要走外部马路，通过内部走廊就能通信——AWS就是这个“大楼”，内部服务间的通信由AWS自动打通。\n"
    _edit(sample_notes / "serverless-api-gateway-networking.md", line, "")
    second = run_build(sample_notes, out, now=T0 + 100)
    change = next(c for c in second.plan.changes if c.guid == guid)
    assert change.status is Status.REMOVED and "not tagged" in change.detail
    assert guid not in deck_notes(second.deck_path)  # (its content is not known: Anki keeps the note as it is)
    lock = lockfile.load(second.lock_path)
    assert lock is not None and next(c for c in lock.cards if c.guid == guid).removed == T0 + 100
