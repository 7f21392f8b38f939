"""Card quality on real notes nobody wrote for this tool.

    python -m bench.quality [--corpus DIR] [--out DIR] [--notes] [--misses NOTE]

Builds every note of ``../shared/corpus/notes`` (a dry run: nothing is
written next to the notes) and prints:

* gold-fact recall by kind and by language, and cards per gold fact, over the
  notes that have gold facts (``bench/gold/<short_name>.json``, see its README);
* the mechanical counts of ``shared/docs/real-notes.md``: identical fronts
  (context included) with different answers, link-only answers, questions
  answered by a question, reveal-label fronts, raw syntax left on a side,
  cards from the negative controls;
* what the quality gate left out, by reason.

and writes a fixed-seed random sample of 60 cards with their source lines
(``--out``, default ``output/quality/``) for a reviewer to judge.

A card counts for a gold fact when its question side (the Front field, or a
cloze with that card's deletions hidden — never the breadcrumb) contains
every ``front`` keyword and its answer (the Back field, or the hidden text)
every ``back`` phrase, compared without case, width, spacing, punctuation or
markup; each card counts for at most one fact (a maximum matching).
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE / "gold"
CORPUS = HERE.parent.parent / "shared" / "corpus"
SAMPLE_SIZE = 60
SEED = 20261205
KINDS = ("definition", "memory", "list", "procedure", "table", "mcq", "question")


# ----------------------------------------------------------------- card sides


@dataclass(frozen=True)
class Side:
    """One Anki card as the reviewer sees it: a question and an answer."""

    note: str
    """The corpus note's short name."""
    kind: str
    line: int
    context: str
    front: str
    """The question side's visible text (no breadcrumb)."""
    back: str
    """The answer: the Back field, or a cloze card's hidden text."""
    front_html: str
    back_html: str


_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(?:p|li|div|tr|h\d|pre|blockquote)>|<br\s*/?>", re.I)


