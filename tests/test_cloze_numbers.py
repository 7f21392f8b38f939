"""A list or procedure note keeps each item's cloze number for life.

Checked in a real Anki collection: build → import → review every card →
insert, delete, reorder and edit items → rebuild → import; every reviewed
card must still ask the item it was reviewed on.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer

from flashcards.report import summary_json, summary_text
from flashcards.state import lockfile
from flashcards.state.reconcile import Status
from tests.conftest import deck_notes, import_deck, run_build, write_notes

T0 = 1_790_000_000

NOTE = """# 网络

## 适合使用网关的场景
- 连接**企业数据中心**
- 构建**跨区域通信**
- 实现**灾难恢复**
- 对接**合作伙伴网络**

## 部署步骤
1. 创建**虚拟网关**
2. 部署**客户网关**
3. 建立**加密隧道**
4. 添加**路由条目**
"""


def _review_all(col: Collection) -> int:
    """Answer every new card once ('easy': out of the day's queue); returns how many."""
    deck = col.decks.id_for_name("Flashcards")
    preset = col.decks.config_dict_for_deck_id(deck)
    preset["new"]["perDay"] = 1000  # (the default, 20 a day, would leave some unreviewed)
    col.decks.update_config(preset)
    col.decks.select(deck)
    done = 0
    while queued := col.sched.get_queued_cards(fetch_limit=1).cards:
        card = col.get_card(queued[0].card.id)
        assert card.reps == 0
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=queued[0].states, rating=CardAnswer.EASY))
        done += 1
    return done


def _asks(col: Collection) -> dict[int, tuple[str, int]]:
    """card id → (the text it hides, its reviews); '' for a card with no cloze left."""
    out = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        hidden = re.findall(r'class="cloze" data-cloze="([^"]*)"', card.render_output(reload=True).question_text)
        out[cid] = (" + ".join(html.unescape(h) for h in hidden), card.reps)
    return out


def _rebuild_and_import(notes: Path, out: Path, col: Collection, now: int):
    result = run_build(notes, out, now=now)
    log = import_deck(col, result.deck_path)
    assert not log.conflicting
    return result


def test_insert_delete_reorder_and_edit_keep_every_reviewed_card_on_its_item(
    tmp_path: Path, collection: Collection
) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": NOTE})
    out = tmp_path / "out"
    _rebuild_and_import(notes, out, collection, T0)
    assert _review_all(collection) == 8
    before = _asks(collection)
    assert all(reps for _, reps in before.values())

    edited = (
        NOTE.replace("- 构建**跨区域通信**\n", "- 构建**跨区域通信**\n- 共享**NLB入口**\n")  # insert
        .replace("- 实现**灾难恢复**\n", "")  # delete
        .replace("- 对接**合作伙伴网络**", "- 对接**合作伙伴的网络**")  # edit
        .replace("1. 创建**虚拟网关**\n2. 部署**客户网关**\n", "1. 部署**客户网关**\n2. 创建**虚拟网关**\n")  # reorder
        .replace("4. 添加**路由条目**", "4. 添加**路由条目**\n5. 验证**连通性**")  # append
    )
    (notes / "net.md").write_text(edited, encoding="utf-8")
    second = _rebuild_and_import(notes, out, collection, T0 + 100)
    after = _asks(collection)

    renamed = {"合作伙伴网络": "合作伙伴的网络"}
    for cid, (text, _) in before.items():
        if text == "灾难恢复":
            assert after[cid] == ("", 1), "the deleted item's card is left empty, with its review"
        else:
            assert after[cid] == (renamed.get(text, text), 1), f"card {cid} reviewed on {text!r}"
    new = {text for cid, (text, reps) in after.items() if cid not in before}
    assert new == {"NLB入口", "连通性"}
    assert all(reps == 0 for cid, (_, reps) in after.items() if cid not in before)

    # The report names the emptied card and says how to delete it in Anki.
    change = next(c for c in second.plan.changes if c.emptied)
    assert change.status is Status.UPDATED and change.emptied == (3,)
    assert "Empty Cards" in change.detail
    assert "Tools › Empty Cards" in summary_text(second)
    assert json.loads(summary_json(second))["changes"][0]["emptied_clozes"] == [3]
    # Anki's Empty Cards tool finds exactly that card.
    deleted = next(cid for cid, (text, _) in before.items() if text == "灾难恢复")
    assert [list(n.card_ids) for n in collection.get_empty_cards().notes] == [[deleted]]


