"""`flashcards preview`: every card, front and back, exactly as Anki renders it, in one offline page."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from typer.testing import CliRunner

from flashcards.cli import app
from flashcards.preview import render_packages
from tests import phone
from tests.conftest import FIXTURES, run_build

runner = CliRunner()


@pytest.fixture
def mobile_notes(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "mobile", tmp_path / "notes", ignore=shutil.ignore_patterns("*.yaml")))


def test_preview_builds_the_deck_and_shows_every_card_as_anki_renders_it(mobile_notes: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["preview", str(mobile_notes), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning: images.md:12: image not found: img/direct-connect.png" in result.output
    index = out / "preview" / "index.html"
    assert result.output.rstrip().endswith(f"written to {index}")
    page = index.read_text(encoding="utf-8")

    # The same cards, byte for byte, as a fresh import into real Anki renders them.
    rendered = render_packages([out / "flashcards.apkg"], tmp_path / "anki")
    assert f"Preview of {len(rendered.cards)} card(s)" in result.output
    assert page.count('<section class="pv-item"') == len(rendered.cards) >= 15
    for card in rendered.cards:
        assert card.question in page and card.answer in page
    assert rendered.cards[0].css in page

    # Self-contained: media alongside, nothing fetched from elsewhere.
    referenced = set(re.findall(r'<img src="([^"]+)"', page))
    assert referenced and referenced == {p.name for p in (out / "preview").glob("fc-*")}
    assert not re.search(r'(src|href)="(https?:)?//|<link\b|@import|url\(', page)


def test_preview_shows_a_built_deck_as_it_is(mobile_notes: Path, tmp_path: Path) -> None:
    deck = run_build(mobile_notes, tmp_path / "built", now=1_790_000_000).deck_path
    result = runner.invoke(app, ["preview", str(deck), "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Read " not in result.output  # nothing was built
    assert (tmp_path / "out" / "preview" / "index.html").is_file()
    assert not (tmp_path / "out" / "flashcards.apkg").exists()


def test_preview_of_a_missing_deck_is_a_one_line_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["preview", str(tmp_path / "nope.apkg"), "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path / 'nope.apkg'}: no such deck"


def test_preview_has_help() -> None:
    result = runner.invoke(app, ["preview", "--help"])
    assert result.exit_code == 0 and "day/night" in result.output


def test_the_gallery_switches_to_night_and_loads_nothing_from_the_network(
    browser, mobile_notes: Path, tmp_path: Path  # noqa: ANN001
) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["preview", str(mobile_notes), "--output", str(out)]).exit_code == 0
    folder = out / "preview"
    outside: list[str] = []

    def serve(route) -> None:  # noqa: ANN001
        url = route.request.url
        path = folder / unquote(urlsplit(url).path.lstrip("/"))
        if url.startswith(phone.ORIGIN + "/") and path.is_file() and path.parent == folder:
            route.fulfill(status=200, body=path.read_bytes(),
                          content_type="text/html; charset=utf-8" if path.suffix == ".html" else "image/png")
        else:
            outside.append(url)
            route.abort()

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        context.route("**/*", serve)
        page = context.new_page()
        page.goto(f"{phone.ORIGIN}/index.html")
        backgrounds = "[...document.querySelectorAll('.pv-phone > .card')].map(c => getComputedStyle(c).backgroundColor)"
        assert set(page.evaluate(backgrounds)) == {"rgb(255, 255, 255)"}
        page.click("#pv-switch")
        assert set(page.evaluate(backgrounds)) == {"rgb(30, 31, 34)"}
        classes = page.evaluate("[...document.querySelectorAll('.pv-phone > .card')].map(c => c.className)")
        assert classes and all({"card", "nightMode", "night_mode"} <= set(c.split()) for c in classes)
        widths = page.evaluate("[...document.querySelectorAll('.pv-phone')].map(p => p.getBoundingClientRect().width)")
        assert set(widths) == {390}
        page.screenshot(path=str(_artifact("preview-night.png")), full_page=False)
    finally:
        context.close()
    assert not outside
    assert html.escape("images.md:5") in folder.joinpath("index.html").read_text(encoding="utf-8")


def _artifact(name: str) -> Path:
    folder = Path(__file__).resolve().parent.parent / "test-artifacts" / "mobile"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
