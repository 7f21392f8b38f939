"""Images from the web, downloaded once at build time into the deck.

A note may show a hosted image (``![](https://…/diagram.png)``). A card must
load nothing from the network when it is reviewed, so the build downloads
each such image once, keeps it in the build cache
(``output/.flashcards-cache/web/``, one file per URL), and ships it as media
like an image from the notes folder. Later builds take it from the cache: a
rebuild never downloads an image it already has.

A download is bounded: ``http``/``https`` only, at most :data:`REDIRECTS`
redirects (to ``http``/``https`` only), a timeout, and a size limit enforced
while the bytes arrive. What arrives must be an image twice over: the server
says so (``Content-Type: image/…``) and the bytes begin as a PNG, JPEG, GIF,
WebP or SVG does; an SVG holding script, event handlers or
``javascript:`` is refused. Any failure is a reason, which the build turns
into a warning naming the note and line.

Offline (``[images] download = false`` or ``--offline``) nothing is
downloaded; an image already in the cache is still used, so a deck built
online and rebuilt offline is the same deck.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit

from flashcards.state import cache

REDIRECTS = 5
PARALLEL = 4
"""Downloads at once: enough to hide each server's latency, few enough to be polite."""
_CHUNK = 64 * 1024
_MAGIC = b"flashcards-web 1\n"
"""First line of a cache file; the URL and the Content-Type follow, one line each, then the bytes."""


@dataclass(frozen=True)
class Downloaded:
    """An image from the web, checked."""

    url: str
    content_type: str
    data: bytes
    suffix: str
    """From the bytes (``.png``, ``.jpg`` …), whatever the URL says."""


def is_web(src: str) -> bool:
    """Whether an image source is an address on the web (``http:``/``https:``,
    written plainly: no spaces or control characters to disguise it)."""
    return _WEB.match(src) is not None


def placeholder(url: str) -> str:
    """The name a card's ``<img>`` gives a web image until the build ships it
    (see :func:`flashcards.media.rewrite`): a local name, so nothing is ever
    fetched at review time, ending with the URL's file name, which the card
    shows when the image cannot be had."""
    digest = hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    try:
        path = urlsplit(url).path
    except ValueError:  # (a malformed address: it will not download either)
        path = ""
    name = _UNSAFE.sub("", path.rpartition("/")[2])[-80:] or "image"
    return f"fc-web/{digest}/{name}"


_WEB = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$", re.IGNORECASE)
_UNSAFE = re.compile(r"[^\w.%-]")


class WebImages:
    """The web images of one build: from the cache, else downloaded (when allowed).

    ``folder`` is the cache folder (None: nothing is kept); ``store`` False
    reads the cache but never writes it (a dry run).
    """

    def __init__(
        self, folder: Path | None, download: bool = True, timeout: float = 5, max_bytes: int = 5 << 20, store: bool = True
    ) -> None:
        self.folder = folder
        self.download = download
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.store = store and folder is not None
        self._got: dict[str, Downloaded | str] = {}

    def cache_file(self, url: str) -> Path | None:
        """Where the image from ``url`` is kept."""
        if self.folder is None:
            return None
        return self.folder / hashlib.sha256(url.encode("utf-8", "surrogateescape")).hexdigest()[:40]

    def get(self, url: str) -> Downloaded | str:
        """The image at ``url``, or why there is none."""
        found = self._got.get(url)
        if found is None:
            found = self._cached(url)
            if found is None:
                found = self._fetch(url)
            self._got[url] = found
        return found

    def prefetch(self, urls: Iterable[str]) -> None:
        """Look up ``urls`` at once, downloading those not in the cache side by side."""
        missing = []
        for url in dict.fromkeys(urls):
            if url not in self._got:
                found = self._cached(url)
                if found is None:
                    missing.append(url)
                else:
                    self._got[url] = found
        if len(missing) > 1 and self.download:
            with ThreadPoolExecutor(min(PARALLEL, len(missing)), thread_name_prefix="flashcards-web") as pool:
                self._got.update(zip(missing, pool.map(self._fetch, missing), strict=True))
        else:
            self._got.update((url, self._fetch(url)) for url in missing)

    def prune(self, keep: Iterable[str]) -> None:
        """Forget the images of URLs not in ``keep`` (no note shows them any more)."""
        if self.folder is None or not self.store:
            return
        wanted = {p.name for p in map(self.cache_file, keep) if p is not None}
        try:
            names = [entry.name for entry in self.folder.iterdir()]
        except OSError:
            return
        for name in names:
            if name not in wanted and re.fullmatch(r"[0-9a-f]{40}", name):
                cache.remove(self.folder / name)

    def _cached(self, url: str) -> Downloaded | None:
        path = self.cache_file(url)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if not data.startswith(_MAGIC):
            return None
        header = data[len(_MAGIC):].split(b"\n", 2)
        if len(header) != 3 or header[0].decode("utf-8", "surrogateescape") != url:
            return None
        checked = check(url, header[1].decode("latin-1"), header[2])
        return checked if isinstance(checked, Downloaded) else None

    def _fetch(self, url: str) -> Downloaded | str:
        if not self.download:
            return "not downloaded: offline ([images] download = false, or --offline) and not downloaded before"
        found = fetch(url, self.timeout, self.max_bytes)
        path = self.cache_file(url)
        if isinstance(found, Downloaded) and self.store and path is not None:
            header = _MAGIC + url.encode("utf-8", "surrogateescape") + b"\n" + found.content_type.encode("latin-1") + b"\n"
            cache.write(path, header + found.data)
        return found


