"""Reconcile a build with the lock: keep guids, set modification times, report changes.

A card keeps the guid of the locked card with its identity. A card whose
identity changed (heading renamed, question reworded, file moved) is matched
to the unmatched old card it most resembles — conservatively: when two old
cards fit equally well, it is a new card and the report says so. Unchanged
cards keep their ``mod`` (Anki skips them and keeps edits made in Anki);
changed cards get a newer one. Cards that disappeared are shipped once more,
tagged, so they can be found and deleted in Anki.
"""

from __future__ import annotations

import difflib
import enum
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

from flashcards.cards import guid_for, source_field
from flashcards.model import Card, Kind, Origin
from flashcards.notetypes import BASIC, CLOZE, NOTE_TYPES
from flashcards.package import PackagedNote, model_definition
from flashcards.state import clozes, sketch
from flashcards.state.lastdeck import Shipped
from flashcards.state.lockfile import HASH_CHARS, Lock, LockedCard

REMOVED_TAG = "flashcards::removed"
SIMILAR = 0.6
"""Least text similarity for matching a card whose question changed."""
MARGIN = 0.1
"""How much better the best candidate must be than the next to be trusted."""


class Status(enum.StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    RENAMED = "renamed"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)  # many thousands of them
class Change:
    """What happened to one card in this build."""

    status: Status
    label: str
    source: str
    guid: str
    detail: str = ""
    emptied: tuple[int, ...] = ()
    """Cloze numbers whose item left a list note: their cards are empty in Anki."""


@dataclass(frozen=True)
class Plan:
    """Everything a build ships and records."""

    notes: tuple[PackagedNote, ...]
    lock: Lock | None
    """The lock to save (None for an up-to-date build, which saves nothing)."""
    changes: tuple[Change, ...]
    warnings: tuple[str, ...]
    model_mods: dict[int, int]

    def count(self, status: Status) -> int:
        return sum(1 for c in self.changes if c.status is status)

    @property
    def changed(self) -> bool:
        return any(c.status is not Status.UNCHANGED for c in self.changes)


def content_hash(card: Card, tags: Sequence[str]) -> str:
    """Hash of what Anki stores for a note: fields, tags and deck.

    The line number in the Source field is left out: a line added above a
    card moves it without changing it, and shipping it as changed would
    overwrite any edit the user made to that note in Anki.
    """
    fields = list(card.fields)
    fields[_SOURCE] = _LINE.sub("", fields[_SOURCE])
    # Separators that cannot occur in fields, tags or deck names keep parts apart.
    payload = "\x1e".join((card.kind.value, "\x1f".join(fields), " ".join(sorted(tags)), card.deck))
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()[:HASH_CHARS]


_SOURCE = BASIC.fields.index("Source")
assert _SOURCE == CLOZE.fields.index("Source"), "both note types keep Source at the same place"
_LINE = re.compile(r":\d+$")


