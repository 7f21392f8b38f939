"""The pieces of an exam question: options, their markers, answer keys.

Options are written ``选项A：…``, ``A.``, ``A)``, ``(A)``, ``- A.``, ``[x] A.``
or as a numbered list; a key may sit next to an option (``→ 正确``,
``→ 错误``, ``✓``/``✗``, ``✅``, ``(correct)``) or be written after the options
(``Answer: B``, ``正确答案：B``, ``答案：B、D``, ``Correct answer: B, E``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flashcards.model import Section


@dataclass(frozen=True)
class Option:
    """One answer option of an exam question."""

    key: str
    """What an answer key names it by: ``A``, ``2``, or ``T``/``F`` for true/false."""
    label: str
    """What the card shows before it (``A``, ``2``; '' for true/false)."""
    body: str
    """Inline Markdown shown on both sides."""
    note: str = ""
    """Inline Markdown shown on the back only (why this option is right or wrong)."""
    verdict: bool | None = None
    """What a marker next to the option says: correct, wrong, or nothing."""
    more: str = ""
    """HTML of blocks nested under the option (back only)."""


@dataclass(frozen=True)
class Question:
    """An exam question as found, before its key is known for sure."""

    section: Section
    line: int
    stem: tuple[str, ...]
    """The stem's paragraphs (inline Markdown), number and wrapping quotes removed."""
    options: tuple[Option, ...]
    correct: frozenset[str] | None
    explanation: str
    """HTML shown after the answer."""
    number: int | None
    """The question's number, to match an answer key at the end of the note."""
    numbered: bool = False
    """Options are numbered 1, 2, … rather than lettered."""
    true_false: bool = False


_BOLD_PREFIX = re.compile(
    r"^(\s*)(?:\*\*|__)((?:选项\s*|option\s+)?(?:[(（][A-Ha-h][)）]|[A-Ha-h]\s*[.．、:：)）]?))\s*(?:\*\*|__)",
    re.IGNORECASE,
)
_WHOLE_BOLD = re.compile(r"^\s*\*\*([^*]+)\*\*\s*$")
_OPTION = re.compile(
    r"^\s*(?:\[(?P<box>[ xX])\]\s*)?(?P<pre>(?:✅|✔️?|☑️?|✓|❌|✗|✘|✖️?)\s*)?"
    r"(?:选项\s*|option\s+)?(?:[(（](?P<l1>[A-Ha-h])[)）]|(?P<l2>[A-Ha-h])\s*[.．、:：)）])\s*(?P<body>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_YES_WORDS = r"正确|对|correct|right|true"
_NO_WORDS = r"错误|错|incorrect|wrong|false"
_WORDS = rf"{_YES_WORDS}|{_NO_WORDS}"
_MARKER = re.compile(
    rf"(?:\s*(?:→|->|=>|⇒|⟶)\s*(?:\*\*|__)?\s*(?P<w1>{_WORDS})(?![A-Za-z])(?:\*\*|__)?"
    rf"|\s*[（(\[【]\s*(?P<w2>{_WORDS})\s*[）)\]】]"
    rf"|\s+[—–-]{{1,2}}\s*(?P<w3>{_WORDS})(?=\s*[.;；。,，]?\s*$)"
    r"|\s*(?P<sym>✅|✔️?|☑️?|✓|❌|✗|✘|✖️?))"
    r"\s*[；;。.,，:：]?\s*(?P<note>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_YES = re.compile(rf"^(?:{_YES_WORDS}|✅|✔️?|☑️?|✓)$", re.IGNORECASE)


def verdict_of(word: str) -> bool:
    """Whether a marker word or symbol says "correct"."""
    return bool(_YES.match(word.strip()))


def split_marker(text: str) -> tuple[str, bool | None, str]:
    """``body → 正确（note）`` → (body, True, note); (text, None, '') without a marker."""
    found = _MARKER.search(text)
    if not found or not text[: found.start()].strip():
        return text.strip(), None, ""
    word = next(g for g in (found.group("w1"), found.group("w2"), found.group("w3"), found.group("sym")) if g)
    body = text[: found.start()].rstrip(" \t；;，,。")
    note = found.group("note").strip().rstrip("；;。.，, ")
    if len(note) > 2 and note[0] in "（(" and note[-1] in "）)":
        note = note[1:-1].strip()
    return body, verdict_of(word), note


def lettered(text: str) -> tuple[str, str, bool | None, str] | None:
    """``B. body ✓`` → (``B``, body, verdict, note), or None when not an option."""
    whole = _WHOLE_BOLD.match(text)
    if whole:
        text = whole.group(1)
    text = _BOLD_PREFIX.sub(r"\1\2 ", text, count=1)
    found = _OPTION.match(text)
    if not found:
        return None
    letter = (found.group("l1") or found.group("l2")).upper()
    body, verdict, note = split_marker(found.group("body"))
    if found.group("box") is not None:
        verdict = found.group("box").lower() == "x"
    elif found.group("pre"):
        verdict = verdict_of(found.group("pre"))
    return (letter, body, verdict, note) if body else None


# ------------------------------------------------------------------ keys

_LETTERS = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:选项|options?\s+)?(?P<keys>[A-H](?:\s*(?:[,，、/&+]|\band\b|和|与|及)?\s*[A-H])*)"
    r"(?![A-Za-z])\s*(?:\*\*|__)?\s*(?P<rest>.*)$",
    re.DOTALL,
)
_DIGITS = re.compile(r"^\s*(?:\*\*|__)?\s*(?P<keys>\d{1,2}(?:\s*[,，、/&]\s*\d{1,2})*)(?!\d)\s*(?:\*\*|__)?\s*(?P<rest>.*)$", re.DOTALL)
_VERDICT = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?P<keys>正确|错误|对|错|√|×|✓|✗|true|false|T|F)(?![A-Za-z])\s*(?:\*\*|__)?\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_REST_LEAD = re.compile(r"^[\s.．。、:：,，;；)）\-–—]+")


