"""The note types every deck uses, designed once for life.

Anki matches a note type by its id and *schema* (ordered field names and
template names). Changing either would fork the note type on import and
freeze every existing card, so the ids, field lists and template names below
must never change; add meaning to the spare fields instead. Template HTML
and CSS may change freely (they update in place).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from flashcards import codestyle


@dataclass(frozen=True)
class NoteType:
    """A note type: a fixed id and schema, and its templates."""

    model_id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]
    """(name, question format, answer format) for each card template."""
    cloze: bool


# Never change these ids, field names or template names (see module docstring).
BASIC_ID = 1335881885
CLOZE_ID = 1822556535
BASIC_FIELDS = ("Front", "Back", "Context", "Source", "Extra", "Reverse", "Lang")
CLOZE_FIELDS = ("Text", "Back", "Context", "Source", "Extra", "Lang")

_HEADER = (
    '<div class="fc-head"><span class="fc-context">{{Context}}</span></div>'
)
_FOOTER = (
    '{{#Extra}}<div class="fc-extra">{{Extra}}</div>{{/Extra}}'
    '<div class="fc-source">{{Source}}</div>'
)


def _wrap(body: str) -> str:
    return f'<div class="fc" lang="{{{{Lang}}}}">{_HEADER}{body}</div>'


BASIC = NoteType(
    model_id=BASIC_ID,
    name="flashcards · Basic",
    fields=BASIC_FIELDS,
    templates=(
        (
            "Forward",
            _wrap('<div class="fc-front">{{Front}}</div>'),
            _wrap(
                # fc-again: the front repeated above the answer (see card.css).
                '<div class="fc-front fc-again">{{Front}}</div><hr id="answer">'
                '<div class="fc-back">{{Back}}</div>' + _FOOTER
            ),
        ),
        (
            "Reverse",
            # Only notes with a Reverse prompt get this card (empty front = no card).
            "{{#Reverse}}" + _wrap('<div class="fc-front">{{Reverse}}</div>') + "{{/Reverse}}",
            _wrap(
                # fc-reversed: a card asked both ways hides its Back here (see card.css).
                '<div class="fc-front">{{Reverse}}</div><hr id="answer">'
                '<div class="fc-back fc-reversed">{{Front}}{{Back}}</div>' + _FOOTER
            ),
        ),
    ),
    cloze=False,
)

CLOZE = NoteType(
    model_id=CLOZE_ID,
    name="flashcards · Cloze",
    fields=CLOZE_FIELDS,
    templates=(
        (
            "Cloze",
            _wrap('<div class="fc-front fc-cloze">{{cloze:Text}}</div>'),
            _wrap(
                '<div class="fc-front fc-cloze">{{cloze:Text}}</div>'
                '{{#Back}}<hr id="answer"><div class="fc-back">{{Back}}</div>{{/Back}}' + _FOOTER
            ),
        ),
    ),
    cloze=True,
)

NOTE_TYPES = (BASIC, CLOZE)


def css() -> str:
    """The stylesheet shared by every note type (mobile first, night mode):
    ``card.css`` and the colours of highlighted code."""
    card = resources.files("flashcards").joinpath("card.css").read_text(encoding="utf-8")
    return card + "\n" + codestyle.css()