def reconcile(
    cards: Sequence[Card],
    lock: Lock | None,
    now: int,
    keep: frozenset[str] = frozenset(),
    last_deck: Callable[[Collection[str]], dict[str, Shipped]] | None = None,
) -> Plan:
    """Match ``cards`` with the lock and decide what to ship.

    ``keep`` names note files that could not be read this time (binary,
    emptied by a crash): their cards are shipped as last time, not removed.
    ``last_deck`` reads what the last deck shipped for some guids (see
    :mod:`flashcards.state.lastdeck`): those cards and removed ones are
    shipped again with it (without it, or when it lacks them, they are not).
    """
    lock = lock or Lock(created=now)
    kept = [c for c in lock.cards if not c.removed and _parts(c.identity)[0] in keep] if keep else []
    kept_guids = {c.guid for c in kept}
    old_by_identity = {i: c for i, c in lock.by_identity().items() if c.guid not in kept_guids}
    matched: dict[str, LockedCard] = {}  # new identity -> old card
    renamed: set[str] = set()
    for card in cards:
        if card.identity in old_by_identity:
            matched[card.identity] = old_by_identity[card.identity]
    taken = {c.guid for c in matched.values()} | kept_guids
    leftover_old = [c for c in lock.cards if c.guid not in taken]
    leftover_new = [c for c in cards if c.identity not in matched]
    fuzzy, uncertain = _match_moved(leftover_new, leftover_old)
    matched.update(fuzzy)
    renamed.update(fuzzy)

    used_guids = {c.guid for c in lock.cards}
    notes: list[PackagedNote] = []
    entries: list[LockedCard] = []
    changes: list[Change] = []
    warnings: list[str] = []
    for card in cards:
        old = matched.get(card.identity)
        card, numbered = _lasting_numbers(card, old)
        tags = card.tags
        digest = content_hash(card, tags)
        source = f"{card.origin.path}:{card.origin.line}"
        if old is None:
            guid = _fresh_guid(card.identity, used_guids)
            mod, status, detail = now, Status.NEW, uncertain.get(card.identity, "")
        else:
            guid = old.guid
            same = old.hash == digest and not old.removed
            mod = old.mod if same else max(now, old.mod + 1)
            if card.identity in renamed:
                status, detail = Status.RENAMED, f"was {old.label} ({old.source})"
            elif same:
                status, detail = Status.UNCHANGED, ""
            else:
                status = Status.UPDATED
                detail = "restored" if old.removed else _emptied(numbered) or _reverse_emptied(old, card)
            if old.deck != card.deck and not old.removed:
                warnings.append(
                    f"{source}: {card.label} moved from deck '{old.deck}' to '{card.deck}'; "
                    "Anki keeps cards already imported in their old deck (move them in Anki's browser)"
                )
        used_guids.add(guid)
        shipped = card if card.guid == guid else replace(card, guid=guid)
        shipped_source = source
        if old is not None and mod == old.mod and old.source != source:
            # Unchanged but for its line: ship exactly what Anki already has
            # (the lock records the line shipped, so this holds next time too).
            shipped = replace(shipped, fields=_with_source(shipped.fields, old.source))
            shipped_source = old.source
        notes.append(PackagedNote(shipped, tags, mod))
        numbers = numbered.clozes if numbered else ()
        if old is not None and _says_the_same(old, shipped, tags, digest, mod, shipped_source, numbers):
            entries.append(old)  # (the same object: the lock copies its line as read)
        else:
            entries.append(_entry(shipped, tags, digest, mod, shipped_source, numbers))
        emptied = tuple(n for n, _ in numbered.retired) if numbered and old is not None and not old.removed else ()
        changes.append(Change(status, card.label, source, guid, detail, emptied))

    shipped_guids = {n.card.guid for n in notes}
    gone = [old for old in lock.cards if old.guid not in shipped_guids and old.guid not in kept_guids and not old.removed]
    last = last_deck([c.guid for c in (*kept, *gone)]) if last_deck is not None and (kept or gone) else {}
    by_guid = {c.guid: c for c in (*kept, *gone)}
    last = {guid: s for guid, s in last.items() if guid in by_guid and _fits(by_guid[guid], s)}
    for old in kept:
        detail = "its note file was not read"
        if old.guid in last:
            notes.append(PackagedNote(_ghost(old, last[old.guid]), last[old.guid].tags, old.mod))
        else:
            detail += "; not in the last deck either, so Anki keeps it as it is"
        entries.append(old)
        changes.append(Change(Status.UNCHANGED, old.label, old.source, old.guid, detail))

    for old in lock.cards:
        if old.guid in shipped_guids or old.guid in kept_guids:
            continue
        if old.removed:
            entries.append(old)  # a tombstone: its guid comes back if the card does
            continue
        mod = max(now, old.mod + 1)
        if old.guid in last:
            tags = tuple(dict.fromkeys((*last[old.guid].tags, REMOVED_TAG)))
            notes.append(PackagedNote(_ghost(old, last[old.guid]), tags, mod))
            detail = f"tagged {REMOVED_TAG}: delete it in Anki"
        else:
            detail = "not in the last deck, so not tagged: delete it in Anki"
        entries.append(replace(old, removed=now, mod=mod))
        changes.append(Change(Status.REMOVED, old.label, old.source, old.guid, detail))

    model_mods, note_types = _model_mods(lock, now)
    new_lock = Lock(created=lock.created, note_types=note_types, cards=tuple(entries))
    return Plan(tuple(notes), new_lock, tuple(changes), tuple(warnings), model_mods)


