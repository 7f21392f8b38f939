"""Prompts that name what they ask about: subject · attribute.

Most learnable facts are a triple: a *subject* (the nearest heading, a parent
list item), an *attribute* (a label) and a *value*. A label that only names
an attribute — 缺点, 作用, Mechanism, Pros — asks nothing without its
subject: "乐观锁的缺点？", "Bevacizumab · Mechanism?". A label that is a
term of its own keeps "X是什么？" / "What is X?", with the subject shown
above it. The words and the form follow the label's language, not the
note's: an English label in a Chinese note gets an English prompt.
"""

from __future__ import annotations

import functools
import re

from flashcards import markup
from flashcards.extract.base import strip_ordinal
from flashcards.model import Section

ATTRIBUTE = re.compile(
    r"(?:优点|缺点|优缺点|优势|劣势|特点|特征|特性|作用|功能|用途|用法|原因|原理|定义|概念|含义|意义|目的|"
    r"适用场景|应用场景|使用场景|场景|应用|临床应用|举例|例子|示例|例如|如|注意|注意事项|区别|联系|分类|类型|种类|"
    r"条件|前提|结果|影响|方法|步骤|流程|过程|机制|作用机制|实现|结构|组成|性质|表现|危害|措施|对策|防治|治疗|"
    r"时间复杂度|空间复杂度|复杂度|稳定性|稳定|缺陷|局限|不足|问题|解决|解决方案|方案|总结|备注|说明|描述|简介|"
    r"类比|比喻|操作|路径|通信路径|做法|要点|关键|核心|"
    r"排序|顺序|来源|发生率|禁忌|不良反应|副作用|适应证|适应症|剂量|用量|体内过程|抗菌谱|耐药性|首选|首选用于|"
    r"基本思想|思想|核心思想|思路|时间|地点|人物|内容|意义|性质|任务|对象|主体|标准|要求|依据|"
    r"pros?|cons?|advantages?|disadvantages?|benefits?|drawbacks?|features?|characteristics?|purpose|goal|"
    r"usage|uses?|use cases?|examples?|e\.?g\.?|ex|definition|meaning|notes?|description|summary|"
    r"mechanism|mechanism of action|moa|function|role|types?|properties|property|causes?|effects?|side effects?|"
    r"results?|how|why|what|when|where|time complexity|space complexity|complexity|stable|stability|"
    r"limitations?|problems?|solution|steps?|process|structure|components?|conditions?|remarks?|comments?|"
    r"details?|other|misc|dosing|dose|dosage|indications?|contraindications?|aes?|adverse effects?|ddi|"
    r"interactions?|pk|pd|pk/pd|clinical pearls?|treatment|diagnosis|symptoms?|signs?|risk factors?|"
    r"complications?|pathophysiology|etiology|epidemiology|prognosis|size|speed|key size|block size|"
    r"rounds?|strength|weakness|weaknesses|strengths|category|class|format|syntax|command|example usage|"
    r"context|models?|forces|consequences|known uses|intent|motivation|applicability|participants|"
    r"collaborations|implementation|overview|connectors|control|topology|invariants|specializations|"
    r"suitable for|not suitable for|when to use|trade-?offs?|costs?|benefit|issues?|"
    r"meanings?|readings?|on'?\s?yomi(?: readings?)?|kun'?\s?yomi(?: readings?)?|pronunciations?|translations?|"
    r"synonyms?|antonyms?|part of speech|related vocabulary|mnemonic|radicals?|stroke count|"
    r"读音|发音|释义|意思|词性|近义词|反义词|例句|翻译)",
    re.IGNORECASE,
)
"""Labels that name an attribute, never a thing: they need a subject."""

CONTAINER = re.compile(
    r"(?:概述|简介|介绍|基本概念|基础|基础知识|概念|笔记|总结|小结|要点|记忆要点|重点|考点|知识点|核心|核心要点|核心结论|"
    r"结论|补充|其他|附录|正文|内容|题目|练习|习题|例题|关键考点|关键区别总结|必记|速记|复习|"
    r"notes?|overview|introduction|intro|basics|background|key points?|key takeaways?|takeaways?|summary|"
    r"recap|remember|exam tips?|tl dr|tldr|cheat ?sheet|conclusions?|misc|other|examples?|exercises?|review|definitions?|glossary|terms|vocabulary)",
    re.IGNORECASE,
)
"""Headings that hold facts about something else: never a subject."""

