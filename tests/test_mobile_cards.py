"""Cards read well on a phone: every card of the sample notes and the mobile
fixtures, imported into real Anki and rendered by it, shown in Debian's
Chromium at 390×844 as Anki desktop, AnkiDroid and AnkiMobile show it, by
day and by night — no sideways scrolling, readable text, nothing fetched.

Screenshots of the fixture cards (and of any card that fails) are saved in
``test-artifacts/mobile/``.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import yaml

from flashcards import markup
from flashcards.build import BuildResult
from flashcards.cards import make_cards
from flashcards.config import Config
from flashcards.model import Document, Fact, Kind, Origin, Section
from flashcards.package import Contents, write_package
from flashcards.preview import RenderedCard, RenderedDeck, render_packages
from flashcards.state.reconcile import reconcile
from tests import phone
from tests.conftest import FIXTURES, ROOT, SAMPLE_NOTES, run_build

MOBILE = FIXTURES / "mobile"
ARTIFACTS = ROOT / "test-artifacts" / "mobile"
NOW = 1_790_000_000


@dataclass(frozen=True)
class MobileDeck:
    build: BuildResult
    rendered: RenderedDeck
    extracted_notes: int


def build_extracted(spec: Path, apkg: Path) -> int:
    """Package the hand-written table/exam/Q&A facts the real way; returns how many notes."""
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    facts = tuple(
        Fact(
            kind=Kind(item["kind"]),
            origin=Origin(data["path"], item["line"], data["title"], tuple(item["headings"])),
            key=item["key"],
            **{side: markup.sanitize(item[side]) for side in ("front", "back", "text", "extra", "reverse") if side in item},
        )
        for item in data["facts"]
    )
    doc = Document(path=data["path"], title=data["title"], meta=(), root=Section("", 0, 1, (), (), ()))
    config = Config()
    config = replace(config, cards=replace(config.cards, reverse=("table", "question")))  # the fixtures include reverse cards
    cards = make_cards([(doc, facts)], config)
    plan = reconcile(cards, None, NOW)
    write_package(apkg, Contents(plan.notes, plan.model_mods, first_id=NOW * 1000))
    return len(cards)


@pytest.fixture(scope="session")
def mobile_deck(tmp_path_factory: pytest.TempPathFactory) -> MobileDeck:
    """Sample notes + mobile fixtures built, plus the extracted-card fixtures, imported and rendered by Anki."""
    base = tmp_path_factory.mktemp("mobile")
    notes = base / "notes"
    shutil.copytree(SAMPLE_NOTES, notes / "sample", ignore=shutil.ignore_patterns("flashcards.lock"))
    shutil.copytree(MOBILE, notes / "mobile", ignore=shutil.ignore_patterns("*.yaml"))
    result = run_build(notes, base / "out", now=NOW)
    extracted = base / "extracted.apkg"
    count = build_extracted(MOBILE / "extracted-cards.yaml", extracted)
    rendered = render_packages([result.deck_path, extracted], base / "anki")
    return MobileDeck(result, rendered, count)


def _name(card: RenderedCard) -> str:
    return f"{card.source} [{card.template} {card.ord + 1}]"


def _is_fixture(card: RenderedCard) -> bool:
    return card.source.startswith(("mobile/", "extracted.md"))


# --------------------------------------------------------------- in Anki


def test_every_card_of_samples_and_fixtures_renders_in_real_anki(mobile_deck: MobileDeck) -> None:
    cards = mobile_deck.rendered.cards
    notes = {c.guid for c in cards}
    # Every note became at least one card, the fixtures' included.
    assert len(notes) == len(mobile_deck.build.cards) + mobile_deck.extracted_notes
    for card in cards:
        for side in (card.question, card.answer):
            assert re.sub(r"<[^>]+>|\s", "", side), f"empty side: {_name(card)}"
        assert '<div class="fc" lang="' in card.question
        assert 'class="fc-context"' in card.question and 'class="fc-source"' in card.answer
    answers = "\n".join(c.answer for c in cards)
    # The fixtures really exercise what the styles are for.
    for needle in ('class="fc-asked"', 'class="fc-correct"', 'class="fc-options', "<table>", 'class="kn"',
                   "\\(", "\\[", '<img src="fc-', 'lang="zh-Hans"', 'class="fc-img-missing"'):
        assert needle in answers, needle
    assert {c.template for c in cards} == {"Forward", "Reverse", "Cloze"}


def test_fixture_images_ship_as_media_that_anki_keeps(mobile_deck: MobileDeck) -> None:
    media = {p.name: p.read_bytes() for p in mobile_deck.rendered.media}
    wide = (MOBILE / "img" / "wide-diagram.png").read_bytes()
    legend = (MOBILE / "img" / "legend.png").read_bytes()
    assert sorted(media.values()) == sorted([wide, legend])
    assert all(re.fullmatch(r"fc-[0-9a-f]{20}\.png", name) for name in media)
    referenced = set(re.findall(r'<img src="([^"]+)"', "".join(c.answer for c in mobile_deck.rendered.cards)))
    assert referenced == set(media)
    warnings = [str(w) for w in mobile_deck.build.warnings]
    assert warnings == ["mobile/images.md:12: image not found: img/direct-connect.png (looked for mobile/img/direct-connect.png)"]


# ---------------------------------------------------------- in a browser


@pytest.mark.parametrize("mode", phone.MODES)
@pytest.mark.parametrize("client", phone.CLIENTS, ids=lambda c: c.name)
def test_every_card_fits_a_phone_reads_well_and_loads_nothing(
    browser, mobile_deck: MobileDeck, client: phone.Client, mode: str  # noqa: ANN001
) -> None:
    media = {p.name: p for p in mobile_deck.rendered.media}
    device = phone.Phone(browser, client, mode == "night", media)
    folder = ARTIFACTS / f"{client.name}-{mode}"
    shutil.rmtree(folder, ignore_errors=True)
    problems: list[str] = []
    checked = 0
    try:
        for number, card in enumerate(mobile_deck.rendered.cards, start=1):
            for side, html in (("front", card.question), ("back", card.answer)):
                seen = device.show(html, card.css, card.ord)
                checked += 1
                assert seen.texts >= 2, f"{_name(card)} {side}: no text found to check"
                assert seen.viewport_width == phone.VIEWPORT["width"]
                found = []
                if seen.overflows:
                    found.append(f"scrolls sideways ({seen.scroll_width} > {seen.viewport_width} px)")
                found += [f"low contrast {x}" for x in seen.low_contrast]
                found += [f"requested {url}" for url in seen.requests]
                slug = re.sub(r"[^\w.-]+", "_", f"{number:03d}-{card.source}-{card.ord + 1}-{side}")
                if found:
                    problems += [f"{_name(card)} {side}: {p}" for p in found]
                    device.screenshot(folder / f"FAILED-{slug}.png")
                elif _is_fixture(card) and side == "back":
                    device.screenshot(folder / f"{slug}.png")
    finally:
        device.close()
    assert checked == 2 * len(mobile_deck.rendered.cards)
    assert not problems, f"{len(problems)} problem(s) on {client.name} by {mode}:\n" + "\n".join(problems[:40])


def test_the_phone_check_catches_overflow_low_contrast_and_requests(browser) -> None:  # noqa: ANN001
    """The checks above can fail: a card that breaks each rule is caught."""
    device = phone.Phone(browser, phone.CLIENTS[1], night=True, media={})
    css = ".card { color: var(--x, #eee); } .light { background: #fff; }"
    try:
        wide = device.show('<div style="width: 700px">wide wide</div>', css, 0)
        assert wide.overflows and not wide.low_contrast and not wide.requests
        pale = device.show('<p>fine</p><p class="light">pale on a light box</p>', css, 0)
        assert not pale.overflows and len(pale.low_contrast) == 1 and "pale on a light box" in pale.low_contrast[0]
        remote = device.show('<p>x</p><img src="https://example.com/a.png"><img src="fc-missing.png">', css, 0)
        assert remote.requests == ("https://example.com/a.png", f"{phone.ORIGIN}/fc-missing.png")
    finally:
        device.close()


# ------------------------------------------- what the reviewer showed wrong (issue 17)


def _cards_with(mobile_deck: MobileDeck, needle: str) -> list[RenderedCard]:
    found = [c for c in mobile_deck.rendered.cards if needle in c.answer]
    assert found, f"no card holds {needle!r}: the fixtures no longer exercise this"
    return found


_OPTIONS = """() => {
  const shown = (e) => e.getClientRects().length > 0;
  const lists = [...document.querySelectorAll(".fc-options")].filter(shown);
  return {lists: lists.length, options: lists.flatMap(l => [...l.children].filter(shown).map(li => li.innerText.trim())),
          marked: [...document.querySelectorAll(".fc-options > li.fc-correct")].filter(shown).length,
          text: document.body.innerText};
}"""


@pytest.mark.parametrize("client", phone.CLIENTS, ids=lambda c: c.name)
def test_a_multiple_choice_back_shows_each_option_once(browser, mobile_deck: MobileDeck, client: phone.Client) -> None:  # noqa: ANN001
    """Regression: the back showed the front's options, then the marked ones again."""
    device = phone.Phone(browser, client, night=False, media={})
    try:
        for card in _cards_with(mobile_deck, 'class="fc-correct"'):
            device.show(card.question, card.css, card.ord)
            front = device.page.evaluate(_OPTIONS)
            device.show(card.answer, card.css, card.ord)
            back = device.page.evaluate(_OPTIONS)
            assert front["lists"] == 1 and len(front["options"]) >= 2 and front["marked"] == 0, _name(card)
            assert back["lists"] == 1 and len(back["options"]) == len(front["options"]), _name(card)
            assert back["marked"] >= 1, _name(card)
            for option in front["options"]:
                # The back's option may carry a ✓ and a note after the text.
                assert back["text"].count(option) == 1, f"{_name(card)}: shown {back['text'].count(option)}×: {option}"
            if 'class="fc-key"' in card.answer:
                assert re.search(r"^(Answer|答案)[:：]", back["text"], re.MULTILINE), _name(card)
    finally:
        device.close()


