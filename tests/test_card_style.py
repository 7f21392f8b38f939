"""The note types' CSS and templates follow the mobile checklist (docs/mobile-cards.md)."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from flashcards import codestyle, markup
from flashcards.notetypes import BASIC, CLOZE, NOTE_TYPES, css

CARD_CSS = resources.files("flashcards").joinpath("card.css").read_text(encoding="utf-8")
NIGHT = ".card.nightMode,\n.card.night_mode,\n.nightMode .card,\n.night_mode .card {"


def _block(text: str, opening: str) -> str:
    start = text.index(opening) + len(opening)
    return text[start:text.index("}", start)]


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", block))


def _strip_comments(text: str) -> str:
    return re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)


def test_note_type_schemas_are_frozen() -> None:
    # Changing any of these forks the note type in every user's collection.
    assert (BASIC.model_id, BASIC.fields, [t[0] for t in BASIC.templates]) == (
        1335881885, ("Front", "Back", "Context", "Source", "Extra", "Reverse", "Lang"), ["Forward", "Reverse"])
    assert (CLOZE.model_id, CLOZE.fields, [t[0] for t in CLOZE.templates]) == (
        1822556535, ("Text", "Back", "Context", "Source", "Extra", "Lang"), ["Cloze"])


def test_every_day_colour_variable_switches_at_night() -> None:
    day = _variables(_block(CARD_CSS, ".card {"))
    night = _variables(_block(CARD_CSS, NIGHT))
    assert set(day) == set(night) and len(day) >= 10
    assert (day["--fc-code-bg"], day["--fc-code-text"]) == (codestyle.DAY_CODE_BG, codestyle.DAY_CODE_TEXT)
    assert (night["--fc-code-bg"], night["--fc-code-text"]) == (codestyle.NIGHT_CODE_BG, codestyle.NIGHT_CODE_TEXT)


def test_colours_are_set_only_through_variables() -> None:
    sheet = _strip_comments(css())
    declarations = re.findall(r"(?<![\w-])((?:background-)?color|background|border(?:-\w+)*|outline):\s*([^;}]+)", sheet)
    literal = [f"{p}: {v}" for p, v in declarations if re.search(r"#[0-9a-fA-F]{3,8}\b|rgb|hsl|\b(?:white|black)\b", v)]
    assert not literal


@pytest.mark.parametrize("forbidden", ["nowrap", "url(", "@import", "@font-face", "http", "position: fixed"])
def test_the_stylesheet_loads_nothing_and_never_blocks_scrolling(forbidden: str) -> None:
    assert forbidden not in _strip_comments(css())


def test_templates_need_no_script_and_style_only_the_card() -> None:
    for nt in NOTE_TYPES:
        for _name, front, back in nt.templates:
            for side in (front, back):
                assert not re.search(r"<(script|html|body|meta|link|style)\b|on\w+=", side, re.IGNORECASE)
                assert '<div class="fc" lang="{{Lang}}">' in side and "{{Context}}" in side
            assert "{{Source}}" in back
    assert not re.search(r"(^|[\s,}])(html|body)\s*[{,.]", _strip_comments(CARD_CSS))
    assert not re.search(r"overflow(-[xy])?:", _block(CARD_CSS, ".card {"))  # the page itself stays scrollable


def test_highlight_colours_read_well_on_the_code_background_by_day_and_night() -> None:
    sheet = codestyle.css()
    day = _variables(_block(sheet, ".card {"))
    night = _variables(_block(sheet, ".card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {"))
    for colours, background in ((day, codestyle.DAY_CODE_BG), (night, codestyle.NIGHT_CODE_BG)):
        for name, value in colours.items():
            if value != "inherit":
                ratio = codestyle.contrast(codestyle._rgb(value), codestyle._rgb(background))
                assert ratio >= 4.5, (name, value, background, round(ratio, 2))


@pytest.mark.parametrize("lang", ["python", "bash", "json", "sql", "yaml", "javascript", "go", "rust", "java", "html"])
def test_every_class_the_highlighter_emits_has_a_colour_rule(lang: str) -> None:
    sample = {
        "python": "@dataclass\nclass A(B):\n    '''doc'''\n    x: int = 0x1F  # note\n    def f(self): return f'{self.x!r}' + r'\\d'\n",
        "bash": "for f in *.md; do echo \"$f\" | grep -c '^#' >> out.txt; done  # count\n",
        "json": '{"a": [1, 2.5, true, null], "b": "text"}\n',
        "sql": "SELECT id, COUNT(*) FROM t WHERE name LIKE 'a%' GROUP BY id; -- total\n",
        "yaml": "key: value\nlist:\n  - 1\n  - 'two'  # comment\n",
        "javascript": "const f = async (x) => { return `t${x}` ?? /re/g; }; // c\n",
        "go": "package main\nimport \"fmt\"\nfunc main() { fmt.Println(1 << 3) }\n",
        "rust": "fn main() { let v: Vec<u8> = vec![1]; println!(\"{:?}\", v); }\n",
        "java": "public class A { @Override public String toString() { return \"a\" + 'c'; } }\n",
        "html": "<!DOCTYPE html><a href=\"x\" class=y>&amp; text</a><!-- c -->\n",
    }[lang]
    html = markup.block_html(markup.markdown().parse(f"```{lang}\n{sample}```\n"))
    classes = set(re.findall(r'<span class="([\w-]+)"', html))
    assert classes, html
    rules = set(re.findall(r"\.fc code \.([\w-]+) \{", codestyle.css()))
    assert classes <= rules, classes - rules
