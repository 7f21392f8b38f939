"""Containers other Markdown tools draw around notes, reduced to their content.

VuePress and Docusaurus write ``::: tip Title`` … ``:::``, pandoc
``:::{.note}`` … ``:::``, MkDocs ``!!! note "Title"`` (and ``??? note``) over
a body indented by four spaces. CommonMark shows the marker lines as text
and the indented body as code, so before parsing the marker lines become
blank and a MkDocs body is dedented: what is inside reads as the rest of the
note does. Lines keep their numbers, so cards still point at the right line;
fenced code is left alone.
"""

from __future__ import annotations

import re

_COLON_FENCE = re.compile(r"^ {0,3}:{3,}(?:\s*[\w{.\-].*)?\s*$")
_ADMONITION = re.compile(r"^(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+\"[^\"]*\")?\s*$")
_CODE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HASHES = re.compile(r"^ {0,3}(?:#{2,6}(?=[^\s#])|#(?=\d))")


def flatten(text: str) -> str:
    """The note with container markers blanked, admonition bodies dedented,
    and the hashes taken off "###1.Question" lines (CommonMark reads no heading there)."""
    if ":::" not in text and "!!!" not in text and "???" not in text and "##" not in text and "</details>" not in text:
        return text
    lines = _separate_details(text.split("\n"))
    out: list[str] = []
    fence = ""
    in_admonition = False
    for line in lines:
        stripped = line.rstrip("\r")
        ending = line[len(stripped):]
        opened = _CODE_FENCE.match(stripped)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            out.append(_dedent(line) if in_admonition else line)
            continue
        if in_admonition:
            if stripped.startswith("    ") or stripped.startswith("\t") or not stripped.strip():
                line = _dedent(line)
                stripped = line.rstrip("\r")
                opened = _CODE_FENCE.match(stripped)
            else:
                in_admonition = False
        if opened:
            fence = opened.group(1)
            out.append(line)
            continue
        if _HASHES.match(stripped):  # "###1.Question" (no space): a paragraph, without the hashes
            out.append(_HASHES.sub("", line, count=1))
        elif _COLON_FENCE.match(stripped):
            out.append(ending)
        elif _ADMONITION.match(stripped):
            out.append(ending)
            in_admonition = True
        else:
            out.append(line)
    return "\n".join(out)


def _separate_details(lines: list[str]) -> list[str]:
    """``</details>`` right above the next ``<details>`` would make one HTML
    block of both (CommonMark ends it only at a blank line): the closing tag
    moves up into the blank line before it, so each block stands alone."""
    for i in range(1, len(lines) - 1):
        if (
            lines[i].strip() == "</details>"
            and lines[i + 1].lstrip().lower().startswith("<details")
            and not lines[i - 1].strip()
        ):
            lines[i - 1], lines[i] = lines[i], lines[i - 1]
    return lines


def _dedent(line: str) -> str:
    if line.startswith("    "):
        return line[4:]
    if line.startswith("\t"):
        return line[1:]
    return line
