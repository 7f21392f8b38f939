"""A progress bar for builds that take more than a moment — on a terminal only.

The build reports its stages to a :class:`Progress`; the command line shows
them with rich on standard error when it is a terminal, and nothing at all
when output goes to a file, a pipe or a script. A build with only a few
notes to read (the rest unchanged since the last build) shows no bar.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichBar

WORTH_SHOWING = 16
"""Fewer notes to read than this take a moment: no bar."""


class Progress:
    """Stages of a build; this base class shows nothing."""

    def stage(self, label: str, total: int | None = None) -> None:
        """A new stage of ``total`` steps (None: one step of unknown length)."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more steps of the current stage are done."""


QUIET = Progress()


class _Bar(Progress):
    def __init__(self, bar: RichBar) -> None:
        self.bar = bar
        self.task: TaskID | None = None
        self.total: int | None = None

    def stage(self, label: str, total: int | None = None) -> None:
        if self.task is not None:  # the stage before is over
            self.bar.update(self.task, completed=self.total or 1, total=self.total or 1)
        self.task, self.total = self.bar.add_task(label, total=total), total
        self.bar.refresh()

    def advance(self, steps: int = 1) -> None:
        if self.task is not None:
            self.bar.advance(self.task, steps)


@contextmanager
def on_terminal(console: Console | None = None) -> Iterator[Progress]:
    """A progress bar on standard error while it is a terminal, else :data:`QUIET`.

    The bar disappears when the build ends, leaving only its report.
    """
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield QUIET
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with RichBar(*columns, console=console, transient=True) as bar:
        yield _Bar(bar)
