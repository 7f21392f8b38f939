"""Limits that keep broken or hostile Markdown from hanging or crashing the parser,
and warnings where CommonMark quietly swallows the rest of a note.

markdown-it's inline parser slows down sharply on long runs of ``[``, ``![``,
``_`` or ``*`` (a 5 MB line of ``[`` does not finish in ten minutes), its
emphasis nesting is unbounded (500 nested ``*`` overflow Python's stack when
the token tree is built), and it silently drops whatever is nested more than
``maxNesting`` levels deep; and an unclosed code fence turns the rest of a
note into code. These parser rules bound the first three, notice the last,
and record what was left out in the parse ``env``, so
:mod:`flashcards.parse` can warn with the file and line.

No card can come from such text anyway: a paragraph of more than
:data:`MAX_INLINE_CHARS` characters, or formatting nested more than
:data:`MAX_INLINE_DEPTH` levels deep, is not something to learn from a card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

MAX_INLINE_CHARS = 10_000
"""Longest paragraph, heading, list item or table cell that is read."""
MAX_INLINE_DEPTH = 20
"""Deepest nesting of inline formatting (emphasis inside emphasis…) that is read."""
MAX_HIGHLIGHT_CHARS = 20_000
"""Longer code blocks are shown without colours (Pygments takes ~70 s for 5 MB)."""

_ENV_KEY = "flashcards_guard"


@dataclass(frozen=True)
class Skipped:
    """Something the parser left out, and where."""

    line: int
    """1-based line in the parsed text."""
    message: str


def install(md: MarkdownIt) -> None:
    """Add the guards to a markdown-it parser."""
    md.block.ruler.before("table", "flashcards_too_deep", _too_deep)
    md.core.ruler.after("block", "flashcards_open_fences", _open_fences)
    md.core.ruler.before("inline", "flashcards_long_inline", _long_inline)
    md.core.ruler.after("inline", "flashcards_deep_inline", _deep_inline)


def skipped(env: dict) -> tuple[Skipped, ...]:
    """What the guards left out while parsing with ``env``, in line order."""
    return tuple(sorted(env.get(_ENV_KEY, ()), key=lambda s: s.line))


def _record(state: StateCore, token: Token, message: str) -> None:
    line = token.map[0] + 1 if token.map else 1
    if isinstance(state.env, dict):
        state.env.setdefault(_ENV_KEY, []).append(Skipped(line, message))


def _too_deep(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    # markdown-it stops at maxNesting by skipping to the end of the *note*,
    # not of the container. Skipping deeper lines one at a time instead lets
    # the tokenizer see where the deep container ends and read on from there.
    if silent or state.level < state.md.options.maxNesting - 2:
        return False
    env = state.env if isinstance(state.env, dict) else {}
    if not env.get(_DEEP_KEY):
        env[_DEEP_KEY] = True
        env.setdefault(_ENV_KEY, []).append(
            Skipped(start + 1, "lists or quotes nested too deeply here; the deeper lines are not read")
        )
    state.line = start + 1
    return True


_DEEP_KEY = "flashcards_guard_deep"


def _open_fences(state: StateCore) -> None:
    # An unclosed fence runs to the end of the note (CommonMark): everything
    # after it is code, which is easy to miss, so say where it opened.
    src = state.src
    total = src.count("\n") + (0 if src.endswith("\n") else 1)
    for token in state.tokens:
        if token.type != "fence" or not token.map or token.map[1] < total:
            continue
        last = src.split("\n")[token.map[1] - 1] if token.map[1] - 1 > token.map[0] else ""
        closing = _CLOSING_FENCE.match(last)
        if not (closing and closing.group(1)[0] == token.markup[0] and len(closing.group(1)) >= len(token.markup)):
            _record(state, token, "this code block is never closed: the rest of the note is read as code")


_CLOSING_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})[ \t]*$")


def _long_inline(state: StateCore) -> None:
    for index, token in enumerate(state.tokens):
        if token.type == "inline" and len(token.content) > MAX_INLINE_CHARS:
            opener = state.tokens[index - 1].type if index else ""
            _record(
                state,
                token,
                f"{_WHAT.get(opener, 'a text')} of {len(token.content):,} characters is too long to make "
                f"cards from (limit {MAX_INLINE_CHARS:,}); skipped",
            )
            token.content = ""


_WHAT = {"paragraph_open": "a paragraph", "heading_open": "a heading", "th_open": "a table cell", "td_open": "a table cell"}


def _deep_inline(state: StateCore) -> None:
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        depth = deepest = 0
        for child in token.children:
            depth += child.nesting
            deepest = max(deepest, depth)
        if deepest > MAX_INLINE_DEPTH:
            _record(
                state,
                token,
                f"formatting nested {deepest} levels deep (limit {MAX_INLINE_DEPTH}); paragraph skipped",
            )
            token.content = ""
            token.children = []