def _entry(card: Card, tags: tuple[str, ...], digest: str, mod: int, source: str, numbers: tuple[str, ...]) -> LockedCard:
    return LockedCard(
        guid=card.guid, identity=card.identity, hash=digest, mod=mod, line=int(source.rpartition(":")[2]),
        deck=card.deck, sketch=sketch.sketch(sketch.card_text(card.fields)), clozes=numbers,
        two_way=not card.kind.is_cloze and bool(card.fields[_REVERSE]),
    )


def _says_the_same(
    old: LockedCard, card: Card, tags: tuple[str, ...], digest: str, mod: int, source: str, numbers: tuple[str, ...]
) -> bool:
    """Whether the lock entry for ``card`` would say what ``old`` does. Fields
    and tags need no comparing: the same content hash and Source line mean
    the same ones (and the same sketch)."""
    return (
        old.hash == digest and old.mod == mod and old.source == source and old.guid == card.guid
        and old.identity == card.identity and old.deck == card.deck and not old.removed and old.clozes == numbers
    )


_TEXT = CLOZE.fields.index("Text")
_LISTS = (Kind.LIST, Kind.PROCEDURE)


def _lasting_numbers(card: Card, old: LockedCard | None) -> tuple[Card, clozes.Numbered | None]:
    """A list or procedure card with each item's cloze number from the lock
    (see :mod:`flashcards.state.clozes`); other cards as they are."""
    if card.kind not in _LISTS:
        return card, None
    recorded = old.clozes if old is not None and old.kind == card.kind.value else ()
    numbered = clozes.number(card.fields[_TEXT], recorded, _similarity, SIMILAR, MARGIN)
    if numbered.text == card.fields[_TEXT]:
        return card, numbered
    fields = (*card.fields[:_TEXT], numbered.text, *card.fields[_TEXT + 1 :])
    return replace(card, fields=fields), numbered


def _emptied(numbered: clozes.Numbered | None) -> str:
    """The report's word on list items that left their note."""
    if not numbered or not numbered.retired:
        return ""
    gone = ", ".join(f"c{n} ({key[:30]})" for n, key in numbered.retired)
    return f"removed {gone}: its card is empty in Anki (Tools › Empty Cards deletes it)"


_REVERSE = BASIC.fields.index("Reverse")


def _reverse_emptied(old: LockedCard, card: Card) -> str:
    """The report's word on a note no longer asked both ways (``:::`` back to
    ``::``): Anki keeps its reverse card, now blank."""
    if card.kind.is_cloze or not old.two_way or card.fields[_REVERSE]:
        return ""
    return "no reverse card any more: it is blank in Anki (Tools › Empty Cards deletes it)"


def _with_source(fields: tuple[str, ...], source: str) -> tuple[str, ...]:
    """Fields with another ``path:line`` in Source."""
    return (*fields[:_SOURCE], source_field(source), *fields[_SOURCE + 1 :])


def _fits(old: LockedCard, last: Shipped) -> bool:
    """Whether a note of the last deck has the fields its card's note type has now."""
    return len(last.fields) == len((CLOZE if Kind(old.kind).is_cloze else BASIC).fields)


def _ghost(old: LockedCard, last: Shipped) -> Card:
    """A card rebuilt from the lock and the last deck, to ship once more with its old content."""
    return Card(
        identity=old.identity, guid=old.guid, kind=Kind(old.kind), fields=last.fields, tags=last.tags,
        deck=old.deck, due=0, origin=Origin(old.path, old.line, "", ()), label=old.label,
    )


def _fresh_guid(identity: str, used: set[str]) -> str:
    """The identity's guid, or a variant of it if a renamed card already holds it."""
    guid, n = guid_for(identity), 1
    while guid in used:
        n += 1
        guid = guid_for(f"{identity}\x1f{n}")
    return guid


def _model_mods(lock: Lock, now: int) -> tuple[dict[int, int], tuple[tuple[int, str, int], ...]]:
    known = {mid: (h, mod) for mid, h, mod in lock.note_types}
    mods: dict[int, int] = {}
    rows = []
    for nt in NOTE_TYPES:
        digest = hashlib.sha256(model_definition(nt).encode("utf-8")).hexdigest()[:32]
        old = known.get(nt.model_id)
        mod = old[1] if old and old[0] == digest else max(now, old[1] + 1 if old else now)
        mods[nt.model_id] = mod
        rows.append((nt.model_id, digest, mod))
    return mods, tuple(rows)


# ------------------------------------------------------------- fuzzy matching


