"""Preview: every card of a built deck, front and back, as Anki renders it.

The package is imported into a throwaway collection with the real ``anki``
package (the same backend as Anki desktop and AnkiDroid) and each card is
rendered with ``card.render_output()``. :func:`write_gallery` puts the
results in one static page at phone width, with the note type's CSS inline,
the media copied alongside and a day/night switch: nothing is loaded from
the network. Math shows as TeX there; the clients typeset it with MathJax.
"""

from __future__ import annotations

import html
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flashcards.errors import PreviewError

PHONE_WIDTH = 390
"""CSS pixels: a common phone width (AnkiDroid lays out at 360–412)."""


@dataclass(frozen=True)
class RenderedCard:
    """One card as a client shows it."""

    deck: str
    note_type: str
    template: str
    guid: str
    """The note's guid (one note may have several cards)."""
    ord: int
    """The card's template number (0-based; the client's body class is ``card{ord+1}``)."""
    source: str
    """The note's Source field (``file.md:line``)."""
    question: str
    answer: str
    css: str
    """The note type's CSS, as the client puts it in a ``<style>``."""


@dataclass(frozen=True)
class RenderedDeck:
    """Every card of one or more packages, and the media they use."""

    cards: tuple[RenderedCard, ...]
    media: tuple[Path, ...]
    """The media files, in a folder that lives as long as the caller's ``workdir``."""


def render_packages(packages: Sequence[Path], workdir: Path) -> RenderedDeck:
    """Import ``packages`` into a new collection in ``workdir`` and render every card."""
    try:
        import anki.collection  # noqa: F401  (first: anki's modules import it circularly)
        from anki.collection import (
            Collection,
            ImportAnkiPackageOptions,
            ImportAnkiPackageRequest,
        )
    except ImportError:
        raise PreviewError(
            "preview renders cards with Anki's own engine: install it with  pip install 'flashcards[preview]'"
        ) from None
    workdir.mkdir(parents=True, exist_ok=True)
    col = Collection(str(workdir / "collection.anki2"))
    try:
        for package in packages:
            if not package.is_file():
                raise PreviewError(f"{package}: no such deck")
            try:
                col.import_anki_package(
                    ImportAnkiPackageRequest(package_path=str(package.resolve()), options=ImportAnkiPackageOptions())
                )
            except Exception as exc:  # anki's errors have no common base worth naming here
                raise PreviewError(f"{package}: Anki cannot import it ({exc})") from None
        col.models._clear_cache()  # the import does not clear Python's note-type cache
        keyed: list[tuple[tuple[str, int, int, int], RenderedCard]] = []
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            out = card.render_output(reload=True)
            note = card.note()
            deck = col.decks.name(card.did)
            rendered = RenderedCard(
                deck=deck,
                note_type=card.note_type()["name"],
                template=card.template()["name"],
                guid=note.guid,
                ord=card.ord,
                source=note["Source"] if "Source" in note else "",
                question=out.question_text,
                answer=out.answer_text,
                css=out.css,
            )
            # Deck, then the order new cards are introduced in, then the note's cards in turn.
            keyed.append(((deck, card.due, card.nid, card.ord), rendered))
        media_dir = Path(col.media.dir())
        media = tuple(sorted(p for p in media_dir.iterdir() if p.is_file()))
    finally:
        col.close()
    return RenderedDeck(tuple(c for _, c in sorted(keyed, key=lambda k: k[0])), media)


@dataclass(frozen=True)
class Gallery:
    """Where a preview was written."""

    index: Path
    cards: int