_ERROR_TOKENS = """() => [...document.querySelectorAll("pre code .err")].map(e => {
  const code = getComputedStyle(e.closest("pre")), own = getComputedStyle(e);
  return {text: e.textContent, color: own.color, code: code.color, background: own.backgroundColor,
          border: own.borderTopStyle};
})"""


@pytest.mark.parametrize("mode", phone.MODES)
def test_code_the_highlighter_cannot_place_is_plain_by_day_and_night(browser, mobile_deck: MobileDeck, mode: str) -> None:  # noqa: ANN001
    """Regression: braces and Chinese comments in an sql block were painted red at night."""
    for client in phone.CLIENTS:
        device = phone.Phone(browser, client, night=mode == "night", media={})
        try:
            tokens = []
            for card in _cards_with(mobile_deck, 'class="err"'):
                device.show(card.answer, card.css, card.ord)
                tokens += device.page.evaluate(_ERROR_TOKENS)
            assert tokens
            coloured = [t for t in tokens if t["color"] != t["code"] or t["background"] != "rgba(0, 0, 0, 0)" or t["border"] != "none"]
            assert not coloured, f"{client.name} by {mode}: {coloured[:5]}"
        finally:
            device.close()


def test_a_fence_in_a_language_the_highlighter_does_not_know_is_plain_code() -> None:
    html = markup.block_html(markup.markdown().parse("```no-such-language\nSELECT { 中文 }\n```\n"))
    assert html == '<pre><code class="language-no-such-language">SELECT { 中文 }\n</code></pre>'


