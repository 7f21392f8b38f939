"""Procedures written as commented commands in a shell block.

Notes for operations exams (CKA, RHCE, 软考 …) write a procedure as a shell
block whose comments name the steps::

    ```bash
    # 排空节点
    kubectl drain node1 --ignore-daemonsets
    # 重启kubelet
    systemctl restart kubelet
    ```

Each step — its comment, and the command lines up to the next comment or
blank line — is one item of a procedure note asked step by step: the
command is the cloze, the comment and the other steps stay visible. A
command with no comment of its own is a step by itself; a step too long to
recall is shown, not asked. Comments with no command after them (notes,
commented-out options) and reference links are not steps. A block becomes a
procedure only when at least one step has a comment and two steps or more
are asked: a bare command is code, not a procedure.
"""

from __future__ import annotations

import re

from flashcards import markup
from flashcards.extract import base, prompts
from flashcards.model import Code, Document, Extraction, Fact, Kind, Paragraph, Section

SHELLS = frozenset({"bash", "sh", "shell", "zsh", "console", "shell-session", "powershell", "ps1", "ps", "cmd", "bat"})
MIN_STEPS = 2
MAX_STEPS = 15
"""More steps than this are a script to read, not a procedure to recall."""
MAX_COMMAND = 300
"""A step's commands longer than this (in characters) are shown, not asked."""

_COMMENT = re.compile(r"^\s*(?:#|::|REM\s)(?!!)\s*(?P<text>.*?)\s*$", re.IGNORECASE)
_PROMPT = re.compile(r"^\s*(?:\$|PS [^>]*>|[\w.-]+@[\w.-]+:[^$#]*[$#])\s+")
_CONTINUES = re.compile(r"(?:\\|`|\|\||&&|\|)\s*$")
_OPTION_LINE = re.compile(r"^\s*--?\w")
_REFERENCE = re.compile(r"https?://|^(?:参考|参见|see\b|ref\b|refs?:)", re.IGNORECASE)


def extract(doc: Document, claimed: frozenset[int] = frozenset()) -> Extraction:
    """Find the commented-command procedures of one document."""
    facts: list[Fact] = []
    used: set[int] = set()
    for section in base.sections(doc):
        for index, block in enumerate(section.blocks):
            if not isinstance(block, Code) or block.line in claimed or _language(block) not in SHELLS:
                continue
            steps = steps_of(block.text)
            if not is_procedure(steps):
                continue
            before = section.blocks[index - 1] if index else None
            lead = _lead(section, before if isinstance(before, Paragraph) and before.line not in claimed else None)
            facts.append(_fact(doc, section, block, lead, steps))
            used.add(block.line)
            if isinstance(before, Paragraph) and lead and before.line not in claimed:
                used.add(before.line)
    return Extraction(tuple(facts), claimed=frozenset(used))


def _language(block: Code) -> str:
    return block.info.split()[0].lower() if block.info.strip() else ""


def steps_of(code: str) -> list[tuple[str, str]]:
    """(comment, commands) for each step of a shell block, in order; the
    comment is ``""`` for a command that has none."""
    steps: list[tuple[str, str]] = []
    label: list[str] = []
    commands: list[str] = []

    def close() -> None:
        if commands:
            steps.append((" ".join(label), "\n".join(commands)))
        label.clear()
        commands.clear()

    for raw in code.splitlines():
        line = raw.rstrip()
        comment = _COMMENT.match(line)
        if not line.strip():
            close()
        elif comment:
            if commands:
                close()
            if comment.group("text") and not _REFERENCE.search(comment.group("text")):
                label[:] = [comment.group("text")]  # the comment nearest its command names the step
        elif commands and (_CONTINUES.search(commands[-1]) or _OPTION_LINE.match(line)):
            commands.append(line.strip())
        else:
            if commands and not label:
                close()  # each uncommented command is a step by itself
            elif commands:
                commands.append(line.strip())
                continue
            commands.append(_PROMPT.sub("", line).strip())
    close()
    return steps


def is_procedure(steps: list[tuple[str, str]]) -> bool:
    asked = [label for label, commands in steps if len(commands) <= MAX_COMMAND]
    return MIN_STEPS <= len(asked) and len(steps) <= MAX_STEPS and any(asked)


def _lead(section: Section, before: Paragraph | None) -> str:
    """What the procedure does: a line ending in a colon just above the block
    (``etcd 以服务的方式运行：``) under its section's subject, else the subject."""
    subject = prompts.subject_of(section)
    if before is not None:
        text = markup.plain_text(before.text).strip()
        if text.endswith(tuple(markup.COLONS)) and len(text) <= 80 and "\n" not in text:
            said = text.rstrip(markup.COLONS).strip()
            return f"{subject} · {said}" if subject and not prompts.names(said, subject) else said
    return subject


def _fact(doc: Document, section: Section, block: Code, lead: str, steps: list[tuple[str, str]]) -> Fact:
    items = []
    number = 0
    for label, commands in steps:
        said = markup.escape(label)
        code = markup.escape(commands)
        if len(commands) <= MAX_COMMAND:
            number += 1
            code = markup.cloze(number, code)
        items.append(f"<li>{said}<pre><code>{code}</code></pre></li>")  # (long commands scroll)
    head = f"<div class=lead>{markup.escape(lead)}</div>" if lead else ""
    key = lead or (section.path[-1] if section.path else "commands")
    return Fact(
        kind=Kind.PROCEDURE,
        origin=base.origin(doc, section, block.line),
        key=f"{key} › commands",
        text=f"{head}<ol class=steps>{''.join(items)}</ol>",
    )
