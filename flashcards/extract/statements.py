"""What a sentence states, when no markup says so.

* Definitional prose: ``X 是/指 …``, ``X is/refers to …`` — a term and what
  it means, when ``X`` is a term (not a pronoun, a clause or an attribute);
* a line naming a subject and then several ``attribute：value`` parts
  (``二项分布，X ~ B(n,p)，期望：np，方差：np(1-p)``);
* a passage (a table cell, say) made of several bold-labelled parts
  (``**Components**: … <br> **Connectors**: …``).
"""

from __future__ import annotations

import re

from flashcards import markup
from flashcards.extract import prompts

_DEFINES_EN = re.compile(
    r"^(?P<term>(?:an? |the )?[A-Za-z][\w\-/()' ]{1,48}?) (?:is|are|refers to|means|is defined as|is called) "
    r"(?P<meaning>(?:an?|the|any|one|when|how|\w+ing)\b.{8,})$",
    re.DOTALL,
)
_DEFINES_ZH = re.compile(r"^(?P<term>[^\s，。：；、,.:;！？!?“”\"（）()]{2,14}?)(?:是指|指的是|是|指|称为|叫做)(?P<meaning>[^是].{5,})$", re.DOTALL)
_NOT_A_TERM = re.compile(
    r"^(?:it|this|that|these|those|they|there|here|he|she|we|you|i|which|what|who|one|each|all|some|most|"
    r"everything|something|anything|nothing|everyone|someone|both|either|neither|such|another|other|many|few|"
    r"several|my|our|your|his|her|its|their|below|above|the following|following|usually|often|sometimes|"
    r"generally|typically|normally|also|however|therefore|thus|then|now|so|still|only|just|even)\b|^(?:"
    r"这|那|它|他|她|其|这些|那些|这里|但|就|还|也|不|只|于|可|总|都|若|要|正|而|即|则|并|又|所以|因此|因为|如果|"
    r"但是|还是|也是|不是|只是|于是|可是|总是|都是|若是|要是|正是|而是|就是|凡是|或是|尤其|特别|主要|通常|一般|最|更|"
    r"首先|其次|然后|最后|另外|此外|同时|如|例如|比如)",
    re.IGNORECASE,
)


_SO_CALLED = re.compile(r"^(?:而|但|那么)?所谓\s*(?P<term>[^\s，,。：:；;]{2,20}?)\s*[，,]?\s*(?:就)?(?:是指|是|指)(?P<meaning>.{5,})$", re.DOTALL)
_WHICH = re.compile(r"^(?:the |an? )?(?P<term>[A-Z][\w\-]*(?: [A-Z][\w\-]*){0,4}), which (?P<meaning>\w.{7,})$", re.DOTALL)
"""``the Root Port, which points towards the Root Bridge``: a capitalised name and what it is."""
_CLAUSE = re.compile(r"\b(?:when|that|which|who|if|while|because|since|where|and|or)\b", re.IGNORECASE)


_ADVERB_END = re.compile(r"[不也都就还才只并却又总便即则乃正而已曾仍均皆亦更最很]$")
"""``54运动不是…``, ``它也是…``: the word before 是 is an adverb, not a term."""


def defines(text: str) -> tuple[str, str] | None:
    """(term, meaning) of a definitional sentence: ``X is …``, ``X 是/指 …``."""
    plain = markup.plain_text(text)
    first = re.split(r"(?<=[.。!！?？])\s", plain, maxsplit=1)[0] if "\n" not in plain else plain.split("\n")[0]
    so_called = _SO_CALLED.match(first) or _WHICH.match(first)
    if so_called is not None and not _NOT_A_TERM.match(so_called.group("term")):
        # "所谓根端口，是…", "the Root Port, which points …": the term is named as such.
        return so_called.group("term").strip(), plain
    found = _DEFINES_ZH.match(first) if markup.has_cjk(first[:16]) else _DEFINES_EN.match(first)
    if found is None:
        return None
    term = re.sub(r"^(?:an? |the )", "", found.group("term").strip(), flags=re.IGNORECASE)
    if (
        _NOT_A_TERM.match(term) or prompts.is_attribute(term) or len(term.split()) > 5 or _CLAUSE.search(term)
        or _ADVERB_END.search(term)
    ):
        return None
    return term, plain


