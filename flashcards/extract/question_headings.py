"""Question headings: a heading that asks is answered by its section.

``## 为什么EC2需要VPC Link，而Serverless不需要？``, ``### How does VGW
route traffic?``, ``## 什么时候用VPC Link``: the front is the question (a
label before it such as ``关键对比：`` and the section number stay in the
breadcrumb), the back is the section's content. When a subsection says it
is the answer (``核心原因``, ``答案``, ``Answer``, ``Reasons`` …) the back is
that subsection alone; the rest of the section (often a comparison table
for the table extractor) is left to the others.
"""

from __future__ import annotations

import re

from flashcards import markup
from flashcards.extract import base, commands, memory
from flashcards.extract.qa_units import (
    A_LABEL,
    KEY_LABEL,
    Container,
    State,
    container,
    Unit,
    ends_with_question_mark,
    prompt_html,
    render,
    units,
)
from flashcards.extract.gate import REVEAL_LABEL
from flashcards.model import Code, Kind, Section

_ZH_OPENING = re.compile(r"^(?:为什么|为何|如何|怎么|怎样|什么|是否|哪|能否|可否|何时|何为)")
_EN_OPENING = re.compile(r"^(?:why|how|what|when|where|which|who)\b", re.IGNORECASE)
_ZH_CLOSING = re.compile(r"(?:是什么|为什么|吗|呢)$")
ANSWER_SECTION = re.compile(
    r"^(?:核心|主要|根本|关键)?(?:原因|答案|解答|回答|理由|结论)|^(?:the\s+)?(?:short\s+)?(?:answers?|reasons?|because|explanation)\b",
    re.IGNORECASE,
)


def question_of(heading: str) -> str:
    """The question a heading asks ('' when it does not ask)."""
    text = base.strip_ordinal(heading).strip()
    tail = re.split(r"[:：]\s*", text)[-1].strip()
    for candidate in (tail, text):
        if not candidate:
            continue
        if ends_with_question_mark(candidate) or _EN_OPENING.match(candidate):
            return candidate
        if _ZH_OPENING.match(candidate) or _ZH_CLOSING.search(candidate):
            return candidate
    return ""


def find(state: State) -> None:
    """Make a card for every heading that asks and has an answer under it."""
    tasks = _fenced_task_sections(state)
    for section in base.sections(state.doc):
        if not section.path:
            continue
        if id(section) in tasks:
            _fenced_tasks(state, section)
            continue
        question = question_of(section.path[-1])
        if not question and _opens_with_answer(state, section):
            # "### 3. **Fragments need an Activity.**" then "**Answer**: **False**"
            question = markup.plain_text(base.strip_ordinal(section.path[-1])).strip()
            if _judged(state, section):  # a statement answered True/False is asked as one
                question = f"判断：{question}" if markup.has_cjk(question) else f"True or false: {question}"
        solved = _solved_task(state, section)
        if solved is not None:
            # "### 扩容" + the task + "答题:" + the commands: the task asks, the solution answers.
            task, solution = solved
            title = markup.plain_text(base.strip_ordinal(section.path[-1])).strip()
            front = prompt_html(title) + (f"<div class=task>{render(task)}</div>" if task else "")
            if state.add(Kind.QUESTION, section, section.line, title, front, render(solution)):
                state.take([*task, *solution, *_solved_extra(state, section, task, solution)])
            continue
        revealed = _revealed(state, section)
        if revealed is not None:
            # "### Command to list taints" then <details><summary>show</summary>…:
            # the heading is the question, the hidden block its answer.
            question = question or base.strip_ordinal(section.path[-1]).strip()
            if not _asks_enough(question):  # "## Rivers" over a "show" block asks nothing
                state.leave(revealed.parts[0].line, REVEAL_LABEL, markup.plain_text(revealed.title) or question)
                state.take(list(revealed.parts))
                continue
            used = list(revealed.parts)
            if state.add(Kind.QUESTION, section, section.line, question, prompt_html(question), revealed.body_html()):
                state.take(used)
            continue
        if not question:
            continue
        answer = _answer_section(section)
        used: list[Unit] = []
        back = _content(state, answer if answer is not None else section, used)
        if not back:
            if not section.blocks and not section.children:
                state.warn(section.line, f"question heading has nothing under it, no card made: {question}")
            continue  # its content was already made into other cards
        if not ends_with_question_mark(question) and not _compact(used, back):
            continue  # "How it works" over a long section: leave it to the memory points
        if state.add(Kind.QUESTION, section, section.line, question, prompt_html(_as_written(section, question)), back):
            state.take(used)