_POINTS_BACK = re.compile(r"^(?:其|它的?|此|该|这(?:个|些|种)?|its?\b|this\b|these\b|they\b|their\b)", re.IGNORECASE)
"""A label that points back (其作用, its role) is about the subject above it."""
_OPEN_ENDED = re.compile(r"(?:为|于|是|在|有|对|给|用|被|把|将|向|从|到|与|和|及|以|因|由|的)$")
"""A Chinese label ending in a verb or preposition (首选用于, 依次为) asks as it stands."""
_HOW = re.compile(r"^(?:how|when|why|where|which|who|如何|怎么|怎样|为什么|为何|何时|哪)", re.IGNORECASE)
_IMPERATIVE = re.compile(
    r"^(?:understand|know|memori[sz]e|remember|use|avoid|check|make|keep|read|review|practi[cs]e|flag|mark|spend|"
    r"take|study|learn|focus|write|invert|calculate|compute|determine|identify|convert|enter|exit|configure|"
    r"create|add|remove|delete|set|run|install|apply|enable|disable|verify|ensure|choose|select|define|list|"
    r"explain|compare|describe|draw|find|get|open|close|start|stop|restart|save|summari[sz]e|advertise)\b",
    re.IGNORECASE,
)
"""A label that tells what to do ("Understand scenarios", "Invert the bits") is
a step or a tip of its subject, not a term to define."""


@functools.lru_cache(maxsize=8192)
def is_attribute(label: str) -> bool:
    """Whether a label only names an attribute (needs a subject to ask anything):
    ``缺点``, ``核心特点``, ``Main advantages``."""
    bare = _MODIFIER.sub("", _bare(label))
    return bool(ATTRIBUTE.fullmatch(bare))


_MODIFIER = re.compile(r"^(?:核心|主要|基本|关键|重要|其|它的|具体|常见|典型|(?:the\s+)?(?:main|key|core|basic|major|common|typical)\s+)", re.IGNORECASE)


def subject_of(section: Section, title: str = "") -> str:
    """The subject a section's facts are about: its heading (without its
    number), with the heading above when the heading only names an attribute
    (``氨基糖苷类 › 不良反应``); the note's title at the top of a note."""
    return _subject(section.path, title)


def subject_above(section: Section, title: str = "") -> str:
    """The subject of the section around this one: for a heading that is
    itself the term asked (``##### 与青霉素合用`` under ``#### 庆大霉素``) or
    one of the things a table compares."""
    return _subject(section.path[:-1], title)


@functools.lru_cache(maxsize=4096)  # asked for every fact of a section
def _subject(headings: tuple[str, ...], title: str) -> str:
    path = [h for h in (_clean(h) for h in headings) if h and not CONTAINER.fullmatch(_bare(h))]
    if not path:
        title = _clean(title)
        return "" if CONTAINER.fullmatch(_bare(title)) else title
    subject = path[-1]
    if is_attribute(subject) and len(path) > 1:
        subject = f"{path[-2]} · {subject}"
    return subject


def asks_in_chinese(label: str, chinese_note: bool) -> bool:
    """Whether to ask about ``label`` in Chinese: an English label is asked in
    English even in a Chinese note, a Chinese one in Chinese even in an English
    note, a Japanese one (it has kana) in the note's language."""
    if _KANA.search(label):
        return chinese_note
    return markup.has_cjk(label)


_KANA = re.compile(r"[\u3040-\u30ff]")


def ask(subject: str, label: str, marker: bool = False, chinese_note: bool = True) -> tuple[str, str]:
    """(lead, prompt) for a labelled fact: the subject on a lead line when the
    prompt does not already hold it, and a question in the label's language."""
    zh = asks_in_chinese(label, chinese_note)
    mark = "？" if zh else "?"
    label = label.strip().rstrip(":：?？ ")
    subject = subject.strip()
    if not subject or names(label, subject) or names(subject, label):
        subject = ""
    if (
        marker or is_attribute(label) or _HOW.match(label) or _POINTS_BACK.match(label) or _IMPERATIVE.match(label)
        or (zh and _OPEN_ENDED.search(label))
    ):
        if subject:
            joined = zh and not marker and markup.has_cjk(subject)
            return "", (f"{subject}的{label}{mark}" if joined else f"{subject} · {label}{mark}")
        return "", f"{label}{mark}"
    prompt = f"{label}是什么{mark}" if zh else f"What is {_ARTICLE.sub(lambda m: m.group(0).lower(), label)}{mark}"
    if zh and _OPEN_ENDED.search(label):  # "其发生率依次为", "首选用于": the label asks already
        prompt = f"{label}{mark}"
    return subject, prompt


_ARTICLE = re.compile(r"^(?:The|An?)(?= )")
"""``The law of demand`` asked mid-sentence: "What is the law of demand?"."""


def names(text: str, subject: str) -> bool:
    """Whether ``text`` already names ``subject`` (ignoring case, spacing, punctuation)."""
    return _bare(subject).casefold().replace(" ", "") in _bare(text).casefold().replace(" ", "")


_PART = re.compile(r"^\s*第[一二三四五六七八九十百\d]+部分\s*[:：、.．]?\s*")
"""``第一部分：`` whole, which strip_ordinal reads as ``第一部`` and leaves ``分：``."""


def _clean(heading: str) -> str:
    text = markup.plain_text(heading) if any(c in heading for c in "*_`[<$") else heading
    text = strip_ordinal(_PART.sub("", text))  # (identities keep strip_ordinal's reading)
    text = re.sub(r"^[^\w\u3400-\u9fff(（]+|[^\w\u3400-\u9fff)）]+$", "", text)
    return text.strip()


def _bare(text: str) -> str:
    text = re.sub(r"[^\w\s./\u3400-\u9fff]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .")
