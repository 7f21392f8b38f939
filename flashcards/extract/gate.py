"""The quality gate: what the extractors found, checked before it becomes a card.

Each rule names a reason a candidate is left out (see ``shared/docs/real-notes.md``,
"What must never become a card"). The build counts what was left out by
reason, and ``--verbose`` names each with its file and line, so a note's
author can see why a line gave no card.
"""

from __future__ import annotations

import functools
import html
import re

from flashcards import markup
from flashcards.config import SKIP_HEADINGS
from flashcards.extract.base import strip_ordinal
from flashcards.extract.prompts import is_attribute
from flashcards.model import Fact, Kind, LeftOut

NO_SUBJECT = "no subject"
LINK_ONLY = "link-only answer"
QUESTION_ANSWER = "question for an answer"
REVEAL_LABEL = "reveal label for a question"
BOILERPLATE = "boilerplate"
EXERCISE = "exercise without its answer"
RAW_SYNTAX = "leftover syntax"
POOR_CLOZE = "cloze hides no fact"
SWITCHED_OFF = "switched off by the author"
EXAMPLE_DATA = "example data"
"""Used by the table extractor, which sees whole tables."""
EMPTY_SIDE = "a side would be empty"
"""Used before the gate: text that renders to nothing (``Q:<br>``, a cloze with nothing left to ask)."""

REVEAL = re.compile(
    r"(?:show|hide|answers?|the answer|solutions?|reveal|details|hint|more|expand|toggle|"
    r"click(?: here)? to (?:reveal|show|expand|see|view)\b.*|(?:show|reveal|see|view|check) (?:the )?(?:answers?|solutions?)\b.*|"
    r"答案|解析|答案解析|参考答案|查看答案|显示答案|点击.*|展开.*|详情|提示)",
    re.IGNORECASE,
)
BOILERPLATE_LABEL = re.compile(
    r"(?:author|authors|written by|date|created|updated|last updated|last modified|modified|published|"
    r"see also|references?|further reading|navigation|nav|prev|previous|next|toc|table of contents|"
    r"copyright|license|licence|"
    r"作者|日期|创建时间|更新时间|最后更新|修改时间|发布时间|出处|参考|参考资料|参考文献|参考链接|"
    r"相关链接|相关阅读|延伸阅读|目录|导航|上一篇|下一篇|上一节|下一节|版权|版权声明|许可|"
    r"掌握内容|了解内容|熟悉内容|学习目标|本章目标)",
    re.IGNORECASE,
)
"""Labels that never name something to learn."""
META_LABEL = re.compile(
    r"(?:source|sources|links?|related|tags?|status|version|aliases|title|category|categories|"
    r"来源|链接|标签|状态|版本|分类|标题|时间|[\w ]{0,8}(?:日期|时间|date|dates|updated|reviewed))",
    re.IGNORECASE,
)
"""Labels that are metadata in a note's preamble, and may be terms further down."""
_RELEASE = re.compile(r"^\s*\[?v?\d+\.\d+(?:\.\d+)*(?:[-.\w]*)\]?(?:\s*[-–—(]\s*\d{4}-\d{2}-\d{2}\)?)?\s*$", re.IGNORECASE)
_PROMPT_WRAP = re.compile(r"^(?:what is |what are |what's )?(.*?)(?:是什么|是啥|指什么)?\s*[?？]?$", re.IGNORECASE)
_BLANK = re.compile(r"_{3,}|＿{2,}|（\s*）|\(\s{2,}\)|【\s*】")
_EXERCISE = re.compile(r"^(?:请思考|思考题|想一想|练习|exercise|try it|your turn|todo|tbd)\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"(?:to[- ]?do|tbd|tba|wip|coming soon|\.{3}|…+|待补充|待完善|待续|未完待续|略|（略）|\(略\))[.。!！]?", re.IGNORECASE)
_CITATION = re.compile(r"[(（\[]\s*[A-Z][\w'’.\- ]+(?:et al\.?)?,?\s+(?:19|20)\d{2}[a-z]?(?:[,;:]\s*[^)）\]]*)?[)）\]]")
"""``(Luksa, 2017, ch. 10)``, ``[Smith et al. 2020]``: where it is written, not what."""
_GENERIC_LINK = re.compile(
    r"(?:link|links|here|click here|this|docs?|documentation|official docs?|source|reference|references|more|read more|"
    r"see|see more|website|site|article|video|pdf|slides?|notes?|"
    r"链接|这里|此处|点击|点击这里|文档|官方文档|官网|参考|参考资料|来源|原文|更多|详情|视频|课件|笔记)",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|www\.)\S+")
_LINK = re.compile(r"<a\b[^>]*>.*?</a>", re.IGNORECASE | re.DOTALL)
_CODE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)
_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::[^}]*)?\}\}", re.DOTALL)
"""A deletion: its number and its text (a hint after ``::`` left out)."""
_RAW = re.compile(
    r"==[^=\s][^=]*==|\[\[|\]\]|:::|\*\*|^\s*[-+*] \S|(?<![\\$])\$(?!\$)\S|\{\{(?!c\d+::)|%%|<!--|&lt;!--|!!!|"
    r"(?:^|\s)(?:>|&gt;){3}(?:\s|$)",
    re.MULTILINE,
)
_HIDDEN_LABEL = re.compile(r"^\{\{c\d+::[^{}]*\}\}\s*(?:[-–—:：]\s|[-–—:：]$)")
_RAW_HINT = re.compile(r"==|\[\[|\]\]|:::|\*\*|[-+*] |\$|\{\{|%%|<!--|&lt;!--|!!!|>>>|&gt;&gt;&gt;")
"""What must be in a field for any raw-syntax rule to find something."""
_TAG_ONLY = re.compile(r"^\s*(?:#[^\s#]+\s*)+$")
_WORDS = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)


