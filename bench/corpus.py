"""A synthetic vault for benchmarks: N notes in the styles of the sample notes.

Each note is drawn from its own ``random.Random`` seeded by the corpus seed
and the note's number, so the same seed always writes the same bytes and the
first 100 notes of a 1,000-note corpus are the 100-note corpus. Notes mix
what real notes hold: ``## 一、…`` and setext headings, ``**Term**：…``
definitions answered by bullets, bullets with bold phrases, comparison and
attribute tables, ``### 真题示例`` questions with ``选项A：… → 错误`` options,
numbered procedures, summary sections, in Chinese or English, 3–8 KB each.

    python -m bench.corpus OUT_DIR --notes N [--seed S]
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Callable
from pathlib import Path

from bench.vocab import (
    COURSES,
    EN_CONDITIONS,
    EN_DIMENSIONS,
    EN_OBJECTS,
    EN_RESULTS,
    EN_SECTION_TOPICS,
    EN_VERBS,
    ZH_ANALOGIES,
    ZH_CONDITIONS,
    ZH_DIMENSIONS,
    ZH_OBJECTS,
    ZH_ORDINALS,
    ZH_QUALITIES,
    ZH_RESULTS,
    ZH_ROLES,
    ZH_SECTION_TOPICS,
    Course,
)

DEFAULT_SEED = 2024
MIN_BYTES, MAX_BYTES = 3000, 8000


def generate(folder: Path, n: int, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write ``n`` notes under ``folder`` (in course subfolders); returns their paths."""
    folder = Path(folder)
    paths = []
    for index in range(n):
        rel, text = note(index, seed)
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def note(index: int, seed: int = DEFAULT_SEED) -> tuple[str, str]:
    """The relative path and text of note number ``index``."""
    rng = random.Random(f"{seed}/{index}")
    course = COURSES[index % len(COURSES)]
    writer = (_Chinese if course.chinese else _English)(rng, course)
    text = writer.write()
    a, b = writer.terms[:2]
    return f"{course.folder}/{index:04d}-{_slug(a)}-{_slug(b)}.md", text


# One answer in a note: "**Term**：body" or "- **Label**: body" with a body.
_ANSWER = re.compile(r"^(?P<head>(?:- )?\*\*[^*]+\*\*\s*[:：]\s*)(?P<body>\S.*)$")


def edit_token(seed: int) -> str:
    """The text :func:`edit_one` adds, to look for in the built deck."""
    return f"REV{seed:05d}X"


def edit_one(folder: Path, seed: int) -> Path:
    """Change one answer in one note under ``folder``; returns the note's path.

    The note and the definition line are picked by ``seed``; the term stays,
    so the card keeps its identity and only its answer changes (appending
    :func:`edit_token`, which keeps the body's bold phrases and so its kind):
    the next build should report exactly one updated card.
    """
    rng = random.Random(f"edit/{seed}")
    notes = sorted(Path(folder).rglob("*.md"))
    for path in rng.sample(notes, len(notes)):
        lines = path.read_text(encoding="utf-8").split("\n")
        # Not a line with nested bullets: their keys include the parent's
        # text, so editing it would also rename them (one edit, two cards).
        answers = [i for i, line in enumerate(lines) if _ANSWER.match(line)
                   and not (i + 1 < len(lines) and lines[i + 1].startswith("  "))]
        if not answers:
            continue
        i = rng.choice(answers)
        m = _ANSWER.match(lines[i])
        assert m is not None
        body = m.group("body").rstrip("；;。.")
        chinese = bool(re.search(r"[\u4e00-\u9fff]", body))
        added = f"（已修订 {edit_token(seed)}）" if chinese else f" (revised {edit_token(seed)})"
        lines[i] = m.group("head") + body + added
        path.write_bytes("\n".join(lines).encode("utf-8"))
        return path
    raise ValueError(f"{folder}: no note has a definition line to edit")