def definitions(text: str) -> list[tuple[str, str]]:
    """The definitions a sentence gives: one, or one for each ``；``-separated
    part when every part defines a term (``新事物是指…；旧事物是指…``)."""
    parts = [p.strip() for p in re.split(r"[；;]", text) if p.strip()] if "\n" not in text else []
    if len(parts) >= 2:
        each = [defines(p) for p in parts]
        if all(each):
            return [d for d in each if d]
    found = defines(text)
    return [found] if found else []


_PROTECTED = re.compile(r"\$[^$]+\$|`[^`]+`|<span\b[^>]*>.*?</span>|<[^>]*>|\[[^\]]*\]\([^)]*\)|（[^）]*）|\([^)]*\)")
_SEGMENT_LABEL = re.compile(r"^\s*(?P<label>[^\s:：，,;；。]{1,8}?)\s*[:：]\s*(?P<value>\S.*)$", re.DOTALL)


def attributes(text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A line naming a subject then giving several ``attribute：value`` parts
    separated by commas: (subject, [(attribute, value Markdown)…]), or None."""
    if "\n" in text or text.count("：") + text.count(":") < 2:
        return None
    held: list[str] = []
    masked = _PROTECTED.sub(lambda m: held.append(m.group(0)) or f"\ue020{len(held) - 1}\ue021", text)
    parts = [p.strip() for p in re.split(r"[，,；;]\s*", masked) if p.strip()]
    restore = lambda s: re.sub("\ue020(\\d+)\ue021", lambda m: held[int(m.group(1))], s)  # noqa: E731
    labelled = [(i, _SEGMENT_LABEL.match(p)) for i, p in enumerate(parts)]
    pairs = [(m.group("label"), restore(m.group("value"))) for i, m in labelled if m and i > 0]
    first = labelled[0][1]
    # "几何分布：…，期望：1/p": a subject line with its own colon says one attribute is enough.
    if len(pairs) < (1 if first else 2) or len(pairs) < (len(parts) - 1) * 0.4:
        return None
    subject = markup.plain_text(restore(first.group("label") if first else parts[0])).strip()
    if not subject or len(subject) > 20 or any(len(markup.plain_text(v)) > 60 for _, v in pairs):
        return None
    return subject, [(markup.plain_text(a), v) for a, v in pairs]


_BREAK = re.compile(r"\s*<br\s*/?>\s*", re.IGNORECASE)
_BOLD_PART = re.compile(r"(?:(?<=\s)|(?<=^)|(?<=[.;。；]))(?=(?:\*\*|__)[^*_\n]{1,30}?(?:[:：]\s*(?:\*\*|__)|(?:\*\*|__)\s*[:：]))")


def labelled_parts(text: str) -> list[tuple[str, str]]:
    """The ``(label, body)`` parts of a passage made of two or more
    bold-labelled parts, each label's body running to the next label (lines
    after a label alone, ``**Advantages:**<br>High cohesion<br>…``, are its
    body); ``[]`` when the passage is not made that way."""
    pieces = [p for chunk in _BREAK.split(text) for p in _BOLD_PART.split(chunk) if p.strip()]
    parts: list[tuple[str, list[str]]] = []
    for piece in pieces:
        labelled = markup.split_label(piece) if piece.lstrip().startswith(("**", "__")) else None
        if labelled:
            parts.append((markup.plain_text(labelled[0]).strip(), [labelled[1]] if labelled[1] else []))
        elif parts:
            parts[-1][1].append(piece.strip())
        else:
            return []  # text before the first label: a passage, not labelled parts
    found = [(label, "<br>".join(body)) for label, body in parts if label and body]
    return found if len(found) >= 2 and len(found) == len(parts) else []