@functools.lru_cache(maxsize=8192)  # headings and labels repeat across a note's facts
def _bare(text: str) -> str:
    """Text without emoji, punctuation or surrounding space, for the label rules."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", text)).strip(" .")


_NOT_WORD = re.compile(r"[^\w\s.\u3400-\u9fff]")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=16)  # one configuration per build, asked for by every note
def skip_rule(headings: tuple[str, ...]) -> frozenset[str]:
    """Headings whose sections give no cards (``cards.skip_headings``), as
    :func:`skipping_heading` compares them: without numbering, emoji,
    punctuation or case, so ``## 1. References 📚`` matches ``references``."""
    return frozenset(filter(None, (_heading_name(h) for h in headings)))


def _heading_name(heading: str) -> str:
    return _bare(strip_ordinal(heading)).casefold()


DEFAULT_SKIPPED = skip_rule(SKIP_HEADINGS)


def sift(
    facts: tuple[Fact, ...] | list[Fact], skipped: frozenset[str] = DEFAULT_SKIPPED
) -> tuple[tuple[Fact, ...], tuple[LeftOut, ...]]:
    """The facts that pass, and what was left out and why; ``skipped``: the
    headings whose sections give no cards (see :func:`skip_rule`)."""
    kept: list[Fact] = []
    left: list[LeftOut] = []
    for fact in facts:
        reason = check(fact, skipped)
        if reason:
            left.append(LeftOut(fact.origin.path, fact.origin.line, reason, _label(fact)))
        else:
            kept.append(fact)
    return tuple(kept), tuple(left)


def check(fact: Fact, skipped: frozenset[str] = DEFAULT_SKIPPED) -> str:
    """Why a fact must not become a card ('' when it may)."""
    cloze = fact.kind.is_cloze
    basic_answer = fact.kind is not Kind.MCQ
    # A table card's answer is its cell; the table under it is context.
    back = _table_answer(fact.back) if fact.kind is Kind.TABLE else fact.back
    question = visible(fact.text if cloze else fact.front)
    answer = " ".join(body for _, body in _CLOZE.findall(fact.text)) if cloze else visible(back)
    asked = question if cloze or "lead" not in fact.front else visible(without_lead(fact.front))
    core = _PROMPT_WRAP.match(asked.strip())
    core_text = (core.group(1) if core else asked).strip(" ·:：")
    if len(asked) < 60 and REVEAL.fullmatch(_bare(asked)):
        return REVEAL_LABEL
    label = _bare(fact.key.split(" › ")[-1])
    if BOILERPLATE_LABEL.fullmatch(label) or (len(core_text) < 40 and BOILERPLATE_LABEL.fullmatch(_bare(core_text))):
        return BOILERPLATE
    if not fact.origin.headings and META_LABEL.fullmatch(label):
        return BOILERPLATE
    if skipping_heading(fact.origin.headings, skipped) and fact.kind not in (Kind.QUESTION, Kind.MCQ):
        # test instructions, references, a changelog's entries … (a question
        # answered there is a question all the same: "# Resources" in a
        # Kubernetes note holds CPU and memory, not links)
        return BOILERPLATE
    if fact.kind is Kind.DEFINITION and is_attribute(core_text) and "class=lead" not in fact.front.replace('"', ''):
        return NO_SUBJECT
    if basic_answer and is_link_only(fact.text if cloze else back, about=_about(fact)):
        return LINK_ONLY
    if basic_answer and _PLACEHOLDER.fullmatch(answer.strip()):
        return EMPTY_SIDE  # "To-do", "待补充": nothing written yet
    if basic_answer and is_question(answer):
        return QUESTION_ANSWER
    if basic_answer and (_has_blank(question) or _has_blank(answer) or _EXERCISE.match(question)):
        return EXERCISE
    if cloze and _poor_cloze(fact.text):
        return POOR_CLOZE
    if any(has_raw_syntax(side) for side in (fact.front, fact.back, fact.text)):  # the whole back: a table too
        return RAW_SYNTAX
    if not cloze and (_TAG_ONLY.match(asked) or _TAG_ONLY.match(answer)):
        return RAW_SYNTAX
    return ""


def _about(fact: Fact) -> str:
    """The thing a fact asks about (its key's term; a table cell's row or column thing)."""
    term = fact.key.split(" › ")[-1]
    return term.split(" · ")[0].strip()