def across_files(identity: str) -> tuple[str, str, str]:
    """What matches a card to an unmatched old card of another note file
    (the first tier of :func:`_match_moved`): its headings, kind and question."""
    return _parts(identity)[1:]


def _parts(identity: str) -> Parts:
    path, headings, kind, key = (identity.split("\x1f") + ["", "", "", ""])[:4]
    return path, headings, kind, re.sub(r"#\d+$", "", key)


def _match_moved(new: list[Card], old: list[LockedCard]) -> tuple[dict[str, LockedCard], dict[str, str]]:
    """Match cards whose identity changed to old cards that lost theirs.

    Tiers, most certain first: same question under the same headings in a
    renamed file; same question under a renamed heading; same file and kind
    with a reworded question and similar text. A key shared by two cards on
    either side matches nothing. Returns the matches and, for cards left new
    because two old cards fitted about equally, why.
    """
    matches: dict[str, LockedCard] = {}
    uncertain: dict[str, str] = {}
    if not new or not old:
        return matches, uncertain
    # A renamed or moved file: the same questions under the same headings.
    _match_unique(new, old, matches, lambda p: (p[1], p[2], p[3]))
    # Once a file's cards have been found under a new path, the file was
    # renamed: its other cards are then looked for under the new path too.
    renamed_files = _renamed_files(matches)
    parts = {o.guid: _moved(_parts(o.identity), renamed_files) for o in old}
    # A renamed heading: the same question in the same file.
    _match_unique(new, old, matches, lambda p: (p[0], p[2], p[3]), parts)
    # A reworded question: same file and kind, similar text.
    taken = {m.guid for m in matches.values()}
    pool: dict[tuple[str, str], list[LockedCard]] = defaultdict(list)
    for o in old:
        if o.guid not in taken:
            p = parts[o.guid]
            pool[(p[0], p[2])].append(o)
    for card in new:
        if card.identity in matches:
            continue
        p = _parts(card.identity)
        candidates = [o for o in pool.get((p[0], p[2]), []) if o.guid not in taken]
        sketched = sketch.sketch(sketch.card_text(card.fields))
        scored = sorted(
            ((sketch.similarity(sketched, o.sketch), o) for o in candidates), key=lambda s: (-s[0], s[1].identity)
        )
        if not scored or scored[0][0] < SIMILAR:
            continue
        if len(scored) > 1 and scored[0][0] - scored[1][0] < MARGIN:
            names = " / ".join(o.label for _, o in scored[:2])
            uncertain[card.identity] = f"could be {names}; not sure, so it is a new card"
            continue
        matches[card.identity] = scored[0][1]
        taken.add(scored[0][1].guid)
    return matches, uncertain


Parts = tuple[str, str, str, str]


def _match_unique(
    new: list[Card],
    old: list[LockedCard],
    matches: dict[str, LockedCard],
    key: Callable[[Parts], tuple[str, ...]],
    parts: dict[str, Parts] | None = None,
) -> None:
    """Match cards whose ``key`` equals that of exactly one unmatched old card."""
    taken = {m.guid for m in matches.values()}
    by_key: dict[tuple[str, ...], list[LockedCard]] = defaultdict(list)
    for o in old:
        if o.guid not in taken:
            by_key[key(parts[o.guid] if parts else _parts(o.identity))].append(o)
    new_keys = Counter(key(_parts(c.identity)) for c in new if c.identity not in matches)
    for card in new:
        if card.identity in matches:
            continue
        k = key(_parts(card.identity))
        if new_keys[k] == 1 and len(by_key.get(k, ())) == 1:
            matches[card.identity] = by_key[k][0]


def _renamed_files(matches: dict[str, LockedCard]) -> dict[str, str]:
    """Old path → new path, where most matched cards of a file moved there."""
    moves: dict[str, Counter[str]] = defaultdict(Counter)
    for identity, old in matches.items():
        new_path, old_path = _parts(identity)[0], _parts(old.identity)[0]
        if new_path != old_path:
            moves[old_path][new_path] += 1
    return {old: targets.most_common(1)[0][0] for old, targets in moves.items()}


def _moved(p: Parts, renamed_files: dict[str, str]) -> Parts:
    return (renamed_files.get(p[0], p[0]), p[1], p[2], p[3])


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return 0.0
    return matcher.ratio()