MAX_BLOCKS = 3
MAX_CHARS = 500
"""A heading that asks only by its first word ("How it works") is asked when
its answer is this short; a question mark always asks."""


def _compact(used: list[Unit], back: str) -> bool:
    blocks = {(u.kind, u.group if u.kind == "line" else id(u.block) if u.kind == "item" else u.line) for u in used}
    return len(blocks) <= MAX_BLOCKS and len(re.sub(r"<[^>]+>", "", back)) <= MAX_CHARS


def _as_written(section: Section, question: str) -> str:
    """The question as its heading writes it (math and all), when the
    heading asks it whole; else the plain question."""
    if not section.written_path:
        return question
    written = base.strip_ordinal(section.written_path[-1]).strip()
    return written if markup.plain_text(written).strip() == question else question


def _asks_enough(question: str) -> bool:
    """A heading over a hidden answer asks when it is a question or says
    what to do or recall (a few words), not when it only names a topic."""
    if question_of(question):
        return True
    return len(question.split()) >= 3 or len(re.findall(r"[\u3400-\u9fff]", question)) >= 5


def _opens_with_answer(state: State, section: Section) -> bool:
    """Whether a section's first line is labelled as the answer (``**Answer**: …``, ``答：…``)."""
    parts = [u for u in units(section.blocks, state.skip())]
    if not parts or not state.free(parts[0]) or not parts[0].textual:
        return False
    label = KEY_LABEL.match(parts[0].text) or A_LABEL.match(parts[0].text)
    return bool(label and label.group("rest").strip())


_SOLUTION_LEAD = re.compile(
    r"^\s*(?:\*\*|__)?(?:答题|答案|解答|参考答案|解法|做法|solution|answer|answers)(?:\*\*|__)?\s*[:：]?\s*(?:\*\*|__)?\s*$",
    re.IGNORECASE,
)
_SETUP_LEAD = re.compile(r"^\s*(?:\*\*|__)?(?:环境准备|准备|前提|setup|preparation|given)(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*$", re.IGNORECASE)


def _solved_task(state: State, section: Section) -> tuple[list[Unit], list[Unit]] | None:
    """(task, solution) of a section that states a task and then, after an
    ``答题:`` / ``Solution:`` line, solves it; a ``环境准备:`` part is left out."""
    parts = [u for u in units(section.blocks, state.skip()) if state.free(u)]
    at = next((i for i, u in enumerate(parts) if u.textual and _SOLUTION_LEAD.match(u.text)), None)
    if at is None or at + 1 >= len(parts):
        return None
    task: list[Unit] = []
    skipping = False
    for unit in parts[:at]:
        if unit.textual and _SETUP_LEAD.match(unit.text):
            skipping = True
            continue
        if skipping and not unit.textual:
            continue
        skipping = False
        task.append(unit)
    solution = parts[at + 1 :]
    return task, solution


MIN_TASK_SECTIONS = 3
"""A note answers tasks with code blocks when this many sections do so."""
MAX_TASK_LINES = 40
"""A longer block is reading matter, not the answer to a task."""