def _table_answer(back: str) -> str:
    """The asked cell of a table card's back (``<div class="fc-answer">``)."""
    found = _ANSWER_DIV.match(back)
    return found.group(1) if found else back


_ANSWER_DIV = re.compile(r'<div class="fc-answer">(.*?)</div>', re.DOTALL)


def _has_blank(text: str) -> bool:
    """A fill-in blank: ``____``, ``（  ）``, ``【 】``."""
    if "__" not in text and "＿" not in text and "（" not in text and "(  " not in text and "【" not in text:
        return False
    return bool(_BLANK.search(text))


@functools.lru_cache(maxsize=8192)  # the same fields are read by several rules
def visible(fragment: str) -> str:
    """The text a reviewer reads in an HTML fragment, one line per block."""
    if "<" not in fragment and "&" not in fragment:
        text = fragment
    else:
        text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", fragment)))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


_BLOCK_END = re.compile(r"</(?:p|li|div|tr|h\d|pre|blockquote)>|<br\s*/?>", re.IGNORECASE)


def is_link_only(fragment: str, about: str = "") -> bool:
    """Whether an answer is nothing but links, URLs, wikilinks or citations.

    A link whose text names something else (``[IAM 控制台](…)`` for where a
    policy lives) is an answer; one whose text is an address, a generic word
    (docs, 这里) or the very thing asked about (``[Ingress 介绍](…)`` for
    Ingress), or that leads to a heading of the note, only points elsewhere."""
    if "<img" in fragment or not (
        "<a" in fragment or "http" in fragment or "www." in fragment or "[" in fragment or "(" in fragment
    ):
        return False  # no link, URL, wikilink or citation to be made of
    if not markup.has_content(fragment):
        return False
    if not (_LINK.search(fragment) or _URL.search(fragment) or "[[" in fragment or "[@" in fragment
            or _CITATION.search(visible(fragment))):
        return False  # a short answer ("64", "B") is still an answer
    def pointer(m: re.Match[str]) -> str:
        text = visible(m.group(0))
        points = not text or _URL.fullmatch(text) or _GENERIC_LINK.fullmatch(_bare(text)) or (
            about and _bare(about).casefold() in _bare(text).casefold()
        ) or "wikilink" in m.group(0) or 'href="#' in m.group(0)  # (a table of contents' anchors)
        return " " if points else f" {text} "

    rest = _URL.sub(" ", visible(_LINK.sub(pointer, fragment)))
    rest = re.sub(r"\[\[.*?\]\]|\[@[^\]]*\]|\[\d+\]", " ", rest)
    rest = _CITATION.sub(" ", rest)
    return len(_WORDS.findall(rest)) < 2


def is_question(text: str) -> bool:
    """Whether an answer is itself only questions (a follow-up, not an answer)."""
    lines = [ln.strip() for ln in text.splitlines() if _WORDS.search(ln)]
    return bool(lines) and all(ln.endswith(("?", "？")) for ln in lines)


def has_raw_syntax(fragment: str) -> bool:
    """Markdown or tool syntax a reviewer would see as is (outside code and math)."""
    if not fragment or not _RAW_HINT.search(fragment):
        return False
    prose = visible(_MATH.sub(" ", _CODE.sub(" ", _CLOZE.sub(lambda m: m.group(2), fragment))))
    return bool(_RAW.search(prose))


@functools.lru_cache(maxsize=4096)  # every fact of a section has the same headings
def skipping_heading(headings: tuple[str, ...], skipped: frozenset[str] = DEFAULT_SKIPPED) -> str:
    """The heading that makes a section hold no facts ('' when none does):
    one of ``skipped`` (test instructions, learning objectives, references …)
    or a changelog's "## [1.4.0] - 2024-01-02"."""
    return next((h for h in headings if _heading_name(h) in skipped or _RELEASE.match(h)), "")


def _poor_cloze(text: str) -> bool:
    """A deletion that hides a lead-in line ("举例说明：") or an aside in
    brackets, or that hides the whole statement, leaving no cue."""
    deletions = _CLOZE.findall(text)
    hidden = [visible(body).strip() for _, body in deletions]
    if any(h.endswith((":", "：")) or (h[:1] in "(（" and h[-1:] in ")）") for h in hidden):
        return True
    text = without_lead(text)
    numbers = {number for number, _ in deletions}
    if len(numbers) == 1 and _HIDDEN_LABEL.match(visible(text)):
        return True  # "{{c1::Term}} - what it means": the label is what asks, not what to recall
    for number in numbers:
        asked = _CLOZE.sub(lambda m: "" if m.group(1) == number else m.group(2), text)
        hidden_here = " ".join(body for n, body in deletions if n == number)
        if len(_WORDS.findall(visible(asked))) < 2 and len(_WORDS.findall(visible(hidden_here))) > 12:
            return True
    return False


def without_lead(front: str) -> str:
    """A front without its lead line (the parent item shown above the prompt)."""
    return _LEAD.sub("", front) if "lead" in front else front


_LEAD = re.compile(r'<div class="?lead"?>.*?</div>', re.DOTALL)


def _label(fact: Fact) -> str:
    key = fact.key if len(fact.key) <= 60 else fact.key[:59] + "…"
    return key
