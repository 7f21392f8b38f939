"""Configuration: everything a build can be told, in one frozen :class:`Config`.

The defaults here make a good deck; ``flashcards.toml`` (or
``[tool.flashcards]`` in ``pyproject.toml``) changes some of them and
command-line flags come last — see :mod:`flashcards.config_file`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flashcards.model import Kind

SPLITS = ("file", "folder", "none")
ORDERS = ("priority", "document")
KINDS = tuple(k.value for k in Kind)
STEP = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_STEP_MINUTES = {"s": 1 / 60, "m": 1, "h": 60, "d": 1440}
SKIP_HEADINGS = (
    "instructions", "test instructions", "exam instructions", "quiz instructions", "objectives",
    "learning objectives", "learning outcomes", "study resources", "resources", "next steps", "scoring guide",
    "references", "reference", "see also", "related", "related notes", "links", "table of contents", "contents",
    "toc", "changelog", "change log", "todo", "to do",
    "参考", "参考资料", "参考文献", "参考链接", "相关链接", "相关阅读", "目录", "学习目标", "本章目标", "考试说明",
    "答题说明", "考纲", "考试大纲", "大纲要求", "待办", "链接",
)
"""Headings whose sections give no cards, unless the configuration says otherwise."""


@dataclass(frozen=True)
class DeckSettings:
    """How cards are placed in decks."""

    root: str = "Flashcards"
    """The root deck. ``::`` nests it (``Exams::AWS``)."""
    split: str = "file"
    """``file``: a subdeck per note file (named after its title);
    ``folder``: a subdeck per folder; ``none``: every card in the root deck."""
    descriptions: bool = True
    """Give each deck a description: the note's title and source path."""


@dataclass(frozen=True)
class TagSettings:
    """The first part of each hierarchical tag; '' leaves that tag out."""

    kind: str = "kind"
    topic: str = "topic"
    source: str = "source"
    priority: str = "priority"
    mark: str = "exam"
    """For ``exam::trap`` and ``exam::tip``."""
    user: str = ""
    """Put before the notes' own tags (front matter, ``#tags``); '' keeps them as they are."""


@dataclass(frozen=True)
class CardSettings:
    """Which cards to make."""

    kinds: tuple[str, ...] = KINDS
    """Kinds of card to produce; facts of other kinds are left out."""
    reverse: tuple[str, ...] = ()
    """Kinds that also get a reverse card where the extractor offers one (``table``)."""
    skip_headings: tuple[str, ...] = SKIP_HEADINGS
    """Headings whose sections (and subsections) give no cards, compared
    without numbering, emoji, punctuation or case. A list given replaces the
    defaults (``[]`` clears them); see :attr:`extend_skip_headings`."""
    extend_skip_headings: tuple[str, ...] = ()
    """Headings added to :attr:`skip_headings`, keeping the defaults."""

    def skipped_headings(self) -> tuple[str, ...]:
        """Every heading whose section gives no cards."""
        return self.skip_headings + self.extend_skip_headings


@dataclass(frozen=True)
class KeywordSet:
    """Words of one language that mark importance in notes."""

    high: tuple[str, ...] = ()
    medium: tuple[str, ...] = ()
    low: tuple[str, ...] = ()
    trap: tuple[str, ...] = ()
    """Words that mark an exam trap (tag ``exam::trap``)."""
    tip: tuple[str, ...] = ()
    """Words that mark exam material (tag ``exam::tip``)."""


KEYWORDS: dict[str, KeywordSet] = {
    "zh": KeywordSet(
        high=("必记", "必考", "必背", "必会", "必须掌握", "重中之重"),
        medium=("考点", "核心", "重点", "关键", "要点", "注意", "陷阱", "易错", "易混"),
        low=("选学", "选读", "了解即可", "拓展阅读", "扩展阅读"),
        trap=("陷阱", "易错", "易混", "误区"),
        tip=("考点", "真题", "常考", "高频考点", "考试提示"),
    ),
    "en": KeywordSet(
        high=("must-know", "must remember", "memorize", "high-yield"),
        medium=(
            "key point", "key takeaway", "key concept", "key idea", "important",
            "exam tip", "remember", "trap", "pitfall", "gotcha", "caution", "warning",
        ),
        low=("further reading", "optional reading", "nice to know", "bonus"),
        trap=("trap", "pitfall", "gotcha", "common mistake", "watch out"),
        tip=("exam tip", "exam focus", "frequently tested", "high-yield"),
    ),
}


@dataclass(frozen=True)
class PrioritySettings:
    """How the words notes use to mark importance become tags and study order."""

    order: str = "priority"
    """``priority``: new cards marked high come first, then medium, then the
    rest, each in document order, low last; ``document``: document order only."""
    languages: tuple[str, ...] = ("zh", "en")
    """Which keyword sets (``[keywords.<language>]``) are in use."""
    keywords: tuple[tuple[str, KeywordSet], ...] = tuple(KEYWORDS.items())

    def active(self) -> tuple[KeywordSet, ...]:
        """The keyword sets in use, in the order of ``languages``."""
        sets = dict(self.keywords)
        return tuple(sets[lang] for lang in self.languages if lang in sets)


@dataclass(frozen=True)
class PresetSettings:
    """A deck options preset shipped in the package.

    Anki applies it only when the user ticks "Import deck presets" (it then
    becomes the preset of every deck in the package); otherwise the user's
    own presets stay as they are.
    """

    ship: bool = True
    name: str = "flashcards · exam prep"
    new_per_day: int = 30
    reviews_per_day: int = 300
    learning_steps: tuple[str, ...] = ("1m", "10m", "1h")
    relearning_steps: tuple[str, ...] = ("10m",)
    maximum_interval: int = 180
    """Longest interval in days: for exam prep, see everything again within months."""
    bury_siblings: bool = True
    """Show one cloze of a list per day rather than all in a row."""

    @staticmethod
    def minutes(steps: tuple[str, ...]) -> list[float]:
        """Steps like ``10m`` or ``1h`` in minutes, as Anki stores them."""
        out = []
        for step in steps:
            m = STEP.match(step)
            assert m, step  # validated when the config was read
            out.append(round(float(m.group(1)) * _STEP_MINUTES[m.group(2)], 4))
        return out


@dataclass(frozen=True)
class ImageSettings:
    """Images in notes that live on the web (``![](https://…/x.png)``)."""

    download: bool = True
    """Download each once at build time into the deck (kept in the build cache);
    false (or ``--offline``) downloads nothing and uses only what the cache holds."""
    download_timeout: int = 5
    """Seconds to wait for a server, and about the longest one download may take."""
    download_max_mb: int = 5
    """Larger images are not downloaded."""


@dataclass(frozen=True)
class Config:
    """Everything a build can be configured with; the defaults make a good deck."""

    deck: DeckSettings = field(default_factory=DeckSettings)
    tags: TagSettings = field(default_factory=TagSettings)
    cards: CardSettings = field(default_factory=CardSettings)
    priority: PrioritySettings = field(default_factory=PrioritySettings)
    preset: PresetSettings = field(default_factory=PresetSettings)
    images: ImageSettings = field(default_factory=ImageSettings)
