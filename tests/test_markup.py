"""Shortcuts in inline parsing give exactly what markdown-it gives."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flashcards import markup

PIECES = [*"ab Z9 \t\u3000中文。：:（）()#%+-=@^{}|\"'./\\`*_[]!<>&~$\n", "**", "~~", "$x$", "&amp;", "\\(", "](x)", "plain words"]
TEXT = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)
# Mostly plain text with a special piece or two, where a shortcut could go wrong.
PLAIN = st.lists(st.sampled_from(["a", "b", " ", "中文", "。", "#", "%", "-", ":", "(", "{", "'"]), max_size=6).map("".join)
SPECIAL = st.sampled_from(["*", "**", "_", "__", "~~", "$", "`", "\\", "[", "]", "!", "<", ">", "&", "&amp;", "\n", "  \n", ""])
MOSTLY_PLAIN = st.tuples(PLAIN, SPECIAL, PLAIN, SPECIAL, PLAIN).map("".join)


def _parsed(text: str) -> list[dict]:
    tokens = markup.markdown().parseInline(text)
    return [t.as_dict() for t in (tokens[0].children or ())] if tokens else []


@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXT, MOSTLY_PLAIN))
def test_inline_tokens_are_markdown_its_own(text: str) -> None:
    markup.start_note(())  # nothing remembered: the shortcut or a parse
    assert [t.as_dict() for t in markup.inline_tokens(text)] == _parsed(text)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_strong_spans_without_asterisks_or_underscores_are_none(text: str) -> None:
    markup.start_note(())
    tokens = markup.markdown().parseInline(text)
    bold = any(t.type == "strong_open" for t in (tokens[0].children or ())) if tokens else False
    assert bool(markup.strong_spans(text)) <= bold  # never a bold phrase markdown-it does not see
    if bold:
        assert "*" in text or "_" in text


# Pieces of HTML that make has_content's shortcut and its general case differ if anything does.
HTML = st.lists(
    st.sampled_from(["<b>", "</b>", "<br>", "<", ">", "&", "&nbsp;", "&nb", "sp;", " ", "\n", "\u200b", "\x85",
                     "x", "中", "<img src=a>", "<p class='a>b'>", "&amp;"]),
    max_size=12,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(HTML)
@example("&nb<b>sp;")  # a tag splitting a no-break space: nothing is shown
@example("&amp;")
def test_has_content_is_what_is_left_once_tags_and_blanks_are_removed(html_text: str) -> None:
    general = "<img" in html_text or bool(markup._INVISIBLE.sub("", markup._TAGS.sub("", html_text)))
    assert markup.has_content(html_text) == general
