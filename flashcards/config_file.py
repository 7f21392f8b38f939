"""Reading the configuration: defaults → ``flashcards.toml`` / ``[tool.flashcards]`` → flags.

A file only needs the keys it changes. Reading it checks every key and value
and reports all the problems at once (:class:`~flashcards.errors.ConfigError`),
each named by its key, so one run shows everything to fix.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from flashcards.config import (
    KEYWORDS,
    KINDS,
    ORDERS,
    SPLITS,
    STEP,
    Config,
    KeywordSet,
    PresetSettings,
    TagSettings,
)
from flashcards.errors import ConfigError

CONFIG_NAME = "flashcards.toml"
PYPROJECT = "pyproject.toml"
_TAG_PREFIX = re.compile(r"^[^\s:\"]*(?:::[^\s:\"]+)*$")


# ------------------------------------------------------------------ finding


def find_config(notes_folders: list[Path], cwd: Path) -> Path | None:
    """The configuration file to use: next to the notes, then in ``cwd``.

    In each folder ``flashcards.toml`` comes first, then a ``pyproject.toml``
    with a ``[tool.flashcards]`` table. Returns None when there is none.
    """
    seen: list[Path] = []
    for folder in [*notes_folders, cwd]:
        folder = folder.resolve()
        if folder in seen:
            continue
        seen.append(folder)
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def config_for(sources: tuple[Path, ...], explicit: Path | None, cwd: Path) -> Config:
    """The configuration given explicitly, else the one found for ``sources``, else the defaults."""
    if explicit is not None:
        return load_config(explicit)
    folders = [s if s.is_dir() else s.parent for s in sources if s.exists()]
    found = find_config(folders, cwd)
    return load_config(found) if found is not None else Config()


def _has_tool_table(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False  # not ours to judge: only a [tool.flashcards] table makes it our config
    return isinstance(data.get("tool"), dict) and "flashcards" in data["tool"]


# ------------------------------------------------------------------ reading


def load_config(path: Path) -> Config:
    """Read a configuration file; raises ConfigError listing every problem."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(label, [f"cannot read the file ({exc.strerror or exc})"]) from None
    except UnicodeDecodeError:
        raise ConfigError(label, ["the file is not UTF-8 text"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(label, [f"not valid TOML: {exc}"]) from None
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        data = tool.get("flashcards", {}) if isinstance(tool, dict) else {}
        label = f"{path} [tool.flashcards]"
        if not isinstance(data, dict):
            raise ConfigError(label, ["[tool.flashcards] must be a table"])
    return parse_config(data, label)


def parse_config(data: Mapping[str, Any], label: str = CONFIG_NAME) -> Config:
    """A Config from parsed TOML; raises ConfigError listing every problem."""
    problems: list[str] = []
    r = _Reader(problems)
    base = Config()
    table = r.table(data, "")
    r.unknown(table, {"deck", "tags", "cards", "priority", "keywords", "preset", "images"}, "")

    def section(name: str, default: Any, skip: frozenset[str] = frozenset()) -> Any:
        return _read_fields(r, r.table(table.get(name, {}), name), name, default, skip)

    deck = section("deck", base.deck)
    if deck.split not in SPLITS:
        r.bad("deck.split", f"must be one of {_choices(SPLITS)}, not {deck.split!r}")
    if not _valid_deck_name(deck.root) and not (deck.root == "" and deck.split == "file"):
        r.bad("deck.root", f"{deck.root!r} is not a deck name (no empty parts around '::'; '' only with split = \"file\")")

    tag_settings = section("tags", base.tags)
    for f in fields(TagSettings):
        value = getattr(tag_settings, f.name)
        if not _TAG_PREFIX.match(value):
            r.bad(f"tags.{f.name}", f"{value!r} is not a tag (no spaces, quotes or single ':')")

    cards = section("cards", base.cards)
    for name in ("kinds", "reverse"):
        for value in getattr(cards, name):
            if value not in KINDS:
                r.bad(f"cards.{name}", f"unknown kind {value!r} (kinds: {_choices(KINDS)})")
    for name in ("skip_headings", "extend_skip_headings"):
        for value in getattr(cards, name):
            if not re.search(r"\w", value):
                r.bad(f"cards.{name}", f"{value!r} is not a heading (it needs a letter or digit)")

    keywords = _read_keywords(r, table.get("keywords", {}), "keywords")
    priority = replace(section("priority", base.priority, skip=frozenset({"keywords"})), keywords=keywords)
    if priority.order not in ORDERS:
        r.bad("priority.order", f"must be one of {_choices(ORDERS)}, not {priority.order!r}")
    for lang in priority.languages:
        if lang not in dict(keywords):
            r.bad("priority.languages", f"no keyword set [keywords.{lang}]")

    preset = section("preset", base.preset)
    _check_preset(r, preset, "preset")

    images = section("images", base.images)
    for name, low, high in (("download_timeout", 1, 300), ("download_max_mb", 1, 100)):
        if not low <= getattr(images, name) <= high:
            r.bad(f"images.{name}", f"must be between {low} and {high}, not {getattr(images, name)}")

    if problems:
        raise ConfigError(label, problems)
    return Config(deck=deck, tags=tag_settings, cards=cards, priority=priority, preset=preset, images=images)


def _read_keywords(r: _Reader, raw: object, key: str) -> tuple[tuple[str, KeywordSet], ...]:
    """Keyword sets: defaults, with each language's given lists replacing the default ones."""
    table = r.table(raw, key)
    sets = dict(KEYWORDS)
    for lang, value in table.items():
        base = sets.get(lang, KeywordSet())
        sub = r.table(value, f"{key}.{lang}")
        sets[lang] = _read_fields(r, sub, f"{key}.{lang}", base)
        for f in fields(KeywordSet):
            if any(not w.strip() for w in getattr(sets[lang], f.name)):
                r.bad(f"{key}.{lang}.{f.name}", "words must not be empty")
    return tuple(sets.items())


def _check_preset(r: _Reader, preset: PresetSettings, key: str) -> None:
    if not preset.name.strip():
        r.bad(f"{key}.name", "must not be empty")
    for name, low, high in (("new_per_day", 0, 9999), ("reviews_per_day", 0, 99999), ("maximum_interval", 1, 36500)):
        value = getattr(preset, name)
        if not low <= value <= high:
            r.bad(f"{key}.{name}", f"must be between {low} and {high}, not {value}")
    for name in ("learning_steps", "relearning_steps"):
        for step in getattr(preset, name):
            if not STEP.match(step) or float(STEP.match(step).group(1)) <= 0:
                r.bad(f"{key}.{name}", f"{step!r} is not a step like \"10m\", \"1h\" or \"1d\"")


def _valid_deck_name(name: str) -> bool:
    parts = name.split("::")
    return bool(name.strip()) and all(p.strip() for p in parts)


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def _key(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


class _Reader:
    """Reads values of the expected types, noting a problem for each that is not."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def bad(self, key: str, message: str) -> None:
        self.problems.append(f"{key}: {message}")

    def table(self, value: object, key: str) -> Mapping[str, Any]:
        if isinstance(value, dict):
            return value
        self.bad(key or "(top level)", f"must be a table, not {_type_name(value)}")
        return {}

    def unknown(self, table: Mapping[str, Any], known: set[str], key: str) -> None:
        for name in table:
            if name not in known:
                hint = _closest(name, known)
                self.bad(_key(key, name), "unknown key" + (f" (did you mean {hint!r}?)" if hint else ""))


def _read_fields(r: _Reader, table: Mapping[str, Any], key: str, default: Any, skip: frozenset[str] = frozenset()) -> Any:
    """A copy of the dataclass ``default`` with the table's values, each type-checked."""
    known = {f.name for f in fields(default) if f.name not in skip}
    r.unknown(table, known, key)
    changes: dict[str, Any] = {}
    for f in fields(default):
        if f.name in skip or f.name not in table:
            continue
        current = getattr(default, f.name)
        value = _convert(table[f.name], current)
        if value is None:
            r.bad(f"{key}.{f.name}", f"must be {_describe(current)}, not {_type_name(table[f.name])}")
        else:
            changes[f.name] = value
    return replace(default, **changes)


def _convert(value: object, like: object) -> object | None:
    """``value`` as the type of ``like`` (bool, int, str, tuple of str), or None."""
    checks: list[tuple[type, Callable[[object], object | None]]] = [
        (bool, lambda v: v if isinstance(v, bool) else None),
        (int, lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None),
        (str, lambda v: v if isinstance(v, str) else None),
        (tuple, lambda v: tuple(v) if isinstance(v, list) and all(isinstance(i, str) for i in v) else None),
    ]
    for kind, check in checks:
        if isinstance(like, kind):
            return check(value)
    return None


def _describe(like: object) -> str:
    if isinstance(like, bool):
        return "true or false"
    if isinstance(like, int):
        return "a whole number"
    if isinstance(like, str):
        return "a string"
    return "a list of strings"


def _type_name(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def _closest(name: str, known: set[str]) -> str:
    import difflib

    match = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return match[0] if match else ""


# ---------------------------------------------------------------- overrides


def with_flags(config: Config, deck: str | None = None, offline: bool = False) -> Config:
    """The configuration with command-line flags applied (None = not given)."""
    if offline:
        config = replace(config, images=replace(config.images, download=False))
    if deck is not None:
        config = replace(config, deck=replace(config.deck, root=deck))
        if not _valid_deck_name(deck) and not (deck == "" and config.deck.split == "file"):
            raise ConfigError("--deck", [f"{deck!r} is not a deck name"])
    return config