# Every table wider than its scroll box, scrolled to the far right: where its
# first column is, what is drawn there, and how wide each cell is against its
# text on one line.
_WIDE_TABLES = """() => [...document.querySelectorAll("table")].map(t => {
  // The table scrolls itself, or inside its wrapper.
  const box = [t, t.parentElement].find(e => e.scrollWidth > e.clientWidth + 1 && e.getClientRects().length > 0);
  return [t, box];
}).filter(([t, box]) => box).map(([t, box]) => {
  box.scrollLeft = box.scrollWidth;
  const edge = box.getBoundingClientRect().left;
  const em = parseFloat(getComputedStyle(t).fontSize);
  const rows = [...t.rows].map(row => {
    const first = row.cells[0], r = first.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + 3, r.top + r.height / 2);
    return {left: r.left - edge, onTop: !!hit && first.contains(hit), background: getComputedStyle(first).backgroundColor};
  });
  const cells = [...t.querySelectorAll("th, td")].map(c => {
    const probe = document.createElement("span");
    probe.style.whiteSpace = "pre";
    probe.textContent = c.textContent.trim();
    c.appendChild(probe);
    const line = probe.getBoundingClientRect().width;
    probe.remove();
    return {text: c.textContent.trim().slice(0, 30), width: c.getBoundingClientRect().width / em, line: line / em};
  });
  return {scrolled: box.scrollLeft, rows, cells};
})"""
READABLE_EM = 8
"""A cell whose text does not fit on one line is at least this wide (in ems of the table's text;
the first column, which stays in view, is kept to 8em to leave room for the rest)."""


