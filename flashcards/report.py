"""The build summary and change report, as text for people and JSON for scripts."""

from __future__ import annotations

import json
from collections import Counter

from flashcards.build import BuildResult
from flashcards.state.reconcile import REMOVED_TAG, Status

SHOWN = 20
"""How many changed cards of each status the text report names."""


def summary_text(result: BuildResult, dry_run: bool = False, verbose: bool = False) -> str:
    """A short human summary: files, cards by kind, changes, warnings, where the deck went."""
    plan = result.plan
    lines = [f"Read {len(result.files)} note file(s) from {result.notes_root}"]
    for name, encoding in result.encodings:
        lines.append(f"  {name}: read as {encoding}")
    by_kind = ", ".join(f"{n} {kind.value}" for kind, n in result.cards_by_kind().items())
    lines.append(f"Cards: {sum(result.cards_by_kind().values())}" + (f" ({by_kind})" if by_kind else ""))
    counts = ", ".join(f"{plan.count(s)} {s.value}" for s in Status)
    lines.append(f"Changes: {counts}")
    for status in (Status.NEW, Status.UPDATED, Status.RENAMED, Status.REMOVED):
        changed = [c for c in plan.changes if c.status is status]
        if not changed or (status is Status.NEW and len(changed) == len(plan.changes) and not verbose):
            continue
        shown = changed if verbose else changed[:SHOWN]
        for change in shown:
            detail = f" — {change.detail}" if change.detail else ""
            lines.append(f"  {status.value:9} {change.label} ({change.source}){detail}")
        if len(shown) < len(changed):
            lines.append(f"  … and {len(changed) - len(shown)} more {status.value}")
    if plan.count(Status.REMOVED):
        lines.append(
            f"Removed cards are shipped once more tagged {REMOVED_TAG}: "
            f"search 'tag:{REMOVED_TAG}' in Anki's browser to delete them."
        )
    if result.left_out:
        reasons = Counter(x.reason for x in result.left_out)
        lines.append(
            f"Left out: {len(result.left_out)} ("
            + ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items(), key=lambda r: (-r[1], r[0])))
            + ")" + ("" if verbose else "; --verbose names each")
        )
        if verbose:
            lines.extend(f"  left out {x}" for x in result.left_out)
    emptied = sum(len(c.emptied) for c in plan.changes)
    if emptied:
        lines.append(
            f"{emptied} list item(s) left their notes: Anki keeps their cards, empty "
            "(\"No cloze found on card\"): delete them with Tools › Empty Cards in Anki."
        )
    for warning in (*result.warnings, *plan.warnings):
        lines.append(f"warning: {warning}")
    if dry_run:
        lines.append("Dry run: nothing was written.")
    elif result.written:
        lines.append(f"Deck written to {result.deck_path}")
    else:
        lines.append(f"Nothing changed; {result.deck_path} is up to date.")
    return "\n".join(lines)


def summary_json(result: BuildResult, dry_run: bool = False) -> str:
    """The same facts as JSON, for scripts."""
    plan = result.plan
    data = {
        "notes_root": str(result.notes_root),
        "files": list(result.files),
        "deck": str(result.deck_path),
        "written": result.written,
        "dry_run": dry_run,
        "cards": {kind.value: n for kind, n in result.cards_by_kind().items()},
        "counts": {s.value: plan.count(s) for s in Status},
        "changes": [
            {"status": c.status.value, "card": c.label, "source": c.source, "guid": c.guid, "detail": c.detail}
            | ({"emptied_clozes": list(c.emptied)} if c.emptied else {})
            for c in plan.changes
            if c.status is not Status.UNCHANGED
        ],
        "warnings": [str(w) for w in result.warnings] + list(plan.warnings),
        "encodings": dict(result.encodings),
        "left_out": [{"source": f"{x.path}:{x.line}", "reason": x.reason, "card": x.what} for x in result.left_out],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