def test_a_deleted_number_is_never_given_to_another_item(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": NOTE})
    out = tmp_path / "out"
    _rebuild_and_import(notes, out, collection, T0)
    _review_all(collection)
    note = notes / "net.md"
    note.write_text(NOTE.replace("- 对接**合作伙伴网络**\n", ""), encoding="utf-8")  # delete the last (c4)
    _rebuild_and_import(notes, out, collection, T0 + 100)
    note.write_text(NOTE.replace("- 对接**合作伙伴网络**\n", "- 提供**专线备份**\n"), encoding="utf-8")
    third = _rebuild_and_import(notes, out, collection, T0 + 200)
    assert not any(c.emptied for c in third.plan.changes), "reported once, when it happened"
    texts = [text for text, _ in _asks(collection).values()]
    assert "专线备份" in texts and "合作伙伴网络" not in texts
    card = next(cid for cid, (text, _) in _asks(collection).items() if text == "专线备份")
    assert collection.get_card(card).reps == 0 and collection.get_card(card).ord == 4  # c5, not c4


def test_the_sample_notes_new_bullet_takes_a_new_number(sample_notes: Path, tmp_path: Path, collection: Collection) -> None:
    out = tmp_path / "out"
    _rebuild_and_import(sample_notes, out, collection, T0)
    _review_all(collection)
    lambda_card = next(cid for cid, (text, _) in _asks(collection).items() if text.startswith("Lambda函数"))

    vpc = sample_notes / "vpc-link-vs-vgw.md"
    bullet = "- 构建**内部管理API**，仅限VPC内EC2实例或其他服务调用\n"
    text = vpc.read_text(encoding="utf-8")
    assert bullet in text
    vpc.write_text(text.replace(bullet, bullet + "- 多个API共享同一个**NLB入口**，节省成本\n"), encoding="utf-8")
    _rebuild_and_import(sample_notes, out, collection, T0 + 100)

    asks = _asks(collection)
    assert asks[lambda_card] == ("Lambda函数通过API Gateway访问VPC内数据库", 1)
    nlb = [cid for cid, (text, _) in asks.items() if text == "NLB入口"]
    assert len(nlb) == 1 and asks[nlb[0]][1] == 0


def test_an_older_lock_without_numbers_reads_as_positional(tmp_path: Path, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": NOTE})
    out = tmp_path / "out"
    _rebuild_and_import(notes, out, collection, T0)
    _review_all(collection)
    lock = notes / lockfile.LOCK_NAME
    _write_version_1(lock, deck_notes(out / "flashcards.apkg"))  # as the release before numbers wrote it

    again = run_build(notes, out, now=T0 + 50, cache=False)  # nothing changed: the lock is only rewritten
    assert not again.written and not again.plan.changed
    numbers = {c.kind: c.clozes for c in lockfile.load(lock).cards if c.clozes}
    assert numbers["list"] == ("连接企业数据中心", "构建跨区域通信", "实现灾难恢复", "对接合作伙伴网络")
    before = _asks(collection)
    (notes / "net.md").write_text(NOTE.replace("## 适合使用网关的场景\n", "## 适合使用网关的场景\n- 提供**专线备份**\n"), "utf-8")
    _rebuild_and_import(notes, out, collection, T0 + 100)
    after = _asks(collection)
    assert all(after[cid] == asked for cid, asked in before.items())


def _write_version_1(lock: Path, shipped: dict) -> None:
    """The lock as version 1 wrote it, with no cloze numbers: every card's fields, from the deck."""
    current = lockfile.load(lock)
    assert current is not None
    cards = [
        {"guid": c.guid, "identity": c.identity, "kind": c.kind, "hash": c.hash + "0" * 16, "mod": c.mod,
         "source": c.source, "deck": c.deck, "label": c.label, "fields": list(shipped[c.guid][0]),
         "tags": list(shipped[c.guid][1]), "removed": c.removed}
        for c in current.cards
    ]
    head = {"version": 1, "created": current.created, "note_types": [list(t) for t in current.note_types]}
    lock.write_text(json.dumps({**head, "cards": cards}, ensure_ascii=False), encoding="utf-8")


def test_a_patched_build_numbers_items_as_a_whole_build_does(tmp_path: Path) -> None:
    # Reordering and editing items keeps each note's cards, so a cached build patches the last deck.
    edited = NOTE.replace("1. 创建**虚拟网关**\n2. 部署**客户网关**\n", "1. 部署**客户网关**\n2. 创建**虚拟网关**\n")
    edited = edited.replace("- 对接**合作伙伴网络**", "- 对接**合作伙伴的网络**")
    for name, cache in (("whole", False), ("patched", True)):
        notes = write_notes(tmp_path / name / "notes", {"net.md": NOTE, "other.md": "# 其他\n\n**术语**：含义\n"})
        run_build(notes, tmp_path / name / "out", now=T0, cache=cache)
        (notes / "net.md").write_text(edited, "utf-8")
        assert run_build(notes, tmp_path / name / "out", now=T0 + 100, cache=cache).patched is cache
    whole, patched = tmp_path / "whole", tmp_path / "patched"
    assert (whole / "notes" / "flashcards.lock").read_bytes() == (patched / "notes" / "flashcards.lock").read_bytes()
    assert (whole / "out" / "flashcards.apkg").read_bytes() == (patched / "out" / "flashcards.apkg").read_bytes()
    shipped = [fields[0] for fields, _, _ in deck_notes(patched / "out" / "flashcards.apkg").values()]
    assert any("<li>部署{{c2::客户网关}}</li><li>创建{{c1::虚拟网关}}</li>" in text for text in shipped)
    lock = lockfile.load(patched / "notes" / "flashcards.lock")
    assert lock is not None
    numbers = {c.kind: c.clozes for c in lock.cards if c.clozes}
    assert numbers == {
        "list": ("连接企业数据中心", "构建跨区域通信", "实现灾难恢复", "对接合作伙伴的网络"),
        "procedure": ("创建虚拟网关", "部署客户网关", "建立加密隧道", "添加路由条目"),
    }


def test_an_edited_item_keeps_its_number_unless_two_old_items_fit_as_well() -> None:
    from flashcards.state import clozes
    from flashcards.state.reconcile import MARGIN, SIMILAR, _similarity

    def text(*items: str) -> str:
        return "<ul>" + "".join(f"<li>{{{{c{n}::{item}}}}}</li>" for n, item in enumerate(items, start=1)) + "</ul>"

    old = ("在vpc中创建虚拟网关", "部署客户网关甲", "部署客户网关乙")
    edited = clozes.number(text("部署客户网关乙", "在VPC中创建虚拟私有网关"), old, _similarity, SIMILAR, MARGIN)
    assert edited.text == text("部署客户网关乙", "在VPC中创建虚拟私有网关").replace("c1::", "c3::").replace("c2::", "c1::")
    assert edited.clozes == ("在vpc中创建虚拟私有网关", "", "部署客户网关乙")
    assert edited.retired == ((2, "部署客户网关甲"),)

    unsure = clozes.number(text("部署客户网关丙"), old[1:], _similarity, SIMILAR, MARGIN)
    assert unsure.clozes == ("", "", "部署客户网关丙")  # a new card: 甲 and 乙 fit it equally
