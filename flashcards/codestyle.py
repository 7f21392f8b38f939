"""Colours for highlighted code on cards, day and night, as plain CSS.

Code is highlighted at build time (:mod:`flashcards.markup` emits Pygments'
short CSS classes); this module turns two Pygments styles into CSS for those
classes. Like every colour on a card, each token colour is a variable set on
``.card`` and switched by ``.nightMode`` / ``.night_mode``, and each is
nudged towards the code's text colour until it reads well (WCAG contrast
≥ :data:`MIN_CONTRAST`) on the code background of ``card.css``.
"""

from __future__ import annotations

import functools

from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Error

DAY_STYLE = "default"
NIGHT_STYLE = "github-dark"
# These must be the --fc-code-bg / --fc-code-text values of card.css (a test checks it).
DAY_CODE_BG, DAY_CODE_TEXT = "#f6f8fa", "#24292f"
NIGHT_CODE_BG, NIGHT_CODE_TEXT = "#26282c", "#e8eaed"
MIN_CONTRAST = 4.6
"""WCAG asks 4.5 for body text; a little margin for rounding in browsers."""

PLAIN_TOKENS = frozenset({Error})
"""Tokens shown as plain code text in both modes. A lexer marks what it cannot
place (a brace, a Chinese comment in an sql block) as an error; that is not
wrong code, and night styles would paint it red."""

_NIGHT_SELECTORS = ".card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card"


@functools.cache
def css() -> str:
    """The CSS for highlighted code: variables for both modes, then one rule per token class."""
    day = _colours(DAY_STYLE, DAY_CODE_BG, DAY_CODE_TEXT)
    night = _colours(NIGHT_STYLE, NIGHT_CODE_BG, NIGHT_CODE_TEXT)
    shapes = _shapes(DAY_STYLE)
    plain = {STANDARD_TYPES[t] for t in PLAIN_TOKENS}
    classes = sorted(set(day) | set(night) | set(shapes) | plain)
    lines = ["/* Highlighted code (Pygments %s by day, %s by night), generated. */" % (DAY_STYLE, NIGHT_STYLE)]
    lines.append(".card {" + "".join(f" --fc-hl-{c}: {day.get(c, 'inherit')};" for c in classes) + " }")
    lines.append(_NIGHT_SELECTORS + " {" + "".join(f" --fc-hl-{c}: {night.get(c, 'inherit')};" for c in classes) + " }")
    for name in classes:
        rule = f"color: var(--fc-hl-{name});"
        bold, italic = shapes.get(name, (False, False))
        rule += " font-weight: bold;" if bold else ""
        rule += " font-style: italic;" if italic else ""
        lines.append(f".fc code .{name} {{ {rule} }}")
    return "\n".join(lines) + "\n"


def _colours(style_name: str, background: str, text: str) -> dict[str, str]:
    """Token class → readable colour for one Pygments style."""
    out: dict[str, str] = {}
    for ttype, definition in get_style_by_name(style_name):
        name = STANDARD_TYPES.get(ttype)
        if name and definition["color"] and ttype not in PLAIN_TOKENS:
            out[name] = readable("#" + definition["color"], background, text)
    return out


def _shapes(style_name: str) -> dict[str, tuple[bool, bool]]:
    """Token class → (bold, italic): the shape cues, the same in both modes."""
    out: dict[str, tuple[bool, bool]] = {}
    for ttype, definition in get_style_by_name(style_name):
        name = STANDARD_TYPES.get(ttype)
        if name and (definition["bold"] or definition["italic"]) and ttype not in PLAIN_TOKENS:
            out[name] = (bool(definition["bold"]), bool(definition["italic"]))
    return out


def readable(colour: str, background: str, text: str) -> str:
    """``colour``, mixed step by step with ``text`` until it contrasts enough with ``background``."""
    rgb, target = _rgb(colour), _rgb(text)
    for step in range(21):
        mixed = tuple(round(c + (t - c) * step / 20) for c, t in zip(rgb, target, strict=True))
        if contrast(mixed, _rgb(background)) >= MIN_CONTRAST:
            return "#%02x%02x%02x" % mixed
    return text


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