def write_gallery(package: Path, folder: Path) -> Gallery:
    """Render every card of ``package`` into ``folder/index.html`` (media alongside)."""
    with tempfile.TemporaryDirectory(prefix="flashcards-preview-") as tmp:
        deck = render_packages([package], Path(tmp))
        folder.mkdir(parents=True, exist_ok=True)
        names = {p.name for p in deck.media}
        for stale in folder.glob("fc-*"):
            if stale.name not in names and stale.is_file():
                stale.unlink()  # media of an earlier preview
        for path in deck.media:
            shutil.copyfile(path, folder / path.name)
    index = folder / "index.html"
    index.write_text(gallery_html(deck.cards, title=package.stem), encoding="utf-8")
    return Gallery(index, len(deck.cards))


def gallery_html(cards: Sequence[RenderedCard], title: str) -> str:
    """One self-contained page showing each card's front and back at phone width."""
    styles = "\n".join(dict.fromkeys(c.css for c in cards))
    sections = []
    for number, card in enumerate(cards, start=1):
        caption = " — ".join(
            html.escape(part) for part in (card.deck, f"{card.note_type} › {card.template}", card.source) if part
        )
        body = f"card card{card.ord + 1}"
        sections.append(
            f'<section class="pv-item" id="card-{number}"><h2 class="pv-caption">{number}. {caption}</h2>'
            f'<div class="pv-sides">'
            f'<figure class="pv-phone"><figcaption>Front</figcaption><div class="{body}">{card.question}</div></figure>'
            f'<figure class="pv-phone"><figcaption>Back</figcaption><div class="{body}">{card.answer}</div></figure>'
            f"</div></section>"
        )
    return _PAGE.format(
        title=html.escape(title),
        count=len(cards),
        width=PHONE_WIDTH,
        card_css=styles.replace("</style", "<\\/style"),
        cards="\n".join(sections),
    )


# The switch toggles the classes the clients put on <body class="card"> at
# night; without JavaScript the page simply stays in day mode.
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: {count} cards</title>
<style>
body.pv {{ margin: 0; padding: 16px; background: #e9eaee; color: #1d1d1f;
  font: 15px/1.5 -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC", sans-serif; }}
body.pv.pv-night {{ background: #101114; color: #e8eaed; }}
.pv-bar {{ display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-bottom: 16px; }}
.pv-bar h1 {{ font-size: 18px; margin: 0; }}
.pv-bar button {{ font: inherit; padding: 6px 14px; border-radius: 16px; border: 1px solid #888; cursor: pointer;
  background: #fff; color: #1d1d1f; }}
.pv-night .pv-bar button {{ background: #2b2d31; color: #e8eaed; }}
.pv-note {{ font-size: 13px; opacity: 0.8; }}
.pv-item {{ margin: 0 0 28px; }}
.pv-caption {{ font-size: 13px; font-weight: 600; margin: 0 0 6px; }}
.pv-sides {{ display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }}
.pv-phone {{ margin: 0; width: {width}px; max-width: 100%; }}
.pv-phone figcaption {{ font-size: 12px; opacity: 0.7; margin-bottom: 2px; }}
.pv-phone > .card {{ min-height: 160px; border-radius: 14px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25); overflow: auto; }}
</style>
<style>
{card_css}
</style>
</head>
<body class="pv">
<div class="pv-bar">
<h1>{title}: {count} cards</h1>
<button type="button" id="pv-switch" aria-pressed="false">Night mode</button>
<span class="pv-note">As Anki renders them, at phone width ({width} px). Math shows as TeX here; Anki typesets it with MathJax.</span>
</div>
{cards}
<script>
(function () {{
  var button = document.getElementById("pv-switch");
  function set(night) {{
    document.body.classList.toggle("pv-night", night);
    document.querySelectorAll(".pv-phone > .card").forEach(function (card) {{
      card.classList.toggle("nightMode", night);
      card.classList.toggle("night_mode", night);
    }});
    button.textContent = night ? "Day mode" : "Night mode";
    button.setAttribute("aria-pressed", String(night));
  }}
  button.addEventListener("click", function () {{ set(!document.body.classList.contains("pv-night")); }});
  set(location.hash === "#night");
}})();
</script>
</body>
</html>
"""