def add_one(folder: Path, seed: int) -> Path:
    """Add one definition to one note under ``folder``, after one of its own
    (a new term with that one's answer and :func:`edit_token`): the next
    build should report exactly one new card. Returns the note's path."""
    path, lines, i = _definition(folder, f"add/{seed}")
    m = _ANSWER.match(lines[i])
    assert m is not None
    term = f"Added term {edit_token(seed)}"
    lines[i + 1 : i + 1] = ["", m.group("head").replace(m.group("head").split("**")[1], term, 1) + m.group("body")]
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return path


def remove_one(folder: Path, seed: int) -> Path:
    """Delete one definition from one note under ``folder``: the next build
    should report exactly one removed card. Returns the note's path."""
    path, lines, i = _definition(folder, f"remove/{seed}")
    del lines[i]
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return path


def _definition(folder: Path, seed: str) -> tuple[Path, list[str], int]:
    """A note picked by ``seed``, its lines, and one of its definition
    paragraphs (``**Term**：body``, not a list item: an item of a list may
    belong to a list's card)."""
    rng = random.Random(seed)
    notes = sorted(Path(folder).rglob("*.md"))
    for path in rng.sample(notes, len(notes)):
        lines = path.read_text(encoding="utf-8").split("\n")
        found = [i for i, line in enumerate(lines) if line.startswith("**") and _ANSWER.match(line)
                 and (i + 1 == len(lines) or not lines[i + 1].strip())]
        if found:
            return path, lines, rng.choice(found)
    raise ValueError(f"{folder}: no note has a definition paragraph")


def _slug(term: str) -> str:
    return re.sub(r"[^\w]+", "-", term).strip("-").lower() or "note"


class _Writer:
    """Shared machinery: pick terms, add sections until the note is big enough."""

    def __init__(self, rng: random.Random, course: Course) -> None:
        self.rng = rng
        self.course = course
        self.terms = rng.sample(course.terms, min(len(course.terms), rng.randint(5, 8)))
        self.lines: list[str] = []
        self.target = rng.randint(MIN_BYTES, MAX_BYTES)

    def size(self) -> int:
        return len("\n".join(self.lines).encode("utf-8"))

    def other(self, *besides: str) -> str:
        return self.rng.choice([t for t in self.terms if t not in besides] or self.terms)

    def fill(self, opening: list[Callable[[], None]], middle: list[Callable[[], None]],
             closing: list[Callable[[], None]]) -> str:
        for section in opening:
            section()
        self.rng.shuffle(middle)
        # Leave room for the closing sections (about 1 KB).
        for section in middle * 3:
            if self.size() >= self.target - 1000:
                break
            section()
        for section in closing:
            section()
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def bold(self, text: str, p: float = 0.5) -> str:
        return f"**{text}**" if self.rng.random() < p else text


