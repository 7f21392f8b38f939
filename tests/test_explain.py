"""`flashcards explain`: what each line of a note became, checked against the
deck a build makes and Anki imports; and `cards.skip_headings`, the headings
whose sections give no cards."""

from __future__ import annotations

import html
import json
import re
import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from anki.collection import Collection

from flashcards.explain import STATUSES
from tests.conftest import FIXTURES, import_deck, run_cli, write_notes

NOTES = FIXTURES / "explain" / "notes"


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    """A writable copy of the explain fixtures (a build writes its lock next to them)."""
    target = tmp_path / "notes"
    shutil.copytree(NOTES, target)
    return target


def explain_json(*args: str | Path, cwd: Path) -> dict:
    done = run_cli("explain", *args, "--json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def build(notes: Path, out: Path, cwd: Path) -> Path:
    done = run_cli("build", notes, "-o", out, cwd=cwd)
    assert done.returncode == 0, done.stderr
    (deck,) = out.glob("*.apkg")
    return deck


def plain(field: str) -> str:
    """A field as text, the way explain promises to show fronts: one line per
    block joined by " / ", cloze deletions in ⟦ ⟧."""
    text = re.sub(r"\{\{c\d+::(.*?)(?:::[^{}]*?)?\}\}", r"⟦\1⟧", field, flags=re.DOTALL)
    text = re.sub(r"</(?:p|li|div|tr|h\d|pre|blockquote)>|<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def line_of(note: dict, starts: str) -> dict:
    found = [line for line in note["lines"] if line["text"].startswith(starts)]
    assert len(found) == 1, (starts, [line["text"] for line in note["lines"]])
    return found[0]


def by_source(report: dict) -> dict[str, dict]:
    return {note["source"]: note for note in report["notes"]}


# ------------------------------------------------------------------ explain


@pytest.mark.parametrize("toml", ["", '[cards]\nreverse = ["table"]\n'], ids=["defaults", "reverse-cards"])
def test_the_cards_shown_are_the_cards_anki_holds(tmp_path: Path, notes: Path, collection: Collection, toml: str) -> None:
    (notes / "flashcards.toml").write_text(toml, encoding="utf-8")
    import_deck(collection, build(notes, tmp_path / "out", tmp_path))
    in_anki: Counter[tuple[str, int, str, str, int]] = Counter()
    for nid in collection.find_notes(""):
        note = collection.get_note(nid)
        source, _, line = html.unescape(note["Source"]).rpartition(":")
        kind = next(t.split("::", 1)[1] for t in note.tags if t.startswith("kind::"))
        in_anki[(source, int(line), kind, plain(note.fields[0]), len(note.cards()))] += 1

    report = explain_json(notes, cwd=tmp_path)
    shown: Counter[tuple[str, int, str, str, int]] = Counter(
        (note["source"], line["line"], card["kind"], card["front"], card["anki_cards"])
        for note in report["notes"] for line in note["lines"] for card in line["cards"]
    )
    assert len(in_anki) >= 12 and {k[2] for k in in_anki} >= {"definition", "memory", "procedure", "table", "question"}
    assert shown == in_anki
    assert any(k[2] == "table" and k[4] == (2 if toml else 1) for k in in_anki)
    for note in report["notes"]:
        assert note["cards"] == sum(len(line["cards"]) for line in note["lines"])
        assert note["anki_cards"] == sum(c["anki_cards"] for line in note["lines"] for c in line["cards"])


def test_every_non_blank_line_is_accounted_for(tmp_path: Path, notes: Path) -> None:
    report = explain_json(notes, cwd=tmp_path)
    assert sorted(by_source(report)) == ["more/draft.md", "more/quiz.md", "more/zh.md", "networking.md"]
    assert report["version"] == 1
    for note in report["notes"]:
        text = (notes / note["source"]).read_text(encoding="utf-8").split("\n")
        assert [line["line"] for line in note["lines"]] == [n for n, t in enumerate(text, 1) if t.strip()]
        statuses = {line["line"]: line["status"] for line in note["lines"]}
        for line in note["lines"]:
            assert line["status"] in STATUSES
            assert line["text"] == text[line["line"] - 1]
            assert bool(line["cards"]) == (line["status"] == "card"), line
            if line["status"] == "left_out":
                assert line["left_out"] and all(r["reason"] for r in line["left_out"]), line
            if line["status"] == "part_of_card" and line["of_line"] is not None:
                assert statuses[line["of_line"]] == "card", line
    quiz = by_source(report)["more/quiz.md"]
    assert line_of(quiz, "   B. 443")["of_line"] == line_of(quiz, "1. Which port")["line"]
    key = line_of(quiz, "1. B 2. C")  # the answer key at the end feeds both questions' cards
    assert key["status"] == "part_of_card" and key["of_line"] is None


def test_each_reason_for_leaving_a_line_out_is_named_where_the_build_names_it(tmp_path: Path, notes: Path) -> None:
    note = by_source(explain_json(notes / "networking.md", cwd=tmp_path))["networking.md"]
    expected = {
        "Author: Lin Xiaoman": "boilerplate",
        "| e.g. |": "example data",
        "<details><summary>show</summary>": "reveal label for a question",
        "<details><summary>What does a traceroute print?": "question has no answer, no card made",
        "| Tool |": "table not turned into cards: a one-column table is a list, not a comparison",
        "- **RFC 793**": "boilerplate",
    }
    done = run_cli("build", notes, "-o", tmp_path / "out", "--dry-run", "--json", cwd=tmp_path)
    built = json.loads(done.stdout)
    named_by_build = {x["source"] for x in built["left_out"]} | {":".join(w.split(":")[:2]) for w in built["warnings"]}
    for starts, reason in expected.items():
        line = line_of(note, starts)
        assert line["status"] == "left_out", line
        assert [r["reason"] for r in line["left_out"]] == [reason], line
        assert f"networking.md:{line['line']}" in named_by_build, (starts, named_by_build)
    references = line_of(note, "- **RFC 793**")["left_out"][0]
    assert "'References'" in references["detail"]
    assert line_of(note, "## References")["note"] == "heading; in the section 'References', which gives no cards"
    # the rest of a candidate left out is left out with it
    assert line_of(note, "443 for HTTPS.")["of_line"] == line_of(note, "<details><summary>show</summary>")["line"]
    assert line_of(note, "| dig |")["status"] == "left_out"


def test_lines_switched_off_by_the_author_say_so(tmp_path: Path, notes: Path) -> None:
    report = by_source(explain_json(notes, cwd=tmp_path))
    networking = report["networking.md"]
    for starts in ("<!-- flashcards: off -->", "**Draft term**", "<!-- flashcards: on -->"):
        assert line_of(networking, starts)["status"] == "switched_off"
    assert line_of(networking, "**Port**")["status"] == "card"
    draft = report["more/draft.md"]
    assert draft["cards"] == 0 and draft["lines"]
    assert {line["status"] for line in draft["lines"]} == {"switched_off"}
    text = run_cli("explain", notes / "more" / "draft.md", cwd=tmp_path).stdout
    assert re.search(r"^\s+6\s+\*\*Idea\*\*: something half-formed\.\s+switched off by the author$", text, re.MULTILINE), text


def test_a_kind_switched_off_in_the_configuration_is_named(tmp_path: Path, notes: Path) -> None:
    (notes / "flashcards.toml").write_text('[cards]\nkinds = ["definition", "memory", "question"]\n', encoding="utf-8")
    note = by_source(explain_json(notes / "networking.md", cwd=tmp_path))["networking.md"]
    row = line_of(note, "| Length |")
    assert row["status"] == "left_out"
    assert {r["reason"] for r in row["left_out"]} == {"kind 'table' is not in cards.kinds"}
    assert line_of(note, "1. The client sends SYN")["left_out"][0]["reason"] == "kind 'procedure' is not in cards.kinds"
    assert line_of(note, "**Subnet**")["status"] == "card"


def test_the_text_report_is_numbered_and_aligned(tmp_path: Path, notes: Path) -> None:
    done = run_cli("explain", notes / "more" / "zh.md", notes / "more" / "draft.md", notes / "networking.md", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("more/zh.md") < done.stdout.index("networking.md")  # in path order
    rows = [r for r in done.stdout.splitlines() if re.match(r"^\s+\d+  ", r)]
    assert len(rows) > 30
    starts = set()
    for row in rows:
        found = re.search(r"  (card|part of the card|left out|switched off|not a fact)", row)
        assert found, row
        starts.add(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in row[: found.start()]))
    assert len(starts) == 1, starts
    assert "more/zh.md — 2 note(s), 2 card(s) in Anki; left out 1 (1 boilerplate)" in done.stdout
    assert re.search(r"^\s+7  - 什么是幻读？\s+card    question   什么是幻读？$", done.stdout, re.MULTILINE), done.stdout
    assert re.search(r"^\s+15  1\. The client sends SYN\s+card ×3 procedure", done.stdout, re.MULTILINE), done.stdout


def test_several_files_and_folders_are_explained_once_each_and_nothing_is_written(tmp_path: Path, notes: Path) -> None:
    before = sorted((p, p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    report = explain_json(notes / "networking.md", notes / "more", notes, cwd=tmp_path)
    assert sorted(n["source"] for n in report["notes"]) == ["more/draft.md", "more/quiz.md", "more/zh.md", "networking.md"]
    assert sorted((p, p.stat().st_mtime_ns) for p in tmp_path.rglob("*")) == before


def test_a_missing_note_is_a_clear_error(tmp_path: Path, notes: Path) -> None:
    done = run_cli("explain", notes / "networking.md", notes / "nope.md", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip() == f"Error: {notes / 'nope.md'}: no such file or folder"


def test_cards_are_named_from_the_notes_folder_of_the_last_build(tmp_path: Path, notes: Path) -> None:
    build(notes, tmp_path / "out", tmp_path)  # leaves flashcards.lock in notes/
    report = explain_json(notes / "more" / "zh.md", cwd=tmp_path)
    assert [n["source"] for n in report["notes"]] == ["more/zh.md"]


# ------------------------------------------------------------------ cards.skip_headings

SECTIONS = {
    "topics.md": (
        "# Topics\n\n## Core\n\n**Throughput**: work done per second.\n\n"
        "## 3. Glossary 📖\n\n**Latency**: time until the first byte.\n\n"
        "## References\n\n**RFC 9110**: the HTTP semantics, the standard itself.\n"
    ),
}


@pytest.mark.parametrize(
    ("toml", "carded"),
    [
        ("", {"Throughput", "Latency"}),
        ('[cards]\nextend_skip_headings = ["glossary"]\n', {"Throughput"}),
        ('[cards]\nskip_headings = ["Glossary"]\n', {"Throughput", "RFC 9110"}),
        ("[cards]\nskip_headings = []\n", {"Throughput", "Latency", "RFC 9110"}),
    ],
    ids=["defaults", "extended", "replaced", "cleared"],
)
def test_skip_headings_extend_replace_or_clear_the_defaults(
    tmp_path: Path, collection: Collection, toml: str, carded: set[str]
) -> None:
    notes = write_notes(tmp_path / "notes", {**SECTIONS, "flashcards.toml": toml})
    import_deck(collection, build(notes, tmp_path / "out", tmp_path))
    fronts = [plain(collection.get_note(nid)["Front"]) for nid in collection.find_notes("")]
    assert {term for term in ("Throughput", "Latency", "RFC 9110") if any(term in f for f in fronts)} == carded
    note = by_source(explain_json(notes, cwd=tmp_path))["topics.md"]
    for term, heading in (("Latency", "3. Glossary 📖"), ("RFC 9110", "References")):
        line = line_of(note, f"**{term}**")
        if term in carded:
            assert line["status"] == "card"
        else:
            assert line["status"] == "left_out"
            assert line["left_out"][0]["detail"] == f"in the section {heading!r}, which gives no cards"


def test_bad_skip_headings_are_configuration_errors_listed_together(tmp_path: Path) -> None:
    notes = write_notes(
        tmp_path / "notes",
        {**SECTIONS, "flashcards.toml": '[cards]\nskip_headings = "References"\nextend_skip_headings = ["Glossary", "📚", ""]\n'},
    )
    for command in (("build", notes, "-o", tmp_path / "out"), ("explain", notes)):
        done = run_cli(*command, cwd=tmp_path)
        assert done.returncode == 1, done.stdout
        assert "flashcards.toml: 3 problem(s)" in done.stderr
        assert "cards.skip_headings: must be a list of strings, not a string" in done.stderr
        assert "cards.extend_skip_headings: '📚' is not a heading (it needs a letter or digit)" in done.stderr
        assert "cards.extend_skip_headings: '' is not a heading (it needs a letter or digit)" in done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_candidate_that_would_show_an_empty_side_is_named_not_dropped(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"empty.md": "# T\n\n- **Term**: **<span></span>**\n- **Kept**: a real answer\n"})
    built = json.loads(run_cli("build", notes, "-o", tmp_path / "out", "--dry-run", "--json", cwd=tmp_path).stdout)
    assert {x["source"]: x["reason"] for x in built["left_out"]} == {"empty.md:3": "a side would be empty"}
    note = by_source(explain_json(notes, cwd=tmp_path))["empty.md"]
    assert line_of(note, "- **Term**")["left_out"][0]["reason"] == "a side would be empty"
    assert line_of(note, "- **Kept**")["status"] == "card"