def fetch(url: str, timeout: float, max_bytes: int) -> Downloaded | str:
    """Download the image at ``url``: the image, or why there is none.

    ``timeout`` bounds each wait for the server and, roughly, the whole
    download; ``max_bytes`` is enforced on the bytes as they arrive.
    """
    if not is_web(url):
        return "not downloaded: only http and https addresses are"
    deadline = time.monotonic() + timeout
    try:
        request = urllib.request.Request(url, headers={"User-Agent": _user_agent(), "Accept": _ACCEPT})
        with _opener().open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            if not content_type.startswith("image/"):
                return f"not downloaded: not an image (Content-Type {content_type})"
            length = response.headers.get("Content-Length", "")
            if length.strip().isdigit() and int(length) > max_bytes:
                return f"not downloaded: larger than {_size(max_bytes)} ({_size(int(length))})"
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read1(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    return f"not downloaded: larger than {_size(max_bytes)}"
                if time.monotonic() > deadline:
                    return f"not downloaded: not complete after {timeout:g} s"
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        exc.close()
        if 300 <= exc.code < 400:
            return f"not downloaded: too many redirects, or a redirect to a non-web address (HTTP {exc.code})"
        return f"not downloaded: HTTP {exc.code} {exc.reason}".rstrip()
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return f"not downloaded: no answer within {timeout:g} s"
        return f"not downloaded: {_reason(exc.reason)}"
    except TimeoutError:
        return f"not downloaded: no answer within {timeout:g} s"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return f"not downloaded: {_reason(exc)}"
    return check(url, content_type, b"".join(chunks))


def check(url: str, content_type: str, data: bytes) -> Downloaded | str:
    """``data`` as a checked image, or why it is not one."""
    if not content_type.startswith("image/"):
        return f"not downloaded: not an image (Content-Type {content_type})"
    suffix = sniff(data)
    if suffix is None:
        return f"not downloaded: the bytes are not a PNG, JPEG, GIF, WebP or SVG image (Content-Type {content_type})"
    if suffix == ".svg" and _SVG_ACTIVE.search(data):
        return "not downloaded: an SVG image with script or event handlers is not packaged"
    return Downloaded(url, content_type, data, suffix)


def sniff(data: bytes) -> str | None:
    """The file suffix of the image ``data`` holds, judged by its first bytes; None if none."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return ".gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return ".webp"
    if _SVG_START.match(data[:4096]):
        return ".svg"
    return None


_SVG_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:(?:<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[[^\]]*\])?\s*>)\s*)*<svg[\s>]",
    re.DOTALL | re.IGNORECASE,
)
# An <img> runs no script in an SVG, but the file may also be opened on its
# own (from Anki's media folder, in a browser): what could run there is
# refused. (Links, embedded pictures and foreignObject labels, common in
# diagram exports, do nothing by themselves.)
_SVG_ACTIVE = re.compile(rb"<script|<[^>]*\son[a-z]+\s*=|javascript:", re.IGNORECASE)
_ACCEPT = "image/png,image/jpeg,image/gif,image/webp,image/svg+xml;q=0.9,image/*;q=0.5"


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a few redirects, and only to http/https (urllib also allows ftp)."""

    max_redirections = REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        if not is_web(newurl):
            raise urllib.error.HTTPError(newurl, code, f"redirect to {newurl}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_Redirects())


def _reason(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return f"host not found ({reason.strerror or reason})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n / 1024:.0f} KB"


def _user_agent() -> str:
    try:
        return f"flashcards/{version('flashcards')} (downloads a note's image once, at build time)"
    except PackageNotFoundError:
        return "flashcards (downloads a note's image once, at build time)"