class _Chinese(_Writer):
    def __init__(self, rng: random.Random, course: Course) -> None:
        super().__init__(rng, course)
        self.number = 0

    def write(self) -> str:
        a, b = self.terms[:2]
        if self.rng.random() < 0.5:
            self.lines += [f"# {a} vs {b}：核心区别", ""]
        else:
            self.lines += ["# 核心结论先明确：", self.statement(a, b, 2), "", ""]
        middle = [self.labelled, self.comparison, self.attributes, self.procedure, self.scenarios, self.statements]
        return self.fill([self.definitions], middle, [self.exam, self.summary])

    def heading(self, title: str) -> str:
        self.number += 1
        return f"## {ZH_ORDINALS[(self.number - 1) % 10]}、{title}"

    def phrase(self, a: str, b: str) -> str:
        r = self.rng
        return f"{r.choice(ZH_QUALITIES)}的{r.choice(ZH_OBJECTS)}"

    def statement(self, a: str, b: str, bolds: int = 1) -> str:
        r = self.rng
        cond = r.choice(ZH_CONDITIONS).format(a=a, b=b)
        role = r.choice(ZH_ROLES)
        obj = f"**{r.choice(ZH_OBJECTS)}**" if bolds else r.choice(ZH_OBJECTS)
        result = r.choice(ZH_RESULTS).format(b=b)
        if bolds > 1:
            result = f"**{result}**"
        tail = f"——{r.choice(ZH_ANALOGIES)}" if r.random() < 0.3 else ""
        return f"{cond}，{a}{role}{obj}，{result}{tail}。"

    def definitions(self) -> None:
        r = self.rng
        self.lines += [self.heading(f"**{r.choice(ZH_SECTION_TOPICS)}完全不同**"), ""]
        for term in self.terms[:2]:
            self.lines.append(f"**{term}**：")
            for _ in range(r.randint(2, 4)):
                b = self.other(term)
                self.lines.append(f"- {self.bold(r.choice(ZH_QUALITIES) + '组件', 0.6)}，{r.choice(ZH_ROLES)}"
                                  f"**{r.choice(ZH_OBJECTS)}**（如{b}）")
            self.lines.append("")
        term = self.terms[2 % len(self.terms)]
        role, obj = r.choice(ZH_ROLES), r.choice(ZH_OBJECTS)
        self.lines += [f"**{term}**：{role}{obj}，{r.choice(ZH_RESULTS).format(b=self.other(term))}。", ""]

    def labelled(self) -> None:
        r = self.rng
        a = r.choice(self.terms)
        self.lines += [self.heading(f"{a}：{r.choice(ZH_SECTION_TOPICS)}"), ""]
        for k in range(1, r.randint(2, 3) + 1):
            self.lines += [f"### {k}. {a}的{r.choice(ZH_SECTION_TOPICS)}（{r.choice(ZH_QUALITIES)}）"]
            labels = r.sample(["默认模式", "核心特点", "通信逻辑", "适用范围", "限制", "注意",
                               f"{self.course.exam}考点", "类比"], 3)
            for label in labels:
                b = self.other(a)
                self.lines.append(f"- **{label}**：{self.statement(a, b, r.randint(0, 2))[:-1]}；")
                if r.random() < 0.3:
                    obj = r.choice(ZH_OBJECTS)
                    self.lines.append(f"  - 操作：在{b}控制台→配置→{obj}，选择{r.choice(ZH_QUALITIES)}选项；")
            self.lines.append("")

    def comparison(self) -> None:
        r = self.rng
        a, b = r.sample(self.terms, 2)
        self.lines += [self.heading("**核心区别对比表**"), "",
                       f"| 对比维度 | {a} | {b} |", "|---------|----------|----------|"]
        for dim in r.sample(ZH_DIMENSIONS, r.randint(5, 8)):
            name, left = self.bold(dim, 0.7), self.phrase(a, b)
            self.lines.append(f"| {name} | {left}（{a}→{r.choice(ZH_OBJECTS)}） | {self.phrase(b, a)} |")
        self.lines.append("")

    def attributes(self) -> None:
        r = self.rng
        x = self.other()
        self.lines += [self.heading(f"关键对比：为什么{self.terms[0]}需要{x}？"), "",
                       f"| 服务类型 | 网络形态 | 通信方式 | 是否需要{x} |", "|---|---|---|---|"]
        for term in r.sample(self.terms, min(len(self.terms), r.randint(3, 5))):
            need = r.choice(["是", "否", "否"])
            quality, shape = r.choice(ZH_QUALITIES), self.phrase(term, x)
            self.lines.append(f"| {term}（{quality}） | {shape} | {r.choice(ZH_OBJECTS)}（原生连通） | {need} |")
        first = self.statement(self.terms[0], x, 2)
        self.lines += ["", "### 核心原因：", f"- {first}", f"- {self.statement(x, self.terms[0], 1)}", ""]

    def procedure(self) -> None:
        r = self.rng
        a = r.choice(self.terms)
        self.lines += [self.heading("**详细工作机制**"), "", f"### {a}工作流程："]
        for k in range(1, r.randint(3, 6) + 1):
            b = self.other(a)
            step = self.bold(r.choice(ZH_OBJECTS), 0.4)
            self.lines.append(f"{k}. 在{b}中创建{a}并{step}，{r.choice(ZH_RESULTS).format(b=b)}")
        self.lines.append("")

    def scenarios(self) -> None:
        r = self.rng
        self.lines += [self.heading("**使用场景对比**"), ""]
        for a in r.sample(self.terms, 2):
            self.lines.append(f"### 适合使用{a}的场景：")
            for _ in range(r.randint(2, 4)):
                obj = r.choice(ZH_OBJECTS)
                cond = r.choice(ZH_CONDITIONS).format(a=a, b=self.other(a))
                self.lines.append(f"- **{obj}**：{cond}，**{r.choice(ZH_RESULTS).format(b=self.other(a))}**")
            self.lines.append("")

    def statements(self) -> None:
        r = self.rng
        a = r.choice(self.terms)
        quality = r.choice(ZH_QUALITIES)
        self.lines += [self.heading(f"先理清核心前提：{a}的“{quality}本质”（{self.course.exam}考点）")]
        for _ in range(r.randint(1, 3)):
            self.lines += [self.statement(a, self.other(a), r.randint(1, 2)), ""]

    def exam(self) -> None:
        r = self.rng
        self.lines += ["", self.heading(f"{self.course.exam}真题考点映射（必记）")]
        for k in range(1, r.randint(1, 3) + 1):
            a, b = r.sample(self.terms, 2)
            self.lines += [f"### 真题示例{k}：",
                           f"“某公司使用{a}作为{b}的后端，构建{r.choice(ZH_QUALITIES)}架构，"
                           f"以下关于{r.choice(ZH_OBJECTS)}的说法正确的是？”"]
            options = r.randint(3, 4)
            right = r.randrange(options)
            for o in range(options):
                c = self.other()
                verdict = "正确" if o == right else "错误"
                role = r.choice(ZH_ROLES)
                self.lines.append(f"- 选项{'ABCD'[o]}：{c}{role}{r.choice(ZH_OBJECTS)} → {verdict}；")
            self.lines.append("")
        a, b = self.terms[:2]
        result = r.choice(ZH_RESULTS).format(b=b)
        self.lines += ["### 关键考点：", f"- 记住：{a}与{b}通信 **{result}**，核心原因是“{self.phrase(a, b)}”；",
                       f"- 陷阱选项：题目中若出现“{a}需配置{b}”，直接排除。", ""]

    def summary(self) -> None:
        r = self.rng
        a, b = self.terms[:2]
        if r.random() < 0.5:
            quality, statement = r.choice(ZH_QUALITIES), self.statement(a, b, 0)[:-1]
            self.lines += ["", "## 总结：",
                           f"{a}的核心优势就是“{quality}”——{statement}，记住“{r.choice(ZH_OBJECTS)}=无需额外通道”即可。"]
        else:
            self.lines += ["", self.heading("**记忆要点**")]
            for term in (a, b):
                target, quality, obj = self.other(term), r.choice(ZH_QUALITIES), r.choice(ZH_OBJECTS)
                self.lines.append(f"- **{term}**：\"**{term} → {target}**\"的**{quality}{obj}**，专为{self.other(term)}设计")


