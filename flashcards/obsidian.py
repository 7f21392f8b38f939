"""Markdown that Obsidian (and tools like it) shows differently from CommonMark.

Notes kept in Obsidian write ``==highlight==`` for what to remember,
``[[note]]`` / ``[[note|alias]]`` / ``[[note#heading]]`` for links to other
notes, ``![[image.png]]`` / ``![[image.png|300]]`` to show an image (300
pixels wide), and ``%%comments%%`` for text not meant to be shown. CommonMark
shows all of these as raw syntax, so these markdown-it rules read them the
way Obsidian shows them: a highlight is a ``<mark>`` (and a cloze deletion,
as bold is), a wikilink is its text, an embedded image is an image (found by
its name, as Obsidian finds it: :mod:`flashcards.vault`), an embedded note
is its name, a comment and a block id (``^abc123``) are nothing.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

_MARK = re.compile(r"==(?=[^\s=])(.+?)(?<=[^\s=])==", re.DOTALL)
_WIKILINK = re.compile(r"(!?)\[\[([^\[\]\n|]+?)(?:\|([^\[\]\n]*?))?\]\]")
_COMMENT = re.compile(r"%%.*?%%", re.DOTALL)


def plugin(md: MarkdownIt) -> None:
    """Install the rules (before emphasis and links, which would take the brackets)."""
    md.inline.ruler.before("emphasis", "obsidian_mark", _mark)
    md.inline.ruler.before("link", "obsidian_wikilink", _wikilink)
    md.inline.ruler.before("emphasis", "obsidian_comment", _comment)
    md.inline.ruler.before("link", "footnote_reference", _footnote_reference)
    md.core.ruler.push("obsidian_callout", _callout_markers)
    md.core.ruler.push("obsidian_block_id", _block_ids)


def link_text(target: str, alias: str | None) -> str:
    """What Obsidian shows for ``[[target|alias]]``: the alias, else the note
    name with its heading (``note › heading``), never the ``^block`` id."""
    if alias is not None and alias.strip():
        return alias.strip()
    note, _, heading = target.partition("#")
    heading = heading.lstrip("^") if not heading.startswith("^") else ""
    parts = [p.strip() for p in (note, heading) if p.strip()]
    return " › ".join(parts)


def _mark(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("==", state.pos):
        return False
    found = _MARK.match(state.src, state.pos)
    if not found or found.end() > state.posMax:
        return False
    if not silent:
        end = state.posMax
        state.push("mark_open", "mark", 1).markup = "=="
        state.pos, state.posMax = found.start(1), found.end(1)
        state.md.inline.tokenize(state)
        state.push("mark_close", "mark", -1).markup = "=="
        state.posMax = end
    state.pos = found.end()
    return True


def _wikilink(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if state.src[start] == "!":
        if not state.src.startswith("![[", start):
            return False
    elif not state.src.startswith("[[", start):
        return False
    found = _WIKILINK.match(state.src, start)
    if not found or found.end() > state.posMax:
        return False
    if not silent:
        embed, target, alias = found.group(1), found.group(2), found.group(3)
        if embed and _IMAGE.search(target):
            # The src as a Markdown image's would be (percent-encoded): the
            # build finds the file from it, as for ![](…).
            token = state.push("image", "img", 0)
            size = _SIZE.match(alias or "")
            token.attrs = {"src": quote(target.strip(), safe="/"), "alt": "" if size or alias is None else alias.strip()}
            if size:
                # (The card's style keeps it within the screen: max-width 100%, height auto.)
                token.attrs["width"] = size.group(1)
                if size.group(2):
                    token.attrs["height"] = size.group(2)
            token.content = str(token.attrs["alt"])
            # (The renderer writes the alt text from the children.)
            token.children = [Token("text", "", 0, content=token.content)] if token.content else []
        else:
            # A link without an address: shown as its text, still known as a link
            # (an answer that is only links is no answer).
            state.push("link_open", "a", 1).attrs = {"class": "wikilink"}
            state.push("text", "", 0).content = link_text(target, alias)
            state.push("link_close", "a", -1)
    state.pos = found.end()
    return True


def _comment(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("%%", state.pos):
        return False
    found = _COMMENT.match(state.src, state.pos)
    if not found or found.end() > state.posMax:
        return False
    state.pos = found.end()
    return True


_BLOCK_ID = re.compile(r"[ \t]+\^[A-Za-z0-9-]+[ \t]*$")


def _block_ids(state: StateCore) -> None:
    """``… ^abc123`` at the end of a line: a block's id for links, never shown."""
    for token in state.tokens:
        if token.type != "inline" or not token.children or "^" not in token.content:
            continue
        children = token.children
        for i, child in enumerate(children):
            ends_line = i + 1 == len(children) or children[i + 1].type in ("softbreak", "hardbreak")
            if child.type == "text" and ends_line and "^" in child.content:
                child.content = _BLOCK_ID.sub("", child.content)


_CALLOUT = re.compile(r"^\[![\w-]+\][+-]?[ \t]*")


def _callout_markers(state: StateCore) -> None:
    """``> [!tip] Title``: a callout shows its title, never its ``[!type]`` marker."""
    tokens = state.tokens
    for i in range(len(tokens) - 2):
        if tokens[i].type == "blockquote_open" and tokens[i + 1].type == "paragraph_open" and tokens[i + 2].type == "inline":
            inline = tokens[i + 2]
            first = inline.children[0] if inline.children else None
            if first is not None and first.type == "text" and _CALLOUT.match(first.content):
                first.content = _CALLOUT.sub("", first.content, count=1)


def _footnote_reference(state: StateInline, silent: bool) -> bool:
    """``[^note]``: a pointer to a footnote, which a card does not carry."""
    if not state.src.startswith("[^", state.pos):
        return False
    found = _FOOTNOTE.match(state.src, state.pos)
    if not found or found.end() > state.posMax or state.src.startswith(":", found.end()):
        return False
    state.pos = found.end()
    return True


_FOOTNOTE = re.compile(r"\[\^[^\]\s]+\]")
_IMAGE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp|avif)$", re.IGNORECASE)
_SIZE = re.compile(r"^\s*([1-9]\d{0,4})(?:x([1-9]\d{0,4}))?\s*$")
"""``|300`` (width) or ``|300x200`` (width and height) after an embedded image's name."""
