"""Markdown → safe HTML for card fields, and the inline helpers extractors share.

One configured markdown-it instance serves the whole program: CommonMark with
GFM tables, YAML front matter, CJK-friendly emphasis and TeX math kept in the
``\\(..\\)`` / ``\\[..\\]`` form Anki's MathJax reads. Code is highlighted at
build time with Pygments CSS classes. Every piece of HTML leaving this module
has been through nh3, so notes cannot put script into a deck.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_cjk_friendly import cjk_friendly
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.texmath import texmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from flashcards import guard, obsidian, web

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start"},
}
# Links may be followed (they open outside the card); nothing is fetched at
# review time: image sources must name a file in the deck's own media. (An
# image on the web gets a local placeholder name here, which the build points
# at the downloaded copy or replaces by the image's alt text: see flashcards.web.)
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(fragment: str) -> str:
    """Remove script, event handlers, javascript: URLs, unknown tags and
    anything Anki would fetch from elsewhere at review time (remote or
    absolute image sources, ``[sound:http://…]``); defuse ``{{``."""
    cleaned = _cleaner().clean(fragment)
    cleaned = _IMG.sub(lambda m: m.group(0) if ' src="' in m.group(0) else "", cleaned)
    cleaned = _SOUND.sub(lambda m: m.group(0) if _in_media(m.group(1) or "") else "&#91;sound:", cleaned)
    # "{{c1::" typed in a note would make a cloze deletion of its own in a
    # cloze field; an invisible break keeps it text.
    return cleaned.replace("{{", "{\u200b{")


def is_media_name(src: str) -> bool:
    """Whether ``src`` names a local file rather than something to fetch.

    No scheme (``http:``, ``data:``, ``ht`` tab ``tp:``), no ``//host`` or
    backslash (browsers read ``\\\\host`` as ``//host``), no control
    characters or surrounding spaces (browsers strip those before reading
    the URL). Which local files an image may name (inside the notes folder)
    is decided where images are packaged, not here.
    """
    if not src or src != src.strip() or ":" in src or "\\" in src or src.startswith("//"):
        return False
    return not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in src)


def _in_media(name: str) -> bool:
    # Anki plays [sound:name] from its media folder joined with the name.
    return is_media_name(name) and not name.startswith("/") and ".." not in name.split("/")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        if web.is_web(value):
            return web.placeholder(value)
        return value if is_media_name(value) else None
    return value


@functools.cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=_keep_attribute,
    )


# nh3 serialises every attribute as name="value" with > escaped, so a tag
# ends at the first ">"; an <img> whose source was refused goes entirely.
_IMG = re.compile(r"<img\b[^>]*>")
# Each "[sound:" with what Anki would read as its file name (up to the next
# "]"), looked at one by one: a tag may hide inside another one's name. One
# left open is defused too: fragments are joined into fields later.
_SOUND = re.compile(r"\[sound:(?:(?=([^\]]*)\]))?", re.IGNORECASE)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    if len(code) > guard.MAX_HIGHLIGHT_CHARS:
        return ""
    try:
        lexer = get_lexer_by_name(lang.strip()) if lang.strip() else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it escapes the code itself
    return highlight(code, lexer, HtmlFormatter(nowrap=True, classstyles=False))