class _English(_Writer):
    def write(self) -> str:
        title = f"{self.terms[0]} and {self.terms[1]}"
        if self.rng.random() < 0.4:
            tags = f"tags: [{self.course.folder}, {self.course.exam.lower()}]"
            self.lines += ["---", f"title: {title}", tags, "---", ""]
        self.lines += [title, "=" * len(title), ""]
        middle = [self.mechanism, self.comparison, self.attributes, self.steps, self.statements]
        return self.fill([self.definitions], middle, [self.exam, self.summary])

    def setext(self, title: str) -> None:
        self.lines += [title, "-" * len(title), ""]

    def sentence(self, a: str, b: str, bolds: int = 1) -> str:
        r = self.rng
        obj = r.choice(EN_OBJECTS)
        result = r.choice(EN_RESULTS).format(b=b)
        obj = f"**{obj}**" if bolds else obj
        if bolds > 1:
            result = f"**{result}**"
        return f"{r.choice(EN_CONDITIONS).format(a=a, b=b)}, {a} {r.choice(EN_VERBS)} {obj}, {result}."

    def definitions(self) -> None:
        r = self.rng
        self.setext("Definitions")
        for term in self.terms[:3]:
            sep = r.choice([": ", " - ", ": "])
            body = self.sentence(term, self.other(term), r.randint(0, 1))
            self.lines += [f"**{term}**{sep}{body[0].lower()}{body[1:]}", ""]

    def mechanism(self) -> None:
        r = self.rng
        a = r.choice(self.terms)
        self.lines += [f"## {a}: {r.choice(EN_SECTION_TOPICS)}", ""]
        for label in r.sample(["Role", "Key feature", "Limitation", "Exam tip", "Example", "Note"], 3):
            self.lines.append(f"- **{label}**: {self.sentence(a, self.other(a), r.randint(0, 2))}")
            if r.random() < 0.3:
                self.lines.append(f"  - Compare with {self.other(a)}: it {r.choice(EN_VERBS)} {r.choice(EN_OBJECTS)}.")
        self.lines.append("")

    def comparison(self) -> None:
        r = self.rng
        a, b = r.sample(self.terms, 2)
        self.lines += [f"## {a} vs {b}", "", f"| Aspect | {a} | {b} |", "|---|---|---|"]
        for dim in r.sample(EN_DIMENSIONS, r.randint(4, 7)):
            verb, obj = r.choice(EN_VERBS), r.choice(EN_OBJECTS)
            self.lines.append(f"| {dim} | {verb} {obj} | {self.bold(r.choice(EN_OBJECTS), 0.3)} |")
        self.lines.append("")

    def attributes(self) -> None:
        r = self.rng
        self.lines += ["## At a glance", "", "| Term | Location | Purpose | Exam weight |", "|---|---|---|---|"]
        for term in r.sample(self.terms, min(len(self.terms), r.randint(3, 5))):
            where, verb, obj = r.choice(EN_CONDITIONS).format(a=term, b="it"), r.choice(EN_VERBS), r.choice(EN_OBJECTS)
            self.lines.append(f"| {term} | {where} | {verb} {obj} | {r.choice(['high', 'medium', 'low'])} |")
        self.lines.append("")

    def steps(self) -> None:
        r = self.rng
        a = r.choice(self.terms)
        self.setext(f"Steps of {a}")
        for k in range(1, r.randint(3, 6) + 1):
            self.lines.append(f"{k}. {self.other(a)} {r.choice(EN_VERBS)} {self.bold(r.choice(EN_OBJECTS), 0.4)}")
        self.lines.append("")

    def statements(self) -> None:
        r = self.rng
        a = r.choice(self.terms)
        self.lines += [f"## {r.choice(EN_SECTION_TOPICS)} — {a}", ""]
        for _ in range(r.randint(1, 3)):
            self.lines += [self.sentence(a, self.other(a), r.randint(1, 2)), ""]

    def exam(self) -> None:
        r = self.rng
        for k in range(1, r.randint(1, 3) + 1):
            a = r.choice(self.terms)
            self.lines += [f"### {self.course.exam} question {k}", "", f"Which statement about {a} is correct?", ""]
            options = r.randint(3, 4)
            right = r.randrange(options)
            keyed = r.random() < 0.5
            for o in range(options):
                body = f"{a} {r.choice(EN_VERBS)} {r.choice(EN_OBJECTS)}"
                mark = "" if keyed else (" → correct" if o == right else " → wrong")
                self.lines.append(f"- {'ABCD'[o]}. {body}{mark}")
            self.lines += ["", f"Answer: {'ABCD'[right]}", ""] if keyed else [""]

    def summary(self) -> None:
        r = self.rng
        self.setext(r.choice(["Key points", "Summary", "Key takeaways"]))
        for term in self.terms[:3]:
            self.lines.append(f"- **{term}** {r.choice(EN_VERBS)} \"{r.choice(EN_OBJECTS)}\".")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--notes", type=int, default=100)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    paths = generate(args.out_dir, args.notes, args.seed)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} notes ({total / 1024:.0f} KB) to {args.out_dir}")


if __name__ == "__main__":
    main()
