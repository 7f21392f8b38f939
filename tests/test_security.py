"""Hostile notes: no script, no event handlers, no javascript: URLs, nothing
fetched from elsewhere at review time — checked in the fields of a real Anki
collection — while harmless formatting HTML survives."""

from __future__ import annotations

import re
import shutil

import pytest
from anki.collection import Collection

from flashcards import markup, web
from flashcards.build import BuildResult
from tests.conftest import FIXTURES, import_deck, run_build

HOSTILE = FIXTURES / "security" / "hostile.md"

# The Back field of each card, exactly as Anki stores it after import.
EXPECTED_BACKS = {
    "Script": "before  after",
    # The handler is gone; a.png is not in the notes folder, so the card says so.
    "Handler": '<span class="fc-img-missing">[a.png]</span> image with a handler',
    # markdown-it refuses the javascript: link and leaves its text, inert.
    "Link": "[click](javascript:alert(1)) and <a>raw</a> and <a>tab</a>",
    # Images on the web are downloaded at build time; these cannot be (tests
    # reach no other machine), so each shows its alt text or file name.
    # "//host" is no web address a note should use: it goes.
    "Remote image": '<span class="fc-img-missing">[track.png]</span> and <span class="fc-img-missing">[md]</span> and  gone',
    "Obfuscated image": "     gone too",
    "Style": "<span>styled</span> ",
    "Frame": "framed ",
    "Sound": "&#91;sound:http://evil.example/a.mp3] heard, &#91;sound:../../x.mp3] not played",
    # <u> marks what to remember: the underlined words are a cloze deletion.
    "Formatting": "H<sub>2</sub>O, {{c1::underlined}}, line<br>break, <details><summary>more</summary>hidden</details>",
    "Svg": "svg math",
    "Form": "form ",
    "Inside html": "<b>bold</b>",
}

FORBIDDEN = [
    re.compile(r"<\s*(script|iframe|object|embed|svg|math|form|input|base|meta|link|style)\b", re.I),
    re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),  # event handlers
    re.compile(r"<[^>]*\s(style|srcset|action|background)\s*=", re.I),
    re.compile(r"\s(href|src)\s*=\s*\"?\s*(javascript|vbscript|data):", re.I),
    # A sound Anki would play from elsewhere than its media folder (Anki's own
    # pattern is \[sound:(.+?)\]).
    re.compile(r"\[sound:(?:/|[^\]]*[:\\])[^\]]*\]", re.I),
]
SRC = re.compile(r"\ssrc=\"([^\"]*)\"")


@pytest.fixture(scope="module")
def hostile_deck(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    base = tmp_path_factory.mktemp("hostile")
    (base / "notes").mkdir()
    shutil.copyfile(HOSTILE, base / "notes" / "hostile.md")
    return run_build(base / "notes", base / "out", now=1_790_000_000)


def test_hostile_fields_are_sanitised_in_the_collection(hostile_deck: BuildResult, collection: Collection) -> None:
    log = import_deck(collection, hostile_deck.deck_path)
    assert len(log.new) == len(EXPECTED_BACKS)
    backs = {}
    for nid in collection.find_notes(""):
        note = collection.get_note(nid)
        for name, value in note.items():
            for pattern in FORBIDDEN:
                assert not pattern.search(value), f"{name}: {value}"
            assert all(markup.is_media_name(src) for src in SRC.findall(value)), value
        if "Front" in note:
            term = re.sub(r"<[^>]+>", "", re.sub(r"<div class=lead>.*?</div>", "", note["Front"])).removeprefix("What is ").removesuffix("?")
            backs[term] = note["Back"]
        else:  # a cloze: "<b>Term</b>: text"
            term, _, text = re.sub(r"<div class=lead>.*?</div>", "", note["Text"]).partition(": ")
            backs[re.sub(r"<[^>]+>", "", term)] = text
    assert backs == EXPECTED_BACKS


def test_rendered_cards_run_and_fetch_nothing(hostile_deck: BuildResult, collection: Collection) -> None:
    import_deck(collection, hostile_deck.deck_path)
    for cid in collection.find_cards(""):
        card = collection.get_card(cid)
        out = card.render_output(reload=True)
        for html in (out.question_text, out.answer_text):
            for pattern in FORBIDDEN:
                assert not pattern.search(html), html
        # Anki plays [sound:…] tags it finds; the remote ones were defused.
        assert not card.question_av_tags() and not card.answer_av_tags()


SANITISED = [
    ("<script>alert(1)</script>x", "x"),
    ("<img src=x onerror=alert(1)>", '<img src="x">'),
    # An image on the web gets a local placeholder name (the build downloads it, or shows its alt text).
    ('<img src="http://e.com/a.png">', f'<img src="{web.placeholder("http://e.com/a.png")}">'),
    ('<img src="HTTPS://e.com/a.png" alt="t">', f'<img src="{web.placeholder("HTTPS://e.com/a.png")}" alt="t">'),
    ('<img src="//e.com/a.png">', ""),
    ('<img src="\\\\e.com\\a.png">', ""),
    ('<img src=" http://e.com/a.png">', ""),
    ('<img src="ht&#9;tp://e.com/a.png">', ""),
    ('<img src="/\\e.com/a.png">', ""),
    ('<img src="data:image/png;base64,AAAA">', ""),
    ('<img srcset="http://e.com/a.png 1x">', ""),
    ('<img src="diagram.png" alt="a &gt; b">', '<img src="diagram.png" alt="a &gt; b">'),
    ('<img src="images/vpc.png" width="200">', '<img src="images/vpc.png" width="200">'),
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href=" JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="https://docs.aws.amazon.com/">docs</a>', '<a href="https://docs.aws.amazon.com/">docs</a>'),
    ('<div style="background:url(http://e.com)">x</div>', "<div>x</div>"),
    ('<iframe src="http://e.com"></iframe>', ""),
    ('<svg onload="alert(1)"></svg>', ""),
    ("[sound:http://e.com/a.mp3]", "&#91;sound:http://e.com/a.mp3]"),
    ("[sound:word.mp3]", "[sound:word.mp3]"),
    ("<br><sub>2</sub><sup>3</sup><u>u</u><details><summary>s</summary>d</details>",
     "<br><sub>2</sub><sup>3</sup><u>u</u><details><summary>s</summary>d</details>"),
]


@pytest.mark.parametrize(("fragment", "expected"), SANITISED, ids=[f for f, _ in SANITISED])
def test_sanitize(fragment: str, expected: str) -> None:
    assert markup.sanitize(fragment) == expected
    assert markup.sanitize(expected) == expected  # sanitising twice changes nothing more
