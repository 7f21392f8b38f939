"""``flashcards init``: write a commented ``flashcards.toml`` holding every default.

The text is generated from :class:`~flashcards.config.Config`'s defaults, so
the file written always reads back as the defaults.
"""

from __future__ import annotations

import json
from pathlib import Path

from flashcards.config import KINDS, ORDERS, SPLITS, Config, KeywordSet
from flashcards.errors import OutputError
from flashcards.state.atomic import write_atomic


def default_toml(config: Config | None = None) -> str:
    """A commented configuration file with the values of ``config`` (the defaults)."""
    c = config or Config()
    lines = [
        "# flashcards configuration — every key is optional: delete what you leave as it is.",
        "# Command-line flags (--deck) override this file.",
        "",
        "[deck]",
        "# The root deck; '::' nests it (\"Exams::AWS\").",
        f"root = {_value(c.deck.root)}",
        f"# {' | '.join(SPLITS)}: a subdeck per note file (named after its title), per folder, or none.",
        f"split = {_value(c.deck.split)}",
        "# Describe each deck with the note's title and source path.",
        f"descriptions = {_value(c.deck.descriptions)}",
        "",
        "[tags]",
        "# The first part of each hierarchical tag (kind::table, topic::<note>::<section>,",
        "# source::<file>, priority::high, exam::trap). '' leaves that tag out.",
        f"kind = {_value(c.tags.kind)}",
        f"topic = {_value(c.tags.topic)}",
        f"source = {_value(c.tags.source)}",
        f"priority = {_value(c.tags.priority)}",
        f"mark = {_value(c.tags.mark)}",
        "# Put before your own tags (front matter 'tags:' and inline #tags); '' keeps them as they are.",
        f"user = {_value(c.tags.user)}",
        "",
        "[cards]",
        f"# Kinds of card to make: {', '.join(KINDS)}.",
        f"kinds = {_value(c.cards.kinds)}",
        "# Kinds that also get a reverse card where one makes sense, e.g. [\"table\"]",
        "# (given the value, which thing has it?).",
        f"reverse = {_value(c.cards.reverse)}",
        "# Headings whose sections (and subsections) give no cards, compared without numbering,",
        "# emoji, punctuation or case. A list given here replaces the defaults ([] clears them);",
        "# extend_skip_headings adds to them.",
        f"skip_headings = {_value(c.cards.skip_headings)}",
        f"extend_skip_headings = {_value(c.cards.extend_skip_headings)}",
        "",
        "[priority]",
        f"# {' | '.join(ORDERS)}: order of new cards. \"priority\" introduces cards marked high first,",
        "# then medium, then the rest, each in document order, low last.",
        f"order = {_value(c.priority.order)}",
        "# Keyword sets in use (the [keywords.<language>] tables below; add your own).",
        f"languages = {_value(c.priority.languages)}",
        "",
        "# Words that mark importance, found in headings (for the whole section), in bold,",
        "# quoted or bracketed phrases, and in labels such as '考点：'. A list given here",
        "# replaces the default list of that language.",
    ]
    for lang, words in c.priority.keywords:
        lines += ["", f"[keywords.{lang}]", *_keyword_lines(words)]
    p = c.preset
    lines += [
        "",
        "[preset]",
        "# A deck options preset shipped in the deck. Anki uses it only if you tick",
        "# \"Import deck presets\" when importing; otherwise your own presets are kept.",
        f"ship = {_value(p.ship)}",
        "# Change the name or any value and import with presets ticked: Anki adds it as a new preset.",
        f"name = {_value(p.name)}",
        f"new_per_day = {_value(p.new_per_day)}",
        f"reviews_per_day = {_value(p.reviews_per_day)}",
        "# Steps like \"30s\", \"10m\", \"1h\", \"1d\".",
        f"learning_steps = {_value(p.learning_steps)}",
        f"relearning_steps = {_value(p.relearning_steps)}",
        "# Longest interval, in days.",
        f"maximum_interval = {_value(p.maximum_interval)}",
        "# Show one card of a note (one cloze of a list) per day.",
        f"bury_siblings = {_value(p.bury_siblings)}",
        "",
        "[images]",
        "# Images on the web (![](https://…)) are downloaded once, when the deck is built, and",
        "# packaged with it: cards never load anything from the network. false (or --offline)",
        "# downloads nothing; images downloaded before are still used.",
        f"download = {_value(c.images.download)}",
        "# Seconds to wait for a server; larger images (in MB) are not downloaded.",
        f"download_timeout = {_value(c.images.download_timeout)}",
        f"download_max_mb = {_value(c.images.download_max_mb)}",
        "",
    ]
    return "\n".join(lines)


def write_default(path: Path, force: bool = False) -> Path:
    """Write the default configuration to ``path``; never overwrites unless ``force``."""
    if path.exists() and not force:
        raise OutputError(f"{path}: already exists (use --force to replace it)")
    write_atomic(path, default_toml().encode("utf-8"))
    return path


def _keyword_lines(words: KeywordSet) -> list[str]:
    notes = {
        "high": "# Introduced first; tag priority::high.",
        "medium": "# Tag priority::medium.",
        "low": "# Introduced last; tag priority::low.",
        "trap": "# Tag exam::trap.",
        "tip": "# Tag exam::tip.",
    }
    out: list[str] = []
    for name, comment in notes.items():
        out += [comment, f"{name} = {_value(getattr(words, name))}"]
    return out


def _value(value: object) -> str:
    """A TOML value (strings as JSON strings, which TOML reads the same)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(type(value))
