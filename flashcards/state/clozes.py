"""Cloze numbers for life: each item of a list or procedure note keeps its number.

A list kept as one cloze note asks item *n* on the card of cloze *n*, and
Anki keeps a card's reviews by that number. The extractor numbers items by
position (its results are cached by the note's content); here, against the
lock, each item gets back the number it had: an unchanged item by its text,
an edited one by resemblance. A new item takes the next number never used,
a deleted item's number is retired for good, and reordering renumbers
nothing. The lock records, for each number ever used, the item it asks
(``""`` once retired); an entry that records nothing (an older lock) had its
numbers by position, as the Text it shipped shows.

Anki keeps the card of a retired number, reviews and all, and shows it as
"No cloze N found on card … use the Empty Cards tool": the report says so.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from flashcards.extract.base import normalise_key

_ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)
_NUMBER = re.compile(r"\{\{c(\d+)::")
_MARKUP = re.compile(r"<[^>]*>|\{\{c\d+::|\}\}")


@dataclass(frozen=True)
class Numbered:
    text: str
    """The Text field with every item's lasting number."""
    clozes: tuple[str, ...]
    """The item each number asks (number n at n - 1); ``""`` for retired numbers."""
    retired: tuple[tuple[int, str], ...] = ()
    """Numbers asked last time that no item asks now, with the item they asked."""


def items(text: str) -> list[tuple[int, str]]:
    """(cloze number, item key) for each item of a list note's Text, in order."""
    found = []
    for li in _ITEM.finditer(text):
        numbers = set(_NUMBER.findall(li.group(1)))
        if len(numbers) == 1:  # (an item whose bold phrases show nothing has no cloze)
            found.append((int(numbers.pop()), normalise_key(html.unescape(_MARKUP.sub("", li.group(1))))))
    return found


def recorded(text: str) -> tuple[str, ...]:
    """What a lock entry that records no numbers means: those its Text shows."""
    shown = dict(items(text))
    return tuple(shown.get(n, "") for n in range(1, max(shown, default=0) + 1))


def number(
    text: str, old: tuple[str, ...], similarity: Callable[[str, str], float], least: float, margin: float
) -> Numbered:
    """``text`` (numbered by position) renumbered so that each item keeps the
    number it has in ``old``: the same item first, then the live item it
    resembles most (at least ``least``, and by ``margin`` over the next),
    else the next number never used."""
    new = items(text)
    if {int(n) for n in _NUMBER.findall(text)} != {position for position, _ in new}:
        return Numbered(text, recorded(text))  # not a list of one number per item: left as it is
    given: dict[int, int] = {}  # position -> lasting number
    free = {n: key for n, key in enumerate(old, start=1) if key}
    for position, key in new:
        same = next((n for n, k in free.items() if k == key), None)
        if same is not None:
            given[position] = same
            del free[same]
    for position, key in new:
        if position in given:
            continue
        scored = sorted(((similarity(key, k), n) for n, k in free.items()), key=lambda s: (-s[0], s[1]))
        if scored and scored[0][0] >= least and (len(scored) == 1 or scored[0][0] - scored[1][0] >= margin):
            given[position] = scored[0][1]
            del free[scored[0][1]]
    clozes = [""] * len(old)
    for position, key in new:
        if position not in given:
            clozes.append("")
            given[position] = len(clozes)
        clozes[given[position] - 1] = key
    renumbered = _NUMBER.sub(lambda m: f"{{{{c{given[int(m.group(1))]}::", text)
    return Numbered(renumbered, tuple(clozes), tuple(sorted(free.items())))