def visible(fragment: str) -> str:
    """The text a reviewer reads in an HTML fragment (lines kept)."""
    text = _BLOCK_END.sub("\n", fragment)
    text = re.sub(r"<(?:td|th)[^>]*>", " ", text)
    text = html.unescape(_TAG.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def sides_of(card, note: str) -> list[Side]:
    """Every Anki card one built note gives (a cloze note gives one per number)."""
    from flashcards.cards import note_type

    nt = note_type(card)
    values = dict(zip(nt.fields, card.fields, strict=True))
    context = visible(values["Context"])
    if not nt.cloze:
        return [
            Side(note, card.kind.value, card.origin.line, context, visible(values["Front"]),
                 visible(values["Back"]), values["Front"], values["Back"])
        ]
    text = values["Text"]
    out = []
    for number in sorted({int(n) for n, _, _ in _CLOZE.findall(text)}):
        def shown(m: re.Match[str], n: int = number) -> str:
            if int(m.group(1)) == n:
                return "[" + (m.group(3) or "...") + "]"
            return m.group(2)

        hidden = [body for n, body, _ in _CLOZE.findall(text) if int(n) == number]
        front_html = _CLOZE.sub(shown, text)
        back_html = " … ".join(hidden)
        out.append(
            Side(note, card.kind.value, card.origin.line, context, visible(front_html),
                 visible(back_html), front_html, back_html + (("<hr>" + values["Back"]) if values["Back"] else ""))
        )
    return out


def squash(text: str) -> str:
    """Text for matching: letters, digits and marks only, case and width folded."""
    text = unicodedata.normalize("NFKC", html.unescape(_TAG.sub(" ", text))).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNM")


# ------------------------------------------------------------------ matching


def matches(fact: dict, side: Side, front: str, back: str) -> bool:
    return all(squash(k) in front for k in fact["front"]) and all(squash(v) in back for v in fact["back"])


def max_matching(facts: list[dict], sides: list[Side]) -> dict[int, int]:
    """Fact index → side index, each side used once (Kuhn's augmenting paths)."""
    squashed = [(squash(s.front), squash(s.back)) for s in sides]
    edges = [[j for j, s in enumerate(sides) if matches(f, s, *squashed[j])] for f in facts]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    for i in range(len(facts)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


# ------------------------------------------------------- mechanical checks

_REVEAL = re.compile(
    r"^(?:show|hide|answer|answers|the answer|solution|solutions|reveal|details|hint|more|expand|"
    r"click(?: here)? to (?:reveal|show|expand|see).*|(?:show|reveal|see|view) (?:the )?answers?.*|"
    r"答案|解析|答案解析|参考答案|查看答案|显示答案|点击.*|展开.*|详情)$",
    re.I,
)
_URL = re.compile(r"https?://\S+|www\.\S+")
_LINK = re.compile(r"<a\b[^>]*>.*?</a>", re.S | re.I)
_CODE = re.compile(r"<(pre|code)\b[^>]*>.*?</\1>", re.S | re.I)
_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.S)
_RAW = (
    ("==highlight==", re.compile(r"==[^=\s][^=]*==")),
    ("[[wikilink]]", re.compile(r"\[\[|\]\]")),
    (":::", re.compile(r":::")),
    ("**", re.compile(r"\*\*")),
    ("leading '- '", re.compile(r"^\s*[-+*] ", re.M)),
    ("stray $", re.compile(r"(?<![\\$])\$(?!\$)")),
    ("#tag side", re.compile(r"^\s*#[^\s#]+\s*$")),
    ("{{ }}", re.compile(r"\{\{|\}\}")),
    ("%%", re.compile(r"%%")),
    ("<!-- -->", re.compile(r"&lt;!--|<!--")),
    (">>>", re.compile(r"(?:^|\s)>{3}(?:\s|$)", re.M)),
)


def _prose(fragment: str) -> str:
    """Visible text outside code and typeset math."""
    return visible(_MATH.sub(" ", _CODE.sub(" ", fragment)))


def is_link_only(back_html: str) -> bool:
    """An answer that is nothing but links, URLs, wikilinks or citations."""
    links = _LINK.search(back_html) or _URL.search(visible(back_html)) or re.search(r"\[\[|\[@", back_html)
    if not links:
        return False
    rest = _URL.sub(" ", visible(_LINK.sub(" ", back_html)))
    rest = re.sub(r"\[\[.*?\]\]|\[@[^\]]*\]", " ", rest)
    return len(squash(rest)) < 2


def is_question_answer(side: Side) -> bool:
    if side.kind == "mcq" or not side.back:
        return False
    lines = [ln for ln in side.back.splitlines() if squash(ln)]
    return bool(lines) and all(ln.rstrip().endswith(("?", "？")) for ln in lines)


def raw_syntax(side: Side) -> list[str]:
    found = []
    for name, pattern in _RAW:
        # "[...]" is the cloze placeholder this script puts in, not the note's syntax.
        for text in (_prose(side.front_html).replace("[...]", "…"), _prose(side.back_html)):
            if name == "#tag side":
                if pattern.match(text):
                    found.append(name)
            elif pattern.search(text):
                found.append(name)
    return sorted(set(found))


# ---------------------------------------------------------------- the build


def build_corpus(notes_dir: Path):
    """Every card of the corpus as a dry run builds it (nothing is written)."""
    from flashcards.build import BuildOptions, build

    return build(BuildOptions(sources=(notes_dir,), output=Path("/nonexistent-output"), dry_run=True, cache=False))


def load_gold() -> dict[str, dict]:
    gold = {}
    for path in sorted(GOLD.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        gold[path.stem] = data
    return gold


def source_lines(notes_dir: Path, note: str, line: int, before: int = 2, after: int = 6) -> str:
    lines = (notes_dir / f"{note}.md").read_text(encoding="utf-8-sig", errors="replace").splitlines()
    lo, hi = max(1, line - before), min(len(lines), line + after)
    return "\n".join(f"{n:>5}  {lines[n - 1]}" for n in range(lo, hi + 1))


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}%" if b else "   n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=HERE.parent / "output" / "quality")
    parser.add_argument("--notes", action="store_true", help="print recall note by note")
    parser.add_argument("--misses", metavar="NOTE", help="list the gold facts of NOTE no card holds, and its cards")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    notes_dir = args.corpus / "notes"
    if not notes_dir.is_dir():
        print(f"bench.quality: no corpus at {args.corpus} (expected ../shared/corpus/notes); nothing measured.")
        return 0

    result = build_corpus(notes_dir)
    sides: list[Side] = []
    for card in result.cards:
        sides.extend(sides_of(card, Path(card.origin.path).stem))
    by_note: dict[str, list[Side]] = defaultdict(list)
    for s in sides:
        by_note[s.note].append(s)
    gold = load_gold()
    figures: dict[str, object] = {"cards": len(sides), "notes": len(result.files)}

    # Recall.
    hit: Counter[str] = Counter()
    total: Counter[str] = Counter()
    gold_cards = gold_facts = 0
    per_note = []
    for note, data in sorted(gold.items()):
        facts = data["facts"]
        found = max_matching(facts, by_note.get(note, []))
        gold_facts += len(facts)
        gold_cards += len(by_note.get(note, []))
        per_note.append((note, len(found), len(facts), len(by_note.get(note, []))))
        for i, fact in enumerate(facts):
            lang = fact.get("lang") or data["language"]
            for group in (f"kind:{fact['kind']}", f"lang:{lang}", "all"):
                total[group] += 1
                hit[group] += i in found
        if args.misses == note:
            print(f"== {note}: facts no card holds")
            for i, fact in enumerate(facts):
                if i not in found:
                    print(f"  l.{fact['line']:<4} {fact['kind']:<10} front {fact['front']}  back {fact['back']}")
            print(f"== {note}: its cards")
            for s in by_note.get(note, []):
                print(f"  l.{s.line:<4} {s.kind:<10} {s.front[:90]!r} → {s.back[:70]!r}")

    print(f"bench.quality: {len(result.files)} notes → {len(sides)} cards "
          f"({', '.join(f'{n} {k.value}' for k, n in result.kinds)})")
    print(f"\ngold facts: {gold_facts} in {len(gold)} notes")
    print("  recall by kind      " + "  ".join(
        f"{k} {hit[f'kind:{k}']}/{total[f'kind:{k}']} ={pct(hit[f'kind:{k}'], total[f'kind:{k}'])}"
        for k in KINDS if total[f"kind:{k}"]))
    print("  recall by language  " + "  ".join(
        f"{lang} {hit[f'lang:{lang}']}/{total[f'lang:{lang}']} ={pct(hit[f'lang:{lang}'], total[f'lang:{lang}'])}"
        for lang in ("zh", "en")))
    print(f"  recall, all         {hit['all']}/{total['all']} ={pct(hit['all'], total['all'])}")
    ratio = gold_cards / gold_facts if gold_facts else 0.0
    print(f"  cards per gold fact {gold_cards}/{gold_facts} = {ratio:.2f}")
    if args.notes:
        for note, found_n, n, cards in per_note:
            print(f"    {note:<58} {found_n:>3}/{n:<3} {pct(found_n, n)}  {cards} cards")
    figures["recall"] = {g: [hit[g], total[g]] for g in sorted(total)}
    figures["cards_per_fact"] = round(ratio, 3)

    # Mechanical counts over every card of the corpus.
    fronts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in sides:
        fronts[(squash(s.context), squash(s.front))].add(squash(s.back))
    clashing = [s for s in sides if len(fronts[(squash(s.context), squash(s.front))]) > 1]
    link_only = [s for s in sides if is_link_only(s.back_html)]
    question_answer = [s for s in sides if is_question_answer(s)]
    reveal = [s for s in sides if _REVEAL.match(re.sub(r"[^\w\s]", "", s.front).strip())]
    raw = [(s, raw_syntax(s)) for s in sides]
    raw = [(s, r) for s, r in raw if r]
    negative = [s for s in sides if "-negative-" in s.note]
    counts = {
        "identical fronts, different answers": (len(clashing), pct(len(clashing), len(sides))),
        "link-only answers": (len(link_only), ""),
        "question as answer": (len(question_answer), ""),
        "reveal-label fronts": (len(reveal), ""),
        "raw syntax": (len(raw), ", ".join(f"{k} {v}" for k, v in Counter(x for _, r in raw for x in r).most_common())),
        "cards from negative controls": (len(negative), ""),
    }
    print("\nmechanical counts (all cards)")
    for name, (n, extra) in counts.items():
        print(f"  {name:<38} {n:>5}  {extra}")
    figures["mechanical"] = {k: v[0] for k, v in counts.items()}

    left_out = getattr(result, "left_out", ())
    if left_out:
        reasons = Counter(item.reason for item in left_out)
        print("\nleft out by the quality gate: " + ", ".join(f"{r} {n}" for r, n in reasons.most_common()))
        figures["left_out"] = dict(reasons)

    # The reviewer's sample.
    args.out.mkdir(parents=True, exist_ok=True)
    sample = random.Random(SEED).sample(sides, min(SAMPLE_SIZE, len(sides)))
    records = []
    md = ["# 60 cards drawn at random (seed %d) from %d cards of %d corpus notes\n" % (SEED, len(sides), len(result.files))]
    for i, s in enumerate(sample, 1):
        lines = source_lines(notes_dir, s.note, s.line)
        records.append({"n": i, "note": s.note, "line": s.line, "kind": s.kind, "context": s.context,
                        "front": s.front, "back": s.back})
        md.append(f"## {i}. {s.note}.md:{s.line} ({s.kind})\n")
        md.append(f"**Context:** {s.context}\n\n**Front:**\n\n```text\n{s.front}\n```\n\n**Back:**\n\n```text\n{s.back}\n```\n")
        md.append(f"Source lines:\n\n```text\n{lines}\n```\n")
    (args.out / "sample.md").write_text("\n".join(md), encoding="utf-8")
    (args.out / "sample.json").write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nsample of {len(sample)} cards for review: {args.out / 'sample.md'}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
