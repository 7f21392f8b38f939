"""Images on the web: downloaded once at build time from a real HTTP server
on this machine, shipped as media that real Anki stores, kept in the build
cache so a rebuild needs no network; every failure a warning naming the note,
line and URL; ``--offline`` downloads nothing."""

from __future__ import annotations

import re
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from anki.collection import Collection

from flashcards import markup, media, web
from flashcards.config import Config, ImageSettings
from flashcards.state.cache import cache_dir_for
from tests.conftest import import_deck, run_build, run_cli, write_notes


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


DIAGRAM = _png(4, 3, (200, 30, 30))
OTHER = _png(2, 2, (30, 30, 200))
SVG = b'<?xml version="1.0"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
EVIL_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
BIG = DIAGRAM + b"\x00" * (3 << 19)  # 1.5 MB: over a 1 MB limit


ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/diagram.png": (200, "image/png", DIAGRAM),
    "/other.png": (200, "image/png; charset=binary", OTHER),
    "/drawing.svg": (200, "image/svg+xml", SVG),
    "/page.png": (200, "text/html; charset=utf-8", b"<html><body>a page, not a picture</body></html>"),
    "/fake.png": (200, "image/png", b"GIF? no: just some text pretending"),
    "/script.svg": (200, "image/svg+xml", EVIL_SVG),
    "/big.png": (200, "image/png", BIG),
}
"""What the server answers at each path (anything else: 404); /slow.png, /moved.png and /loop.png are below."""