def _fenced_task_sections(state: State) -> set[int]:
    """The sections (by id) of a note made of tasks answered by code blocks —
    ``### 创建 PV`` + the task + a YAML block, ``### 统计 cpu 最高的 pod`` + a
    command — when the note has enough of them to show it is that kind of note
    (a tutorial's single "Install" section is not)."""
    found = {id(s) for s in base.sections(state.doc) if s.path and not question_of(s.path[-1]) and _task_shaped(state, s)}
    return found if len(found) >= MIN_TASK_SECTIONS else set()


def _task_shaped(state: State, section: Section) -> bool:
    parts = [u for u in units(section.blocks, state.skip()) if state.free(u)]
    fences = [u for u in parts if u.kind == "code"]
    return (
        bool(fences)
        and all(u.kind in ("line", "code") for u in parts)
        and not any(u.kind == "line" and (_SOLUTION_LEAD.match(u.text) or _SETUP_LEAD.match(u.text)) for u in parts)
        and all(_answers(u) for u in fences)
        and (parts[0].kind == "line" or _asks_enough(base.strip_ordinal(section.path[-1])))
    )


def _answers(unit: Unit) -> bool:
    """A code block that can answer a task: code, short, not a commented procedure."""
    block = unit.block
    if not isinstance(block, Code) or memory.is_prose(block) or block.text.count("\n") >= MAX_TASK_LINES:
        return False
    return not commands.is_procedure(commands.steps_of(block.text))


def _fenced_tasks(state: State, section: Section) -> None:
    """One card for each code block: what comes before it since the last
    block (else the heading) asks, the block answers."""
    title = markup.plain_text(base.strip_ordinal(section.path[-1])).strip()
    task: list[Unit] = []
    for unit in [u for u in units(section.blocks, state.skip()) if state.free(u)]:
        if unit.kind != "code":
            task.append(unit)
            continue
        front = prompt_html(title) + (f"<div class=task>{render(task)}</div>" if task else "")
        key = " ".join([title, *(u.text for u in task)])
        if state.add(Kind.QUESTION, section, task[0].line if task else unit.line, key, front, render([unit])):
            state.take([*task, unit])
        task = []


def _solved_extra(state: State, section: Section, task: list[Unit], solution: list[Unit]) -> list[Unit]:
    """The section's other free units (labels, the setup) claimed with the card."""
    used = {id(u) for u in (*task, *solution)}
    return [u for u in units(section.blocks, state.skip()) if state.free(u) and id(u) not in used]


def _judged(state: State, section: Section) -> bool:
    parts = [u for u in units(section.blocks, state.skip())]
    label = KEY_LABEL.match(parts[0].text) or A_LABEL.match(parts[0].text)
    verdict = markup.plain_text(label.group("rest")).strip(" .。") if label else ""
    return verdict.casefold() in ("true", "false", "正确", "错误", "对", "错", "t", "f", "√", "×")


def _revealed(state: State, section: Section) -> Container | None:
    """The answer block a section opens with (``<details>`` or a callout
    titled "show", "Answer", "Click to reveal" …), when it holds something."""
    parts = [u for u in units(section.blocks, state.skip())]
    if not parts or not state.free(parts[0]) or parts[0].textual:
        return None
    box = container(parts, 0)
    if box is None or not box.answers or not markup.has_content(box.body_html()):
        return None
    return box


def _answer_section(section: Section) -> Section | None:
    for child in section.children:
        title = base.strip_ordinal(child.path[-1]).rstrip("：: ")
        if ANSWER_SECTION.match(title) and not question_of(child.path[-1]):
            return child
    return None


def _content(state: State, section: Section, used: list[Unit]) -> str:
    """The section's own free blocks, then its subsections that do not ask themselves."""
    parts = [u for u in units(section.blocks, state.skip()) if state.free(u)]
    html = render(parts)
    used.extend(parts)
    for child in section.children:
        if question_of(child.path[-1]):
            continue  # asked on its own card
        inner = _content(state, child, used)
        if inner:
            html += f"<p><strong>{markup.escape(base.strip_ordinal(child.path[-1]).rstrip('：: '))}</strong></p>{inner}"
    return html