def _render_math_inline(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # noqa: ANN001
    return "\\(" + html.escape(tokens[idx].content, quote=False) + "\\)"


def _render_math_block(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # noqa: ANN001
    return "<p>\\[" + html.escape(tokens[idx].content, quote=False) + "\\]</p>\n"


@functools.cache
def markdown() -> MarkdownIt:
    """The one configured parser (cached: building it is not free)."""
    md = (
        MarkdownIt("commonmark", {"html": True, "linkify": False, "highlight": _highlight})
        .enable(["table", "strikethrough"])
        .use(front_matter_plugin)
        .use(cjk_friendly)
        .use(texmath_plugin, delimiters="brackets")
        .use(dollarmath_plugin, allow_space=False, double_inline=True)
        .use(obsidian.plugin)
    )
    guard.install(md)
    for name in ("math_inline", "math_single", "math_inline_double"):
        md.add_render_rule(name, _render_math_inline)
    for name in ("math_block", "math_block_eqno", "math_block_label"):
        md.add_render_rule(name, _render_math_block)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    return md


# Every table scrolls inside its own wrapper (card.css lays it out from there).
def _render_table_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # noqa: ANN001
    return '<div class="fc-table"><table>\n'


def _render_table_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # noqa: ANN001
    return "</table></div>\n"


@functools.lru_cache(maxsize=16384)
def inline_html(text: str) -> str:
    """Render inline Markdown to sanitised HTML."""
    md = markdown()
    return sanitize(md.renderer.renderInline(list(inline_tokens(text)), md.options, {}).strip())


def block_html(tokens: Sequence[Token]) -> str:
    """Render block tokens to sanitised HTML."""
    md = markdown()
    return sanitize(md.renderer.render(list(tokens), md.options, {}).strip())


def inline_tokens(text: str) -> tuple[Token, ...]:
    """The inline tokens of a Markdown fragment (read-only: they are cached,
    as extractors ask about the same fragment several times)."""
    found = _INLINE.get(text)
    if found is None:
        if not _MARKUP.search(text):  # plain text: one text token, no parsing needed
            found = (Token("text", "", 0, content=text),) if text else ()
        else:
            parsed = markdown().parseInline(text)
            found = tuple(parsed[0].children or ()) if parsed else ()
        _remember(text, found)
    return found


# Characters that can start inline Markdown (or HTML, an entity, math, a
# line break, an Obsidian block id): text without any of them parses to itself.
_MARKUP = re.compile(r"[\\`*_\[\]!<>&~$=%^\n\r\x00]")


def start_note(tokens: Sequence[Token]) -> None:
    """Forget the last note's inline tokens (they are rarely asked for again,
    and many) and keep those the block parse of this note already made, so
    extractors asking about the same text do not parse it again.

    Pass no tokens for a note with link reference definitions: only without
    them does inline parsing read nothing but the text itself, so that these
    are exactly the tokens :func:`inline_tokens` would make.
    """
    _INLINE.clear()
    for token in tokens:
        if token.type == "inline" and token.content and token.children is not None:
            _remember(token.content, tuple(token.children))


_INLINE: dict[str, tuple[Token, ...]] = {}
_INLINE_MAX = 20_000


def _remember(text: str, tokens: tuple[Token, ...]) -> None:
    if len(_INLINE) >= _INLINE_MAX:
        _INLINE.clear()  # values depend only on their text: forgetting is always safe
    _INLINE[text] = tokens


@functools.lru_cache(maxsize=16384)
def plain_text(text: str) -> str:
    """Inline Markdown as plain text (formatting and HTML tags dropped)."""
    out: list[str] = []
    for tok in inline_tokens(text):
        if tok.type == "html_inline":
            # A line break (common inside table cells) still separates words.
            out.append(" " if _BR.match(tok.content) else "")
        elif tok.type in ("text", "code_inline", "math_inline", "math_single"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif tok.type == "image":
            out.append(tok.content)
    return _SPACES.sub(" ", "".join(out)).strip()


@functools.lru_cache(maxsize=4096)
def plain_html(text: str) -> str:
    """Inline Markdown as HTML of its plain text, math kept as ``\\(..\\)`` for
    MathJax: a heading as a breadcrumb shows it (no links, images or emphasis)."""
    out: list[str] = []
    for tok in inline_tokens(text):
        if tok.type in ("math_inline", "math_single", "math_inline_double"):
            out.append("\\(" + escape(tok.content) + "\\)")
        elif tok.type in ("text", "code_inline", "image"):
            out.append(escape(tok.content))
        elif tok.type in ("softbreak", "hardbreak") or (tok.type == "html_inline" and _BR.match(tok.content)):
            out.append(" ")
    return _SPACES.sub(" ", "".join(out)).strip()


_SPACES = re.compile(r"[ \t\u3000]+")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


def strong_spans(text: str) -> list[str]:
    """Plain text of each bold phrase in inline Markdown, in order."""
    if "*" not in text and "_" not in text and "==" not in text and "<" not in text:
        return []  # bold is written ** or __, a highlight ==, underline or colour in HTML
    spans: list[str] = []
    depth = 0
    current: list[str] = []
    tokens = inline_tokens(text)
    for tok, mark in zip(tokens, _mark_roles(tokens), strict=True):
        if mark == "open":
            depth += 1
            if depth == 1:
                current = []
        elif mark == "close":
            depth -= 1
            if depth == 0:
                spans.append("".join(current).strip())
        elif depth and tok.type in ("text", "code_inline"):
            current.append(tok.content)
    return [s for s in spans if s]


_OPENS = frozenset({"strong_open", "mark_open"})
_CLOSES = frozenset({"strong_close", "mark_close"})
_MARK_TAG = re.compile(
    r"^<(?:u|mark|ins)>$|^<font\b[^>]*\bcolor\s*=|^<span\b[^>]*\bstyle\s*=\s*[\"'][^\"']*\bcolor\s*[:：]", re.IGNORECASE
)
_HTML_OPEN = re.compile(r"^<(u|mark|ins|font|span)\b[^>]*>$", re.IGNORECASE)
_HTML_CLOSE = re.compile(r"^</(u|mark|ins|font|span)\s*>$", re.IGNORECASE)


def _mark_roles(tokens: Sequence[Token]) -> list[str]:
    """For each token, whether it opens or closes a span that marks what to
    remember — bold, ``==highlight==``, ``<u>``, ``<mark>``, coloured text —
    or neither ('')."""
    roles: list[str] = []
    stack: list[tuple[str, bool]] = []
    for tok in tokens:
        role = "open" if tok.type in _OPENS else "close" if tok.type in _CLOSES else ""
        if tok.type == "html_inline":
            opened, closed = _HTML_OPEN.match(tok.content), _HTML_CLOSE.match(tok.content)
            if opened:
                marks = bool(_MARK_TAG.match(tok.content))
                stack.append((opened.group(1).lower(), marks))
                role = "open" if marks else ""
            elif closed and stack and stack[-1][0] == closed.group(1).lower():
                role = "close" if stack.pop()[1] else ""
        roles.append(role)
    return roles


def cloze_html(text: str, start: int = 1, same_number: bool = False) -> tuple[str, int]:
    """Render inline Markdown turning each bold phrase into a cloze deletion.

    Phrases are numbered from ``start`` (all with ``start`` when
    ``same_number``). Returns the HTML and how many deletions were made. A
    bold phrase with nothing to show once sanitised stays plain text, and
    ``{{`` written in the note cannot open a deletion of its own.
    """
    md = markdown()
    tokens = inline_tokens(_SENTINELS.sub("", text))
    out: list[str] = []
    inside: list[Token] = []
    depth = 0
    count = 0
    for tok, mark in zip(tokens, _mark_roles(tokens), strict=True):
        if mark == "open":
            depth += 1
            if depth == 1:
                inside = []
                continue
        elif mark == "close":
            depth -= 1
            if depth == 0:
                body = sanitize(md.renderer.renderInline(inside, md.options, {}).strip())
                if has_content(body):
                    number = start if same_number else start + count
                    count += 1
                    # Sentinels, not braces: sanitize() defuses every "{{" it sees.
                    out.append(f"{_OPEN}{number}{_SEP}{_cloze_body(body)}{_CLOSE}")
                else:
                    out.append(body)
                continue
        if depth:
            inside.append(tok)
        else:
            out.append(md.renderer.renderInline([tok], md.options, {}))
    html = sanitize("".join(out).strip())
    return html.replace(_OPEN, "{{c").replace(_SEP, "::").replace(_CLOSE, "}}"), count


def cloze(number: int, body_html: str) -> str:
    """One cloze deletion; braces in the body cannot close it early."""
    return "{{c%d::%s}}" % (number, _cloze_body(body_html))


def _cloze_body(body_html: str) -> str:
    return body_html.replace("{{", "{\u200b{").replace("}}", "} }").replace("::", ":\u200b:")


def has_content(html_text: str) -> bool:
    """Whether HTML shows anything: text other than spaces, or an image."""
    if "<img" in html_text:
        return True
    # Most fields show something early on: skip the tags and blanks in front,
    # and what comes next is shown, unless it may start an "&nbsp;" (which a
    # tag can split: then every tag is removed first, as the general case does).
    start = _BLANK_START.match(html_text).end()
    if start == len(html_text):
        return False
    if html_text[start] != "&":
        return True
    return bool(_INVISIBLE.sub("", _TAGS.sub("", html_text)))


_OPEN, _SEP, _CLOSE = "\ue000", "\ue001", "\ue002"  # private use: never shown
_SENTINELS = re.compile("[\ue000-\ue002]")
_TAGS = re.compile(r"<[^>]*>")
# Spaces, control characters (Anki drops them) and zero-width characters.
_INVISIBLE = re.compile(r"(?:\s|&nbsp;|[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff])+")
_BLANK_START = re.compile(r"(?:<[^>]*>|\s|&nbsp;|[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff])*")


# Words that open a term-definition line: "**Term**：…", "- **Term** - …", "Term: …".
COLONS = ":："


def split_label(text: str, max_label: int = 24) -> tuple[str, str] | None:
    """Split ``**Label**：body`` or ``Label: body`` into (label, body) Markdown.

    The label is bold, or short plain words before a colon; the colon may be
    half- or full-width with spaces around it, or a spaced dash after a bold
    label. Returns None when the text is not shaped like a definition.
    """
    stripped = text.strip()
    bold = _BOLD_LABEL.match(stripped)
    if bold:
        label, body = _match_label(bold)
        label = label.rstrip(COLONS).strip()
        return (label, body.strip()) if label else None
    plain = _PLAIN_LABEL.match(stripped)
    if plain and len(plain.group("label")) <= max_label:
        return plain.group("label").strip(), plain.group("body").strip()
    return None


_BOLD_LABEL = re.compile(
    r"^(?P<m>\*\*|__|\*|_|==|`)(?P<label>(?:`[^`\n]+`|[^*_=`\n])+?)(?P=m)\s*(?:[:：]|\s[-–—~]\s|\s?[-–—][ \t]*\n)\s*(?P<body>.*)$"
    r"|^\*\*(?P<label2>[^*]+?[:：])\s*\*\*\s*(?P<body2>.*)$",
    re.DOTALL,
)
"""A bold, italic, highlighted or code label, then a colon or a spaced dash."""
# A plain label has no sentence punctuation and is not a URL scheme.
_PLAIN_LABEL = re.compile(r"^(?P<label>[^\s:：，。,.;；！!？?*`|\[\]()（）“”\"<>='$](?:\[[^\]\[]*\]|[^:：，。;；！!？?*`|\[\]“”\"<>=$])*?)\s*[:：](?!//)\s*(?P<body>.+)$", re.DOTALL)


def _match_label(m: re.Match[str]) -> tuple[str, str]:
    if m.group("label") is not None:
        return m.group("label"), m.group("body")
    return m.group("label2"), m.group("body2")


def has_cjk(text: str) -> bool:
    """Whether the text has Chinese, Japanese or Korean characters."""
    return bool(_CJK.search(text))


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def escape(text: str) -> str:
    """Plain text to HTML that Anki shows as text: no sound it would play,
    no ``{{`` that could open a cloze deletion."""
    escaped = html.escape(text, quote=False).replace("{{", "{\u200b{")
    return _SOUND_OPEN.sub("&#91;sound:", escaped)


_SOUND_OPEN = re.compile(r"\[sound:", re.IGNORECASE)