@pytest.mark.parametrize("mode", phone.MODES)
def test_a_wide_table_keeps_its_first_column_in_view_and_every_column_readable(
    browser, mobile_deck: MobileDeck, mode: str  # noqa: ANN001
) -> None:
    """Regression: at 390 px a 7-column table squeezed its long column to about
    5em, and once scrolled right its row labels were gone."""
    for client in phone.CLIENTS:
        device = phone.Phone(browser, client, night=mode == "night", media={})
        tables = 0
        try:
            for card in _cards_with(mobile_deck, "<table>"):
                device.show(card.answer, card.css, card.ord)
                for table in device.page.evaluate(_WIDE_TABLES):
                    tables += 1
                    assert table["scrolled"] > 0
                    for row in table["rows"]:
                        assert abs(row["left"]) <= 1 and row["onTop"], (_name(card), client.name, row)
                        assert re.fullmatch(r"rgb\(\d+, \d+, \d+\)", row["background"]), row  # opaque
                    for cell in table["cells"]:
                        assert cell["width"] >= min(cell["line"], READABLE_EM), (_name(card), client.name, cell)
                if tables == 1:
                    device.screenshot(ARTIFACTS / f"wide-table-scrolled-{client.name}-{mode}.png")
        finally:
            device.close()
        assert tables >= 2, "the fixtures' wide tables no longer overflow a phone"


_RAW_TEX = re.compile(r"\\[A-Za-z]+|\^|_\{")
_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]")


def test_breadcrumbs_show_math_as_math_never_raw_tex(browser, mobile_deck: MobileDeck) -> None:  # noqa: ANN001
    """Regression: a heading ``$R\\times C$ 列联表`` showed as ``R\\times C 列联表``."""
    device = phone.Phone(browser, phone.CLIENTS[1], night=False, media={})
    crumbs = []
    try:
        for card in mobile_deck.rendered.cards:
            device.show(card.question, card.css, card.ord)
            crumbs.append(device.page.evaluate("() => document.querySelector('.fc-context').innerText"))
    finally:
        device.close()
    # Math is left to the clients' MathJax, which reads only \(..\) and \[..\].
    raw = sorted({c for c in crumbs if _RAW_TEX.search(_MATH.sub("", c))})
    assert not raw
    assert "统计检验：\\(\\chi^2\\) 与列联表 › \\(R\\times C\\) 列联表" in crumbs
    assert "统计检验：\\(\\chi^2\\) 与列联表 › 期望频数 \\(E_{ij}\\) 的要求" in crumbs


# ------------------------------------------------ asked both ways (issue 16)

_SIDES = """() => ({
  front: [...document.querySelectorAll(".fc > .fc-front")].map(e => e.innerText.trim()),
  back: [...document.querySelectorAll(".fc > .fc-back")].map(e => e.innerText.trim()),
})"""


@pytest.mark.parametrize("client", phone.CLIENTS, ids=lambda c: c.name)
def test_a_card_asked_both_ways_shows_each_side_once_each_way(browser, mobile_deck: MobileDeck, client: phone.Client) -> None:
    """``苹果 ::: apple``: the forward card asks 苹果 and answers apple; the
    reverse card asks apple and answers 苹果 — not apple a second time."""
    notes: dict[str, dict[int, RenderedCard]] = {}
    for card in _cards_with(mobile_deck, 'class="fc-two-way"'):
        notes.setdefault(card.guid, {})[card.ord] = card
    assert len(notes) == 3 and all(sorted(cards) == [0, 1] for cards in notes.values())
    device = phone.Phone(browser, client, night=True, media={})
    try:
        for cards in notes.values():
            seen = {}
            for ord_, card in cards.items():
                device.show(card.answer, card.css, ord_)
                seen[ord_] = device.page.evaluate(_SIDES)
                if client.name == "ankidroid":
                    device.screenshot(ARTIFACTS / re.sub(r"[^\w.-]+", "_", f"both-ways-{card.source}-{ord_ + 1}-back.png"))
            (question,), (answer,) = seen[0]["front"], seen[0]["back"]
            assert question and answer and question != answer
            # The reverse card asks with the answer and shows the question under it, once each.
            assert seen[1] == {"front": [answer], "back": [question]}, cards[1].source
    finally:
        device.close()