def parse_key(text: str, numbered: bool, true_false: bool) -> tuple[frozenset[str], str] | None:
    """The options an answer names and what follows them (an explanation).

    ``B``, ``B, E``, ``B and D``, ``BD``, ``B、D`` name letters; ``2`` names a
    numbered option; ``正确``/``False`` answer a true/false question.
    """
    if true_false:
        found = _VERDICT.match(text)
        if not found:
            return None
        word = found.group("keys")
        keys = frozenset({"T" if word in ("√", "✓") or verdict_of(word) or word.upper() == "T" else "F"})
    elif numbered:
        found = _DIGITS.match(text)
        if not found:
            return None
        keys = frozenset(re.findall(r"\d+", found.group("keys")))
    else:
        found = _LETTERS.match(text)
        if not found:
            return None
        keys = frozenset(re.findall(r"[A-H]", found.group("keys")))
    return keys, _REST_LEAD.sub("", found.group("rest")).strip()


# Entries of an answer key written at the end of a note: "1. B 2. C", "3-AD".
KEY_ENTRY = re.compile(
    r"(?<![\w.])(?P<n>\d{1,3})\s*[.．)）、:：\-–—]?\s*(?:(?i:answer|ans|key)\s*[:：]\s*|答案\s*[:：]?\s*)?"
    r"(?P<a>[A-H]+(?:\s*[,，、/&]\s*[A-H])*|正确|错误|对|错|√|×|(?i:true|false)|T|F)(?![A-Za-z])"
)
KEY_SECTION = re.compile(
    r"^(?:参考|标准)?答案(?:与解析|及解析|解析|汇总)?$|^answer\s*keys?$|^answers?(?:\s+and\s+explanations?)?$|^keys?$|^solutions?$",
    re.IGNORECASE,
)

# "判断题：…", "True or false: …" — a statement to judge.
TRUE_FALSE = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:判断题?|是非题|对错题|判断正误|true\s*(?:or|/)\s*false|T\s*/\s*F)\s*[?？]?\s*(?:\*\*|__)?\s*"
    r"[:：.．]\s*(?:\*\*|__)?\s*(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)
TRUE_FALSE_LEAD = re.compile(r"判断|正误|对错|是非|true\s*(?:or|/)\s*false|T\s*/\s*F", re.IGNORECASE)

# "Question 3:", "Q1.", "第3题：", "**2.**" before a stem.
STEM_NUMBER = re.compile(
    r"^\s*(?:\*\*|__)?\s*(?:(?:Q|question|问题|题目|题|第)\s*)?(?P<n>\d{1,3})\s*题?\s*(?:\*\*|__)?\s*[.．、:：)）]\s*(?:\*\*|__)?\s*",
    re.IGNORECASE,
)
HEADING_NUMBER = re.compile(r"(?:题|question|q|示例|例题?|exercise|练习)\s*(\d{1,3})|第\s*(\d{1,3})\s*题", re.IGNORECASE)
QUESTION_SECTION = re.compile(r"题|question|^q\s*\d|示例|例题|exercise|练习|quiz|mcq", re.IGNORECASE)
SEVERAL = re.compile(r"多选|不定项|选出?[两二三四五2-5]|(?:which|choose|select|pick)\s+(?:two|three|four|2|3|4)\b|all\s+that\s+apply", re.IGNORECASE)