class _Handler(BaseHTTPRequestHandler):
    """Serves the images (and the failures) the tests ask for; counts every request."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.hits[self.path] += 1  # type: ignore[attr-defined]
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the build gave up on this one, as it should

    def _answer(self) -> None:
        if self.path == "/slow.png":
            time.sleep(2.5)
        if self.path in ("/moved.png", "/loop.png"):
            self.send_response(302)
            self.send_header("Location", "/diagram.png" if self.path == "/moved.png" else "/loop.png")
            self.end_headers()
            return
        status, kind, body = ROUTES.get(self.path, (404, "text/plain", b"not here"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if self.path != "/big.png":  # sent without a length: the limit must hold while streaming
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for start in range(0, len(body), 65536):
            self.wfile.write(body[start:start + 65536])

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class Server:
    """A real HTTP server on this machine, in a thread."""

    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.hits = Counter()  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    @property
    def hits(self) -> Counter[str]:
        return self.httpd.hits  # type: ignore[attr-defined]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self) -> None:
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.running = False


@pytest.fixture
def server() -> Iterator[Server]:
    found = Server()
    try:
        yield found
    finally:
        found.stop()


QUICK = Config(images=ImageSettings(download_timeout=1, download_max_mb=1))


def _note(*images: str) -> str:
    """A note whose one card (a definition) shows each image on its own line (9, 10 …)."""
    lines = "".join(f"  {image}\n" for image in images)
    return f"# Diagrams\n\n## Network\n\n**Topology**：\n- Drawn here:\n\n  Pictures:\n{lines}- Two subnets.\n"


def _fields(col: Collection) -> str:
    return "\n".join(v for nid in col.find_notes("") for _, v in col.get_note(nid).items())


def _stored(col: Collection) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in Path(col.media.dir()).iterdir()}


def test_a_web_image_is_downloaded_at_build_time_and_anki_stores_it(
    tmp_path: Path, server: Server, collection: Collection
) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": _note(f"![the network]({server.url('/diagram.png')})")})
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert result.warnings == ()
    assert server.hits == {"/diagram.png": 1}
    import_deck(collection, result.deck_path)
    name = media.media_name(DIAGRAM, ".png")
    assert _stored(collection) == {name: DIAGRAM}
    fields = _fields(collection)
    assert f'<img src="{name}" alt="the network">' in fields
    assert "127.0.0.1" not in fields and "fc-web/" not in fields  # nothing for Anki to fetch


def test_a_rebuild_takes_the_image_from_the_cache_with_the_server_gone(tmp_path: Path, server: Server) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": _note(f"![n]({server.url('/diagram.png')})")})
    out = tmp_path / "out"
    first = run_build(notes, out, now=1_790_000_000)
    deck = first.deck_path.read_bytes()
    assert server.hits == {"/diagram.png": 1}
    kept = list((cache_dir_for(out) / "web").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes().endswith(DIAGRAM)

    unchanged = run_build(notes, out, now=1_790_000_100)
    assert unchanged.up_to_date and server.hits == {"/diagram.png": 1}  # not even asked

    server.stop()
    first.deck_path.unlink()  # the whole way this time: every note's images looked up again
    again = run_build(notes, out, now=1_790_000_000)
    assert not again.up_to_date and again.warnings == ()
    assert again.deck_path.read_bytes() == deck


def test_the_same_image_in_two_notes_is_downloaded_once_and_redirects_are_followed(
    tmp_path: Path, server: Server, collection: Collection
) -> None:
    notes = write_notes(tmp_path / "notes", {
        "a.md": _note(f"![a]({server.url('/diagram.png')})", f"![o]({server.url('/other.png')})"),
        "b.md": _note(f"![b]({server.url('/diagram.png')})", f"![m]({server.url('/moved.png')})"),
    })
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert result.warnings == ()
    assert server.hits == {"/diagram.png": 2, "/other.png": 1, "/moved.png": 1}  # (once more after the redirect)
    import_deck(collection, result.deck_path)
    assert _stored(collection) == {media.media_name(DIAGRAM, ".png"): DIAGRAM, media.media_name(OTHER, ".png"): OTHER}


def test_an_svg_ships_and_one_with_script_does_not(tmp_path: Path, server: Server, collection: Collection) -> None:
    notes = write_notes(tmp_path / "notes", {
        "net.md": _note(f"![drawn]({server.url('/drawing.svg')})", f"![evil]({server.url('/script.svg')})"),
    })
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert [str(w) for w in result.warnings] == [
        f"net.md:10: image {server.url('/script.svg')} not downloaded: an SVG image with script or event handlers is not packaged",
    ]
    import_deck(collection, result.deck_path)
    assert _stored(collection) == {media.media_name(SVG, ".svg"): SVG}
    assert '<span class="fc-img-missing">[evil]</span>' in _fields(collection)


FAILURES = [
    ("/page.png", "not downloaded: not an image (Content-Type text/html)"),
    ("/fake.png", "not downloaded: the bytes are not a PNG, JPEG, GIF, WebP or SVG image (Content-Type image/png)"),
    ("/big.png", "not downloaded: larger than 1.0 MB"),
    ("/slow.png", "not downloaded: no answer within 1 s"),
    ("/missing.png", "not downloaded: HTTP 404 Not Found"),
    ("/loop.png", "not downloaded: too many redirects, or a redirect to a non-web address (HTTP 302)"),
]


def test_each_failed_download_is_a_warning_with_note_line_and_url_and_the_card_shows_its_alt_text(
    tmp_path: Path, server: Server, collection: Collection
) -> None:
    images = [f"![fig {i}]({server.url(path)})" for i, (path, _) in enumerate(FAILURES)]
    notes = write_notes(tmp_path / "notes", {"net.md": _note(*images, f"![fine]({server.url('/diagram.png')})")})
    started = time.monotonic()
    result = run_build(notes, tmp_path / "out", now=1_790_000_000, config=QUICK)
    took = time.monotonic() - started
    assert [str(w) for w in result.warnings] == [
        f"net.md:{9 + i}: image {server.url(path)} {why}" for i, (path, why) in enumerate(FAILURES)
    ]
    assert took < 2.4  # the slow server was not waited for (it answers after 2.5 s)
    import_deck(collection, result.deck_path)
    fields = _fields(collection)
    for i in range(len(FAILURES)):
        assert f'<span class="fc-img-missing">[fig {i}]</span>' in fields
    assert _stored(collection) == {media.media_name(DIAGRAM, ".png"): DIAGRAM}  # the good one still ships
    assert [p.read_bytes().endswith(DIAGRAM) for p in (cache_dir_for(tmp_path / "out") / "web").iterdir()] == [True]

    # Not recorded as up to date: the next build tries the failed ones again (and only those).
    again = run_build(notes, tmp_path / "out", now=1_790_000_000, config=QUICK)
    assert not again.up_to_date and len(again.warnings) == len(FAILURES)
    assert server.hits["/missing.png"] == 2 and server.hits["/diagram.png"] == 1


def test_offline_downloads_nothing_as_before_and_uses_what_the_cache_holds(tmp_path: Path, server: Server) -> None:
    url = server.url("/diagram.png")
    notes = write_notes(tmp_path / "notes", {"net.md": _note(f"![the network]({url})")})

    cold = run_cli("build", notes, "-o", tmp_path / "cold", "--offline")
    assert cold.returncode == 0, cold.stderr
    assert f"net.md:9: image {url} not downloaded: offline" in cold.stdout + cold.stderr
    assert server.hits == {}

    online = run_build(notes, tmp_path / "warm", now=1_790_000_000)
    assert online.warnings == () and server.hits == {"/diagram.png": 1}
    deck = online.deck_path.read_bytes()
    online.deck_path.unlink()
    server.stop()
    offline = run_build(notes, tmp_path / "warm", now=1_790_000_000, config=Config(images=ImageSettings(download=False)))
    assert offline.warnings == () and offline.deck_path.read_bytes() == deck


def test_offline_in_the_configuration_file(tmp_path: Path, server: Server) -> None:
    notes = write_notes(tmp_path / "notes", {
        "net.md": _note(f"![n]({server.url('/diagram.png')})"),
        "flashcards.toml": "[images]\ndownload = false\n",
    })
    built = run_cli("build", notes, "-o", tmp_path / "out")
    assert built.returncode == 0, built.stderr
    assert "not downloaded: offline" in built.stdout + built.stderr and server.hits == {}


def test_a_dry_run_downloads_but_keeps_nothing(tmp_path: Path, server: Server) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": _note(f"![n]({server.url('/diagram.png')})")})
    result = run_build(notes, tmp_path / "out", now=1_790_000_000, dry_run=True)
    assert result.warnings == () and server.hits == {"/diagram.png": 1}
    assert not (tmp_path / "out").exists()


def test_a_raw_html_image_on_the_web_is_downloaded_too_and_its_width_kept(
    tmp_path: Path, server: Server, collection: Collection
) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": _note(f'<img src="{server.url("/diagram.png")}" width="120">')})
    result = run_build(notes, tmp_path / "out", now=1_790_000_000)
    assert result.warnings == ()
    import_deck(collection, result.deck_path)
    assert f'<img src="{media.media_name(DIAGRAM, ".png")}" width="120">' in _fields(collection)


def test_a_web_image_has_a_local_name_in_the_html_until_it_ships() -> None:
    # Sanitising never lets a card name a place on the web; the placeholder is local.
    html = markup.inline_html("![a](https://example.com/img/net%20map.png?size=2)")
    src = re.search(r'src="([^"]*)"', html).group(1)
    assert markup.is_media_name(src) and src == web.placeholder("https://example.com/img/net%20map.png?size=2")
    assert src.endswith("/net%20map.png")
    assert media.rewrite(html, {}) == '<span class="fc-img-missing">[a]</span>'


@pytest.mark.parametrize(
    ("data", "suffix"),
    [(DIAGRAM, ".png"), (b"\xff\xd8\xff\xe0JFIF", ".jpg"), (b"GIF89a..", ".gif"), (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ".webp"),
     (SVG, ".svg"), (b"\xef\xbb\xbf<!DOCTYPE svg [<!ENTITY ns 'x'>]>\n<svg>", ".svg"),
     (b"<html><svg></svg></html>", None), (b"", None), (b"BM..", None)],
)
def test_sniffing_knows_images_by_their_first_bytes(data: bytes, suffix: str | None) -> None:
    assert web.sniff(data) == suffix


def test_an_edit_to_the_text_patches_the_deck_without_asking_the_server(tmp_path: Path, server: Server) -> None:
    notes = write_notes(tmp_path / "notes", {"net.md": _note(f"![n]({server.url('/diagram.png')})")})
    out = tmp_path / "out"
    run_build(notes, out, now=1_790_000_000)
    server.stop()
    path = notes / "net.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Two subnets.", "Two subnets, one router."), encoding="utf-8")
    edited = run_build(notes, out, now=1_790_000_100)
    assert edited.patched and edited.warnings == ()
    assert server.hits == {"/diagram.png": 1}


def test_the_image_settings_are_checked() -> None:
    from flashcards.config_file import parse_config
    from flashcards.errors import ConfigError

    assert parse_config({"images": {"download": False, "download_max_mb": 20}}).images == ImageSettings(False, 5, 20)
    with pytest.raises(ConfigError) as problem:
        parse_config({"images": {"download": "no", "download_timeout": 0, "offline": True}})
    assert {"images.download: must be true or false, not a string", "images.download_timeout: must be between 1 and 300, not 0",
            "images.offline: unknown key"} <= set(problem.value.problems)
