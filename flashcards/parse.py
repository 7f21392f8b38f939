"""Parse a note's text into a :class:`~flashcards.model.Document`.

markdown-it gives a token stream; this module folds it into a section tree
(heading path and source line for every block) that extractors can read
without knowing about tokens.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath

import yaml
from markdown_it.token import Token

from flashcards import containers, guard, markup
from flashcards.model import (
    Block,
    Code,
    Diagnostic,
    Document,
    Html,
    ImageRef,
    ListBlock,
    ListItem,
    Paragraph,
    Quote,
    Section,
    Table,
)


def parse(text: str, rel_path: str) -> Document:
    """Parse one note. ``rel_path`` names it in identities and warnings."""
    md = markup.markdown()
    env: dict = {}
    tokens = md.parse(containers.flatten(text), env)
    markup.start_note(() if env.get("references") else tokens)
    nodes = _tree(tokens)
    warnings = [Diagnostic(rel_path, s.line, s.message) for s in guard.skipped(env)]
    meta: dict[str, object] = {}
    if nodes and nodes[0].type == "front_matter":
        meta = _front_matter(nodes.pop(0), rel_path, warnings)

    title, written_title, nodes = _title(nodes, meta, rel_path)
    # A lone H1 that is not the title is a section like the H2s after it.
    lone_h1 = sum(1 for n in nodes if n.type == "heading" and n.tag == "h1") == 1
    root = _build_sections(nodes, h1_level=2 if lone_h1 else 1)
    return Document(
        path=rel_path,
        title=title,
        meta=tuple(sorted(meta.items())),
        root=root,
        warnings=tuple(warnings),
        images=_images(tokens),
        written_title=written_title,
        source=text,
    )


class _Node:
    """A block of the token stream with the blocks nested in it (what
    markdown-it's SyntaxTreeNode gives, without its generality)."""

    __slots__ = ("token", "type", "children", "_tokens", "_start", "_end")

    def __init__(self, token: Token, tokens: list[Token], start: int) -> None:
        self.token = token
        self.type = token.type[: -len("_open")] if token.nesting == 1 else token.type
        self.children: list[_Node] = []
        self._tokens, self._start, self._end = tokens, start, start + 1

    @property
    def tag(self) -> str:
        return self.token.tag

    @property
    def map(self) -> list[int] | None:
        return self.token.map

    @property
    def content(self) -> str:
        return self.token.content

    @property
    def info(self) -> str:
        return self.token.info

    def to_tokens(self) -> list[Token]:
        return self._tokens[self._start : self._end]


def _tree(tokens: list[Token]) -> list[_Node]:
    """The top-level blocks of a token stream, each holding its nested blocks."""
    top: list[_Node] = []
    open_: list[_Node] = []
    for index, token in enumerate(tokens):
        if token.nesting == -1:
            open_.pop()._end = index + 1
            continue
        node = _Node(token, tokens, index)
        (open_[-1].children if open_ else top).append(node)
        if token.nesting == 1:
            open_.append(node)
    return top


def _front_matter(node: _Node, rel_path: str, warnings: list[Diagnostic]) -> dict[str, object]:
    try:
        data = yaml.safe_load(node.content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 1  # +1 for 1-based, +1 for the '---' line
        warnings.append(Diagnostic(rel_path, line, f"front matter is not valid YAML, ignored ({_first_line(exc)})"))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        warnings.append(Diagnostic(rel_path, 1, "front matter is not a mapping of keys to values, ignored"))
        return {}
    return {str(k): v for k, v in data.items()}


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _title(nodes: list[_Node], meta: dict[str, object], rel_path: str) -> tuple[str, str, list[_Node]]:
    """The note's title, as written when it is a heading ('' otherwise), and
    the nodes left once a title heading is taken out.

    A single H1 opening the note is its title unless it reads like a section
    of its own (ends with a colon, as in ``# 核心结论先明确：``).
    """
    if isinstance(meta.get("title"), str) and meta["title"].strip():
        return meta["title"].strip(), "", nodes
    h1s = [n for n in nodes if n.type == "heading" and n.tag == "h1"]
    if len(h1s) == 1 and nodes and nodes[0] is h1s[0]:
        written = _inline_content(h1s[0])
        text = markup.plain_text(written)
        if text and not text.endswith(tuple(markup.COLONS)):
            return text, written, nodes[1:]
    stem = PurePosixPath(rel_path).stem
    return re.sub(r"[-_]+", " ", stem).strip() or stem, "", nodes


def _build_sections(nodes: list[_Node], h1_level: int) -> Section:
    """Fold a flat list of top-level nodes into a tree of sections."""

    class _Open:
        def __init__(self, title: str, level: int, line: int, path: tuple[str, ...], written: tuple[str, ...]) -> None:
            self.title, self.level, self.line, self.path, self.written = title, level, line, path, written
            self.blocks: list[Block] = []
            self.children: list[_Open] = []

        def freeze(self) -> Section:
            return Section(
                self.title, self.level, self.line, self.path,
                tuple(self.blocks), tuple(c.freeze() for c in self.children), self.written,
            )

    root = _Open("", 0, 1, (), ())
    stack = [root]
    for node in nodes:
        if node.type == "heading":
            level = int(node.tag[1]) if node.tag != "h1" else h1_level
            while stack[-1].level >= level:
                stack.pop()
            heading = _inline_content(node)
            parent = stack[-1]
            section = _Open(heading, level, _line(node), parent.path + (markup.plain_text(heading),), parent.written + (heading,))
            parent.children.append(section)
            stack.append(section)
        else:
            block = _block(node)
            if block is not None:
                stack[-1].blocks.append(block)
    return root.freeze()


def _line(node: _Node) -> int:
    return node.map[0] + 1 if node.map else 1


def _inline_content(node: _Node) -> str:
    for child in node.children:
        if child.type == "inline":
            return child.content
    return ""


def _html(node: _Node) -> Callable[[], str]:
    """The node's HTML, rendered when first asked for."""
    return functools.cache(lambda: markup.block_html(node.to_tokens()))


def _block(node: _Node) -> Block | None:
    kind = node.type
    if kind == "paragraph":
        return Paragraph(_line(node), _inline_content(node), _html(node))
    if kind in ("bullet_list", "ordered_list"):
        items = tuple(_list_item(child) for child in node.children if child.type == "list_item")
        start = int(node.token.attrs.get("start", 1)) if kind == "ordered_list" else 1
        return ListBlock(_line(node), kind == "ordered_list", items, start, _html(node))
    if kind == "table":
        return _table(node)
    if kind in ("fence", "code_block"):
        return Code(_line(node), (node.info or "").strip(), node.content, _html(node))
    if kind == "blockquote":
        children = tuple(b for b in (_block(c) for c in node.children) if b is not None)
        return Quote(_line(node), children, _html(node))
    if kind == "html_block":
        content = node.content
        return Html(_line(node), content, functools.cache(lambda: markup.sanitize(content)))
    if kind in ("math_block", "math_block_eqno", "amsmath"):
        return Paragraph(_line(node), "\\[" + node.content + "\\]", _html(node))
    return None  # hr and anything unknown carry no content


def _list_item(node: _Node) -> ListItem:
    children = list(node.children)
    text = ""
    if children and children[0].type == "paragraph":
        text = _inline_content(children.pop(0))
    blocks = tuple(b for b in (_block(c) for c in children) if b is not None)
    return ListItem(_line(node), text, blocks, _html(node))


def _table(node: _Node) -> Table:
    header: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    for section in node.children:
        for tr in section.children:
            cells = tuple(_inline_content(cell).strip() for cell in tr.children)
            if section.type == "thead":
                header = cells
            else:
                rows.append(cells)
                lines.append(_line(tr))
    width = len(header)
    padded = tuple(tuple(row[:width]) + ("",) * (width - len(row)) for row in rows)
    return Table(_line(node), header, padded, tuple(lines), _html(node))


_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)


def _images(tokens: Sequence[Token]) -> tuple[ImageRef, ...]:
    """Every image in the note with its line: Markdown images and raw ``<img>`` tags."""
    found: list[ImageRef] = []
    for token in tokens:
        first = token.map[0] + 1 if token.map else 1
        if token.type == "html_block":
            found.extend(_raw_images(token.content, first))
        elif token.type == "inline":
            line = first
            for child in token.children or []:
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type == "image":
                    found.append(ImageRef(line, str(child.attrs.get("src", ""))))
                elif child.type == "html_inline":
                    found.extend(_raw_images(child.content, line))
    return tuple(found)


def _raw_images(source: str, first_line: int) -> list[ImageRef]:
    return [
        ImageRef(first_line + source.count("\n", 0, m.start()), html.unescape(next(g for g in m.groups() if g is not None)))
        for m in _IMG_SRC.finditer(source)
    ]
