"""A card's text in a few dozen bytes, enough to tell how alike two texts are.

The lock keeps no card's fields, yet a card whose question was reworded is
found again by resembling what it said before (:mod:`flashcards.state.reconcile`).
What it keeps instead is this sketch: a one-permutation MinHash of the
text's runs of three characters. Each run is hashed (a fixed multiply-shift
hash: a sketch means the same on any machine and Python); the hashes fall
into :data:`BINS` equal ranges, and each range keeps the lowest 4 bits of
its smallest hash (an empty range borrows from the next, as densified
one-permutation hashing does). Two texts agree in a range about as often as
their sets of runs overlap (their Jaccard similarity), so counting the
ranges that agree estimates it — within about ±0.07 — from 32 bytes.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from itertools import repeat
from operator import and_, mul, rshift

_MARKUP = re.compile(r"<[^>]+>|\{\{c\d+::|\}\}")


def card_text(fields: Sequence[str]) -> str:
    """What a card's sketch is made of: its first two fields (the question
    and answer, or Text and Back), markup left out."""
    return _MARKUP.sub("", " ".join(fields[:2]))


BINS = 64
_BIN_SHIFT = 64 - 6  # the top 6 bits of a hash pick its range (2**6 == BINS)
_CHANCE = 1 / 16
"""How often two unrelated ranges agree by chance (equal low 4 bits)."""
_RUN = (1 << 48) - 1  # three UTF-16 code units
_MULTIPLIER = 0x9E3779B97F4A7C15  # odd, with well-mixed bits (the golden ratio's)
_HASH = (1 << 64) - 1
assert 1 << (64 - _BIN_SHIFT) == BINS


def sketch(text: str) -> str:
    """The sketch of ``text`` (case and spacing ignored) in base64: 43 characters; "" for no text."""
    text = " ".join(text.split()).casefold()
    if not text:
        return ""
    data = text.encode("utf-16-le") + b"\0" * 6  # (the padding completes the last runs)
    view = memoryview(data)
    windows: list[int] = []
    last = len(data) - 8  # where the last window starts
    for start in range(0, min(8, last + 1), 2):  # 8-byte windows at every code unit, a quarter at a time
        end = start + ((last - start) // 8 + 1) * 8
        windows += view[start:end].cast("Q").tolist()
    hashes = set(map(and_, map(mul, map(and_, windows, repeat(_RUN)), repeat(_MULTIPLIER)), repeat(_HASH)))
    # The smallest hash in each range: later pairs overwrite earlier ones in a dict.
    ordered = sorted(hashes, reverse=True)
    smallest = dict(zip(map(rshift, ordered, repeat(_BIN_SHIFT)), ordered))
    nibbles, carry = [0] * BINS, ordered[-1]  # (an empty last range borrows the first range's)
    for b in range(BINS - 1, -1, -1):
        carry = smallest.get(b, carry)
        nibbles[b] = carry & 0xF
    packed = bytes(a << 4 | b for a, b in zip(nibbles[::2], nibbles[1::2], strict=True))
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def similarity(a: str, b: str) -> float:
    """How alike the texts behind two sketches are, from 0 to 1: the Dice
    coefficient of their runs of three characters (on the scale of difflib's ratio)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    x, y = _unpack(a), _unpack(b)
    agree = sum(((p ^ q) & 0xF == 0) + ((p ^ q) >> 4 == 0) for p, q in zip(x, y, strict=True))
    jaccard = max(0.0, (agree / BINS - _CHANCE) / (1 - _CHANCE))
    return 2 * jaccard / (1 + jaccard)


def _unpack(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
